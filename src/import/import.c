/*
 * import.c - WXR records into the store: authors, categories, tags, posts,
 * pages, attachments, the old site's paths; all in one transaction.
 *
 * Pages become articles in the "Pages" section (slug "pages"): Dateline has
 * one kind of story, and a section keeps them out of nothing else.
 */
#include "core/compat.h"
#include <ctype.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/utf8.h"
#include "import/import.h"
#include "import/wpautop.h"
#include "import/internal.h"
#include "import/wpautop.h"
#include "store/editorial.h"
#include "import/wxr.h"
#include "render/excerpt.h"
#include "render/html.h"
#include "store/store.h"

static const char *const reserved_slugs[] = {
	"category", "tag", "author", "feed", "search", "sitemap", "static", "media", "ad",
	"wp-json", "wp-content", "robots-txt", "favicon-ico",
};

int imp_bad(struct importer *im, const struct wxr_record *r, const char *fmt, ...)
{
	va_list ap;

	strbuf_addf(im->err, "%d: ", r->line);
	va_start(ap, fmt);
	strbuf_vaddf(im->err, fmt, ap);
	va_end(ap);
	return DL_INVALID;
}

int imp_store_failed(struct importer *im, const struct wxr_record *r, int rc, const char *what)
{
	if (!im->err->len)
		strbuf_addf(im->err, "%d: %s: the store failed (%s)", r->line, what, dl_rc_name(rc));
	return rc;
}

void imp_skip(struct importer *im, const char *reason, size_t n)
{
	struct wxr_stats *st = im->st;

	if (!n)
		return;
	for (size_t i = 0; i < st->nskipped; i++)
		if (!strcmp(st->skipped[i].reason, reason)) {
			st->skipped[i].n += n;
			return;
		}
	ALLOC_GROW(st->skipped, st->nskipped + 1, st->skipped_alloc);
	st->skipped[st->nskipped].reason = xstrdup(reason);
	st->skipped[st->nskipped++].n = n;
}

void wxr_stats_release(struct wxr_stats *st)
{
	for (size_t i = 0; i < st->nskipped; i++)
		free(st->skipped[i].reason);
	free(st->skipped);
	for (size_t i = 0; i < WXR_MISSING_LISTED; i++)
		free(st->missing[i]);
	memset(st, 0, sizeof(*st));
}

/* ---- text helpers ---- */

struct slice imp_trimmed(const struct strbuf *sb)
{
	const char *p = sb->buf;
	size_t n = sb->len;

	while (n && isspace((unsigned char)*p))
		p++, n--;
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	return slice_from(p, n);
}

const char *imp_tstr(struct importer *im, const struct strbuf *sb)
{
	struct slice s = imp_trimmed(sb);
	return arena_strndup(im->a, s.p, s.len);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void imp_url_decode(struct slice s, struct strbuf *out)
{
	for (size_t i = 0; i < s.len; i++) {
		int h, l;
		if (s.p[i] == '%' && i + 2 < s.len && (h = hexval(s.p[i + 1])) >= 0 &&
		    (l = hexval(s.p[i + 2])) >= 0) {
			strbuf_addch(out, h * 16 + l);
			i += 2;
		} else {
			strbuf_addch(out, s.p[i]);
		}
	}
}

/* A usable slug from WordPress's (often percent-encoded) one, or from `name`. */
const char *imp_make_slug(struct importer *im, struct slice wp_slug, struct slice name,
			     const char *fallback)
{
	struct strbuf dec = STRBUF_INIT, out = STRBUF_INIT;
	const char *r;

	imp_url_decode(wp_slug, &dec);
	for (size_t i = 0; i < dec.len; i++)
		if (dec.buf[i] >= 'A' && dec.buf[i] <= 'Z')
			dec.buf[i] = (char)(dec.buf[i] + 32);
	if (store_slug_valid(slice_from(dec.buf, dec.len)))
		strbuf_addslice(&out, slice_from(dec.buf, dec.len));
	else if (utf8_valid(dec.buf, dec.len))
		store_slugify(dec.buf, dec.len, &out);
	if (!out.len && utf8_valid(name.p, name.len))
		store_slugify(name.p, name.len, &out);
	if (!out.len)
		strbuf_addstr(&out, fallback);
	r = arena_strndup(im->a, out.buf, out.len);
	strbuf_release(&dec);
	strbuf_release(&out);
	return r;
}

static bool reserved(const char *slug)
{
	for (size_t i = 0; i < ARRAY_SIZE(reserved_slugs); i++)
		if (!strcmp(slug, reserved_slugs[i]))
			return true;
	return false;
}

/* `slug`, or slug-2, slug-3… : the first one free in `space` (row `self` aside). */
int imp_unique_slug(struct importer *im, enum store_slug_space space, const char *slug,
		       int64_t self, bool avoid_reserved, const char **out)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = DL_OK;

	for (int n = 1; n < 10000; n++) {
		bool ok;

		strbuf_reset(&sb);
		strbuf_addstr(&sb, slug);
		if (n > 1) {
			/* Keep room for the suffix within 80 bytes. */
			strbuf_setlen(&sb, sb.len > 72 ? 72 : sb.len);
			strbuf_addf(&sb, "-%d", n);
		}
		if (avoid_reserved && reserved(sb.buf))
			continue;
		rc = store_slug_free(im->db, space, sb.buf, self, &ok);
		if (rc || ok)
			break;
	}
	*out = arena_strndup(im->a, sb.buf, sb.len);
	strbuf_release(&sb);
	return rc;
}

