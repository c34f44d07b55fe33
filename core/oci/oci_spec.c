/* oci_spec.c — the default config.json of `hull spec`: what `hull run`
 * gives a container, written as OCI (see oci_config.h). */
#include "oci_config.h"
#include "caps.h"
#include "masks.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

static json_object *strings(const char *const *s)
{
	json_object *a = json_object_new_array();
	for (; *s; s++)
		json_object_array_add(a, json_object_new_string(*s));
	return a;
}

static json_object *abs_paths(const char *const *rel)
{
	json_object *a = json_object_new_array();
	char buf[512];
	for (; *rel; rel++) {
		snprintf(buf, sizeof(buf), "/%s", *rel);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

static json_object *cap_names(hull_capset set)
{
	json_object *a = json_object_new_array();
	for (int c = 0; c < 64; c++) {
		if (!(set & (1ull << c)))
			continue;
		char *name = cap_to_name((cap_value_t)c), buf[64];
		snprintf(buf, sizeof(buf), "%s", name ? name : "?");
		cap_free(name);
		for (char *p = buf; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

static json_object *mount(const char *dest, const char *type, const char *source,
			  const char *const *options)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string(dest));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	json_object_object_add(m, "options", strings(options));
	return m;
}

char *hull_oci_default_config(const char *rootfs)
{
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
		"TERM=xterm", NULL
	};
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", NULL };
	json_object *cfg = json_object_new_object(), *proc = json_object_new_object();
	json_object *user = json_object_new_object(), *caps = json_object_new_object();
	json_object *root = json_object_new_object(), *lx = json_object_new_object();
	json_object *mounts = json_object_new_array(), *nss = json_object_new_array();
	hull_capset set = hull_caps_default();

	json_object_object_add(cfg, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(proc, "terminal", json_object_new_boolean(0));
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(proc, "user", user);
	json_object_object_add(proc, "args", strings((const char *const[]){ "sh", NULL }));
	json_object_object_add(proc, "env", strings(env));
	json_object_object_add(proc, "cwd", json_object_new_string("/"));
	json_object_object_add(caps, "bounding", cap_names(set));
	json_object_object_add(caps, "effective", cap_names(set));
	json_object_object_add(caps, "permitted", cap_names(set));
	json_object_object_add(proc, "capabilities", caps);
	json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(1));
	json_object_object_add(cfg, "process", proc);

	json_object_object_add(root, "path", json_object_new_string(rootfs));
	json_object_object_add(root, "readonly", json_object_new_boolean(0));
	json_object_object_add(cfg, "root", root);
	json_object_object_add(cfg, "hostname", json_object_new_string("hull"));

	json_object_array_add(mounts,
			      mount("/proc", "proc", "proc", (const char *const[]){ NULL }));
	json_object_array_add(mounts,
			      mount("/dev", "tmpfs", "tmpfs",
				    (const char *const[]){ "nosuid", "strictatime", "mode=755",
							   "size=65536k", NULL }));
	json_object_array_add(mounts,
			      mount("/dev/pts", "devpts", "devpts",
				    (const char *const[]){ "nosuid", "noexec", "newinstance",
							   "ptmxmode=0666", "mode=0620", NULL }));
	json_object_array_add(mounts,
			      mount("/dev/shm", "tmpfs", "shm",
				    (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777",
							   "size=65536k", NULL }));
	json_object_array_add(mounts,
			      mount("/dev/mqueue", "mqueue", "mqueue",
				    (const char *const[]){ "nosuid", "noexec", "nodev", NULL }));
	json_object_array_add(
		mounts, mount("/sys", "sysfs", "sysfs",
			      (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL }));
	json_object_object_add(cfg, "mounts", mounts);

	for (const char *const *n = ns; *n; n++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(*n));
		json_object_array_add(nss, o);
	}
	json_object_object_add(lx, "namespaces", nss);
	json_object_object_add(lx, "maskedPaths", abs_paths(hull_masked_paths));
	json_object_object_add(lx, "readonlyPaths", abs_paths(hull_readonly_paths));
	json_object_object_add(cfg, "linux", lx);

	char *text = strdup(json_object_to_json_string_ext(
		cfg, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(cfg);
	return text;
}

int hull_oci_write_default_config(const char *bundle, const char *rootfs, struct hull_err *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return hull_fail(err, ENAMETOOLONG, "cannot write '%s/config.json'", bundle);
	char *text = hull_oci_default_config(rootfs);
	if (!text)
		return hull_fail(err, ENOMEM, "cannot write '%s'", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		if (errno == EEXIST)
			return hull_fail(err, 0, "cannot write '%s': it exists already", path);
		return hull_fail(err, errno, "cannot write '%s'", path);
	}
	size_t len = strlen(text);
	text[len] = '\n'; /* the NUL goes: write exactly len + 1 bytes */
	ssize_t n = write(fd, text, len + 1);
	int saved = errno;
	close(fd);
	free(text);
	if (n != (ssize_t)len + 1)
		return hull_fail(err, n < 0 ? saved : EIO, "cannot write '%s'", path);
	return 0;
}
