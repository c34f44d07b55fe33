/* seccomp_filter.c — the container's system call filter; see
 * seccomp_filter.h. Three sources, one entry point each: the built-in
 * default (compiled at build time), a deny-list file and an OCI profile
 * (both compiled here with Debian's libseccomp, by the parent, before the
 * container starts). */
#include "seccomp_filter.h"
#include "fileio.h"
#include "seccomp_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const hull_seccomp_default_denied[] = {
	/* kernel images and modules */
	"kexec_load",
	"kexec_file_load",
	"init_module",
	"finit_module",
	"delete_module",
	"create_module",
	"get_kernel_syms",
	"query_module",
	/* the machine itself */
	"reboot",
	"swapon",
	"swapoff",
	"acct",
	"syslog",
	"vhangup",
	"iopl",
	"ioperm",
	"settimeofday",
	"clock_settime",
	"clock_adjtime",
	"adjtimex",
	"stime",
	"lookup_dcookie",
	"nfsservctl",
	"quotactl",
	"quotactl_fd",
	"uselib",
	"_sysctl",
	"ustat",
	"sysfs",
	"vm86",
	"vm86old",
	/* mounts and roots: hull's own are done before the filter */
	"mount",
	"umount",
	"umount2",
	"pivot_root",
	"move_mount",
	"open_tree",
	"fsopen",
	"fsmount",
	"fsconfig",
	"fspick",
	"mount_setattr",
	/* kernel keyrings, BPF, perf, userfaultfd, io_uring */
	"keyctl",
	"add_key",
	"request_key",
	"bpf",
	"perf_event_open",
	"userfaultfd",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	/* other namespaces and other processes' memory */
	"setns",
	"process_vm_readv",
	"process_vm_writev",
	"open_by_handle_at",
	"name_to_handle_at",
	"fanotify_init",
	"kcmp",
	"pidfd_getfd",
	NULL,
};

static int deny(scmp_filter_ctx ctx, const char *name, int errnum, struct hull_err *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	int ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(errnum), nr, 0);
	if (ret < 0)
		return hull_fail(err, -ret, "cannot add seccomp rule for '%s'", name);
	return 0;
}

static int add_default_rules(scmp_filter_ctx ctx, struct hull_err *err)
{
	int ret;

	for (const char *const *n = hull_seccomp_default_denied; *n; n++)
		if ((ret = deny(ctx, *n, EPERM, err)) < 0)
			return ret;
	/* clone3 passes its flags in memory a filter cannot read: ENOSYS makes
	 * libc fall back to clone, whose flags it can. */
	if ((ret = deny(ctx, "clone3", ENOSYS, err)) < 0)
		return ret;
	struct {
		const char *name;
		unsigned arg;
		scmp_datum_t mask, value;
	} conditional[] = {
		/* New user namespaces: the door to most kernel attack surface. */
		{ "unshare", 0, CLONE_NEWUSER, CLONE_NEWUSER },
		{ "clone", 0, CLONE_NEWUSER, CLONE_NEWUSER },
		/* Device nodes: no device cgroup guards what a node made inside
		 * would open (a block device of the host's disk, /dev/mem). */
		{ "mknod", 1, S_IFMT, S_IFBLK },
		{ "mknod", 1, S_IFMT, S_IFCHR },
		{ "mknodat", 2, S_IFMT, S_IFBLK },
		{ "mknodat", 2, S_IFMT, S_IFCHR },
		/* Pushing characters into the terminal's input (CVE-2017-5226). */
		{ "ioctl", 1, 0xffffffffu, TIOCSTI },
		{ "ioctl", 1, 0xffffffffu, TIOCLINUX },
	};
	for (size_t i = 0; i < sizeof(conditional) / sizeof(conditional[0]); i++) {
		int nr = seccomp_syscall_resolve_name(conditional[i].name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
				       SCMP_CMP(conditional[i].arg, SCMP_CMP_MASKED_EQ,
						conditional[i].mask, conditional[i].value));
		if (ret < 0)
			return hull_fail(err, -ret, "cannot add seccomp rule for '%s'",
					 conditional[i].name);
	}
	return 0;
}