/* The path of an old URL ("http://host/a/b/" -> "/a/b/"), decoded; NULL if
 * it has a query (those are answered by /?p=) or no path worth keeping. */
const char *imp_old_path(struct importer *im, const struct strbuf *url)
{
	struct slice u = imp_trimmed(url);
	struct strbuf dec = STRBUF_INIT;
	const char *p = u.p, *end = u.p + u.len, *r = NULL;
	const char *scheme = memmem(u.p, u.len, "://", 3);

	if (scheme) {
		p = memchr(scheme + 3, '/', (size_t)(end - scheme - 3));
		if (!p)
			return NULL;
	}
	if (p >= end || *p != '/' || memchr(p, '?', (size_t)(end - p)))
		return NULL;
	{
		const char *hash = memchr(p, '#', (size_t)(end - p));
		if (hash)
			end = hash;
	}
	imp_url_decode(slice_from(p, (size_t)(end - p)), &dec);
	if (dec.len > 1 && utf8_valid(dec.buf, dec.len) && !memchr(dec.buf, 0, dec.len))
		r = arena_strndup(im->a, dec.buf, dec.len);
	strbuf_release(&dec);
	return r;
}

/* Unix time of "YYYY-MM-DD HH:MM:SS" (UTC). 1: empty or WordPress's zero
 * date; 0: read; -1: malformed. */
int imp_parse_wp_date(struct slice s, int64_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	char buf[32];

	if (!s.len)
		return 1;
	if (s.len >= sizeof(buf))
		return -1;
	memcpy(buf, s.p, s.len);
	buf[s.len] = 0;
	if (sscanf(buf, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    (size_t)n != s.len) {
		n = 0;
		if (sscanf(buf, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || (size_t)n != s.len)
			return -1;
	}
	if (y == 0 && mo == 0 && d == 0)
		return 1;
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	/* Days from civil (Howard Hinnant's algorithm). */
	{
		int64_t yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
		int64_t yoe = yy - era * 400;
		int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		int64_t days = era * 146097 + doe - 719468;
		*t = days * 86400 + h * 3600 + mi * 60 + sec;
	}
	return 0;
}

/* RFC 822 pubDate: "Thu, 05 Jan 2012 14:30:46 +0000". */
int imp_parse_rfc822(struct slice s, int64_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char buf[64], mon[4] = { 0 }, zone[8] = { 0 };
	int d, y, h, mi, sec;
	const char *p;

	if (!s.len)
		return 1;
	if (s.len >= sizeof(buf))
		return -1;
	memcpy(buf, s.p, s.len);
	buf[s.len] = 0;
	p = strchr(buf, ',');
	p = p ? p + 1 : buf;
	if (sscanf(p, "%d %3s %d %d:%d:%d %7s", &d, mon, &y, &h, &mi, &sec, zone) < 6)
		return -1;
	if (y <= 0)
		return 1;  /* WordPress's "Mon, 30 Nov -0001" for drafts: no date */
	const char *m = strstr(months, mon);
	if (!m || strlen(mon) != 3 || (m - months) % 3)
		return -1;
	char iso[80];
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d %02d:%02d:%02d", y,
		 (int)((m - months) / 3) + 1, d, h, mi, sec);
	if (imp_parse_wp_date(slice_cstr(iso), t))
		return -1;
	if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 5) {
		int off = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 +
			  ((zone[3] - '0') * 10 + (zone[4] - '0')) * 60;
		*t += zone[0] == '+' ? -off : off;
	}
	return 0;
}

