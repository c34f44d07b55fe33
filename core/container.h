/* container.h — one container start, from a validated spec to the command's
 * exit. This is the whole path; container.c reads top-down as its phases. */
#ifndef HULL_CONTAINER_H
#define HULL_CONTAINER_H

#include "error.h"
#include "spec.h"

/* Run spec's command in a new container and wait for it. On success returns
 * 0 and sets *exit_status (the command's status, 128+N for signal N). On
 * failure returns < 0 with err set; err->exit_code is 125, or 126/127 when
 * the command could not be executed. */
int hull_run(const struct hull_spec *spec, int *exit_status, struct hull_err *err);

#endif
