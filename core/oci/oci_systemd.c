/* oci_systemd.c — systemd's "slice:prefix:name" cgroup paths; see
 * oci_systemd.h. */
#include "oci_systemd.h"

#include <errno.h>
#include <limits.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool hull_oci_systemd_booted_at(const char *run_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/systemd/system", run_dir);
	return access(path, F_OK) == 0;
}

bool hull_oci_systemd_booted(void)
{
	return hull_oci_systemd_booted_at("/run");
}

static bool unit_word_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\0' || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
	return true;
}

/* systemd's slice naming: "a-b-c.slice" lives at a.slice/a-b.slice/a-b-c.slice
 * (each dash one level down); "-.slice" is the root. */
static int expand_slice(const char *slice, size_t n, char **out, struct hull_err *err)
{
	static const char suffix[] = ".slice";
	size_t base = n - (sizeof(suffix) - 1);
	char *buf;

	if (n == 7 && strncmp(slice, "-.slice", 7) == 0)
		return (*out = strdup("")) ? 0 : -ENOMEM;
	if (n <= sizeof(suffix) - 1 || strncmp(slice + base, suffix, sizeof(suffix) - 1) != 0 ||
	    !unit_word_ok(slice, n) || slice[0] == '-' || slice[base - 1] == '-' ||
	    memmem(slice, base, "--", 2))
		return hull_fail(err, 0, "invalid systemd slice '%.*s' in linux.cgroupsPath",
				 (int)n, slice);
	/* Every dash adds a level: at most base levels of base+6 bytes. */
	buf = malloc((base + 1) * (base + sizeof(suffix) + 1) + 1);
	if (!buf)
		return -ENOMEM;
	size_t len = 0;
	for (size_t i = 0; i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		len += (size_t)sprintf(buf + len, "%s%.*s%s", len ? "/" : "", (int)i, slice,
				       suffix);
	}
	*out = buf;
	return 0;
}

int hull_oci_systemd_path(const char *cgroups_path, const char *id, char **parent, char **name,
			  struct hull_err *err)
{
	char *fallback = NULL;
	int ret;

	*parent = *name = NULL;
	if (!cgroups_path || !cgroups_path[0]) {
		if (asprintf(&fallback, "system.slice:hull:%s", id) < 0)
			return hull_fail(err, ENOMEM, "cannot name the cgroup of '%s'", id);
		cgroups_path = fallback;
	}
	const char *c1 = strchr(cgroups_path, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || !c2[1] || !unit_word_ok(c1 + 1, (size_t)(c2 - c1 - 1)) ||
	    !unit_word_ok(c2 + 1, strlen(c2 + 1))) {
		ret = hull_fail(err, 0,
				"invalid linux.cgroupsPath '%s' with --systemd-cgroup "
				"(slice:prefix:name)",
				cgroups_path);
		goto out;
	}
	size_t slice_len = (size_t)(c1 - cgroups_path);
	ret = slice_len ? expand_slice(cgroups_path, slice_len, parent, err)
			: ((*parent = strdup("system.slice")) ? 0 : -ENOMEM);
	if (ret < 0)
		goto out;
	size_t prefix_len = (size_t)(c2 - c1 - 1);
	size_t nlen = strlen(c2 + 1);
	if (nlen > 6 && strcmp(c2 + 1 + nlen - 6, ".slice") == 0)
		ret = (*name = strdup(c2 + 1)) ? 0 : -ENOMEM;
	else if (asprintf(name, "%.*s%s%s.scope", (int)prefix_len, c1 + 1, prefix_len ? "-" : "",
			  c2 + 1) < 0)
		ret = -ENOMEM;
out:
	if (ret == -ENOMEM)
		ret = hull_fail(err, ENOMEM, "cannot name the cgroup of '%s'", id);
	if (ret < 0) {
		free(*parent);
		free(*name);
		*parent = *name = NULL;
	}
	free(fallback);
	return ret;
}
