/* tenant.c — hull-tenant: a static test tool installed in the default
 * rootfs for the pool's cross-container test (tests/e2e/test_pool.py).
 *
 *   hull-tenant leave   leave traces: a file in /tmp, a SysV shm segment, a
 *                       POSIX message queue, listening sockets (abstract and
 *                       path unix, TCP on 127.0.0.1), a hostname, and a
 *                       background process holding the sockets; prints
 *                       "<trace> ok" or "<trace> <errno>" for each
 *   hull-tenant look    look for each of them; prints "<trace> seen" or
 *                       "<trace> clean" (processes: any but itself) */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FILE_PATH "/tmp/hull-tenant-file"
#define SOCK_PATH "/tmp/hull-tenant.sock"
#define ABSTRACT  "hull-tenant"
#define SHM_KEY	  0x48554c4c
#define MQ_NAME	  "/hull-tenant"
#define TCP_PORT  7411
#define HOSTNAME  "tenant-a"

static void say(const char *what, int ok)
{
	if (ok)
		printf("%s ok\n", what);
	else
		printf("%s %s\n", what, strerror(errno));
}

static socklen_t unix_addr(struct sockaddr_un *a, int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a->sun_path + 1, ABSTRACT, strlen(ABSTRACT));
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(ABSTRACT));
	}
	strcpy(a->sun_path, SOCK_PATH);
	return sizeof(*a);
}

static void tcp_addr(struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(TCP_PORT);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static int leave(void)
{
	struct sockaddr_un u;
	struct sockaddr_in in;
	int fd;

	fd = open(FILE_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	say("file", fd >= 0);
	say("shm", shmget(SHM_KEY, 4096, IPC_CREAT | 0600) >= 0);
	say("mqueue", mq_open(MQ_NAME, O_CREAT | O_RDWR, 0600, NULL) != (mqd_t)-1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t len = unix_addr(&u, 1);
	say("unix_abstract", bind(fd, (struct sockaddr *)&u, len) == 0 && listen(fd, 4) == 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	len = unix_addr(&u, 0);
	say("unix_path", bind(fd, (struct sockaddr *)&u, len) == 0 && listen(fd, 4) == 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	tcp_addr(&in);
	say("tcp", bind(fd, (struct sockaddr *)&in, sizeof(in)) == 0 && listen(fd, 4) == 0);
	say("hostname", sethostname(HOSTNAME, strlen(HOSTNAME)) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		for (;;)
			pause(); /* holds the sockets */
	}
	say("process", pid > 0);
	return 0;
}

static void verdict(const char *what, int seen)
{
	printf("%s %s\n", what, seen ? "seen" : "clean");
}

static int look(void)
{
	struct sockaddr_un u;
	struct sockaddr_in in;
	char host[256] = "";
	int fd, others = 0;

	verdict("file", access(FILE_PATH, F_OK) == 0);
	verdict("shm", shmget(SHM_KEY, 0, 0) >= 0);
	verdict("mqueue", mq_open(MQ_NAME, O_RDONLY) != (mqd_t)-1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t len = unix_addr(&u, 1);
	verdict("unix_abstract", connect(fd, (struct sockaddr *)&u, len) == 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	len = unix_addr(&u, 0);
	verdict("unix_path",
		access(SOCK_PATH, F_OK) == 0 || connect(fd, (struct sockaddr *)&u, len) == 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	tcp_addr(&in);
	verdict("tcp", connect(fd, (struct sockaddr *)&in, sizeof(in)) == 0);
	gethostname(host, sizeof(host) - 1);
	verdict("hostname", strcmp(host, HOSTNAME) == 0);
	DIR *d = opendir("/proc");
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && atoi(e->d_name) != getpid())
			others++;
	if (d)
		closedir(d);
	verdict("process", !d || others > 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "leave") == 0)
		return leave();
	if (argc == 2 && strcmp(argv[1], "look") == 0)
		return look();
	fprintf(stderr, "usage: hull-tenant leave|look\n");
	return 2;
}
