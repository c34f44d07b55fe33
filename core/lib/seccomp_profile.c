/* seccomp_profile.c — an OCI linux.seccomp profile (struct
 * hull_seccomp_profile, see seccomp_filter.h) built into BPF with Debian's
 * libseccomp, at container start. Syscall names this libseccomp does not
 * know are skipped, as runc does: profiles list syscalls of newer
 * kernels. */
#include "seccomp_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int export(scmp_filter_ctx ctx, struct hull_seccomp *out, struct hull_err *err)
{
	int fd = memfd_create("hull-seccomp", MFD_CLOEXEC);
	struct stat st;
	int ret;

	if (fd < 0)
		return hull_fail(err, errno, "cannot create a buffer for the seccomp filter");
	if ((ret = seccomp_export_bpf(ctx, fd)) < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return hull_fail(err, ret < 0 ? -ret : EIO, "cannot compile the seccomp filter");
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

int hull_seccomp_build_profile(const struct hull_seccomp_profile *p, struct hull_seccomp *out,
			       struct hull_err *err)
{
	scmp_filter_ctx ctx;
	int ret = 0;

	out->bpf = NULL;
	out->len = 0;
	out->flags = p->flags;
	ctx = seccomp_init(p->default_action);
	if (!ctx)
		return hull_fail(err, EINVAL, "cannot create a seccomp filter");
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* hull sets no_new_privs itself */
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
		ret = export(ctx, out, err);
	seccomp_release(ctx);
	return ret;
}
