/*
 * item.c - WXR items: posts and pages into articles, attachments into media.
 */
#include "core/compat.h"
#include <ctype.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/utf8.h"
#include "import/internal.h"
#include "import/wpautop.h"
#include "render/excerpt.h"
#include "render/html.h"

static const struct { const char *wp, *dateline; } statuses[] = {
	{ "publish", "published" }, { "draft", "draft" }, { "future", "scheduled" },
	{ "private", "unpublished" }, { "pending", "review" },
};

/* A fingerprint of everything an item says: unchanged items are skipped. */
static const char *fingerprint(struct importer *im, const struct wxr_record *r, bool file_found)
{
	uint64_t h = hash64(file_found ? "f" : "-", 1);

	for (size_t i = 0; i < WXR_NFIELDS; i++)
		h = h * 0x100000001B3ull ^ hash64(r->f[i].buf, r->f[i].len);
	for (size_t i = 0; i < r->nterms; i++) {
		h = h * 0x100000001B3ull ^ hash64(r->terms[i].domain.buf, r->terms[i].domain.len);
		h = h * 0x100000001B3ull ^ hash64(r->terms[i].nicename.buf, r->terms[i].nicename.len);
		h = h * 0x100000001B3ull ^ hash64(r->terms[i].name.buf, r->terms[i].name.len);
	}
	for (size_t i = 0; i < r->nmeta; i++) {
		h = h * 0x100000001B3ull ^ hash64(r->meta[i].key.buf, r->meta[i].key.len);
		h = h * 0x100000001B3ull ^ hash64(r->meta[i].value.buf, r->meta[i].value.len);
	}
	return arena_printf(im->a, "%016" PRIx64, h);
}

/* The item's key: its post id, else its GUID. */
static const char *item_key(struct importer *im, const struct wxr_record *r)
{
	struct slice id = imp_trimmed(&r->f[WXR_POST_ID]);
	struct slice guid = imp_trimmed(&r->f[WXR_GUID]);

	if (id.len)
		return arena_strndup(im->a, id.p, id.len);
	if (guid.len)
		return arena_printf(im->a, "guid:%.*s", (int)guid.len, guid.p);
	/* Neither: the title and content stand for it, so a re-import still matches. */
	return arena_printf(im->a, "content:%016" PRIx64 "%016" PRIx64,
			    hash64(r->f[WXR_TITLE].buf, r->f[WXR_TITLE].len),
			    hash64(r->f[WXR_CONTENT].buf, r->f[WXR_CONTENT].len));
}

/* Published time: post_date_gmt, else post_date (as UTC), else pubDate. */
static int item_dates(struct importer *im, const struct wxr_record *r, int64_t *published,
		      int64_t *modified)
{
	int rc;

	*published = *modified = 0;
	rc = imp_parse_wp_date(imp_trimmed(&r->f[WXR_POST_DATE_GMT]), published);
	if (rc < 0)
		return imp_bad(im, r, "<wp:post_date_gmt> '%s' is not a date (YYYY-MM-DD HH:MM:SS)",
			   r->f[WXR_POST_DATE_GMT].buf);
	if (rc)
		rc = imp_parse_wp_date(imp_trimmed(&r->f[WXR_POST_DATE]), published);
	if (rc < 0)
		return imp_bad(im, r, "<wp:post_date> '%s' is not a date (YYYY-MM-DD HH:MM:SS)",
			   r->f[WXR_POST_DATE].buf);
	if (rc)
		rc = imp_parse_rfc822(imp_trimmed(&r->f[WXR_PUBDATE]), published);
	if (rc < 0)
		return imp_bad(im, r, "<pubDate> '%s' is not an RFC 822 date", r->f[WXR_PUBDATE].buf);
	if (rc)
		*published = 0;
	if (imp_parse_wp_date(imp_trimmed(&r->f[WXR_POST_MODIFIED_GMT]), modified) < 0)
		return imp_bad(im, r, "<wp:post_modified_gmt> '%s' is not a date",
			   r->f[WXR_POST_MODIFIED_GMT].buf);
	return DL_OK;
}