/* ---- authors ---- */

static int put_author(struct importer *im, const struct wxr_record *r, const char *login,
		      const char *email, const char *name, const char *bio, int64_t *id)
{
	int64_t existing = 0;
	const char *slug, *mail;
	struct slice seen;
	struct strbuf sb = STRBUF_INIT;
	bool ok = false;
	int rc;

	rc = store_wp_find(im->db, im->a, "author", login, &existing, &seen);
	if (rc && rc != DL_NOTFOUND)
		return imp_store_failed(im, r, rc, "author");
	if (existing && slice_eq_str(seen, im->run))
		return DL_OK;  /* declared twice in this file */
	slug = imp_make_slug(im, slice_cstr(login), slice_cstr(name), "author");
	if (!existing) {
		/* An author exported from Dateline comes home to the same user. */
		struct store_author u;
		if (!store_author_by_slug(im->db, im->a, slice_cstr(slug), &u))
			existing = u.id;
	}
	rc = imp_unique_slug(im, STORE_SLUG_USER, slug, existing, false, &slug);
	mail = email;
	if (!rc && *mail)
		rc = store_slug_free(im->db, STORE_SLUG_EMAIL, mail, existing, &ok);
	if (!rc && (!*mail || !ok)) {
		strbuf_addf(&sb, "%s@wordpress-import.invalid", slug);
		mail = arena_strndup(im->a, sb.buf, sb.len);
	}
	if (!rc)
		rc = store_wp_user_put(im->db, existing, mail, slug, *name ? name : login, bio, id);
	if (!rc)
		rc = store_wp_record(im->db, "author", login, "", *id, im->run);
	if (!rc && strcmp(slug, login)) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "/author/%s/", login);
		rc = store_legacy_put(im->db, sb.buf, "author", *id);
	}
	strbuf_release(&sb);
	if (rc)
		return imp_store_failed(im, r, rc, "author");
	im->st->authors++;
	return DL_OK;
}

static int on_author(struct importer *im, const struct wxr_record *r)
{
	const char *login = imp_tstr(im, &r->f[WXR_AUTHOR_LOGIN]);
	const char *first = imp_tstr(im, &r->f[WXR_AUTHOR_FIRST_NAME]);
	const char *last = imp_tstr(im, &r->f[WXR_AUTHOR_LAST_NAME]);
	const char *name = imp_tstr(im, &r->f[WXR_AUTHOR_DISPLAY_NAME]);
	int64_t id;

	if (!*login)
		return imp_bad(im, r, "<wp:author> has no <wp:author_login>");
	if (!*name && (*first || *last))
		name = arena_printf(im->a, "%s%s%s", first, *first && *last ? " " : "", last);
	return put_author(im, r, login, imp_tstr(im, &r->f[WXR_AUTHOR_EMAIL]), name,
			  r->f[WXR_AUTHOR_DESCRIPTION].buf, &id);
}

int imp_author_of(struct importer *im, const struct wxr_record *r, int64_t *id)
{
	const char *login = imp_tstr(im, &r->f[WXR_CREATOR]);
	int rc;

	if (!*login) {
		if (im->fallback_author) {
			*id = im->fallback_author;
			return DL_OK;
		}
		rc = put_author(im, r, "wordpress", "", "WordPress", "", id);
		if (!rc)
			im->fallback_author = *id;
		return rc;
	}
	rc = store_wp_find(im->db, im->a, "author", login, id, NULL);
	if (rc == DL_NOTFOUND)
		return put_author(im, r, login, "", login, "", id);
	return rc ? imp_store_failed(im, r, rc, "author") : DL_OK;
}

