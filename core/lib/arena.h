/* arena.h — a bump allocator over a fixed buffer, and the musl hull's
 * malloc wrappers that serve a run's first allocations from one
 * (core/lib/arena.c, core/core.mk HULL_MALLOC_WRAP). */
#ifndef HULL_ARENA_H
#define HULL_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Blocks are aligned to this (max_align_t on x86_64 and aarch64). */
#define HULL_ARENA_ALIGN 16

struct hull_arena {
	unsigned char *buf; /* HULL_ARENA_ALIGN-aligned */
	size_t size;
	size_t used; /* bytes handed out; only grows (atomic) */
	bool closed; /* set at the first request it cannot serve (atomic) */
};

/* A block of n bytes, zeroed (the buffer starts zeroed and no byte is
 * handed out twice), or NULL once a request did not fit: the arena then
 * stays closed, so the real allocator that serves the rest never gets an
 * arena block from its own internal calls. Thread-safe. */
void *hull_arena_alloc(struct hull_arena *a, size_t n);
bool hull_arena_owns(const struct hull_arena *a, const void *p);
/* The size a block was allocated with. */
size_t hull_arena_block_size(const void *p);

/* The process's arena (the buffer behind the musl hull's malloc). */
extern struct hull_arena hull_malloc_arena;

#endif
