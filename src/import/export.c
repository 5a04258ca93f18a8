/*
 * export.c - the store as a WXR 1.2 file WordPress's importer reads.
 */
#include "core/compat.h"
#include <sys/stat.h>
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "import/import.h"
#include "store/accounts.h"
#include "store/store.h"

/* Media become attachments with post ids past any article's. */
#define MEDIA_POST_ID_BASE 1000000000

struct exporter {
	FILE *f;
	const char *base;
	const char *uploads;   /* write media files here (NULL: links only) */
	struct strbuf sb;
	struct wxr_export_stats *st;
	int rc;
};

/* CDATA holding any text: "]]>" split across two sections, and bytes XML
 * 1.0 cannot carry (C0 controls but tab and newlines) dropped. */
static void cdata(struct strbuf *sb, const char *p, size_t len)
{
	strbuf_addstr(sb, "<![CDATA[");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			continue;
		if (c == ']' && i + 2 < len && p[i + 1] == ']' && p[i + 2] == '>') {
			strbuf_addstr(sb, "]]]]><![CDATA[>");
			i += 2;
			continue;
		}
		strbuf_addch(sb, (char)c);
	}
	strbuf_addstr(sb, "]]>");
}

static void elem_cdata(struct strbuf *sb, const char *name, struct slice v)
{
	strbuf_addf(sb, "\t\t<%s>", name);
	cdata(sb, v.p, v.len);
	strbuf_addf(sb, "</%s>\n", name);
}

static void wp_date(struct strbuf *sb, const char *name, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t) {
		strbuf_addf(sb, "\t\t<wp:%s>0000-00-00 00:00:00</wp:%s>\n", name, name);
		return;
	}
	gmtime_r(&tt, &tm);
	strbuf_addf(sb, "\t\t<wp:%s>%04d-%02d-%02d %02d:%02d:%02d</wp:%s>\n", name,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    name);
}

static void meta(struct strbuf *sb, const char *key, struct slice value)
{
	strbuf_addf(sb, "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>%s</wp:meta_key>\n\t\t\t<wp:meta_value>",
		    key);
	cdata(sb, value.p, value.len);
	strbuf_addstr(sb, "</wp:meta_value>\n\t\t</wp:postmeta>\n");
}

