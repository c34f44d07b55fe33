/* oci_state.c — the state directory of OCI containers; see oci_state.h. */
#include "oci_state.h"
#include "fileio.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *hull_oci_status_name(enum hull_oci_status s)
{
	switch (s) {
	case HULL_OCI_CREATING:
		return "creating";
	case HULL_OCI_CREATED:
		return "created";
	case HULL_OCI_RUNNING:
		return "running";
	case HULL_OCI_PAUSED:
		return "paused";
	default:
		return "stopped";
	}
}

int hull_oci_check_id(const char *id, struct hull_err *err)
{
	size_t n = strlen(id);

	if (n == 0 || n > HULL_OCI_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.+") != n)
		return hull_fail(err, 0,
				 "invalid container id '%s' (letters, digits, '_', '-', '.', '+')",
				 id);
	return 0;
}

static int state_init(const char *root, const char *id, struct hull_oci_state *st,
		      struct hull_err *err)
{
	int ret = hull_oci_check_id(id, err);

	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	if (ret < 0)
		return ret;
	snprintf(st->id, sizeof(st->id), "%s", id);
	if (asprintf(&st->dir, "%s/%s", root, id) < 0) {
		st->dir = NULL;
		return hull_fail(err, ENOMEM, "cannot use state directory '%s'", root);
	}
	if (strlen(st->dir) >= PATH_MAX)
		return hull_fail(err, ENAMETOOLONG, "cannot use state directory '%s'", root);
	return 0;
}

/* A POSIX record lock on <dir>/lock: unlike flock, the container process
 * (forked while create holds it) does not inherit it. */
static int lock_dir(struct hull_oci_state *st, struct hull_err *err)
{
	char path[PATH_MAX + 8];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat sb;

	snprintf(path, sizeof(path), "%s/lock", st->dir);
	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0 && errno == ENOENT)
		return hull_fail(err, ENOENT, "container '%s' does not exist", st->id);
	if (st->lock_fd < 0)
		return hull_fail(err, errno, "cannot lock container '%s'", st->id);
	while (fcntl(st->lock_fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR)
			return hull_fail(err, errno, "cannot lock container '%s'", st->id);
	/* A delete may have won the race: then the lock file is gone. */
	if (fstat(st->lock_fd, &sb) < 0 || sb.st_nlink == 0)
		return hull_fail(err, ENOENT, "container '%s' does not exist", st->id);
	return 0;
}

int hull_oci_state_new(const char *root, const char *id, struct hull_oci_state *st,
		       struct hull_err *err)
{
	int ret = state_init(root, id, st, err);
	if (ret < 0)
		return ret;
	/* The root is made only when missing (the first container): not a
	 * mkdir per component of it on every create and run. */
	int made = mkdir(st->dir, 0700);
	if (made < 0 && errno == ENOENT) {
		if ((ret = hull_mkdir_p(root, 0711, err)) < 0)
			return ret;
		made = mkdir(st->dir, 0700);
	}
	if (made < 0) {
		if (errno == EEXIST)
			return hull_fail(err, EEXIST, "container '%s' already exists", id);
		return hull_fail(err, errno, "cannot create state directory '%s'", st->dir);
	}
	return lock_dir(st, err);
}

static void copy_str(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
}

/* The string member key of o as an owned copy ("" when it has none). */
static char *dup_str(json_object *o, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return strdup(json_object_get_string(v));
	return strdup("");
}

int hull_oci_state_read(const char *root, const char *id, struct hull_oci_state *st,
			struct hull_err *err)
{
	char path[PATH_MAX + 16], text[65536];
	json_object *o, *v;
	int ret = state_init(root, id, st, err);

	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	if (hull_read_file(path, text, sizeof(text), NULL) < 0) {
		if (access(st->dir, F_OK) < 0)
			return hull_fail(err, ENOENT, "container '%s' does not exist", id);
		return hull_fail(err, 0, "container '%s' is being created", id);
	}
	o = json_tokener_parse(text);
	if (!o)
		return hull_fail(err, 0, "cannot parse '%s'", path);
	st->bundle = dup_str(o, "bundle");
	copy_str(o, "created", st->created, sizeof(st->created));
	st->cgroup_parent = dup_str(o, "cgroupParent");
	copy_str(o, "cgroupName", st->cgroup_name, sizeof(st->cgroup_name));
	if (json_object_object_get_ex(o, "pid", &v))
		st->pid = (pid_t)json_object_get_int(v);
	if (json_object_object_get_ex(o, "startTime", &v))
		st->start_time = json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "annotations", &v) && v)
		st->annotations = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (!st->bundle || !st->cgroup_parent)
		return hull_fail(err, ENOMEM, "cannot read '%s'", path);
	return 0;
}

