/* trace.c — writing phase marks; see trace.h. */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int hull_trace_fd = -1;

void hull_trace_set_fd(int fd)
{
	hull_trace_fd = fd;
}

void hull_trace_mark_at(const char *phase, uint64_t t_ns)
{
	char line[128];
	int n;

	if (hull_trace_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "{\"phase\":\"%s\",\"t_ns\":%llu}\n", phase,
		     (unsigned long long)t_ns);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	/* Best effort: a trace reader that went away must not fail the run. */
	while (write(hull_trace_fd, line, (size_t)n) < 0 && errno == EINTR)
		;
}

void hull_trace_stats(unsigned long long memory_peak, unsigned long long cpu_ns,
		      unsigned long long oom_kills)
{
	char line[256];
	int n;

	if (hull_trace_fd < 0)
		return;
	n = snprintf(line, sizeof(line),
		     "{\"phase\":\"cgroup_stats\",\"t_ns\":%llu,\"memory_peak\":%llu,"
		     "\"cpu_ns\":%llu,\"oom_kills\":%llu}\n",
		     (unsigned long long)hull_now_ns(), memory_peak, cpu_ns, oom_kills);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	while (write(hull_trace_fd, line, (size_t)n) < 0 && errno == EINTR)
		;
}
