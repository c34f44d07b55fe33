/* seccomp_cache.c — compiled OCI seccomp filters kept between starts; see
 * seccomp_cache.h for what the key covers and what is trusted. */
#include "seccomp_cache.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bump when the entry layout or hull_seccomp_build_profile's output for the
 * same profile changes: old entries then become misses. */
#define CACHE_FORMAT 1u
/* How the cached programs are built: as a binary tree (see seccomp_cache.h). */
#define CACHE_BUILD_TREE true

static const char entry_magic[8] = { 'H', 'U', 'L', 'L', 'S', 'E', 'C', 'C' };

struct entry_header {
	char magic[8];
	uint32_t format;
	uint32_t flags; /* SECCOMP_FILTER_FLAG_* of the install */
	uint64_t len;	/* bytes of BPF after the header */
	unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN];
	unsigned char sum[SHA256_DIGEST_SIZE]; /* SHA-256 of the BPF */
};

/* ---- the key ---------------------------------------------------------- */

/* Fixed-width little-endian numbers and length-prefixed strings: two
 * different profiles never serialize to the same bytes. */
static void put_u64(struct sha256_ctx *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sha256_update(h, sizeof(b), b);
}

static void put_str(struct sha256_ctx *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put_u64(h, n);
	sha256_update(h, n, (const uint8_t *)(s ? s : ""));
}

void hull_seccomp_cache_key(const struct hull_seccomp_profile *p,
			    unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN])
{
	const struct scmp_version *v = seccomp_version();
	struct sha256_ctx h;

	sha256_init(&h);
	put_str(&h, "hull seccomp cache");
	put_u64(&h, CACHE_FORMAT);
	put_u64(&h, CACHE_BUILD_TREE);
	put_u64(&h, v->major);
	put_u64(&h, v->minor);
	put_u64(&h, v->micro);
	/* libseccomp leaves out what the running kernel lacks (its API level). */
	put_u64(&h, seccomp_api_get());
	put_u64(&h, seccomp_arch_native());
	put_u64(&h, p->default_action);
	put_u64(&h, p->flags);
	put_u64(&h, p->n_arches);
	for (size_t i = 0; i < p->n_arches; i++)
		put_u64(&h, p->arches[i]);
	put_u64(&h, p->n_rules);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct hull_seccomp_rule *r = &p->rules[i];
		put_u64(&h, r->action);
		put_u64(&h, r->n_names);
		for (size_t k = 0; k < r->n_names; k++)
			put_str(&h, r->names[k]);
		put_u64(&h, r->n_args);
		for (size_t k = 0; k < r->n_args; k++) {
			put_u64(&h, r->args[k].index);
			put_u64(&h, (uint64_t)(int64_t)r->args[k].op);
			put_u64(&h, r->args[k].value);
			put_u64(&h, r->args[k].value_two);
		}
	}
	sha256_digest(&h, HULL_SECCOMP_CACHE_KEY_LEN, key);
}

