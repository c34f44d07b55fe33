/* isolate_mounts.c — the verifier's reading of the host's mount table
 * (/proc/self/mountinfo): the probe's tmpfs by its token, mounts new under
 * the rootfs, whether the rootfs propagates; and detaching what a run
 * left. See isolate_priv.h. */
#include "isolate_priv.h"

#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Call fn for every host mount, in mountinfo order (parents first). */
void hh_iso_for_each_mount(void (*fn)(const struct mount_ent *, void *), void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[8192];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct mount_ent m = { 0 };
		char *fields[32], *save = NULL;
		int nf = 0;
		for (char *t = strtok_r(line, " \n", &save); t && nf < 32;
		     t = strtok_r(NULL, " \n", &save))
			fields[nf++] = t;
		if (nf < 7)
			continue;
		int i = 6;
		for (; i < nf && strcmp(fields[i], "-") != 0; i++)
			if (strncmp(fields[i], "shared:", 7) == 0)
				m.shared = true;
		if (i + 2 >= nf)
			continue;
		snprintf(m.mnt, sizeof(m.mnt), "%s", fields[4]);
		snprintf(m.src, sizeof(m.src), "%s", fields[i + 2]);
		unescape(m.mnt);
		unescape(m.src);
		fn(&m, arg);
	}
	fclose(f);
}

bool hh_iso_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void list_add(struct mount_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(char *));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)))
		l->n++;
}

void hh_iso_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool was_there(const struct hh_iso_host *h, const char *mnt)
{
	for (size_t i = 0; i < h->n_mounts_before; i++)
		if (strcmp(h->mounts_before[i], mnt) == 0)
			return true;
	return false;
}

void hh_iso_scan_leak(const struct mount_ent *m, void *arg)
{
	struct leak_scan *s = arg;
	const struct hh_iso_host *h = s->h;

	if (s->token && strcmp(m->src, s->token) == 0) {
		if (!s->token_at[0])
			hh_scopy(s->token_at, sizeof(s->token_at), m->mnt);
		list_add(&s->found, m->mnt);
		return;
	}
	if (!s->sweep)
		return;
	if (strncmp(m->src, h->token_prefix, strlen(h->token_prefix)) == 0) {
		list_add(&s->found, m->mnt);
		return;
	}
	if (h->rootfs[0] && hh_iso_under(m->mnt, h->rootfs) && strcmp(m->mnt, h->rootfs) != 0 &&
	    !was_there(h, m->mnt)) {
		if (!s->new_mounts++)
			hh_scopy(s->first_new, sizeof(s->first_new), m->mnt);
		list_add(&s->found, m->mnt);
	}
}

void hh_iso_detach_all(struct mount_list *l, const char *token_prefix)
{
	for (size_t i = l->n; i-- > 0;) {
		umount2(l->v[i], MNT_DETACH);
		/* The probe's own mountpoint goes too; nothing else. */
		const char *base = strrchr(l->v[i], '/');
		if (base && strncmp(base + 1, token_prefix, strlen(token_prefix)) == 0)
			rmdir(l->v[i]);
	}
	hh_iso_list_free(l->v, l->n);
	l->v = NULL;
	l->n = l->cap = 0;
}

void hh_iso_scan_shared(const struct mount_ent *m, void *arg)
{
	struct shared_scan *s = arg;
	size_t n = strlen(m->mnt);
	if (hh_iso_under(s->path, m->mnt) || strcmp(m->mnt, "/") == 0) {
		if (n >= s->best) {
			s->best = n;
			s->shared = m->shared;
		}
	}
	if (hh_iso_under(m->mnt, s->path))
		list_add(&s->below, m->mnt);
}