/* ---- categories and tags ---- */

int imp_put_category(struct importer *im, const struct wxr_record *r, struct slice nicename,
			struct slice name, struct slice description, struct slice parent,
			int64_t *id)
{
	const char *key, *slug;
	struct slice seen;
	int64_t existing = 0, parent_id = 0;
	struct strbuf dec = STRBUF_INIT;
	int rc;

	imp_url_decode(nicename, &dec);
	key = arena_strndup(im->a, dec.buf, dec.len);
	strbuf_release(&dec);
	rc = store_wp_find(im->db, im->a, "category", key, &existing, &seen);
	if (rc && rc != DL_NOTFOUND)
		return imp_store_failed(im, r, rc, "category");
	/* WordPress lists a category as <wp:category> and again as <wp:term>. */
	if (existing && slice_eq_str(seen, im->run)) {
		*id = existing;
		return DL_OK;
	}
	slug = imp_make_slug(im, nicename, name, "section");
	if (!existing && !reserved(slug)) {
		/* Adopt a section with the same slug ("uncategorized", a round trip). */
		struct store_category c;
		if (!store_category_by_slug(im->db, im->a, slice_cstr(slug), &c))
			existing = c.id;
	}
	if (parent.len) {
		struct strbuf pk = STRBUF_INIT;
		imp_url_decode(parent, &pk);
		rc = store_wp_find(im->db, im->a, "category", pk.buf, &parent_id, NULL);
		if (rc == DL_NOTFOUND) {
			ALLOC_GROW(im->parents, im->nparents + 1, im->parents_alloc);
			im->parents[im->nparents].id = 0;
			im->parents[im->nparents++].wp_key = strbuf_detach(&pk, NULL);
			rc = DL_OK;
		}
		strbuf_release(&pk);
		if (rc)
			return imp_store_failed(im, r, rc, "category");
	}
	rc = imp_unique_slug(im, STORE_SLUG_CATEGORY, slug, existing, true, &slug);
	if (!rc)
		rc = store_wp_category_put(im->db, existing, slug,
					   arena_strndup(im->a, name.p, name.len),
					   arena_strndup(im->a, description.p, description.len),
					   existing == STORE_DEFAULT_CATEGORY ? 0 : parent_id, id);
	if (!rc && parent.len && !parent_id)
		im->parents[im->nparents - 1].id = *id;
	if (!rc)
		rc = store_wp_record(im->db, "category", key, "", *id, im->run);
	if (!rc && strcmp(slug, key)) {
		struct strbuf path = STRBUF_INIT;
		strbuf_addf(&path, "/category/%s/", key);
		rc = store_legacy_put(im->db, path.buf, "category", *id);
		strbuf_release(&path);
	}
	if (rc)
		return imp_store_failed(im, r, rc, "category");
	im->st->categories++;
	if (parent.len)
		im->st->nested_categories++;
	return DL_OK;
}

int imp_put_tag(struct importer *im, const struct wxr_record *r, struct slice wp_slug,
		   struct slice name, int64_t *id)
{
	const char *slug = imp_make_slug(im, wp_slug, name, "tag");
	struct strbuf dec = STRBUF_INIT;
	struct slice seen;
	int64_t existing = 0;
	int rc;

	imp_url_decode(wp_slug, &dec);
	rc = store_wp_find(im->db, im->a, "tag", dec.buf, &existing, &seen);
	if (rc && rc != DL_NOTFOUND) {
		strbuf_release(&dec);
		return imp_store_failed(im, r, rc, "tag");
	}
	if (existing && slice_eq_str(seen, im->run)) {
		strbuf_release(&dec);
		*id = existing;
		return DL_OK;
	}
	rc = store_wp_tag_put(im->db, slug, name.len ? arena_strndup(im->a, name.p, name.len) : slug,
			      id);
	if (!rc)
		rc = store_wp_record(im->db, "tag", dec.buf, "", *id, im->run);
	if (!rc && strcmp(slug, dec.buf)) {
		struct strbuf path = STRBUF_INIT;
		strbuf_addf(&path, "/tag/%s/", dec.buf);
		rc = store_legacy_put(im->db, path.buf, "tag", *id);
		strbuf_release(&path);
	}
	strbuf_release(&dec);
	if (rc)
		return imp_store_failed(im, r, rc, "tag");
	im->st->tags++;
	return DL_OK;
}

