/* net.c — hull-net: a static TCP test tool for the network e2e tests, run
 * inside containers (it is in the default rootfs) and on the tests' own
 * "host" network namespace. Every mode ends within TIMEOUT_S seconds
 * (alarm) and moves at most the bytes it is told to.
 *
 *   serve ADDR PORT greet       accept one connection, write "hello\n"
 *   serve ADDR PORT sink        accept one, read to EOF, print "received N S"
 *   serve ADDR PORT send BYTES  accept one, write BYTES, wait for the
 *                               peer's EOF
 *   connect ADDR PORT           connect (2 s), print the greeting, or
 *                               "unreachable <errno name>" and exit 1
 *   send ADDR PORT BYTES        connect, write BYTES, wait for EOF
 *   recv ADDR PORT              connect, read to EOF, print "received N S"
 *
 * serve prints "listening" once it listens, so a test can wait for that
 * line instead of sleeping. S: seconds from the first byte to EOF. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_S  30
#define MAX_BYTES  (64L << 20)
#define CONNECT_MS 2000

static char buf[65536];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int addr_of(const char *host, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(port));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int write_all(int fd, long bytes)
{
	memset(buf, 'x', sizeof(buf));
	while (bytes > 0) {
		ssize_t n = write(fd, buf, bytes < (long)sizeof(buf) ? (size_t)bytes : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		bytes -= n;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0) /* the peer's EOF: all was read */
		;
	return 0;
}

static int read_all(int fd)
{
	long total = 0;
	double first = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (total == 0)
			first = now();
		total += n;
		if (total > MAX_BYTES)
			return -1;
	}
	printf("received %ld %.6f\n", total, total ? now() - first : 0.0);
	return 0;
}

static long parse_bytes(const char *s)
{
	long v = atol(s);
	if (v <= 0 || v > MAX_BYTES) {
		fprintf(stderr, "hull-net: bytes must be 1..%ld\n", MAX_BYTES);
		exit(2);
	}
	return v;
}

static int serve(int argc, char **argv)
{
	struct sockaddr_in sa;
	int one = 1, fd, c;

	if (argc < 5 || addr_of(argv[2], argv[3], &sa) < 0)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		printf("error %s\n", strerrorname_np(errno));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return 1;
	if (strcmp(argv[4], "greet") == 0) {
		const char hello[] = "hello\n";
		return write(c, hello, sizeof(hello) - 1) == sizeof(hello) - 1 ? 0 : 1;
	}
	if (strcmp(argv[4], "sink") == 0)
		return read_all(c) < 0;
	if (strcmp(argv[4], "send") == 0 && argc > 5)
		return write_all(c, parse_bytes(argv[5])) < 0;
	return 2;
}

/* Connect within CONNECT_MS; the fd, or -1 with errno. */
static int dial(const char *host, const char *port)
{
	struct sockaddr_in sa;
	int fd, soerr = 0;
	socklen_t len = sizeof(soerr);

	if (addr_of(host, port, &sa) < 0) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		return -1;
	struct pollfd p = { fd, POLLOUT, 0 };
	if (poll(&p, 1, CONNECT_MS) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (soerr) {
		errno = soerr;
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	return fd;
}

int main(int argc, char **argv)
{
	int fd;

	alarm(TIMEOUT_S);
	if (argc < 4) {
		fprintf(stderr, "usage: hull-net serve|connect|send|recv ADDR PORT ...\n");
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	fd = dial(argv[2], argv[3]);
	if (fd < 0) {
		printf("unreachable %s\n", strerrorname_np(errno));
		return 1;
	}
	if (strcmp(argv[1], "connect") == 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			return 1;
		fwrite(buf, 1, (size_t)n, stdout);
		return 0;
	}
	if (strcmp(argv[1], "send") == 0 && argc > 4)
		return write_all(fd, parse_bytes(argv[4])) < 0;
	if (strcmp(argv[1], "recv") == 0)
		return read_all(fd) < 0;
	return 2;
}
