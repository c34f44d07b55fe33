/* test_seccomp_cache.c — the cache of compiled OCI seccomp filters
 * (core/lib/seccomp_cache.c): the key changes with every rule, action,
 * condition, architecture and flag; a miss builds and stores, a hit loads
 * the same program; corrupt, truncated, foreign, symlinked, group-readable
 * and foreign-owned entries are misses; a directory open to others is not
 * used; the size bound evicts the oldest; HULL_SECCOMP_CACHE=off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "seccomp_cache.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *allowed[] = { "read", "write", "exit_group", "openat", "close", "mmap" };
static const char *denied[] = { "mkdir" };

struct fixture {
	struct hull_seccomp_rule rules[3];
	struct hull_seccomp_profile p;
	char dir[64];
	int dirfd;
};

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.rules[0] = (struct hull_seccomp_rule){ .names = allowed,
						  .n_names = 6,
						  .action = SCMP_ACT_ALLOW };
	fx.rules[1] = (struct hull_seccomp_rule){ .names = denied,
						  .n_names = 1,
						  .action = SCMP_ACT_ERRNO(EACCES) };
	fx.rules[2] = (struct hull_seccomp_rule){
		.names = allowed + 3,
		.n_names = 1,
		.action = SCMP_ACT_ALLOW,
		.args = { { .index = 2, .value = 0, .op = SCMP_CMP_EQ } },
		.n_args = 1,
	};
	fx.p = (struct hull_seccomp_profile){ .default_action = SCMP_ACT_ERRNO(ENOSYS),
					      .rules = fx.rules,
					      .n_rules = 3 };
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/hull-seccache-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	setenv("HULL_SECCOMP_CACHE_DIR", fx.dir, 1);
	unsetenv("HULL_SECCOMP_CACHE");
	fx.dirfd = hull_seccomp_cache_open_dir();
	return fx.dirfd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (fx.dirfd >= 0)
		close(fx.dirfd);
	hull_remove_tree(fx.dir, NULL);
	unsetenv("HULL_SECCOMP_CACHE_DIR");
	return 0;
}

static void entry_path(const struct hull_seccomp_profile *p, char *buf, size_t cap)
{
	unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN];
	char *o = buf + snprintf(buf, cap, "%s/", fx.dir);
	hull_seccomp_cache_key(p, key);
	for (int i = 0; i < HULL_SECCOMP_CACHE_KEY_LEN; i++)
		o += sprintf(o, "%02x", key[i]);
}

static int load(const struct hull_seccomp_profile *p, struct hull_seccomp *out)
{
	unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN];
	hull_seccomp_cache_key(p, key);
	return hull_seccomp_cache_load(fx.dirfd, key, out);
}

static void assert_same_filter(const struct hull_seccomp *a, const struct hull_seccomp *b)
{
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->flags, b->flags);
	assert_memory_equal(a->bpf, b->bpf, a->len);
}

/* The profile's filter through the cache (the first call stores it). */
static void cached(struct hull_seccomp *out)
{
	struct hull_err err = { 0 };
	assert_int_equal(hull_seccomp_cached_profile(&fx.p, out, &err), 0);
}