static int on_term(struct importer *im, const struct wxr_record *r)
{
	int64_t id;

	switch (r->kind) {
	case WXR_CATEGORY:
		if (!imp_trimmed(&r->f[WXR_CATEGORY_NICENAME]).len)
			return imp_bad(im, r, "<wp:category> has no <wp:category_nicename>");
		return imp_put_category(im, r, imp_trimmed(&r->f[WXR_CATEGORY_NICENAME]),
				    slice_from(r->f[WXR_CAT_NAME].buf, r->f[WXR_CAT_NAME].len),
				    slice_from(r->f[WXR_CATEGORY_DESCRIPTION].buf,
					       r->f[WXR_CATEGORY_DESCRIPTION].len),
				    imp_trimmed(&r->f[WXR_CATEGORY_PARENT]), &id);
	case WXR_TAG:
		if (!imp_trimmed(&r->f[WXR_TAG_SLUG]).len)
			return imp_bad(im, r, "<wp:tag> has no <wp:tag_slug>");
		return imp_put_tag(im, r, imp_trimmed(&r->f[WXR_TAG_SLUG]),
			       slice_from(r->f[WXR_TAG_NAME].buf, r->f[WXR_TAG_NAME].len), &id);
	default: {
		struct slice tax = imp_trimmed(&r->f[WXR_TERM_TAXONOMY]);
		struct slice slug = imp_trimmed(&r->f[WXR_TERM_SLUG]);
		struct slice name = slice_from(r->f[WXR_TERM_NAME].buf, r->f[WXR_TERM_NAME].len);

		if (slug.len && slice_eq_str(tax, "category"))
			return imp_put_category(im, r, slug, name,
					    slice_from(r->f[WXR_TERM_DESCRIPTION].buf,
						       r->f[WXR_TERM_DESCRIPTION].len),
					    imp_trimmed(&r->f[WXR_TERM_PARENT]), &id);
		if (slug.len && slice_eq_str(tax, "post_tag"))
			return imp_put_tag(im, r, slug, name, &id);
		imp_skip(im, "terms of other taxonomies (menus, formats…)", 1);
		return DL_OK;
	}
	}
}


static int on_record(void *ctx, const struct wxr_record *r, const struct wxr_channel *ch)
{
	struct importer *im = ctx;

	arena_reset(im->a);
	if (r->kind == WXR_AUTHOR)
		return on_author(im, r);
	if (r->kind == WXR_ITEM) {
		im->items++;
		return imp_item(im, r, ch);
	}
	return on_term(im, r);
}

static void on_progress(void *ctx, uint64_t consumed)
{
	struct importer *im = ctx;

	if (im->progress)
		im->progress(consumed, im->file_size, im->items);
}

static bool url_stop(char c)
{
	return c == '"' || c == '\'' || c == ' ' || c == ',' || c == '(' || c == ')' ||
	       c == '<' || c == '>' || c == '\n' || c == '\t';
}

/*
 * Point links to imported uploads (any host, /wp-content/uploads/...) at the
 * media library. Appends the result to out; returns how many were changed.
 */
