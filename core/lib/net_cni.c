/* net_cni.c — CNI plugins run as the CNI spec says; see net_cni.h.
 *
 * Each plugin gets its network configuration on stdin (the list's name and
 * cniVersion, the plugin's own object, and prevResult on ADD after the
 * first and on every DEL) and CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS,
 * CNI_IFNAME and CNI_PATH in its environment; it answers with a result or
 * an error object ({"code","msg","details"}) on stdout. */
#include "net_cni.h"
#include "net.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct hull_cni_list {
	char *path; /* absolute: a gc from elsewhere finds it again */
	json_object *root;
	const char *name, *version;
	size_t n;
	json_object **plugins; /* borrowed from root */
	char **bins;	       /* each plugin's executable */
	char *cni_path;
};

struct hull_cni_run {
	const struct hull_cni_list *list;
	size_t added; /* how many plugins' ADD ran (also the failed one) */
	json_object *result;
	char id[64];
	char netns[PATH_MAX];
	char record[PATH_MAX]; /* "" when none */
};

static const char *plugin_type(const json_object *plugin)
{
	json_object *t;
	return json_object_object_get_ex(plugin, "type", &t) ? json_object_get_string(t) : NULL;
}

/* The executable named type in the colon-separated search path. */
static char *find_plugin(const char *search, const char *type)
{
	const char *p = search;
	while (*p) {
		size_t len = strcspn(p, ":");
		char *path = NULL;
		if (len && asprintf(&path, "%.*s/%s", (int)len, p, type) >= 0) {
			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static int list_fail(struct hull_cni_list *list, int errnum, const char *path, const char *why,
		     struct hull_err *err)
{
	hull_cni_list_free(list);
	return hull_fail(err, errnum, "invalid CNI configuration '%s': %s", path, why);
}

int hull_cni_list_load(const char *path, const char *cni_path, struct hull_cni_list **out,
		       struct hull_err *err)
{
	struct hull_cni_list *list = calloc(1, sizeof(*list));
	json_object *v, *plugins;
	const char *search = cni_path ? cni_path : getenv("CNI_PATH");

	*out = NULL;
	if (!list)
		return hull_fail(err, ENOMEM, "cannot load '%s'", path);
	if (access(path, R_OK) < 0 || !(list->path = realpath(path, NULL)))
		return list_fail(list, errno, path, "cannot read it", err);
	list->root = json_object_from_file(path);
	if (!list->root || !json_object_is_type(list->root, json_type_object))
		return list_fail(list, 0, path, "not a JSON object", err);
	if (!json_object_object_get_ex(list->root, "cniVersion", &v) ||
	    !json_object_is_type(v, json_type_string))
		return list_fail(list, 0, path, "no cniVersion", err);
	list->version = json_object_get_string(v);
	if (!json_object_object_get_ex(list->root, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return list_fail(list, 0, path, "no name", err);
	list->name = json_object_get_string(v);
	if (json_object_object_get_ex(list->root, "plugins", &plugins)) {
		if (!json_object_is_type(plugins, json_type_array) ||
		    json_object_array_length(plugins) == 0)
			return list_fail(list, 0, path, "plugins is not a non-empty array", err);
		list->n = json_object_array_length(plugins);
	} else {
		list->n = 1; /* a single plugin's .conf: the object is the plugin */
		plugins = NULL;
	}
	list->plugins = calloc(list->n, sizeof(*list->plugins));
	list->bins = calloc(list->n, sizeof(*list->bins));
	list->cni_path = strdup(search && *search ? search : HULL_NET_CNI_PATH_DEFAULT);
	if (!list->plugins || !list->bins || !list->cni_path)
		return list_fail(list, ENOMEM, path, "out of memory", err);
	for (size_t i = 0; i < list->n; i++) {
		json_object *plugin = plugins ? json_object_array_get_idx(plugins, i) : list->root;
		const char *type = plugin_type(plugin);
		if (!json_object_is_type(plugin, json_type_object) || !type || !*type ||
		    strchr(type, '/'))
			return list_fail(list, 0, path, "a plugin without a valid type", err);
		list->plugins[i] = plugin;
		list->bins[i] = find_plugin(list->cni_path, type);
		if (!list->bins[i]) {
			hull_fail(err, ENOENT, "cni plugin '%s' not found in CNI_PATH '%s'", type,
				  list->cni_path);
			hull_cni_list_free(list);
			return -ENOENT;
		}
	}
	*out = list;
	return 0;
}

void hull_cni_list_free(struct hull_cni_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; list->bins && i < list->n; i++)
		free(list->bins[i]);
	free(list->bins);
	free(list->plugins);
	free(list->cni_path);
	free(list->path);
	json_object_put(list->root);
	free(list);
}

/* The configuration plugin i gets on stdin. */
static char *plugin_config(const struct hull_cni_list *list, size_t i, json_object *prev)
{
	json_object *conf = NULL;
	char *text = NULL;

	if (json_object_deep_copy(list->plugins[i], &conf, NULL) < 0)
		return NULL;
	json_object_object_add(conf, "cniVersion", json_object_new_string(list->version));
	json_object_object_add(conf, "name", json_object_new_string(list->name));
	if (prev)
		json_object_object_add(conf, "prevResult", json_object_get(prev));
	else
		json_object_object_del(conf, "prevResult");
	const char *s = json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN);
	text = s ? strdup(s) : NULL;
	json_object_put(conf);
	return text;
}

static __attribute__((noreturn)) void exec_plugin(const char *bin, int in, int out,
						  char *const *env)
{
	sigset_t none;
	sigemptyset(&none);
	/* hull blocks the signals it forwards; a plugin gets a clean mask. */
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(127);
	char *argv[] = { (char *)bin, NULL };
	execve(bin, argv, env);
	_exit(127);
}

/* Run one plugin: config on stdin, its stdout (at most 1 MiB) into *reply.
 * Returns its wait status, or < 0 when it could not be run. */
static int run_plugin(const char *bin, const char *config, char *const *env, char **reply,
		      struct hull_err *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	pid_t pid = -1;
	int status = -1, ret = -1;
	struct timespec t0;

	*reply = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!buf || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		ret = hull_fail(err, errno ? errno : ENOMEM, "cannot run cni plugin '%s'", bin);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = hull_fail(err, errno, "cannot run cni plugin '%s'", bin);
		goto out;
	}
	if (pid == 0)
		exec_plugin(bin, in[0], out[1], env);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	/* Plugins read all of stdin before they answer; a config is small. */
	for (size_t off = 0, n = strlen(config); off < n;) {
		ssize_t w = write(in[1], config + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break; /* it exited early: its status says why */
		off += (size_t)w;
	}
	close(in[1]);
	in[1] = -1;
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left_ms = (long)(HULL_CNI_TIMEOUT_S - (now.tv_sec - t0.tv_sec)) * 1000;
		struct pollfd pfd = { out[0], POLLIN, 0 };
		int r = left_ms > 0 ? poll(&pfd, 1, (int)left_ms) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			kill(pid, SIGKILL);
			ret = hull_fail(err, ETIMEDOUT, "cni plugin '%s' did not finish", bin);
			goto out;
		}
		if (len + 1 >= cap) {
			char *b = cap < (1u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!b) {
				kill(pid, SIGKILL);
				ret = hull_fail(err, EFBIG, "cni plugin '%s' answered too much",
						bin);
				goto out;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t n = read(out[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*reply = buf;
	buf = NULL;
	ret = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	free(buf);
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	return ret < 0 ? ret : status;
}

/* environ plus the CNI variables, which replace any inherited ones. */
static char **plugin_env(const struct hull_cni_run *run, const char *command)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 6, sizeof(char *));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_", 4) != 0)
			env[k++] = strdup(environ[i]);
	if (asprintf(&env[k++], "CNI_COMMAND=%s", command) < 0 ||
	    asprintf(&env[k++], "CNI_CONTAINERID=%s", run->id) < 0 ||
	    asprintf(&env[k++], "CNI_NETNS=%s", run->netns) < 0 ||
	    asprintf(&env[k++], "CNI_IFNAME=%s", HULL_NET_IFNAME) < 0 ||
	    asprintf(&env[k++], "CNI_PATH=%s", run->list->cni_path) < 0)
		env[k - 1] = NULL;
	return env;
}

static void env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* A failed plugin's error object, said in one line. */
static int plugin_failed(const char *type, int status, const char *reply, struct hull_err *err)
{
	json_object *obj = reply ? json_tokener_parse(reply) : NULL, *msg, *details;
	const char *m = NULL, *d = NULL;

	if (obj && json_object_object_get_ex(obj, "msg", &msg))
		m = json_object_get_string(msg);
	if (obj && json_object_object_get_ex(obj, "details", &details))
		d = json_object_get_string(details);
	if (m && d && *d)
		hull_fail(err, 0, "cni plugin '%s' failed: %s: %s", type, m, d);
	else if (m)
		hull_fail(err, 0, "cni plugin '%s' failed: %s", type, m);
	else if (WIFSIGNALED(status))
		hull_fail(err, 0, "cni plugin '%s' killed by signal %d", type, WTERMSIG(status));
	else
		hull_fail(err, 0, "cni plugin '%s' failed with exit status %d", type,
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	json_object_put(obj);
	return -EIO;
}

/* The record of an attachment: who owns it, what to DEL with. Written
 * before the first ADD (a hull killed half-way needs a DEL too) and again
 * with the result. Best effort: without /run/hull, only gc loses. */
static void record_write(const struct hull_cni_run *run)
{
	json_object *o;

	if (!run->record[0] || !(o = json_object_new_object()))
		return;
	json_object_object_add(o, "owner_pid", json_object_new_int(getpid()));
	json_object_object_add(o, "owner_start",
			       json_object_new_uint64(hull_proc_start_time(0, false)));
	json_object_object_add(o, "id", json_object_new_string(run->id));
	json_object_object_add(o, "conflist", json_object_new_string(run->list->path));
	json_object_object_add(o, "cni_path", json_object_new_string(run->list->cni_path));
	json_object_object_add(o, "result", json_object_get(run->result));
	json_object_to_file_ext(run->record, o, JSON_C_TO_STRING_PLAIN);
	json_object_put(o);
}

int hull_cni_add(const struct hull_cni_list *list, const char *container_id, const char *netns_path,
		 const char *state_dir, struct hull_cni_run **out, struct hull_err *err)
{
	struct hull_cni_run *run = calloc(1, sizeof(*run));
	char **env = NULL;
	int ret = 0;

	*out = NULL;
	if (!run)
		return hull_fail(err, ENOMEM, "cannot run cni plugins");
	run->list = list;
	snprintf(run->id, sizeof(run->id), "%s", container_id);
	snprintf(run->netns, sizeof(run->netns), "%s", netns_path);
	if (state_dir) {
		char dir[PATH_MAX - 80];
		snprintf(dir, sizeof(dir), "%s/cni", state_dir);
		if (hull_mkdir_p(dir, 0700, NULL) == 0)
			snprintf(run->record, sizeof(run->record), "%s/%s.json", dir, run->id);
	}
	record_write(run);
	if (!(env = plugin_env(run, "ADD"))) {
		if (run->record[0])
			unlink(run->record);
		free(run);
		return hull_fail(err, ENOMEM, "cannot run cni plugins");
	}
	for (size_t i = 0; i < list->n && ret == 0; i++) {
		const char *type = plugin_type(list->plugins[i]);
		char *config = plugin_config(list, i, run->result), *reply = NULL;
		if (!config) {
			ret = hull_fail(err, ENOMEM, "cannot build the configuration of '%s'",
					type);
			break;
		}
		run->added = i + 1; /* a plugin that failed half-way is deleted too */
		int status = run_plugin(list->bins[i], config, env, &reply, err);
		free(config);
		if (status < 0) {
			ret = status;
		} else if (status != 0) {
			ret = plugin_failed(type, status, reply, err);
		} else {
			json_object *result = json_tokener_parse(reply);
			if (!result || !json_object_is_type(result, json_type_object)) {
				json_object_put(result);
				ret = hull_fail(err, 0, "cni plugin '%s' returned no result", type);
			} else {
				json_object_put(run->result);
				run->result = result;
			}
		}
		free(reply);
	}
	env_free(env);
	if (ret < 0) {
		hull_cni_del(run);
		return ret;
	}
	record_write(run);
	*out = run;
	return 0;
}

void hull_cni_del(struct hull_cni_run *run)
{
	if (!run)
		return;
	char **env = plugin_env(run, "DEL");
	for (size_t i = run->added; env && i-- > 0;) {
		char *config = plugin_config(run->list, i, run->result), *reply = NULL;
		if (config && run_plugin(run->list->bins[i], config, env, &reply, NULL) >= 0)
			free(reply);
		free(config);
	}
	env_free(env);
	if (run->record[0])
		unlink(run->record);
	json_object_put(run->result);
	free(run);
}

/* One record: DEL as its owner would have, when the owner is gone. */
static int gc_record(const char *path)
{
	json_object *rec = json_object_from_file(path), *v;
	struct hull_cni_list *list = NULL;
	struct hull_cni_run *run;
	const char *conflist = NULL, *cni_path = NULL, *id = NULL;
	int pid = 0;
	unsigned long long start = 0;

	if (!rec)
		return 0; /* being written: its owner is alive */
	if (json_object_object_get_ex(rec, "owner_pid", &v))
		pid = json_object_get_int(v);
	if (json_object_object_get_ex(rec, "owner_start", &v))
		start = json_object_get_uint64(v);
	if (pid > 0 && hull_proc_start_time(pid, false) == start) {
		json_object_put(rec);
		return 0;
	}
	if (json_object_object_get_ex(rec, "conflist", &v))
		conflist = json_object_get_string(v);
	if (json_object_object_get_ex(rec, "cni_path", &v))
		cni_path = json_object_get_string(v);
	if (json_object_object_get_ex(rec, "id", &v))
		id = json_object_get_string(v);
	run = calloc(1, sizeof(*run));
	if (conflist && id && run && hull_cni_list_load(conflist, cni_path, &list, NULL) == 0) {
		run->list = list;
		run->added = list->n;
		snprintf(run->id, sizeof(run->id), "%s", id);
		if (json_object_object_get_ex(rec, "result", &v) && v)
			run->result = json_object_get(v);
		/* The namespace died with the container: CNI_NETNS is empty,
		 * as the spec allows for DEL; the plugins release the rest. */
		snprintf(run->record, sizeof(run->record), "%s", path);
		hull_cni_del(run);
		hull_cni_list_free(list);
	} else {
		free(run);
		unlink(path); /* nothing left to DEL with */
	}
	json_object_put(rec);
	return 1;
}

int hull_cni_gc(const char *state_dir)
{
	char dir[PATH_MAX - 300];
	DIR *d;
	struct dirent *de;
	int removed = 0;

	snprintf(dir, sizeof(dir), "%s/cni", state_dir);
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		removed += gc_record(path);
	}
	closedir(d);
	rmdir(dir); /* only when empty */
	return removed;
}
