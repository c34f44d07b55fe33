/* cgroup_v1.c — the backend for v1 and hybrid hosts: one directory per
 * controller tree (memory, cpu, cpuacct, pids, cpuset; freezer, devices,
 * blkio, hugetlb and rdma only when asked for). The container's
 * process joins them itself (cgroup_self_join.h); attach, a move by pid,
 * is the fallback. */
#include "cgroup.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

/* Controllers a limit needs; the others are joined for accounting when the
 * host has them (peak memory, CPU time, pids). */
static bool required(const struct hull_cgroup *cg, int c)
{
	const struct hull_limits *l = cg->limits;
	switch (c) {
	case HULL_CTRL_MEMORY:
		return l->memory || l->memory_reservation || l->swappiness_set ||
		       l->disable_oom_killer || l->memory_kernel || l->memory_kernel_tcp;
	case HULL_CTRL_CPU:
		return l->cpu_quota_us || l->cpu_shares || l->cpu_period_us ||
		       l->cpu_rt_runtime_us || l->cpu_rt_period_us;
	case HULL_CTRL_PIDS:
		return l->pids != 0;
	case HULL_CTRL_CPUSET:
		return l->cpuset || l->cpuset_mems;
	case HULL_CTRL_DEVICES:
		return l->n_dev_rules != 0;
	case HULL_CTRL_BLKIO:
		return l->blkio_weight || l->n_io_devs;
	case HULL_CTRL_HUGETLB:
		return l->n_hugetlb != 0;
	case HULL_CTRL_RDMA:
		return l->n_rdma != 0;
	default:
		return false;
	}
}

static bool used(const struct hull_cgroup *cg, int c)
{
	if (!cg->mounts.v1[c][0])
		return false;
	if (c == HULL_CTRL_FREEZER)
		return cg->freezer;
	/* Joined only for their limits: each join is one more cgroup move. */
	if (c == HULL_CTRL_DEVICES || c == HULL_CTRL_BLKIO || c == HULL_CTRL_HUGETLB ||
	    c == HULL_CTRL_RDMA || c == HULL_CTRL_CPUSET)
		return required(cg, c);
	return true;
}

/* Co-mounted controllers (cpu,cpuacct) share one directory: the first
 * controller with a given mount owns it. */
static bool owns_dir(const struct hull_cgroup *cg, int c)
{
	for (int prev = 0; prev < c; prev++)
		if (used(cg, prev) && strcmp(cg->mounts.v1[prev], cg->mounts.v1[c]) == 0)
			return false;
	return true;
}

static int v1_check(struct hull_cgroup *cg, struct hull_err *err)
{
	for (int c = 0; c < HULL_CTRL_COUNT; c++)
		if (required(cg, c) && !cg->mounts.v1[c][0])
			return hull_fail(
				err, ENOENT,
				"cannot set limits: cgroup controller '%s' is not available",
				hull_cg_ctrl_names[c]);
	return 0;
}

/* A new v1 cpuset starts with no cpus and no mems, and a task cannot join
 * it like that: fill the parents from the tree's root. */