static const char *mime_of(const char *name)
{
	static const struct { const char *ext, *mime; } types[] = {
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" }, { ".png", "image/png" },
		{ ".gif", "image/gif" }, { ".webp", "image/webp" }, { ".avif", "image/avif" },
		{ ".pdf", "application/pdf" }, { ".mp3", "audio/mpeg" }, { ".mp4", "video/mp4" },
		{ ".ogg", "audio/ogg" }, { ".webm", "video/webm" }, { ".txt", "text/plain" },
		/* Served with a sandboxing CSP by the media handler, like any SVG. */
		{ ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].mime;
	return "application/octet-stream";
}

/* An integer after `key` in PHP-serialised attachment metadata. */
static int64_t php_int(const struct strbuf *meta, const char *key)
{
	const char *p = meta ? strstr(meta->buf, key) : NULL;

	if (!p || !(p = strstr(p, "i:")))
		return 0;
	return strtoll(p + 2, NULL, 10);
}

/* Read uploads/<rel> (no "..", no absolute path) into `data`. */
static bool read_upload(struct importer *im, const char *rel, struct strbuf *data)
{
	struct strbuf path = STRBUF_INIT;
	char buf[65536];
	FILE *f;
	size_t n;
	bool ok = false;

	if (!im->uploads || !*rel || *rel == '/' || strstr(rel, ".."))
		return false;
	strbuf_addf(&path, "%s/%s", im->uploads, rel);
	f = fopen(path.buf, "rb");
	if (f) {
		ok = true;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
			if (data->len + n > MAX_ATTACHMENT) {
				ok = false;
				break;
			}
			strbuf_add(data, buf, n);
		}
		fclose(f);
	}
	strbuf_release(&path);
	return ok;
}

static void note_missing(struct importer *im, const char *url)
{
	struct wxr_stats *st = im->st;

	if (st->attachments_missing < WXR_MISSING_LISTED)
		st->missing[st->attachments_missing] = xstrdup(url);
	st->attachments_missing++;
}

static int on_attachment(struct importer *im, const struct wxr_record *r, const char *key)
{
	const char *url = imp_tstr(im, &r->f[WXR_ATTACHMENT_URL]);
	const struct strbuf *file = wxr_meta_get(r, "_wp_attached_file");
	const char *rel = file ? imp_tstr(im, file) : "", *fp, *name, *old;
	struct strbuf data = STRBUF_INIT;
	struct store_media m = { 0 };
	struct slice prev;
	int64_t existing = 0, id;
	bool found;
	int rc;

	if (!*rel) {
		const char *up = strstr(url, "/wp-content/uploads/");
		rel = up ? up + 20 : "";
	}
	found = read_upload(im, rel, &data);
	fp = fingerprint(im, r, found);
	if (!found) {
		note_missing(im, *url ? url : rel);
		strbuf_release(&data);
		return DL_OK;
	}
	rc = store_wp_find(im->db, im->a, "attachment", key, &existing, &prev);
	if (rc && rc != DL_NOTFOUND) {
		strbuf_release(&data);
		return imp_store_failed(im, r, rc, "attachment");
	}
	if (existing && slice_eq_str(prev, fp)) {
		im->st->unchanged++;
		im->st->attachments++;
		strbuf_release(&data);
		return DL_OK;
	}
	name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	const struct strbuf *alt = wxr_meta_get(r, "_wp_attachment_image_alt");
	const struct strbuf *meta = wxr_meta_get(r, "_wp_attachment_metadata");
	m.filename = slice_cstr(name);
	m.mime = slice_cstr(mime_of(name));
	m.alt = alt ? slice_from(alt->buf, alt->len) : slice_from("", 0);
	m.caption = slice_from(r->f[WXR_EXCERPT].buf, r->f[WXR_EXCERPT].len);
	{
		const struct strbuf *credit = wxr_meta_get(r, "_dateline_credit");
		m.credit = credit ? slice_from(credit->buf, credit->len) : slice_from("", 0);
	}
	m.width = php_int(meta, "\"width\"");
	m.height = php_int(meta, "\"height\"");
	m.data = slice_from(data.buf, data.len);
	rc = store_wp_media_put(im->db, existing, &m, &id);
	if (!rc)
		rc = store_wp_record(im->db, "attachment", key, imp_tstr(im, &r->f[WXR_GUID]), id, fp);
	if (!rc && (old = imp_old_path(im, &r->f[WXR_ATTACHMENT_URL])))
		rc = store_legacy_put(im->db, old, "media", id);
	if (!rc && (old = imp_old_path(im, &r->f[WXR_LINK])))
		rc = store_legacy_put(im->db, old, "media", id);
	strbuf_release(&data);
	if (rc)
		return imp_store_failed(im, r, rc, "attachment");
	im->st->attachments++;
	if (existing)
		im->st->updated++;
	else
		im->st->created++;
	return DL_OK;
}

