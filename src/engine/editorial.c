/*
 * editorial.c - validated article writes, the status workflow and roles.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "engine/editorial.h"
#include "engine/related.h"
#include "render/excerpt.h"
#include "render/html.h"
#include "render/markdown.h"

/* How many Related News each article stores (the page shows fewer). */

static int fail(struct editorial_error *err, int status, const char *field, const char *message)
{
	err->status = status;
	err->field = field;
	err->message = message;
	return status == 404 ? DL_NOTFOUND : status == 409 ? DL_CONFLICT : DL_INVALID;
}

static int store_failed(struct editorial_error *err, int rc)
{
	err->status = rc == DL_UNAVAILABLE ? 503 : 500;
	err->field = NULL;
	err->message = "The database could not save this; nothing was changed.";
	return rc;
}

static bool is_status(struct slice s)
{
	for (size_t i = 0; i < STORE_NSTATUS; i++)
		if (slice_eq_str(s, store_statuses[i]))
			return true;
	return false;
}

static struct slice trimmed(struct slice s)
{
	while (s.len && (*s.p == ' ' || *s.p == '\t' || *s.p == '\n'))
		s.p++, s.len--;
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\n'))
		s.len--;
	return s;
}

/* Control characters other than (when `multiline`) tab and line breaks. */
static bool has_controls(struct slice s, bool multiline)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
			return true;
	}
	return false;
}

/* A one-line text field: trimmed, no line breaks, at most `max` bytes. */
static int text_field(struct arena *a, const struct slice *in, struct slice stored,
		      const char *name, size_t max, bool required, const char **out,
		      struct editorial_error *err)
{
	struct slice s = in ? trimmed(*in) : stored;

	if (required && !s.len)
		return fail(err, 422, name, arena_printf(a, "The %s must not be empty.", name));
	if (s.len > max)
		return fail(err, 422, name,
			    arena_printf(a, "The %s is too long (at most %zu bytes).", name, max));
	if (has_controls(s, false) || !utf8_valid(s.p, s.len))
		return fail(err, 422, name,
			    arena_printf(a, "The %s must be one line of text.", name));
	*out = arena_strndup(a, s.p, s.len);
	return DL_OK;
}

bool editorial_may_edit(const struct auth_user *user, const struct store_edit *art)
{
	if (user->perms & PERM_EDIT_ANY)
		return true;
	if (!(user->perms & PERM_EDIT_OWN) || art->author_id != user->id)
		return false;
	/* A contributor's work is out of their hands once it is published. */
	return (user->perms & PERM_PUBLISH_OWN) || slice_eq_str(art->status, "draft") ||
	       slice_eq_str(art->status, "review");
}

static bool may_set_status(const struct auth_user *user, const char *status, int64_t author_id)
{
	if (!strcmp(status, "draft") || !strcmp(status, "review"))
		return true;
	if (user->perms & PERM_PUBLISH_ANY)
		return true;
	return (user->perms & PERM_PUBLISH_OWN) && author_id == user->id;
}

