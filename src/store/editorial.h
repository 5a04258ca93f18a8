/*
 * editorial.h - the store's side of the newsroom: articles in every status,
 * revisions, old slugs, the scheduled queue and the audit log.
 *
 * Every write takes a `struct store_change` naming who did it, and records
 * the audit entry (and for articles the revision) in the same transaction
 * as the change itself: a save is all there or not there at all.
 */
#ifndef DL_STORE_EDITORIAL_H
#define DL_STORE_EDITORIAL_H

#include "store/store.h"

/* Who changed something, for the audit log (strings borrowed). */
struct store_change {
	int64_t user_id;        /* 0: the system (scheduler, CLI) */
	const char *actor;      /* email, or "scheduler" */
	const char *address;    /* the client's address, or "" */
	const char *action;     /* "article.update" */
	const char *object;     /* "article:42" */
	const char *detail;     /* a short human-readable summary, or "" */
};

/* Record an audit entry on its own (logins, settings), or inside the
 * caller's transaction. */
int store_audit(struct db *db, const struct store_change *c);
int store_audit_in_tx(struct db *db, const struct store_change *c);

struct store_audit_entry {
	int64_t id, at, user_id;
	struct slice actor, address, action, object, detail;
};

/* The newest audit entries first. */
int store_audit_list(struct db *db, struct arena *a, int64_t limit, int64_t offset,
		     struct store_audit_entry **out, size_t *n, int64_t *total);

/* An article as the editor sees it, in any status. */
struct store_edit {
	int64_t id;
	struct slice slug, title, dek, body_source, body_format, status;
	struct slice seo_title, seo_description, note;
	struct slice author_name, category_name, category_slug;
	int64_t author_id, category_id, featured_media_id;
	int64_t published_at, pinned_at, note_at, created_at, updated_at;
	struct store_tag *tags;  /* on full loads */
	size_t ntags;
};

/* One article by id in any status, with its tags. */
int store_edit_get(struct db *db, struct arena *a, int64_t id, struct store_edit *out);

/*
 * Create (in->id 0) or update article in->id with its tags, full-text entry, a revision,
 * the audit entry and (when its slug changed) a redirect from the old slug,
 * in one transaction. DL_CONFLICT: the slug is taken (by another article or
 * another article's old slug); DL_NOTFOUND: no article `id`.
 */
int store_edit_save(struct db *db, const struct store_article_input *in, const struct store_change *c,
		    int64_t *id);
/* Delete an article (its revisions, tags and redirects go with it). */
int store_edit_delete(struct db *db, int64_t id, const struct store_change *c);

/* What the article list filters on; zero/empty fields match anything. */
struct store_edit_filter {
	const char *status;
	int64_t category_id, author_id;
	struct slice text;     /* substring of the title */
	int64_t limit, offset;
};

/* Articles for the editor's list, most recently edited first (scheduled:
 * soonest first), without bodies or tags, and the total. */
int store_edit_list(struct db *db, struct arena *a, const struct store_edit_filter *f,
		    struct store_edit **out, size_t *n, int64_t *total);

/* Counts of articles by status: draft, review, scheduled, published, unpublished. */
#define STORE_NSTATUS 5
extern const char *const store_statuses[STORE_NSTATUS];
int store_status_counts(struct db *db, int64_t counts[STORE_NSTATUS]);

/* Scheduled articles due at `now` (at most `max` ids), and the next time one
 * is due after now (0: none). */
int store_due(struct db *db, int64_t now, int64_t *ids, size_t max, size_t *n);
int store_next_due(struct db *db, int64_t *when);

/* The article an old slug now belongs to. */
int store_slug_redirect(struct db *db, struct slice slug, int64_t *article_id);
/* Where a published article lives: its category slug and slug. */
int store_article_address(struct db *db, struct arena *a, int64_t id, struct slice *category_slug,
			  struct slice *slug);

struct store_revision {
	int64_t id, article_id, user_id, created_at;
	struct slice actor, slug, title, dek, body_source, status;
};

/* Revisions of an article, newest first (bodies included only in _get). */
int store_revisions(struct db *db, struct arena *a, int64_t article_id,
		    struct store_revision **out, size_t *n);
int store_revision_get(struct db *db, struct arena *a, int64_t id, struct store_revision *out);

/* ---- sections and settings ---- */

/* Create (id 0) or update a category. DL_CONFLICT: slug taken. */
int store_category_save(struct db *db, int64_t id, const char *slug, const char *name,
			const char *description, int64_t parent_id, const struct store_change *c,
			int64_t *out_id);
/* Delete a category: its articles move to the default one, its children up a
 * level. DL_CONFLICT for the default category. */
int store_category_delete(struct db *db, int64_t id, const struct store_change *c);
/* Rename a tag (DL_CONFLICT: slug taken), or delete it from every article. */
int store_tag_save(struct db *db, int64_t id, const char *name, const char *slug,
		   const struct store_change *c);
int store_tag_delete(struct db *db, int64_t id, const struct store_change *c);
/* Set several settings at once (validated by the caller). */
int store_settings_save(struct db *db, const char *const *names, const char *const *values,
			size_t n, const struct store_change *c);

/* ---- ads ---- */

/* Every creative, active or not, with impressions and clicks since `since_day`. */
int store_ads_all(struct db *db, struct arena *a, int64_t since_day, struct store_ad **out,
		  size_t *n);
int store_ad_get(struct db *db, struct arena *a, int64_t id, struct store_ad *out);
int store_ad_slots(struct db *db, struct arena *a, struct store_ad_slot **out, size_t *n);
/* Create (ad->id 0) or update a creative, with ad->active. */
int store_ad_save(struct db *db, int64_t slot_id, const struct store_ad *ad,
		  const struct store_change *c, int64_t *id);
/* A creative's impressions and clicks per day for days [from_day, to_day]. */
int store_ad_daily(struct db *db, int64_t id, int64_t from_day, int64_t to_day,
		   int64_t *impressions, int64_t *clicks);

/* ---- the media library ---- */

/* A re-encoded size of an image: `width` pixels wide, "jpeg", "png" or "webp". */
struct store_media_variant {
	int64_t width;
	const char *format;
	struct slice data;
};

/* Add an image with its variants and the audit entry, in one transaction. */
int store_media_add(struct db *db, const struct store_media *m,
		    const struct store_media_variant *v, size_t nv, const struct store_change *c,
		    int64_t *id);
/* Change an image's alt text, caption and credit. */
int store_media_update(struct db *db, int64_t id, const char *alt, const char *caption,
		       const char *credit, const struct store_change *c);
/* The newest images first (without bytes), and how many there are. */
int store_media_list(struct db *db, struct arena *a, int64_t limit, int64_t offset,
		     struct store_media **out, size_t *n, int64_t *total);
/* One variant's bytes. */
int store_media_variant(struct db *db, struct arena *a, int64_t id, int64_t width,
			const char *format, struct slice *data);

/* Total page views per day for days in [from_day, to_day] (views[0] is
 * from_day; days without views stay 0). */
int store_views_by_day(struct db *db, int64_t from_day, int64_t to_day, int64_t *views);

#endif
