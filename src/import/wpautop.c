/*
 * wpautop.c - WordPress's paragraph rules and common shortcodes, in C.
 *
 * wpautop() is a sequence of regular expressions over the whole text; this
 * port keeps its order and effect: protect <pre>, break around block tags,
 * split on blank lines, wrap each piece in <p> unless it starts or ends
 * with a block tag, then turn the remaining single newlines into <br />.
 */
#include "core/compat.h"
#include <ctype.h>
#include "core/alloc.h"
#include "import/wpautop.h"

/* Newlines inside tags are set aside so they never make paragraphs. */
#define TAG_NL '\x02'
/* A protected <pre> block: "\x01" + index + "\x01". */
#define PRE_MARK '\x01'

static const char *const blocks[] = {
	"table", "thead", "tfoot", "caption", "col", "colgroup", "tbody", "tr", "td", "th",
	"div", "dl", "dd", "dt", "ul", "ol", "li", "pre", "form", "map", "area", "blockquote",
	"address", "math", "style", "p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "fieldset",
	"legend", "section", "article", "aside", "hgroup", "header", "footer", "nav", "figure",
	"figcaption", "details", "menu", "summary",
};
/* A <br /> before one of these is dropped (wpautop's last clean-up). */
static const char *const br_before[] = {
	"p", "li", "div", "dl", "dd", "dt", "th", "pre", "td", "ul", "ol",
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool name_in(const char *p, size_t n, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && !strncasecmp(p, list[i], n))
			return true;
	return false;
}

/*
 * If s[i] starts a tag named in `list` ("<name" or "</name" then space, '/'
 * or '>'), return the tag's length through its '>' (or to the end), else 0.
 */
static size_t tag_in(const char *s, size_t len, size_t i, const char *const *list, size_t nlist,
		     bool *closing)
{
	size_t j = i + 1, start;

	if (i >= len || s[i] != '<')
		return 0;
	*closing = j < len && s[j] == '/';
	if (*closing)
		j++;
	start = j;
	while (j < len && isalnum((unsigned char)s[j]))
		j++;
	if (j == start || j >= len || !(is_space(s[j]) || s[j] == '/' || s[j] == '>' ||
					 s[j] == TAG_NL))
		return 0;
	if (!name_in(s + start, j - start, list, nlist))
		return 0;
	while (j < len && s[j] != '>')
		j++;
	return j < len ? j + 1 - i : len - i;
}

static size_t block_tag(const char *s, size_t len, size_t i, bool *closing)
{
	return tag_in(s, len, i, blocks, ARRAY_SIZE(blocks), closing);
}

/* Length of a <br>, <br/> or <br /> at s[i], else 0. */
static size_t br_tag(const char *s, size_t len, size_t i)
{
	size_t j = i + 3;

	if (i + 3 > len || strncasecmp(s + i, "<br", 3))
		return 0;
	while (j < len && is_space(s[j]))
		j++;
	if (j < len && s[j] == '/')
		j++;
	return j < len && s[j] == '>' ? j + 1 - i : 0;
}

/* A byte inside a tag or comment: its newlines hidden, and never one of the
 * marks (input holding them must not name a <pre> that does not exist). */
static void add_tag_byte(struct strbuf *out, char c)
{
	if (c == PRE_MARK || c == TAG_NL)
		return;
	strbuf_addch(out, c == '\n' ? TAG_NL : c == '\r' ? ' ' : c);
}

/* Pass 1: CRLF to LF, <pre> set aside, in-tag newlines hidden, two <br>s
 * in a row become a paragraph break, block tags get blank lines around them. */
