#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "engine/pagecache.h"

static const struct pagecache_stamp stamp1 = { 1, 0, 100 };

static struct pagecache_page *page(const char *key, const struct pagecache_stamp *st)
{
	struct http_header h[] = { { "Surrogate-Key", "home" } };
	struct pagecache_ad_call ads[] = { { "sidebar", 0 } };

	return pagecache_page_new(key, st, "text/html", 0, h, 1, ads, 1, 7);
}

static struct pagecache_body *body(int64_t ad, size_t len)
{
	char *text = calloc(1, len);
	struct pagecache_body *b;

	memset(text, 'x', len);
	b = pagecache_body_new(&ad, 1, text, len, "gz", 2, "br", 2);
	free(text);
	return b;
}

/* Store a page with one body; the caller keeps no reference. */
static void put(struct pagecache *pc, const char *key, const struct pagecache_stamp *st,
		int64_t ad, size_t len)
{
	struct pagecache_page *pg = page(key, st);
	struct pagecache_body *b = body(ad, len);

	pagecache_add(pc, pg, b);
	pagecache_body_unref(b);
	pagecache_page_unref(pg);
}

static void test_off_when_budget_is_zero(void **state)
{
	assert_null(pagecache_new(0));
	pagecache_free(NULL);
}

static void test_hit_needs_the_same_stamp(void **state)
{
	struct pagecache *pc = pagecache_new(1 << 20);
	struct pagecache_stamp other_day = { 1, 0, 101 };
	struct pagecache_page *pg;

	put(pc, "/a/", &stamp1, 3, 100);
	pg = pagecache_get(pc, "/a/", &stamp1);
	assert_non_null(pg);
	assert_string_equal(pg->headers[0].value, "home");
	assert_int_equal(pg->view_id, 7);
	assert_string_equal(pg->ads[0].slot, "sidebar");
	pagecache_page_unref(pg);
	assert_null(pagecache_get(pc, "/b/", &stamp1));
	/* Midnight in the site's zone: the date bar changed, so the page did. */
	assert_null(pagecache_get(pc, "/a/", &other_day));
	assert_null(pagecache_get(pc, "/a/", &stamp1));  /* and it was dropped */
	pagecache_free(pc);
}

static void test_bodies_by_ads_and_etags_per_coding(void **state)
{
	struct pagecache *pc = pagecache_new(1 << 20);
	struct pagecache_page *pg = page("/a/", &stamp1);
	struct pagecache_body *b1 = body(1, 100), *b2 = body(2, 100), *found;
	int64_t want = 2, none = 9;

	pagecache_add(pc, pg, b1);
	pagecache_add(pc, pg, b2);
	found = pagecache_find_body(pc, pg, &want, 1);
	assert_ptr_equal(found, b2);
	pagecache_body_unref(found);
	assert_null(pagecache_find_body(pc, pg, &none, 1));
	assert_string_not_equal(b1->pre.etag[HTTP_IDENTITY], b1->pre.etag[HTTP_GZIP]);
	assert_string_not_equal(b1->pre.etag[HTTP_GZIP], b1->pre.etag[HTTP_BROTLI]);
	assert_true(b1->pre.etag[HTTP_IDENTITY][0] == '"');  /* strong */
	/* same bytes, same tag: b1 and b2 differ only in the ads they record */
	assert_string_equal(b1->pre.etag[HTTP_GZIP], b2->pre.etag[HTTP_GZIP]);
	assert_int_equal(b1->pre.len[HTTP_BROTLI], 2);
	pagecache_body_unref(b1);
	pagecache_body_unref(b2);
	pagecache_page_unref(pg);
	pagecache_free(pc);
}

static void test_budget_evicts_least_recently_used(void **state)
{
	struct pagecache *pc = pagecache_new(10000);
	struct pagecache_stats st;
	struct pagecache_page *pg;

	put(pc, "/1/", &stamp1, 1, 3000);
	put(pc, "/2/", &stamp1, 1, 3000);
	pg = pagecache_get(pc, "/1/", &stamp1);  /* now /2/ is the oldest */
	pagecache_page_unref(pg);
	put(pc, "/3/", &stamp1, 1, 3000);
	pagecache_stats(pc, &st);
	assert_true(st.bytes <= 10000);
	assert_int_equal(st.evictions, 1);
	assert_null(pagecache_get(pc, "/2/", &stamp1));
	pg = pagecache_get(pc, "/1/", &stamp1);
	assert_non_null(pg);
	pagecache_page_unref(pg);
	/* Larger than the whole budget: not kept */
	put(pc, "/big/", &stamp1, 1, 20000);
	assert_null(pagecache_get(pc, "/big/", &stamp1));
	pagecache_free(pc);
}

static void test_a_body_outlives_its_eviction(void **state)
{
	struct pagecache *pc = pagecache_new(5000);
	struct pagecache_page *pg;
	struct pagecache_body *b;
	int64_t ad = 1;

	put(pc, "/1/", &stamp1, 1, 3000);
	pg = pagecache_get(pc, "/1/", &stamp1);
	b = pagecache_find_body(pc, pg, &ad, 1);
	put(pc, "/2/", &stamp1, 1, 3000);  /* evicts /1/ */
	assert_null(pagecache_get(pc, "/1/", &stamp1));
	/* still readable (ASan would catch a use after free) */
	assert_int_equal(((const char *)b->pre.body[HTTP_IDENTITY])[2999], 'x');
	b->pre.release(b->pre.release_ctx);
	pagecache_page_unref(pg);
	pagecache_free(pc);
}

static void test_a_new_generation_drops_every_older_page(void **state)
{
	struct pagecache *pc = pagecache_new(1 << 20);
	struct pagecache_stamp gen2 = { 2, 0, 100 };
	struct pagecache_stats st;

	put(pc, "/1/", &stamp1, 1, 100);
	put(pc, "/2/", &stamp1, 1, 100);
	put(pc, "/3/", &gen2, 1, 100);
	pagecache_stats(pc, &st);
	assert_int_equal(st.pages, 1);
	/* A slow request still holding generation 1 cannot store into generation 2 */
	put(pc, "/1/", &stamp1, 1, 100);
	assert_null(pagecache_get(pc, "/1/", &stamp1));
	pagecache_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_when_budget_is_zero),
		cmocka_unit_test(test_hit_needs_the_same_stamp),
		cmocka_unit_test(test_bodies_by_ads_and_etags_per_coding),
		cmocka_unit_test(test_budget_evicts_least_recently_used),
		cmocka_unit_test(test_a_body_outlives_its_eviction),
		cmocka_unit_test(test_a_new_generation_drops_every_older_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
