/* seed.c — hull-seed: the tutorial's container, exactly as written, holes
 * and all (see DESIGN.md, "Why it exists"):
 *
 *   fork -> unshare(CLONE_NEWNS|CLONE_NEWUTS) -> chroot(rootfs) -> chdir("/")
 *        -> mount proc on /proc -> sethostname -> execvp     parent: waitpid
 *
 *   hull-seed ROOTFS COMMAND [ARG...]
 *
 * It is the verifier's control sample: its verdicts must show the holes
 * (no PID namespace, so /proc lists every host process and /proc/1/root
 * leads out; chroot instead of pivot_root, so the chroot escape works; no
 * MS_PRIVATE, so the /proc mount reaches the host wherever the rootfs sits
 * on a shared mount). Nothing is fixed here on purpose: no error is checked,
 * like in the tutorial. The only additions are taking the rootfs and the
 * command from argv and passing the child's exit status on, which change
 * nothing about isolation but let the harness see a failure. */
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		static const char msg[] = "Usage: hull-seed ROOTFS COMMAND [ARG...]\n";
		(void)!write(2, msg, sizeof(msg) - 1);
		return 2;
	}
	pid_t pid = fork();
	if (pid == -1) {
		static const char msg[] = "Fork failed\n";
		(void)!write(2, msg, sizeof(msg) - 1);
		return 1;
	}
	if (pid == 0) {
		unshare(CLONE_NEWNS | CLONE_NEWUTS);
		(void)!chroot(argv[1]);
		(void)!chdir("/");
		mount("proc", "/proc", "proc", 0, NULL);
		const char *hostname = "my-container";
		sethostname(hostname, strlen(hostname));
		execvp(argv[2], argv + 2);
		_exit(127); /* the tutorial falls through here; stop the child */
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
