/* cwd_swap.h — start the container process in its rootfs.
 *
 * A new mount namespace is a copy of the creator's, and the copy carries
 * the working directory along. So hull, still real root, steps into the
 * rootfs just for the clone: the child then starts in the rootfs in its own
 * namespace and never walks the rootfs's path, which the mapped root of a
 * user namespace may not search (a checkout below /root, mode 0700). hull
 * returns to its own working directory right after the clone. */
#ifndef HULL_CWD_SWAP_H
#define HULL_CWD_SWAP_H

#include "error.h"

/* chdir to dir; *home gets a descriptor of the working directory before. */
int hull_cwd_enter(const char *dir, int *home, struct hull_err *err);
/* Back to home, and close it. */
int hull_cwd_return(int home, struct hull_err *err);

#endif
