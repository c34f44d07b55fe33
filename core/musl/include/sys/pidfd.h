/* <sys/pidfd.h> for the musl build, which has none (glibc 2.36 has): the
 * functions are in core/musl/compat.h, included first everywhere. */
#ifndef HULL_MUSL_SYS_PIDFD_H
#define HULL_MUSL_SYS_PIDFD_H
#include <fcntl.h>
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
