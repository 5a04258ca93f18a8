/*
 * test_tpl.c - the Mustache engine against the official spec files, plus
 * Dateline's own rules: escaping, syntax errors, limits, inheritance as the
 * themes use it.
 */
#include "core/compat.h"

#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "render/tpl.h"
#include "render/view.h"

#define MAIN "(spec main)"	/* cannot clash with a spec partial name */

static struct view *json_to_view(struct arena *a, json_t *j)
{
	const char *key;
	json_t *val;
	size_t i;
	struct view *v;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v = view_obj(a);
		json_object_foreach(j, key, val)
			view_set(v, key, json_to_view(a, val));
		return v;
	case JSON_ARRAY:
		v = view_list(a);
		json_array_foreach(j, i, val)
			view_push(v, json_to_view(a, val));
		return v;
	case JSON_STRING:
		return view_str(a, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return view_int(a, json_integer_value(j));
	case JSON_REAL:
		return view_double(a, json_real_value(j));
	case JSON_TRUE:
		return view_bool(a, true);
	case JSON_FALSE:
		return view_bool(a, false);
	default:
		return view_null(a);
	}
}

static void spec_path(struct strbuf *sb, const char *file)
{
	const char *shared = getenv("DATELINE_SHARED");

	strbuf_addf(sb, "%s/conformance/mustache/%s", shared && *shared ? shared : "../shared",
		    file);
}

/* Run one spec test; returns true when it passes, printing why when not. */
static bool run_spec_test(json_t *test)
{
	const char *name = json_string_value(json_object_get(test, "name"));
	json_t *tmpl = json_object_get(test, "template");
	json_t *expected = json_object_get(test, "expected");
	json_t *partials = json_object_get(test, "partials");
	struct arena *a = arena_new(0);
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	const char *key;
	json_t *val;
	bool ok;
	int rc = 0;

	json_object_foreach(partials, key, val)
		rc |= tpl_set_add(set, key, json_string_value(val), json_string_length(val), &err);
	rc |= tpl_set_add(set, MAIN, json_string_value(tmpl), json_string_length(tmpl), &err);
	if (!rc)
		rc = tpl_render(set, MAIN, json_to_view(a, json_object_get(test, "data")), &out);
	ok = !rc && out.len == json_string_length(expected) &&
	     !memcmp(out.buf, json_string_value(expected), out.len);
	if (!ok)
		print_message("FAIL '%s' (rc %d %s)\n  template: %s\n  expected: [%s]\n  got:      [%s]\n",
			      name, rc, err.buf, json_string_value(tmpl),
			      json_string_value(expected), out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	tpl_set_free(set);
	arena_free(a);
	return ok;
}

static void run_spec_file(const char *file)
{
	struct strbuf path = STRBUF_INIT;
	json_error_t jerr;
	json_t *root, *tests, *test;
	size_t i, passed = 0;

	spec_path(&path, file);
	root = json_load_file(path.buf, 0, &jerr);
	if (!root)
		fail_msg("cannot load %s: %s", path.buf, jerr.text);
	tests = json_object_get(root, "tests");
	assert_true(json_is_array(tests));
	assert_true(json_array_size(tests) > 0);
	json_array_foreach(tests, i, test)
		passed += run_spec_test(test);
	print_message("%s: %zu/%zu passed\n", file, passed, json_array_size(tests));
	assert_int_equal(passed, json_array_size(tests));
	json_decref(root);
	strbuf_release(&path);
}

static void spec_comments(void **state) { run_spec_file("comments.json"); }
static void spec_delimiters(void **state) { run_spec_file("delimiters.json"); }
static void spec_interpolation(void **state) { run_spec_file("interpolation.json"); }
static void spec_inverted(void **state) { run_spec_file("inverted.json"); }
static void spec_partials(void **state) { run_spec_file("partials.json"); }
static void spec_sections(void **state) { run_spec_file("sections.json"); }
static void spec_inheritance(void **state) { run_spec_file("~inheritance.json"); }

/* ------------------------------------------------------------ helpers */

static void add_ok(struct tpl_set *set, const char *name, const char *src)
{
	struct strbuf err = STRBUF_INIT;
	int rc = tpl_set_add(set, name, src, strlen(src), &err);

	if (rc)
		fail_msg("compiling %s: %s", name, err.buf);
	strbuf_release(&err);
}

/* Compile `src` alone and render it with `ctx`; check the output. */
static void check_render(const char *src, const struct view *ctx, const char *want)
{
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT;

	add_ok(set, "t", src);
	assert_int_equal(tpl_render(set, "t", ctx, &out), DL_OK);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
	tpl_set_free(set);
}

/* Compiling `src` as `name` must fail with exactly `want`. */
static void check_syntax_error(const char *name, const char *src, const char *want)
{
	struct tpl_set *set = tpl_set_new();
	struct strbuf err = STRBUF_INIT;

	assert_int_equal(tpl_set_add(set, name, src, strlen(src), &err), DL_INVALID);
	assert_string_equal(err.buf, want);
	assert_null(strchr(err.buf, '\n'));
	assert_false(tpl_set_has(set, name));
	strbuf_release(&err);
	tpl_set_free(set);
}

/* -------------------------------------------------------------- tests */

static void test_html_escaping(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);

	view_set_cstr(ctx, "s", "a & b < c > d \" e ' f");
	check_render("{{s}}", ctx, "a &amp; b &lt; c &gt; d &quot; e &#39; f");
	check_render("{{{s}}}|{{& s}}", ctx,
		     "a & b < c > d \" e ' f|a & b < c > d \" e ' f");
	view_set_cstr(ctx, "s", "<script>alert('x')</script>");
	check_render("<p>{{s}}</p>", ctx,
		     "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>");
	arena_free(a);
}