static void mark_blocks(const char *s, size_t len, struct strbuf *out, struct strbuf *pres,
			size_t *npre)
{
	size_t i = 0;

	while (i < len) {
		char c = s[i];
		size_t n;
		bool closing;

		if (c == '\r') {
			strbuf_addch(out, '\n');
			i += i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
			continue;
		}
		if (c == PRE_MARK || c == TAG_NL) {
			i++;
			continue;
		}
		if (c != '<') {
			strbuf_addch(out, c);
			i++;
			continue;
		}
		if (i + 4 <= len && !strncasecmp(s + i, "<pre", 4) &&
		    (i + 4 == len || is_space(s[i + 4]) || s[i + 4] == '>')) {
			const char *end = NULL;
			for (size_t j = i; j + 6 <= len && !end; j++)
				if (!strncasecmp(s + j, "</pre>", 6))
					end = s + j + 6;
			if (end) {
				/* Kept byte for byte; pres holds "len:bytes" records. */
				strbuf_addf(out, "\n\n%c%zu%c\n\n", PRE_MARK, *npre, PRE_MARK);
				strbuf_addf(pres, "%zu:", (size_t)(end - (s + i)));
				strbuf_add(pres, s + i, (size_t)(end - (s + i)));
				(*npre)++;
				i = (size_t)(end - s);
				continue;
			}
		}
		if ((n = br_tag(s, len, i))) {
			size_t j = i + n;
			while (j < len && is_space(s[j]))
				j++;
			size_t m = br_tag(s, len, j);
			if (m) {
				strbuf_addstr(out, "\n\n");
				i = j + m;
				continue;
			}
		}
		if (i + 4 <= len && !strncmp(s + i, "<!--", 4)) {
			const char *end = memmem(s + i + 4, len - i - 4, "-->", 3);
			size_t stop = end ? (size_t)(end - s) + 3 : len;
			for (; i < stop; i++)
				add_tag_byte(out, s[i]);
			continue;
		}
		n = block_tag(s, len, i, &closing);
		if (n && !closing)
			strbuf_addstr(out, "\n\n");
		/* Copy the tag (block or not), hiding its newlines. */
		bool hr = n && i + 3 <= len && !strncasecmp(s + i, "<hr", 3);
		{
			size_t j = i + 1;
			while (j < len && s[j] != '>' && s[j] != '<')
				j++;
			if (j < len && s[j] == '>')
				j++;
			for (; i < j; i++)
				add_tag_byte(out, s[i]);
		}
		if (n && (closing || hr))
			strbuf_addstr(out, "\n\n");
	}
}

/* Whether the bytes before `end` (after whitespace) close a block tag. */
static bool block_tag_ends_at(const char *s, size_t end)
{
	size_t j = end, k;
	bool closing;

	while (j > 0 && is_space(s[j - 1]))
		j--;
	if (!j || s[j - 1] != '>')
		return false;
	for (k = j - 1; k > 0 && s[k] != '<'; k--)
		;
	return s[k] == '<' && block_tag(s, j, k, &closing) == j - k;
}

/* Newlines in a paragraph's text become <br />, except next to block tags. */
static void add_breaks(const char *s, size_t len, struct strbuf *out)
{
	for (size_t i = 0; i < len; i++) {
		size_t j, ws;
		bool closing;

		if (s[i] != '\n') {
			strbuf_addch(out, s[i]);
			continue;
		}
		/* wpautop eats the whitespace before a newline it breaks. */
		ws = out->len;
		while (ws > 0 && (out->buf[ws - 1] == ' ' || out->buf[ws - 1] == '\t'))
			ws--;
		j = i + 1;
		while (j < len && is_space(s[j]))
			j++;
		if ((ws >= 6 && !strncmp(out->buf + ws - 6, "<br />", 6)) ||
		    block_tag_ends_at(out->buf, ws) ||
		    tag_in(s, len, j, br_before, ARRAY_SIZE(br_before), &closing)) {
			strbuf_addch(out, '\n');
			continue;
		}
		strbuf_setlen(out, ws);
		strbuf_addstr(out, "<br />\n");
	}
}

