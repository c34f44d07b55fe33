/* features.c — `hull features`: what hull supports, as the OCI features
 * JSON. */
#include "cli.h"

int cli_features(int argc, char **argv, const struct cli_globals *g)
{
	(void)argv;
	if (argc != 1)
		return cli_error(g, "features takes no arguments");
	puts("{\n"
	     "  \"ociVersionMin\": \"1.0.0\",\n"
	     "  \"ociVersionMax\": \"1.1.0\",\n"
	     "  \"hooks\": [\"prestart\", \"createRuntime\", \"startContainer\", "
	     "\"poststart\", \"poststop\"],\n"
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
