/* oci_cli_more.c — the OCI commands beyond the lifecycle: list, spec,
 * features, pause, resume, exec; global options and usage. */
#include "oci_cli_impl.h"
#include "oci_config.h"
#include "oci_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hull_oci_usage(FILE *out)
{
	fputs("Usage (OCI runtime commands; global options before the command):\n"
	      " hull [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND\n"
	      "\n"
	      " run --bundle DIR [--pid-file F] ID      create, start and wait for a container\n"
	      " create --bundle DIR [--pid-file F] [--console-socket S] ID\n"
	      "                                         set it up; it waits for start\n"
	      " start ID                                run the created container's process\n"
	      " exec [--detach] [--pid-file F] [--tty --console-socket S]\n"
	      "      (--process JSON | [-e K=V] [--cwd D]) ID [CMD...]\n"
	      "                                         run another process in the container\n"
	      " state ID                                the OCI state JSON\n"
	      " kill [--all] ID [SIGNAL]                signal it (15, TERM or SIGTERM)\n"
	      " delete [--force] ID                     remove it (--force: kill it first)\n"
	      " pause ID | resume ID                    freeze or thaw its cgroup\n"
	      " list [--format table|json] [-q]         the containers under --root\n"
	      " spec [--bundle DIR] [--rootfs PATH]     write a default config.json\n"
	      " features                                what hull supports, as JSON\n"
	      "\n"
	      "--root defaults to /run/hull; -b is --bundle, default the current directory.\n",
	      out);
}

int hull_oci_parse_global(int argc, char **argv, int *i, struct hull_oci_global *g)
{
	static const struct hull_oci_global none = { .root = HULL_OCI_DEFAULT_ROOT };

	*g = none;
	for (; *i < argc && argv[*i][0] == '-' && argv[*i][1] == '-'; (*i)++) {
		const char *a = argv[*i], *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		const char *val = eq ? eq + 1 : (*i + 1 < argc ? argv[*i + 1] : NULL);
		bool takes = true;
#define IS(name) (n == strlen(name) && strncmp(a, name, n) == 0)
		if (IS("--debug") || IS("--systemd-cgroup")) {
			g->debug |= IS("--debug");
			takes = false;
		} else if (!IS("--root") && !IS("--log") && !IS("--log-format") &&
			   !IS("--cgroup-manager")) {
			return -1; /* not ours: the caller says so */
		}
		if (takes && !val) {
			fprintf(stderr, "hull: option '%.*s' requires an argument\n", (int)n, a);
			return -2;
		}
		if (IS("--root"))
			g->root = val;
		else if (IS("--log"))
			g->log = val;
		else if (IS("--log-format")) {
			if (strcmp(val, "json") != 0 && strcmp(val, "text") != 0) {
				fprintf(stderr, "hull: unknown log format '%s' (text or json)\n",
					val);
				return -2;
			}
			g->log_json = strcmp(val, "json") == 0;
		} else if (IS("--cgroup-manager") && strcmp(val, "cgroupfs") != 0 &&
			   strcmp(val, "disabled") != 0) {
			fprintf(stderr, "hull: unsupported cgroup manager '%s' (cgroupfs)\n", val);
			return -2;
		}
#undef IS
		if (takes && !eq)
			(*i)++;
	}
	return 0;
}

int oci_cmd_list(int argc, char **argv, const struct hull_oci_global *g)
{
	bool json = false, quiet = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) &&
			 i + 1 < argc &&
			 (strcmp(argv[i + 1], "json") == 0 || strcmp(argv[i + 1], "table") == 0))
			json = strcmp(argv[++i], "json") == 0;
		else
			return oci_error(g, "unknown argument '%s' to list", argv[i]);
	}
	DIR *d = opendir(g->root);
	json_object *all = json_object_new_array();
	if (!json && !quiet)
		printf("%-20s %-8s %-8s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	for (struct dirent *e; d && (e = readdir(d));) {
		struct hull_oci_state st = { .lock_fd = -1 };
		if (e->d_name[0] == '.' || hull_oci_state_read(g->root, e->d_name, &st, NULL) < 0) {
			hull_oci_state_close(&st);
			continue;
		}
		enum hull_oci_status s = hull_oci_status(&st);
		if (json) {
			char *text = hull_oci_state_json(&st, s);
			json_object_array_add(all, json_tokener_parse(text));
			free(text);
		} else if (quiet) {
			printf("%s\n", st.id);
		} else {
			printf("%-20s %-8d %-8s %-30s %s\n", st.id,
			       s == HULL_OCI_STOPPED ? 0 : (int)st.pid, hull_oci_status_name(s),
			       st.bundle, st.created);
		}
		hull_oci_state_close(&st);
	}
	if (d)
		closedir(d);
	if (json)
		printf("%s\n",
		       json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
	return 0;
}

