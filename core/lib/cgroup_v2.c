/* cgroup_v2.c — the backend for unified (v2) hosts: one directory, the
 * controllers enabled down the path through cgroup.subtree_control, and the
 * child created directly inside with clone3(CLONE_INTO_CGROUP), which spares
 * the migration of a running task (the parent writes cgroup.procs only when
 * clone3 cannot). */
#include "cgroup.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *needed_controllers(const struct hull_limits *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s", l->memory || l->memory_reservation ? " +memory" : "",
		 l->cpu_quota_us || l->cpu_shares || l->cpu_period_us ? " +cpu" : "",
		 l->pids ? " +pids" : "", l->cpuset || l->cpuset_mems ? " +cpuset" : "",
		 l->blkio_weight || l->n_io_devs ? " +io" : "", l->n_hugetlb ? " +hugetlb" : "",
		 l->n_rdma ? " +rdma" : "");
	return buf[0] ? buf + 1 : buf;
}

static int v2_check(struct hull_cgroup *cg, struct hull_err *err)
{
	const struct hull_limits *l = cg->limits;

	/* No v2 interface for these (runc refuses them on v2 as well). */
	if (l->cpu_rt_runtime_us || l->cpu_rt_period_us)
		return hull_fail(err, EINVAL,
				 "cannot set the realtime CPU period or runtime: "
				 "cgroup v2 has no such setting");
	if (l->swappiness_set || l->disable_oom_killer || l->memory_kernel || l->memory_kernel_tcp)
		return hull_fail(err, EINVAL, "cannot set %s: cgroup v2 has no such setting",
				 l->swappiness_set	 ? "memory swappiness"
				 : l->disable_oom_killer ? "disableOOMKiller"
				 : l->memory_kernel	 ? "kernel memory"
							 : "kernel TCP memory");
	char path[PATH_MAX + 32], have[512];
	const char *want[] = { l->memory || l->memory_reservation ? "memory" : NULL,
			       l->cpu_quota_us || l->cpu_shares || l->cpu_period_us ? "cpu" : NULL,
			       l->pids ? "pids" : NULL,
			       l->cpuset || l->cpuset_mems ? "cpuset" : NULL,
			       l->blkio_weight || l->n_io_devs ? "io" : NULL,
			       l->n_hugetlb ? "hugetlb" : NULL,
			       l->n_rdma ? "rdma" : NULL };

	snprintf(path, sizeof(path), "%s/cgroup.controllers", cg->mounts.v2);
	if (hull_read_file(path, have, sizeof(have), err) < 0)
		return -EIO;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!want[i])
			continue;
		bool found = false;
		for (char *tok = have; *tok;) {
			size_t n = strcspn(tok, " \n");
			if (n == strlen(want[i]) && strncmp(tok, want[i], n) == 0)
				found = true;
			tok += n;
			tok += strspn(tok, " \n");
		}
		if (!found)
			return hull_fail(
				err, ENOENT,
				"cannot set limits: cgroup controller '%s' is not available",
				want[i]);
	}
	return 0;
}

static int v2_write_limits(struct hull_cgroup *cg, struct hull_err *err);

/* Enable the controllers the limits need at every level from the root down
 * to the container's parent (made where missing); path gets the parent. */
static int enable_down_to_parent(const struct hull_cgroup *cg, char *path, size_t len,
				 struct hull_err *err)
{
	const struct hull_limits *l = cg->limits;
	char ctrls[64];
	int n, ret;

	needed_controllers(l, ctrls, sizeof(ctrls));
	n = snprintf(path, len, "%s", cg->mounts.v2);
	for (const char *p = l->parent;;) {
		if (ctrls[0]) {
			ret = hull_cg_write(path, "cgroup.subtree_control", ctrls + 1, err);
			if (ret < 0)
				return ret;
		}
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t seg = strcspn(p, "/");
		n += snprintf(path + n, len - (size_t)n, "/%.*s", (int)seg, p);
		ret = hull_cg_mkdir(path, err);
		if (ret < 0)
			return ret;
		p += seg;
	}
	return 0;
}

