/* user.c — --user, --uidmap/--gidmap parsing and the switch; see user.h. */
#include "user.h"
#include "fileio.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_id(const char *s, const char *end, unsigned long *out)
{
	char *stop;
	if (s == end || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &stop, 10);
	if (errno || stop != end || v > 4294967294ul)
		return -EINVAL;
	*out = v;
	return 0;
}

int hull_user_parse(const char *s, struct hull_user *user, struct hull_err *err)
{
	const char *colon = strchr(s, ':');
	const char *end = s + strlen(s);
	unsigned long uid, gid;

	if (parse_id(s, colon ? colon : end, &uid) < 0 ||
	    (colon && parse_id(colon + 1, end, &gid) < 0))
		return hull_fail(err, 0, "invalid user '%s' (expected UID or UID:GID)", s);
	user->set = true;
	user->uid = (uid_t)uid;
	user->gid = (gid_t)(colon ? gid : uid);
	return 0;
}

int hull_idmap_parse(const char *s, struct hull_idmap *map, struct hull_err *err)
{
	const char *a = strchr(s, ':');
	const char *b = a ? strchr(a + 1, ':') : NULL;

	if (!a || !b || parse_id(s, a, &map->inside) < 0 || parse_id(a + 1, b, &map->outside) < 0 ||
	    parse_id(b + 1, s + strlen(s), &map->count) < 0 || map->count == 0)
		return hull_fail(err, 0, "invalid id map '%s' (expected INSIDE:OUTSIDE:COUNT)", s);
	map->set = true;
	return 0;
}

void hull_idmap_default(const char *subid_file, uid_t euid, unsigned long own_id,
			struct hull_idmap *map)
{
	char buf[4096];

	map->set = true;
	map->inside = 0;
	if (euid != 0) {
		map->outside = own_id;
		map->count = 1;
		return;
	}
	map->outside = HULL_SUBID_DEFAULT_START;
	map->count = HULL_SUBID_DEFAULT_COUNT;
	if (!subid_file || hull_read_file(subid_file, buf, sizeof(buf), NULL) <= 0)
		return;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long start, count;
		if ((strncmp(line, "root:", 5) == 0 || strncmp(line, "0:", 2) == 0) &&
		    sscanf(strchr(line, ':') + 1, "%lu:%lu", &start, &count) == 2 && count > 0) {
			map->outside = start;
			map->count = count;
			return;
		}
	}
}

int hull_user_switch(const struct hull_user *user, struct hull_err *err)
{
	if (!user->set) {
		/* EPERM: a user namespace whose setgroups is denied (a
		 * rootless hull): the groups are the caller's own, and no
		 * process in it can drop them. */
		if (!user->keep_groups && setgroups(0, NULL) < 0 && errno != EPERM)
			return hull_fail(err, errno, "cannot drop the supplementary groups");
		return 0;
	}
	gid_t groups[HULL_MAX_GROUPS + 1] = { user->gid };
	size_t n = 1;
	for (size_t i = 0; i < user->n_groups && i < HULL_MAX_GROUPS; i++)
		groups[n++] = user->groups[i];
	if (setgroups(n, groups) < 0)
		return hull_fail(err, errno, "cannot set groups to '%u'", (unsigned)user->gid);
	if (setgid(user->gid) < 0)
		return hull_fail(err, errno, "cannot set gid '%u'", (unsigned)user->gid);
	if (setuid(user->uid) < 0)
		return hull_fail(err, errno, "cannot set uid '%u'", (unsigned)user->uid);
	return 0;
}
