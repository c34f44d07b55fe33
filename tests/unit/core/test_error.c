/* test_error.c — filling struct hull_err (core/lib/error.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MSG_CAP (sizeof(((struct hull_err *)0)->msg))

/* A hull_err with guard bytes right behind it: a write past msg shows. */
struct guarded {
	struct hull_err err;
	unsigned char guard[64];
};

static void guard_init(struct guarded *g)
{
	memset(g, 0x5a, sizeof(*g));
}

static void assert_guard_intact(const struct guarded *g)
{
	for (size_t i = 0; i < sizeof(g->guard); i++)
		assert_int_equal(g->guard[i], 0x5a);
}

static void test_exit_code_constants(void **state)
{
	(void)state;
	assert_int_equal(HULL_EXIT_RUNTIME, 125);
	assert_int_equal(HULL_EXIT_NOEXEC, 126);
	assert_int_equal(HULL_EXIT_NOTFOUND, 127);
	assert_int_equal(MSG_CAP, 480);
}

static void test_fail_without_errno(void **state)
{
	(void)state;
	struct hull_err err;

	memset(&err, 0x7f, sizeof(err));
	assert_int_equal(hull_fail(&err, 0, "unknown namespace '%s'", "foo"), -EINVAL);
	assert_string_equal(err.msg, "unknown namespace 'foo'");
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.exit_code, 125);
}

static void test_fail_with_errno(void **state)
{
	(void)state;
	struct hull_err err;

	hull_err_clear(&err);
	assert_int_equal(hull_fail(&err, ENOENT, "cannot use rootfs '%s'", "/x"), -ENOENT);
	assert_string_equal(err.msg, "cannot use rootfs '/x': No such file or directory");
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(err.exit_code, 125);

	assert_int_equal(hull_fail(&err, EINVAL, "cannot pivot_root to '%s'", "/r"), -EINVAL);
	assert_string_equal(err.msg, "cannot pivot_root to '/r': Invalid argument");
	assert_int_equal(err.errnum, EINVAL);

	assert_int_equal(hull_fail(&err, EPERM, "x"), -EPERM);
	assert_string_equal(err.msg, "x: Operation not permitted");
}

static void test_fail_format_arguments(void **state)
{
	(void)state;
	struct hull_err err;

	hull_fail(&err, 0, "%s %d %u %c %%", "a", -3, 7u, 'z');
	assert_string_equal(err.msg, "a -3 7 z %");
	hull_fail(&err, 0, "plain text");
	assert_string_equal(err.msg, "plain text");
	hull_fail(&err, 0, "%s", "");
	assert_string_equal(err.msg, "");
}

static void test_fail_replaces_previous(void **state)
{
	(void)state;
	struct hull_err err;

	hull_fail_exit(&err, 127, ENOENT, "a long first message that is long");
	hull_fail(&err, 0, "short");
	assert_string_equal(err.msg, "short");
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.exit_code, 125);
}

static void test_fail_exit_codes(void **state)
{
	(void)state;
	struct hull_err err;

	assert_int_equal(hull_fail_exit(&err, 127, ENOENT, "cannot execute '%s'", "nope"), -ENOENT);
	assert_string_equal(err.msg, "cannot execute 'nope': No such file or directory");
	assert_int_equal(err.exit_code, 127);
	assert_int_equal(err.errnum, ENOENT);

	assert_int_equal(hull_fail_exit(&err, 126, EACCES, "cannot execute '%s'", "f"), -EACCES);
	assert_string_equal(err.msg, "cannot execute 'f': Permission denied");
	assert_int_equal(err.exit_code, 126);
	assert_int_equal(err.errnum, EACCES);

	assert_int_equal(hull_fail_exit(&err, 125, 0, "bad"), -EINVAL);
	assert_string_equal(err.msg, "bad");
	assert_int_equal(err.exit_code, 125);
	assert_int_equal(err.errnum, 0);

	assert_int_equal(hull_fail_exit(&err, 1, 0, "one"), -EINVAL);
	assert_int_equal(err.exit_code, 1);
}