static int pages_category(struct importer *im, const struct wxr_record *r, int64_t *id)
{
	struct store_category c;
	int rc;

	if (im->pages_category) {
		*id = im->pages_category;
		return DL_OK;
	}
	rc = store_category_by_slug(im->db, im->a, SLICE_LIT("pages"), &c);
	if (!rc)
		*id = c.id;
	else if (rc == DL_NOTFOUND)
		rc = store_wp_category_put(im->db, 0, "pages", "Pages", "", 0, id);
	if (rc)
		return imp_store_failed(im, r, rc, "the Pages section");
	im->pages_category = *id;
	return DL_OK;
}

/* Category and tags of an item; categories or tags it names first are created. */
static int item_terms(struct importer *im, const struct wxr_record *r, bool page,
		      int64_t *category, int64_t *tags, size_t *ntags)
{
	int rc = DL_OK;

	*category = 0;
	*ntags = 0;
	for (size_t i = 0; i < r->nterms && !rc; i++) {
		const struct wxr_term_ref *t = &r->terms[i];
		struct slice nice = imp_trimmed(&t->nicename), name = slice_from(t->name.buf, t->name.len);
		struct strbuf key = STRBUF_INIT;
		int64_t id;

		if (!nice.len)
			nice = imp_trimmed(&t->name);
		if (!nice.len)
			continue;
		imp_url_decode(nice, &key);
		if (slice_eq_str(imp_trimmed(&t->domain), "category") && !*category && !page) {
			rc = store_wp_find(im->db, im->a, "category", key.buf, &id, NULL);
			if (rc == DL_NOTFOUND)
				rc = imp_put_category(im, r, nice, name, slice_from("", 0), slice_from("", 0),
						  &id);
			if (!rc)
				*category = id;
		} else if (slice_eq_str(imp_trimmed(&t->domain), "post_tag") && *ntags < MAX_TAGS) {
			rc = store_wp_find(im->db, im->a, "tag", key.buf, &id, NULL);
			if (rc == DL_NOTFOUND)
				rc = imp_put_tag(im, r, nice, name, &id);
			if (!rc)
				tags[(*ntags)++] = id;
		}
		strbuf_release(&key);
	}
	if (page && !rc)
		rc = pages_category(im, r, category);
	return rc == DL_NOTFOUND ? DL_OK : rc;
}

/* What waits for the end of the file: the featured image, links to uploads. */
static void after_article(struct importer *im, const struct wxr_record *r, int64_t id)
{
	const struct strbuf *meta = wxr_meta_get(r, "_thumbnail_id");

	if (meta && imp_trimmed(meta).len) {
		ALLOC_GROW(im->thumbs, im->nthumbs + 1, im->thumbs_alloc);
		im->thumbs[im->nthumbs].id = id;
		im->thumbs[im->nthumbs++].wp_key = xstrdup(imp_tstr(im, meta));
	}
	if (memmem(r->f[WXR_CONTENT].buf, r->f[WXR_CONTENT].len, "/wp-content/uploads/", 20) ||
	    memmem(r->f[WXR_CONTENT].buf, r->f[WXR_CONTENT].len, "[gallery", 8)) {
		ALLOC_GROW(im->relink, im->nrelink + 1, im->relink_alloc);
		im->relink[im->nrelink++] = id;
	}
}

