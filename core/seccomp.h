/* seccomp.h — the container's system call filter, built with Debian's
 * libseccomp.
 *
 * The default profile is a deny list modelled on the well-known runtime
 * defaults: module and kexec loading, reboot, every mount API call (hull's
 * own mounts are done by then), keyctl, bpf, perf_event_open, userfaultfd,
 * io_uring, clock setting, new user namespaces through unshare/clone,
 * setns, TIOCSTI/TIOCLINUX ioctls... each returning EPERM; clone3 returns
 * ENOSYS so libc falls back to clone, whose flags can be inspected.
 *
 * A profile FILE is plain text: one system call name per line, denied with
 * EPERM; '#' starts a comment.
 *
 * The filter is compiled to BPF by the parent before the container starts
 * and installed by the child as the last step before exec. */
#ifndef HULL_SECCOMP_H
#define HULL_SECCOMP_H

#include "error.h"

#include <stddef.h>

enum hull_seccomp_mode {
	HULL_SECCOMP_OFF,
	HULL_SECCOMP_DEFAULT,
	HULL_SECCOMP_FILE,
};

struct hull_seccomp {
	void *bpf;  /* struct sock_filter[] */
	size_t len; /* bytes */
};

/* Check a profile file (every name known) without building anything. */
int hull_seccomp_check_file(const char *path, struct hull_err *err);

/* Compile the profile to BPF. */
int hull_seccomp_compile(enum hull_seccomp_mode mode, const char *file, struct hull_seccomp *out,
			 struct hull_err *err);

/* Install a compiled filter in the calling process. */
int hull_seccomp_install(const struct hull_seccomp *f, struct hull_err *err);

void hull_seccomp_free(struct hull_seccomp *f);

/* The syscall names of the default deny list (for -v and tests). */
extern const char *const hull_seccomp_default_denied[];

#endif
