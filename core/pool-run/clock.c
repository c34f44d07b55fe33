/* clock.c — clock_gettime by the system call, for hull-pool-run only
 * (linked with --wrap=clock_gettime: core/pool-run/pool-run.mk).
 *
 * musl's clock_gettime goes through the vDSO: its first call looks the
 * symbol up in the vDSO's ELF image and then reads the kernel's time
 * pages, three page faults in a process that lives for one request
 * (~10 us each on a VM whose faults are dear), for the half dozen clock
 * reads of the trace marks and --timeout, where a system call costs
 * ~1 us each. */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts);

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clk, ts);
}
