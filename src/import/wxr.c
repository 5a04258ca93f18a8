/*
 * wxr.c - the streaming WXR reader (libxml2 xmlTextReader).
 */
#include "core/compat.h"
#include <ctype.h>
#include <libxml/xmlreader.h>
#include "core/alloc.h"
#include "core/err.h"
#include "import/wxr.h"

enum ns { NS_OTHER, NS_NONE, NS_WP, NS_EXCERPT, NS_CONTENT, NS_DC };

static const struct {
	enum wxr_kind kind;
	enum ns ns;
	const char *name;
	enum wxr_field field;
} fields[] = {
	{ WXR_ITEM, NS_NONE, "title", WXR_TITLE },
	{ WXR_ITEM, NS_NONE, "link", WXR_LINK },
	{ WXR_ITEM, NS_NONE, "pubDate", WXR_PUBDATE },
	{ WXR_ITEM, NS_NONE, "guid", WXR_GUID },
	{ WXR_ITEM, NS_DC, "creator", WXR_CREATOR },
	{ WXR_ITEM, NS_CONTENT, "encoded", WXR_CONTENT },
	{ WXR_ITEM, NS_EXCERPT, "encoded", WXR_EXCERPT },
	{ WXR_ITEM, NS_WP, "post_id", WXR_POST_ID },
	{ WXR_ITEM, NS_WP, "post_date", WXR_POST_DATE },
	{ WXR_ITEM, NS_WP, "post_date_gmt", WXR_POST_DATE_GMT },
	{ WXR_ITEM, NS_WP, "post_modified_gmt", WXR_POST_MODIFIED_GMT },
	{ WXR_ITEM, NS_WP, "post_name", WXR_POST_NAME },
	{ WXR_ITEM, NS_WP, "status", WXR_STATUS },
	{ WXR_ITEM, NS_WP, "post_parent", WXR_POST_PARENT },
	{ WXR_ITEM, NS_WP, "menu_order", WXR_MENU_ORDER },
	{ WXR_ITEM, NS_WP, "post_type", WXR_POST_TYPE },
	{ WXR_ITEM, NS_WP, "post_password", WXR_POST_PASSWORD },
	{ WXR_ITEM, NS_WP, "is_sticky", WXR_IS_STICKY },
	{ WXR_ITEM, NS_WP, "attachment_url", WXR_ATTACHMENT_URL },
	{ WXR_AUTHOR, NS_WP, "author_login", WXR_AUTHOR_LOGIN },
	{ WXR_AUTHOR, NS_WP, "author_email", WXR_AUTHOR_EMAIL },
	{ WXR_AUTHOR, NS_WP, "author_display_name", WXR_AUTHOR_DISPLAY_NAME },
	{ WXR_AUTHOR, NS_WP, "author_first_name", WXR_AUTHOR_FIRST_NAME },
	{ WXR_AUTHOR, NS_WP, "author_last_name", WXR_AUTHOR_LAST_NAME },
	{ WXR_AUTHOR, NS_WP, "author_description", WXR_AUTHOR_DESCRIPTION },
	{ WXR_CATEGORY, NS_WP, "term_id", WXR_TERM_ID },
	{ WXR_CATEGORY, NS_WP, "category_nicename", WXR_CATEGORY_NICENAME },
	{ WXR_CATEGORY, NS_WP, "category_parent", WXR_CATEGORY_PARENT },
	{ WXR_CATEGORY, NS_WP, "cat_name", WXR_CAT_NAME },
	{ WXR_CATEGORY, NS_WP, "category_description", WXR_CATEGORY_DESCRIPTION },
	{ WXR_TAG, NS_WP, "term_id", WXR_TERM_ID },
	{ WXR_TAG, NS_WP, "tag_slug", WXR_TAG_SLUG },
	{ WXR_TAG, NS_WP, "tag_name", WXR_TAG_NAME },
	{ WXR_TAG, NS_WP, "tag_description", WXR_TAG_DESCRIPTION },
	{ WXR_TERM, NS_WP, "term_id", WXR_TERM_ID },
	{ WXR_TERM, NS_WP, "term_taxonomy", WXR_TERM_TAXONOMY },
	{ WXR_TERM, NS_WP, "term_slug", WXR_TERM_SLUG },
	{ WXR_TERM, NS_WP, "term_parent", WXR_TERM_PARENT },
	{ WXR_TERM, NS_WP, "term_name", WXR_TERM_NAME },
	{ WXR_TERM, NS_WP, "term_description", WXR_TERM_DESCRIPTION },
};

