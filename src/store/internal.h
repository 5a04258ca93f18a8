/*
 * internal.h - helpers shared by the store's files. Private to src/store/.
 */
#ifndef DL_STORE_INTERNAL_H
#define DL_STORE_INTERNAL_H

#include "core/compat.h"
#include "store/store.h"

/* A teaser's columns, for queries over articles a, categories c, users u
 * and media m (LEFT JOIN); read with store_read_teaser(). */
#define STORE_TEASER_COLS \
	"a.id, a.slug, a.title, a.dek, a.excerpt, a.published_at, a.updated_at," \
	" COALESCE(a.pinned_at, 0), c.id, c.slug, c.name, u.id, u.slug, u.name," \
	" COALESCE(m.id, 0), COALESCE(m.filename, ''), COALESCE(m.mime, '')," \
	" COALESCE(m.alt, ''), COALESCE(m.caption, ''), COALESCE(m.credit, '')," \
	" COALESCE(m.width, 0), COALESCE(m.height, 0), COALESCE(length(m.data), 0)," \
	" COALESCE(m.variants, 0)"
#define STORE_TEASER_NCOLS 24

/* Read the STORE_TEASER_COLS of the current row into *out (arena copies). */
void store_read_teaser(struct db_stmt *st, struct arena *a, struct store_article *out);
/* Fill art->tags. */
int store_load_tags(struct db *db, struct arena *a, struct store_article *art);

/* Column i of the current row, copied into the arena. */
static inline struct slice col(struct db_stmt *st, struct arena *a, int i)
{
	return arena_slice_dup(a, db_text(st, i));
}

/* Reads the current row into *out (arena copies). */
typedef void (*store_row_fn)(struct db_stmt *st, struct arena *a, void *out);

/* Step a bound one-row lookup: DL_OK with the row read by `fn`, or
 * DL_NOTFOUND. The statement is released. */
int store_one_row(struct db_stmt *st, store_row_fn fn, struct arena *a, void *out);

/*
 * Read every row of a bound statement into a new arena array of `size`-byte
 * items (*out, *n). NULL (a failed prepare) is DL_ERR. Released after.
 */
/* Column 0 of every row of a bound statement as a new malloc'd array (the
 * caller frees *ids). NULL (a failed prepare) is DL_ERR. Released after. */
int store_all_ids(struct db_stmt *st, int64_t **ids, size_t *n);

int store_all_rows(struct db_stmt *st, store_row_fn fn, struct arena *a, size_t size,
		   void **out, size_t *n);

/*
 * Run a bound INSERT ... RETURNING id as one content write: its own
 * transaction, the generation bumped with it. NULL (a failed prepare) is
 * DL_ERR. The statement is always released.
 */
int store_insert_id(struct db *db, struct db_stmt *st, int64_t *id);

/* The id of tag `slug`, created if new, inside the caller's transaction. */
/* The article columns both writes set, bound as parameters 1-17 by store_bind_article(). */
#define STORE_ARTICLE_WRITE_COLS \
	"slug, title, dek, excerpt, body_source, body_format, body_html, status, author_id," \
	" category_id, featured_media_id, pinned_at, published_at, seo_title, seo_description," \
	" note, note_at"
void store_bind_article(struct db_stmt *st, const struct store_article_input *in);

/*
 * Keep section_counts (published articles per section) in step with article
 * `id`, inside the caller's write transaction: -1 just before a write that
 * may change its status or section (or delete it), +1 just after one that
 * may have made it published. Every article write in the store does this.
 */
int store_section_count_track(struct db *db, int64_t id, int64_t delta);

/* Insert an article row / its tags inside the caller's transaction. */
int store_article_insert_in_tx(struct db *db, const struct store_article_input *in, int64_t now,
			       int64_t *id);
int store_article_tags_in_tx(struct db *db, int64_t id, const char *const *tags, size_t n);
/* Bind `v` at `idx`, or NULL when it is 0. */
void store_bind_opt(struct db_stmt *st, int idx, int64_t v);

int store_tag_ensure_in_tx(struct db *db, const char *slug, const char *name, int64_t *id);

#endif
