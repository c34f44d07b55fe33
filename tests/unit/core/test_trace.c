/* test_trace.c — the phase marks of core/lib/trace.c: one JSON line per
 * mark, exactly the format the harness and bench/start_ab.py parse, written
 * only when a trace fd is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "trace.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int fds[2];

static int setup(void **state)
{
	(void)state;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	hull_trace_set_fd(fds[1]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hull_trace_set_fd(-1);
	close(fds[0]);
	close(fds[1]);
	return 0;
}

/* Everything written so far, as a string. */
static const char *written(void)
{
	static char buf[4096];
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_a_mark_is_one_json_line(void **state)
{
	(void)state;
	hull_trace_mark_at("start", 1234567890123ull);
	assert_string_equal(written(), "{\"phase\":\"start\",\"t_ns\":1234567890123}\n");
}

static void test_the_clock_s_extremes_print_whole(void **state)
{
	(void)state;
	hull_trace_mark_at("a", 0);
	hull_trace_mark_at("b", UINT64_MAX);
	assert_string_equal(written(), "{\"phase\":\"a\",\"t_ns\":0}\n"
				       "{\"phase\":\"b\",\"t_ns\":18446744073709551615}\n");
}

static void test_a_name_too_long_for_the_line_is_dropped(void **state)
{
	(void)state;
	/* The line is 128 bytes at most: 10 + name + 9 + up to 20 digits + 2. */
	char name[200];
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	hull_trace_mark_at(name, 1);
	name[128 - 10 - 9 - 20 - 2 + 1] = '\0';
	hull_trace_mark_at(name, 1);
	assert_string_equal(written(), "");
	name[128 - 10 - 9 - 20 - 2] = '\0';
	hull_trace_mark_at(name, UINT64_MAX);
	const char *w = written();
	assert_int_equal(strlen(w), 128);
	assert_int_equal(strncmp(w, "{\"phase\":\"xxx", 13), 0);
	assert_string_equal(w + 128 - 31, "\",\"t_ns\":18446744073709551615}\n");
}

static void test_no_fd_no_output(void **state)
{
	(void)state;
	hull_trace_set_fd(-1);
	hull_trace_mark("parsed");
	hull_trace_mark_at("start", 1);
	hull_trace_set_fd(fds[1]);
	assert_string_equal(written(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_mark_is_one_json_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_clock_s_extremes_print_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_name_too_long_for_the_line_is_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_fd_no_output, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