struct reader {
	xmlTextReaderPtr xr;
	const struct wxr_reader_cb *cb;
	struct wxr_channel *ch;
	struct wxr_record rec;
	struct strbuf *err;
	struct strbuf discard;
	int xml_error_line;
	struct strbuf xml_error;
	bool version_checked;
	int cb_rc;              /* the callback's failure, reported by it */
	size_t nrecords;
};

static enum ns classify(const xmlChar *uri)
{
	const char *u = (const char *)uri, *v;

	if (!u || !*u)
		return NS_NONE;
	if (!strcmp(u, "http://purl.org/rss/1.0/modules/content/"))
		return NS_CONTENT;
	if (!strcmp(u, "http://purl.org/dc/elements/1.1/"))
		return NS_DC;
	if (!strncmp(u, "http://", 7))
		u += 7;
	else if (!strncmp(u, "https://", 8))
		u += 8;
	else
		return NS_OTHER;
	if (strncmp(u, "wordpress.org/export/", 21))
		return NS_OTHER;
	/* X.Y/ then nothing (wp:) or excerpt/ (excerpt:) */
	v = u + 21;
	if (!isdigit((unsigned char)*v))
		return NS_OTHER;
	while (isdigit((unsigned char)*v) || *v == '.')
		v++;
	if (!strcmp(v, "/"))
		return NS_WP;
	if (!strcmp(v, "/excerpt/"))
		return NS_EXCERPT;
	return NS_OTHER;
}

const struct strbuf *wxr_meta_get(const struct wxr_record *r, const char *key)
{
	for (size_t i = 0; i < r->nmeta; i++)
		if (!strcmp(r->meta[i].key.buf, key))
			return &r->meta[i].value;
	return NULL;
}

void wxr_channel_release(struct wxr_channel *ch)
{
	strbuf_release(&ch->version);
	strbuf_release(&ch->base_site_url);
	strbuf_release(&ch->base_blog_url);
	strbuf_release(&ch->title);
}

static void record_reset(struct wxr_record *r, enum wxr_kind kind, int line)
{
	r->kind = kind;
	r->line = line;
	for (size_t i = 0; i < WXR_NFIELDS; i++) {
		strbuf_reset(&r->f[i]);
		r->present[i] = false;
	}
	r->nterms = 0;
	r->nmeta = 0;
	r->ncomments = 0;
}

static void record_release(struct wxr_record *r)
{
	for (size_t i = 0; i < WXR_NFIELDS; i++)
		strbuf_release(&r->f[i]);
	for (size_t i = 0; i < r->terms_alloc; i++) {
		strbuf_release(&r->terms[i].domain);
		strbuf_release(&r->terms[i].nicename);
		strbuf_release(&r->terms[i].name);
	}
	free(r->terms);
	for (size_t i = 0; i < r->meta_alloc; i++) {
		strbuf_release(&r->meta[i].key);
		strbuf_release(&r->meta[i].value);
	}
	free(r->meta);
}

static void xml_error_fn(void *arg, const char *msg, xmlParserSeverities severity,
			 xmlTextReaderLocatorPtr loc)
{
	struct reader *rd = arg;
	size_t n = strlen(msg);

	/* Warnings (a namespace URI that is not a URI, say) do not stop a read. */
	if (severity != XML_PARSER_SEVERITY_ERROR || rd->xml_error.len)
		return;
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	rd->xml_error_line = xmlTextReaderLocatorLineNumber(loc);
	strbuf_add(&rd->xml_error, msg, n);
}

/* libxml2's messages outside the parser (encoding errors): kept, not printed. */
static void generic_error_fn(void *arg, const char *msg, ...) DL_PRINTF(2, 3);
static void generic_error_fn(void *arg, const char *msg, ...)
{
	struct reader *rd = arg;
	va_list ap;

	if (rd->xml_error.len)
		return;
	rd->xml_error_line = rd->xr ? xmlTextReaderGetParserLineNumber(rd->xr) : 1;
	va_start(ap, msg);
	strbuf_vaddf(&rd->xml_error, msg, ap);
	va_end(ap);
	while (rd->xml_error.len && (rd->xml_error.buf[rd->xml_error.len - 1] == '\n' ||
				     rd->xml_error.buf[rd->xml_error.len - 1] == ' '))
		strbuf_setlen(&rd->xml_error, rd->xml_error.len - 1);
}

