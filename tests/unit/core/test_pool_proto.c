/* test_pool_proto.c — the pool's messages (core/lib/pool_proto.c): run
 * requests encoded and decoded, records with fds over a real socketpair,
 * malformed records refused with their fds closed, the environment merge,
 * pool names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "error.h"
#include "pool_proto.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sp[2] = { -1, -1 };

static int setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp);
}

static int teardown(void **state)
{
	(void)state;
	close(sp[0]);
	close(sp[1]);
	return 0;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_encode_decode_round_trip(void **state)
{
	(void)state;
	char *argv[] = { "sh", "-c", "echo $A", NULL };
	const char *env[] = { "A=1", "B=two words" };
	char buf[256];
	size_t len;
	struct hull_pool_hdr h = { 0 };
	struct hull_pool_run run;
	struct hull_err err;

	assert_int_equal(
		hull_pool_encode_run(&h, "/tmp", argv, env, 2, buf, sizeof(buf), &len, &err), 0);
	assert_int_equal(h.type, HULL_POOL_RUN);
	assert_int_equal(h.argc, 3);
	assert_int_equal(h.envc, 2);
	assert_int_equal(hull_pool_decode_run(&h, buf, len, &run, &err), 0);
	assert_string_equal(run.cwd, "/tmp");
	assert_string_equal(run.argv[0], "sh");
	assert_string_equal(run.argv[2], "echo $A");
	assert_null(run.argv[3]);
	assert_string_equal(run.env[1], "B=two words");
	assert_null(run.env[2]);
	hull_pool_run_free(&run);

	/* No cwd: the pool's. */
	assert_int_equal(
		hull_pool_encode_run(&h, NULL, argv, NULL, 0, buf, sizeof(buf), &len, &err), 0);
	assert_int_equal(hull_pool_decode_run(&h, buf, len, &run, &err), 0);
	assert_null(run.cwd);
	assert_null(run.env[0]);
	hull_pool_run_free(&run);
}

static void test_encode_too_big(void **state)
{
	(void)state;
	char *argv[] = { "a-rather-long-command-name", NULL };
	char buf[8];
	size_t len;
	struct hull_pool_hdr h = { 0 };
	struct hull_err err;

	assert_int_equal(
		hull_pool_encode_run(&h, NULL, argv, NULL, 0, buf, sizeof(buf), &len, &err),
		-E2BIG);
	assert_non_null(strstr(err.msg, "cannot send the command to a pool slot"));
}

static void test_decode_refuses_malformed(void **state)
{
	(void)state;
	struct hull_pool_hdr h = { .type = HULL_POOL_RUN, .argc = 2, .envc = 0 };
	struct hull_pool_run run;
	struct hull_err err;
	char unterminated[] = { '/', 0, 's', 'h' };
	char empty_cmd[] = { 0, 0 };

	/* The last string runs off the end. */
	assert_int_equal(hull_pool_decode_run(&h, unterminated, sizeof(unterminated), &run, &err),
			 -EPROTO);
	/* Counts beyond the payload. */
	h.argc = 100;
	assert_int_equal(hull_pool_decode_run(&h, unterminated, sizeof(unterminated), &run, &err),
			 -EPROTO);
	/* No command. */
	h.argc = 0;
	assert_int_equal(hull_pool_decode_run(&h, empty_cmd, sizeof(empty_cmd), &run, &err),
			 -EPROTO);
	h.argc = 1;
	assert_int_equal(hull_pool_decode_run(&h, empty_cmd, sizeof(empty_cmd), &run, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "empty command"));
	/* Another message type. */
	h.type = HULL_POOL_STATUS;
	assert_int_equal(hull_pool_decode_run(&h, empty_cmd, sizeof(empty_cmd), &run, &err),
			 -EPROTO);
}

