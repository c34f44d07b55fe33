/* probe.h — what hull-probe's looks share: the command-line options that
 * point them at host objects, the output bounds, and one function per part
 * of the JSON object (main.c calls them in output order; the schema is at
 * the top of main.c). Every emit_* writes its members through jsonw.h and
 * always writes every field, null or "" where nothing was observed. */
#ifndef HULL_PROBE_PROBE_H
#define HULL_PROBE_PROBE_H

#include <stdbool.h>

#define MAX_PIDS     256
#define MAX_MOUNTS   128
#define MAX_ENTRIES  64
#define ESCAPE_STEPS 256

struct opts {
	const char *marker;
	int port;	   /* -1: none */
	long long shm_key; /* -1: none */
	const char *mqueue;
	const char *mount_test;
	bool escape;
	const char *reach[4]; /* --reach ADDR:PORT, in order */
	int n_reach;
};

/* namespaces.c: namespace identities, and the pids /proc shows */
void emit_ns(void);
void emit_proc(void);

/* mounts.c: the mount table, the root's entries, the mount test */
void emit_mounts(void);
void emit_root(void);
void emit_mount_test(const struct opts *o);
/* An array member k of up to MAX_ENTRIES names in dir (empty if none). */
void emit_entries(const char *k, const char *dir);

/* escape.c: ways out of the root — the host marker, the chroot escape
 * (last: it changes the root) */
void emit_marker(const struct opts *o);
void emit_escape(const struct opts *o);

/* network.c: interfaces and a loopback connect to the host's port */
void emit_ifaces(void);
void emit_connect(const struct opts *o);
/* "lo": connect to a listener the probe opens on 127.0.0.1 itself. */
void emit_lo(void);
/* Each --reach ADDR:PORT: a TCP connect within 1 s. */
void emit_reach(const struct opts *o);

/* ipc.c: the host's SysV shm segment and POSIX message queue */
void emit_ipc(const struct opts *o);

/* process.c: id maps and /proc/self files, open fds, capabilities */
void emit_files(void);
void emit_fds(void);
void emit_caps(void);
/* The whole of a small /proc file, or NULL. The buffer is one of six used
 * in turn: valid until six more calls. */
char *slurp(const char *path);

#endif