static void test_key_covers_every_part(void **state)
{
	(void)state;
	unsigned char base[HULL_SECCOMP_CACHE_KEY_LEN], k[HULL_SECCOMP_CACHE_KEY_LEN];
	const char *other[] = { "read", "write", "exit_group", "openat", "close", "munmap" };

	hull_seccomp_cache_key(&fx.p, base);
	hull_seccomp_cache_key(&fx.p, k);
	assert_memory_equal(base, k, sizeof(k)); /* deterministic */

#define ASSERT_KEY_CHANGES(change, undo)                                                           \
	do {                                                                                       \
		change;                                                                            \
		hull_seccomp_cache_key(&fx.p, k);                                                  \
		undo;                                                                              \
		assert_memory_not_equal(base, k, sizeof(k));                                       \
		hull_seccomp_cache_key(&fx.p, k);                                                  \
		assert_memory_equal(base, k, sizeof(k));                                           \
	} while (0)
	ASSERT_KEY_CHANGES(fx.rules[0].names = other, fx.rules[0].names = allowed);
	ASSERT_KEY_CHANGES(fx.rules[0].n_names = 5, fx.rules[0].n_names = 6);
	ASSERT_KEY_CHANGES(fx.rules[1].action = SCMP_ACT_ERRNO(EPERM),
			   fx.rules[1].action = SCMP_ACT_ERRNO(EACCES));
	ASSERT_KEY_CHANGES(fx.rules[2].args[0].value = 1, fx.rules[2].args[0].value = 0);
	ASSERT_KEY_CHANGES(fx.rules[2].args[0].index = 1, fx.rules[2].args[0].index = 2);
	ASSERT_KEY_CHANGES(fx.rules[2].args[0].op = SCMP_CMP_NE,
			   fx.rules[2].args[0].op = SCMP_CMP_EQ);
	ASSERT_KEY_CHANGES(fx.p.default_action = SCMP_ACT_KILL_PROCESS,
			   fx.p.default_action = SCMP_ACT_ERRNO(ENOSYS));
	ASSERT_KEY_CHANGES(fx.p.flags = SECCOMP_FILTER_FLAG_LOG, fx.p.flags = 0);
	ASSERT_KEY_CHANGES((fx.p.arches[0] = SCMP_ARCH_X86, fx.p.n_arches = 1), fx.p.n_arches = 0);
	ASSERT_KEY_CHANGES(fx.p.n_rules = 2, fx.p.n_rules = 3);
#undef ASSERT_KEY_CHANGES
}

static void test_miss_builds_hit_loads(void **state)
{
	(void)state;
	struct hull_seccomp first, hit, tree;
	struct hull_err err = { 0 };
	char path[256];
	struct stat st;

	assert_int_equal(load(&fx.p, &hit), 0); /* empty cache */
	cached(&first);
	entry_path(&fx.p, path, sizeof(path));
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(load(&fx.p, &hit), 1);
	assert_int_equal(hull_seccomp_build_profile(&fx.p, true, &tree, &err), 0);
	assert_same_filter(&first, &tree); /* what is stored is the tree build */
	assert_same_filter(&hit, &tree);
	hull_seccomp_free(&hit);
	cached(&hit);
	assert_same_filter(&hit, &tree);
	hull_seccomp_free(&first);
	hull_seccomp_free(&hit);
	hull_seccomp_free(&tree);
}

/* Rewrite the stored entry with edit applied; then it must be a miss, and
 * the next cached call must rebuild it into a hit. */
static void damage(void (*edit)(const char *path))
{
	struct hull_seccomp f, g;
	char path[256];

	cached(&f);
	hull_seccomp_free(&f);
	entry_path(&fx.p, path, sizeof(path));
	edit(path);
	assert_int_equal(load(&fx.p, &g), 0);
	assert_null(g.bpf);
	cached(&f); /* rebuilt and stored again */
	assert_int_equal(load(&fx.p, &g), 1);
	assert_same_filter(&f, &g);
	hull_seccomp_free(&f);
	hull_seccomp_free(&g);
}

static void flip_last_byte(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	struct stat st;
	unsigned char c;
	assert_true(fd >= 0 && fstat(fd, &st) == 0);
	assert_int_equal(pread(fd, &c, 1, st.st_size - 1), 1);
	c ^= 0x01;
	assert_int_equal(pwrite(fd, &c, 1, st.st_size - 1), 1);
	close(fd);
}

static void cut_in_half(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
}

static void group_readable(const char *path)
{
	assert_int_equal(chmod(path, 0640), 0);
}

static void someone_elses(const char *path)
{
	assert_int_equal(chown(path, 65534, 65534), 0);
}

/* Another profile's valid entry under this profile's name. */
static void foreign(const char *path)
{
	struct hull_seccomp f;
	char other[256];
	fx.rules[1].action = SCMP_ACT_ERRNO(EPERM);
	cached(&f);
	entry_path(&fx.p, other, sizeof(other));
	fx.rules[1].action = SCMP_ACT_ERRNO(EACCES);
	hull_seccomp_free(&f);
	assert_int_equal(rename(other, path), 0);
}