int oci_cmd_spec(int argc, char **argv, const struct hull_oci_global *g)
{
	const char *bundle = ".", *rootfs = "rootfs";
	char path[PATH_MAX];

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--bundle") == 0 || strcmp(argv[i], "-b") == 0) &&
		    i + 1 < argc)
			bundle = argv[++i];
		else if (strcmp(argv[i], "--rootfs") == 0 && i + 1 < argc)
			rootfs = argv[++i];
		else
			return oci_error(g, "unknown argument '%s' to spec", argv[i]);
	}
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	char *text = hull_oci_default_config(rootfs);
	int fd = text ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
	if (fd < 0) {
		free(text);
		return oci_error(g, "cannot write '%s': %s", path,
				 errno == EEXIST ? "it exists already" : strerror(errno));
	}
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	n += write(fd, "\n", 1);
	close(fd);
	free(text);
	if (n != (ssize_t)len + 1)
		return oci_error(g, "cannot write '%s'", path);
	return 0;
}

int oci_cmd_features(int argc, char **argv, const struct hull_oci_global *g)
{
	(void)argv;
	if (argc != 1)
		return oci_error(g, "features takes no arguments");
	puts("{\n"
	     "  \"ociVersionMin\": \"1.0.0\",\n"
	     "  \"ociVersionMax\": \"1.1.0\",\n"
	     "  \"hooks\": [],\n"
	     "  \"mountOptions\": [\"ro\", \"rw\", \"nosuid\", \"suid\", \"nodev\", \"dev\", "
	     "\"noexec\", \"exec\", \"sync\", \"async\", \"dirsync\", \"mand\", \"nomand\", "
	     "\"noatime\", \"atime\", \"nodiratime\", \"diratime\", \"relatime\", "
	     "\"norelatime\", \"strictatime\", \"nostrictatime\", \"bind\", \"rbind\", "
	     "\"private\", \"rprivate\", \"slave\", \"rslave\", \"shared\", \"rshared\", "
	     "\"unbindable\", \"runbindable\"],\n"
	     "  \"linux\": {\n"
	     "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", "
	     "\"time\", \"user\", \"uts\"],\n"
	     "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, "
	     "\"systemdUser\": false},\n"
	     "    \"seccomp\": {\"enabled\": true, \"actions\": [\"SCMP_ACT_ALLOW\", "
	     "\"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", "
	     "\"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_TRACE\", "
	     "\"SCMP_ACT_TRAP\"], \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", "
	     "\"SCMP_CMP_GT\", \"SCMP_CMP_LE\", \"SCMP_CMP_LT\", \"SCMP_CMP_MASKED_EQ\", "
	     "\"SCMP_CMP_NE\"]},\n"
	     "    \"apparmor\": {\"enabled\": false},\n"
	     "    \"selinux\": {\"enabled\": false}\n"
	     "  }\n"
	     "}");
	return 0;
}

static int pause_resume(int argc, char **argv, const struct hull_oci_global *g, bool frozen)
{
	struct hull_oci_state st;
	struct hull_err err;
	struct hull_cgroup cg;
	struct hull_limits limits;
	int ret = 0;

	if (argc != 2 || argv[1][0] == '-')
		return oci_error(g, "%s needs exactly one container id", argv[0]);
	if (hull_oci_state_open(g->root, argv[1], &st, &err) < 0) {
		hull_oci_state_close(&st);
		return oci_error(g, "%s", err.msg);
	}
	enum hull_oci_status s = hull_oci_status(&st);
	if (s != (frozen ? HULL_OCI_RUNNING : HULL_OCI_PAUSED))
		ret = oci_error(g, "cannot %s container '%s': it is %s", argv[0], st.id,
				hull_oci_status_name(s));
	else if (!st.cgroup_name[0] || hull_oci_cgroup(&st, &cg, &limits, &err) < 0 ||
		 hull_cgroup_freeze(&cg, frozen, &err) < 0)
		ret = oci_error(g, "%s", st.cgroup_name[0] ? err.msg : "container has no cgroup");
	hull_oci_state_close(&st);
	return ret;
}

int oci_cmd_pause(int argc, char **argv, const struct hull_oci_global *g)
{
	return pause_resume(argc, argv, g, true);
}

int oci_cmd_resume(int argc, char **argv, const struct hull_oci_global *g)
{
	return pause_resume(argc, argv, g, false);
}
