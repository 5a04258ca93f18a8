/*
 * fuzz_html.c - libFuzzer driver for the HTML sanitiser and its helpers.
 *
 * The input is an HTML fragment, sanitised, flattened to text and scanned for
 * paragraph ends. Checked beyond memory safety:
 *  - invalid UTF-8 is refused and leaves the output untouched;
 *  - sanitised output is valid UTF-8 and, read as a browser's tokenizer
 *    would, holds only allowlisted elements and attributes, escaped text and
 *    safe URLs;
 *  - sanitising is stable: a second pass may still change the output where
 *    the parser moved misplaced content (foster parenting), a third may not;
 *  - html_paragraph_end() offsets increase and each ends a "</p>";
 *  - html_to_text() output is valid UTF-8 with no outer whitespace.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "render/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_html: %s\n", what);
		abort();
	}
}

static const char *const elements[] = {
	"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "q",
	"cite", "ul", "ol", "li", "dl", "dt", "dd", "strong", "b", "em", "i",
	"u", "s", "del", "ins", "mark", "small", "sub", "sup", "code", "pre",
	"kbd", "abbr", "span", "div", "a", "img", "figure", "figcaption",
	"picture", "source", "table", "thead", "tbody", "tfoot", "tr", "th",
	"td", "caption", "time", "iframe",
};

static const char *const attributes[] = {
	"class", "href", "title", "rel", "target", "src", "srcset", "sizes",
	"alt", "width", "height", "loading", "type", "media", "start",
	"reversed", "colspan", "rowspan", "scope", "datetime", "cite",
	"allowfullscreen", "sandbox",
};

static bool listed(const char *const *list, size_t n, const char *p, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], p, len))
			return true;
	return false;
}

static size_t name_len(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9'))
		n++;
	return n;
}

/* A URL value must be relative or use an allowed scheme. */
static void check_url(const char *v, size_t len)
{
	static const char *const schemes[] = { "http", "https", "mailto", "tel" };

	for (size_t i = 0; i < len; i++) {
		if (v[i] == '/' || v[i] == '?' || v[i] == '#')
			return;
		if (v[i] == ':') {
			for (size_t k = 0; k < 4; k++)
				if (strlen(schemes[k]) == i && !strncasecmp(v, schemes[k], i))
					return;
			check(false, "URL with a banned scheme");
		}
		check((unsigned char)v[i] >= ' ', "URL with a control character");
	}
}

/* Parse the tag at p ("<name attr="v"...>"); returns its '>'. */
static const char *check_tag(const char *p)
{
	const char *name = p + 1 + (p[1] == '/');
	size_t n = name_len(name);

	check(listed(elements, sizeof(elements) / sizeof(elements[0]), name, n),
	      "element not in the allowlist");
	p = name + n;
	while (*p == ' ') {
		const char *attr = ++p, *v, *q;
		size_t alen = name_len(attr);

		check(listed(attributes, sizeof(attributes) / sizeof(attributes[0]),
			     attr, alen), "attribute not in the allowlist");
		p += alen;
		if (*p != '=')
			continue;
		check(p[1] == '"', "unquoted attribute");
		v = p + 2;
		q = strchr(v, '"');

		check(q != NULL && !memchr(v, '<', (size_t)(q - v)) &&
		      !memchr(v, '>', (size_t)(q - v)), "attribute value unescaped");
		if ((alen == 4 && !strncmp(attr, "href", 4)) ||
		    (alen == 3 && !strncmp(attr, "src", 3)) ||
		    (alen == 4 && !strncmp(attr, "cite", 4)))
			check_url(v, (size_t)(q - v));
		p = q + 1;
	}
	check(*p == '>', "malformed tag");
	return p;
}

/* Output escapes every '<' and '>' outside tags, so each '<' opens a tag. */
static void check_safe(const struct strbuf *out)
{
	const char *p = out->buf;

	for (;;) {
		const char *lt = strchr(p, '<');
		size_t text = lt ? (size_t)(lt - p) : strlen(p);

		check(!memchr(p, '>', text), "unescaped '>' in text");
		if (!lt)
			return;
		p = check_tag(lt) + 1;
	}
}

static void check_paragraphs(const struct strbuf *out)
{
	size_t prev = 0;

	for (int n = 1; n < 64; n++) {
		size_t end = html_paragraph_end(out->buf, out->len, n);

		if (!end)
			break;
		check(end > prev && end <= out->len, "paragraph offsets");
		check(end >= 4 && !memcmp(out->buf + end - 4, "</p>", 4),
		      "paragraph end is not </p>");
		prev = end;
	}
}

static void check_text(const char *html, size_t len)
{
	struct strbuf text = STRBUF_INIT;

	if (html_to_text(html, len, &text) == DL_OK) {
		check(utf8_valid(text.buf, text.len), "text is not UTF-8");
		check(!text.len || (text.buf[0] != ' ' && text.buf[0] != '\n' &&
				    text.buf[text.len - 1] != ' ' &&
				    text.buf[text.len - 1] != '\n'),
		      "text has outer whitespace");
	}
	strbuf_release(&text);
}

/* Sanitise in (known good), check the result, and leave it in out. */
static void sanitize_checked(const char *in, size_t len, struct strbuf *out)
{
	strbuf_reset(out);
	check(html_sanitize(in, len, out) == DL_OK, "output rejected");
	check(utf8_valid(out->buf, out->len), "output is not UTF-8");
	check_safe(out);
	check_paragraphs(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct strbuf out = STRBUF_INIT, second = STRBUF_INIT, third = STRBUF_INIT;
	int rc;

	strbuf_addstr(&out, "keep");
	rc = html_sanitize(in, size, &out);
	if (!utf8_valid(in, size)) {
		check(rc == DL_INVALID, "invalid UTF-8 accepted");
		check(out.len == 4, "output changed on failure");
		goto done;
	}
	if (rc) {
		check(rc == DL_TOOBIG && out.len == 4, "unexpected failure");
		goto done;
	}
	sanitize_checked(in, size, &out);
	sanitize_checked(out.buf, out.len, &second);
	sanitize_checked(second.buf, second.len, &third);
	check(second.len == third.len && !memcmp(second.buf, third.buf, third.len),
	      "sanitising is not stable");
	check_text(in, size);
	check_text(out.buf, out.len);
done:
	strbuf_release(&out);
	strbuf_release(&second);
	strbuf_release(&third);
	return 0;
}
