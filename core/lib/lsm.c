/* lsm.c — is AppArmor or SELinux enabled on this host; see lsm.h. */
#include "lsm.h"
#include "fileio.h"

#include <limits.h>
#include <linux/limits.h>
#include <stdio.h>
#include <unistd.h>

bool hull_lsm_enabled_at(const char *sys_root, enum hull_lsm lsm)
{
	char path[PATH_MAX], buf[8];

	switch (lsm) {
	case HULL_LSM_APPARMOR:
		snprintf(path, sizeof(path), "%s/kernel/security/apparmor", sys_root);
		if (access(path, F_OK) != 0)
			return false;
		snprintf(path, sizeof(path), "%s/module/apparmor/parameters/enabled", sys_root);
		return hull_read_file(path, buf, sizeof(buf), NULL) > 0 && buf[0] == 'Y';
	case HULL_LSM_SELINUX:
		snprintf(path, sizeof(path), "%s/fs/selinux/enforce", sys_root);
		return access(path, F_OK) == 0;
	}
	return false;
}

bool hull_lsm_enabled(enum hull_lsm lsm)
{
	return hull_lsm_enabled_at("/sys", lsm);
}

const char *hull_lsm_name(enum hull_lsm lsm)
{
	return lsm == HULL_LSM_APPARMOR ? "AppArmor" : "SELinux";
}