/* One piece between blank lines: <p> unless it starts/ends with a block tag. */
static void paragraph(const char *s, size_t len, struct strbuf *out)
{
	size_t a = 0, b = len, n;
	bool closing, open_p, close_p;

	while (a < len && s[a] == '\n')
		a++;
	while (b > a && s[b - 1] == '\n')
		b--;
	{
		size_t k = a;
		while (k < b && is_space(s[k]))
			k++;
		if (k == b)
			return;  /* <p>\s*</p> */
	}
	s += a;
	len = b - a;
	/* <p><blockquote…> becomes <blockquote…><p>: the quote's text gets paragraphs. */
	if (len > 11 && !strncasecmp(s, "<blockquote", 11) &&
	    (n = block_tag(s, len, 0, &closing)) && !closing) {
		strbuf_add(out, s, n);
		s += n;
		len -= n;
		if (len >= 13 && !strncasecmp(s + len - 13, "</blockquote>", 13)) {
			strbuf_addstr(out, "<p>");
			add_breaks(s, len - 13, out);
			strbuf_addstr(out, "</p></blockquote>\n");
			return;
		}
		strbuf_addstr(out, "<p>");
		add_breaks(s, len, out);
		strbuf_addstr(out, "</p>\n");
		return;
	}
	{
		size_t k = 0;
		while (k < len && is_space(s[k]))
			k++;
		open_p = !block_tag(s, len, k, &closing) && s[k] != PRE_MARK;
	}
	close_p = !block_tag_ends_at(s, len) && s[len - 1] != PRE_MARK;
	if (open_p && !close_p) {
		/* <p>text</div>: WordPress closes the paragraph before the div. */
		size_t k = len;
		while (k > 0 && is_space(s[k - 1]))
			k--;
		size_t lt = k;
		while (lt > 0 && s[lt - 1] != '<')
			lt--;
		if (lt > 0 && !memchr(s, '<', lt - 1) && s[lt] == '/' &&
		    (!strncasecmp(s + lt + 1, "div>", 4) || !strncasecmp(s + lt + 1, "address>", 8) ||
		     !strncasecmp(s + lt + 1, "form>", 5))) {
			strbuf_addstr(out, "<p>");
			add_breaks(s, lt - 1, out);
			strbuf_addstr(out, "</p>");
			strbuf_add(out, s + lt - 1, len - (lt - 1));
			strbuf_addch(out, '\n');
			return;
		}
	}
	if (open_p)
		strbuf_addstr(out, "<p>");
	add_breaks(s, len, out);
	if (close_p)
		strbuf_addstr(out, "</p>");
	strbuf_addch(out, '\n');
}

static void restore(const char *s, size_t len, const struct strbuf *pres, size_t npre,
		    struct strbuf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == TAG_NL) {
			strbuf_addch(out, '\n');
		} else if (s[i] == PRE_MARK) {
			size_t idx = 0, j = i + 1, at = 0;
			while (j < len && isdigit((unsigned char)s[j]) && idx < npre)
				idx = idx * 10 + (size_t)(s[j++] - '0');
			/* Records are "len:bytes"; mark_blocks() wrote both marks and the index. */
			for (size_t k = 0; k < npre && at < pres->len; k++) {
				size_t n = 0;
				while (at < pres->len && isdigit((unsigned char)pres->buf[at]))
					n = n * 10 + (size_t)(pres->buf[at++] - '0');
				at++;  /* ':' */
				if (n > pres->len - at)
					break;
				if (k == idx) {
					strbuf_add(out, pres->buf + at, n);
					break;
				}
				at += n;
			}
			i = j;  /* the closing mark */
		} else {
			strbuf_addch(out, s[i]);
		}
	}
}

void wp_autop(const char *text, size_t len, struct strbuf *out)
{
	struct strbuf marked = STRBUF_INIT, paras = STRBUF_INIT, pres = STRBUF_INIT;
	size_t npre = 0, i = 0, start;

	{
		size_t k = 0;
		while (k < len && is_space(text[k]))
			k++;
		if (k == len)
			return;
	}
	mark_blocks(text, len, &marked, &pres, &npre);
	strbuf_addch(&marked, '\n');
	/* Split on \n\s*\n. */
	start = 0;
	while (i < marked.len) {
		if (marked.buf[i] == '\n') {
			size_t j = i + 1;
			while (j < marked.len && is_space(marked.buf[j]) && marked.buf[j] != '\n')
				j++;
			if (j < marked.len && marked.buf[j] == '\n') {
				while (j < marked.len && is_space(marked.buf[j]))
					j++;
				paragraph(marked.buf + start, i - start, &paras);
				start = i = j;
				continue;
			}
		}
		i++;
	}
	paragraph(marked.buf + start, marked.len - start, &paras);
	/* A protected <pre> stands alone: never inside <p>. */
	restore(paras.buf, paras.len, &pres, npre, out);
	strbuf_release(&marked);
	strbuf_release(&paras);
	strbuf_release(&pres);
}

