/* test_latency.c — the timestamp chain of one container start: trace
 * parsing, the probe stamp, monotonicity and per-phase durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "latency.h"

static const char trace[] = "{\"phase\":\"start\",\"t_ns\":1100}\n"
			    "{\"phase\":\"parsed\",\"t_ns\":1200}\n"
			    "{\"phase\":\"cloned\",\"t_ns\":1500}\n"
			    "{\"phase\":\"child_entered\",\"t_ns\":1400}\n"
			    "{\"phase\":\"mounts_private\",\"t_ns\":1600}\n"
			    "{\"phase\":\"proc_mounted\",\"t_ns\":1700}\n"
			    "{\"phase\":\"root_switched\",\"t_ns\":1900}\n"
			    "{\"phase\":\"exec\",\"t_ns\":2000}\n"
			    "{\"phase\":\"exited\",\"t_ns\":2600}\n";

static void test_parse_trace(void **state)
{
	(void)state;
	struct hh_lat_marks m = { 0 };
	struct hull_err err = { 0 };

	assert_int_equal(hh_lat_parse_trace(trace, strlen(trace), &m, &err), 0);
	assert_int_equal(m.t[HH_LAT_START], 1100);
	assert_int_equal(m.t[HH_LAT_PARSED], 1200);
	assert_int_equal(m.t[HH_LAT_CHILD], 1400);
	assert_int_equal(m.t[HH_LAT_PRIVATE], 1600);
	assert_int_equal(m.t[HH_LAT_PROC], 1700);
	assert_int_equal(m.t[HH_LAT_DEV], 0); /* absent */
	assert_int_equal(m.t[HH_LAT_ROOT], 1900);
	assert_int_equal(m.t[HH_LAT_HOSTNAME], 0);
	assert_int_equal(m.t[HH_LAT_EXEC], 2000);
	assert_int_equal(m.t[HH_LAT_EXITED], 2600);
	/* "cloned" (the parent's side of clone3) is not in the chain. */
	assert_int_equal(m.t[HH_LAT_SPAWN], 0);
}

/* hull builds /dev while its child sets up; the child attaches it after
 * go, or builds its own there when attaching failed: either way the time
 * is the late /dev phase, and the early one stays empty. */
static void test_parse_trace_dev_after_go(void **state)
{
	(void)state;
	static const char attached[] = "{\"phase\":\"root_switched\",\"t_ns\":90}\n"
				       "{\"phase\":\"hostname_set\",\"t_ns\":100}\n"
				       "{\"phase\":\"go_received\",\"t_ns\":120}\n"
				       "{\"phase\":\"dev_attached\",\"t_ns\":130}\n"
				       "{\"phase\":\"caps_set\",\"t_ns\":170}\n";
	static const char built[] = "{\"phase\":\"proc_mounted\",\"t_ns\":50}\n"
				    "{\"phase\":\"root_switched\",\"t_ns\":90}\n"
				    "{\"phase\":\"hostname_set\",\"t_ns\":100}\n"
				    "{\"phase\":\"go_received\",\"t_ns\":120}\n"
				    "{\"phase\":\"dev_ready\",\"t_ns\":150}\n"
				    "{\"phase\":\"caps_set\",\"t_ns\":170}\n";
	static const char early[] = "{\"phase\":\"go_received\",\"t_ns\":40}\n"
				    "{\"phase\":\"proc_mounted\",\"t_ns\":50}\n"
				    "{\"phase\":\"dev_ready\",\"t_ns\":60}\n"
				    "{\"phase\":\"hostname_set\",\"t_ns\":100}\n";
	struct hh_lat_marks m = { 0 };

	assert_int_equal(hh_lat_parse_trace(attached, strlen(attached), &m, NULL), 0);
	assert_int_equal(m.t[HH_LAT_GO], 120);
	assert_int_equal(m.t[HH_LAT_DEV_LATE], 130);
	assert_int_equal(m.t[HH_LAT_DEV], 0);
	assert_int_equal(hh_lat_marks_check(&m, NULL), 0);

	memset(&m, 0, sizeof(m));
	assert_int_equal(hh_lat_parse_trace(built, strlen(built), &m, NULL), 0);
	assert_int_equal(m.t[HH_LAT_DEV_LATE], 150);
	assert_int_equal(m.t[HH_LAT_DEV], 0);
	assert_int_equal(hh_lat_marks_check(&m, NULL), 0);

	memset(&m, 0, sizeof(m));
	assert_int_equal(hh_lat_parse_trace(early, strlen(early), &m, NULL), 0);
	assert_int_equal(m.t[HH_LAT_DEV], 60);
	assert_int_equal(m.t[HH_LAT_DEV_LATE], 0);
	/* An early go (hull had id maps, a cgroup or a link to make first)
	 * is part of "sync + private mounts", not the late wait. */
	assert_int_equal(m.t[HH_LAT_GO], 0);
	assert_int_equal(hh_lat_marks_check(&m, NULL), 0);
}

