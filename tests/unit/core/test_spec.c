/* test_spec.c — defaults and validation (core/lib/spec.c); the environment
 * validation builds is in test_spec_env.c.
 *
 * Each test gets a fresh temp directory as its rootfs (removed in teardown)
 * and a spec that validates; tests then break one thing at a time. */
#include "spec_fixture.h"

static void assert_invalid(struct fixture *f, int want_ret, const char *want_msg)
{
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), want_ret);
	assert_string_equal(f->err.msg, want_msg);
	assert_int_equal(f->err.exit_code, 125);
	assert_int_equal(f->err.errnum, want_ret == -EINVAL ? 0 : -want_ret);
}

/* ---- defaults ------------------------------------------------------- */

static void test_init_defaults(void **state)
{
	(void)state;
	struct hull_spec s;

	memset(&s, 0xa5, sizeof(s)); /* init must not rely on zeroed memory */
	hull_spec_init(&s);
	assert_int_equal(s.ns_flags, HULL_NS_DEFAULT);
	assert_string_equal(s.hostname, "hull");
	assert_false(s.hostname_given);
	assert_int_equal(s.root_mode, HULL_ROOT_PIVOT);
	assert_int_equal(s.spawn_mode, HULL_SPAWN_CLONE3);
	assert_true(s.mount_proc);
	assert_true(s.mount_dev);
	assert_string_equal(s.cwd, "/");
	assert_int_equal(s.trace_fd, -1);
	assert_int_equal(s.verbose, 0);
	assert_null(s.rootfs_arg);
	assert_null(s.rootfs);
	assert_null(s.argv);
	assert_int_equal(s.argc, 0);
	assert_int_equal(s.n_env_args, 0);
	assert_null(s.envp);
}

static void test_valid_spec(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_string_equal(f->spec.rootfs, f->rootfs); /* /tmp is no symlink here */
	assert_non_null(f->spec.envp);
	assert_int_equal(f->spec.root_mode, HULL_ROOT_PIVOT);
	assert_true(f->spec.mount_proc);
	assert_true(f->spec.mount_dev);
}

/* ---- the rootfs ----------------------------------------------------- */

static void test_rootfs_missing(void **state)
{
	struct fixture *f = *state;
	char path[160], want[256];

	snprintf(path, sizeof(path), "%s/nope", f->dir);
	f->spec.rootfs_arg = path;
	snprintf(want, sizeof(want), "cannot use rootfs '%s': No such file or directory", path);
	assert_invalid(f, -ENOENT, want);
	assert_null(f->spec.rootfs);
	assert_null(f->spec.envp);
}

static void test_rootfs_not_given(void **state)
{
	struct fixture *f = *state;

	f->spec.rootfs_arg = NULL;
	assert_invalid(f, -EINVAL, "no rootfs given");
	f->spec.rootfs_arg = "";
	assert_invalid(f, -EINVAL, "no rootfs given");
}

static void test_rootfs_is_a_file(void **state)
{
	struct fixture *f = *state;
	char want[256];

	f->spec.rootfs_arg = f->file;
	snprintf(want, sizeof(want), "cannot use rootfs '%s': Not a directory", f->file);
	assert_invalid(f, -ENOTDIR, want);
}

static void test_rootfs_relative_resolved(void **state)
{
	struct fixture *f = *state;
	char old_cwd[PATH_MAX];
	int ret;

	assert_non_null(getcwd(old_cwd, sizeof(old_cwd)));
	assert_int_equal(chdir(f->dir), 0);
	f->spec.rootfs_arg = "./root/../root";
	ret = hull_spec_validate(&f->spec, &f->err);
	assert_int_equal(chdir(old_cwd), 0);
	assert_int_equal(ret, 0);
	assert_string_equal(f->spec.rootfs_arg, "./root/../root"); /* kept as given */
	assert_string_equal(f->spec.rootfs, f->rootfs);
}

static void test_rootfs_symlink_resolved(void **state)
{
	struct fixture *f = *state;

	f->spec.rootfs_arg = f->link;
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_string_equal(f->spec.rootfs, f->rootfs);
}