static int v2_create(struct hull_cgroup *cg, struct hull_err *err)
{
	char path[PATH_MAX];
	int ret;

	if ((ret = enable_down_to_parent(cg, path, sizeof(path), err)) < 0)
		return ret;
	if (snprintf(cg->dir[0], sizeof(cg->dir[0]), "%s/%s", path, cg->name) >=
	    (int)sizeof(cg->dir[0]))
		return hull_fail(err, ENAMETOOLONG, "cannot create cgroup under '%s'", path);
	/* A directory already there is not hull's to fill, nor to remove. */
	if (mkdir(cg->dir[0], 0755) < 0)
		return hull_fail(err, errno, "cannot create cgroup '%s'", cg->dir[0]);
	cg->made[0] = true;
	if ((ret = v2_write_limits(cg, err)) < 0)
		return ret;
	cg->dir_fd = open(cg->dir[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir_fd < 0)
		return hull_fail(err, errno, "cannot open cgroup '%s'", cg->dir[0]);
	return 0;
}

/* Block I/O (io.weight with runc's conversion of the v1 weight, io.max),
 * hugetlb.<size>.max and rdma.max: one write per device or size. */
static int write_io_hugetlb_rdma(struct hull_cgroup *cg, struct hull_err *err)
{
	const struct hull_limits *l = cg->limits;
	char v[160], file[48];
	int ret, n;

	if (l->blkio_weight) {
		snprintf(v, sizeof(v), "default %llu",
			 (unsigned long long)hull_blkio_weight_to_io(l->blkio_weight));
		if ((ret = hull_cg_write(cg->dir[0], "io.weight", v, err)) < 0)
			return ret;
	}
	for (size_t i = 0; i < l->n_io_devs; i++) {
		const struct hull_io_dev *d = &l->io_devs[i];
		if (d->weight) {
			snprintf(v, sizeof(v), "%lld:%lld %llu", (long long)d->major,
				 (long long)d->minor,
				 (unsigned long long)hull_blkio_weight_to_io(d->weight));
			if ((ret = hull_cg_write(cg->dir[0], "io.weight", v, err)) < 0)
				return ret;
		}
		if (!d->rbps && !d->wbps && !d->riops && !d->wiops)
			continue;
		n = snprintf(v, sizeof(v), "%lld:%lld", (long long)d->major, (long long)d->minor);
		const uint64_t vals[] = { d->rbps, d->wbps, d->riops, d->wiops };
		const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
		for (size_t k = 0; k < 4; k++)
			if (vals[k])
				n += snprintf(v + n, sizeof(v) - (size_t)n, " %s=%llu", keys[k],
					      (unsigned long long)vals[k]);
		if ((ret = hull_cg_write(cg->dir[0], "io.max", v, err)) < 0)
			return ret;
	}
	for (size_t i = 0; i < l->n_hugetlb; i++) {
		snprintf(file, sizeof(file), "hugetlb.%s.max", l->hugetlb[i].size);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->hugetlb[i].limit);
		if ((ret = hull_cg_write(cg->dir[0], file, v, err)) < 0)
			return ret;
	}
	for (size_t i = 0; i < l->n_rdma; i++) {
		hull_cg_rdma_line(&l->rdma[i], v, sizeof(v));
		if ((ret = hull_cg_write(cg->dir[0], "rdma.max", v, err)) < 0)
			return ret;
	}
	return 0;
}

/* The limits into an existing cgroup (at create, and for OCI update: what
 * is unset in l is left as it is). */
