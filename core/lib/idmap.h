/* idmap.h — writing the uid/gid maps of a new user namespace, done by the
 * parent while the child waits on the sync pipe. */
#ifndef HULL_IDMAP_H
#define HULL_IDMAP_H

#include "error.h"
#include "user.h"

#include <sys/types.h>

int hull_idmap_write(pid_t pid, const struct hull_idmap *uidmap, const struct hull_idmap *gidmap,
		     struct hull_err *err);

#endif