static int cpuset_inherit(const struct hull_cgroup *cg, const char *dir, struct hull_err *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char path[PATH_MAX + 32], value[256];

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (hull_read_file(path, value, sizeof(value), err) < 0)
			return -EIO;
		if (value[0] != '\n' && value[0] != '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s", cg->mounts.v1[HULL_CTRL_CPUSET], files[i]);
		if (hull_read_file(path, value, sizeof(value), err) < 0)
			return -EIO;
		int ret = hull_cg_write(dir, files[i], value, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The parent's directories down from the controller's mount; in cpuset
 * each level gets cpus and mems (a child of an empty one cannot get any). */
static int mkdir_parents(const struct hull_cgroup *cg, int c, struct hull_err *err)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/", cg->mounts.v1[c]);

	for (const char *p = cg->limits->parent; *p;) {
		size_t len = strcspn(p, "/");
		if (len) {
			n += snprintf(path + n, sizeof(path) - (size_t)n, "%.*s/", (int)len, p);
			int ret = hull_cg_mkdir(path, err);
			if (ret == 0 && c == HULL_CTRL_CPUSET)
				ret = cpuset_inherit(cg, path, err);
			if (ret < 0)
				return ret;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* Soft limit, swappiness, the OOM killer switch and kernel memory (v1 only). */
static int write_memory_extras(const struct hull_limits *l, const char *dir, struct hull_err *err)
{
	char v[32];
	int ret = 0;

	if (l->memory_reservation) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory_reservation);
		ret = hull_cg_write(dir, "memory.soft_limit_in_bytes", v, err);
	}
	if (ret == 0 && l->swappiness_set) {
		snprintf(v, sizeof(v), "%d", l->swappiness);
		ret = hull_cg_write(dir, "memory.swappiness", v, err);
	}
	if (ret == 0 && l->disable_oom_killer)
		ret = hull_cg_write(dir, "memory.oom_control", "1", err);
	/* Kernel memory: the kernel decides what its files still do (since
	 * 5.16 kmem.limit_in_bytes takes a value and does nothing with it;
	 * kmem.tcp still limits). A kernel without them fails by file name. */
	if (ret == 0 && l->memory_kernel) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory_kernel);
		ret = hull_cg_write(dir, "memory.kmem.limit_in_bytes", v, err);
	}
	if (ret == 0 && l->memory_kernel_tcp) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory_kernel_tcp);
		ret = hull_cg_write(dir, "memory.kmem.tcp.limit_in_bytes", v, err);
	}
	return ret;
}

/* A weight file: CFQ's name, else BFQ's (CFQ left the kernel in 5.0). */
static int write_weight(const char *dir, const char *cfq, const char *bfq, const char *value,
			struct hull_err *err)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, cfq);
	if (access(path, F_OK) == 0)
		return hull_cg_write(dir, cfq, value, err);
	snprintf(path, sizeof(path), "%s/%s", dir, bfq);
	if (access(path, F_OK) == 0)
		return hull_cg_write(dir, bfq, value, err);
	return hull_fail(err, EOPNOTSUPP,
			 "cannot set a block I/O weight: cgroup v1 blkio has neither %s nor %s "
			 "(weights need the BFQ I/O scheduler on the device)",
			 cfq, bfq);
}

/* blkio: the weight (the v1 range is OCI's, no conversion), per-device
 * weights and throttles, one "major:minor value" line per write. */
static int write_blkio(const struct hull_limits *l, const char *dir, struct hull_err *err)
{
	static const char *const throttles[] = { "blkio.throttle.read_bps_device",
						 "blkio.throttle.write_bps_device",
						 "blkio.throttle.read_iops_device",
						 "blkio.throttle.write_iops_device" };
	char v[96];
	int ret = 0;

	if (l->blkio_weight) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->blkio_weight);
		ret = write_weight(dir, "blkio.weight", "blkio.bfq.weight", v, err);
	}
	for (size_t i = 0; i < l->n_io_devs && ret == 0; i++) {
		const struct hull_io_dev *d = &l->io_devs[i];
		const uint64_t rates[] = { d->rbps, d->wbps, d->riops, d->wiops };
		if (d->weight) {
			snprintf(v, sizeof(v), "%lld:%lld %llu", (long long)d->major,
				 (long long)d->minor, (unsigned long long)d->weight);
			ret = write_weight(dir, "blkio.weight_device", "blkio.bfq.weight_device", v,
					   err);
		}
		for (size_t k = 0; k < 4 && ret == 0; k++) {
			if (!rates[k])
				continue;
			snprintf(v, sizeof(v), "%lld:%lld %llu", (long long)d->major,
				 (long long)d->minor, (unsigned long long)rates[k]);
			ret = hull_cg_write(dir, throttles[k], v, err);
		}
	}
	return ret;
}

/* hugetlb.<size>.limit_in_bytes per page size; rdma.max as on v2. */
static int write_hugetlb_rdma(const struct hull_limits *l, int c, const char *dir,
			      struct hull_err *err)
{
	char file[64], v[160];
	int ret = 0;