static int fail(struct reader *rd, int line, const char *fmt, ...) DL_PRINTF(3, 4);
static int fail(struct reader *rd, int line, const char *fmt, ...)
{
	va_list ap;

	if (rd->err->len)
		return DL_INVALID;
	strbuf_addf(rd->err, "%d: ", line);
	va_start(ap, fmt);
	strbuf_vaddf(rd->err, fmt, ap);
	va_end(ap);
	return DL_INVALID;
}

static int line_of(struct reader *rd)
{
	return xmlTextReaderGetParserLineNumber(rd->xr);
}

/* Append the text content of the current element to `out` (first wins:
 * pass the discard buffer for a repeat), leaving the reader on its end. */
static int read_text(struct reader *rd, struct strbuf *out)
{
	int depth = xmlTextReaderDepth(rd->xr), rc;

	if (xmlTextReaderIsEmptyElement(rd->xr))
		return DL_OK;
	while ((rc = xmlTextReaderRead(rd->xr)) == 1) {
		int type = xmlTextReaderNodeType(rd->xr);

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(rd->xr) == depth)
			return DL_OK;
		if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
		    type == XML_READER_TYPE_WHITESPACE) {
			const xmlChar *v = xmlTextReaderConstValue(rd->xr);
			size_t n = v ? strlen((const char *)v) : 0;

			if (out->len + n > WXR_FIELD_MAX)
				return fail(rd, line_of(rd), "a field is larger than %u MB",
					    WXR_FIELD_MAX >> 20);
			strbuf_add(out, v, n);
		}
	}
	return rc < 0 ? DL_INVALID : DL_OK;
}

static int read_postmeta(struct reader *rd)
{
	struct wxr_record *r = &rd->rec;
	int depth = xmlTextReaderDepth(rd->xr), rc;
	struct wxr_meta *m;

	if (xmlTextReaderIsEmptyElement(rd->xr))
		return DL_OK;
	if (r->nmeta == r->meta_alloc) {
		size_t old = r->meta_alloc;
		ALLOC_GROW(r->meta, r->nmeta + 1, r->meta_alloc);
		for (size_t i = old; i < r->meta_alloc; i++) {
			strbuf_init(&r->meta[i].key, 0);
			strbuf_init(&r->meta[i].value, 0);
		}
	}
	m = &r->meta[r->nmeta++];
	strbuf_reset(&m->key);
	strbuf_reset(&m->value);
	while ((rc = xmlTextReaderRead(rd->xr)) == 1) {
		int type = xmlTextReaderNodeType(rd->xr);
		const char *name;

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(rd->xr) == depth)
			return DL_OK;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		name = (const char *)xmlTextReaderConstLocalName(rd->xr);
		if (classify(xmlTextReaderConstNamespaceUri(rd->xr)) != NS_WP)
			rc = read_text(rd, &rd->discard);
		else if (!strcmp(name, "meta_key"))
			rc = read_text(rd, &m->key);
		else if (!strcmp(name, "meta_value"))
			rc = read_text(rd, &m->value);
		else
			rc = read_text(rd, &rd->discard);
		if (rc)
			return rc;
	}
	return rc < 0 ? DL_INVALID : DL_OK;
}

static void attr(struct reader *rd, const char *name, struct strbuf *out)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd->xr, (const xmlChar *)name);

	strbuf_reset(out);
	if (v) {
		strbuf_addstr(out, (const char *)v);
		xmlFree(v);
	}
}

static int read_term_ref(struct reader *rd)
{
	struct wxr_record *r = &rd->rec;
	struct wxr_term_ref *t;

	if (r->nterms == r->terms_alloc) {
		size_t old = r->terms_alloc;
		ALLOC_GROW(r->terms, r->nterms + 1, r->terms_alloc);
		for (size_t i = old; i < r->terms_alloc; i++) {
			strbuf_init(&r->terms[i].domain, 0);
			strbuf_init(&r->terms[i].nicename, 0);
			strbuf_init(&r->terms[i].name, 0);
		}
	}
	t = &r->terms[r->nterms++];
	attr(rd, "domain", &t->domain);
	attr(rd, "nicename", &t->nicename);
	strbuf_reset(&t->name);
	return read_text(rd, &t->name);
}