static void test_unknown_partial_is_empty(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);

	check_render("a{{>nope}}b", ctx, "ab");
	check_render("a\n  {{>nope}}\nb", ctx, "a\nb");
	check_render("[{{<nope}}{{$x}}y{{/x}}{{/nope}}]", ctx, "[]");
	arena_free(a);
}

static void test_syntax_errors(void **state)
{
	check_syntax_error("article", "<h1>\n{{#latest}}\n<p>x</p>\n",
			   "article.mustache:2: unclosed section 'latest'");
	check_syntax_error("page.mustache", "{{<layout}}\n{{$body}}\n",
			   "page.mustache:2: unclosed block 'body'");
	check_syntax_error("list", "{{#a}}\n{{#b}}\n{{/a}}\n",
			   "list.mustache:3: close tag 'a' does not match section 'b' opened on line 2");
	check_syntax_error("stray", "x\n{{/a}}", "stray.mustache:2: close tag 'a' without an open section");
	check_syntax_error("tag", "ok\n\n<b>{{name</b>\n", "tag.mustache:3: unclosed tag (no '}}')");
	check_syntax_error("triple", "{{{name}}", "triple.mustache:1: unclosed tag (no '}}')");
	check_syntax_error("delim", "{{=<% %>=}}\n<%name", "delim.mustache:2: unclosed tag (no '%>')");
	check_syntax_error("baddelim", "{{=<%=}}", "baddelim.mustache:1: invalid set-delimiter tag");
	check_syntax_error("empty", "a {{ }} b", "empty.mustache:1: empty tag");
	check_syntax_error("space", "{{#a b}}{{/a b}}", "space.mustache:1: space inside a tag name");
	/* A comment spanning lines moves the line count on. */
	check_syntax_error("comment", "{{! one\ntwo\nthree }}\n{{#x}}",
			   "comment.mustache:4: unclosed section 'x'");
}