int editorial_parse_local(const struct tz *tz, struct slice s, int64_t *out)
{
	int y, mo, d, h, mi, sec = 0, n = 0, oh = 0, om = 0;
	int64_t offset = 0;
	bool zoned = false;
	char buf[40];

	if (s.len < 16 || s.len >= sizeof(buf))
		return DL_INVALID;
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	if (sscanf(buf, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
		return DL_INVALID;
	if (buf[n] == ':') {
		int m = 0;
		if (sscanf(buf + n, ":%2d%n", &sec, &m) != 1 || m != 3)
			return DL_INVALID;
		n += m;
	}
	/* An explicit zone (API clients): Z or +HH:MM / -HH:MM. */
	if (buf[n] == 'Z') {
		zoned = true;
		n++;
	} else if (buf[n] == '+' || buf[n] == '-') {
		int m = 0;
		if (sscanf(buf + n + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5 || oh > 23 || om > 59)
			return DL_INVALID;
		offset = (buf[n] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
		zoned = true;
		n += 6;
	}
	if ((size_t)n != s.len)
		return DL_INVALID;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return DL_INVALID;
	*out = tz_mktime(zoned ? tz_utc() : tz, y, mo, d, h, mi, sec) - offset;
	return DL_OK;
}

/* Split "a, b ,c" into trimmed, de-duplicated tag names. */
static int parse_tags(struct arena *a, struct slice in, const char ***tags, size_t *n,
		      struct editorial_error *err)
{
	const char **out = ARENA_NEW_ARRAY(a, const char *, ED_TAGS_MAX);
	size_t i = 0;

	*n = 0;
	while (i <= in.len) {
		size_t start = i;
		struct slice t;
		bool dup = false;

		while (i < in.len && in.p[i] != ',')
			i++;
		t = trimmed((struct slice){ in.p + start, i - start });
		i++;
		if (!t.len)
			continue;
		if (t.len > ED_TAG_MAX || memchr(t.p, '\n', t.len))
			return fail(err, 422, "tags", "Each tag must be one line of at most 60 bytes.");
		for (size_t j = 0; j < *n && !dup; j++)
			dup = slice_eq_str(t, out[j]);
		if (dup)
			continue;
		if (*n == ED_TAGS_MAX)
			return fail(err, 422, "tags", "An article may have at most 20 tags.");
		out[(*n)++] = arena_strndup(a, t.p, t.len);
	}
	*tags = out;
	return DL_OK;
}

/* The stored tags as names, for a save that leaves them alone. */
static void keep_tags(struct arena *a, const struct store_edit *old, const char ***tags, size_t *n)
{
	const char **out = ARENA_NEW_ARRAY(a, const char *, old->ntags + 1);

	for (size_t i = 0; i < old->ntags; i++)
		out[i] = arena_strndup(a, old->tags[i].name.p, old->tags[i].name.len);
	*tags = out;
	*n = old->ntags;
}

/* Markdown to sanitised HTML, plain text for the index, and an excerpt. */
static int render_body(struct arena *a, struct slice body, struct store_article_input *out,
		       struct editorial_error *err)
{
	struct strbuf html = STRBUF_INIT, text = STRBUF_INIT, ex = STRBUF_INIT;
	const char *active = NULL;
	int rc;

	if (body.len > ED_BODY_MAX)
		return fail(err, 422, "body", "The body is too long (at most 512 KiB).");
	if (has_controls(body, true))
		return fail(err, 422, "body", "The body contains control characters.");
	/* Refused, not silently stripped: the editor must know what will not appear. */
	rc = md_find_active(body.p, body.len, &active);
	if (!rc && active)
		return fail(err, 422, "body",
			    arena_printf(a, "The body contains %s, which is not allowed.", active));
	rc = rc ? rc : md_render(body.p, body.len, &html);
	if (!rc)
		rc = html_to_text(html.buf, html.len, &text);
	if (!rc) {
		excerpt_from_text(text.buf, text.len, 280, &ex);
		out->body_source = arena_strndup(a, body.p, body.len);
		out->body_format = "markdown";
		out->body_html = arena_strndup(a, html.buf, html.len);
		out->index_text = arena_strndup(a, text.buf, text.len);
		out->excerpt = arena_strndup(a, ex.buf, ex.len);
	}
	strbuf_release(&html);
	strbuf_release(&text);
	strbuf_release(&ex);
	if (rc)
		return fail(err, 422, "body", rc == DL_TOOBIG ? "The body's markup is too deeply nested."
							      : "The body is not valid UTF-8.");
	return DL_OK;
}

static const char *slice_str(struct arena *a, struct slice s)
{
	return arena_strndup(a, s.p, s.len);
}

/* The status, publication time and pin of the article after this save. */
static int decide_status(struct arena *a, const struct auth_user *user, const struct tz *tz,
			 const struct editorial_input *in, const struct store_edit *old,
			 int64_t now, struct store_article_input *out, struct editorial_error *err)
{
	const char *status = in->status ? slice_str(a, *in->status)
				 : old->id ? slice_str(a, old->status) : "draft";
	bool was_published = old->id && (slice_eq_str(old->status, "published") ||
					 slice_eq_str(old->status, "unpublished"));
	int64_t when = 0;

	if (in->status && !is_status(*in->status))
		return fail(err, 422, "status", "The status must be draft, review, scheduled, "
						"published or unpublished.");
	if (user && !may_set_status(user, status, out->author_id))
		return fail(err, 403, "status", "Your role may not publish or schedule this article.");
	if (in->publish_at && in->publish_at->len &&
	    editorial_parse_local(tz, trimmed(*in->publish_at), &when))
		return fail(err, 422, "publish_at", "The time must look like 2026-11-25T14:30 "
							"(site time) or 2026-11-25T14:30:00Z.");
	out->status = status;
	out->published_at = old->published_at;
	if (!strcmp(status, "scheduled")) {
		if (!when && in->publish_at)
			return fail(err, 422, "publish_at", "A scheduled article needs a publication time.");
		if (!when)
			when = old->published_at;
		if (when <= now)
			return fail(err, 422, "publish_at", "The publication time must be in the future.");
		out->published_at = when;
	} else if (!strcmp(status, "published")) {
		if (when > now)
			return fail(err, 422, "publish_at",
				    "That time is in the future: schedule the article instead.");
		/* A back-dated publication keeps the editor's date; otherwise first publication. */
		if (when)
			out->published_at = when;
		else if (slice_eq_str(old->status, "scheduled") && old->published_at &&
			 old->published_at <= now)
			out->published_at = old->published_at;  /* the scheduler, however late */
		else if (!was_published || !old->published_at)
			out->published_at = now;
	} else if (!was_published) {
		out->published_at = 0;  /* drafts carry no date */
	}
	if (in->pinned >= 0 && (!user || (user->perms & PERM_PIN)))
		out->pinned_at = in->pinned ? (old->pinned_at ? old->pinned_at : now) : 0;
	else if (in->pinned >= 0 && (in->pinned != 0) != (old->pinned_at != 0))
		return fail(err, 403, "pinned", "Your role may not change Must Read pins.");
	else
		out->pinned_at = old->pinned_at;
	return DL_OK;
}

/* Category, author and image must exist; the author may be changed by editors only. */
static int check_refs(struct db *db, struct arena *a, const struct auth_user *user,
		      const struct editorial_input *in, const struct store_edit *old,
		      struct store_article_input *out, struct editorial_error *err)
{
	struct store_category cat;
	struct store_user u;
	int rc;

	out->category_id = in->category_id ? in->category_id
			   : old->id ? old->category_id : STORE_DEFAULT_CATEGORY;
	rc = store_category_by_id(db, a, out->category_id, &cat);
	if (rc == DL_NOTFOUND)
		return fail(err, 422, "category", "There is no such category.");
	if (rc)
		return store_failed(err, rc);
	out->author_id = in->author_id ? in->author_id
			 : old->id ? old->author_id : user ? user->id : 0;
	if (user && out->author_id != (old->id ? old->author_id : user->id) &&
	    !(user->perms & PERM_EDIT_ANY))
		return fail(err, 403, "author", "Your role may not change an article's author.");
	rc = store_user_by_id(db, a, out->author_id, &u);
	if (rc == DL_NOTFOUND)
		return fail(err, 422, "author", "There is no such author.");
	if (rc)
		return store_failed(err, rc);
	out->featured_media_id = in->featured_media_id < 0 ? 0
				 : in->featured_media_id ? in->featured_media_id
				 : old->featured_media_id;
	if (out->featured_media_id && out->featured_media_id != old->featured_media_id) {
		struct store_media m;
		rc = store_media_info(db, a, out->featured_media_id, &m);
		if (rc == DL_NOTFOUND)
			return fail(err, 422, "featured_media", "There is no such image.");
		if (rc)
			return store_failed(err, rc);
	}
	return DL_OK;
}

static int fill_text(struct db *db, struct arena *a, const struct editorial_input *in,
		     const struct store_edit *old, struct store_article_input *out, int64_t now,
		     struct editorial_error *err)
{
	struct strbuf slug = STRBUF_INIT;
	const char *note;
	int rc;

	(void)db;
	rc = text_field(a, in->title, old->title, "title", ED_TITLE_MAX, true, &out->title, err);
	if (!rc)
		rc = text_field(a, in->dek, old->dek, "dek", ED_DEK_MAX, false, &out->dek, err);
	if (!rc)
		rc = text_field(a, in->seo_title, old->seo_title, "seo_title", ED_SEO_TITLE_MAX, false,
				&out->seo_title, err);
	if (!rc)
		rc = text_field(a, in->seo_description, old->seo_description, "seo_description",
				ED_SEO_DESCRIPTION_MAX, false, &out->seo_description, err);
	if (!rc)
		rc = text_field(a, in->note, old->note, "note", ED_NOTE_MAX, false, &note, err);
	if (!rc)
		rc = text_field(a, in->slug, old->slug, "slug", 80, false, &out->slug, err);
	if (rc)
		return rc;
	/* A note's time is when it was last changed. */
	out->note = note;
	out->note_at = !*note ? 0 : slice_eq_str(old->note, note) ? old->note_at : now;
	if (!*out->slug) {
		store_slugify(out->title, strlen(out->title), &slug);
		out->slug = arena_strndup(a, slug.buf, slug.len);
		strbuf_release(&slug);
		if (!*out->slug)
			return fail(err, 422, "slug", "The title makes no slug; please write one.");
	} else if (!store_slug_valid(slice_cstr(out->slug))) {
		return fail(err, 422, "slug", "A slug is lower-case letters, digits and dashes, "
					      "without a dash at either end.");
	}
	return DL_OK;
}

static int related_after_save(struct db *db, int64_t id, const char *status)
{
	int r;

	if (strcmp(status, "published")) {
		related_forget(db, id);
		return DL_OK;
	}
	r = related_refresh(db, id, RELATED_STORED);
	return r == DL_NOTFOUND ? DL_OK : r;
}

int editorial_save(struct db *db, struct arena *a, const struct editorial_actor *who,
		   const struct tz *tz, const struct editorial_input *in, int64_t *id,
		   struct editorial_error *err)
{
	const struct auth_user *user = who->user;
	int64_t now = (int64_t)time(NULL);
	struct store_article_input out = { 0 };
	struct store_edit old = { 0 };
	struct store_change change = { 0 };
	int rc;

	if (in->id) {
		rc = store_edit_get(db, a, in->id, &old);
		if (rc == DL_NOTFOUND)
			return fail(err, 404, NULL, "There is no such article.");
		if (rc)
			return store_failed(err, rc);
		if (user && !editorial_may_edit(user, &old))
			return fail(err, 403, NULL, "Your role may not edit this article.");
	} else if (user && !(user->perms & PERM_EDIT_OWN)) {
		return fail(err, 403, NULL, "Your role may not write articles.");
	}
	out.id = in->id;
	rc = fill_text(db, a, in, &old, &out, now, err);
	if (!rc)
		rc = check_refs(db, a, user, in, &old, &out, err);
	if (!rc)
		rc = decide_status(a, user, tz, in, &old, now, &out, err);
	if (!rc)
		rc = render_body(a, in->body ? *in->body : old.body_source, &out, err);
	if (!rc && in->tags)
		rc = parse_tags(a, *in->tags, (const char ***)&out.tags, &out.ntags, err);
	else if (!rc)
		keep_tags(a, &old, (const char ***)&out.tags, &out.ntags);
	if (rc)
		return rc;
	change.user_id = user ? user->id : 0;
	change.actor = user ? user->email : "scheduler";
	change.address = who->address;
	out.expect_status = user ? NULL : "scheduled";
	change.action = !in->id ? "article.create"
			: strcmp(out.status, old.status.p) ? arena_printf(a, "article.%s", out.status)
							   : "article.update";
	change.detail = out.title;
	rc = store_edit_save(db, &out, &change, id);
	if (rc == DL_CONFLICT)
		return fail(err, 409, "slug", "Another article already uses this slug.");
	if (rc)
		return store_failed(err, rc);
	/* Related News is derived data: a failure here leaves the save standing. */
	if (related_after_save(db, *id, out.status))
		warning("article %" PRId64 ": Related News not refreshed", *id);
	return DL_OK;
}

int editorial_delete(struct db *db, struct arena *a, const struct editorial_actor *who,
		     int64_t id, struct editorial_error *err)
{
	const struct auth_user *user = who->user;
	struct store_edit old;
	struct store_change change = { 0 };
	int rc = store_edit_get(db, a, id, &old);

	if (rc == DL_NOTFOUND)
		return fail(err, 404, NULL, "There is no such article.");
	if (rc)
		return store_failed(err, rc);
	if (!editorial_may_edit(user, &old) ||
	    (!(user->perms & PERM_PUBLISH_ANY) && slice_eq_str(old.status, "published")))
		return fail(err, 403, NULL, "Your role may not delete this article.");
	change.user_id = user->id;
	change.actor = user->email;
	change.address = who->address;
	change.action = "article.delete";
	change.object = arena_printf(a, "article:%" PRId64, id);
	change.detail = slice_str(a, old.title);
	rc = store_edit_delete(db, id, &change);
	if (rc)
		return store_failed(err, rc);
	related_forget(db, id);
	return DL_OK;
}

int editorial_restore(struct db *db, struct arena *a, const struct editorial_actor *who,
		      const struct tz *tz, int64_t rev, int64_t *id, struct editorial_error *err)
{
	struct editorial_input in = { .pinned = -1 };
	struct store_revision r;
	int rc = store_revision_get(db, a, rev, &r);

	if (rc == DL_NOTFOUND)
		return fail(err, 404, NULL, "There is no such revision.");
	if (rc)
		return store_failed(err, rc);
	/* The words come back; the status, schedule and placement stay as they are. */
	in.id = r.article_id;
	in.title = &r.title;
	in.dek = &r.dek;
	in.slug = &r.slug;
	in.body = &r.body_source;
	return editorial_save(db, a, who, tz, &in, id, err);
}

int editorial_publish_due(struct db *db, struct arena *a, int64_t now, int64_t lock_key)
{
	static const struct slice published = { "published", 9 };
	struct editorial_actor system = { NULL, "" };
	int64_t ids[64];
	size_t n;
	int rc = store_due(db, now, ids, ARRAY_SIZE(ids), &n), done = 0;

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct editorial_input in = { .id = ids[i], .status = &published, .pinned = -1 };
		struct editorial_error err;
		bool held = true;
		int64_t id;

		if (lock_key && (db_try_lock(db, lock_key, &held) || !held))
			break;
		rc = editorial_save(db, a, &system, tz_utc(), &in, &id, &err);
		if (rc == DL_NOTFOUND) {
			log_debug("scheduler: article %" PRId64 " is no longer scheduled", ids[i]);
			continue;  /* published meanwhile by another scheduler, or unscheduled */
		}
		if (rc) {
			error("scheduler: article %" PRId64 " not published: %s", ids[i], err.message);
			continue;
		}
		log_info("scheduler: published article %" PRId64, ids[i]);
		done++;
	}
	return done;
}

/* First path segments the public site routes itself: never a section's slug. */
static const char *const reserved_slugs[] = {
	"category", "tag", "author", "static", "media", "ad", "feed", "search", "sitemap",
	"wp-json", "wp-content", "wp-admin", "api", "login", "admin",
};

const char *editorial_category_check(struct arena *a, int64_t id, const char *name,
				     const char *slug, int64_t parent_id,
				     const struct store_category *cats, size_t ncats,
				     const char **slug_out)
{
	struct strbuf sb = STRBUF_INIT;

	if (!*name || strlen(name) > 100 || has_controls(slice_cstr(name), false))
		return "name: 1 to 100 characters on one line";
	if (!*slug) {
		store_slugify(name, strlen(name), &sb);
		slug = arena_strndup(a, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	if (!store_slug_valid(slice_cstr(slug)))
		return "slug: lower-case letters, digits and dashes";
	for (size_t i = 0; i < ARRAY_SIZE(reserved_slugs); i++)
		if (!strcmp(slug, reserved_slugs[i]))
			return arena_printf(a, "slug: '%s' is taken by the site's own pages", slug);
	if (strspn(slug, "0123456789") == strlen(slug))
		return "slug: a number would look like a date in the address";
	/* Walk up from the parent: reaching `id` would make a loop. */
	for (int64_t p = parent_id, hops = 0; p; hops++) {
		size_t i;

		if (p == id || hops > (int64_t)ncats)
			return "parent: a section cannot be inside itself";
		for (i = 0; i < ncats && cats[i].id != p; i++)
			;
		if (i == ncats)
			return "parent: there is no such section";
		p = cats[i].parent_id;
	}
	*slug_out = slug;
	return NULL;
}

/* Where an ad click may send a reader: http(s), mailto or this site. */
static bool safe_link(struct slice link)
{
	if (has_controls(link, false) || memchr(link.p, ' ', link.len))
		return false;
	if (slice_starts_with(link, "https://") || slice_starts_with(link, "http://") ||
	    slice_starts_with(link, "mailto:"))
		return link.len > 8;
	return link.len && link.p[0] == '/' && (link.len == 1 || link.p[1] != '/');
}

const char *editorial_ad_check(struct arena *a, struct store_ad *ad,
			       const struct store_category *cats, size_t ncats)
{
	const char *active = NULL;
	struct strbuf clean = STRBUF_INIT;
	bool known = !ad->category_id;

	if (!ad->name.len || ad->name.len > 100 || has_controls(ad->name, false))
		return "name: 1 to 100 characters on one line";
	if (!slice_eq_str(ad->kind, "html") && !slice_eq_str(ad->kind, "image"))
		return "kind: html or image";
	if (slice_eq_str(ad->kind, "html")) {
		/* House ads and sponsors' snippets run on every page: no scripts, as in bodies. */
		if (!ad->html.len || ad->html.len > 20000)
			return "html: 1 to 20,000 bytes of HTML";
		if (html_find_active(ad->html.p, ad->html.len, &active) ||
		    html_sanitize(ad->html.p, ad->html.len, &clean)) {
			strbuf_release(&clean);
			return "html: not valid UTF-8 HTML";
		}
		if (active) {
			strbuf_release(&clean);
			return arena_printf(a, "html: contains %s, which is not allowed", active);
		}
		ad->html = arena_slice_dup(a, (struct slice){ clean.buf, clean.len });
		strbuf_release(&clean);
	} else if (!ad->media_id) {
		return "media: an image ad needs an image from the library";
	} else if (!ad->alt.len || ad->alt.len > 300 || has_controls(ad->alt, false)) {
		return "alt: an image ad needs alt text (at most 300 bytes)";
	}
	if (ad->link_url.len > 2000 || (ad->link_url.len && !safe_link(ad->link_url)) ||
	    (slice_eq_str(ad->kind, "image") && !ad->link_url.len))
		return "link: an http(s) or mailto: address, or a path on this site";
	if (ad->weight < 1 || ad->weight > 1000)
		return "weight: 1 to 1000";
	if (ad->starts_at && ad->ends_at && ad->ends_at <= ad->starts_at)
		return "ends_at: the end must come after the start";
	for (size_t i = 0; i < ncats && !known; i++)
		known = cats[i].id == ad->category_id;
	if (!known)
		return "category: there is no such section";
	return NULL;
}
