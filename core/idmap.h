/* idmap.h — uid/gid maps of a new user namespace, written by the parent.
 * For now container root maps to the user who started hull (unshare -r's
 * mapping); a wider subordinate range comes with the security work. */
#ifndef HULL_IDMAP_H
#define HULL_IDMAP_H

#include "error.h"

#include <sys/types.h>

int hull_idmap_write(pid_t pid, uid_t host_uid, gid_t host_gid, struct hull_err *err);

#endif