static void test_send_recv_with_fds(void **state)
{
	(void)state;
	struct hull_pool_hdr h = { .type = HULL_POOL_STARTED, .value = 42 };
	int pipefd[2], fds[HULL_POOL_MAX_FDS];
	char buf[16];

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_int_equal(hull_pool_send(sp[0], &h, "hi", 3, pipefd, 2), 0);
	memset(&h, 0, sizeof(h));
	assert_int_equal(hull_pool_recv(sp[1], &h, buf, sizeof(buf), fds, HULL_POOL_MAX_FDS), 3);
	assert_int_equal(h.type, HULL_POOL_STARTED);
	assert_int_equal(h.value, 42);
	assert_int_equal(h.nfds, 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(fds[2], -1);
	/* The received fds are the pipe's ends, close-on-exec. */
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(read(pipefd[0], buf, 1), 1);
	assert_int_equal(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	for (int i = 0; i < 2; i++) {
		close(fds[i]);
		close(pipefd[i]);
	}
}

static void test_recv_eof_and_text(void **state)
{
	(void)state;
	struct hull_pool_hdr h;
	int fds[1];
	char buf[64];

	assert_int_equal(hull_pool_send_text(sp[0], HULL_POOL_ERROR, 127, "cannot execute 'x'"), 0);
	assert_int_equal(hull_pool_recv(sp[1], &h, buf, sizeof(buf), fds, 1),
			 (ssize_t)strlen("cannot execute 'x'") + 1);
	assert_int_equal(h.type, HULL_POOL_ERROR);
	assert_int_equal(h.value, 127);
	assert_string_equal(buf, "cannot execute 'x'");
	close(sp[0]);
	sp[0] = -1;
	assert_int_equal(hull_pool_recv(sp[1], &h, buf, sizeof(buf), fds, 1), -EPIPE);
}

/* A record that lies about its fds, or is not ours, is refused and
 * whatever fds came with it are closed, not leaked. */
static void test_recv_refuses_and_closes(void **state)
{
	(void)state;
	struct hull_pool_hdr h = { .type = HULL_POOL_CONN };
	int pipefd[2], fds[1];
	char buf[4];

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	/* Two fds where the receiver takes one: both closed on its side. */
	assert_int_equal(hull_pool_send(sp[0], &h, NULL, 0, pipefd, 2), 0);
	int before = dup(0);
	close(before); /* the lowest free fd now */
	assert_int_equal(hull_pool_recv(sp[1], &h, buf, sizeof(buf), fds, 1), -EPROTO);
	assert_int_equal(fds[0], -1);
	assert_false(fd_open(before));
	/* Garbage without our magic. */
	uint32_t junk[12] = { 0xdeadbeef };
	assert_int_equal(send(sp[0], junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	assert_int_equal(hull_pool_recv(sp[1], &h, buf, sizeof(buf), fds, 1), -EPROTO);
	/* A payload larger than the buffer: truncated, refused. */
	struct hull_pool_hdr big = { .type = HULL_POOL_ERROR };
	assert_int_equal(hull_pool_send(sp[0], &big, "longer than four", 17, NULL, 0), 0);
	assert_int_equal(hull_pool_recv(sp[1], &h, buf, sizeof(buf), fds, 1), -EPROTO);
	/* Too many fds to send. */
	int too_many[HULL_POOL_MAX_FDS + 1] = { 0 };
	assert_int_equal(hull_pool_send(sp[0], &h, NULL, 0, too_many, HULL_POOL_MAX_FDS + 1),
			 -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_env_merge(void **state)
{
	(void)state;
	char *base[] = { "PATH=/bin", "HOME=/", "A=1", NULL };
	char *extra[] = { "A=2", "NEW=x", "HOME=/root", NULL };
	char **out = hull_env_merge(base, extra);

	assert_non_null(out);
	assert_string_equal(out[0], "PATH=/bin");
	assert_string_equal(out[1], "HOME=/root");
	assert_string_equal(out[2], "A=2");
	assert_string_equal(out[3], "NEW=x");
	assert_null(out[4]);
	free(out);
	/* A name that is a prefix of another is not the other. */
	char *base2[] = { "AB=1", NULL };
	char *extra2[] = { "A=2", NULL };
	out = hull_env_merge(base2, extra2);
	assert_string_equal(out[0], "AB=1");
	assert_string_equal(out[1], "A=2");
	free(out);
	out = hull_env_merge(NULL, NULL);
	assert_null(out[0]);
	free(out);
}

/* The slot's decoding: into the caller's arrays, which are written only
 * once the counts fit the payload (a slot in its keeper's memory sizes
 * them by the payload, not by the header). */
static void test_decode_into_callers_arrays(void **state)
{
	(void)state;
	char *argv[] = { "sh", "-c", "x", NULL };
	const char *env[] = { "A=1" };
	char buf[64];
	size_t len;
	struct hull_pool_hdr h = { 0 };
	struct hull_pool_run run;
	struct hull_err err;
	char *av[4], *ev[2], *sentinel = "untouched";

	assert_int_equal(hull_pool_encode_run(&h, "", argv, env, 1, buf, sizeof(buf), &len, &err),
			 0);
	assert_int_equal(hull_pool_decode_run_into(&h, buf, len, &run, av, ev, &err), 0);
	assert_ptr_equal(run.argv, av);
	assert_ptr_equal(run.env, ev);
	assert_null(run.cwd);
	assert_string_equal(av[2], "x");
	assert_null(av[3]);
	assert_string_equal(ev[0], "A=1");
	assert_null(ev[1]);
	/* Counts beyond the payload: an error before any array is written. */
	h.argc = 1000;
	av[0] = sentinel;
	assert_int_equal(hull_pool_decode_run_into(&h, buf, len, &run, av, ev, &err), -EPROTO);
	assert_ptr_equal(av[0], sentinel);
	assert_null(run.argv);
}

static void test_env_merge_into(void **state)
{
	(void)state;
	char *base[] = { "PATH=/bin", "A=1", NULL };
	char *extra[] = { "A=2", "B=3", NULL };
	char *out[5];

	assert_int_equal(hull_env_merge_into(base, extra, out), 3);
	assert_string_equal(out[0], "PATH=/bin");
	assert_string_equal(out[1], "A=2");
	assert_string_equal(out[2], "B=3");
	assert_null(out[3]);
	assert_int_equal(hull_env_merge_into(NULL, NULL, out), 0);
	assert_null(out[0]);
}

static void test_pool_names(void **state)
{
	(void)state;
	struct hull_err err;

	assert_int_equal(hull_pool_check_name("web-1.a_b", &err), 0);
	assert_int_equal(hull_pool_check_name("", &err), -EINVAL);
	assert_int_equal(hull_pool_check_name(NULL, &err), -EINVAL);
	assert_int_equal(hull_pool_check_name(".hidden", &err), -EINVAL);
	assert_int_equal(hull_pool_check_name("../x", &err), -EINVAL);
	assert_string_equal(err.msg, "invalid pool name '../x' (1-64 of A-Z a-z 0-9 _ . -)");
	assert_int_equal(hull_pool_check_name("a/b", &err), -EINVAL);
	char longname[66];
	memset(longname, 'a', 65);
	longname[65] = '\0';
	assert_int_equal(hull_pool_check_name(longname, &err), -EINVAL);
	longname[64] = '\0';
	assert_int_equal(hull_pool_check_name(longname, &err), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode_round_trip),
		cmocka_unit_test(test_encode_too_big),
		cmocka_unit_test(test_decode_refuses_malformed),
		T(test_send_recv_with_fds),
		T(test_recv_eof_and_text),
		T(test_recv_refuses_and_closes),
		cmocka_unit_test(test_env_merge),
		cmocka_unit_test(test_decode_into_callers_arrays),
		cmocka_unit_test(test_env_merge_into),
		cmocka_unit_test(test_pool_names),
	};
	return cmocka_run_group_tests_name("pool_proto", tests, NULL, NULL);
}