int hull_oci_state_open(const char *root, const char *id, struct hull_oci_state *st,
			struct hull_err *err)
{
	int ret = state_init(root, id, st, err);
	if (ret < 0)
		return ret;
	if (access(st->dir, F_OK) < 0)
		return hull_fail(err, ENOENT, "container '%s' does not exist", id);
	if ((ret = lock_dir(st, err)) < 0)
		return ret;
	int fd = st->lock_fd;
	st->lock_fd = -1;
	hull_oci_state_close(st); /* read starts afresh */
	ret = hull_oci_state_read(root, id, st, err);
	st->lock_fd = fd;
	return ret;
}

int hull_oci_state_write(const struct hull_oci_state *st, struct hull_err *err)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "startTime", json_object_new_uint64(st->start_time));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object_object_add(o, "cgroupParent",
			       json_object_new_string(st->cgroup_parent ? st->cgroup_parent : ""));
	json_object_object_add(o, "cgroupName", json_object_new_string(st->cgroup_name));
	if (st->annotations)
		json_object_object_add(o, "annotations", json_tokener_parse(st->annotations));
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	snprintf(tmp, sizeof(tmp), "%s/state.json.tmp", st->dir);
	int ret = hull_write_file(tmp, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), 1,
				  err);
	json_object_put(o);
	if (ret < 0)
		return ret;
	/* Readers never see half a file. */
	if (rename(tmp, path) < 0)
		return hull_fail(err, errno, "cannot write '%s'", path);
	return 0;
}

int hull_oci_state_remove(struct hull_oci_state *st, struct hull_err *err)
{
	/* What a container without hooks leaves: its state and its lock,
	 * removed by name. A directory walk (opendir's buffer is a mapping
	 * of its own, an lstat per entry) is 15 system calls at the end of
	 * every hull run --bundle; it is kept for anything else (a fifo, the
	 * hooks), where the rmdir finds the directory not empty. */
	int dfd = open(st->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		unlinkat(dfd, "state.json", 0);
		unlinkat(dfd, "lock", 0);
		close(dfd);
		if (rmdir(st->dir) == 0)
			return 0;
	}
	return hull_remove_tree(st->dir, err);
}

void hull_oci_state_close(struct hull_oci_state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
	free(st->annotations);
	free(st->dir);
	free(st->bundle);
	free(st->cgroup_parent);
	st->annotations = st->dir = st->bundle = st->cgroup_parent = NULL;
}

bool hull_oci_alive(const struct hull_oci_state *st)
{
	return st->pid > 0 && hull_proc_start_time(st->pid, true) == st->start_time;
}

void hull_oci_fifo_path(const struct hull_oci_state *st, char *buf, size_t len)
{
	snprintf(buf, len, "%s/exec.fifo", st->dir);
}

int hull_oci_cgroup(const struct hull_oci_state *st, struct hull_cgroup *cg,
		    struct hull_limits *limits, struct hull_err *err)
{
	memset(limits, 0, sizeof(*limits));
	limits->parent = st->cgroup_parent ? st->cgroup_parent : "";
	int ret = hull_cgroup_init(cg, limits, NULL, st->cgroup_name, err);
	if (ret < 0)
		return ret;
	hull_cgroup_reopen(cg);
	return 0;
}

enum hull_oci_status hull_oci_status(const struct hull_oci_state *st)
{
	char fifo[PATH_MAX + 16];
	struct hull_cgroup cg;
	struct hull_limits limits;

	if (!hull_oci_alive(st))
		return HULL_OCI_STOPPED;
	hull_oci_fifo_path(st, fifo, sizeof(fifo));
	if (access(fifo, F_OK) == 0)
		return HULL_OCI_CREATED;
	if (st->cgroup_name[0] && hull_oci_cgroup(st, &cg, &limits, NULL) == 0 &&
	    hull_cgroup_frozen(&cg))
		return HULL_OCI_PAUSED;
	return HULL_OCI_RUNNING;
}

char *hull_oci_state_json(const struct hull_oci_state *st, enum hull_oci_status status)
{
	json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "status", json_object_new_string(hull_oci_status_name(status)));
	json_object_object_add(o, "pid",
			       json_object_new_int(status == HULL_OCI_STOPPED ? 0 : st->pid));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object *ann = st->annotations ? json_tokener_parse(st->annotations) : NULL;
	json_object_object_add(o, "annotations", ann ? ann : json_object_new_object());
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_SPACED |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

void hull_oci_for_each(const char *root,
		       void (*fn)(const struct hull_oci_state *st, enum hull_oci_status s,
				  void *arg),
		       void *arg)
{
	DIR *d = opendir(root);

	for (struct dirent *e; d && (e = readdir(d));) {
		struct hull_oci_state st = { .lock_fd = -1 };
		if (e->d_name[0] != '.' && hull_oci_state_read(root, e->d_name, &st, NULL) == 0)
			fn(&st, hull_oci_status(&st), arg);
		hull_oci_state_close(&st);
	}
	if (d)
		closedir(d);
}