static void test_failed_add_keeps_old(void **state)
{
	struct tpl_set *set = tpl_set_new();
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;

	add_ok(set, "t", "old");
	assert_int_equal(tpl_set_add(set, "t", "{{#x}}", 6, &err), DL_INVALID);
	assert_int_equal(tpl_render(set, "t", NULL, &out), DL_OK);
	assert_string_equal(out.buf, "old");
	add_ok(set, "t", "new");
	strbuf_reset(&out);
	assert_int_equal(tpl_render(set, "t", NULL, &out), DL_OK);
	assert_string_equal(out.buf, "new");
	assert_int_equal(tpl_render(set, "missing", NULL, &out), DL_NOTFOUND);
	assert_true(tpl_set_has(set, "t"));
	assert_false(tpl_set_has(set, "missing"));
	strbuf_release(&err);
	strbuf_release(&out);
	tpl_set_free(set);
}

static void test_recursion_limit(void **state)
{
	struct arena *a = arena_new(0);
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT;
	struct view *ctx = view_obj(a);

	view_set_bool(ctx, "yes", true);
	add_ok(set, "loop", "x{{>loop}}");
	add_ok(set, "sectloop", "{{#yes}}{{>sectloop}}{{/yes}}");
	add_ok(set, "parentloop", "{{<parentloop}}{{$a}}b{{/a}}{{/parentloop}}");
	add_ok(set, "blockloop", "{{$a}}{{>blockloop}}{{/a}}");
	strbuf_addstr(&out, "keep");
	assert_int_equal(tpl_render(set, "loop", ctx, &out), DL_ERR);
	assert_int_equal(tpl_render(set, "sectloop", ctx, &out), DL_ERR);
	assert_int_equal(tpl_render(set, "parentloop", ctx, &out), DL_ERR);
	assert_int_equal(tpl_render(set, "blockloop", ctx, &out), DL_ERR);
	assert_string_equal(out.buf, "keep");	/* a failed render adds nothing */
	strbuf_release(&out);
	tpl_set_free(set);
	arena_free(a);
}

static void test_runaway_output(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);
	struct view *l = view_set_list(ctx, "l");
	struct tpl_set *set = tpl_set_new();
	struct strbuf src = STRBUF_INIT, out = STRBUF_INIT;

	for (int i = 0; i < 4; i++)
		view_push(l, view_int(a, i));
	for (int i = 0; i < 40; i++)
		strbuf_addstr(&src, "{{#l}}x");
	for (int i = 0; i < 40; i++)
		strbuf_addstr(&src, "{{/l}}");
	add_ok(set, "t", src.buf);
	assert_int_equal(tpl_render(set, "t", ctx, &out), DL_TOOBIG);
	assert_int_equal(out.len, 0);
	strbuf_release(&src);
	strbuf_release(&out);
	tpl_set_free(set);
	arena_free(a);
}

static void test_dotted_names(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);
	struct view *art = view_set_obj(ctx, "article");
	struct view *author = view_set_obj(art, "author");

	view_set_cstr(author, "name", "Ann");
	view_set_cstr(ctx, "name", "site");
	view_set_int(art, "id", 7);
	check_render("{{article.author.name}}", ctx, "Ann");
	check_render("{{#article}}{{author.name}}/{{id}}/{{name}}{{/article}}", ctx, "Ann/7/site");
	check_render("{{#article.author}}{{name}}{{/article.author}}", ctx, "Ann");
	check_render("[{{article.editor.name}}][{{nope.name}}]", ctx, "[][]");
	/* Once the first part resolves, no fallback to outer contexts. */
	check_render("{{#article}}[{{author.id}}]{{/article}}", ctx, "[]");
	arena_free(a);
}

