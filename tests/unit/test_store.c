/* Store queries against a real SQLite file in a temporary folder. */
#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "db/db.h"
#include "engine/related.h"
#include "store/editorial.h"
#include "store/store.h"

struct fixture {
	char dir[64];
	char path[96];
	struct db *db;
	struct arena *a;
	int64_t author, politics, sports;
};

static int64_t make_article(struct fixture *f, const char *slug, const char *title,
			    const char *body, int64_t category, int64_t published_at,
			    const char *status, bool pinned)
{
	const char *tags[] = { "City Hall", "Budget" };
	struct store_article_input in = {
		.slug = slug, .title = title, .dek = "A dek", .body_html = "<p>x</p>",
		.index_text = body, .status = status, .author_id = f->author,
		.category_id = category, .published_at = published_at,
		.pinned_at = pinned ? published_at : 0, .tags = tags, .ntags = 2,
	};
	int64_t id = 0;

	assert_int_equal(store_article_create(f->db, &in, &id), DL_OK);
	assert_true(id > 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/dateline-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	assert_int_equal(db_open(f->path, &f->db), DL_OK);
	assert_int_equal(store_migrate(f->db), DL_OK);
	f->a = arena_new(0);
	assert_int_equal(store_user_create(f->db, "a@example.org", "ann-author", "Ann Author", "Bio.",
					   "author", &f->author), DL_OK);
	assert_int_equal(store_category_create(f->db, "politics", "Politics", "", 1, &f->politics), DL_OK);
	assert_int_equal(store_category_create(f->db, "sports", "Sports", "", 2, &f->sports), DL_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char wal[128], shm[128];

	db_close(f->db);
	arena_free(f->a);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	snprintf(shm, sizeof(shm), "%s-shm", f->path);
	unlink(f->path);
	unlink(wal);
	unlink(shm);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_migrations_idempotent_and_versioned(void **state)
{
	struct fixture *f = *state;
	int version;

	assert_int_equal(store_migrate(f->db), DL_OK);
	assert_int_equal(db_schema_version(f->db, &version), DL_OK);
	assert_int_equal(version, store_migrations[store_migrations_nr - 1].version);
	/* a database from a newer dateline is refused, not silently used */
	assert_int_equal(db_exec(f->db, "INSERT INTO schema_migrations VALUES (999, 'future', 0)"), DL_OK);
	assert_int_equal(store_migrate(f->db), DL_CONFLICT);
}

static void test_default_category_exists(void **state)
{
	struct fixture *f = *state;
	struct store_category c;

	assert_int_equal(store_category_by_id(f->db, f->a, STORE_DEFAULT_CATEGORY, &c), DL_OK);
	assert_true(slice_eq_str(c.name, "Uncategorized"));
}

static void test_latest_and_slug(void **state)
{
	struct fixture *f = *state;
	struct store_article art;
	struct store_list l;

	make_article(f, "old", "Old story", "council budget vote", f->politics, 1000, "published", false);
	make_article(f, "new", "New story", "council budget vote again", f->politics, 3000, "published", false);
	make_article(f, "draft", "Draft", "secret draft", f->politics, 5000, "draft", false);
	assert_int_equal(store_latest(f->db, f->a, 10, 0, &l), DL_OK);
	assert_int_equal(l.nr, 2);  /* drafts never appear */
	assert_true(slice_eq_str(l.items[0].slug, "new"));
	assert_true(slice_eq_str(l.items[0].category.slug, "politics"));
	assert_true(slice_eq_str(l.items[0].author.name, "Ann Author"));
	assert_int_equal(store_article_by_slug(f->db, f->a, SLICE_LIT("new"), &art), DL_OK);
	assert_int_equal(art.ntags, 2);
	assert_true(slice_eq_str(art.tags[0].name, "City Hall"));
	assert_true(slice_eq_str(art.tags[0].slug, "city-hall"));
	assert_true(slice_eq_str(art.body_html, "<p>x</p>"));
	assert_int_equal(store_article_by_slug(f->db, f->a, SLICE_LIT("draft"), &art), DL_NOTFOUND);
	assert_int_equal(store_article_by_slug(f->db, f->a, SLICE_LIT("nope"), &art), DL_NOTFOUND);
}

static void test_duplicate_slug_conflicts(void **state)
{
	struct fixture *f = *state;
	struct store_article_input in = { .slug = "same", .title = "A", .status = "published",
					  .author_id = f->author, .published_at = 1 };
	int64_t id, gen_before, gen_after, n;

	assert_int_equal(store_article_create(f->db, &in, &id), DL_OK);
	assert_int_equal(store_generation(f->db, &gen_before), DL_OK);
	assert_int_equal(store_article_create(f->db, &in, &id), DL_CONFLICT);
	assert_int_equal(store_generation(f->db, &gen_after), DL_OK);
	assert_int_equal(gen_before, gen_after);  /* nothing half-written */
	assert_int_equal(store_article_count(f->db, &n), DL_OK);
	assert_int_equal(n, 1);
}

static void test_archives_paginate(void **state)
{
	struct fixture *f = *state;
	struct store_list l;
	struct store_tag t;

	for (int i = 0; i < 25; i++) {
		char slug[16];
		snprintf(slug, sizeof(slug), "s-%d", i);
		make_article(f, slug, "Sports story", "match goal", f->sports, 100 + i, "published", false);
	}
	assert_int_equal(store_by_category(f->db, f->a, f->sports, 10, 20, &l), DL_OK);
	assert_int_equal(l.total, 25);
	assert_int_equal(l.nr, 5);
	assert_true(slice_eq_str(l.items[0].slug, "s-4"));
	assert_int_equal(store_tag_by_slug(f->db, f->a, SLICE_LIT("budget"), &t), DL_OK);
	assert_int_equal(store_by_tag(f->db, f->a, t.id, 10, 0, &l), DL_OK);
	assert_int_equal(l.total, 25);
	assert_int_equal(store_by_author(f->db, f->a, f->author, 3, 0, &l), DL_OK);
	assert_int_equal(l.nr, 3);
	assert_true(slice_eq_str(l.items[0].slug, "s-24"));
}

static void test_views_and_most_read(void **state)
{
	struct fixture *f = *state;
	int64_t a = make_article(f, "a", "A", "x", f->politics, 10, "published", false);
	int64_t b = make_article(f, "b", "B", "x", f->politics, 20, "published", true);
	int64_t ids[2] = { a, b }, counts[2] = { 5, 2 }, out[4];
	int64_t gone[1] = { 999999 }, one[1] = { 1 };
	struct store_list pinned;
	size_t n;

	assert_int_equal(store_views_add(f->db, 100, ids, counts, 2), DL_OK);
	assert_int_equal(store_views_add(f->db, 101, ids + 1, counts + 1, 1), DL_OK);
	assert_int_equal(store_views_add(f->db, 101, gone, one, 1), DL_OK);  /* ignored */
	assert_int_equal(store_most_read(f->db, 100, 4, out, &n), DL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], a);
	assert_int_equal(out[1], b);
	assert_int_equal(store_most_read(f->db, 101, 4, out, &n), DL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], b);
	assert_int_equal(store_pinned(f->db, f->a, 5, &pinned), DL_OK);
	assert_int_equal(pinned.nr, 1);
	assert_int_equal(pinned.items[0].id, b);
}

static void test_related_by_content(void **state)
{
	struct fixture *f = *state;
	int64_t bridge1, bridge2, match, cup, ids[4];
	double scores[4];
	size_t n;

	bridge1 = make_article(f, "bridge-1", "Harbor bridge closes for rebuild",
			       "The harbor bridge will close while crews rebuild the span and its piers.",
			       f->politics, 10, "published", false);
	bridge2 = make_article(f, "bridge-2", "Bridge rebuild contract awarded",
			       "Crews will rebuild the harbor bridge span; the contract covers piers.",
			       f->sports, 20, "published", false);
	match = make_article(f, "match", "Gulls win the derby",
		     "The goalkeeper saved a penalty and the striker scored twice in the derby.",
		     f->sports, 30, "published", false);
	cup = make_article(f, "cup", "Gulls reach the cup final",
		     "The striker scored in extra time as the Gulls reached the final.",
		     f->sports, 40, "published", false);
	assert_int_equal(related_compute(f->db, bridge1, 4, ids, scores, &n), DL_OK);
	assert_true(n >= 1);
	assert_int_equal(ids[0], bridge2);
	assert_int_equal(related_refresh(f->db, bridge1, 4), DL_OK);
	struct store_list l;
	assert_int_equal(store_related(f->db, f->a, bridge1, 4, &l), DL_OK);
	assert_int_equal(l.items[0].id, bridge2);
	/* The cup story relates to the match story first. */
	assert_int_equal(related_compute(f->db, cup, 4, ids, scores, &n), DL_OK);
	assert_true(n >= 1);
	assert_int_equal(ids[0], match);
	/* Unpublished: out of the index at once, and not computable. */
	related_forget(f->db, bridge2);
	assert_int_equal(related_compute(f->db, bridge1, 4, ids, scores, &n), DL_OK);
	for (size_t i = 0; i < n; i++)
		assert_true(ids[i] != bridge2);
}

static void test_settings(void **state)
{
	struct fixture *f = *state;
	struct site_settings s;

	assert_int_equal(store_settings_load(f->db, f->a, &s), DL_OK);
	assert_string_equal(s.timezone, "UTC");
	assert_int_equal(s.posts_per_page, 10);
	assert_int_equal(store_setting_set(f->db, "title", "The Ledger"), DL_OK);
	assert_int_equal(store_setting_set(f->db, "posts_per_page", "5"), DL_OK);
	assert_int_equal(store_setting_set(f->db, "must_read_count", "not a number"), DL_OK);
	assert_int_equal(store_settings_load(f->db, f->a, &s), DL_OK);
	assert_string_equal(s.title, "The Ledger");
	assert_int_equal(s.posts_per_page, 5);
	assert_int_equal(s.must_read_count, 5);  /* bad stored value: default kept */
}

static void test_slugify(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	static const char *const cases[][2] = {
		{ "Harbor Bridge", "harbor-bridge" },
		{ "  Café Solène: a review!  ", "cafe-solene-a-review" },
		{ "Don't panic", "dont-panic" },
		{ "€100m deal", "100m-deal" },
		{ "---", "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		strbuf_reset(&sb);
		store_slugify(cases[i][0], strlen(cases[i][0]), &sb);
		assert_string_equal(sb.buf, cases[i][1]);
	}
	assert_true(store_slug_valid(SLICE_LIT("a-b-1")));
	assert_false(store_slug_valid(SLICE_LIT("-a")));
	assert_false(store_slug_valid(SLICE_LIT("A")));
	assert_false(store_slug_valid(SLICE_LIT("")));
	strbuf_release(&sb);
}

static void test_search_terms(void **state)
{
	struct fixture *f = *state;
	const char *t[12];
	size_t n;

	n = store_search_terms(f->a, SLICE_LIT("harbor \"bridge closure\" AND (café)*"), t, 12);
	assert_int_equal(n, 4);
	assert_string_equal(t[0], "harbor");
	assert_string_equal(t[1], "bridge closure");
	assert_string_equal(t[2], "AND");
	assert_string_equal(t[3], "café");
	assert_int_equal(store_search_terms(f->a, SLICE_LIT("\"unclosed phrase"), t, 12), 1);
	assert_string_equal(t[0], "unclosed phrase");
	assert_int_equal(store_search_terms(f->a, SLICE_LIT("\"\" -- ** ::"), t, 12), 0);
	assert_int_equal(store_search_terms(f->a, SLICE_LIT("a b c d e"), t, 3), 3);
}

static void test_search(void **state)
{
	struct fixture *f = *state;
	struct store_hit *hits;
	size_t n;
	int64_t total;

	make_article(f, "s1", "Bridge closes", "The harbor bridge closes for repairs.", f->politics,
		     10, "published", false);
	make_article(f, "s2", "Ferries added", "More ferries while the bridge is closed.",
		     f->politics, 20, "published", false);
	make_article(f, "s3", "Secret draft", "The bridge draft must not be found.", f->politics,
		     30, "draft", false);
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("bridge"), 10, 0, &hits, &n, &total), DL_OK);
	assert_int_equal(total, 2);
	assert_int_equal(n, 2);
	assert_true(slice_eq_str(hits[0].article.slug, "s1"));  /* title match ranks first */
	assert_non_null(memchr(hits[0].snippet.p, '\x01', hits[0].snippet.len));
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("\"harbor bridge\""), 10, 0, &hits, &n,
				      &total), DL_OK);
	assert_int_equal(total, 1);
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("\" OR NOT ("), 10, 0, &hits, &n,
				      &total), DL_OK);
	assert_int_equal(total, 0);
}

