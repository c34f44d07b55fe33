/* seccomp_filter.h — the container's system call filter, built with Debian's
 * libseccomp.
 *
 * The default profile is a deny list modelled on the well-known runtime
 * defaults: module and kexec loading, reboot, every mount API call (hull's
 * own mounts are done by then), keyctl, bpf, perf_event_open, userfaultfd,
 * io_uring, clock setting, new user namespaces through unshare/clone,
 * setns, TIOCSTI/TIOCLINUX ioctls, mknod of block and character devices...
 * each returning EPERM; clone3 returns
 * ENOSYS so libc falls back to clone, whose flags can be inspected.
 *
 * Only the native ABI is allowed: a system call through another one (32-bit
 * int 0x80 or x32 on x86_64) kills the process.
 *
 * A profile FILE is plain text: one system call name per line, denied with
 * EPERM; '#' starts a comment.
 *
 * An OCI config's linux.seccomp arrives as struct hull_seccomp_profile
 * (parsed by core/oci/oci_seccomp.c).
 *
 * The default filter is compiled to BPF when hull is built; a deny-list
 * file or an OCI profile by the parent before the container starts. The
 * child installs the filter as the last step before exec. */
#ifndef HULL_SECCOMP_FILTER_H
#define HULL_SECCOMP_FILTER_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hull_seccomp_mode {
	HULL_SECCOMP_OFF,
	HULL_SECCOMP_DEFAULT,
	HULL_SECCOMP_FILE,
	HULL_SECCOMP_PROFILE, /* an OCI linux.seccomp (struct hull_seccomp_profile) */
};

struct hull_seccomp {
	void *bpf;	    /* struct sock_filter[] */
	size_t len;	    /* bytes */
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for the install */
};

#define HULL_SECCOMP_MAX_ARGS 6

/* One comparison of a syscall argument; op is libseccomp's enum
 * scmp_compare (SCMP_CMP_EQ...). */
struct hull_seccomp_arg {
	unsigned int index;
	uint64_t value, value_two;
	int op;
};

/* Syscalls sharing one action and argument conditions. */
struct hull_seccomp_rule {
	const char **names; /* unknown to this libseccomp: skipped */
	size_t n_names;
	uint32_t action; /* libseccomp's SCMP_ACT_*, errno included */
	struct hull_seccomp_arg args[HULL_SECCOMP_MAX_ARGS];
	size_t n_args;
};

struct hull_seccomp_profile {
	uint32_t default_action;
	uint32_t arches[16]; /* SCMP_ARCH_*, besides the native one */
	size_t n_arches;
	struct hull_seccomp_rule *rules;
	size_t n_rules;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
};

/* The built-in default filter: a copy of the BPF compiled at build time. */
int hull_seccomp_default(struct hull_seccomp *out, struct hull_err *err);

/* A deny-list file compiled with libseccomp. */
int hull_seccomp_from_denylist(const char *path, struct hull_seccomp *out, struct hull_err *err);

/* Check a deny-list file (every name known) without building anything. */
int hull_seccomp_check_denylist(const char *path, struct hull_err *err);

/* An OCI profile compiled with libseccomp, as a linear filter. */
int hull_seccomp_from_profile(const struct hull_seccomp_profile *p, struct hull_seccomp *out,
			      struct hull_err *err);

/* The same, as a binary search over the syscall numbers (tree) or as a
 * linear list. */
int hull_seccomp_build_profile(const struct hull_seccomp_profile *p, bool tree,
			       struct hull_seccomp *out, struct hull_err *err);

/* The filter for mode (a spec's seccomp_mode, seccomp_file and
 * seccomp_profile): one of the three above (an OCI profile through the
 * cache of seccomp_cache.h), or none for OFF. */
int hull_seccomp_prepare(enum hull_seccomp_mode mode, const char *file,
			 const struct hull_seccomp_profile *profile, struct hull_seccomp *out,
			 struct hull_err *err);

/* The default deny list compiled with libseccomp: what the build embeds
 * (gen/gen_seccomp_bpf.c), and what tests compare the embedded copy with. */
int hull_seccomp_compile_default(struct hull_seccomp *out, struct hull_err *err);

/* The default filter, compiled at build time ($(BUILD)/gen/seccomp_bpf.c). */
extern const unsigned char hull_seccomp_default_bpf[];
extern const size_t hull_seccomp_default_bpf_len;

/* Install a compiled filter in the calling process. */
int hull_seccomp_install(const struct hull_seccomp *f, struct hull_err *err);

void hull_seccomp_free(struct hull_seccomp *f);

/* The syscall names of the default deny list (for -v and tests). */
extern const char *const hull_seccomp_default_denied[];

#endif
