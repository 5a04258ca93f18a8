/*
 * engine.h - what the public site computes once and shares between requests:
 * a snapshot of settings, categories, Latest, Must Read and ads (rebuilt when
 * the store's content generation moves), in-memory page-view and ad counters
 * flushed in batches, ad rotation, and Related News.
 */
#ifndef DL_ENGINE_H
#define DL_ENGINE_H

#include "core/compat.h"
#include <stdatomic.h>
#include "core/arena.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "db/db.h"
#include "store/store.h"

struct engine;

struct engine_config {
	const char *db_url;
	/* A read replica for the public plane's pages (NULL: the primary). */
	const char *db_replica_url;
	unsigned flush_seconds;  /* page views and ad counters: how often to write */
	size_t cache_bytes;      /* the page cache's budget; 0: no page cache */
};

/* A section's newest stories, for the home page. */
struct engine_section {
	const struct store_category *category;
	struct store_list articles;
};

/* How many stories each home-page section shows. */
#define ENGINE_SECTION_STORIES 4
/* The home page's lead plus top stories, shown above Latest. */
#define ENGINE_TOP_STORIES 5

/*
 * Everything a page shares with every other page, immutable once built. A
 * request holds a reference from engine_snapshot() until its arena is freed.
 */
struct engine_snapshot {
	struct arena *arena;
	int64_t generation;
	uint64_t epoch;
	/* Moves only when Must Read's list changes (not on every view flush). */
	uint64_t must_read_version;
	int64_t built_at;
	struct site_settings settings;
	const struct tz *tz;
	const struct locale_names *locale;
	struct store_category *categories;
	size_t ncategories;
	/* The newest latest_count + ENGINE_TOP_STORIES: the home page's lead and top
	 * stories come first; other pages skip their own article. */
	struct store_list latest;
	struct engine_section *sections;  /* categories with published articles */
	size_t nsections;
	struct store_list must_read;  /* pins first, then most read in 7 days; count + 1 */
	struct engine_ad_slot *ad_slots;
	size_t nad_slots;
	atomic_int refs;
};

/* Open the database, migrate it, start the counter flusher. NULL on failure (logged). */
struct engine *engine_new(const struct engine_config *cfg);
/* Flush counters, stop the flusher, close every connection. */
void engine_free(struct engine *e);

/* The page cache, or NULL when it is off. */
struct pagecache *engine_page_cache(struct engine *e);

/* This thread's database connection (NULL if the database is unreachable). */
struct db *engine_db(struct engine *e);
/*
 * This thread's connection for the public plane's reads: the replica when
 * one is configured and reachable, else the same as engine_db(). Never
 * written through.
 */
struct db *engine_read_db(struct engine *e);

/*
 * The current snapshot, rebuilt first if the content changed. The reference
 * is dropped when `request_arena` is freed. NULL if the store is unreachable.
 */
const struct engine_snapshot *engine_snapshot(struct engine *e, struct arena *request_arena);

/* Count one page view of an article (in memory; flushed in batches). */
void engine_count_view(struct engine *e, int64_t article_id);
/* Write the in-memory counters now (also done every flush_seconds). */
int engine_flush(struct engine *e);

/*
 * Append every metric in Prometheus text format: the process registry
 * (requests by route and status, latencies, render time, views flushed)
 * plus the page cache's and the database's totals read now. For the
 * editorial listener's /metrics.
 */
void engine_metrics_render(struct engine *e, struct strbuf *out);

/* ---- ads ---- */

struct engine_ad {
	int64_t id;
	struct slice kind, html, link_url, alt;
	int64_t media_id, weight, starts_at, ends_at, category_id;
};

struct engine_ad_slot {
	struct slice name;
	int64_t width, height;
	struct engine_ad *ads;
	size_t nads;
	size_t rotation;  /* index into the engine's rotation counters */
};

/*
 * Pick the creative to show in slot `name` on a page of category
 * `category_id` (0: no category) at time `now`, honouring weights, dates and
 * targeting; count an impression when `count` (a page actually sent, not
 * a HEAD). NULL when nothing is eligible.
 */
const struct engine_ad *engine_pick_ad(struct engine *e, const struct engine_snapshot *snap,
				       const char *name, int64_t category_id, int64_t now,
				       bool count, const struct engine_ad_slot **slot);
/* The creative `ad_id` of slot `name` in the snapshot, or NULL (gone, or 0). */
const struct engine_ad *engine_ad_by_id(const struct engine_snapshot *snap, const char *name,
					int64_t ad_id, const struct engine_ad_slot **slot);
/* Count one impression of creative `ad_id` (a cached page shown again). */
void engine_count_impression(struct engine *e, int64_t ad_id);
/* Count a click on creative `id`. */
void engine_count_click(struct engine *e, int64_t ad_id);

#endif