/* A symlink to a valid entry (O_NOFOLLOW). */
static void symlinked(const char *path)
{
	char moved[300];
	snprintf(moved, sizeof(moved), "%s/elsewhere", fx.dir);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(symlink(moved, path), 0);
}

/* A second name for the entry: a link someone else could keep. */
static void hard_linked(const char *path)
{
	char other[300];
	snprintf(other, sizeof(other), "%s/second-name", fx.dir);
	assert_int_equal(link(path, other), 0);
}

static void test_damaged_entries_are_rebuilt(void **state)
{
	(void)state;
	damage(flip_last_byte);
	damage(cut_in_half);
	damage(group_readable);
	damage(foreign);
	damage(symlinked);
	damage(hard_linked);
}

static void test_foreign_owner_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* chown to another user needs root */
	damage(someone_elses);
	/* The directory too. */
	assert_int_equal(chown(fx.dir, 65534, 65534), 0);
	assert_int_equal(hull_seccomp_cache_open_dir(), -1);
	assert_int_equal(chown(fx.dir, geteuid(), getegid()), 0);
}

static void test_open_directory_refused(void **state)
{
	(void)state;
	struct hull_seccomp f, linear;
	struct hull_err err = { 0 };

	assert_int_equal(chmod(fx.dir, 0755), 0);
	assert_int_equal(hull_seccomp_cache_open_dir(), -1);
	/* Unused: the linear build, and nothing stored. */
	cached(&f);
	assert_int_equal(hull_seccomp_from_profile(&fx.p, &linear, &err), 0);
	assert_same_filter(&f, &linear);
	assert_int_equal(chmod(fx.dir, 0700), 0);
	hull_seccomp_free(&f);
	hull_seccomp_free(&linear);
	assert_int_equal(load(&fx.p, &f), 0);
}

static void test_disabled(void **state)
{
	(void)state;
	struct hull_seccomp f, linear;
	struct hull_err err = { 0 };

	setenv("HULL_SECCOMP_CACHE", "off", 1);
	assert_int_equal(hull_seccomp_cache_open_dir(), -1);
	cached(&f);
	unsetenv("HULL_SECCOMP_CACHE");
	assert_int_equal(hull_seccomp_from_profile(&fx.p, &linear, &err), 0);
	assert_same_filter(&f, &linear);
	hull_seccomp_free(&f);
	hull_seccomp_free(&linear);
	assert_int_equal(load(&fx.p, &f), 0); /* nothing stored */
	/* A relative directory would depend on where hull was started. */
	setenv("HULL_SECCOMP_CACHE_DIR", "relative/cache", 1);
	assert_int_equal(hull_seccomp_cache_open_dir(), -1);
	setenv("HULL_SECCOMP_CACHE_DIR", fx.dir, 1);
}

static void test_oldest_evicted(void **state)
{
	(void)state;
	unsigned char keys[4][HULL_SECCOMP_CACHE_KEY_LEN];
	struct hull_seccomp f, g;
	struct hull_err err = { 0 };
	char path[256];

	assert_int_equal(hull_seccomp_build_profile(&fx.p, true, &f, &err), 0);
	for (int i = 0; i < 4; i++) {
		fx.rules[1].action = SCMP_ACT_ERRNO((uint32_t)(100 + i));
		hull_seccomp_cache_key(&fx.p, keys[i]);
		if (i < 3) {
			assert_int_equal(hull_seccomp_cache_store(fx.dirfd, keys[i], &f, 3, &err),
					 0);
			/* Older the lower i, whatever the clock's resolution. */
			struct timespec t[2] = { { 1000 + i, 0 }, { 1000 + i, 0 } };
			entry_path(&fx.p, path, sizeof(path));
			assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
		}
	}
	assert_int_equal(hull_seccomp_cache_store(fx.dirfd, keys[3], &f, 3, &err), 0);
	assert_int_equal(hull_seccomp_cache_load(fx.dirfd, keys[0], &g), 0);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(hull_seccomp_cache_load(fx.dirfd, keys[i], &g), 1);
		hull_seccomp_free(&g);
	}
	fx.rules[1].action = SCMP_ACT_ERRNO(EACCES);
	hull_seccomp_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_covers_every_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_builds_hit_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_entries_are_rebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_directory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oldest_evicted, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
