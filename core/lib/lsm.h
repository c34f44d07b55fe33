/* lsm.h — whether the host enforces a Linux security module that an OCI
 * label names (AppArmor for process.apparmorProfile, SELinux for
 * process.selinuxLabel and linux.mountLabel). runc and crun accept such a
 * label and do nothing with it where the module is not enabled; hull does
 * the same, and refuses the label by name where the module is enabled
 * (it cannot apply one yet). */
#ifndef HULL_LSM_H
#define HULL_LSM_H

#include <stdbool.h>

enum hull_lsm {
	HULL_LSM_APPARMOR,
	HULL_LSM_SELINUX,
};

/* sys_root: "/sys" on a real host (tests pass a directory of their own).
 * AppArmor: securityfs has an apparmor directory and the module's
 * "enabled" parameter reads Y (runc's test); SELinux: selinuxfs is mounted
 * at <sys_root>/fs/selinux (its "enforce" file exists). */
bool hull_lsm_enabled_at(const char *sys_root, enum hull_lsm lsm);
bool hull_lsm_enabled(enum hull_lsm lsm);

const char *hull_lsm_name(enum hull_lsm lsm);

#endif