static int on_article(struct importer *im, const struct wxr_record *r, const char *key,
		      bool page, const char *status)
{
	struct store_article_input in = { 0 };
	struct strbuf html = STRBUF_INIT, clean = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf ex = STRBUF_INIT;
	int64_t existing = 0, published, modified, id, tags[MAX_TAGS];
	size_t ntags, galleries = 0;
	const char *fp = fingerprint(im, r, false), *slug, *old;
	const struct strbuf *meta;
	struct slice prev;
	int rc;

	if ((rc = item_dates(im, r, &published, &modified)))
		return rc;
	rc = store_wp_find(im->db, im->a, page ? "page" : "post", key, &existing, &prev);
	if (rc && rc != DL_NOTFOUND)
		return imp_store_failed(im, r, rc, "item");
	if (existing && slice_eq_str(prev, fp)) {
		im->st->unchanged++;
		if (page)
			im->st->pages++;
		else
			im->st->posts++;
		/* Files may have come since (a run with --uploads): link them again. */
		after_article(im, r, existing);
		return DL_OK;
	}
	if (!utf8_valid(r->f[WXR_TITLE].buf, r->f[WXR_TITLE].len))
		return imp_bad(im, r, "<title> is not valid UTF-8");
	wp_content_html(r->f[WXR_CONTENT].buf, r->f[WXR_CONTENT].len, &html, &galleries);
	im->st->galleries += galleries;
	rc = html_sanitize_text(html.buf, html.len, &clean, &text);
	if (rc == DL_INVALID)
		rc = imp_bad(im, r, "<content:encoded> is not valid UTF-8 text");
	else if (rc)
		rc = imp_bad(im, r, "<content:encoded> is too deeply nested to display");
	if (!rc && r->f[WXR_EXCERPT].len) {
		struct strbuf t = STRBUF_INIT;
		if (html_to_text(r->f[WXR_EXCERPT].buf, r->f[WXR_EXCERPT].len, &t))
			rc = imp_bad(im, r, "<excerpt:encoded> is not valid UTF-8 text");
		else
			strbuf_addslice(&ex, slice_from(t.buf, t.len));
		strbuf_release(&t);
	}
	if (!rc && !ex.len)
		excerpt_from_text(text.buf, text.len, 280, &ex);
	if (!rc)
		rc = imp_author_of(im, r, &in.author_id);
	if (!rc)
		rc = item_terms(im, r, page, &in.category_id, tags, &ntags);
	if (!rc) {
		slug = imp_make_slug(im, imp_trimmed(&r->f[WXR_POST_NAME]),
				 slice_from(r->f[WXR_TITLE].buf, r->f[WXR_TITLE].len),
				 arena_printf(im->a, "post-%s", key));
		rc = imp_unique_slug(im, STORE_SLUG_ARTICLE, slug, existing, false, &slug);
	}
	if (rc) {
		strbuf_release(&html);
		strbuf_release(&clean);
		strbuf_release(&text);
		strbuf_release(&ex);
		return rc == DL_INVALID ? rc : imp_store_failed(im, r, rc, "item");
	}
	if (!published && strcmp(status, "draft") && strcmp(status, "review"))
		published = im->now;
	in.slug = slug;
	in.title = r->f[WXR_TITLE].buf;
	in.excerpt = ex.buf;
	in.body_source = r->f[WXR_CONTENT].buf;
	in.body_format = "html";
	in.body_html = clean.buf;
	in.index_text = text.buf;
	in.status = status;
	in.published_at = published;
	in.updated_at = modified ? modified : published ? published : im->now;
	if (imp_trimmed(&r->f[WXR_IS_STICKY]).len && r->f[WXR_IS_STICKY].buf[0] != '0')
		in.pinned_at = published ? published : im->now;
	/* What a Dateline export adds, so a round trip loses nothing. */
	if ((meta = wxr_meta_get(r, "_dateline_dek")))
		in.dek = meta->buf;
	if ((meta = wxr_meta_get(r, "_dateline_body_format")) && !strcmp(meta->buf, "markdown") &&
	    wxr_meta_get(r, "_dateline_body_source")) {
		in.body_format = "markdown";
		in.body_source = wxr_meta_get(r, "_dateline_body_source")->buf;
	}
	if ((meta = wxr_meta_get(r, "_dateline_seo_title")))
		in.seo_title = meta->buf;
	if ((meta = wxr_meta_get(r, "_dateline_seo_description")))
		in.seo_description = meta->buf;
	if ((meta = wxr_meta_get(r, "_dateline_note")))
		in.note = meta->buf;
	if ((meta = wxr_meta_get(r, "_dateline_note_at")))
		in.note_at = strtoll(meta->buf, NULL, 10);
	if ((meta = wxr_meta_get(r, "_dateline_pinned_at")))
		in.pinned_at = strtoll(meta->buf, NULL, 10);
	{
		int64_t want = 0;
		if (slice_to_int64(imp_trimmed(&r->f[WXR_POST_ID]), 1, INT64_MAX, &want))
			want = 0;
		rc = store_wp_article_put(im->db, existing, &in, want, tags, ntags, &id);
	}
	if (!rc)
		rc = store_wp_record(im->db, page ? "page" : "post", key, imp_tstr(im, &r->f[WXR_GUID]),
				     id, fp);
	if (!rc && (old = imp_old_path(im, &r->f[WXR_LINK])))
		rc = store_legacy_put(im->db, old, "article", id);
	if (!rc)
		after_article(im, r, id);
	strbuf_release(&html);
	strbuf_release(&clean);
	strbuf_release(&text);
	strbuf_release(&ex);
	if (rc)
		return imp_store_failed(im, r, rc, "item");
	if (page)
		im->st->pages++;
	else
		im->st->posts++;
	if (existing)
		im->st->updated++;
	else
		im->st->created++;
	return DL_OK;
}

