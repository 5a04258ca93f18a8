#include "core/compat.h"
#include <math.h>
#include <setjmp.h>
#include <cmocka.h>
#include "engine/related_index.h"

/* Index article `id` (category `cat`, published at `id`) from space-separated stems. */
static void put(struct related_index *idx, int64_t id, int64_t cat, const char *words)
{
	struct ri_term_in t[64];
	size_t n = 0;

	for (const char *p = words; *p && n < 64;) {
		size_t len = strcspn(p, " ");
		t[n++] = (struct ri_term_in){ p, len, 1.0 };
		p += len;
		p += strspn(p, " ");
	}
	ri_put(idx, &(struct ri_meta){ id, cat, id, 0 }, t, n);
}

/* Ten filler articles so that topic words are rare enough to weigh. */
static void filler(struct related_index *idx)
{
	for (int i = 0; i < 10; i++)
		put(idx, 100 + i, 9, i % 2 ? "weather sunny mild" : "weather rain cold");
}

static void test_cosine_order(void **state)
{
	struct related_index *idx = ri_new();
	int64_t ids[8];
	double sc[8];
	size_t n;

	filler(idx);
	put(idx, 1, 1, "bridge harbor rebuild span pier crew");
	put(idx, 2, 2, "bridge harbor rebuild contract pier");
	put(idx, 3, 2, "bridge toll price");
	put(idx, 4, 3, "striker goal derby penalty");
	n = ri_similar(idx, 1, 1.0, 8, ids, sc);
	assert_int_equal(n, 2);          /* the derby shares nothing */
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 3);
	assert_true(sc[0] > sc[1] && sc[1] > 0 && sc[0] <= 1.0 + 1e-6);
	/* A query is symmetric: the cosine of 2 with 1 is the cosine of 1 with 2. */
	n = ri_similar(idx, 2, 1.0, 8, ids, sc);
	assert_int_equal(ids[0], 1);
	ri_free(idx);
}

static void test_category_boost_and_limit(void **state)
{
	struct related_index *idx = ri_new();
	int64_t ids[8];
	double sc[8];

	filler(idx);
	put(idx, 1, 1, "budget council vote");
	put(idx, 2, 2, "budget council vote");
	put(idx, 3, 1, "budget council vote");
	/* 2 and 3 tie on content; the newer (3) wins ties, and the boost keeps 3 first. */
	assert_int_equal(ri_similar(idx, 1, 1.0, 1, ids, sc), 1);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ri_similar(idx, 2, 1.5, 2, ids, sc), 2);
	assert_int_equal(ids[0], 3);
	assert_true(fabs(sc[0] - sc[1]) < 1e-9);
	assert_int_equal(ri_similar(idx, 1, 1.0, 0, ids, sc), 0);
	ri_free(idx);
}

static void test_replace_and_forget(void **state)
{
	struct related_index *idx = ri_new();
	int64_t ids[8];
	double sc[8];
	size_t n;

	filler(idx);
	put(idx, 1, 1, "election ballot count");
	put(idx, 2, 1, "election ballot recount");
	put(idx, 3, 1, "orchestra concert violin");
	assert_int_equal(ri_count(idx), 13);
	assert_int_equal(ri_similar(idx, 1, 1.0, 8, ids, sc), 1);
	assert_int_equal(ids[0], 2);
	/* Rewritten as a concert story: it now relates to 3, and no longer to 1. */
	put(idx, 2, 1, "orchestra concert violin cello");
	assert_int_equal(ri_count(idx), 13);
	n = ri_similar(idx, 2, 1.0, 8, ids, sc);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ri_similar(idx, 1, 1.0, 8, ids, sc), 0);
	ri_forget(idx, 3);
	ri_forget(idx, 3);  /* twice is fine */
	ri_forget(idx, 999);
	assert_null(ri_get(idx, 3));
	assert_int_equal(ri_count(idx), 12);
	assert_int_equal(ri_similar(idx, 2, 1.0, 8, ids, sc), 0);
	assert_int_equal(ri_similar(idx, 3, 1.0, 8, ids, sc), 0);  /* not indexed */
	assert_int_equal(ri_oldest(idx)->id, 1);
	ri_free(idx);
}

static void test_outside_terms(void **state)
{
	struct related_index *idx = ri_new();
	struct ri_term_in q[] = {
		{ "harbor", 6, 2.0 }, { "bridge", 6, 1.0 }, { "unknown", 7, 5.0 },
	};
	int64_t ids[8];
	double sc[8];

	filler(idx);
	put(idx, 1, 1, "bridge harbor crew");
	put(idx, 2, 1, "bridge harbor pier");
	put(idx, 3, 1, "concert violin");
	assert_int_equal(ri_similar_terms(idx, q, 3, 2, 1, 1.0, 8, ids, sc), 1);
	assert_int_equal(ids[0], 1);  /* 2 is excluded: it is the article asking */
	ri_free(idx);
}

/* Neighbour lists: computed on demand, counted while missing, dropped on request. */
static void test_neighbour_lists(void **state)
{
	struct related_index *idx = ri_new();
	const int64_t *nb;
	int64_t ids[4];
	size_t n;

	filler(idx);
	put(idx, 1, 1, "bridge harbor crew");
	put(idx, 2, 1, "bridge harbor pier");
	assert_int_equal(ri_lacking_neighbours(idx, NULL, SIZE_MAX), 12);
	assert_int_equal(ri_lacking_neighbours(idx, ids, 4), 4);
	assert_false(ri_has_neighbours(idx, 1));
	assert_true(ri_neighbours(idx, 1, 1.0, &nb, &n));
	assert_true(n >= 1);
	assert_int_equal(nb[0], 2);
	assert_true(ri_has_neighbours(idx, 1));
	assert_int_equal(ri_lacking_neighbours(idx, NULL, SIZE_MAX), 11);
	ri_drop_neighbours(idx, 1);
	assert_false(ri_has_neighbours(idx, 1));
	assert_int_equal(ri_lacking_neighbours(idx, NULL, SIZE_MAX), 12);
	ri_free(idx);
}

/* Many replacements and removals: compaction keeps every answer the same. */
static void test_churn_compacts(void **state)
{
	struct related_index *idx = ri_new();
	int64_t ids[4];
	double sc[4];
	size_t before;

	filler(idx);
	put(idx, 1, 1, "bridge harbor crew");
	put(idx, 2, 1, "bridge harbor pier");
	before = ri_bytes(idx);
	for (int round = 0; round < 3000; round++) {
		put(idx, 1000 + round % 7, 5, "lottery jackpot ticket winner draw numbers");
		if (round % 3 == 0)
			ri_forget(idx, 1000 + (round + 1) % 7);
	}
	assert_true(ri_count(idx) >= 12 && ri_count(idx) <= 19);
	assert_int_equal(ri_similar(idx, 1, 1.0, 4, ids, sc), 1);
	assert_int_equal(ids[0], 2);
	/* 3,000 writes of 6 terms each were compacted away, not kept. */
	assert_true(ri_bytes(idx) < before + 200000);
	ri_free(idx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cosine_order),
		cmocka_unit_test(test_category_boost_and_limit),
		cmocka_unit_test(test_replace_and_forget),
		cmocka_unit_test(test_outside_terms),
		cmocka_unit_test(test_neighbour_lists),
		cmocka_unit_test(test_churn_compacts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