static size_t relink_uploads(struct importer *im, struct slice html, struct strbuf *out)
{
	static const char marker[] = "/wp-content/uploads/";
	size_t done = 0, copied = 0, changed = 0;

	while (done < html.len) {
		const char *m = memmem(html.p + done, html.len - done, marker, sizeof(marker) - 1);
		size_t at, start, end, path_end;
		struct strbuf path = STRBUF_INIT;
		struct store_legacy l;

		if (!m)
			break;
		at = (size_t)(m - html.p);
		for (start = at; start > 0 && !url_stop(html.p[start - 1]); start--)
			;
		for (end = at; end < html.len && !url_stop(html.p[end]); end++)
			;
		for (path_end = at; path_end < end && html.p[path_end] != '?' &&
		     html.p[path_end] != '#' && html.p[path_end] != '&'; path_end++)
			;
		imp_url_decode(slice_from(html.p + at, path_end - at), &path);
		if (!store_legacy_resolve(im->db, im->a, slice_from(path.buf, path.len), &l) &&
		    l.kind == STORE_LEGACY_MEDIA) {
			strbuf_add(out, html.p + copied, start - copied);
			strbuf_addf(out, "/media/%" PRId64 "/", l.id);
			strbuf_add_urlencoded(out, l.name.p, l.name.len);
			copied = end;
			changed++;
		}
		strbuf_release(&path);
		done = end > at ? end : at + 1;
	}
	strbuf_add(out, html.p + copied, html.len - copied);
	return changed;
}

/*
 * Gallery images (WP_ATTACHMENT_PATH<id>/) point at the media library when
 * the attachment's file was imported; the others are removed, and a gallery
 * left with no image goes too. Appends to out; returns whether anything changed.
 */
static bool resolve_galleries(struct importer *im, struct slice html, struct strbuf *out)
{
	static const char marker[] = WP_ATTACHMENT_PATH;
	size_t copied = 0, done = 0;
	bool changed = false;

	while (done < html.len) {
		const char *m = memmem(html.p + done, html.len - done, marker, sizeof(marker) - 1);
		size_t at, lt, gt, end;
		int64_t wp_id, media;
		struct slice name;
		char key[24];

		if (!m)
			break;
		at = (size_t)(m - html.p);
		for (end = at + sizeof(marker) - 1; end < html.len && isdigit((unsigned char)html.p[end]);
		     end++)
			;
		for (lt = at; lt > copied && html.p[lt] != '<'; lt--)
			;
		gt = end;
		while (gt < html.len && html.p[gt] != '>')
			gt++;
		done = gt < html.len ? gt + 1 : html.len;
		if (html.p[lt] != '<' || end == at + sizeof(marker) - 1 ||
		    slice_to_int64(slice_from(html.p + at + sizeof(marker) - 1,
					      end - at - (sizeof(marker) - 1)), 1, INT64_MAX, &wp_id))
			continue;
		snprintf(key, sizeof(key), "%" PRId64, wp_id);
		changed = true;
		if (!store_wp_find(im->db, im->a, "attachment", key, &media, NULL) &&
		    !store_wp_media_name(im->db, im->a, media, &name)) {
			strbuf_add(out, html.p + copied, at - copied);
			strbuf_addf(out, "/media/%" PRId64 "/", media);
			strbuf_add_urlencoded(out, name.p, name.len);
			copied = end + (end < html.len && html.p[end] == '/');
		} else {
			strbuf_add(out, html.p + copied, lt - copied);  /* the <img> goes */
			copied = done;
		}
	}
	strbuf_add(out, html.p + copied, html.len - copied);
	if (changed) {
		/* <figure></figure>: a gallery none of whose files came. */
		char *empty;
		while ((empty = memmem(out->buf, out->len, "<figure></figure>", 17))) {
			size_t off = (size_t)(empty - out->buf);
			memmove(empty, empty + 17, out->len - off - 17);
			strbuf_setlen(out, out->len - 17);
		}
	}
	return changed;
}