/* Visit each syscall name of a deny-list file (ctx NULL: only check). */
static int for_each_file_name(const char *path, scmp_filter_ctx ctx, struct hull_err *err)
{
	static char buf[65536];
	ssize_t n = hull_read_file(path, buf, sizeof(buf), err);
	int line_no = 0;

	if (n < 0)
		return (int)n;
	if ((size_t)n >= sizeof(buf) - 1)
		return hull_fail(err, EFBIG, "cannot use seccomp profile '%s' (at most %zu bytes)",
				 path, sizeof(buf) - 2);
	if (strlen(buf) != (size_t)n)
		return hull_fail(err, 0, "cannot use seccomp profile '%s': it holds a NUL byte",
				 path);
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char name[64];
		if (sscanf(line, "%63s", name) == 1) {
			if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
				return hull_fail(err, 0, "unknown system call '%s' in '%s' line %d",
						 name, path, line_no);
			if (ctx) {
				int ret = deny(ctx, name, EPERM, err);
				if (ret < 0)
					return ret;
			}
		}
		line = next;
	}
	return 0;
}

int hull_seccomp_check_denylist(const char *path, struct hull_err *err)
{
	return for_each_file_name(path, NULL, err);
}

/* libseccomp writes BPF only to an fd: a memfd, read back whole. */
static int export_bpf(scmp_filter_ctx ctx, struct hull_seccomp *out, struct hull_err *err)
{
	int fd = memfd_create("hull-seccomp", MFD_CLOEXEC);
	struct stat st;
	int ret;

	if (fd < 0)
		return hull_fail(err, errno, "cannot create a buffer for the seccomp filter");
	ret = seccomp_export_bpf(ctx, fd);
	if (ret < 0) {
		close(fd);
		return hull_fail(err, -ret, "cannot compile the seccomp filter");
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return hull_fail(err, EIO, "cannot compile the seccomp filter");
	}
	out->len = (size_t)st.st_size;
	out->bpf = malloc(out->len);
	if (!out->bpf || pread(fd, out->bpf, out->len, 0) != (ssize_t)out->len) {
		close(fd);
		hull_seccomp_free(out);
		return hull_fail(err, EIO, "cannot read the compiled seccomp filter");
	}
	close(fd);
	return 0;
}

/* The syscall numbers as a binary search instead of one comparison after
 * another. The kernel runs the filter once per syscall number when it is
 * installed, to find the ones it can allow without running it (its cache
 * bitmap): a linear list of 80 comparisons made that install take ~160 us
 * of every start, the tree ~70 us (same rules, 16 instructions longer). */
static int binary_tree(scmp_filter_ctx ctx, struct hull_err *err)
{
	int ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (ret < 0)
		return hull_fail(err, -ret, "cannot ask for a binary-tree seccomp filter");
	return 0;
}

/* A deny list: the default one (file NULL) or a file's. */
static int build_denylist(const char *file, struct hull_seccomp *out, struct hull_err *err)
{
	scmp_filter_ctx ctx;
	int ret;

	*out = (struct hull_seccomp){ 0 };
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return hull_fail(err, ENOMEM, "cannot create a seccomp filter");
	/* Only the native ABI is filtered; a system call through another one
	 * (32-bit int 0x80 or x32 on x86_64, a well-known way around filters
	 * that list only native numbers) kills the process. Adding those
	 * ABIs' copies of the list doubled the filter and its install time. */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* The kernel checks no_new_privs at install time; hull sets it itself. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	ret = binary_tree(ctx, err);
	if (ret == 0)
		ret = file ? for_each_file_name(file, ctx, err) : add_default_rules(ctx, err);
	if (ret == 0)
		ret = export_bpf(ctx, out, err);
	seccomp_release(ctx);
	return ret;
}

/* ---- OCI profiles (struct hull_seccomp_profile) -------------------- */

/* One syscall of a rule. libseccomp compares one argument once per rule,
 * so conditions repeating an index become one rule each (any of them
 * matches), as runc does. */
static int add_syscall(scmp_filter_ctx ctx, const struct hull_seccomp_rule *r, int nr,
		       const char *name, struct hull_err *err)
{
	struct scmp_arg_cmp cmp[HULL_SECCOMP_MAX_ARGS];
	bool repeated = false;
	int ret;

	for (size_t i = 0; i < r->n_args; i++) {
		cmp[i] = (struct scmp_arg_cmp){ r->args[i].index, (enum scmp_compare)r->args[i].op,
						r->args[i].value, r->args[i].value_two };
		for (size_t k = 0; k < i; k++)
			repeated |= r->args[k].index == r->args[i].index;
	}
	if (!repeated) {
		ret = seccomp_rule_add_array(ctx, r->action, nr, (unsigned int)r->n_args, cmp);
	} else {
		ret = 0;
		for (size_t i = 0; i < r->n_args && ret == 0; i++)
			ret = seccomp_rule_add_array(ctx, r->action, nr, 1, &cmp[i]);
	}
	if (ret < 0)
		return hull_fail(err, -ret, "cannot add seccomp rule for '%s'", name);
	return 0;
}