static int check_version(struct reader *rd, int line)
{
	const char *v = rd->ch->version.buf;
	const char *p = v;

	rd->version_checked = true;
	while (isdigit((unsigned char)*p))
		p++;
	if (p > v && *p == '.' && isdigit((unsigned char)p[1])) {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (!*p)
			return DL_OK;
	}
	if (!rd->ch->version.len)
		return fail(rd, line, "no <wp:wxr_version> in the channel: this is not a WordPress"
			    " export (WXR) file");
	return fail(rd, line, "<wp:wxr_version> '%s' is not a WXR version number (like 1.2)", v);
}

/* Read one record's children, then hand it to the callback. */
static int read_record(struct reader *rd, enum wxr_kind kind)
{
	struct wxr_record *r = &rd->rec;
	int depth = xmlTextReaderDepth(rd->xr), rc;

	record_reset(r, kind, line_of(rd));
	if (!rd->version_checked && (rc = check_version(rd, r->line)))
		return rc;
	if (xmlTextReaderIsEmptyElement(rd->xr))
		goto done;
	while ((rc = xmlTextReaderRead(rd->xr)) == 1) {
		int type = xmlTextReaderNodeType(rd->xr);
		const char *name;
		enum ns ns;
		size_t i;

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(rd->xr) == depth)
			goto done;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		name = (const char *)xmlTextReaderConstLocalName(rd->xr);
		ns = classify(xmlTextReaderConstNamespaceUri(rd->xr));
		if (kind == WXR_ITEM && ns == NS_NONE && !strcmp(name, "category")) {
			rc = read_term_ref(rd);
		} else if (kind == WXR_ITEM && ns == NS_WP && !strcmp(name, "postmeta")) {
			rc = read_postmeta(rd);
		} else if (kind == WXR_ITEM && ns == NS_WP && !strcmp(name, "comment")) {
			r->ncomments++;
			rc = read_text(rd, &rd->discard);
			strbuf_reset(&rd->discard);
		} else {
			for (i = 0; i < ARRAY_SIZE(fields); i++)
				if (fields[i].kind == kind && fields[i].ns == ns &&
				    !strcmp(fields[i].name, name))
					break;
			if (i == ARRAY_SIZE(fields) || r->present[fields[i].field]) {
				rc = read_text(rd, &rd->discard);
				strbuf_reset(&rd->discard);
			} else {
				r->present[fields[i].field] = true;
				rc = read_text(rd, &r->f[fields[i].field]);
			}
		}
		if (rc)
			return rc;
	}
	return DL_INVALID;
done:
	rd->nrecords++;
	if (rd->cb->progress && rd->nrecords % 64 == 0)
		rd->cb->progress(rd->cb->ctx, (uint64_t)xmlTextReaderByteConsumed(rd->xr));
	rc = rd->cb->record(rd->cb->ctx, r, rd->ch);
	if (rc)
		rd->cb_rc = rc;
	return rc;
}

static int read_channel(struct reader *rd)
{
	int rc;

	while ((rc = xmlTextReaderRead(rd->xr)) == 1) {
		int type = xmlTextReaderNodeType(rd->xr);
		const char *name;
		enum ns ns;

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(rd->xr) == 1)
			return DL_OK;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		name = (const char *)xmlTextReaderConstLocalName(rd->xr);
		ns = classify(xmlTextReaderConstNamespaceUri(rd->xr));
		if (ns == NS_NONE && !strcmp(name, "item"))
			rc = read_record(rd, WXR_ITEM);
		else if (ns == NS_WP && !strcmp(name, "author"))
			rc = read_record(rd, WXR_AUTHOR);
		else if (ns == NS_WP && !strcmp(name, "category"))
			rc = read_record(rd, WXR_CATEGORY);
		else if (ns == NS_WP && !strcmp(name, "tag"))
			rc = read_record(rd, WXR_TAG);
		else if (ns == NS_WP && !strcmp(name, "term"))
			rc = read_record(rd, WXR_TERM);
		else if (ns == NS_WP && !strcmp(name, "wxr_version") && !rd->ch->version.len)
			rc = read_text(rd, &rd->ch->version);
		else if (ns == NS_WP && !strcmp(name, "base_site_url") && !rd->ch->base_site_url.len)
			rc = read_text(rd, &rd->ch->base_site_url);
		else if (ns == NS_WP && !strcmp(name, "base_blog_url") && !rd->ch->base_blog_url.len)
			rc = read_text(rd, &rd->ch->base_blog_url);
		else if (ns == NS_NONE && !strcmp(name, "title") && !rd->ch->title.len)
			rc = read_text(rd, &rd->ch->title);
		else
			rc = read_text(rd, &rd->discard);
		strbuf_reset(&rd->discard);
		if (rc)
			return rc;
	}
	return DL_INVALID;
}