static const char *wp_status(struct slice s)
{
	static const char *const map[][2] = {
		{ "published", "publish" }, { "draft", "draft" }, { "scheduled", "future" },
		{ "unpublished", "private" }, { "review", "pending" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (slice_eq_str(s, map[i][0]))
			return map[i][1];
	return "draft";
}

static void flush(struct exporter *ex)
{
	if (ex->sb.len && fwrite(ex->sb.buf, 1, ex->sb.len, ex->f) != ex->sb.len)
		ex->rc = error("writing the export failed: %s", strerror(errno));
	strbuf_reset(&ex->sb);
}

static void article(void *ctx, const struct store_export_article *e)
{
	struct exporter *ex = ctx;
	struct strbuf *sb = &ex->sb;
	const struct store_article *a = &e->art;
	bool page = slice_eq_str(a->category.slug, "pages");
	char num[32];

	strbuf_addstr(sb, "\t<item>\n");
	elem_cdata(sb, "title", a->title);
	strbuf_addf(sb, "\t\t<link>%s/%.*s/%.*s/</link>\n", ex->base, (int)a->category.slug.len,
		    a->category.slug.p, (int)a->slug.len, a->slug.p);
	if (a->published_at) {
		strbuf_addstr(sb, "\t\t<pubDate>");
		timefmt_http(sb, a->published_at);
		strbuf_addstr(sb, "</pubDate>\n");
	}
	elem_cdata(sb, "dc:creator", a->author.slug);
	strbuf_addf(sb, "\t\t<guid isPermaLink=\"false\">%s/?p=%" PRId64 "</guid>\n", ex->base, a->id);
	strbuf_addstr(sb, "\t\t<description></description>\n\t\t<content:encoded>");
	/* One Custom HTML block: WordPress shows it as is, without wpautop. */
	strbuf_addstr(sb, "<![CDATA[<!-- wp:html -->\n]]>");
	cdata(sb, a->body_html.p, a->body_html.len);
	strbuf_addstr(sb, "<![CDATA[\n<!-- /wp:html -->]]></content:encoded>\n");
	/* The importer reads excerpts as HTML: escape the plain text. */
	strbuf_addstr(sb, "\t\t<excerpt:encoded>");
	{
		struct strbuf esc = STRBUF_INIT;
		strbuf_add_html_text(&esc, a->excerpt.p, a->excerpt.len);
		cdata(sb, esc.buf, esc.len);
		strbuf_release(&esc);
	}
	strbuf_addstr(sb, "</excerpt:encoded>\n");
	strbuf_addf(sb, "\t\t<wp:post_id>%" PRId64 "</wp:post_id>\n", a->id);
	wp_date(sb, "post_date", a->published_at);
	wp_date(sb, "post_date_gmt", a->published_at);
	wp_date(sb, "post_modified", a->updated_at);
	wp_date(sb, "post_modified_gmt", a->updated_at);
	strbuf_addstr(sb, "\t\t<wp:comment_status>closed</wp:comment_status>\n"
			  "\t\t<wp:ping_status>closed</wp:ping_status>\n");
	elem_cdata(sb, "wp:post_name", a->slug);
	strbuf_addf(sb, "\t\t<wp:status>%s</wp:status>\n\t\t<wp:post_parent>0</wp:post_parent>\n"
			"\t\t<wp:menu_order>0</wp:menu_order>\n\t\t<wp:post_type>%s</wp:post_type>\n"
			"\t\t<wp:post_password></wp:post_password>\n\t\t<wp:is_sticky>%d</wp:is_sticky>\n",
		    wp_status(e->status), page ? "page" : "post", a->pinned_at ? 1 : 0);
	if (!page) {
		strbuf_addf(sb, "\t\t<category domain=\"category\" nicename=\"%.*s\">",
			    (int)a->category.slug.len, a->category.slug.p);
		cdata(sb, a->category.name.p, a->category.name.len);
		strbuf_addstr(sb, "</category>\n");
	}
	for (size_t i = 0; i < a->ntags; i++) {
		strbuf_addf(sb, "\t\t<category domain=\"post_tag\" nicename=\"%.*s\">",
			    (int)a->tags[i].slug.len, a->tags[i].slug.p);
		cdata(sb, a->tags[i].name.p, a->tags[i].name.len);
		strbuf_addstr(sb, "</category>\n");
	}
	if (a->dek.len)
		meta(sb, "_dateline_dek", a->dek);
	if (a->seo_title.len)
		meta(sb, "_dateline_seo_title", a->seo_title);
	if (a->seo_description.len)
		meta(sb, "_dateline_seo_description", a->seo_description);
	if (a->note.len) {
		meta(sb, "_dateline_note", a->note);
		snprintf(num, sizeof(num), "%" PRId64, a->note_at);
		meta(sb, "_dateline_note_at", slice_cstr(num));
	}
	meta(sb, "_dateline_body_format", e->body_format);
	meta(sb, "_dateline_body_source", e->body_source);
	if (a->pinned_at) {
		snprintf(num, sizeof(num), "%" PRId64, a->pinned_at);
		meta(sb, "_dateline_pinned_at", slice_cstr(num));
	}
	if (a->image.id) {
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)MEDIA_POST_ID_BASE + a->image.id);
		meta(sb, "_thumbnail_id", slice_cstr(num));
	}
	strbuf_addstr(sb, "\t</item>\n");
	if (page)
		ex->st->pages++;
	else
		ex->st->posts++;
	flush(ex);
}

