/* net_alloc.c — addresses unique across concurrent hull runs; see net.h.
 *
 * Layout: <state>/netns-<inode of the caller's net namespace>/ holds a
 * "lock" file (flock) and one record per allocated block, named by its
 * first address, holding "<pid> <start time> <prefix>" of the hull that
 * owns it. Keyed by the net namespace because addresses only have to be
 * unique where the links live: two tests in two namespaces may both use
 * 198.18.0.2. An owner whose pid is gone, or now belongs to a process with
 * another start time, is dead: its record may be taken back. */
#include "net.h"
#include "fileio.h"
#include "util.h"
#include "net_cni.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lock a namespace directory; returns the locked fd. A directory that gc
 * emptied and removed meanwhile is made again. */
static int lock_dir(const char *dir, struct hull_err *err)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/lock", dir);
	for (int tries = 0; tries < 8; tries++) {
		if ((ret = hull_mkdir_p(dir, 0700, err)) < 0)
			return ret;
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 && errno == ENOENT)
			continue; /* gc removed the directory just now */
		if (fd < 0)
			return hull_fail(err, errno, "cannot open '%s'", path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				close(fd);
				return hull_fail(err, errno, "cannot lock '%s'", path);
			}
		}
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd); /* unlinked by gc between open and flock: again */
	}
	return hull_fail(err, EAGAIN, "cannot lock '%s'", path);
}

struct record {
	uint32_t base;
	int prefix;
};

static bool owner_alive(const char *path)
{
	char buf[128];
	int pid = 0, prefix = 0;
	unsigned long long start = 0;

	if (hull_read_file(path, buf, sizeof(buf), NULL) <= 0 ||
	    sscanf(buf, "%d %llu %d", &pid, &start, &prefix) != 3 || pid <= 0)
		return false;
	return hull_proc_start_time(pid, false) == start;
}

/* The live records of dir; dead ones are removed on the way (the caller
 * holds the lock). Returns the count, or < 0. */
static int read_records(const char *dir, struct record **out, int *removed, struct hull_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct record *recs = NULL;
	int n = 0, cap = 0;

	if (!d)
		return hull_fail(err, errno, "cannot read '%s'", dir);
	while ((de = readdir(d))) {
		char path[PATH_MAX], buf[128];
		uint32_t base;
		int pid, prefix;
		unsigned long long start;

		if (hull_net_parse_ipv4(de->d_name, &base, NULL) < 0)
			continue; /* ".", "..", "lock" */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!owner_alive(path)) {
			if (unlink(path) == 0 && removed)
				(*removed)++;
			continue;
		}
		if (hull_read_file(path, buf, sizeof(buf), NULL) <= 0 ||
		    sscanf(buf, "%d %llu %d", &pid, &start, &prefix) != 3)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct record *r = realloc(recs, (size_t)cap * sizeof(*recs));
			if (!r) {
				free(recs);
				closedir(d);
				return hull_fail(err, ENOMEM, "cannot read '%s'", dir);
			}
			recs = r;
		}
		recs[n++] = (struct record){ base, prefix };
	}
	closedir(d);
	*out = recs;
	return n;
}

static bool overlaps(uint32_t base, int prefix, const struct record *recs, int n)
{
	uint64_t end = (uint64_t)base + (1ull << (32 - prefix));
	for (int i = 0; i < n; i++) {
		uint64_t rb = recs[i].base, re = rb + (1ull << (32 - recs[i].prefix));
		if (rb < end && base < re)
			return true;
	}
	return false;
}

static int netns_dir(const char *state_dir, char *dir, size_t len, struct hull_err *err)
{
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0)
		return hull_fail(err, errno, "cannot read '/proc/self/ns/net'");
	snprintf(dir, len, "%s/netns-%llu", state_dir, (unsigned long long)st.st_ino);
	return 0;
}

/* Whether a block can be handed out at all: inside the pool, clear of
 * the pool's network and broadcast addresses and of reserved. */
static bool block_usable(struct hull_net_cidr pool, uint32_t base, int block_prefix,
			 uint32_t reserved)
{
	uint64_t size = 1ull << (32 - block_prefix);
	uint64_t last = (uint64_t)pool.addr + (1ull << (32 - pool.prefix)) - 1;
	if (!hull_net_cidr_contains(pool, base) || base + size - 1 > last)
		return false;
	if (block_prefix == 32 && (base == pool.addr || base == last))
		return false;
	return !(reserved && reserved >= base && reserved <= base + size - 1);
}

