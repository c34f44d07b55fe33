/* trace.c — writing phase marks; see trace.h. */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int hull_trace_fd = -1;

void hull_trace_set_fd(int fd)
{
	hull_trace_fd = fd;
}

/* By hand, not with snprintf: make bench traces hull, so every mark sits
 * inside a measured start, a dozen of them, most in the child; musl's
 * printf costs ~0.7 us a call and the child's first call faults its code
 * in again. Phase names are hull's own constants: nothing to escape. */
void hull_trace_mark_at(const char *phase, uint64_t t_ns)
{
	static const char head[] = "{\"phase\":\"", mid[] = "\",\"t_ns\":";
	char line[128], digits[20];
	size_t len, n = 0, k = 0;

	if (hull_trace_fd < 0)
		return;
	len = strlen(phase);
	if (len > sizeof(line) - (sizeof(head) - 1) - (sizeof(mid) - 1) - sizeof(digits) - 2)
		return;
	memcpy(line, head, sizeof(head) - 1);
	n += sizeof(head) - 1;
	memcpy(line + n, phase, len);
	n += len;
	memcpy(line + n, mid, sizeof(mid) - 1);
	n += sizeof(mid) - 1;
	do
		digits[k++] = (char)('0' + t_ns % 10);
	while ((t_ns /= 10) != 0);
	while (k > 0)
		line[n++] = digits[--k];
	line[n++] = '}';
	line[n++] = '\n';
	/* Best effort: a trace reader that went away must not fail the run. */
	while (write(hull_trace_fd, line, n) < 0 && errno == EINTR)
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
