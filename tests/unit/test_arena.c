#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/arena.h"

static int cleanups;

static void count_cleanup(void *p)
{
	cleanups += *(int *)p;
}

static void test_alignment_and_reuse(void **state)
{
	struct arena *a = arena_new(256);

	for (int i = 1; i < 200; i++) {
		void *p = arena_alloc(a, (size_t)i);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xAB, (size_t)i);
	}
	assert_true(arena_used(a) >= 199 * 200 / 2);
	arena_free(a);
}

static void test_big_allocations(void **state)
{
	struct arena *a = arena_new(1024);
	char *small = arena_alloc(a, 10);
	char *big = arena_alloc(a, 100000);
	char *after = arena_alloc(a, 10);

	memset(big, 1, 100000);
	memcpy(small, "small", 6);
	memcpy(after, "after", 6);
	assert_string_equal(small, "small");
	assert_string_equal(after, "after");
	arena_free(a);
}

static void test_strings(void **state)
{
	struct arena *a = arena_new(0);
	char *s = arena_strndup(a, "hello world", 5);
	char *f = arena_printf(a, "%s-%d", s, 7);
	struct slice sl = arena_slice_dup(a, SLICE_LIT("abc"));
	char longfmt[600];

	assert_string_equal(s, "hello");
	assert_string_equal(f, "hello-7");
	assert_int_equal(sl.len, 3);
	assert_int_equal(sl.p[3], '\0');
	memset(longfmt, 'y', sizeof(longfmt) - 1);
	longfmt[sizeof(longfmt) - 1] = '\0';
	assert_int_equal(strlen(arena_printf(a, "%s", longfmt)), sizeof(longfmt) - 1);
	arena_free(a);
}

static void test_cleanups_run_in_reverse(void **state)
{
	struct arena *a = arena_new(0);
	int one = 1, ten = 10;

	cleanups = 0;
	arena_cleanup_add(a, count_cleanup, &one);
	arena_cleanup_add(a, count_cleanup, &ten);
	arena_reset(a);
	assert_int_equal(cleanups, 11);
	assert_int_equal(arena_used(a), 0);
	arena_cleanup_add(a, count_cleanup, &one);
	arena_free(a);
	assert_int_equal(cleanups, 12);
}

static void test_zalloc(void **state)
{
	struct arena *a = arena_new(0);
	int *v = ARENA_NEW_ARRAY(a, int, 100);

	for (int i = 0; i < 100; i++)
		assert_int_equal(v[i], 0);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_reuse),
		cmocka_unit_test(test_big_allocations),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_cleanups_run_in_reverse),
		cmocka_unit_test(test_zalloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
