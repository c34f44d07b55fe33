/* oci_systemd.h — `--systemd-cgroup`: the engine (containerd with
 * SystemdCgroup = true, CRI-O's and podman's systemd cgroup manager) asks
 * for the container's cgroup as a systemd unit, its linux.cgroupsPath as
 * "slice:prefix:name".
 *
 * Where systemd is the init (/run/systemd/system exists, sd_booted's test)
 * honouring it means a transient scope over D-Bus, which hull does not do
 * yet: every verb refuses the flag there, so an engine never believes
 * systemd owns cgroups that hull wrote behind its back. Where systemd does
 * not run, there is nobody to ask: hull accepts the flag and makes the
 * cgroup at the path systemd would have given the unit (the slice
 * expanded, "system.slice/prefix-name.scope"), which is where the engine
 * and the kubelet look for it. */
#ifndef HULL_OCI_SYSTEMD_H
#define HULL_OCI_SYSTEMD_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether systemd is the init; run_dir is "/run" on a real host. */
bool hull_oci_systemd_booted_at(const char *run_dir);
bool hull_oci_systemd_booted(void);

/* "kubepods-besteffort.slice:cri-containerd:ID" -> parent
 * "kubepods.slice/kubepods-besteffort.slice", name "cri-containerd-ID.scope";
 * an empty slice is "system.slice", "-.slice" the root; a NULL or empty
 * path is "system.slice:hull:<id>". A name ending in ".slice" is itself the
 * unit (as runc). parent and name are malloc'ed. */
int hull_oci_systemd_path(const char *cgroups_path, const char *id, char **parent, char **name,
			  struct hull_err *err);

#endif
