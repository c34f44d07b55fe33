/* isolate_priv.h — what the verifier's own files (isolate_host.c,
 * isolate_mounts.c, isolate_run.c) share and nobody else needs: bounded
 * string helpers and the host's mount table, read to find what a container
 * left mounted on the host and to detach it. Not part of isolate.h. */
#ifndef HH_ISOLATE_PRIV_H
#define HH_ISOLATE_PRIV_H

#include "isolate.h"
#include "paths.h"

#include <linux/limits.h> /* PATH_MAX */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ---- the host's mount table (isolate_mounts.c) ------------------------- */

struct mount_ent {
	char mnt[PATH_MAX];
	char src[256];
	bool shared;
};

/* Call fn for every host mount, in mountinfo order (parents first). */
void hh_iso_for_each_mount(void (*fn)(const struct mount_ent *, void *), void *arg);

/* path is dir or below it. */
bool hh_iso_under(const char *path, const char *dir);

struct mount_list {
	char **v;
	size_t n, cap;
};

void hh_iso_list_free(char **v, size_t n);

/* Which host mounts belong to a run: its token's tmpfs, and (sweep) any
 * mount under the rootfs that was not there at setup, or any token of
 * ours. Collected first, detached afterwards, children before parents. */
struct leak_scan {
	const struct hh_iso_host *h;
	const char *token; /* this run's; NULL in a sweep */
	bool sweep;	   /* also new mounts under the rootfs */
	struct mount_list found;
	char token_at[256];
	int new_mounts;
	char first_new[256];
};

/* hh_iso_for_each_mount callback, arg a struct leak_scan. */
void hh_iso_scan_leak(const struct mount_ent *m, void *arg);
/* Detach every mount in l (last first), remove the probe's mountpoints
 * among them, and empty l. */
void hh_iso_detach_all(struct mount_list *l, const char *token_prefix);

/* Is path on a shared mount (the longest mount point above it), and which
 * mounts lie below it. */
struct shared_scan {
	const char *path;
	size_t best;
	bool shared;
	struct mount_list below;
};

/* hh_iso_for_each_mount callback, arg a struct shared_scan. */
void hh_iso_scan_shared(const struct mount_ent *m, void *arg);

#endif
