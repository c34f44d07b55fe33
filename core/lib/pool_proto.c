/* pool_proto.c — pool messages on SOCK_SEQPACKET; see pool_proto.h. */
#include "pool_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int hull_pool_send(int sock, struct hull_pool_hdr *h, const void *payload, size_t len,
		   const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * HULL_POOL_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov[2] = { { h, sizeof(*h) }, { (void *)payload, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n;

	if (nfds < 0 || nfds > HULL_POOL_MAX_FDS || len > HULL_POOL_MAX_PAYLOAD)
		return -EINVAL;
	h->magic = HULL_POOL_MAGIC;
	h->nfds = (uint16_t)nfds;
	if (nfds) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(*h) + len ? 0 : -EMSGSIZE;
}

int hull_pool_send_text(int sock, int type, int value, const char *text)
{
	struct hull_pool_hdr h = { .type = (uint16_t)type, .value = value };
	size_t len = text ? strlen(text) + 1 : 0;

	if (len > HULL_POOL_MAX_PAYLOAD)
		len = HULL_POOL_MAX_PAYLOAD;
	return hull_pool_send(sock, &h, text, len, NULL, 0);
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

ssize_t hull_pool_recv(int sock, struct hull_pool_hdr *h, void *payload, size_t cap, int *fds,
		       int maxfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * HULL_POOL_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov[2] = { { h, sizeof(*h) }, { payload, cap } };
	struct msghdr msg = { .msg_iov = iov,
			      .msg_iovlen = cap ? 2 : 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	int got = 0;
	ssize_t n;

	for (int i = 0; i < maxfds; i++)
		fds[i] = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	/* Take every fd that came, even unwanted ones, so none leaks. */
	int extra[HULL_POOL_MAX_FDS * 2], n_extra = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < maxfds)
				fds[got++] = fd;
			else if (n_extra < (int)(sizeof(extra) / sizeof(extra[0])))
				extra[n_extra++] = fd;
			else
				close(fd);
		}
	}
	close_fds(extra, n_extra);
	if ((size_t)n < sizeof(*h) || h->magic != HULL_POOL_MAGIC || h->nfds != got || n_extra ||
	    (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		close_fds(fds, got);
		return -EPROTO;
	}
	return n - (ssize_t)sizeof(*h);
}

int hull_pool_encode_run(struct hull_pool_hdr *h, const char *cwd, char *const argv[],
			 const char *const env[], size_t envc, char *buf, size_t cap, size_t *len,
			 struct hull_err *err)
{
	size_t off = 0, argc = 0;

#define PUT(s)                                                                                     \
	do {                                                                                       \
		size_t l = strlen(s) + 1;                                                          \
		if (l > cap - off)                                                                 \
			return hull_fail(err, E2BIG,                                               \
					 "cannot send the command to a pool slot (over %zu "       \
					 "bytes)",                                                 \
					 cap);                                                     \
		memcpy(buf + off, s, l);                                                           \
		off += l;                                                                          \
	} while (0)

	PUT(cwd ? cwd : "");
	for (; argv[argc]; argc++)
		PUT(argv[argc]);
	for (size_t i = 0; i < envc; i++)
		PUT(env[i]);
#undef PUT
	h->type = HULL_POOL_RUN;
	h->argc = (uint32_t)argc;
	h->envc = (uint32_t)envc;
	*len = off;
	return 0;
}

void hull_pool_run_free(struct hull_pool_run *run)
{
	free(run->argv);
	free(run->env);
	run->argv = run->env = NULL;
}

int hull_pool_decode_run_into(const struct hull_pool_hdr *h, char *buf, size_t len,
			      struct hull_pool_run *run, char **argv, char **env,
			      struct hull_err *err)
{
	size_t off = 0, want = 1 + (size_t)h->argc + h->envc;

	memset(run, 0, sizeof(*run));
	if (h->type != HULL_POOL_RUN || h->argc < 1 || want > len)
		return hull_fail(err, EPROTO, "malformed pool request");
	for (size_t i = 0; i < want; i++) {
		char *end = off < len ? memchr(buf + off, '\0', len - off) : NULL;
		if (!end)
			return hull_fail(err, EPROTO, "malformed pool request");
		if (i == 0)
			run->cwd = buf[0] ? buf : NULL;
		else if (i <= h->argc)
			argv[i - 1] = buf + off;
		else
			env[i - 1 - h->argc] = buf + off;
		off = (size_t)(end - buf) + 1;
	}
	argv[h->argc] = NULL;
	env[h->envc] = NULL;
	if (!argv[0][0])
		return hull_fail(err, EPROTO, "malformed pool request: empty command");
	run->argv = argv;
	run->env = env;
	return 0;
}

int hull_pool_decode_run(const struct hull_pool_hdr *h, char *buf, size_t len,
			 struct hull_pool_run *run, struct hull_err *err)
{
	char **argv = calloc((size_t)h->argc + 1, sizeof(char *));
	char **env = calloc((size_t)h->envc + 1, sizeof(char *));

	memset(run, 0, sizeof(*run));
	if (!argv || !env) {
		free(argv);
		free(env);
		return hull_fail(err, ENOMEM, "cannot decode the pool request");
	}
	int ret = hull_pool_decode_run_into(h, buf, len, run, argv, env, err);
	if (ret < 0) {
		free(argv);
		free(env);
	}
	return ret;
}

size_t hull_env_merge_into(char *const base[], char *const extra[], char **out)
{
	size_t nb = 0, n = 0;

	while (base && base[nb])
		nb++;
	for (size_t i = 0; i < nb; i++)
		out[n++] = base[i];
	for (size_t i = 0; extra && extra[i]; i++) {
		size_t name = strcspn(extra[i], "=");
		size_t k = 0;
		while (k < n && strncmp(out[k], extra[i], name + 1) != 0)
			k++;
		out[k] = extra[i];
		if (k == n)
			n++;
	}
	out[n] = NULL;
	return n;
}

char **hull_env_merge(char *const base[], char *const extra[])
{
	size_t nb = 0, ne = 0;
	char **out;

	while (base && base[nb])
		nb++;
	while (extra && extra[ne])
		ne++;
	out = calloc(nb + ne + 1, sizeof(char *));
	if (out)
		hull_env_merge_into(base, extra, out);
	return out;
}

int hull_pool_check_name(const char *name, struct hull_err *err)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > 64 || name[0] == '.')
		goto bad;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			goto bad;
	}
	return 0;
bad:
	return hull_fail(err, 0, "invalid pool name '%s' (1-64 of A-Z a-z 0-9 _ . -)",
			 name ? name : "");
}