static void test_falsey_values(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);
	const char *t = "{{#v}}T{{/v}}{{^v}}F{{/v}}";

	check_render(t, ctx, "F");
	view_set(ctx, "v", view_null(a));
	check_render(t, ctx, "F");
	view_set_bool(ctx, "v", false);
	check_render(t, ctx, "F");
	view_set_cstr(ctx, "v", "");
	check_render(t, ctx, "F");
	view_set_list(ctx, "v");
	check_render(t, ctx, "F");
	view_set_int(ctx, "v", 0);
	check_render(t, ctx, "T");
	view_set_obj(ctx, "v");
	check_render(t, ctx, "T");
	view_set_cstr(ctx, "v", "x");
	check_render(t, ctx, "T");
	arena_free(a);
}

static void test_scalars(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);

	view_set(ctx, "d1", view_double(a, 1.21));
	view_set(ctx, "d2", view_double(a, 0.1 + 0.2));
	view_set(ctx, "d3", view_double(a, 3.0));
	view_set(ctx, "d4", view_double(a, -2.5e-8));
	view_set_int(ctx, "i", INT64_MIN);
	view_set_bool(ctx, "t", true);
	view_set_bool(ctx, "f", false);
	check_render("{{d1}} {{d2}} {{d3}} {{d4}}", ctx, "1.21 0.30000000000000004 3 -2.5e-08");
	check_render("{{i}} {{t}} {{f}}", ctx, "-9223372036854775808 true false");
	check_render("[{{#t}}{{.}}{{/t}}]", ctx, "[true]");
	arena_free(a);
}

static void test_render_appends(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT;

	view_set_cstr(ctx, "x", "1");
	add_ok(set, "t", "<{{x}}>");
	strbuf_addstr(&out, "head");
	assert_int_equal(tpl_render(set, "t", ctx, &out), DL_OK);
	assert_int_equal(tpl_render(set, "t", ctx, &out), DL_OK);
	assert_string_equal(out.buf, "head<1><1>");
	strbuf_release(&out);
	tpl_set_free(set);
	arena_free(a);
}

static void test_nested_partial_indentation(void **state)
{
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT;

	add_ok(set, "outer", "<ul>\n  {{>inner}}\n</ul>\n");
	add_ok(set, "inner", "<li>\n  {{>leaf}}\n</li>\n\n<li>{{>leaf}}</li>\n");
	add_ok(set, "leaf", "a\nb\n");
	assert_int_equal(tpl_render(set, "outer", NULL, &out), DL_OK);
	assert_string_equal(out.buf,
			    "<ul>\n  <li>\n    a\n    b\n  </li>\n\n  <li>a\nb\n</li>\n</ul>\n");
	strbuf_release(&out);
	tpl_set_free(set);
}

/* The shape the themes use: a layout with blocks, pages that fill them in. */
static const char layout_src[] =
	"<!doctype html>\n"
	"<title>{{$title}}Dateline{{/title}}</title>\n"
	"<body>\n"
	"  {{$content}}\n"
	"  <p>nothing here</p>\n"
	"  {{/content}}\n"
	"  <footer>{{site}}</footer>\n"
	"</body>\n";

static const char page_src[] =
	"{{<layout}}\n"
	"{{$title}}{{headline}} | {{site}}{{/title}}\n"
	"{{$content}}\n"
	"<h1>{{headline}}</h1>\n"
	"{{#teasers}}\n"
	"{{>teaser}}\n"
	"{{/teasers}}\n"
	"{{^teasers}}\n"
	"<p>No stories.</p>\n"
	"{{/teasers}}\n"
	"{{/content}}\n"
	"{{/layout}}\n";

static const char teaser_src[] =
	"<article>\n"
	"  <a href=\"/{{slug}}\">{{title}}</a>\n"
	"</article>\n";