bool wp_has_blocks(const char *text, size_t len)
{
	return memmem(text, len, "<!-- wp:", 8) != NULL;
}

/* The value of attribute `name` in shortcode attributes a[0..len), or an empty slice. */
static struct slice sc_attr(const char *a, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i + n < len; i++) {
		if ((i == 0 || is_space(a[i - 1])) && !strncmp(a + i, name, n) && a[i + n] == '=') {
			size_t j = i + n + 1, k;
			char q = j < len ? a[j] : 0;
			if (q == '"' || q == '\'') {
				for (k = j + 1; k < len && a[k] != q; k++)
					;
				return slice_from(a + j + 1, k - j - 1);
			}
			for (k = j; k < len && !is_space(a[k]); k++)
				;
			return slice_from(a + j, k - j);
		}
	}
	return slice_from("", 0);
}

/* Find "[/name]" from `from`; returns its offset or len. */
static size_t sc_close(const char *s, size_t len, size_t from, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = from; i + n + 3 <= len; i++)
		if (s[i] == '[' && s[i + 1] == '/' && !strncmp(s + i + 2, name, n) && s[i + 2 + n] == ']')
			return i;
	return len;
}

/* The caption's image markup (an <img> or <a><img></a>) and its text. */
static void caption(const char *attrs, size_t alen, const char *in, size_t len,
		    struct strbuf *out)
{
	size_t split = 0;
	struct slice cap = sc_attr(attrs, alen, "caption");
	const char *img = memmem(in, len, "<img", 4);

	if (img) {
		const char *gt = memchr(img, '>', len - (size_t)(img - in));
		split = gt ? (size_t)(gt - in) + 1 : len;
		/* An <a> around the image goes with it. */
		if (split + 4 <= len && !strncasecmp(in + split, "</a>", 4))
			split += 4;
	}
	strbuf_addstr(out, "<figure>");
	strbuf_add(out, in, split);
	while (split < len && is_space(in[split]))
		split++;
	if (cap.len || split < len) {
		strbuf_addstr(out, "<figcaption>");
		if (cap.len)
			strbuf_addslice(out, cap);
		else
			strbuf_add(out, in + split, len - split);
		strbuf_addstr(out, "</figcaption>");
	}
	strbuf_addstr(out, "</figure>");
}

/* [gallery ids="1,2"]: one image per attachment id, at a placeholder address
 * the importer resolves once every attachment is in (WP_ATTACHMENT_PATH). */
static void gallery(struct slice ids, struct strbuf *out)
{
	size_t i = 0;

	strbuf_addstr(out, "<figure>");
	while (i < ids.len) {
		size_t start;

		while (i < ids.len && !isdigit((unsigned char)ids.p[i]))
			i++;
		start = i;
		while (i < ids.len && isdigit((unsigned char)ids.p[i]))
			i++;
		if (i > start && i - start < 19)
			strbuf_addf(out, "<img src=\"" WP_ATTACHMENT_PATH "%.*s/\" alt=\"\">",
				    (int)(i - start), ids.p + start);
	}
	strbuf_addstr(out, "</figure>");
}

/* A block shortcode alone in a paragraph loses the <p> wpautop put around it
 * (WordPress's shortcode_unautop); returns whether `out` ended with one. */
static bool unwrap_start(struct strbuf *out)
{
	if (out->len >= 3 && !memcmp(out->buf + out->len - 3, "<p>", 3)) {
		strbuf_setlen(out, out->len - 3);
		return true;
	}
	return false;
}

