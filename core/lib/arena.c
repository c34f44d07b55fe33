/* arena.c — the first allocations of a hull process come from a static
 * buffer, not from the C library's allocator.
 *
 * A `hull run` allocates a few hundred bytes before its clone (the
 * rootfs's real path, the command's environment). musl's allocator sets
 * itself up at the first one: brk twice, a guard mapping and a group
 * mapping, and page faults in three places hull touches nothing else (its
 * state in the C library's .bss, the brk heap, the group): on a VM whose
 * page faults and new page tables cost 10-50 us each, ~50-90 us of the
 * parse phase. The musl hull links with --wrap=malloc,calloc,realloc,free
 * (core/core.mk): the wrappers below serve blocks from hull_malloc_arena
 * until a request does not fit, then everything from the real allocator.
 * A block of the arena is never reused (free does nothing to it), so a
 * long-lived hull (the pool's supervisor, hull run's supervision) wastes
 * at most the arena's size. Only that link pulls this file in: the
 * wrappers are the only references to it. */
#include "arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Each block is preceded by a header with its size, so realloc knows how
 * much to copy. */
struct block_header {
	size_t size;
	unsigned char pad[HULL_ARENA_ALIGN - sizeof(size_t)];
};

void *hull_arena_alloc(struct hull_arena *a, size_t n)
{
	size_t used = __atomic_load_n(&a->used, __ATOMIC_RELAXED), take;

	if (__atomic_load_n(&a->closed, __ATOMIC_ACQUIRE))
		return NULL;
	if (n > a->size)
		goto full;
	take = sizeof(struct block_header) +
	       ((n + HULL_ARENA_ALIGN - 1) & ~(size_t)(HULL_ARENA_ALIGN - 1));
	do {
		if (take > a->size - used)
			goto full;
	} while (!__atomic_compare_exchange_n(&a->used, &used, used + take, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	struct block_header *h = (struct block_header *)(a->buf + used);
	h->size = n;
	return h + 1;
full:
	__atomic_store_n(&a->closed, true, __ATOMIC_RELEASE);
	return NULL;
}

bool hull_arena_owns(const struct hull_arena *a, const void *p)
{
	return (uintptr_t)p >= (uintptr_t)a->buf && (uintptr_t)p < (uintptr_t)a->buf + a->size;
}

size_t hull_arena_block_size(const void *p)
{
	return ((const struct block_header *)p - 1)->size;
}

/* 64 KiB: a default `hull run` takes ~1.3 KiB before its exec (14 KiB
 * with --memory and --env), the OCI verbs more: create ~39 KiB (json-c's
 * objects for config.json), start ~9, delete ~8. With 16 KiB create
 * filled the arena (four pages touched) and set musl's allocator up
 * after all: 1.04-1.06x slower. Untouched pages of it cost nothing. */
static unsigned char arena_buf[65536] __attribute__((aligned(64)));
struct hull_arena hull_malloc_arena = { arena_buf, sizeof(arena_buf), 0, false };

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n)
{
	void *p = hull_arena_alloc(&hull_malloc_arena, n);

	return p ? p : __real_malloc(n);
}

void *__wrap_calloc(size_t m, size_t n)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(m, n, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	p = hull_arena_alloc(&hull_malloc_arena, total);
	return p ? p : __real_calloc(m, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (!hull_arena_owns(&hull_malloc_arena, p))
		return __real_realloc(p, n);
	size_t old = hull_arena_block_size(p);
	void *q = __wrap_malloc(n);

	if (q)
		memcpy(q, p, old < n ? old : n);
	return q;
}

void __wrap_free(void *p)
{
	if (!hull_arena_owns(&hull_malloc_arena, p))
		__real_free(p);
}
