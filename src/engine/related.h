/*
 * related.h - Related News: the published articles most similar in content
 * to a given one.
 *
 * Similarity is the cosine of TF-IDF vectors over the full-text index's own
 * analysis (stop words dropped, Snowball stems), title and body together,
 * with the same category as a light boost (DESIGN.md section 5). The vectors
 * of the newest published articles live in memory (engine/related_index.h),
 * one index per process and database, filled at the first use (or by
 * related_warm() or a keeper thread) and kept current by the process's own
 * writes and a sync with the database every minute. The cosine candidates
 * are re-ranked by the neighbours they share with the article.
 * Computed when an article is published or changed and stored, never per
 * page view. Thread-safe.
 */
#ifndef DL_ENGINE_RELATED_H
#define DL_ENGINE_RELATED_H

#include "core/compat.h"
#include "db/db.h"

/* How many related articles are stored per article (a page shows up to 12). */
#define RELATED_STORED 8

/* Fill the index now, rather than at the first publish that needs it. */
int related_warm(struct db *db);
/*
 * A thread with its own connection that fills the index, then re-syncs it
 * before it ages, so a publish never waits for either (a server that
 * publishes). Stopping it waits for the current sync; NULL is ok.
 */
struct related_keeper *related_keeper_start(const char *db_url);
void related_keeper_stop(struct related_keeper *k);

/*
 * The up to `max` articles most related to published article `id`, best
 * first (re-ranked by shared neighbours), into ids and scores (each room for
 * `max`). DL_NOTFOUND if `id` is not published or has no indexed text.
 */
int related_compute(struct db *db, int64_t id, size_t max, int64_t *ids, double *scores,
		    size_t *n);

/*
 * Re-read article `id` into the index, then compute and store its Related
 * News; the keeper (if any) then refreshes the stored lists of its new
 * neighbours in the background, so older stories link to the new one.
 */
int related_refresh(struct db *db, int64_t id, size_t max);

/* Article `id` is no longer published: take it out of the index. */
void related_forget(struct db *db, int64_t id);

/*
 * Recompute every published article's Related News, reporting progress;
 * without `rerank`, in cosine order alone (to measure what re-ranking adds).
 */
int related_rebuild(struct db *db, size_t max, bool rerank,
		    void (*progress)(size_t done, size_t total));

#endif
