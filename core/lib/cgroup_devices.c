/* cgroup_devices.c — device cgroup rules (OCI linux.resources.devices).
 *
 * v1 has a devices controller with devices.allow and devices.deny files
 * (cgroup_v1.c writes the lines made here). v2 has none: the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead, with
 * the device's type, major, minor and the access wanted; it returns 1 to
 * allow, 0 to deny. This file assembles that program from the rules with
 * raw bpf(2) (a dozen instructions per rule: no compiler, no libbpf) and
 * attaches it with BPF_F_ALLOW_MULTI, so a parent's program still applies.
 * The program stays attached for the life of the cgroup. */
#include "cgroup.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void hull_cg_dev_rule_line(const struct hull_dev_rule *r, char *buf, size_t len)
{
	char major[24] = "*", minor[24] = "*";

	if (r->type == 'a') { /* the kernel takes "a" alone as everything */
		snprintf(buf, len, "a");
		return;
	}
	if (r->major >= 0)
		snprintf(major, sizeof(major), "%lld", (long long)r->major);
	if (r->minor >= 0)
		snprintf(minor, sizeof(minor), "%lld", (long long)r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, major, minor, r->access[0] ? r->access : "rwm");
}

/* Instruction builders (the kernel's filter.h macros are not uapi). */
#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o)	 INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_REG(d, s)	 INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i)	 INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define AND_IMM(d, i)	 INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH_IMM(d, i)	 INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JNE_REG(d, s, o) INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, o, 0)
#define EXIT()		 INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#define MAX_INSNS 4096

static int access_bits(const char *a)
{
	int bits = 0;
	for (; a && *a; a++)
		bits |= *a == 'r'   ? BPF_DEVCG_ACC_READ
			: *a == 'w' ? BPF_DEVCG_ACC_WRITE
			: *a == 'm' ? BPF_DEVCG_ACC_MKNOD
				    : 0;
	return bits ? bits : BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
}

/* r2 = type, r3 = access, r4 = major, r5 = minor; then one block per rule,
 * the last rule first (a later rule wins): when everything matches, return
 * its verdict; otherwise fall through to the next block. None matching:
 * deny. */
static size_t assemble(const struct hull_dev_rule *rules, size_t n, struct bpf_insn *p)
{
	size_t k = 0;

	p[k++] = LDX_W(2, 1, 0); /* access_type: access << 16 | type */
	p[k++] = AND_IMM(2, 0xffff);
	p[k++] = LDX_W(3, 1, 0);
	p[k++] = RSH_IMM(3, 16);
	p[k++] = LDX_W(4, 1, 4);
	p[k++] = LDX_W(5, 1, 8);
	for (size_t i = n; i-- > 0;) {
		const struct hull_dev_rule *r = &rules[i];
		struct bpf_insn block[12];
		size_t b = 0;

		if (r->type != 'a')
			block[b++] = JNE_IMM(
				2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
		/* The access asked for must be within the rule's. */
		block[b++] = MOV_REG(1, 3);
		block[b++] = AND_IMM(1, ~access_bits(r->access) & 7);
		block[b++] = JNE_IMM(1, 0, 0);
		if (r->type != 'a' && r->major >= 0)
			block[b++] = JNE_IMM(4, (int32_t)r->major, 0);
		if (r->type != 'a' && r->minor >= 0)
			block[b++] = JNE_IMM(5, (int32_t)r->minor, 0);
		block[b++] = MOV_IMM(0, r->allow ? 1 : 0);
		block[b++] = EXIT();
		/* Every conditional jump leaves the block: to just after it. */
		for (size_t j = 0; j < b; j++)
			if (BPF_CLASS(block[j].code) == BPF_JMP && BPF_OP(block[j].code) == BPF_JNE)
				block[j].off = (int16_t)(b - j - 1);
		memcpy(p + k, block, b * sizeof(block[0]));
		k += b;
	}
	p[k++] = MOV_IMM(0, 0);
	p[k++] = EXIT();
	return k;
}

int hull_cg_devices_attach_bpf(int dir_fd, const struct hull_dev_rule *rules, size_t n,
			       struct hull_err *err)
{
	static char log[4096];
	struct bpf_insn *prog;
	union bpf_attr attr;
	int prog_fd, ret = 0;

	if (n > (MAX_INSNS - 8) / 12)
		return hull_fail(err, E2BIG, "cannot load %zu device rules: at most %d", n,
				 (MAX_INSNS - 8) / 12);
	prog = calloc(MAX_INSNS, sizeof(*prog));
	if (!prog)
		return hull_fail(err, ENOMEM, "cannot build the device cgroup program");
	size_t len = assemble(rules, n, prog);

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)len;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	/* No verifier log on the load that counts: before 6.4 a log that
	 * fills its buffer fails even a valid program with ENOSPC (seen on
	 * 6.1 with two rules). The log is asked for only to explain a
	 * failure, and its end is where the verifier says why. */
	prog_fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog_fd < 0) {
		int load_errno = errno;
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = sizeof(log);
		attr.log_level = 1;
		log[0] = '\0';
		int again = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
		if (again >= 0)
			close(again);
		free(prog);
		size_t log_len = strlen(log);
		return hull_fail(err, load_errno, "cannot load the device cgroup program%s%s",
				 log_len ? ": " : "", log + (log_len > 200 ? log_len - 200 : 0));
	}
	free(prog);

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dir_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		ret = hull_fail(err, errno, "cannot attach the device cgroup program");
	close(prog_fd);
	return ret;
}