static void key_name(const unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN],
		     char name[2 * HULL_SECCOMP_CACHE_KEY_LEN + 1])
{
	for (int i = 0; i < HULL_SECCOMP_CACHE_KEY_LEN; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
}

static void bpf_sum(const void *bpf, size_t len, unsigned char sum[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, len, bpf);
	sha256_digest(&h, SHA256_DIGEST_SIZE, sum);
}

/* ---- the directory ---------------------------------------------------- */

static bool disabled(void)
{
	const char *v = getenv("HULL_SECCOMP_CACHE");
	return v && (strcmp(v, "off") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0);
}

static int default_dir(char *buf, size_t cap)
{
	const char *dir = getenv("HULL_SECCOMP_CACHE_DIR");
	const char *base;
	int n;

	if (dir && *dir == '/')
		n = snprintf(buf, cap, "%s", dir);
	else if (dir && *dir)
		return -1; /* relative: not where it was meant to be */
	else if (geteuid() == 0)
		n = snprintf(buf, cap, "/var/cache/hull/seccomp");
	else if ((base = getenv("XDG_CACHE_HOME")) && *base == '/')
		n = snprintf(buf, cap, "%s/hull/seccomp", base);
	else if ((base = getenv("HOME")) && *base == '/')
		n = snprintf(buf, cap, "%s/.cache/hull/seccomp", base);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int hull_seccomp_cache_open_dir(void)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (disabled() || default_dir(path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (hull_mkdir_p(path, 0700, NULL) < 0)
			return -1;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	/* Whoever else can write here could hand us a filter. */
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- load --------------------------------------------------------------- */

static bool entry_trusted(int fd, struct stat *st)
{
	return fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	       (st->st_mode & 077) == 0 && st->st_nlink == 1;
}

int hull_seccomp_cache_load(int dirfd, const unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN],
			    struct hull_seccomp *out)
{
	char name[2 * HULL_SECCOMP_CACHE_KEY_LEN + 1];
	unsigned char sum[SHA256_DIGEST_SIZE];
	struct entry_header hdr;
	struct stat st;
	void *bpf = NULL;
	int fd;

	*out = (struct hull_seccomp){ 0 };
	key_name(key, name);
	/* O_NONBLOCK: a FIFO planted under the name must not hang the start. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!entry_trusted(fd, &st) || pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		goto miss;
	if (memcmp(hdr.magic, entry_magic, sizeof(entry_magic)) != 0 ||
	    hdr.format != CACHE_FORMAT || memcmp(hdr.key, key, sizeof(hdr.key)) != 0 ||
	    hdr.len == 0 || hdr.len % sizeof(struct sock_filter) != 0 ||
	    hdr.len > BPF_MAXINSNS * sizeof(struct sock_filter) ||
	    (uint64_t)st.st_size != sizeof(hdr) + hdr.len)
		goto miss;
	bpf = malloc(hdr.len);
	if (!bpf || pread(fd, bpf, hdr.len, sizeof(hdr)) != (ssize_t)hdr.len)
		goto miss;
	bpf_sum(bpf, hdr.len, sum);
	if (memcmp(sum, hdr.sum, sizeof(sum)) != 0)
		goto miss;
	futimens(fd, NULL); /* recently used: evicted last */
	close(fd);
	*out = (struct hull_seccomp){ .bpf = bpf, .len = hdr.len, .flags = hdr.flags };
	return 1;
miss:
	free(bpf);
	close(fd);
	return 0;
}

/* ---- store and evict ------------------------------------------------------ */

static bool is_entry_name(const char *n)
{
	size_t len = strlen(n);
	return len == 2 * HULL_SECCOMP_CACHE_KEY_LEN &&
	       strspn(n, "0123456789abcdef") == 2 * HULL_SECCOMP_CACHE_KEY_LEN;
}

/* Remove the least recently used entries until at most max remain, and
 * temporary files a crashed writer left (older than a minute). */
static void evict(int dirfd, size_t max)
{
	/* Its own open file: a dup() would share (and leave at the end) the
	 * directory offset of dirfd. */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	struct stat st;
	size_t n = 0;
	char oldest[NAME_MAX + 1] = "";
	struct timespec oldest_t = { 0 };
	struct timespec now;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	while ((e = readdir(d))) {
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			if (st.st_mtim.tv_sec + 60 < now.tv_sec)
				unlinkat(dirfd, e->d_name, 0);
			continue;
		}
		if (!is_entry_name(e->d_name))
			continue;
		n++;
		if (!*oldest || st.st_mtim.tv_sec < oldest_t.tv_sec ||
		    (st.st_mtim.tv_sec == oldest_t.tv_sec &&
		     st.st_mtim.tv_nsec < oldest_t.tv_nsec)) {
			snprintf(oldest, sizeof(oldest), "%s", e->d_name);
			oldest_t = st.st_mtim;
		}
	}
	closedir(d);
	/* One store adds one entry: removing the oldest keeps the bound; a
	 * directory over it for another reason shrinks by one per store. */
	if (n > max && *oldest)
		unlinkat(dirfd, oldest, 0);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hull_seccomp_cache_store(int dirfd, const unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN],
			     const struct hull_seccomp *f, size_t max, struct hull_err *err)
{
	char name[2 * HULL_SECCOMP_CACHE_KEY_LEN + 1], tmp[sizeof(name) + 32];
	struct entry_header hdr = { .format = CACHE_FORMAT, .flags = f->flags, .len = f->len };
	int fd, ret = 0;

	memcpy(hdr.magic, entry_magic, sizeof(entry_magic));
	memcpy(hdr.key, key, sizeof(hdr.key));
	bpf_sum(f->bpf, f->len, hdr.sum);
	key_name(key, name);
	/* pid and clock: unique among writers, also across pid namespaces
	 * sharing the directory or a pid reused after a crashed writer. */
	snprintf(tmp, sizeof(tmp), ".tmp-%.16s-%ld-%llx", name, (long)getpid(),
		 (unsigned long long)hull_now_ns());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return hull_fail(err, errno, "cannot write seccomp cache entry '%s'", tmp);
	if (write_all(fd, &hdr, sizeof(hdr)) < 0 || write_all(fd, f->bpf, f->len) < 0)
		ret = hull_fail(err, errno ? errno : EIO, "cannot write seccomp cache entry '%s'",
				tmp);
	if (close(fd) < 0 && ret == 0)
		ret = hull_fail(err, errno, "cannot write seccomp cache entry '%s'", tmp);
	if (ret == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		ret = hull_fail(err, errno, "cannot rename seccomp cache entry to '%s'", name);
	if (ret < 0) {
		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	evict(dirfd, max);
	return 0;
}

/* ---- the entry point ------------------------------------------------------ */

int hull_seccomp_cached_profile(const struct hull_seccomp_profile *p, struct hull_seccomp *out,
				struct hull_err *err)
{
	unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN];
	int dirfd = hull_seccomp_cache_open_dir();
	int ret;

	/* No usable cache: the linear filter, cheapest to build every time. */
	if (dirfd < 0)
		return hull_seccomp_from_profile(p, out, err);
	hull_seccomp_cache_key(p, key);
	if (hull_seccomp_cache_load(dirfd, key, out) == 1 && out->flags == p->flags) {
		close(dirfd);
		return 0;
	}
	hull_seccomp_free(out);
	ret = hull_seccomp_build_profile(p, CACHE_BUILD_TREE, out, err);
	/* A failed store costs the next start a build, nothing else. */
	if (ret == 0)
		hull_seccomp_cache_store(dirfd, key, out, HULL_SECCOMP_CACHE_MAX, NULL);
	close(dirfd);
	return ret;
}