static bool seen_before(struct importer *im, const char *key)
{
	uint64_t h = hash64(key, strlen(key)) | 1;  /* 0 marks an empty slot */
	size_t i;

	if ((im->seen_nr + 1) * 2 > im->seen_size) {
		uint64_t *old = im->seen;
		size_t old_size = im->seen_size;

		im->seen_size = old_size ? old_size * 2 : 1024;
		im->seen = xcalloc(im->seen_size, sizeof(*im->seen));
		for (size_t j = 0; j < old_size; j++) {
			if (!old[j])
				continue;
			for (i = old[j] & (im->seen_size - 1); im->seen[i]; i = (i + 1) & (im->seen_size - 1))
				;
			im->seen[i] = old[j];
		}
		free(old);
	}
	for (i = h & (im->seen_size - 1); im->seen[i]; i = (i + 1) & (im->seen_size - 1))
		if (im->seen[i] == h)
			return true;
	im->seen[i] = h;
	im->seen_nr++;
	return false;
}

int imp_item(struct importer *im, const struct wxr_record *r, const struct wxr_channel *ch)
{
	struct slice type = imp_trimmed(&r->f[WXR_POST_TYPE]);
	struct slice wp_status = imp_trimmed(&r->f[WXR_STATUS]);
	const char *key, *status = NULL;

	if (!r->present[WXR_TITLE])
		return imp_bad(im, r, "an <item> has no <title>");
	key = item_key(im, r);
	/* WordPress's importer takes the first item with a post id and skips repeats. */
	if (seen_before(im, key)) {
		imp_skip(im, "items repeating an earlier post id", 1);
		return DL_OK;
	}
	im->st->comments += r->ncomments;
	if (!type.len)
		type = SLICE_LIT("post");
	if (slice_eq_str(type, "attachment"))
		return on_attachment(im, r, key);
	if (!slice_eq_str(type, "post") && !slice_eq_str(type, "page")) {
		if (slice_eq_str(type, "nav_menu_item"))
			imp_skip(im, "menu items", 1);
		else if (slice_eq_str(type, "wp_navigation"))
			imp_skip(im, "navigation menus", 1);
		else
			imp_skip(im, arena_printf(im->a, "items of post type '%.*s'", (int)type.len, type.p), 1);
		return DL_OK;
	}
	if (!wp_status.len)
		wp_status = SLICE_LIT("publish");
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (slice_eq_str(wp_status, statuses[i].wp))
			status = statuses[i].dateline;
	if (!status) {
		imp_skip(im, arena_printf(im->a, "items with status '%.*s'", (int)wp_status.len,
				      wp_status.p), 1);
		return DL_OK;
	}
	/* A password-protected post was never public: it does not become so here. */
	if (imp_trimmed(&r->f[WXR_POST_PASSWORD]).len && !strcmp(status, "published")) {
		status = "unpublished";
		im->st->protected_posts++;
	}
	(void)ch;
	return on_article(im, r, key, slice_eq_str(type, "page"), status);
}

