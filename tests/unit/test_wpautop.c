#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "import/wpautop.h"

static void autop(const char *in, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	wp_autop(in, strlen(in), &out);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void content(const char *in, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	wp_content_html(in, strlen(in), &out, NULL);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

/* Expected outputs are what WordPress's wpautop() returns for the same input. */
static void test_paragraphs_and_breaks(void **state)
{
	autop("", "");
	autop("  \n\n ", "");
	autop("Hello", "<p>Hello</p>\n");
	autop("Hello\n\nWorld", "<p>Hello</p>\n<p>World</p>\n");
	autop("Hello\r\n\r\nWorld\r\n", "<p>Hello</p>\n<p>World</p>\n");
	autop("line one\nline two", "<p>line one<br />\nline two</p>\n");
	autop("a\n\n\n\nb", "<p>a</p>\n<p>b</p>\n");
	autop("a<br><br>b", "<p>a</p>\n<p>b</p>\n");
}

static void test_blocks_get_no_paragraph(void **state)
{
	autop("<div>text</div>", "<div>text</div>\n");
	autop("<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	autop("<h2>Title</h2>\nText", "<h2>Title</h2>\n<p>Text</p>\n");
	autop("<blockquote>Quote</blockquote>", "<blockquote><p>Quote</p></blockquote>\n");
	autop("Before<hr>After", "<p>Before</p>\n<hr>\n<p>After</p>\n");
}

static void test_pre_and_tags_kept(void **state)
{
	/* Newlines inside <pre> and inside a tag never become paragraphs. */
	autop("<pre>a\n\nb</pre>", "<pre>a\n\nb</pre>\n");
	autop("<a\nhref=\"x\">link</a>\n\nnext", "<p><a\nhref=\"x\">link</a></p>\n<p>next</p>\n");
}

static void test_shortcodes(void **state)
{
	content("[caption id=\"attachment_1\" align=\"alignleft\" width=\"300\"]"
		"<img src=\"x.jpg\" alt=\"\" /> A caption[/caption]",
		"<figure><img src=\"x.jpg\" alt=\"\" /><figcaption>A caption</figcaption></figure>\n");
	content("[embed]https://example.org/v?a=1&b=2[/embed]",
		"<p><a href=\"https://example.org/v?a=1&amp;b=2\">https://example.org/v?a=1&amp;b=2</a></p>\n");
	content("Before [unknown foo=\"bar\"] after", "<p>Before [unknown foo=\"bar\"] after</p>\n");
	content("[[caption]] literal", "<p>[caption] literal</p>\n");
	content("[gallery ids=\"12, 34\" columns=\"2\"]",
		"<figure><img src=\"/wp-attachment/12/\" alt=\"\"><img src=\"/wp-attachment/34/\" alt=\"\">"
		"</figure>\n");
	{
		struct strbuf out = STRBUF_INIT;
		size_t galleries = 0;
		const char *g = "[gallery columns=\"2\"]";
		wp_content_html(g, strlen(g), &out, &galleries);
		assert_int_equal(galleries, 1);
		assert_string_equal(out.buf, "\n");
		strbuf_release(&out);
	}
}

static void test_blocks_skip_autop(void **state)
{
	const char *block = "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->";

	assert_true(wp_has_blocks(block, strlen(block)));
	content(block, block);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_and_breaks),
		cmocka_unit_test(test_blocks_get_no_paragraph),
		cmocka_unit_test(test_pre_and_tags_kept),
		cmocka_unit_test(test_shortcodes),
		cmocka_unit_test(test_blocks_skip_autop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
