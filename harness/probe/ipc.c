/* ipc.c — the probe's IPC looks: whether the host's SysV shm segment and
 * POSIX message queue are visible from inside. */
#include "jsonw.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sys/shm.h>

void emit_ipc(const struct opts *o)
{
	open_obj("shm");
	if (o->shm_key >= 0) {
		int id = shmget((key_t)o->shm_key, 0, 0);
		kint("key", o->shm_key);
		kbool("exists", id >= 0);
		kerr("errno", id >= 0 ? 0 : errno);
	} else {
		knull("key");
		kbool("exists", false);
		kstr("errno", "");
	}
	close_obj();

	open_obj("mqueue");
	kstr("name", o->mqueue);
	if (o->mqueue) {
		mqd_t q = mq_open(o->mqueue, O_RDONLY | O_CLOEXEC);
		kbool("exists", q != (mqd_t)-1);
		kerr("errno", q != (mqd_t)-1 ? 0 : errno);
		if (q != (mqd_t)-1)
			mq_close(q);
	} else {
		kbool("exists", false);
		kstr("errno", "");
	}
	close_obj();
}
