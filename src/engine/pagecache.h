/*
 * pagecache.h - rendered public pages kept in memory, in every coding.
 *
 * A cached page is what one URL answered: status, headers, the ad slots its
 * handler asked for, the article whose view it counts, and one or more
 * bodies, each already encoded as identity, gzip and brotli with a strong
 * ETag per coding. A page has one body per combination of ads shown (see
 * site/cache.c for why), so the rotation and impressions still run per
 * request while the bytes are made once.
 *
 * Freshness is a stamp: the store's content generation, the Must Read
 * version (pages that show it) and the site-local day (the date bar). A page
 * is served only to a request with the same stamp; a newer generation drops
 * every older page at once. Memory is bounded by a byte budget: the least
 * recently used pages go first.
 *
 * Thread-safe. Pages and bodies are reference-counted: what a lookup
 * returns stays valid until released, even if evicted meanwhile.
 */
#ifndef DL_ENGINE_PAGECACHE_H
#define DL_ENGINE_PAGECACHE_H

#include "core/compat.h"
#include <stdatomic.h>
#include "http/http.h"

/* At most this many ad calls per page (a page asking for more is not cached). */
#define PAGECACHE_MAX_ADS 8

struct pagecache;

struct pagecache_stamp {
	int64_t generation;
	uint64_t must_read;   /* 0 for pages that do not show Must Read */
	int64_t day;          /* the site-local day number */
};

/* One rendering of a page, in every coding. Immutable once built. */
struct pagecache_body {
	atomic_int refs;
	int64_t ads[PAGECACHE_MAX_ADS];  /* creative shown per ad call, 0: none */
	size_t bytes;
	struct http_prebuilt pre;        /* points into this allocation */
	struct pagecache_body *next;
	char etags[HTTP_NCODINGS][24];
};

/* An ad call the handler made: slot name and the page's category (targeting). */
struct pagecache_ad_call {
	char *slot;
	int64_t category_id;
};

struct pagecache_page {
	atomic_int refs;
	char *key;
	struct pagecache_stamp stamp;
	char *content_type;
	int64_t last_modified;
	struct http_header *headers;
	size_t nheaders;
	struct pagecache_ad_call ads[PAGECACHE_MAX_ADS];
	size_t nads;
	int64_t view_id;       /* the article a GET of this page counts a view of, or 0 */
	/* Owned by the cache, under its lock: */
	struct pagecache_body *bodies;
	size_t bytes;
	struct pagecache_page *hnext, *lru_prev, *lru_next;
	bool linked;
};

struct pagecache_stats {
	uint64_t hits, misses, stores, evictions;
	uint64_t bytes, pages, budget;
};

/* A cache of at most `budget` bytes; NULL when budget is 0 (caching off). */
struct pagecache *pagecache_new(size_t budget);
void pagecache_free(struct pagecache *pc);

/*
 * The page stored under `key` with exactly this stamp, referenced (release
 * with pagecache_page_unref), or NULL: a miss. A page found with another
 * stamp is dropped.
 */
struct pagecache_page *pagecache_get(struct pagecache *pc, const char *key,
				     const struct pagecache_stamp *stamp);

/* The body of `pg` made with these ad choices, referenced, or NULL. */
struct pagecache_body *pagecache_find_body(struct pagecache *pc, struct pagecache_page *pg,
					   const int64_t *ads, size_t nads);
/* Any body of `pg`, referenced, or NULL (for HEAD: the headers are the same). */
struct pagecache_body *pagecache_any_body(struct pagecache *pc, struct pagecache_page *pg);
/* The body of `pg` whose `coding` ETag the request lists, referenced, or NULL. */
struct pagecache_body *pagecache_find_etag(struct pagecache *pc, struct pagecache_page *pg,
					   struct http_request *req, enum http_coding coding);

/*
 * A new page (one reference, the caller's) with copies of everything given;
 * add bodies with pagecache_add, which also stores the page when it is new.
 */
struct pagecache_page *pagecache_page_new(const char *key, const struct pagecache_stamp *stamp,
					  const char *content_type, int64_t last_modified,
					  const struct http_header *headers, size_t nheaders,
					  const struct pagecache_ad_call *ads, size_t nads,
					  int64_t view_id);

/*
 * A body (one reference, the caller's) holding copies of `identity` and
 * its encodings (gzip/br may be NULL with length 0), with strong ETags.
 */
struct pagecache_body *pagecache_body_new(const int64_t *ads, size_t nads,
					  const void *identity, size_t len,
					  const void *gzip, size_t gzip_len,
					  const void *br, size_t br_len);

/*
 * Add `body` to `pg` and store `pg` under its key if it is not stored
 * (replacing an older page there), then evict to the budget. Takes no
 * reference from the caller. A body larger than the whole budget is not kept.
 */
void pagecache_add(struct pagecache *pc, struct pagecache_page *pg, struct pagecache_body *body);

void pagecache_page_unref(struct pagecache_page *pg);
void pagecache_body_ref(struct pagecache_body *b);
void pagecache_body_unref(struct pagecache_body *b);

/* Count a hit or a miss (for the statistics). */
void pagecache_count(struct pagecache *pc, bool hit);
void pagecache_stats(struct pagecache *pc, struct pagecache_stats *out);

#endif