int hull_net_alloc(const char *state_dir, struct hull_net_cidr pool, int block_prefix,
		   uint32_t want, uint32_t reserved, struct hull_net_lease *lease,
		   struct hull_err *err)
{
	char dir[PATH_MAX - 32], text[96], ip[16];
	struct record *recs = NULL;
	uint32_t mask = block_prefix ? ~0u << (32 - block_prefix) : 0;
	uint64_t step = 1ull << (32 - block_prefix);
	uint64_t end = (uint64_t)pool.addr + (1ull << (32 - pool.prefix));
	int ret, fd, n;
	bool found = false;
	uint32_t base = 0;

	memset(lease, 0, sizeof(*lease));
	if (block_prefix < pool.prefix || block_prefix > 32)
		return hull_fail(err, EINVAL, "block /%d does not fit the pool /%d", block_prefix,
				 pool.prefix);
	if ((ret = netns_dir(state_dir, dir, sizeof(dir), err)) < 0)
		return ret;
	if ((fd = lock_dir(dir, err)) < 0)
		return fd;
	if ((n = read_records(dir, &recs, NULL, err)) < 0) {
		close(fd);
		return n;
	}
	if (want) {
		base = want & mask;
		hull_net_format_ipv4(want, ip, sizeof(ip));
		if (!block_usable(pool, base, block_prefix, reserved))
			ret = hull_fail(err, 0, "address '%s' cannot be allocated in this subnet",
					ip);
		else if (overlaps(base, block_prefix, recs, n))
			ret = hull_fail(err, EADDRINUSE, "address '%s' is in use", ip);
		else
			found = true;
	} else {
		for (uint64_t b = pool.addr; b < end && !found; b += step)
			if (block_usable(pool, (uint32_t)b, block_prefix, reserved) &&
			    !overlaps((uint32_t)b, block_prefix, recs, n)) {
				base = (uint32_t)b;
				found = true;
			}
		if (!found)
			ret = hull_fail(err, ENOSPC, "no free address left in the subnet");
	}
	free(recs);
	if (found) {
		hull_net_format_ipv4(base, ip, sizeof(ip));
		snprintf(lease->path, sizeof(lease->path), "%s/%s", dir, ip);
		snprintf(text, sizeof(text), "%d %llu %d\n", (int)getpid(),
			 hull_proc_start_time(0, false), block_prefix);
		ret = hull_write_file(lease->path, text, 1, err);
		if (ret == 0) {
			lease->base = base;
			lease->prefix = block_prefix;
			lease->held = true;
		} else {
			unlink(lease->path); /* a full disk: no empty record left */
		}
	}
	close(fd); /* drops the lock */
	return ret;
}

/* Under the lock: the namespace's directory goes once it holds no
 * record, so thousands of short-lived namespaces (tests) leave nothing. A
 * waiter on the old lock sees it unlinked and starts over (lock_dir). */
static void remove_if_empty(const char *dir, int *removed)
{
	char lock[PATH_MAX + 8];
	struct record *recs = NULL;
	int n = read_records(dir, &recs, removed, NULL);

	free(recs);
	if (n != 0)
		return;
	snprintf(lock, sizeof(lock), "%s/lock", dir);
	unlink(lock);
	rmdir(dir);
}

void hull_net_release(struct hull_net_lease *lease)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	if (!lease->held)
		return;
	lease->held = false;
	snprintf(dir, sizeof(dir), "%s", lease->path);
	slash = strrchr(dir, '/');
	if (!slash) {
		unlink(lease->path);
		return;
	}
	*slash = '\0';
	fd = lock_dir(dir, NULL);
	unlink(lease->path);
	if (fd >= 0) {
		remove_if_empty(dir, NULL);
		close(fd);
	}
}

int hull_net_gc(const char *state_dir, struct hull_err *err)
{
	int removed = hull_cni_gc(state_dir);
	DIR *d = opendir(state_dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? removed
				       : hull_fail(err, errno, "cannot read '%s'", state_dir);
	while ((de = readdir(d))) {
		char dir[PATH_MAX - 32];
		if (strncmp(de->d_name, "netns-", 6) != 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", state_dir, de->d_name);
		int fd = lock_dir(dir, NULL);
		if (fd < 0)
			continue;
		remove_if_empty(dir, &removed);
		close(fd);
	}
	closedir(d);
	return removed;
}