static int read_document(struct reader *rd)
{
	int rc;

	/* The root: <rss> with no namespace, then its <channel>. */
	while ((rc = xmlTextReaderRead(rd->xr)) == 1)
		if (xmlTextReaderNodeType(rd->xr) == XML_READER_TYPE_ELEMENT)
			break;
	if (rc != 1)
		return DL_INVALID;
	if (strcmp((const char *)xmlTextReaderConstLocalName(rd->xr), "rss") ||
	    classify(xmlTextReaderConstNamespaceUri(rd->xr)) != NS_NONE)
		return fail(rd, line_of(rd), "the root element is <%s>, not <rss>: this is not a"
			    " WordPress export (WXR) file", xmlTextReaderConstName(rd->xr));
	while ((rc = xmlTextReaderRead(rd->xr)) == 1) {
		int type = xmlTextReaderNodeType(rd->xr);

		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(rd->xr) == 0)
			break;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (strcmp((const char *)xmlTextReaderConstLocalName(rd->xr), "channel") ||
		    classify(xmlTextReaderConstNamespaceUri(rd->xr)) != NS_NONE)
			return fail(rd, line_of(rd), "<%s> where the <channel> should be: this is not"
				    " a WordPress export (WXR) file", xmlTextReaderConstName(rd->xr));
		rc = read_channel(rd);
		if (rc)
			return rc;
		if (!rd->version_checked && (rc = check_version(rd, line_of(rd))))
			return rc;
	}
	if (rc < 0)
		return DL_INVALID;
	/* Whatever follows the root must still be well-formed. */
	while ((rc = xmlTextReaderRead(rd->xr)) == 1)
		;
	if (rc < 0)
		return DL_INVALID;
	if (!rd->version_checked)
		return fail(rd, line_of(rd), "no <channel>: this is not a WordPress export (WXR) file");
	return DL_OK;
}

int wxr_read(const char *path, const struct wxr_reader_cb *cb, struct wxr_channel *ch,
	     struct strbuf *err)
{
	struct reader rd = { .cb = cb, .ch = ch, .err = err };
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		strbuf_addf(err, "cannot open: %s", strerror(errno));
		return DL_ERR;
	}
	fclose(f);
	strbuf_init(&rd.discard, 0);
	strbuf_init(&rd.xml_error, 0);
	xmlSetGenericErrorFunc(&rd, generic_error_fn);
	/* No network, no external entities, no DTD loading: the file alone. */
	rd.xr = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (!rd.xr) {
		xmlSetGenericErrorFunc(NULL, NULL);
		strbuf_addf(err, "cannot read the file%s%s", rd.xml_error.len ? ": " : "",
			    rd.xml_error.buf);
		strbuf_release(&rd.xml_error);
		strbuf_release(&rd.discard);
		return DL_ERR;
	}
	for (size_t i = 0; i < WXR_NFIELDS; i++)
		strbuf_init(&rd.rec.f[i], 0);
	xmlTextReaderSetErrorHandler(rd.xr, xml_error_fn, &rd);
	rc = read_document(&rd);
	if (rd.cb_rc)
		rc = rd.cb_rc;
	else if (rc && !err->len) {
		for (size_t i = 0; i < rd.xml_error.len; i++)
			if (rd.xml_error.buf[i] == '\n')
				rd.xml_error.buf[i] = ' ';  /* one line */
		if (rd.xml_error.len)
			strbuf_addf(err, "%d: not well-formed XML: %s", rd.xml_error_line,
				    rd.xml_error.buf);
		else
			strbuf_addf(err, "%d: the file ends before the export does (truncated?)",
				    line_of(&rd));
		rc = DL_INVALID;
	}
	if (cb->progress && !rc)
		cb->progress(cb->ctx, (uint64_t)xmlTextReaderByteConsumed(rd.xr));
	xmlFreeTextReader(rd.xr);
	xmlSetGenericErrorFunc(NULL, NULL);
	record_release(&rd.rec);
	strbuf_release(&rd.discard);
	strbuf_release(&rd.xml_error);
	return rc;
}
