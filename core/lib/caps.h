/* caps.h — the container's capabilities.
 *
 * By default the command keeps only docker's 14 default capabilities in
 * every set (bounding, permitted, effective, inheritable; ambient cleared);
 * --cap-add / --cap-drop adjust the set. Names are parsed with Debian's
 * libcap ("net_admin", "CAP_NET_ADMIN", "ALL"), and the sets are applied
 * with it too, so hull never hand-encodes capability numbers. */
#ifndef HULL_CAPS_H
#define HULL_CAPS_H

#include "error.h"

#include <stdint.h>

/* One bit per capability number (CAP_LAST_CAP < 64). */
typedef uint64_t hull_capset;

hull_capset hull_caps_default(void);
hull_capset hull_caps_all(void);

/* Apply "--cap-add NAME" (add=1) or "--cap-drop NAME" to *set. */
int hull_caps_edit(hull_capset *set, const char *name, int add, struct hull_err *err);

/* "cap_chown,cap_kill,..." (lowercase libcap names), for -v and tests. */
void hull_caps_format(hull_capset set, char *buf, unsigned len);

/* Drop every capability outside set from the bounding set and clear the
 * ambient set. Done while still privileged, before switching user. */
int hull_caps_drop_bounding(hull_capset set, struct hull_err *err);

/* Permitted, effective and inheritable := set (root), or empty for a
 * non-root user, as docker does. */
int hull_caps_apply(hull_capset set, int keep, struct hull_err *err);

/* Raise each capability of set into the ambient set (it must be permitted
 * and inheritable already), so it survives the exec of a non-setuid
 * program. Empty by default; OCI configs ask for it. */
int hull_caps_raise_ambient(hull_capset set, struct hull_err *err);

#endif