static void test_parse_trace_rejects_garbage(void **state)
{
	(void)state;
	struct hh_lat_marks m = { 0 };
	struct hull_err err = { 0 };
	const char *bad[] = {
		"{\"phase\":\"start\",\"t_ns\":1}\nnot json\n",
		"{\"phase\":\"start\"}\n",
		"{\"t_ns\":5}\n",
		"{\"phase\":\"start\",\"t_ns\":-5}\n",
		"{\"phase\":\"start\",\"t_ns\":5\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (hh_lat_parse_trace(bad[i], strlen(bad[i]), &m, &err) != -EPROTO)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(strstr(err.msg, "cannot read trace line"));
	}
	/* Empty lines and a missing final newline are fine. */
	const char ok[] = "\n{\"phase\":\"exec\",\"t_ns\":9}";
	assert_int_equal(hh_lat_parse_trace(ok, strlen(ok), &m, &err), 0);
	assert_int_equal(m.t[HH_LAT_EXEC], 9);
}

static void test_parse_stamp(void **state)
{
	(void)state;
	uint64_t t = 0;
	struct hull_err err = { 0 };

	assert_int_equal(hh_lat_parse_stamp("{\"t_entry_ns\":123456789012}\n", &t, &err), 0);
	assert_int_equal(t, 123456789012ull);
	assert_int_equal(hh_lat_parse_stamp("", &t, &err), -EPROTO);
	assert_int_equal(hh_lat_parse_stamp("{\"x\":1}", &t, &err), -EPROTO);
	assert_int_equal(hh_lat_parse_stamp(NULL, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "no probe stamp"));
}

static void test_phases_add_up(void **state)
{
	(void)state;
	struct hh_lat_marks m = { 0 };
	uint64_t d[HH_LAT_N_MARKS], sum = 0;

	assert_int_equal(hh_lat_parse_trace(trace, strlen(trace), &m, NULL), 0);
	m.t[HH_LAT_SPAWN] = 1000;
	m.t[HH_LAT_ENTRY] = 2300;
	m.t[HH_LAT_RETURN] = 2700;
	assert_int_equal(hh_lat_marks_check(&m, NULL), 0);
	hh_lat_phase_durations(&m, d);
	assert_int_equal(d[HH_LAT_SPAWN], 0);
	assert_int_equal(d[HH_LAT_START], 100);
	assert_int_equal(d[HH_LAT_CHILD], 200);
	/* An absent mark's time goes to the next present one. */
	assert_int_equal(d[HH_LAT_DEV], 0);
	assert_int_equal(d[HH_LAT_ROOT], 200);
	assert_int_equal(d[HH_LAT_EXEC], 100);
	assert_int_equal(d[HH_LAT_ENTRY], 300);
	for (int i = 0; i <= HH_LAT_ENTRY; i++)
		sum += d[i];
	assert_int_equal(sum, m.t[HH_LAT_ENTRY] - m.t[HH_LAT_SPAWN]);
	for (int i = HH_LAT_ENTRY + 1; i < HH_LAT_N_MARKS; i++)
		sum += d[i];
	assert_int_equal(sum, m.t[HH_LAT_RETURN] - m.t[HH_LAT_SPAWN]);

	uint32_t present = hh_lat_marks_present(&m);
	assert_true(present & (1u << HH_LAT_PROC));
	assert_false(present & (1u << HH_LAT_DEV));
}

static void test_marks_going_back_are_caught(void **state)
{
	(void)state;
	struct hh_lat_marks m = { 0 };
	struct hull_err err = { 0 };

	m.t[HH_LAT_SPAWN] = 1000;
	m.t[HH_LAT_START] = 1100;
	m.t[HH_LAT_EXEC] = 1050;
	assert_int_equal(hh_lat_marks_check(&m, &err), -ERANGE);
	assert_string_equal(err.msg, "mark 'exec' is 50 ns before 'start': Numerical result "
				     "out of range");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_trace),
		cmocka_unit_test(test_parse_trace_dev_after_go),
		cmocka_unit_test(test_parse_trace_rejects_garbage),
		cmocka_unit_test(test_parse_stamp),
		cmocka_unit_test(test_phases_add_up),
		cmocka_unit_test(test_marks_going_back_are_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