static void test_rootfs_host_root_refused(void **state)
{
	struct fixture *f = *state;
	char path[160], want[256];

	f->spec.rootfs_arg = "/";
	assert_invalid(f, -EINVAL, "cannot use rootfs '/': it is the host's root");

	/* also when it only resolves to / */
	snprintf(path, sizeof(path), "%s/../..", f->dir);
	f->spec.rootfs_arg = path;
	snprintf(want, sizeof(want), "cannot use rootfs '%s': it is the host's root", path);
	assert_invalid(f, -EINVAL, want);

	f->spec.rootfs_arg = "//";
	assert_invalid(f, -EINVAL, "cannot use rootfs '//': it is the host's root");
}

/* ---- the command ---------------------------------------------------- */

static void test_command_empty(void **state)
{
	struct fixture *f = *state;
	char *empty[] = { "", NULL };
	char *none[] = { NULL };

	f->spec.argc = 0;
	assert_invalid(f, -EINVAL, "no command given");

	f->spec.argv = none;
	f->spec.argc = 1;
	assert_invalid(f, -EINVAL, "no command given");

	f->spec.argv = empty;
	assert_invalid(f, -EINVAL, "no command given");

	f->spec.argv = NULL;
	assert_invalid(f, -EINVAL, "no command given");
}

/* ---- the hostname --------------------------------------------------- */

static void test_hostname_64_ok_65_refused(void **state)
{
	struct fixture *f = *state;
	char name[66], want[160];

	memset(name, 'a', sizeof(name));
	name[64] = '\0';
	f->spec.hostname = name;
	f->spec.hostname_given = true;
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	hull_spec_free(&f->spec);

	name[64] = 'b';
	name[65] = '\0';
	snprintf(want, sizeof(want), "hostname '%s' is longer than 64 bytes", name);
	assert_invalid(f, -EINVAL, want);
}

static void test_hostname_empty(void **state)
{
	struct fixture *f = *state;

	f->spec.hostname = "";
	f->spec.hostname_given = true;
	assert_invalid(f, -EINVAL, "empty hostname");
}

static void test_hostname_without_uts(void **state)
{
	struct fixture *f = *state;

	f->spec.ns_flags &= ~(uint64_t)CLONE_NEWUTS;
	f->spec.hostname = "box";
	f->spec.hostname_given = true;
	assert_invalid(f, -EINVAL, "--hostname requires the uts namespace (--ns ...,uts)");
}

static void test_default_hostname_without_uts_ok(void **state)
{
	struct fixture *f = *state;

	/* the default name is simply unused without uts: no error */
	f->spec.ns_flags &= ~(uint64_t)CLONE_NEWUTS;
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
}

/* ---- cwd ------------------------------------------------------------ */

static void test_cwd(void **state)
{
	struct fixture *f = *state;

	f->spec.cwd = "tmp";
	assert_invalid(f, -EINVAL, "working directory 'tmp' is not an absolute path");
	f->spec.cwd = "";
	assert_invalid(f, -EINVAL, "working directory '' is not an absolute path");
	f->spec.cwd = NULL;
	assert_invalid(f, -EINVAL, "working directory '' is not an absolute path");
	f->spec.cwd = "./x";
	assert_invalid(f, -EINVAL, "working directory './x' is not an absolute path");

	/* absolute: it need not exist on the host, it is inside the container */
	f->spec.cwd = "/no/such/dir/on/the/host";
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
}

/* ---- trace fd ------------------------------------------------------- */

static void test_trace_fd_not_open(void **state)
{
	struct fixture *f = *state;
	char want[128];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd); /* now certainly closed */
	f->spec.trace_fd = fd;
	snprintf(want, sizeof(want), "cannot use trace fd '%d': Bad file descriptor", fd);
	assert_invalid(f, -EBADF, want);

	f->spec.trace_fd = 1 << 20; /* beyond any fd table */
	snprintf(want, sizeof(want), "cannot use trace fd '%d': Bad file descriptor", 1 << 20);
	assert_invalid(f, -EBADF, want);
}

static void test_trace_fd_open(void **state)
{
	struct fixture *f = *state;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	f->spec.trace_fd = p[1];
	int ret = hull_spec_validate(&f->spec, &f->err);
	close(p[0]);
	close(p[1]);
	assert_int_equal(ret, 0);
	assert_int_equal(f->spec.trace_fd, p[1]);
}

/* ---- no mount namespace --------------------------------------------- */

