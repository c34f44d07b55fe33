/* settings.h — per-container kernel settings of an OCI config.json:
 * resource limits (setrlimit) and namespaced sysctls (/proc/sys). */
#ifndef HULL_SETTINGS_H
#define HULL_SETTINGS_H

#include "error.h"
#include "spec.h"

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, or -1. */
int hull_rlimit_by_name(const char *name);

int hull_rlimits_apply(const struct hull_rlimit *r, size_t n, struct hull_err *err);

/* Write each key under "proc/sys/" relative to the cwd (the rootfs, with
 * the container's /proc mounted): "net.ipv4.ip_forward" ->
 * proc/sys/net/ipv4/ip_forward. */
int hull_sysctls_apply(const struct hull_sysctl *s, size_t n, struct hull_err *err);

/* Whether key is namespaced by one of the namespaces in ns_flags (net.*
 * by net; kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* by ipc;
 * kernel.hostname and kernel.domainname by uts). */
bool hull_sysctl_allowed(const char *key, uint64_t ns_flags);

#endif
