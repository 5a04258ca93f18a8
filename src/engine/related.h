/*
 * related.h - Related News: the published articles most similar in content
 * to a given one.
 *
 * Similarity is TF-IDF over the full-text index's own analysis (stop words
 * dropped, Snowball stems): the article's most distinctive terms form a
 * ranked (BM25) query that finds candidates cheaply, which are then ranked
 * by the cosine of their whole TF-IDF vectors; the same category is a light
 * boost (DESIGN.md section 5). A full rebuild also re-ranks by shared
 * neighbours; a single refresh (a publish) uses the cosine order alone. Computed when an article is published or
 * changed and stored, never per page view.
 */
#ifndef DL_ENGINE_RELATED_H
#define DL_ENGINE_RELATED_H

#include "core/compat.h"
#include "db/db.h"

struct related_ctx;

/* A context holding a text analyzer; one per thread of work. */
struct related_ctx *related_ctx_new(void);
void related_ctx_free(struct related_ctx *rc);

/*
 * The up to `max` articles most related to `id`, best first, into ids and
 * scores (each room for `max`). Returns DL_NOTFOUND if `id` is not indexed.
 */
int related_compute(struct related_ctx *rc, struct db *db, int64_t id, size_t max,
		    int64_t *ids, double *scores, size_t *n);

/* Compute and store the Related News of `id`. */
int related_refresh(struct related_ctx *rc, struct db *db, int64_t id, size_t max);

/*
 * Recompute every published article's Related News, reporting progress:
 * cosine lists first, then each re-ranked by the neighbours it shares with
 * its candidates (needs every list in memory: 1.6 KB per article).
 */
int related_rebuild(struct db *db, size_t max, void (*progress)(size_t done, size_t total));

#endif