static void header(struct exporter *ex, struct db *db, struct arena *a)
{
	struct strbuf *sb = &ex->sb;
	struct site_settings s;
	struct store_category *cats;
	struct store_tag *tags;
	struct store_user *users;
	size_t n;

	strbuf_addstr(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
			  "<!-- A WordPress eXtended RSS (WXR) 1.2 export written by Dateline. -->\n"
			  "<rss version=\"2.0\"\n"
			  "\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n"
			  "\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
			  "\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n"
			  "\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
			  "\txmlns:wp=\"http://wordpress.org/export/1.2/\"\n>\n<channel>\n");
	if (!ex->rc && !(ex->rc = store_settings_load(db, a, &s))) {
		elem_cdata(sb, "title", slice_cstr(s.title));
		strbuf_addf(sb, "\t\t<link>%s</link>\n", ex->base);
		elem_cdata(sb, "description", slice_cstr(s.tagline));
		strbuf_addf(sb, "\t\t<language>%s</language>\n", s.locale);
	}
	strbuf_addf(sb, "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
			"\t<wp:base_site_url>%s</wp:base_site_url>\n"
			"\t<wp:base_blog_url>%s</wp:base_blog_url>\n", ex->base, ex->base);
	if (!ex->rc && !(ex->rc = store_users(db, a, &users, &n)))
		for (size_t i = 0; i < n; i++) {
			strbuf_addf(sb, "\t<wp:author>\n\t\t<wp:author_id>%" PRId64 "</wp:author_id>\n",
				    users[i].id);
			elem_cdata(sb, "wp:author_login", users[i].slug);
			elem_cdata(sb, "wp:author_email", users[i].email);
			elem_cdata(sb, "wp:author_display_name", users[i].name);
			elem_cdata(sb, "wp:author_first_name", slice_from("", 0));
			elem_cdata(sb, "wp:author_last_name", slice_from("", 0));
			/* Not WordPress's (its importer skips it): the byline's bio. */
			if (users[i].bio.len)
				elem_cdata(sb, "wp:author_description", users[i].bio);
			strbuf_addstr(sb, "\t</wp:author>\n");
			ex->st->authors++;
		}
	if (!ex->rc && !(ex->rc = store_categories(db, a, &cats, &n)))
		for (size_t i = 0; i < n; i++) {
			struct slice parent = slice_from("", 0);
			if (slice_eq_str(cats[i].slug, "pages"))
				continue;
			for (size_t j = 0; j < n && cats[i].parent_id; j++)
				if (cats[j].id == cats[i].parent_id)
					parent = cats[j].slug;
			strbuf_addf(sb, "\t<wp:category>\n\t\t<wp:term_id>%" PRId64 "</wp:term_id>\n",
				    cats[i].id);
			elem_cdata(sb, "wp:category_nicename", cats[i].slug);
			elem_cdata(sb, "wp:category_parent", parent);
			elem_cdata(sb, "wp:cat_name", cats[i].name);
			elem_cdata(sb, "wp:category_description", cats[i].description);
			strbuf_addstr(sb, "\t</wp:category>\n");
			ex->st->categories++;
		}
	if (!ex->rc && !(ex->rc = store_tags(db, a, &tags, &n)))
		for (size_t i = 0; i < n; i++) {
			strbuf_addf(sb, "\t<wp:tag>\n\t\t<wp:term_id>%" PRId64 "</wp:term_id>\n", tags[i].id);
			elem_cdata(sb, "wp:tag_slug", tags[i].slug);
			elem_cdata(sb, "wp:tag_name", tags[i].name);
			strbuf_addstr(sb, "\t</wp:tag>\n");
			ex->st->tags++;
		}
	flush(ex);
}

