/* process.c — the probe's looks at its own process: user/group id maps,
 * cgroup and time-namespace offsets from /proc/self, open file descriptors
 * (fcntl, no /proc needed), capabilities, no_new_privs and seccomp mode. */
#include "jsonw.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The whole of a small /proc file, or NULL. */
char *slurp(const char *path)
{
	static char bufs[6][4096];
	static int next;
	char *buf = bufs[next++ % 6];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(bufs[0]) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof(bufs[0]) - 1)
			break;
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

void emit_files(void)
{
	static const char *files[][2] = {
		{ "uid_map", "/proc/self/uid_map" },
		{ "gid_map", "/proc/self/gid_map" },
		{ "setgroups", "/proc/self/setgroups" },
		{ "cgroup", "/proc/self/cgroup" },
		{ "timens_offsets", "/proc/self/timens_offsets" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		kstr(files[i][0], slurp(files[i][1]));
}

void emit_fds(void)
{
	open_arr("fds");
	for (int fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		sep();
		printf("%d", fd);
	}
	close_arr();
}

void emit_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	uint64_t bnd = 0;
	char buf[24];

	open_obj("caps");
	if (syscall(SYS_capget, &h, d) == 0) {
		snprintf(buf, sizeof(buf), "%016llx",
			 (unsigned long long)d[0].effective | (unsigned long long)d[1].effective
								      << 32);
		kstr("eff", buf);
		snprintf(buf, sizeof(buf), "%016llx",
			 (unsigned long long)d[0].permitted | (unsigned long long)d[1].permitted
								      << 32);
		kstr("prm", buf);
	} else {
		knull("eff");
		knull("prm");
	}
	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd |= 1ULL << c;
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)bnd);
	kstr("bnd", buf);
	kint("no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	kint("seccomp", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	close_obj();
}