/* Parents and featured images that were named before they were imported. */
static int resolve_pending(struct importer *im)
{
	int rc = DL_OK;

	for (size_t i = 0; i < im->nparents && !rc; i++) {
		int64_t parent;
		struct store_category c;

		if (!im->parents[i].id)
			continue;
		rc = store_wp_find(im->db, im->a, "category", im->parents[i].wp_key, &parent, NULL);
		if (rc == DL_NOTFOUND) {
			rc = DL_OK;  /* an unknown parent: the section stays at the top */
			continue;
		}
		if (!rc)
			rc = store_category_by_id(im->db, im->a, im->parents[i].id, &c);
		if (!rc && c.id != STORE_DEFAULT_CATEGORY && parent != c.id)
			rc = store_wp_category_put(im->db, c.id,
						   arena_strndup(im->a, c.slug.p, c.slug.len),
						   arena_strndup(im->a, c.name.p, c.name.len),
						   arena_strndup(im->a, c.description.p, c.description.len),
						   parent, &parent);
	}
	for (size_t i = 0; i < im->nthumbs && !rc; i++) {
		int64_t media;

		rc = store_wp_find(im->db, im->a, "attachment", im->thumbs[i].wp_key, &media, NULL);
		if (rc == DL_NOTFOUND) {
			rc = DL_OK;  /* its file was not found: no featured image */
			continue;
		}
		if (!rc)
			rc = store_wp_set_featured(im->db, im->thumbs[i].id, media);
	}
	for (size_t i = 0; i < im->nrelink && !rc; i++) {
		struct strbuf out = STRBUF_INIT;
		struct slice html;

		arena_reset(im->a);
		struct strbuf gal = STRBUF_INIT;
		bool changed;

		rc = store_wp_body(im->db, im->a, im->relink[i], &html);
		if (rc)
			break;
		changed = resolve_galleries(im, html, &gal);
		if (changed)
			html = slice_from(gal.buf, gal.len);
		changed |= relink_uploads(im, html, &out) > 0;
		if (changed)
			rc = store_wp_body_set(im->db, im->relink[i], slice_from(out.buf, out.len));
		strbuf_release(&out);
		strbuf_release(&gal);
	}
	if (rc && !im->err->len)
		strbuf_addf(im->err, "linking sections, featured images and uploads failed (%s)",
			    dl_rc_name(rc));
	return rc;
}

/* One audit entry for the run, in its transaction. */
static int audit(struct importer *im, const char *path)
{
	const struct wxr_stats *st = im->st;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct store_change c = {
		.actor = "cli", .address = "", .action = "import.wxr",
		.object = arena_printf(im->a, "file:%s", base),
		.detail = arena_printf(im->a, "%zu posts, %zu pages, %zu attachments: %zu new,"
				       " %zu updated, %zu unchanged", st->posts, st->pages,
				       st->attachments, st->created, st->updated, st->unchanged),
	};
	int rc = store_audit_in_tx(im->db, &c);

	if (rc && !im->err->len)
		strbuf_addf(im->err, "the audit entry could not be written (%s)", dl_rc_name(rc));
	return rc;
}

int wxr_import(struct db *db, const char *path, const char *uploads, wxr_progress_fn progress,
	       struct wxr_stats *st, struct strbuf *err)
{
	struct importer im = {
		.db = db, .uploads = uploads, .st = st, .err = err, .now = (int64_t)time(NULL),
		.progress = progress,
	};
	struct wxr_reader_cb cb = { on_record, on_progress, &im };
	struct wxr_channel ch = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	struct stat sb;
	int rc;

	if (!stat(path, &sb))
		im.file_size = (uint64_t)sb.st_size;
	im.a = arena_new(0);
	/* Terms and authors are stamped with this run: counted once, written once. */
	snprintf(im.run, sizeof(im.run), "run:%" PRId64 ":%d", im.now, (int)getpid());
	rc = store_import_begin(db);
	if (rc) {
		strbuf_addf(err, "the database is busy or unavailable (%s)", dl_rc_name(rc));
		arena_free(im.a);
		return rc;
	}
	rc = wxr_read(path, &cb, &ch, err);
	if (!rc)
		rc = resolve_pending(&im);
	if (!rc)
		rc = audit(&im, path);
	rc = store_import_end(db, rc);
	if (rc && !err->len)
		strbuf_addf(err, "the import could not be committed (%s)", dl_rc_name(rc));
	for (size_t i = 0; i < im.nparents; i++)
		free(im.parents[i].wp_key);
	for (size_t i = 0; i < im.nthumbs; i++)
		free(im.thumbs[i].wp_key);
	free(im.parents);
	free(im.thumbs);
	free(im.seen);
	free(im.relink);
	wxr_channel_release(&ch);
	arena_free(im.a);
	return rc;
}