/* mkdir -p for the folders of `path`. */
static int make_dirs(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = DL_OK;

	strbuf_addstr(&sb, path);
	for (size_t i = 1; i < sb.len && !rc; i++) {
		if (sb.buf[i] != '/')
			continue;
		sb.buf[i] = 0;
		if (mkdir(sb.buf, 0755) && errno != EEXIST)
			rc = error("cannot create folder '%s': %s", sb.buf, strerror(errno));
		sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return rc;
}

/* Write media item `id`'s bytes to <uploads>/<rel>. */
static int write_file(struct exporter *ex, struct db *db, int64_t id, const char *rel)
{
	struct arena *a = arena_new(0);
	struct strbuf path = STRBUF_INIT;
	struct store_media m;
	FILE *f;
	int rc = store_media_get(db, a, id, &m);

	strbuf_addf(&path, "%s/%s", ex->uploads, rel);
	if (!rc)
		rc = make_dirs(path.buf);
	if (!rc) {
		f = fopen(path.buf, "wb");
		if (!f || fwrite(m.data.p, 1, m.data.len, f) != m.data.len)
			rc = error("cannot write '%s': %s", path.buf, strerror(errno));
		if (f && fclose(f) && !rc)
			rc = error("cannot write '%s': %s", path.buf, strerror(errno));
	}
	strbuf_release(&path);
	arena_free(a);
	return rc;
}

static void attachments(struct exporter *ex, struct db *db, struct arena *a)
{
	struct strbuf *sb = &ex->sb;
	struct store_media *m;
	size_t n;

	if (ex->rc || (ex->rc = store_media_all(db, a, &m, &n)))
		return;
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sb, "\t<item>\n");
		elem_cdata(sb, "title", m[i].filename);
		strbuf_addf(sb, "\t\t<wp:post_id>%" PRId64 "</wp:post_id>\n",
			    (int64_t)MEDIA_POST_ID_BASE + m[i].id);
		strbuf_addstr(sb, "\t\t<wp:post_type>attachment</wp:post_type>\n"
				  "\t\t<wp:status>inherit</wp:status>\n");
		strbuf_addf(sb, "\t\t<wp:attachment_url>%s/media/%" PRId64 "/", ex->base, m[i].id);
		strbuf_add_xml(sb, m[i].filename.p, m[i].filename.len);
		strbuf_addstr(sb, "</wp:attachment_url>\n");
		elem_cdata(sb, "excerpt:encoded", m[i].caption);
		if (m[i].alt.len)
			meta(sb, "_wp_attachment_image_alt", m[i].alt);
		if (m[i].credit.len)
			meta(sb, "_dateline_credit", m[i].credit);
		if (ex->uploads) {
			/* A name that could leave the folder is not used as one. */
			bool safe = m[i].filename.len && m[i].filename.p[0] != '.' &&
				    !memchr(m[i].filename.p, '/', m[i].filename.len) &&
				    !memchr(m[i].filename.p, 0, m[i].filename.len);
			const char *rel = arena_printf(a, "dateline/%" PRId64 "/%.*s", m[i].id,
						       safe ? (int)m[i].filename.len : 4,
						       safe ? m[i].filename.p : "file");
			meta(sb, "_wp_attached_file", slice_cstr(rel));
			if (m[i].width && m[i].height)
				meta(sb, "_wp_attachment_metadata",
				     slice_cstr(arena_printf(a, "a:2:{s:5:\"width\";i:%" PRId64
							     ";s:6:\"height\";i:%" PRId64 ";}",
							     m[i].width, m[i].height)));
			if (!ex->rc)
				ex->rc = write_file(ex, db, m[i].id, rel);
		}
		strbuf_addstr(sb, "\t</item>\n");
		ex->st->attachments++;
		flush(ex);
	}
}

int wxr_export(struct db *db, FILE *f, const char *base_url, const char *uploads,
	       struct wxr_export_stats *st)
{
	struct exporter ex = { .f = f, .st = st, .sb = STRBUF_INIT, .uploads = uploads };
	struct arena *a = arena_new(0);
	size_t n = strlen(base_url);

	while (n && base_url[n - 1] == '/')
		n--;
	ex.base = arena_strndup(a, base_url, n);
	header(&ex, db, a);
	if (!ex.rc)
		ex.rc = store_export_articles(db, article, &ex);
	attachments(&ex, db, a);
	strbuf_addstr(&ex.sb, "</channel>\n</rss>\n");
	flush(&ex);
	strbuf_release(&ex.sb);
	arena_free(a);
	return ex.rc;
}