	for (size_t i = 0; c == HULL_CTRL_HUGETLB && i < l->n_hugetlb && ret == 0; i++) {
		snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", l->hugetlb[i].size);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->hugetlb[i].limit);
		ret = hull_cg_write(dir, file, v, err);
	}
	for (size_t i = 0; c == HULL_CTRL_RDMA && i < l->n_rdma && ret == 0; i++) {
		hull_cg_rdma_line(&l->rdma[i], v, sizeof(v));
		ret = hull_cg_write(dir, "rdma.max", v, err);
	}
	return ret;
}

static int write_limits(struct hull_cgroup *cg, int c, struct hull_err *err)
{
	const struct hull_limits *l = cg->limits;
	const char *dir = cg->dir[c];
	char v[64];
	int ret = 0;

	switch (c) {
	case HULL_CTRL_MEMORY:
		if ((ret = write_memory_extras(l, dir, err)) < 0 || !l->memory)
			break;
		snprintf(v, sizeof(v), "%lld", (long long)l->memory);
		ret = hull_cg_write(dir, "memory.limit_in_bytes", v, err);
		if (ret < 0)
			break;
		/* memsw only exists with swap accounting; docker's default
		 * without --memory-swap is as much swap as memory. */
		char memsw[PATH_MAX + 32];
		snprintf(memsw, sizeof(memsw), "%s/memory.memsw.limit_in_bytes", dir);
		if (access(memsw, F_OK) != 0)
			break;
		if (l->memory_swap < 0)
			snprintf(v, sizeof(v), "-1");
		else
			snprintf(v, sizeof(v), "%lld",
				 (long long)(l->memory_swap ? l->memory_swap
							    : hull_default_memsw(l->memory)));
		ret = hull_cg_write(dir, "memory.memsw.limit_in_bytes", v, err);
		break;
	case HULL_CTRL_CPU:
		if (l->cpu_shares) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_shares);
			if ((ret = hull_cg_write(dir, "cpu.shares", v, err)) < 0)
				break;
		}
		if (l->cpu_quota_us || l->cpu_period_us) {
			snprintf(v, sizeof(v), "%llu",
				 (unsigned long long)(l->cpu_period_us ? l->cpu_period_us
								       : HULL_CPU_PERIOD_US));
			ret = hull_cg_write(dir, "cpu.cfs_period_us", v, err);
		}
		if (ret == 0 && l->cpu_quota_us) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_quota_us);
			ret = hull_cg_write(dir, "cpu.cfs_quota_us", v, err);
		}
		/* The period first: the kernel checks the runtime against it. */
		if (ret == 0 && l->cpu_rt_period_us) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_rt_period_us);
			ret = hull_cg_write(dir, "cpu.rt_period_us", v, err);
		}
		if (ret == 0 && l->cpu_rt_runtime_us) {
			snprintf(v, sizeof(v), "%lld", (long long)l->cpu_rt_runtime_us);
			ret = hull_cg_write(dir, "cpu.rt_runtime_us", v, err);
		}
		break;
	case HULL_CTRL_PIDS:
		if (!l->pids)
			break;
		snprintf(v, sizeof(v), "%lld", (long long)l->pids);
		ret = hull_cg_write(dir, "pids.max", v, err);
		break;
	case HULL_CTRL_CPUSET:
		ret = cpuset_inherit(cg, dir, err);
		if (ret == 0 && l->cpuset)
			ret = hull_cg_write(dir, "cpuset.cpus", l->cpuset, err);
		if (ret == 0 && l->cpuset_mems)
			ret = hull_cg_write(dir, "cpuset.mems", l->cpuset_mems, err);
		break;
	case HULL_CTRL_DEVICES:
		/* In order: a later rule overrides an earlier one, as in OCI. */
		for (size_t i = 0; i < l->n_dev_rules && ret == 0; i++) {
			hull_cg_dev_rule_line(&l->dev_rules[i], v, sizeof(v));
			ret = hull_cg_write(
				dir, l->dev_rules[i].allow ? "devices.allow" : "devices.deny", v,
				err);
		}
		break;
	case HULL_CTRL_BLKIO:
		ret = write_blkio(l, dir, err);
		break;
	case HULL_CTRL_HUGETLB:
	case HULL_CTRL_RDMA:
		ret = write_hugetlb_rdma(l, c, dir, err);
		break;
	}
	return ret;
}

