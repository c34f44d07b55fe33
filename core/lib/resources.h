/* resources.h — resource limits as the user gives them (--memory 64m,
 * --cpus 0.5, --pids 64, --cpuset 0-1), parsed and checked into numbers the
 * cgroup backends write. Pure: no file is touched here. */
#ifndef HULL_RESOURCES_H
#define HULL_RESOURCES_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HULL_CPU_PERIOD_US	   100000
#define HULL_DEFAULT_CGROUP_PARENT "hull"

/* One device cgroup rule (OCI linux.resources.devices[]): later rules win. */
struct hull_dev_rule {
	bool allow;
	char type;	/* 'a' (all), 'c' or 'b' */
	int64_t major;	/* -1: any */
	int64_t minor;	/* -1: any */
	char access[4]; /* some of "rwm" */
};

/* Block I/O of one device (OCI blockIO weightDevice / throttle*Device):
 * 0 leaves a value unset. */
struct hull_io_dev {
	int64_t major, minor;
	uint64_t weight; /* 10..1000 (v2: io.weight, converted) */
	uint64_t rbps, wbps, riops, wiops;
};

/* A hugetlb limit (OCI hugepageLimits): page size as the kernel names it
 * in file names ("2MB", "1GB"). */
struct hull_hugetlb {
	char size[16];
	uint64_t limit;
};

/* An RDMA device's limits (OCI rdma): -1 leaves one unset. */
struct hull_rdma {
	char device[64];
	int64_t hca_handles, hca_objects;
};

struct hull_limits {
	int64_t memory;		 /* bytes; 0: no limit */
	int64_t memory_swap;	 /* memory + swap in bytes; 0: default (2x memory), -1: unlimited */
	uint64_t cpu_quota_us;	 /* per HULL_CPU_PERIOD_US; 0: no limit */
	int64_t pids;		 /* 0: no limit */
	const char *cpuset;	 /* "0-1,3"; NULL: no pinning */
	const char *parent;	 /* cgroup parent, from the hierarchy's root */
	uint64_t cpu_shares;	 /* v1 cpu.shares (v2: cpu.weight, converted); 0: unset */
	uint64_t cpu_period_us;	 /* the period of cpu_quota_us; 0: HULL_CPU_PERIOD_US */
	const char *cpuset_mems; /* "0"; NULL: inherited */
	int64_t cpu_rt_runtime_us;  /* v1 cpu.rt_runtime_us; 0: unset */
	uint64_t cpu_rt_period_us;  /* v1 cpu.rt_period_us; 0: unset */
	int64_t memory_reservation; /* soft limit (v2 memory.low); 0: unset */
	int swappiness;		    /* v1 memory.swappiness when swappiness_set */
	bool swappiness_set;
	bool disable_oom_killer;   /* v1 memory.oom_control = 1 */
	int64_t memory_kernel;	   /* v1 memory.kmem.limit_in_bytes; 0: unset */
	int64_t memory_kernel_tcp; /* v1 memory.kmem.tcp.limit_in_bytes; 0: unset */
	uint64_t
		blkio_weight; /* 10..1000 (v1 blkio.weight; v2 io.weight "default", converted); 0 */
	const struct hull_io_dev
		*io_devs; /* per device; v1 blkio.*_device, v2 io.weight / io.max */
	size_t n_io_devs;
	const struct hull_hugetlb *hugetlb; /* v1 hugetlb.<size>.limit_in_bytes, v2 .max */
	size_t n_hugetlb;
	const struct hull_rdma *rdma; /* rdma.max (v1 and v2) */
	size_t n_rdma;
	const struct hull_dev_rule *dev_rules; /* in order; none: the device cgroup untouched */
	size_t n_dev_rules;
};

/* runc's conversion of v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000]. */
static inline uint64_t hull_cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* runc's conversion of a v1 blkio weight [10, 1000] to v2 io.weight [1, 10000]. */
static inline uint64_t hull_blkio_weight_to_io(uint64_t weight)
{
	return weight ? 1 + ((weight - 10) * 9999) / 990 : 0;
}

/* Whether the limits ask for block I/O, hugetlb or RDMA. */
static inline bool hull_limits_io_hugetlb_rdma(const struct hull_limits *l)
{
	return l->blkio_weight || l->n_io_devs || l->n_hugetlb || l->n_rdma;
}

/* "64m", "1G", "4096", "512k", "2g": bytes (suffixes b k m g, either case). */
int hull_parse_size(const char *s, int64_t *out, struct hull_err *err);
/* "0.5" -> 50000 (µs per 100 ms); at most the number of online CPUs. */
int hull_parse_cpus(const char *s, long online_cpus, uint64_t *quota_us, struct hull_err *err);
int hull_parse_pids(const char *s, int64_t *out, struct hull_err *err);
/* "0", "0-3", "0,2-3": digits, commas and ranges only. */
int hull_check_cpuset(const char *s, struct hull_err *err);
/* --memory-swap: a size, or -1 for unlimited. */
int hull_parse_memory_swap(const char *s, int64_t *out, struct hull_err *err);

/* Cross-checks once every option is in (swap below memory...). */
int hull_limits_validate(const struct hull_limits *l, struct hull_err *err);
bool hull_limits_any(const struct hull_limits *l);

/* docker's default memory + swap without --memory-swap: twice the memory,
 * or -1 (unlimited) where twice would not fit in 64 bits. */
static inline int64_t hull_default_memsw(int64_t memory)
{
	return memory > INT64_MAX / 2 ? -1 : 2 * memory;
}

/* "64 MiB", "1 GiB", "1000 bytes". */
void hull_format_size(int64_t bytes, char *buf, unsigned len);

#endif