/* Only the newest STORE_SEARCH_WINDOW matches are ranked; the count stops one past. */
static void test_search_window(void **state)
{
	struct fixture *f = *state;
	enum { N = STORE_SEARCH_WINDOW + 5 };
	struct store_article_input *in = calloc(N, sizeof(*in));
	int64_t *ids = calloc(N, sizeof(*ids));
	char (*slugs)[16] = calloc(N, sizeof(*slugs));
	struct store_hit *hits;
	size_t n;
	int64_t total;

	for (int i = 0; i < N; i++) {
		snprintf(slugs[i], sizeof(slugs[i]), "w%d", i);
		/* The five oldest would rank first (the word in the title), if they were ranked. */
		in[i] = (struct store_article_input){
			.slug = slugs[i], .title = i < 5 ? "Ferry ferry" : "Harbour news",
			.body_html = "<p>x</p>", .index_text = "The ferry sails at noon.",
			.status = "published", .author_id = f->author, .category_id = f->politics,
			.published_at = 100 + i,
		};
	}
	assert_int_equal(store_articles_create(f->db, in, N, ids), DL_OK);
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("ferry"), 10, 0, &hits, &n, &total),
			 DL_OK);
	assert_int_equal(total, STORE_SEARCH_WINDOW + 1);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++)
		assert_true(hits[i].id > ids[4]);
	/* Ties rank the newer first; the window's last page is full, past it is empty. */
	assert_true(hits[0].id > hits[1].id);
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("ferry"), 10, STORE_SEARCH_WINDOW - 10,
				      &hits, &n, &total), DL_OK);
	assert_int_equal(n, 10);
	assert_int_equal(hits[9].id, ids[5]);
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("ferry"), 10, STORE_SEARCH_WINDOW,
				      &hits, &n, &total), DL_OK);
	assert_int_equal(n, 0);
	/* Fewer matches than the window: all of them, counted exactly. */
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("ferry ferry"), 10, 0, &hits, &n,
				      &total), DL_OK);
	assert_int_equal(total, STORE_SEARCH_WINDOW + 1);
	assert_int_equal(store_search(f->db, f->a, SLICE_LIT("\"ferry ferry\""), 10, 0, &hits, &n,
				      &total), DL_OK);
	assert_int_equal(total, 5);
	assert_int_equal(n, 5);
	free(in);
	free(ids);
	free(slugs);
}

