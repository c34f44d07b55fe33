/* seccomp_cache.h — compiled OCI seccomp filters kept between starts.
 *
 * Building an OCI profile (podman's or containerd's RuntimeDefault: an
 * allow list of ~330 syscalls) takes libseccomp ~9 ms at every create; the
 * program it makes depends only on the profile, the architecture, the
 * libseccomp version and the kernel API level it detected. So the first
 * create with a profile builds it (as a binary tree, which installs faster
 * and costs the build ~5 ms more, paid once) and stores the BPF program;
 * later creates load it.
 *
 * Key: SHA-256 (Debian's nettle) over everything that decides the program:
 * hull's cache format and build recipe, libseccomp's version and API level,
 * the native architecture, the profile as hull parsed it (default action,
 * architectures, flags, every rule's names, action and conditions).
 *
 * Trust: the directory is the euid's, mode 0700 (refused otherwise: then
 * no cache is used for that start); an entry is a regular file, the
 * euid's, not writable by group or others, one link, opened with
 * O_NOFOLLOW. Its header repeats the key and holds a SHA-256 of the
 * program: a truncated, corrupt or foreign entry is a miss and rebuilt.
 * The checksum catches damage, not an attacker: who can write the
 * directory can already run as its owner.
 *
 * Entries are written to a temporary name and renamed; a hit refreshes
 * the mtime and past HULL_SECCOMP_CACHE_MAX entries the oldest go.
 *
 * Where: $HULL_SECCOMP_CACHE_DIR (absolute; a relative one disables it), else
 * /var/cache/hull/seccomp for root, else $XDG_CACHE_HOME/hull/seccomp or ~/.cache/hull/seccomp.
 * HULL_SECCOMP_CACHE=off (or 0, no) disables it: every start builds a
 * linear filter, as before the cache. */
#ifndef HULL_SECCOMP_CACHE_H
#define HULL_SECCOMP_CACHE_H

#include "seccomp_filter.h"

#include <stdbool.h>

#define HULL_SECCOMP_CACHE_KEY_LEN 32
#define HULL_SECCOMP_CACHE_MAX	   64

/* The cache key of profile p (see above). */
void hull_seccomp_cache_key(const struct hull_seccomp_profile *p,
			    unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN]);

/* The cache directory, created 0700 if missing and opened O_NOFOLLOW;
 * -1 when disabled or not owned by the euid with mode 0700. */
int hull_seccomp_cache_open_dir(void);

/* A trusted entry of key in dirfd: 1 and out filled on a hit, 0 on a miss
 * (missing, refused or damaged). */
int hull_seccomp_cache_load(int dirfd, const unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN],
			    struct hull_seccomp *out);

/* Store f under key (temporary file + rename), then evict the oldest
 * entries past max. */
int hull_seccomp_cache_store(int dirfd, const unsigned char key[HULL_SECCOMP_CACHE_KEY_LEN],
			     const struct hull_seccomp *f, size_t max, struct hull_err *err);

/* Profile p's filter: from the cache, or built (and stored). */
int hull_seccomp_cached_profile(const struct hull_seccomp_profile *p, struct hull_seccomp *out,
				struct hull_err *err);

#endif
