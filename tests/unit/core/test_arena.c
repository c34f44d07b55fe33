/* test_arena.c — core/lib/arena.c: the bump allocator, and the malloc
 * wrappers the musl hull links with (this test links with the same
 * --wrap flags, tests/unit/unit.mk): blocks aligned and zeroed, free a
 * no-op for arena blocks, realloc copying, the fall-back to the real
 * allocator once a request does not fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static unsigned char small_buf[256] __attribute__((aligned(HULL_ARENA_ALIGN)));

static void test_blocks_aligned_zeroed_disjoint(void **state)
{
	struct hull_arena a = { small_buf, sizeof(small_buf), 0, false };
	unsigned char *prev_end = small_buf;

	(void)state;
	memset(small_buf, 0, sizeof(small_buf));
	for (size_t n = 0; n < 6; n++) {
		unsigned char *p = hull_arena_alloc(&a, n * 3);

		assert_non_null(p);
		assert_true(hull_arena_owns(&a, p));
		assert_int_equal((uintptr_t)p % HULL_ARENA_ALIGN, 0);
		assert_true(p >= prev_end);
		assert_int_equal(hull_arena_block_size(p), n * 3);
		for (size_t i = 0; i < n * 3; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xa5, n * 3);
		prev_end = p + n * 3;
	}
	assert_false(hull_arena_owns(&a, small_buf + sizeof(small_buf)));
	assert_false(hull_arena_owns(&a, &a));
}

static void test_full_closes(void **state)
{
	struct hull_arena a = { small_buf, sizeof(small_buf), 0, false };

	(void)state;
	assert_non_null(hull_arena_alloc(&a, 100));
	/* 16 + 112 taken; 128 left: a block of 128 needs 144. */
	assert_null(hull_arena_alloc(&a, 128));
	assert_true(a.closed);
	/* It would fit now, but a closed arena serves nothing more. */
	assert_null(hull_arena_alloc(&a, 1));
	struct hull_arena b = { small_buf, sizeof(small_buf), 0, false };
	assert_null(hull_arena_alloc(&b, SIZE_MAX));
	assert_int_equal(b.used, 0);
}

static void test_wrapped_malloc_free(void **state)
{
	(void)state;
	char *p = malloc(10);

	assert_non_null(p);
	p[0] = 'x';
	assert_true(hull_arena_owns(&hull_malloc_arena, p));
	uintptr_t block = (uintptr_t)p;
	free(p); /* a no-op: the block is never handed out again */
	char *q = malloc(10);
	assert_non_null(q);
	q[0] = 'y';
	assert_true(hull_arena_owns(&hull_malloc_arena, q));
	assert_true((uintptr_t)q >= block + 10);
	free(q);
}

static void test_wrapped_calloc_realloc(void **state)
{
	(void)state;
	unsigned char *z = calloc(4, 8);

	assert_true(hull_arena_owns(&hull_malloc_arena, z));
	for (size_t i = 0; i < 32; i++)
		assert_int_equal(z[i], 0);
	char *p = malloc(6);
	memcpy(p, "hello", 6);
	char *grown = realloc(p, 100);
	assert_true(hull_arena_owns(&hull_malloc_arena, grown));
	assert_ptr_not_equal(grown, p);
	assert_string_equal(grown, "hello");
	char *shrunk = realloc(grown, 3);
	assert_memory_equal(shrunk, "hel", 3);
	assert_int_equal(hull_arena_block_size(shrunk), 3);
	volatile size_t huge = SIZE_MAX / 2;
	errno = 0;
	assert_null(calloc(huge, 4));
	assert_int_equal(errno, ENOMEM);
	free(z);
	free(shrunk);
}

/* Last: it fills the process's arena for good. */
static void test_wrapped_fall_back_when_full(void **state)
{
	(void)state;
	char *in = malloc(8), *out = NULL;

	memcpy(in, "arena", 6);
	while (!hull_malloc_arena.closed) {
		char *fill = malloc(1000); /* arena blocks, then one real block */

		assert_non_null(fill);
		if (!hull_arena_owns(&hull_malloc_arena, fill))
			free(fill);
	}
	out = malloc(16);
	assert_non_null(out);
	assert_false(hull_arena_owns(&hull_malloc_arena, out));
	free(out);
	/* An arena block realloc'd once the arena is closed moves out. */
	char *moved = realloc(in, 4096);
	assert_non_null(moved);
	assert_false(hull_arena_owns(&hull_malloc_arena, moved));
	assert_string_equal(moved, "arena");
	moved = realloc(moved, 8192);
	assert_string_equal(moved, "arena");
	free(moved);
	unsigned char *z = calloc(64, 64);
	assert_false(hull_arena_owns(&hull_malloc_arena, z));
	for (size_t i = 0; i < 64 * 64; i++)
		assert_int_equal(z[i], 0);
	free(z);
	free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_aligned_zeroed_disjoint),
		cmocka_unit_test(test_full_closes),
		cmocka_unit_test(test_wrapped_malloc_free),
		cmocka_unit_test(test_wrapped_calloc_realloc),
		cmocka_unit_test(test_wrapped_fall_back_when_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