void wp_shortcodes(const char *text, size_t len, struct strbuf *out, size_t *galleries)
{
	size_t i = 0;

	while (i < len) {
		const char *open = memchr(text + i, '[', len - i);
		size_t at, name_end, attr_end;

		if (!open) {
			strbuf_add(out, text + i, len - i);
			return;
		}
		at = (size_t)(open - text);
		strbuf_add(out, text + i, at - i);
		i = at;
		/* [[name]] is WordPress's escape for a literal [name]. */
		if (at + 1 < len && text[at + 1] == '[') {
			size_t end = at + 2;
			while (end < len && text[end] != ']')
				end++;
			if (end + 1 < len && text[end + 1] == ']') {
				strbuf_add(out, text + at + 1, end - at);
				i = end + 2;
				continue;
			}
		}
		name_end = at + 1;
		while (name_end < len && (isalnum((unsigned char)text[name_end]) || text[name_end] == '_'))
			name_end++;
		attr_end = name_end;
		while (attr_end < len && text[attr_end] != ']' && text[attr_end] != '[')
			attr_end++;
		if (attr_end >= len || text[attr_end] != ']' ||
		    !(name_end == attr_end || is_space(text[name_end]) || text[name_end] == '/')) {
			strbuf_addch(out, '[');
			i = at + 1;
			continue;
		}
		struct slice name = slice_from(text + at + 1, name_end - at - 1);
		const char *attrs = text + name_end;
		size_t alen = attr_end - name_end, body = attr_end + 1, close;

		if (slice_eq_str(name, "caption") || slice_eq_str(name, "wp_caption")) {
			close = sc_close(text, len, body, slice_eq_str(name, "caption") ? "caption"
											  : "wp_caption");
			if (close < len) {
				bool wrapped = unwrap_start(out);
				caption(attrs, alen, text + body, close - body, out);
				i = close + name.len + 3;
				if (wrapped && i + 4 <= len && !strncmp(text + i, "</p>", 4))
					i += 4;
				continue;
			}
		} else if (slice_eq_str(name, "embed")) {
			close = sc_close(text, len, body, "embed");
			if (close < len) {
				const char *u = text + body;
				bool wrapped = unwrap_start(out);
				size_t n = close - body;
				while (n && is_space(*u))
					u++, n--;
				while (n && is_space(u[n - 1]))
					n--;
				strbuf_addstr(out, "<p><a href=\"");
				strbuf_add_html_attr(out, u, n);
				strbuf_addstr(out, "\">");
				strbuf_add_html_text(out, u, n);
				strbuf_addstr(out, "</a></p>");
				i = close + 8;
				if (wrapped && i + 4 <= len && !strncmp(text + i, "</p>", 4))
					i += 4;
				continue;
			}
		} else if (slice_eq_str(name, "gallery")) {
			struct slice ids = sc_attr(attrs, alen, "ids");
			bool wrapped = unwrap_start(out);

			if (ids.len)
				gallery(ids, out);
			else if (galleries)
				(*galleries)++;  /* the post's attachments: not known here */
			i = attr_end + 1;
			if (wrapped && i + 4 <= len && !strncmp(text + i, "</p>", 4))
				i += 4;
			continue;
		}
		/* Unknown, or not closed: left as text. */
		strbuf_add(out, text + at, attr_end + 1 - at);
		i = attr_end + 1;
	}
}

void wp_content_html(const char *text, size_t len, struct strbuf *out, size_t *galleries)
{
	struct strbuf sc = STRBUF_INIT;

	static const char open[] = "<!-- wp:html -->\n", close[] = "\n<!-- /wp:html -->";
	size_t no = sizeof(open) - 1, nc = sizeof(close) - 1;

	/* One Custom HTML block (as Dateline exports bodies): its HTML, exactly. */
	if (len >= no + nc && !memcmp(text, open, no) && !memcmp(text + len - nc, close, nc) &&
	    !memmem(text + no, len - no - nc, "<!-- wp:", 8) &&
	    !memmem(text + no, len - no - nc, "<!-- /wp:", 9)) {
		wp_shortcodes(text + no, len - no - nc, out, galleries);
		return;
	}
	if (wp_has_blocks(text, len)) {
		/* Block markup is HTML already; WordPress skips wpautop for it. */
		wp_shortcodes(text, len, out, galleries);
		return;
	}
	/* WordPress's order: paragraphs first, then shortcodes. */
	wp_autop(text, len, &sc);
	wp_shortcodes(sc.buf, sc.len, out, galleries);
	strbuf_release(&sc);
}
