/* The newsroom's rules that need no database: times, roles, sections, ads, settings, auth. */
#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/err.h"
#include "core/tz.h"
#include "engine/auth.h"
#include "engine/editorial.h"
#include "engine/settings.h"
#include "render/html.h"
#include "render/markdown.h"

static struct arena *a;

static int setup(void **state)
{
	a = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(a);
	return 0;
}

static int64_t when(const struct tz *tz, const char *s)
{
	int64_t t = -1;

	if (editorial_parse_local(tz, slice_cstr(s), &t))
		return -1;
	return t;
}

static void test_parse_local(void **state)
{
	struct tz *paris = tz_load("Europe/Paris");

	assert_non_null(paris);
	assert_int_equal(when(tz_utc(), "2026-11-25T14:30"), 1795617000);
	assert_int_equal(when(tz_utc(), "2026-11-25T14:30:15"), 1795617015);
	assert_int_equal(when(tz_utc(), "2026-11-25T14:30:15Z"), 1795617015);
	assert_int_equal(when(tz_utc(), "2026-11-25T15:30:15+01:00"), 1795617015);
	assert_int_equal(when(tz_utc(), "2026-11-25T09:30-05:00"), 1795617000);
	/* Site time: Paris is UTC+1 in November. */
	assert_int_equal(when(paris, "2026-11-25T15:30"), 1795617000);
	/* An explicit zone wins over the site's. */
	assert_int_equal(when(paris, "2026-11-25T14:30Z"), 1795617000);
	static const char *const bad[] = {
		"", "tomorrow", "2026-11-25", "2026-11-25 14:30", "2026-13-01T00:00",
		"2026-11-25T24:00", "2026-11-25T14:60", "2026-11-25T14:30:99", "2026-11-25T14:30x",
		"2026-11-25T14:30+1:00", "2026-11-25T14:30+25:00", "1969-12-31T23:59", "2026-11-25T14:30ZZ",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(when(tz_utc(), bad[i]), -1);
	tz_free(paris);
}

static void test_roles(void **state)
{
	struct auth_user contributor = { .id = 7, .perms = auth_role_perms(slice_cstr("contributor")) };
	struct auth_user author = { .id = 7, .perms = auth_role_perms(slice_cstr("author")) };
	struct auth_user editor = { .id = 9, .perms = auth_role_perms(slice_cstr("editor")) };
	struct store_edit own_draft = { .author_id = 7, .status = slice_cstr("draft") };
	struct store_edit own_live = { .author_id = 7, .status = slice_cstr("published") };
	struct store_edit other = { .author_id = 8, .status = slice_cstr("draft") };

	assert_true(auth_role_valid("admin") && auth_role_valid("contributor"));
	assert_false(auth_role_valid("root") || auth_role_valid(""));
	assert_true(editorial_may_edit(&contributor, &own_draft));
	assert_false(editorial_may_edit(&contributor, &own_live));
	assert_false(editorial_may_edit(&contributor, &other));
	assert_true(editorial_may_edit(&author, &own_live));
	assert_false(editorial_may_edit(&author, &other));
	assert_true(editorial_may_edit(&editor, &other));
	assert_false(editor.perms & PERM_USERS);
	assert_true(auth_role_perms(slice_cstr("admin")) & PERM_USERS);
}

static void test_category_check(void **state)
{
	struct store_category cats[] = {
		{ .id = 1 }, { .id = 2 }, { .id = 3, .parent_id = 2 }, { .id = 4, .parent_id = 3 },
	};
	const char *slug;

	assert_null(editorial_category_check(a, 0, "Science & Health", "", 0, cats, 4, &slug));
	assert_string_equal(slug, "science-health");
	assert_null(editorial_category_check(a, 0, "Oceans", "oceans", 3, cats, 4, &slug));
	assert_non_null(editorial_category_check(a, 0, "Feed", "feed", 0, cats, 4, &slug));
	assert_non_null(editorial_category_check(a, 0, "Year", "2024", 0, cats, 4, &slug));
	assert_non_null(editorial_category_check(a, 0, "", "x", 0, cats, 4, &slug));
	assert_non_null(editorial_category_check(a, 0, "X", "Not Valid", 0, cats, 4, &slug));
	assert_non_null(editorial_category_check(a, 0, "X", "x", 99, cats, 4, &slug));
	/* 2 under its own grandchild 4 would be a loop; under itself too. */
	assert_non_null(editorial_category_check(a, 2, "X", "x", 4, cats, 4, &slug));
	assert_non_null(editorial_category_check(a, 2, "X", "x", 2, cats, 4, &slug));
	assert_null(editorial_category_check(a, 4, "X", "x", 2, cats, 4, &slug));
}

static const char *ad(const char *kind, const char *html, int64_t media, const char *link,
		      int64_t weight)
{
	struct store_ad ad = { .name = slice_cstr("Ad"), .kind = slice_cstr(kind),
			       .html = slice_cstr(html), .media_id = media, .link_url = slice_cstr(link),
			       .alt = slice_cstr("alt"), .weight = weight };

	return editorial_ad_check(a, &ad, NULL, 0);
}

static void test_ad_check(void **state)
{
	assert_null(ad("html", "<p>Hello</p>", 0, "", 1));
	assert_null(ad("image", "", 3, "https://example.org/", 10));
	assert_null(ad("image", "", 3, "/subscribe/", 10));
	assert_non_null(ad("html", "<script>x()</script>", 0, "", 1));
	assert_non_null(ad("html", "<a href=\"javascript:x()\">x</a>", 0, "", 1));
	assert_non_null(ad("html", "<p onclick=\"x()\">x</p>", 0, "", 1));
	assert_non_null(ad("image", "", 0, "https://example.org/", 1));
	assert_non_null(ad("image", "", 3, "javascript:alert(1)", 1));
	assert_non_null(ad("image", "", 3, "//evil.example/", 1));
	assert_non_null(ad("html", "<p>x</p>", 0, "", 0));
	assert_non_null(ad("html", "<p>x</p>", 0, "", 1001));
	assert_non_null(ad("popup", "<p>x</p>", 0, "", 1));
}

static void test_settings_check(void **state)
{
	const char *stored;

	assert_null(settings_check(a, "timezone", "Europe/London", &stored));
	assert_non_null(settings_check(a, "timezone", "../../etc/passwd", &stored));
	assert_null(settings_check(a, "feed_full_content", "excerpt", &stored));
	assert_string_equal(stored, "0");
	assert_null(settings_check(a, "posts_per_page", "25", &stored));
	assert_non_null(settings_check(a, "posts_per_page", "101", &stored));
	assert_non_null(settings_check(a, "posts_per_page", "ten", &stored));
	assert_null(settings_check(a, "base_url", "", &stored));
	assert_null(settings_check(a, "base_url", "https://news.example.org", &stored));
	assert_non_null(settings_check(a, "base_url", "https://x.org/; script-src *", &stored));
	assert_non_null(settings_check(a, "base_url", "ftp://x.org", &stored));
	assert_non_null(settings_check(a, "title", "", &stored));
	assert_non_null(settings_check(a, "title", "two\nlines", &stored));
	assert_non_null(settings_check(a, "no_such_setting", "1", &stored));
}

static void test_active_content(void **state)
{
	const char *what;

	assert_int_equal(html_find_active("<p>fine <a href=\"https://x\">x</a></p>", 37, &what), DL_OK);
	assert_null(what);
	assert_int_equal(html_find_active("<svg><script>1</script></svg>", 29, &what), DL_OK);
	assert_non_null(what);
	assert_int_equal(html_find_active("<a href=\" JaVa\tScRiPt:x\">", 25, &what), DL_OK);
	assert_non_null(what);
	assert_int_equal(html_find_active("<img src=x OnErRoR=y>", 21, &what), DL_OK);
	assert_non_null(what);
	assert_int_equal(md_find_active("[x](javascript:alert(1))", 24, &what), DL_OK);
	assert_non_null(what);
	assert_int_equal(md_find_active("Some *text* and `<script>` in code", 34, &what), DL_OK);
	assert_null(what);
}

static void test_passwords_and_tokens(void **state)
{
	char hash[256], t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1], h[AUTH_TOKEN_LEN + 1];

	assert_int_equal(auth_hash_password("correct horse battery", hash, sizeof(hash)), DL_OK);
	assert_true(!strncmp(hash, "$argon2id$", 10));
	assert_true(auth_check_password(hash, "correct horse battery"));
	assert_false(auth_check_password(hash, "correct horse batterx"));
	assert_false(auth_check_password("", "anything"));
	auth_new_token(t1);
	auth_new_token(t2);
	assert_int_equal(strlen(t1), AUTH_TOKEN_LEN);
	assert_string_not_equal(t1, t2);
	auth_token_hash("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(auth_secret_eq("abc", 3, "abc", 3));
	assert_false(auth_secret_eq("abc", 3, "abd", 3));
	assert_false(auth_secret_eq("abc", 3, "abcd", 4));
	assert_false(auth_secret_eq("", 0, "", 0));
	assert_non_null(auth_password_problem("short"));
	assert_null(auth_password_problem("long enough now"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_local),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_category_check),
		cmocka_unit_test(test_ad_check),
		cmocka_unit_test(test_settings_check),
		cmocka_unit_test(test_active_content),
		cmocka_unit_test(test_passwords_and_tokens),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
