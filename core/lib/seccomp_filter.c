/* seccomp.c — the filter hull installs: the default one embedded at build
 * time, or a profile file compiled at start; see seccomp_filter.h. */
#include "seccomp_filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int hull_seccomp_compile(enum hull_seccomp_mode mode, const char *file, struct hull_seccomp *out,
			 struct hull_err *err)
{
	out->bpf = NULL;
	out->len = 0;
	out->flags = 0;
	if (mode != HULL_SECCOMP_DEFAULT)
		return hull_seccomp_build(mode, file, out, err);
	/* Compiling the default list with libseccomp took ~0.5 ms of every
	 * start; the build did it once (gen_seccomp_bpf.c). */
	out->bpf = malloc(hull_seccomp_default_bpf_len);
	if (!out->bpf)
		return hull_fail(err, ENOMEM, "cannot load the seccomp filter");
	memcpy(out->bpf, hull_seccomp_default_bpf, hull_seccomp_default_bpf_len);
	out->len = hull_seccomp_default_bpf_len;
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