int hull_seccomp_build_profile(const struct hull_seccomp_profile *p, bool tree,
			       struct hull_seccomp *out, struct hull_err *err)
{
	scmp_filter_ctx ctx;
	int ret = 0;

	*out = (struct hull_seccomp){ .flags = p->flags };
	ctx = seccomp_init(p->default_action);
	if (!ctx)
		return hull_fail(err, EINVAL, "cannot create a seccomp filter");
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* hull sets no_new_privs itself */
	if (tree)
		ret = binary_tree(ctx, err);
	for (size_t i = 0; i < p->n_arches && ret == 0; i++) {
		ret = seccomp_arch_add(ctx, p->arches[i]);
		if (ret == -EEXIST)
			ret = 0;
		else if (ret < 0)
			ret = hull_fail(err, -ret, "cannot add a seccomp architecture");
	}
	for (size_t i = 0; i < p->n_rules && ret == 0; i++) {
		const struct hull_seccomp_rule *r = &p->rules[i];
		if (r->action == p->default_action)
			continue; /* libseccomp refuses it; it changes nothing */
		for (size_t k = 0; k < r->n_names && ret == 0; k++) {
			int nr = seccomp_syscall_resolve_name(r->names[k]);
			if (nr != __NR_SCMP_ERROR)
				ret = add_syscall(ctx, r, nr, r->names[k], err);
		}
	}
	if (ret == 0)
		ret = export_bpf(ctx, out, err);
	seccomp_release(ctx);
	return ret;
}

int hull_seccomp_from_profile(const struct hull_seccomp_profile *p, struct hull_seccomp *out,
			      struct hull_err *err)
{
	/* Linear, not binary_tree(): for an allow list of ~330 syscalls the
	 * tree took libseccomp ~4.8 ms longer to build here than it saved
	 * at the install (~0.75 ms). With the cache (seccomp_cache.h) it is
	 * built once and is worth it. */
	return hull_seccomp_build_profile(p, false, out, err);
}

/* ---- entry points --------------------------------------------------- */

int hull_seccomp_compile_default(struct hull_seccomp *out, struct hull_err *err)
{
	return build_denylist(NULL, out, err);
}

int hull_seccomp_from_denylist(const char *path, struct hull_seccomp *out, struct hull_err *err)
{
	return build_denylist(path, out, err);
}

int hull_seccomp_default(struct hull_seccomp *out, struct hull_err *err)
{
	/* Compiling the default list with libseccomp took ~0.5 ms of every
	 * start; the build did it once (gen/gen_seccomp_bpf.c). */
	*out = (struct hull_seccomp){ 0 };
	out->bpf = malloc(hull_seccomp_default_bpf_len);
	if (!out->bpf)
		return hull_fail(err, ENOMEM, "cannot load the seccomp filter");
	memcpy(out->bpf, hull_seccomp_default_bpf, hull_seccomp_default_bpf_len);
	out->len = hull_seccomp_default_bpf_len;
	return 0;
}

int hull_seccomp_prepare(enum hull_seccomp_mode mode, const char *file,
			 const struct hull_seccomp_profile *profile, struct hull_seccomp *out,
			 struct hull_err *err)
{
	switch (mode) {
	case HULL_SECCOMP_DEFAULT:
		return hull_seccomp_default(out, err);
	case HULL_SECCOMP_FILE:
		return hull_seccomp_from_denylist(file, out, err);
	case HULL_SECCOMP_PROFILE:
		return hull_seccomp_cached_profile(profile, out, err);
	case HULL_SECCOMP_OFF:
		break;
	}
	*out = (struct hull_seccomp){ 0 };
	return 0;
}

int hull_seccomp_install(const struct hull_seccomp *f, struct hull_err *err)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(f->len / sizeof(struct sock_filter)),
		.filter = f->bpf,
	};
	if (!f->bpf)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog) < 0)
		return hull_fail(err, errno, "cannot install the seccomp filter");
	return 0;
}

void hull_seccomp_free(struct hull_seccomp *f)
{
	free(f->bpf);
	f->bpf = NULL;
	f->len = 0;
}