static void test_null_err(void **state)
{
	(void)state;
	assert_int_equal(hull_fail(NULL, 0, "x %s", "y"), -EINVAL);
	assert_int_equal(hull_fail(NULL, ENOENT, "x"), -ENOENT);
	assert_int_equal(hull_fail_exit(NULL, 127, ENOENT, "x"), -ENOENT);
	assert_int_equal(hull_fail_exit(NULL, 126, 0, "x"), -EINVAL);
	hull_err_clear(NULL);
}

static void test_clear(void **state)
{
	(void)state;
	struct hull_err err;

	hull_fail_exit(&err, 127, ENOENT, "something");
	hull_err_clear(&err);
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.exit_code, 0);
	assert_string_equal(err.msg, "");
}

static void test_truncation_long_message(void **state)
{
	(void)state;
	struct guarded g;
	char big[2000];

	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	guard_init(&g);
	assert_int_equal(hull_fail(&g.err, 0, "cannot use '%s'", big), -EINVAL);
	assert_guard_intact(&g);
	assert_int_equal(strlen(g.err.msg), MSG_CAP - 1);
	assert_memory_equal(g.err.msg, "cannot use 'mmm", 15);
	assert_int_equal(g.err.exit_code, 125);

	/* with an errno too: still bounded, and the message starts right */
	guard_init(&g);
	assert_int_equal(hull_fail(&g.err, ENOENT, "cannot use '%s'", big), -ENOENT);
	assert_guard_intact(&g);
	assert_int_equal(strlen(g.err.msg), MSG_CAP - 1);
	assert_memory_equal(g.err.msg, "cannot use 'mmm", 15);
	assert_int_equal(g.err.errnum, ENOENT);

	guard_init(&g);
	assert_int_equal(hull_fail_exit(&g.err, 127, ENOENT, "%s", big), -ENOENT);
	assert_guard_intact(&g);
	assert_int_equal(strlen(g.err.msg), MSG_CAP - 1);
	assert_int_equal(g.err.exit_code, 127);
}

static void test_truncation_at_the_edges(void **state)
{
	(void)state;
	struct guarded g;
	char text[MSG_CAP + 8];
	const char *suffix = ": No such file or directory";

	/* every message length around the capacity, with and without errno */
	for (size_t len = MSG_CAP - 40; len <= MSG_CAP + 4; len++) {
		memset(text, 't', len);
		text[len] = '\0';

		guard_init(&g);
		hull_fail(&g.err, 0, "%s", text);
		assert_guard_intact(&g);
		size_t n = strlen(g.err.msg);
		if (len < MSG_CAP) { /* fits */
			assert_int_equal(n, len);
			assert_memory_equal(g.err.msg, text, len);
		} else { /* shortened, and says so */
			assert_int_equal(n, MSG_CAP - 1);
			assert_memory_equal(g.err.msg, text, n - 3);
			assert_string_equal(g.err.msg + n - 3, "...");
		}

		/* With a reason: a long object is shortened, never the reason. */
		guard_init(&g);
		hull_fail(&g.err, ENOENT, "%s", text);
		assert_guard_intact(&g);
		n = strlen(g.err.msg);
		assert_true(n <= MSG_CAP - 1);
		if (len + strlen(suffix) < MSG_CAP) { /* fits */
			assert_memory_equal(g.err.msg, text, len);
			assert_string_equal(g.err.msg + len, suffix);
		} else {
			size_t kept = n - strlen(suffix) - 3;
			assert_memory_equal(g.err.msg, text, kept);
			assert_string_equal(g.err.msg + kept, "...: No such file or directory");
		}
	}
}

static void test_control_characters_are_escaped(void **state)
{
	(void)state;
	struct hull_err err;
	hull_fail(&err, 0, "invalid size '%s'", "1\nhull: fake\x1b[31m");
	assert_string_equal(err.msg, "invalid size '1\\x0ahull: fake\\x1b[31m'");
	assert_null(strchr(err.msg, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_code_constants),
		cmocka_unit_test(test_fail_without_errno),
		cmocka_unit_test(test_fail_with_errno),
		cmocka_unit_test(test_fail_format_arguments),
		cmocka_unit_test(test_fail_replaces_previous),
		cmocka_unit_test(test_fail_exit_codes),
		cmocka_unit_test(test_null_err),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_truncation_long_message),
		cmocka_unit_test(test_truncation_at_the_edges),
		cmocka_unit_test(test_control_characters_are_escaped),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