/* The published count of `category` as store_categories() reports it. */
static int64_t section_count(struct fixture *f, int64_t category)
{
	struct store_category *cats;
	size_t n;

	assert_int_equal(store_categories(f->db, f->a, &cats, &n), DL_OK);
	for (size_t i = 0; i < n; i++)
		if (cats[i].id == category)
			return cats[i].count;
	fail_msg("no category %" PRId64, category);
	return -1;
}

/* Section counts are kept by each write, not counted: every kind of write moves them. */
static void test_section_counts(void **state)
{
	struct fixture *f = *state;
	const struct store_change c = { 0, "test", "", "article.update", "", "" };
	struct store_article_input in = {
		.slug = "moves", .title = "Moves", .body_html = "<p>x</p>", .status = "draft",
		.author_id = f->author, .category_id = f->politics, .published_at = 10,
	};
	struct store_list list;
	int64_t id, weather;

	assert_int_equal(section_count(f, f->politics), 0);
	make_article(f, "p1", "One", "one", f->politics, 10, "published", false);
	make_article(f, "p2", "Two", "two", f->politics, 20, "published", false);
	make_article(f, "d1", "Draft", "draft", f->politics, 30, "draft", false);
	assert_int_equal(section_count(f, f->politics), 2);
	assert_int_equal(store_edit_save(f->db, &in, &c, &id), DL_OK);
	assert_int_equal(section_count(f, f->politics), 2);
	in.id = id;
	in.status = "published";
	assert_int_equal(store_edit_save(f->db, &in, &c, &id), DL_OK);
	assert_int_equal(section_count(f, f->politics), 3);
	assert_int_equal(store_by_category(f->db, f->a, f->politics, 10, 0, &list), DL_OK);
	assert_int_equal(list.total, 3);
	in.category_id = f->sports;
	assert_int_equal(store_edit_save(f->db, &in, &c, &id), DL_OK);
	assert_int_equal(section_count(f, f->politics), 2);
	assert_int_equal(section_count(f, f->sports), 1);
	in.status = "unpublished";
	assert_int_equal(store_edit_save(f->db, &in, &c, &id), DL_OK);
	assert_int_equal(section_count(f, f->sports), 0);
	in.status = "published";
	assert_int_equal(store_edit_save(f->db, &in, &c, &id), DL_OK);
	assert_int_equal(store_edit_delete(f->db, id, &c), DL_OK);
	assert_int_equal(section_count(f, f->sports), 0);
	/* A deleted section's stories, and their count, go to the default section. */
	assert_int_equal(store_category_create(f->db, "weather", "Weather", "", 3, &weather), DL_OK);
	make_article(f, "w1", "Rain", "rain", weather, 40, "published", false);
	assert_int_equal(section_count(f, weather), 1);
	assert_int_equal(store_category_delete(f->db, f->politics, &c), DL_OK);
	assert_int_equal(section_count(f, STORE_DEFAULT_CATEGORY), 2);
	assert_int_equal(store_by_category(f->db, f->a, STORE_DEFAULT_CATEGORY, 10, 0, &list), DL_OK);
	assert_int_equal(list.total, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrations_idempotent_and_versioned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_category_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_and_slug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_slug_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archives_paginate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_and_most_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_related_by_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slugify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_terms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section_counts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
