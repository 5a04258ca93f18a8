/*
 * editorial.h - the newsroom's rules for changing articles, shared by the
 * admin UI and the JSON API: validation, the status workflow, what each
 * role may do, Markdown to sanitised HTML, revisions and Related News.
 *
 * Handlers turn a form or a JSON body into a `struct editorial_input` and
 * report the `struct editorial_error` it comes back with, naming the field.
 */
#ifndef DL_ENGINE_EDITORIAL_H
#define DL_ENGINE_EDITORIAL_H

#include "core/compat.h"
#include "core/tz.h"
#include "engine/auth.h"
#include "store/editorial.h"

#define ED_TITLE_MAX 300
#define ED_DEK_MAX 600
#define ED_BODY_MAX (512 * 1024)
#define ED_SEO_TITLE_MAX 120
#define ED_SEO_DESCRIPTION_MAX 320
#define ED_NOTE_MAX 1000
#define ED_TAGS_MAX 20
#define ED_TAG_MAX 60

/* An article as submitted; a NULL/absent field keeps the stored value on update. */
struct editorial_input {
	int64_t id;                 /* 0: a new article */
	const struct slice *title, *dek, *slug, *body, *status, *tags;
	const struct slice *seo_title, *seo_description, *note;
	const struct slice *publish_at;   /* "YYYY-MM-DDTHH:MM" site time, or ...Z / +HH:MM; or "" */
	int64_t category_id;        /* 0: keep (new: the default) */
	int64_t author_id;          /* 0: keep (new: the caller) */
	int64_t featured_media_id;  /* 0: keep; -1: remove */
	int pinned;                 /* -1: keep, 0: unpin, 1: pin */
};

struct editorial_error {
	int status;          /* 403, 404, 409, 422 or 500/503 */
	const char *field;   /* the offending field, or NULL */
	const char *message;
};

/* Who acts, and from where (for the audit log). */
struct editorial_actor {
	const struct auth_user *user;   /* NULL: the system (scheduler) */
	const char *address;
};

/*
 * Validate `in` against the stored article and the actor's role, render
 * the body, and save it with a revision and an audit entry. On failure
 * nothing is written and *err says why. `tz` reads publish_at.
 */
int editorial_save(struct db *db, struct arena *a, const struct editorial_actor *who,
		   const struct tz *tz, const struct editorial_input *in, int64_t *id,
		   struct editorial_error *err);
/* Delete an article (editors, admins; authors their own unpublished ones). */
int editorial_delete(struct db *db, struct arena *a, const struct editorial_actor *who,
		     int64_t id, struct editorial_error *err);
/* Restore revision `rev` of its article as a new save. */
int editorial_restore(struct db *db, struct arena *a, const struct editorial_actor *who,
		      const struct tz *tz, int64_t rev, int64_t *id, struct editorial_error *err);
/* May `user` see and edit this article at all? */
bool editorial_may_edit(const struct auth_user *user, const struct store_edit *art);

/*
 * Check a category's fields: name 1-100 bytes, a well-formed slug that no
 * public route uses (made from the name when empty), a parent that exists
 * and is not the category itself or one of its descendants. `cats` are all
 * categories. NULL when fine, else "field: why"; *slug_out is the slug to use.
 */
const char *editorial_category_check(struct arena *a, int64_t id, const char *name,
				     const char *slug, int64_t parent_id,
				     const struct store_category *cats, size_t ncats,
				     const char **slug_out);

/*
 * Check an ad creative (name, kind, HTML without active content - it is
 * sanitised in place -, an image for image ads, a safe link, weight 1-1000,
 * dates in order, a known category). NULL when fine, else "field: why".
 */
const char *editorial_ad_check(struct arena *a, struct store_ad *ad,
			       const struct store_category *cats, size_t ncats);

/*
 * Publish every scheduled article that is due; returns how many, or < 0.
 * With `lock_key` (0: none) it stops as soon as this connection no longer
 * holds that cluster-wide lock (db_try_lock), so a scheduler that lost its
 * session mid-run never publishes beside the node that took over.
 */
int editorial_publish_due(struct db *db, struct arena *a, int64_t now, int64_t lock_key);

/* Parse "YYYY-MM-DDTHH:MM[:SS]" as local time in tz, or with a Z / +HH:MM zone. */
int editorial_parse_local(const struct tz *tz, struct slice s, int64_t *out);

#endif
