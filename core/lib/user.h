/* user.h — who the command runs as: --user UID[:GID] inside the container,
 * and the uid/gid maps of a user namespace (--uidmap/--gidmap). */
#ifndef HULL_USER_H
#define HULL_USER_H

#include "error.h"

#include <stdbool.h>
#include <sys/types.h>

#define HULL_MAX_GROUPS 64

struct hull_user {
	bool set;
	uid_t uid;
	gid_t gid;
	gid_t groups[HULL_MAX_GROUPS]; /* supplementary groups beyond gid (OCI) */
	size_t n_groups;
	/* Not set: the caller's supplementary groups are already the ones
	 * wanted (hull_oci_skip_noop_user_switch), so they stay. Otherwise a
	 * container without a user keeps none of them. */
	bool keep_groups;
};

/* One line of uid_map/gid_map: container id, host id, count. */
struct hull_idmap {
	bool set;
	unsigned long inside, outside, count;
};

#define HULL_SUBID_DEFAULT_START 100000
#define HULL_SUBID_DEFAULT_COUNT 65536

/* "1000" or "1000:1000" (numeric ids). */
int hull_user_parse(const char *s, struct hull_user *user, struct hull_err *err);

/* "0:100000:65536". */
int hull_idmap_parse(const char *s, struct hull_idmap *map, struct hull_err *err);

/* The default map for a user namespace: as root, container root to an
 * unprivileged range (the first /etc/subuid or /etc/subgid entry of root,
 * else 100000, 65536 wide); as another user, container root to that user
 * only, the one mapping an unprivileged process may write itself. */
void hull_idmap_default(const char *subid_file, uid_t euid, unsigned long own_id,
			struct hull_idmap *map);

/* In the child: supplementary groups, gid, uid. Without a user, only
 * the supplementary groups go (the host's `disk` or `docker` group of the
 * caller must not follow it into the container), unless keep_groups. */
int hull_user_switch(const struct hull_user *user, struct hull_err *err);

#endif
