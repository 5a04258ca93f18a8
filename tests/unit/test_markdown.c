#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "render/markdown.h"

static void assert_renders_to(const char *md, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(md_render(md, strlen(md), &sb), DL_OK);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void assert_smartens_to(const char *text, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	md_smarten(text, strlen(text), &sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_headings(void **state)
{
	assert_renders_to("# Top\n\n## Second\n\n###### Sixth\n",
			  "<h2>Top</h2>\n<h2>Second</h2>\n<h6>Sixth</h6>\n");
	assert_renders_to("Setext\n======\n", "<h2>Setext</h2>\n");
}

static void test_lists(void **state)
{
	assert_renders_to("* a\n* b\n\n1. x\n2. y\n",
			  "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
			  "<ol>\n<li>x</li>\n<li>y</li>\n</ol>\n");
	assert_renders_to("3. three\n4. four\n",
			  "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n");
	/* Task lists are off: their checkboxes would be <input>s. */
	assert_renders_to("- [ ] todo\n", "<ul>\n<li>[ ] todo</li>\n</ul>\n");
}

static void test_emphasis(void **state)
{
	assert_renders_to("*em* **strong** ~~gone~~ _u_\n",
			  "<p><em>em</em> <strong>strong</strong> <del>gone</del> <em>u</em></p>\n");
}

static void test_links_and_images(void **state)
{
	assert_renders_to("[Dateline](https://example.com/ \"The title\")\n",
			  "<p><a href=\"https://example.com/\" title=\"The title\">Dateline</a></p>\n");
	assert_renders_to("![A cat](/cat.jpg)\n", "<p><img src=\"/cat.jpg\" alt=\"A cat\"></p>\n");
	assert_renders_to("[x](javascript:alert(1)) ![y](data:image/png;base64,AA)\n",
			  "<p><a>x</a> </p>\n");
	assert_renders_to("see www.example.com and https://example.org/a--b...\n",
			  "<p>see <a href=\"http://www.example.com\">www.example.com</a> and "
			  "<a href=\"https://example.org/a--b\">https://example.org/a--b</a>\u2026</p>\n");
}

static void test_code_untouched(void **state)
{
	assert_renders_to("```\n\"a\" -- 'b'... <x>\n```\n",
			  "<pre><code>\"a\" -- 'b'... &lt;x&gt;\n</code></pre>\n");
	assert_renders_to("```js\nlet s = \"x\";\n```\n",
			  "<pre><code class=\"language-js\">let s = \"x\";\n</code></pre>\n");
	assert_renders_to("    indented \"code\"\n",
			  "<pre><code>indented \"code\"\n</code></pre>\n");
	assert_renders_to("Use `\"x\" -- y` here, \"then\" quote.\n",
			  "<p>Use <code>\"x\" -- y</code> here, \u201cthen\u201d quote.</p>\n");
	assert_renders_to("Press <kbd>\"Ctrl\"--C</kbd>.\n",
			  "<p>Press <kbd>\"Ctrl\"--C</kbd>.</p>\n");
}

static void test_raw_html_sanitised(void **state)
{
	assert_renders_to("<div onclick=\"x()\">hi</div>\n\n<script>alert(1)</script>\n\nafter\n",
			  "<div>hi</div>\n\n<p>after</p>\n");
	assert_renders_to("a <img src=x onerror=alert(1)> b\n",
			  "<p>a <img src=\"x\"> b</p>\n");
	assert_renders_to("<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n",
			  "<iframe src=\"https://www.youtube.com/embed/x\" sandbox=\"allow-scripts "
			  "allow-same-origin allow-presentation\" loading=\"lazy\"></iframe>\n");
	assert_renders_to("<abbr title=\"it's\" onmouseover=\"x\">\"raw\"</abbr>\n",
			  "<p><abbr title=\"it's\">\u201craw\u201d</abbr></p>\n");
}

static void test_tables(void **state)
{
	assert_renders_to("| a | b |\n|:--|--:|\n| 1 | \"2\" |\n",
			  "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
			  "<tbody>\n<tr>\n<td>1</td>\n<td>\u201c2\u201d</td>\n</tr>\n</tbody>\n"
			  "</table>\n");
}

static void test_blockquote_and_entities(void **state)
{
	assert_renders_to("> \"Quoted,\" she said.\n",
			  "<blockquote>\n<p>\u201cQuoted,\u201d she said.</p>\n</blockquote>\n");
	assert_renders_to("AT&amp;T &copy; &#0; 5 < 6 & 7\n",
			  "<p>AT&amp;T \u00a9 \ufffd 5 &lt; 6 &amp; 7</p>\n");
}

static void test_smart_typography(void **state)
{
	assert_renders_to("\"Hello,\" she said -- 'it's the '90s'... --- ok\n",
			  "<p>\u201cHello,\u201d she said \u2013 \u2018it\u2019s the \u201990s\u2019"
			  "\u2026 \u2014 ok</p>\n");
	/* Quotes around inline markup pair up across the elements. */
	assert_renders_to("\"*Title*\" and '**bold**'\n",
			  "<p>\u201c<em>Title</em>\u201d and \u2018<strong>bold</strong>\u2019</p>\n");
	/* Attribute values keep their straight quotes. */
	assert_renders_to("[a](/x \"it's 'q'\")\n",
			  "<p><a href=\"/x\" title=\"it's 'q'\">a</a></p>\n");
	/* Each paragraph starts afresh. */
	assert_renders_to("end.\n\n\"Start\n", "<p>end.</p>\n<p>\u201cStart</p>\n");
}

static void test_smarten(void **state)
{
	assert_smartens_to("\"Hello,\" she said.", "\u201cHello,\u201d she said.");
	assert_smartens_to("'Single' quotes", "\u2018Single\u2019 quotes");
	assert_smartens_to("Don't stop", "Don\u2019t stop");
	assert_smartens_to("the '90s and '00s", "the \u201990s and \u201900s");
	assert_smartens_to("pages 10--20", "pages 10\u201320");
	assert_smartens_to("wait---what", "wait\u2014what");
	assert_smartens_to("and then...", "and then\u2026");
	assert_smartens_to("\"I was--\"", "\u201cI was\u2013\u201d");
	assert_smartens_to("--\"Yes,\" he said", "\u2013\u201cYes,\u201d he said");
	assert_smartens_to("(\"quoted\")", "(\u201cquoted\u201d)");
	assert_smartens_to("\"'nested'\"", "\u201c\u2018nested\u2019\u201d");
	assert_smartens_to("Caf\u00e9 \"cr\u00e8me\"", "Caf\u00e9 \u201ccr\u00e8me\u201d");
	assert_smartens_to("No change <b> & here", "No change <b> & here");
	assert_smartens_to("", "");
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = { "\xff", "ok \xc3", "\xed\xa0\x80", "\xc0\xaf" };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(md_render(bad[i], strlen(bad[i]), &sb), DL_INVALID);
		assert_int_equal(sb.len, 0);
	}
	assert_int_equal(md_render("a\0b", 3, &sb), DL_INVALID);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

/* md4c 0.4.8 read past the end of an unfinished link at the end of input. */
static void test_unfinished_link_at_end(void **state)
{
	static const char *const ends[] = { "[](", "[a](x", "x ![](" };

	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		struct strbuf sb = STRBUF_INIT;
		char *copy = malloc(strlen(ends[i]));

		memcpy(copy, ends[i], strlen(ends[i]));
		assert_int_equal(md_render(copy, strlen(ends[i]), &sb), DL_OK);
		assert_non_null(strstr(sb.buf, "]("));
		free(copy);
		strbuf_release(&sb);
	}
}

static void test_appends(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "<!-- head -->");
	assert_int_equal(md_render("x\n", 2, &sb), DL_OK);
	assert_string_equal(sb.buf, "<!-- head --><p>x</p>\n");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "T: ");
	md_smarten("\"a\"", 3, &sb);
	assert_string_equal(sb.buf, "T: \u201ca\u201d");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_emphasis),
		cmocka_unit_test(test_links_and_images),
		cmocka_unit_test(test_code_untouched),
		cmocka_unit_test(test_raw_html_sanitised),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_blockquote_and_entities),
		cmocka_unit_test(test_smart_typography),
		cmocka_unit_test(test_smarten),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_unfinished_link_at_end),
		cmocka_unit_test(test_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