static int v2_write_limits(struct hull_cgroup *cg, struct hull_err *err)
{
	const struct hull_limits *l = cg->limits;
	char v[64];
	int ret;

	if (l->memory) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory);
		if ((ret = hull_cg_write(cg->dir[0], "memory.max", v, err)) < 0)
			return ret;
		/* v2 counts swap apart from memory; docker's default without
		 * --memory-swap is as much swap as memory. */
		if (l->memory_swap < 0)
			snprintf(v, sizeof(v), "max");
		else
			snprintf(v, sizeof(v), "%lld",
				 (long long)(l->memory_swap ? l->memory_swap - l->memory
							    : l->memory));
		char swap[PATH_MAX + 32];
		snprintf(swap, sizeof(swap), "%s/memory.swap.max", cg->dir[0]);
		if (access(swap, F_OK) == 0 &&
		    (ret = hull_cg_write(cg->dir[0], "memory.swap.max", v, err)) < 0)
			return ret;
	}
	if (l->cpu_quota_us || l->cpu_period_us) {
		char quota[24] = "max";
		if (l->cpu_quota_us)
			snprintf(quota, sizeof(quota), "%llu", (unsigned long long)l->cpu_quota_us);
		snprintf(v, sizeof(v), "%s %llu", quota,
			 (unsigned long long)(l->cpu_period_us ? l->cpu_period_us
							       : HULL_CPU_PERIOD_US));
		if ((ret = hull_cg_write(cg->dir[0], "cpu.max", v, err)) < 0)
			return ret;
	}
	if (l->pids) {
		snprintf(v, sizeof(v), "%lld", (long long)l->pids);
		if ((ret = hull_cg_write(cg->dir[0], "pids.max", v, err)) < 0)
			return ret;
	}
	if (l->cpuset && (ret = hull_cg_write(cg->dir[0], "cpuset.cpus", l->cpuset, err)) < 0)
		return ret;
	if (l->cpuset_mems &&
	    (ret = hull_cg_write(cg->dir[0], "cpuset.mems", l->cpuset_mems, err)) < 0)
		return ret;
	if (l->memory_reservation) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory_reservation);
		if ((ret = hull_cg_write(cg->dir[0], "memory.low", v, err)) < 0)
			return ret;
	}
	if (l->cpu_shares) {
		snprintf(v, sizeof(v), "%llu",
			 (unsigned long long)hull_cpu_shares_to_weight(l->cpu_shares));
		if ((ret = hull_cg_write(cg->dir[0], "cpu.weight", v, err)) < 0)
			return ret;
	}
	if ((ret = write_io_hugetlb_rdma(cg, err)) < 0)
		return ret;
	if (l->n_dev_rules) {
		/* BPF_PROG_ATTACH takes no O_PATH fd. */
		int fd = open(cg->dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return hull_fail(err, errno, "cannot open cgroup '%s'", cg->dir[0]);
		ret = hull_cg_devices_attach_bpf(fd, l->dev_rules, l->n_dev_rules, err);
		close(fd);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* OCI update: a limit the create did not need (kubectl's in-place resize
 * adding a CPU limit) needs its controller enabled for the cgroup first;
 * the parents have no processes of their own, so the kernel allows it. */
static int v2_update(struct hull_cgroup *cg, struct hull_err *err)
{
	char path[PATH_MAX];
	int ret;

	if (!cg->made[0])
		return hull_fail(err, ENOENT, "cannot update: the container has no cgroup");
	if ((ret = v2_check(cg, err)) < 0 ||
	    (ret = enable_down_to_parent(cg, path, sizeof(path), err)) < 0)
		return ret;
	return v2_write_limits(cg, err);
}

static int v2_into_fd(struct hull_cgroup *cg)
{
	return cg->dir_fd;
}

static int v2_attach(struct hull_cgroup *cg, pid_t pid, struct hull_err *err)
{
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	return hull_cg_write(cg->dir[0], "cgroup.procs", v, err);
}

static void v2_stats(struct hull_cgroup *cg, struct hull_cg_stats *st)
{
	char path[PATH_MAX + 32], buf[64];
	unsigned long long usec = 0;

	snprintf(path, sizeof(path), "%s/memory.peak", cg->dir[0]);
	if (hull_read_file(path, buf, sizeof(buf), NULL) > 0)
		st->memory_peak = strtoull(buf, NULL, 10);
	snprintf(path, sizeof(path), "%s/memory.events", cg->dir[0]);
	hull_read_keyed_u64(path, "oom_kill", &st->oom_kills);
	snprintf(path, sizeof(path), "%s/cpu.stat", cg->dir[0]);
	if (hull_read_keyed_u64(path, "usage_usec", &usec) == 0)
		st->cpu_ns = usec * 1000;
}

static int v2_destroy(struct hull_cgroup *cg, struct hull_err *err)
{
	if (!cg->made[0])
		return 0;
	/* cgroup.kill (5.14) kills everything inside at once. */
	if (hull_cg_write(cg->dir[0], "cgroup.kill", "1", NULL) < 0)
		hull_cg_kill_all(cg->dir[0]);
	if (hull_cg_rmdir(cg->dir[0], err) < 0)
		return -EBUSY;
	cg->made[0] = false;
	return 0;
}

const struct hull_cg_backend hull_cg_v2_backend = {
	.name = "v2",
	.check = v2_check,
	.create = v2_create,
	.into_fd = v2_into_fd,
	.attach = v2_attach,
	.stats = v2_stats,
	.update = v2_update,
	.destroy = v2_destroy,
};
