/* env.c — see env.h. */
#include "env.h"
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#define UNIFIED "/sys/fs/cgroup/unified"

const char *hh_env_describe(enum hh_env env)
{
	switch (env) {
	case HH_ENV_CGROUP_V1:
		return "spawned directly by the harness (posix_spawn) from a private mount "
		       "namespace without " UNIFIED " (made once per run; the spawning thread "
		       "joins it before the clock starts)";
	case HH_ENV_HOST:
	default:
		return "spawned directly by the harness (posix_spawn) from the host's mount "
		       "namespace";
	}
}

/* Once: the library's detection reads mountinfo into a static buffer. */
static bool hybrid;
static pthread_once_t hybrid_once = PTHREAD_ONCE_INIT;

static void detect_hybrid(void)
{
	static struct hull_cg_mounts m; /* large: off the stack */
	hybrid = hull_cgroup_detect_self(&m, NULL) == 0 && m.layout == HULL_CG_HYBRID;
}

bool hh_host_is_hybrid(void)
{
	pthread_once(&hybrid_once, detect_hybrid);
	return hybrid;
}

/* The private v1-only namespace, made by a short-lived thread so that no
 * caller's thread changes: unshare(CLONE_NEWNS) (which gives the thread its
 * own fs attributes), everything private so the unmount stays in it, then
 * unmount the cgroup2 tree and keep the namespace by fd. */
static int v1_fd = -1, v1_errno;
static pthread_once_t v1_once = PTHREAD_ONCE_INIT;

static void *make_v1(void *arg)
{
	(void)arg;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		v1_errno = errno;
		return NULL;
	}
	if (umount2(UNIFIED, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		v1_errno = errno;
		return NULL;
	}
	v1_fd = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (v1_fd < 0)
		v1_errno = errno;
	return NULL;
}

static void make_v1_once(void)
{
	pthread_t t;
	int ret = pthread_create(&t, NULL, make_v1, NULL);
	if (ret != 0) {
		v1_errno = ret;
		return;
	}
	pthread_join(t, NULL);
}

static __thread bool fs_own;

int hh_env_enter(enum hh_env env, struct hh_env_saved *saved, struct hull_err *err)
{
	saved->host_ns = saved->cwd = -1;
	if (env == HH_ENV_HOST)
		return 0;
	pthread_once(&v1_once, make_v1_once);
	if (v1_fd < 0)
		return hull_fail(err, v1_errno, "cannot make a mount namespace without '%s'",
				 UNIFIED);
	if (!fs_own) {
		if (unshare(CLONE_FS) < 0)
			return hull_fail(err, errno, "cannot unshare the fs attributes");
		fs_own = true;
	}
	saved->host_ns = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
	saved->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (saved->host_ns < 0 || saved->cwd < 0 || setns(v1_fd, CLONE_NEWNS) < 0) {
		int e = errno;
		hh_env_leave(saved);
		return hull_fail(err, e, "cannot enter the mount namespace without '%s'", UNIFIED);
	}
	return 0;
}

void hh_env_leave(struct hh_env_saved *saved)
{
	/* setns back to a namespace this thread was in cannot fail for root;
	 * if it did, later spawns would start from the wrong place, so die. */
	if (saved->host_ns >= 0 && setns(saved->host_ns, CLONE_NEWNS) < 0)
		abort();
	if (saved->cwd >= 0 && fchdir(saved->cwd) < 0)
		abort();
	if (saved->host_ns >= 0)
		close(saved->host_ns);
	if (saved->cwd >= 0)
		close(saved->cwd);
	saved->host_ns = saved->cwd = -1;
}