static void test_no_mntns_forces_chroot_no_proc_no_dev(void **state)
{
	struct fixture *f = *state;

	f->spec.ns_flags &= ~(uint64_t)CLONE_NEWNS;
	assert_int_equal(f->spec.root_mode, HULL_ROOT_PIVOT);
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_int_equal(f->spec.root_mode, HULL_ROOT_CHROOT);
	assert_false(f->spec.mount_proc);
	assert_false(f->spec.mount_dev);
	assert_false(hull_spec_has_mntns(&f->spec));
}

static void test_no_namespaces_at_all(void **state)
{
	struct fixture *f = *state;

	if (geteuid() != 0)
		skip(); /* "none" without a user namespace needs root */
	f->spec.ns_flags = 0;
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_int_equal(f->spec.root_mode, HULL_ROOT_CHROOT);
	assert_false(f->spec.mount_proc);
	assert_false(f->spec.mount_dev);
}

static void test_mntns_keeps_choices(void **state)
{
	struct fixture *f = *state;

	f->spec.root_mode = HULL_ROOT_CHROOT;
	f->spec.mount_proc = false;
	assert_true(hull_spec_has_mntns(&f->spec));
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_int_equal(f->spec.root_mode, HULL_ROOT_CHROOT);
	assert_false(f->spec.mount_proc); /* --no-proc stays off */
	assert_true(f->spec.mount_dev);
}

/* ---- uid check ------------------------------------------------------ */

/* As root this runs the check in a child that has become "nobody". */
static void test_non_root_needs_user_ns(void **state)
{
	struct fixture *f = *state;
	int p[2];
	pid_t pid;
	int status;
	char msg[sizeof(f->err.msg)] = "";

	if (geteuid() != 0) {
		f->spec.ns_flags &= ~(uint64_t)CLONE_NEWUSER;
		assert_int_equal(hull_spec_validate(&f->spec, &f->err), -EPERM);
		assert_non_null(strstr(f->err.msg, "without a user namespace"));
		return;
	}
	/* mkdtemp made the dir 0700: let "nobody" reach the rootfs */
	assert_int_equal(chmod(f->dir, 0755), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	alarm(10);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hull_err e;
		int r1, r2;

		close(p[0]);
		hull_err_clear(&e);
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(99);
		r1 = hull_spec_validate(&f->spec, &e); /* default namespaces: refused */
		if (write(p[1], e.msg, sizeof(e.msg)) != (ssize_t)sizeof(e.msg))
			_exit(98);
		hull_spec_free(&f->spec);
		f->spec.ns_flags |= CLONE_NEWUSER; /* with a user namespace: fine */
		r2 = hull_spec_validate(&f->spec, &e);
		_exit(r1 == -EPERM && r2 == 0 ? 0 : 1);
	}
	close(p[1]);
	ssize_t n = read(p[0], msg, sizeof(msg));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(0);
	assert_int_equal(n, (ssize_t)sizeof(msg));
	assert_string_equal(msg, "cannot run as uid 65534 without a user namespace (run as root or "
				 "add --ns user): Operation not permitted");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}
/* ---- free ----------------------------------------------------------- */

static void test_free_resets_and_is_idempotent(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_non_null(f->spec.rootfs);
	hull_spec_free(&f->spec);
	assert_null(f->spec.rootfs);
	assert_null(f->spec.envp);
	hull_spec_free(&f->spec); /* twice: harmless */

	struct hull_spec fresh;
	hull_spec_init(&fresh);
	hull_spec_free(&fresh); /* never validated: harmless */
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		T(test_valid_spec),
		T(test_rootfs_missing),
		T(test_rootfs_not_given),
		T(test_rootfs_is_a_file),
		T(test_rootfs_relative_resolved),
		T(test_rootfs_symlink_resolved),
		T(test_rootfs_host_root_refused),
		T(test_command_empty),
		T(test_hostname_64_ok_65_refused),
		T(test_hostname_empty),
		T(test_hostname_without_uts),
		T(test_default_hostname_without_uts_ok),
		T(test_cwd),
		T(test_trace_fd_not_open),
		T(test_trace_fd_open),
		T(test_no_mntns_forces_chroot_no_proc_no_dev),
		T(test_no_namespaces_at_all),
		T(test_mntns_keeps_choices),
		T(test_non_root_needs_user_ns),
		T(test_free_resets_and_is_idempotent),
	};
	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
