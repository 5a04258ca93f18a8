/*
 * related_index.h - Related News' in-memory index: the term vectors of the
 * newest published articles, with document frequencies, so a similarity
 * query touches no database and no posting list on disk.
 *
 * Each article is a sparse vector of (term, sqrt tf); weights are TF-IDF
 * with the document frequencies of the index itself, computed at query time
 * (norms are refreshed when the index has grown or shrunk by 5%). A query
 * walks the posting lists of its own terms, so it costs the sum of their
 * document frequencies, not the size of the index. Not thread-safe: the
 * caller holds one lock (engine/related.c).
 */
#ifndef DL_ENGINE_RELATED_INDEX_H
#define DL_ENGINE_RELATED_INDEX_H

#include "core/compat.h"

struct related_index;

/* One analysed term of an article: its stem and (weighted) term frequency. */
struct ri_term_in {
	const char *stem;
	size_t len;
	double tf;
};

/* What the index keeps of an article besides its terms. */
struct ri_meta {
	int64_t id, category_id, published_at, updated_at;
};

struct related_index *ri_new(void);
void ri_free(struct related_index *idx);

/* Add or replace article `m->id` with its terms. */
void ri_put(struct related_index *idx, const struct ri_meta *m, const struct ri_term_in *terms,
	    size_t n);
/* Drop article `id` (no-op if absent). */
void ri_forget(struct related_index *idx, int64_t id);
/* The kept metadata of `id`, or NULL. */
const struct ri_meta *ri_get(const struct related_index *idx, int64_t id);

/* Live articles, and the oldest one (by publication time, then id), if any. */
size_t ri_count(const struct related_index *idx);
const struct ri_meta *ri_oldest(const struct related_index *idx);

/* Call `fn` for every live article (for a sync to mark what it saw). */
void ri_each(const struct related_index *idx, void (*fn)(void *ctx, const struct ri_meta *m),
	     void *ctx);

/*
 * The up to `max` articles most similar to `id` (which must be indexed) by
 * cosine of TF-IDF vectors, articles of `category_id` boosted by
 * `category_boost`, best first. Returns the number found.
 */
size_t ri_similar(struct related_index *idx, int64_t id, double category_boost, size_t max,
		  int64_t *ids, double *scores);

/* The same for terms not in the index (an article outside the window). */
size_t ri_similar_terms(struct related_index *idx, const struct ri_term_in *terms, size_t n,
			int64_t exclude_id, int64_t category_id, double category_boost,
			size_t max, int64_t *ids, double *scores);

/*
 * Each article's RI_NEIGHBOURS most similar (ri_similar's order), computed
 * at the first ask and kept until the article changes or is dropped: what
 * re-ranking by shared neighbours compares. False if `id` is not indexed.
 */
#define RI_NEIGHBOURS 100
bool ri_neighbours(struct related_index *idx, int64_t id, double category_boost,
		   const int64_t **ids, size_t *n);
/* Keep `ids` as `id`'s list (its ri_similar answer for RI_NEIGHBOURS, just computed). */
void ri_set_neighbours(struct related_index *idx, int64_t id, const int64_t *ids, size_t n);
/* Whether `id`'s list is at hand (asking for it costs nothing). */
bool ri_has_neighbours(const struct related_index *idx, int64_t id);
/* Forget `id`'s list (a new article may now belong in it). */
void ri_drop_neighbours(struct related_index *idx, int64_t id);
/* Up to `max` articles whose list was never computed (for a background fill); with
 * ids NULL, how many there are. */
size_t ri_lacking_neighbours(const struct related_index *idx, int64_t *ids, size_t max);

/* Refresh what queries would (norms, scratch space) now, after many puts. */
void ri_prepare(struct related_index *idx);

/* Give back the spare room of growth (after a bulk fill). */
void ri_shrink(struct related_index *idx);

/* Bytes held (for the metrics and the bench). */
size_t ri_bytes(const struct related_index *idx);

#endif
