/* cgroup_owner.h — the proof that hull made a cgroup.
 *
 * hull removes or kills only what it can prove it created: its exact name
 * pattern *and* a marker it wrote. No file can be created inside a cgroup,
 * so the marker is the user xattr user.hull.owner on the directory, set
 * right after hull's own mkdir (cgroupfs keeps user xattrs on v1 and v2
 * since Linux 5.7). It lives and dies with the directory, so a reused name
 * or a stale record cannot fool it. Its value says who may remove it:
 *
 *   "run <pid>-<start>"  a `hull run` cgroup named after that hull process;
 *                        once the process is gone, `hull gc` may collect it
 *   "named <name>"       a cgroup the caller named (OCI cgroupsPath): only
 *                        that container's own lifecycle removes it
 *
 * A directory without the marker, or with another value, is never touched.
 *
 * Between hull run's mkdir and its setxattr a SIGKILL would leave a
 * directory without the marker that nothing could ever collect. So before
 * its first mkdir a run writes an intent record, HULL_CG_INTENT_DIR/<name>
 * holding the parent, and removes it once every directory is marked: a
 * directory of that exact name under that parent, unmarked, whose run died
 * with its record still there, is the killed run's own. */
#ifndef HULL_CGROUP_OWNER_H
#define HULL_CGROUP_OWNER_H

#include <stdbool.h>
#include <stddef.h>

#define HULL_CG_OWNER_XATTR "user.hull.owner"
#define HULL_CG_INTENT_DIR  "/run/hull/cgroups"

/* The marker value of a cgroup called name (run: named after a hull run). */
void hull_cg_owner_value(const char *name, bool run, char *buf, size_t len);

/* Mark dir as hull's: 0, or -errno (-EOPNOTSUPP: no user xattrs here). */
int hull_cg_owner_mark(const char *dir, const char *value);

/* 1: dir carries exactly value; 0: it does not (no marker, another value,
 * gone); -EOPNOTSUPP: this kernel's cgroupfs cannot say. */
int hull_cg_owner_check(const char *dir, const char *value);

/* Whether dir carries any hull marker at all. */
bool hull_cg_has_owner(const char *dir);

/* Whether name is exactly "<pid>-<start>" (hull run's pattern), with both
 * numbers parsed into pid and start. */
bool hull_cg_run_name(const char *name, long *pid, unsigned long long *start);

/* Record that the run called name is about to create cgroups under parent:
 * 0, or -errno (then the caller goes on without one: a directory it
 * leaves unmarked stays behind, it is not taken for someone else's). */
int hull_cg_intent_begin(const char *name, const char *parent);

/* Every directory is marked (or removed): drop the record. */
void hull_cg_intent_end(const char *name);

/* The parent the record for name names, into buf: 0 or -errno. */
int hull_cg_intent_parent(const char *name, char *buf, size_t len);

/* Whether the record for name exists and names parent. */
bool hull_cg_intent_for(const char *name, const char *parent);

#endif
