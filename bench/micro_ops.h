/* micro_ops.h — one container-start step at a time, for the microbenchmarks
 * (bench/micro.cc is the Google Benchmark shim over these C functions).
 *
 * Every measurement runs in a fresh forked child, so a step that changes
 * the process for good (unshare, pivot_root) starts from the same state
 * each time: the child does the untimed setup, reads CLOCK_MONOTONIC around
 * the one step, and sends the nanoseconds back on a pipe. The fork itself is
 * not in the figure. */
#ifndef HULL_BENCH_MICRO_OPS_H
#define HULL_BENCH_MICRO_OPS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hull_micro_op {
	HULL_MICRO_UNSHARE,	/* unshare(arg) */
	HULL_MICRO_CLONE3,	/* clone3(flags = arg) until it returns in the parent */
	HULL_MICRO_PIVOT_ROOT,	/* pivot_root(".", ".") + umount2(".", MNT_DETACH) in a bound rootfs
				 */
	HULL_MICRO_MOUNT_PROC,	/* mount("proc") in a new mount + pid namespace */
	HULL_MICRO_SETHOSTNAME, /* sethostname() in a new uts namespace */
	/* What the machine charges for the work every start does, so that
	 * reports from two machines can be told apart: */
	HULL_MICRO_PAGE_FAULT, /* first write to a fresh anonymous page, per page */
	HULL_MICRO_SYSCALL,    /* getppid(), per call */
	HULL_MICRO_FORK,       /* fork + child _exit + waitpid */
	HULL_MICRO_VFORK       /* the same with vfork (no copy of the address space) */
};

/* Time one op; returns the nanoseconds, or a negative errno with a one-line
 * reason in why. rootfs is used by HULL_MICRO_PIVOT_ROOT and
 * HULL_MICRO_MOUNT_PROC (its /proc). */
int64_t hull_micro_run(enum hull_micro_op op, uint64_t arg, const char *rootfs, char *why,
		       unsigned long why_len);

#ifdef __cplusplus
}
#endif

#endif
