/* nl_deferred.c — libnl's constructors run before its first socket, not at
 * every exec of the musl hull (core/core.mk, HULL_NL_DEFERRED).
 *
 * libnl registers its link, qdisc and cache types and reads
 * /etc/libnl/classid in 13 constructors. Only --network veth, bridge and
 * --net-rate use libnl, always through a socket of its own first
 * (core/lib/net_link.c, hull_nl_open); every other start and every OCI
 * command paid them before main: two system calls and ~3 page faults of
 * code nothing else runs (~10 us each on a VM). The build moves them out
 * of .init_array into a section of their own (objcopy) and links with
 * --wrap=nl_socket_alloc, so they run here, once, in their link order as
 * the C library would have run them. Their destructors (frees at exit)
 * are moved out too and never run. */
#include <pthread.h>

struct nl_sock;
struct nl_sock *__real_nl_socket_alloc(void);
struct nl_sock *__wrap_nl_socket_alloc(void);

typedef void (*nl_ctor)(void);
/* The linker's bounds of the renamed section. */
extern const nl_ctor __start_hull_nl_ctors[], __stop_hull_nl_ctors[];

static void run_ctors(void)
{
	for (const nl_ctor *c = __start_hull_nl_ctors; c < __stop_hull_nl_ctors; c++)
		(*c)();
}

struct nl_sock *__wrap_nl_socket_alloc(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, run_ctors);
	return __real_nl_socket_alloc();
}
