/* trace.h — phase marks for --trace-fd.
 *
 * At each phase boundary of a container start hull writes one JSON line
 * {"phase":"<name>","t_ns":<CLOCK_MONOTONIC ns>} to the trace fd, with one
 * write() so lines from parent and child never interleave. When tracing is
 * off a mark is one predictable branch. */
#ifndef HULL_TRACE_H
#define HULL_TRACE_H

#include "util.h"

#include <stdint.h>

extern int hull_trace_fd;

void hull_trace_set_fd(int fd);
void hull_trace_mark_at(const char *phase, uint64_t t_ns);

/* {"phase":"cgroup_stats","t_ns":...,"memory_peak":...,"cpu_ns":...,"oom_kills":...} */
void hull_trace_stats(unsigned long long memory_peak, unsigned long long cpu_ns,
		      unsigned long long oom_kills);

static inline void hull_trace_mark(const char *phase)
{
	if (__builtin_expect(hull_trace_fd >= 0, 0))
		hull_trace_mark_at(phase, hull_now_ns());
}

#endif
