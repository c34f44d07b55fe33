/* oci_config_load.c — <bundle>/config.json from disk into
 * hull_oci_config_parse (oci_config.c); see oci_config.h. */
#include "oci_config.h"
#include "ns.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An absolute path without '.', '..' or empty components, as engines
 * give the bundle: the state's "bundle" as given, as runc records it (an
 * absolute path, symlinks not resolved), without realpath's readlink of
 * every component and its two PATH_MAX buffers deep in the stack on the
 * way to the clone. Anything else is made absolute by realpath. */
static bool plain_absolute(const char *path)
{
	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return false;
	for (const char *p = path; *p;) {
		p++; /* past the '/' */
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return path[1] == '\0'; /* "/" itself */
		p += n;
	}
	return true;
}

/* The file's text, NUL-terminated, in memory of its own size (at most
 * 1 MiB): a config is a few KiB, which then lie beside the parse's
 * allocations rather than on a page of a static 1 MiB buffer touched for
 * it alone. */
static char *read_text(const char *path, struct hull_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *text = NULL;
	size_t got = 0;

	if (fd < 0) {
		hull_fail(err, errno, "cannot open '%s'", path);
		return NULL;
	}
	if (fstat(fd, &sb) < 0) {
		hull_fail(err, errno, "cannot read '%s'", path);
		goto out;
	}
	if (sb.st_size >= (1 << 20)) {
		hull_fail(err, EFBIG, "cannot read '%s'", path);
		goto out;
	}
	if (!(text = malloc((size_t)sb.st_size + 1))) {
		hull_fail(err, ENOMEM, "cannot read '%s'", path);
		goto out;
	}
	/* To the end of what fstat saw; a file that grows meanwhile is read
	 * as it was. */
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, text + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hull_fail(err, errno, "cannot read '%s'", path);
			free(text);
			text = NULL;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	text[got] = '\0';
out:
	close(fd);
	return text;
}

int hull_oci_config_load(const char *bundle, struct hull_oci_config *cfg, struct hull_spec *spec,
			 struct hull_err *err)
{
	char *path = NULL, *text = NULL,
	     *abs = plain_absolute(bundle) ? strdup(bundle) : realpath(bundle, NULL);
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!abs)
		return hull_fail(err, errno, "cannot use bundle '%s'", bundle);
	if (asprintf(&path, "%s/config.json", abs) < 0) {
		path = NULL;
		ret = hull_fail(err, ENOMEM, "cannot use bundle '%s'", bundle);
	} else if (!(text = read_text(path, err))) {
		ret = -1;
	} else {
		ret = hull_oci_config_parse(text, abs, cfg, spec, err);
	}
	free(text);
	free(path);
	free(abs);
	return ret;
}

/* The ids as a set: sorted, without repeats. */
static size_t id_set(gid_t *g, size_t n)
{
	size_t out = 0;

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && g[j - 1] > g[j]; j--) {
			gid_t t = g[j];
			g[j] = g[j - 1];
			g[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		if (out == 0 || g[out - 1] != g[i])
			g[out++] = g[i];
	return out;
}

void hull_oci_skip_noop_user_switch(struct hull_spec *spec)
{
	gid_t want[HULL_MAX_GROUPS + 1], have[HULL_MAX_GROUPS + 2];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	size_t n_want = 0;

	if (!spec->user.set || (spec->ns_flags & CLONE_NEWUSER))
		return;
	for (size_t i = 0; i < hull_ns_count && i < HULL_NS_SLOTS; i++)
		if (hull_ns_table[i].flag == CLONE_NEWUSER && spec->ns_paths[i])
			return;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != spec->user.uid ||
	    eu != ru || su != ru || rg != spec->user.gid || eg != rg || sg != rg)
		return;
	/* What hull_user_switch would set: the gid and additionalGids. */
	want[n_want++] = spec->user.gid;
	for (size_t i = 0; i < spec->user.n_groups && i < HULL_MAX_GROUPS; i++)
		want[n_want++] = spec->user.groups[i];
	int n_have = getgroups(HULL_MAX_GROUPS + 1, have);
	if (n_have < 0)
		return;
	/* The groups a process is a member of: its gid whether or not the
	 * list repeats it (access checks and id(1) see the same). */
	have[n_have++] = spec->user.gid;
	n_want = id_set(want, n_want);
	if (id_set(have, (size_t)n_have) != n_want || memcmp(want, have, n_want * sizeof(gid_t)))
		return;
	spec->user.set = false;
	spec->user.keep_groups = true;
}