static void test_layout_inheritance(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);
	struct view *list = view_set_list(ctx, "teasers");
	struct tpl_set *set = tpl_set_new();
	struct strbuf out = STRBUF_INIT;

	view_set_cstr(ctx, "site", "Dateline");
	view_set_cstr(ctx, "headline", "News & views");
	for (int i = 1; i <= 2; i++) {
		struct view *t = view_obj(a);

		view_set(t, "slug", view_str(a, i == 1 ? "one" : "two", 3));
		view_set_cstr(t, "title", i == 1 ? "First" : "Second <b>");
		view_push(list, t);
	}
	add_ok(set, "layout", layout_src);
	add_ok(set, "page", page_src);
	add_ok(set, "teaser", teaser_src);
	assert_int_equal(tpl_render(set, "page", ctx, &out), DL_OK);
	assert_string_equal(out.buf,
		"<!doctype html>\n"
		"<title>News &amp; views | Dateline</title>\n"
		"<body>\n"
		"  <h1>News &amp; views</h1>\n"
		"  <article>\n"
		"    <a href=\"/one\">First</a>\n"
		"  </article>\n"
		"  <article>\n"
		"    <a href=\"/two\">Second &lt;b&gt;</a>\n"
		"  </article>\n"
		"  <footer>Dateline</footer>\n"
		"</body>\n");

	/* The default block content when a page does not override it. */
	strbuf_reset(&out);
	assert_int_equal(tpl_render(set, "layout", ctx, &out), DL_OK);
	assert_non_null(strstr(out.buf, "<title>Dateline</title>\n"));
	assert_non_null(strstr(out.buf, "\n  <p>nothing here</p>\n"));

	/* Inverted section inside the block, with an empty list. */
	view_set_list(ctx, "teasers");
	strbuf_reset(&out);
	assert_int_equal(tpl_render(set, "page", ctx, &out), DL_OK);
	assert_non_null(strstr(out.buf, "</h1>\n  <p>No stories.</p>\n  <footer>"));
	strbuf_release(&out);
	tpl_set_free(set);
	arena_free(a);
}

struct thread_job {
	const struct tpl_set *set;
	const struct view *ctx;
	const char *want;
	int bad;
};

static void *render_many(void *arg)
{
	struct thread_job *job = arg;
	struct strbuf out = STRBUF_INIT;

	for (int i = 0; i < 2000; i++) {
		strbuf_reset(&out);
		if (tpl_render(job->set, "page", job->ctx, &out) || strcmp(out.buf, job->want))
			job->bad++;
	}
	strbuf_release(&out);
	return NULL;
}

static void test_shared_between_threads(void **state)
{
	struct arena *a = arena_new(0);
	struct view *ctx = view_obj(a);
	struct view *list = view_set_list(ctx, "teasers");
	struct tpl_set *set = tpl_set_new();
	struct strbuf want = STRBUF_INIT;
	struct thread_job jobs[4];
	pthread_t th[4];

	view_set_cstr(ctx, "headline", "H");
	for (int i = 0; i < 20; i++) {
		struct view *t = view_obj(a);

		view_set_int(t, "slug", i);
		view_set_cstr(t, "title", "T");
		view_push(list, t);
	}
	add_ok(set, "layout", layout_src);
	add_ok(set, "page", page_src);
	add_ok(set, "teaser", teaser_src);
	assert_int_equal(tpl_render(set, "page", ctx, &want), DL_OK);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){ set, ctx, want.buf, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
	strbuf_release(&want);
	tpl_set_free(set);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_comments),
		cmocka_unit_test(spec_delimiters),
		cmocka_unit_test(spec_interpolation),
		cmocka_unit_test(spec_inverted),
		cmocka_unit_test(spec_partials),
		cmocka_unit_test(spec_sections),
		cmocka_unit_test(spec_inheritance),
		cmocka_unit_test(test_html_escaping),
		cmocka_unit_test(test_unknown_partial_is_empty),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_failed_add_keeps_old),
		cmocka_unit_test(test_recursion_limit),
		cmocka_unit_test(test_runaway_output),
		cmocka_unit_test(test_dotted_names),
		cmocka_unit_test(test_falsey_values),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_render_appends),
		cmocka_unit_test(test_nested_partial_indentation),
		cmocka_unit_test(test_layout_inheritance),
		cmocka_unit_test(test_shared_between_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
