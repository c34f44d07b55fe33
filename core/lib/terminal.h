/* terminal.h — process.terminal: a pseudo-terminal for the container's
 * command, its master handed to the engine over --console-socket.
 *
 * As crun does, the pair is made inside the container (after the root
 * switch, or for hull exec after joining the mount namespace), so the
 * slave is one of the container's own /dev/pts entries. The unix socket is
 * connected before that, while its path is still the host's; the master
 * goes over it with SCM_RIGHTS, and the slave becomes the command's
 * controlling terminal (setsid + TIOCSCTTY) and its stdin, stdout and
 * stderr. */
#ifndef HULL_TERMINAL_H
#define HULL_TERMINAL_H

#include "error.h"

/* Connect to the engine's console socket; returns the fd (O_CLOEXEC). */
int hull_console_connect(const char *path, struct hull_err *err);

/* In the container: open a pty pair from /dev/ptmx, send the master over
 * sock, close it and sock, make the slave the controlling terminal and
 * fds 0-2. */
int hull_console_setup(int sock, struct hull_err *err);

/* Send fd over a connected unix socket (SCM_RIGHTS), with name as data. */
int hull_send_fd(int sock, int fd, const char *name, struct hull_err *err);

#endif
