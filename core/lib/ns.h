/* ns.h — the one namespace table: names, clone flags, /proc/<pid>/ns entries.
 * The CLI, the harness and the tests all read it, so a namespace is spelled
 * the same everywhere: mnt uts pid ipc net user cgroup time. */
#ifndef HULL_NS_H
#define HULL_NS_H

#include "error.h"

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct hull_ns {
	const char *name;      /* "mnt" */
	uint64_t flag;	       /* CLONE_NEWNS */
	const char *proc_name; /* "mnt", as in /proc/<pid>/ns/mnt */
};

extern const struct hull_ns hull_ns_table[];
extern const size_t hull_ns_count;

/* The default set: mnt,uts,pid,ipc,net. */
#define HULL_NS_DEFAULT (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET)
#define HULL_NS_ALL	(HULL_NS_DEFAULT | CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Parse "mnt,uts", "all" or "none" into clone flags. */
int hull_ns_parse_list(const char *list, uint64_t *flags, struct hull_err *err);

/* Write flags as a comma-separated list ("none" when empty) into buf. */
void hull_ns_format(uint64_t flags, char *buf, size_t len);

const struct hull_ns *hull_ns_by_name(const char *name);
const struct hull_ns *hull_ns_by_flag(uint64_t flag);

#endif