static int v1_create(struct hull_cgroup *cg, struct hull_err *err)
{
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!used(cg, c))
			continue;
		char dir[HULL_CG_DIR_MAX];
		if (snprintf(dir, sizeof(dir), "%s/%s/%s", cg->mounts.v1[c], cg->limits->parent,
			     cg->name) >= (int)sizeof(dir))
			return hull_fail(err, ENAMETOOLONG, "cannot create cgroup under '%s'",
					 cg->mounts.v1[c]);
		memcpy(cg->dir[c], dir, sizeof(dir));
		if (!owns_dir(cg, c))
			continue;
		int ret = mkdir_parents(cg, c, err);
		if (ret < 0)
			return ret;
		if (mkdir(cg->dir[c], 0755) < 0)
			return hull_fail(err, errno, "cannot create cgroup '%s'", cg->dir[c]);
		cg->made[c] = true;
	}
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!used(cg, c))
			continue;
		int ret = write_limits(cg, c, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int v1_update(struct hull_cgroup *cg, struct hull_err *err)
{
	int ret;

	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!cg->made[c]) {
			if (required(cg, c))
				return hull_fail(err, ENOENT,
						 "cannot update: the container has no '%s' cgroup",
						 hull_cg_ctrl_names[c]);
			continue;
		}
		if ((ret = write_limits(cg, c, err)) < 0)
			return ret;
	}
	return 0;
}

static int v1_into_fd(struct hull_cgroup *cg)
{
	(void)cg;
	return -1;
}

static int v1_attach(struct hull_cgroup *cg, pid_t pid, struct hull_err *err)
{
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!cg->made[c])
			continue;
		int ret = hull_cg_write(cg->dir[c], "cgroup.procs", v, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void v1_stats(struct hull_cgroup *cg, struct hull_cg_stats *st)
{
	char path[PATH_MAX + 64], buf[64];

	if (cg->dir[HULL_CTRL_MEMORY][0]) {
		snprintf(path, sizeof(path), "%s/memory.max_usage_in_bytes",
			 cg->dir[HULL_CTRL_MEMORY]);
		if (hull_read_file(path, buf, sizeof(buf), NULL) > 0)
			st->memory_peak = strtoull(buf, NULL, 10);
		snprintf(path, sizeof(path), "%s/memory.oom_control", cg->dir[HULL_CTRL_MEMORY]);
		hull_read_keyed_u64(path, "oom_kill", &st->oom_kills);
	}
	if (cg->dir[HULL_CTRL_CPUACCT][0]) {
		snprintf(path, sizeof(path), "%s/cpuacct.usage", cg->dir[HULL_CTRL_CPUACCT]);
		if (hull_read_file(path, buf, sizeof(buf), NULL) > 0)
			st->cpu_ns = strtoull(buf, NULL, 10);
	}
}

static int v1_destroy(struct hull_cgroup *cg, struct hull_err *err)
{
	int ret = 0;
	/* A frozen process cannot die: thaw first. */
	if (cg->made[HULL_CTRL_FREEZER])
		hull_cg_write(cg->dir[HULL_CTRL_FREEZER], "freezer.state", "THAWED", NULL);
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!cg->made[c])
			continue;
		hull_cg_kill_all(cg->dir[c]);
		if (hull_cg_rmdir(cg->dir[c], err) < 0)
			ret = -EBUSY;
		else
			cg->made[c] = false;
	}
	return ret;
}

const struct hull_cg_backend hull_cg_v1_backend = {
	.name = "v1",
	.check = v1_check,
	.create = v1_create,
	.into_fd = v1_into_fd,
	.attach = v1_attach,
	.stats = v1_stats,
	.update = v1_update,
	.destroy = v1_destroy,
};
