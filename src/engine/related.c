#include "core/compat.h"
#include <math.h>
#include <pthread.h>
#include <time.h>
#include "core/alloc.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/text.h"
#include "core/ticker.h"
#include "engine/related.h"
#include "engine/related_index.h"
#include "store/store.h"

/*
 * The index holds the newest WINDOW published articles: a new story's related
 * coverage is recent coverage, and 20,000 articles (months of a newsroom's
 * output) keep a query near a millisecond and the index near 40 MB.
 */
#define WINDOW 20000
/* Writes made by other processes or nodes are picked up this often: by the
 * server's keeper thread at half this age, by a publish only if it has none. */
#define RESYNC_SECONDS 60
/* Title words count this many times a body word (3 measured no better than 1). */
#define TITLE_WEIGHT 1.0
/* Same-category candidates get this boost: a tie-breaker, not a filter. */
#define CATEGORY_BOOST 1.08

/* One index per process, for the database it was filled from; one lock
 * serialises its users (a query takes about a millisecond). */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *url;
	struct related_index *idx;
	struct text_analyzer *ta;
	time_t synced_at;
	bool syncing;               /* a re-sync is reading the window, the lock released */
	uint64_t changes;           /* articles put or forgotten outside a sync, index swaps */
	struct ticker *keeper;      /* the server's keeper thread, if any */
	int64_t pending[256];       /* PENDING_MAX: neighbours to refresh in the background */
	size_t npending;
} related;

/* ---- analysis ---- */

struct terms {
	struct ri_term_in *items;
	size_t nr, alloc;
	struct arena *arena;
	double factor;      /* TITLE_WEIGHT while walking the title */
};

static int add_word(void *ctx, const char *stem, size_t n, size_t start, size_t end)
{
	struct terms *t = ctx;

	(void)start;
	(void)end;
	if (n < 2 || (stem[0] >= '0' && stem[0] <= '9'))
		return 0;  /* numbers and single letters say little about a topic */
	ALLOC_GROW(t->items, t->nr + 1, t->alloc);
	/* Repeats are summed by the index. */
	t->items[t->nr++] = (struct ri_term_in){ arena_strndup(t->arena, stem, n), n, t->factor };
	return 0;
}

static void analyze_parts(void *ctx, struct slice title, struct slice dek, struct slice body)
{
	struct terms *t = ctx;

	t->factor = TITLE_WEIGHT;
	text_analyze(related.ta, title.p, title.len, add_word, t);
	t->factor = TITLE_WEIGHT / 2;
	text_analyze(related.ta, dek.p, dek.len, add_word, t);
	t->factor = 1.0;
	text_analyze(related.ta, body.p, body.len, add_word, t);
}

/* The analysed text of article `id`, from the full-text index. */
static int load_terms(struct db *db, int64_t id, struct terms *t)
{
	arena_reset(t->arena);
	t->nr = 0;
	return db_fts_text(db, id, analyze_parts, t);
}

static void terms_release(struct terms *t)
{
	free(t->items);
	arena_free(t->arena);
}

static struct ri_meta meta_of(const struct store_related_doc *d)
{
	return (struct ri_meta){ d->id, d->category_id, d->published_at, d->updated_at };
}

/* Index article `d` from its text; DL_NOTFOUND if it has none indexed. */
static int index_doc(struct db *db, const struct store_related_doc *d, struct terms *t)
{
	struct ri_meta m = meta_of(d);
	int r = load_terms(db, d->id, t);

	if (!r)
		ri_put(related.idx, &m, t->items, t->nr);
	return r;
}

/* Keep only the WINDOW newest (a backdated story may be the one to go). */
static void trim(void)
{
	while (ri_count(related.idx) > WINDOW)
		ri_forget(related.idx, ri_oldest(related.idx)->id);
}

/* ---- the shared index ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct stale {
	const int64_t *seen;   /* sorted */
	size_t nseen;
	int64_t *gone;
	size_t ngone, alloc;
};

static void note_stale(void *ctx, const struct ri_meta *m)
{
	struct stale *s = ctx;

	if (!bsearch(&m->id, s->seen, s->nseen, sizeof(*s->seen), cmp_i64)) {
		ALLOC_GROW(s->gone, s->ngone + 1, s->alloc);
		s->gone[s->ngone++] = m->id;
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Whether the index is the one filled from database `url` (lock held). */
static bool indexes(const char *url)
{
	return related.url && !strcmp(related.url, url);
}

/* Unlocked reads of the window a re-sync tries before reading it under the lock. */
#define SYNC_TRIES 3

/*
 * Read the newest WINDOW published articles (lock held on return). A re-sync
 * reads them with the lock released, so publishes and readers' Related News
 * do not wait behind it (80 ms at a million articles: the rows are wide).
 * If the index changed meanwhile, the window may lack a story just put in or
 * hold one just forgotten: it is read again, under the lock after SYNC_TRIES.
 * DL_CONFLICT: another database's index replaced this one meanwhile.
 */
static int read_window(struct db *db, struct arena *rows, struct store_related_doc **docs,
		       size_t *n)
{
	if (!related.synced_at)  /* the first fill: nothing to serve until it is done */
		return store_related_window(db, rows, WINDOW, docs, n);
	for (int i = 0; i < SYNC_TRIES; i++) {
		uint64_t changes = related.changes;
		int r;

		related.syncing = true;
		pthread_mutex_unlock(&shared_lock);
		r = store_related_window(db, rows, WINDOW, docs, n);
		pthread_mutex_lock(&shared_lock);
		related.syncing = false;
		if (!indexes(db_url(db)))
			return DL_CONFLICT;
		if (r || related.changes == changes)
			return r;
		arena_reset(rows);
	}
	return store_related_window(db, rows, WINDOW, docs, n);
}

/*
 * Make the index match the database's newest WINDOW published articles:
 * new or changed ones (by updated_at) are read and analysed, the rest are
 * kept, and ones no longer published or no longer in the window dropped.
 */
static int sync_window(struct db *db)
{
	struct store_related_doc *docs;
	struct arena *rows = arena_new(0);
	struct terms t = { .arena = arena_new(0) };
	struct stale s = { 0 };
	struct timespec t0;
	double read_s;
	int64_t *seen;
	size_t n = 0, added = 0;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = read_window(db, rows, &docs, &n);
	read_s = seconds_since(&t0);

	seen = xcalloc(n ? n : 1, sizeof(*seen));
	for (size_t i = 0; !r && i < n; i++) {
		const struct ri_meta *m = ri_get(related.idx, docs[i].id);

		seen[i] = docs[i].id;
		if (m && m->updated_at == docs[i].updated_at &&
		    m->category_id == docs[i].category_id && m->published_at == docs[i].published_at)
			continue;
		r = index_doc(db, &docs[i], &t);
		if (r == DL_NOTFOUND)
			r = DL_OK;  /* published but never indexed: nothing to relate */
		added++;
	}
	if (!r) {
		qsort(seen, n, sizeof(*seen), cmp_i64);
		s.seen = seen;
		s.nseen = n;
		ri_each(related.idx, note_stale, &s);
		for (size_t i = 0; i < s.ngone; i++)
			ri_forget(related.idx, s.gone[i]);
		if (added > 100)
			ri_shrink(related.idx);
		ri_prepare(related.idx);
		related.synced_at = time(NULL);
		log_debug("related: index synced, %zu articles (%zu read, %zu dropped), %zu KiB,"
			  " %.1f ms (the window's rows %.1f ms)", ri_count(related.idx), added,
			  s.ngone, ri_bytes(related.idx) / 1024, seconds_since(&t0) * 1e3,
			  read_s * 1e3);
	}
	free(s.gone);
	free(seen);
	arena_free(rows);
	terms_release(&t);
	return r;
}

/* Lock the index for `db`, filling it, or re-syncing it if older than `max_age` seconds. */
static int acquire(struct db *db, time_t max_age)
{
	const char *url = db_url(db);
	int r = DL_OK;

	pthread_mutex_lock(&shared_lock);
	if (!related.ta && !(related.ta = text_analyzer_new("english"))) {
		pthread_mutex_unlock(&shared_lock);
		return error("no English stemmer available");
	}
	/* Another database's index may have replaced this one while a re-sync read. */
	while (!r && (!indexes(url) ||
		      (time(NULL) - related.synced_at >= max_age && !related.syncing))) {
		if (!indexes(url)) {
			ri_free(related.idx);
			free(related.url);
			related.idx = ri_new();
			related.url = xstrdup(url);
			related.synced_at = 0;
			related.changes++;
		}
		r = sync_window(db);  /* a re-sync already running elsewhere is left to finish */
		if (r == DL_CONFLICT)
			r = DL_OK;  /* swap back and fill */
	}
	if (r)
		pthread_mutex_unlock(&shared_lock);
	return r;
}

static void release_lock(void)
{
	pthread_mutex_unlock(&shared_lock);
}

/* The index's size, for /metrics (under the lock). */
static void gauge_index(void)
{
	metrics_set(metrics_global(), "dateline_related_index_articles",
		    "Articles in Related News' in-memory index", NULL, (double)ri_count(related.idx));
	metrics_set(metrics_global(), "dateline_related_index_bytes",
		    "Bytes held by Related News' in-memory index", NULL,
		    (double)ri_bytes(related.idx));
	metrics_set(metrics_global(), "dateline_related_lists_missing",
		    "Indexed articles whose neighbour list the keeper has yet to compute", NULL,
		    (double)ri_lacking_neighbours(related.idx, NULL, SIZE_MAX));
}

int related_warm(struct db *db)
{
	int r = acquire(db, RESYNC_SECONDS);

	if (!r)
		release_lock();
	return r;
}

struct related_keeper {
	struct ticker *ticker;
	char *url;
	struct db *db;
	bool filled, listed;       /* the index filled; every neighbour list computed once */
	struct timespec filled_at;
};

/* Lists computed per round of the keeper's background fill, and the pause after one. */
#define FILL_CHUNK 50
#define FILL_PAUSE_MS 250

static int refresh(struct db *db, int64_t id, size_t max, bool reindex);

/*
 * One round: fill or re-sync the index (a database that fails is tried
 * again next round), compute some of the neighbour lists re-ranking needs,
 * and refresh the stored Related News of articles a publish made neighbours.
 */
static long keep(void *arg)
{
	struct related_keeper *k = arg;
	int64_t todo[FILL_CHUNK];
	size_t ntodo = 0, lacking = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!k->db && (db_open(k->url, &k->db) || db_set_scan(k->db))) {
		db_close(k->db);
		k->db = NULL;
		return RESYNC_SECONDS / 4 * 1000L;
	}
	if (acquire(k->db, RESYNC_SECONDS / 2)) {
		db_close(k->db);  /* a new connection next round */
		k->db = NULL;
		return RESYNC_SECONDS / 4 * 1000L;
	}
	if (!k->filled) {
		log_info("Related News index: %zu articles, %zu KiB, filled in %.2f s",
			 ri_count(related.idx), ri_bytes(related.idx) / 1024, seconds_since(&t0));
		k->filled_at = t0;
	}
	k->filled = true;
	lacking = ri_lacking_neighbours(related.idx, todo, FILL_CHUNK);
	if (!lacking && !k->listed) {
		log_info("Related News index: every article's neighbours listed, %zu KiB, %.1f s"
			 " after the fill", ri_bytes(related.idx) / 1024, seconds_since(&k->filled_at));
		k->listed = true;
	}
	for (size_t i = 0; i < lacking; i++) {
		const int64_t *ids;
		size_t n;

		ri_neighbours(related.idx, todo[i], CATEGORY_BOOST, &ids, &n);
	}
	ntodo = related.npending < FILL_CHUNK ? related.npending : FILL_CHUNK;
	memcpy(todo, related.pending, ntodo * sizeof(*todo));
	memmove(related.pending, related.pending + ntodo,
		(related.npending - ntodo) * sizeof(*related.pending));
	related.npending -= ntodo;
	gauge_index();
	release_lock();
	for (size_t i = 0; i < ntodo; i++) {
		int r = refresh(k->db, todo[i], RELATED_STORED, false);

		if (r && r != DL_NOTFOUND)
			break;  /* the database is failing: these wait for the article's next write */
	}
	return lacking == FILL_CHUNK || related.npending ? FILL_PAUSE_MS : RESYNC_SECONDS / 4 * 1000L;
}

struct related_keeper *related_keeper_start(const char *db_url)
{
	struct related_keeper *k = xcalloc(1, sizeof(*k));

	k->url = xstrdup(db_url);
	k->ticker = ticker_start("Related News index", keep, k);
	if (!k->ticker) {
		free(k->url);
		free(k);
		return NULL;
	}
	pthread_mutex_lock(&shared_lock);
	related.keeper = k->ticker;
	pthread_mutex_unlock(&shared_lock);
	return k;
}

void related_keeper_stop(struct related_keeper *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&shared_lock);
	related.keeper = NULL;
	pthread_mutex_unlock(&shared_lock);
	ticker_stop(k->ticker);
	db_close(k->db);
	free(k->url);
	free(k);
}

/* Cosine under the lock: from the index, or from its text if it is outside the window. */
static int compute_locked(struct db *db, const struct store_related_doc *d, size_t max,
			  int64_t *ids, double *scores, size_t *n)
{
	struct terms t = { .arena = arena_new(0) };
	int r = DL_OK;

	if (ri_get(related.idx, d->id)) {
		*n = ri_similar(related.idx, d->id, CATEGORY_BOOST, max, ids, scores);
		if (max == RI_NEIGHBOURS)  /* what re-ranking others will ask for */
			ri_set_neighbours(related.idx, d->id, ids, *n);
	} else {
		r = load_terms(db, d->id, &t);
		*n = r ? 0 : ri_similar_terms(related.idx, t.items, t.nr, d->id, d->category_id,
					      CATEGORY_BOOST, max, ids, scores);
	}
	terms_release(&t);
	return r;
}

/*
 * Re-ranking by shared neighbours: two stories on one topic have many of the
 * same nearest neighbours; two that share a few rare words by chance do not.
 * The article's RI_NEIGHBOURS best by cosine are its candidates; each gains
 * SHARED_WEIGHT times the share of its own RI_NEIGHBOURS best (kept by the
 * index) that are also the article's candidates or the article itself.
 * Measured on the BBC corpus (bench/related_quality.sh): cosine alone
 * 0.9356, re-ranked 0.9598.
 */
#define SHARED_WEIGHT 1.0

struct scored { int64_t id; double score; };

static int by_scored_desc(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return (x->id < y->id) - (x->id > y->id);
}

/*
 * A publish computes at most this many missing neighbour lists (a few ms
 * each at 20,000 articles); with more missing (the keeper is still filling
 * them after a start) it stores the cosine order and leaves the re-ranked
 * list to the keeper.
 */
#define PUBLISH_LIST_BUDGET 8

/*
 * The best `max` for article `d`, re-ranked if `*rerank` and no more than
 * `budget` candidates lack a neighbour list, under the lock. *rerank says
 * whether it was.
 */
static int rank_locked(struct db *db, const struct store_related_doc *d, bool *rerank,
		       size_t budget, size_t max, int64_t *ids, double *scores, size_t *n)
{
	int64_t cand[RI_NEIGHBOURS], mine[RI_NEIGHBOURS];
	double sc[RI_NEIGHBOURS];
	struct scored s[RI_NEIGHBOURS];
	size_t k;
	int r = compute_locked(db, d, RI_NEIGHBOURS, cand, sc, &k);

	*n = 0;
	if (r)
		return r;
	for (size_t j = 0, lacking = 0; *rerank && j < k; j++)
		if (!ri_has_neighbours(related.idx, cand[j]) && ++lacking > budget)
			*rerank = false;
	memcpy(mine, cand, k * sizeof(*mine));
	qsort(mine, k, sizeof(*mine), cmp_i64);
	for (size_t j = 0; j < k; j++) {
		const int64_t *theirs;
		size_t shared = 0, nt;

		if (*rerank && ri_neighbours(related.idx, cand[j], CATEGORY_BOOST, &theirs, &nt))
			for (size_t q = 0; q < nt; q++)
				shared += theirs[q] == d->id ||
					  bsearch(&theirs[q], mine, k, sizeof(*mine), cmp_i64) != NULL;
		s[j].id = cand[j];
		s[j].score = sc[j] + SHARED_WEIGHT * (double)shared / RI_NEIGHBOURS;
	}
	qsort(s, k, sizeof(*s), by_scored_desc);
	for (; *n < k && *n < max; (*n)++) {
		ids[*n] = s[*n].id;
		scores[*n] = s[*n].score;
	}
	return DL_OK;
}

int related_compute(struct db *db, int64_t id, size_t max, int64_t *ids, double *scores,
		    size_t *n)
{
	struct store_related_doc d;
	bool rerank = true;
	int r;

	*n = 0;
	r = store_related_doc(db, id, &d);
	if (!r)
		r = acquire(db, RESYNC_SECONDS);
	if (r)
		return r;
	r = rank_locked(db, &d, &rerank, SIZE_MAX, max, ids, scores, n);
	release_lock();
	return r;
}

/* Articles whose stored Related News a new neighbour may have changed, for the keeper. */
#define PENDING_MAX 256

/* Queue `ids` for the keeper's refresh; `drop`: their neighbour lists may now be stale. */
static void queue_refresh(const int64_t *ids, size_t n, bool drop)
{
	for (size_t i = 0; i < n; i++) {
		bool queued = false;

		if (drop)  /* it may now belong in their lists: computed again when next asked */
			ri_drop_neighbours(related.idx, ids[i]);
		for (size_t j = 0; j < related.npending && !queued; j++)
			queued = related.pending[j] == ids[i];
		if (!queued && related.npending < PENDING_MAX)
			related.pending[related.npending++] = ids[i];
	}
	ticker_kick(related.keeper);
}

/*
 * Compute and store `id`'s Related News. A write (`reindex`) first reads the
 * article into the index and queues its new neighbours for the keeper; the
 * keeper's own refresh of a neighbour does neither.
 */
static int refresh(struct db *db, int64_t id, size_t max, bool reindex)
{
	struct terms t = { .arena = arena_new(0) };
	struct store_related_doc d;
	struct timespec t0;
	int64_t ids[32];
	double scores[32];
	bool reranked = true;
	size_t n = 0;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = store_related_doc(db, id, &d);
	if (max > ARRAY_SIZE(ids))
		max = ARRAY_SIZE(ids);
	if (r == DL_NOTFOUND)
		related_forget(db, id);
	if (!r)
		r = acquire(db, RESYNC_SECONDS);
	if (r) {
		terms_release(&t);
		return r;
	}
	if (reindex) {
		r = index_doc(db, &d, &t);
		trim();
		related.changes++;
	}
	if (!r)
		r = rank_locked(db, &d, &reranked, reindex ? PUBLISH_LIST_BUDGET : SIZE_MAX, max,
				ids, scores, &n);
	if (!r && reindex)
		queue_refresh(ids, n, true);
	if (!r && !reranked)
		queue_refresh(&id, 1, false);  /* the keeper stores the re-ranked list */
	gauge_index();
	release_lock();
	terms_release(&t);
	if (!r)
		r = store_related_put(db, id, ids, scores, n);
	if (!r) {
		double secs = seconds_since(&t0);

		metrics_observe(metrics_global(), "dateline_related_refresh_seconds",
				"Computing and storing one article's Related News", NULL, secs);
		log_debug("related: %s %" PRId64 ", %zu related%s, %.2f ms",
			  reindex ? "article" : "background refresh of", id, n,
			  reranked ? "" : " (cosine order; re-ranked later)", secs * 1e3);
	}
	return r;
}

int related_refresh(struct db *db, int64_t id, size_t max)
{
	return refresh(db, id, max, true);
}

void related_forget(struct db *db, int64_t id)
{
	pthread_mutex_lock(&shared_lock);
	if (related.idx && indexes(db_url(db))) {
		ri_forget(related.idx, id);
		related.changes++;
	}
	pthread_mutex_unlock(&shared_lock);
}

int related_rebuild(struct db *db, size_t max, bool rerank,
		    void (*progress)(size_t done, size_t total))
{
	int64_t *ids, out[32];
	double sc[32];
	size_t n, m;
	int r;

	if (max > ARRAY_SIZE(out))
		max = ARRAY_SIZE(out);
	pthread_mutex_lock(&shared_lock);
	related.synced_at = 0;  /* start from what the database holds now */
	related.changes++;
	pthread_mutex_unlock(&shared_lock);
	r = store_published_ids(db, &ids, &n);
	for (size_t i = 0; !r && i < n; i++) {
		struct store_related_doc d;

		r = store_related_doc(db, ids[i], &d);
		if (!r)
			r = acquire(db, RESYNC_SECONDS);
		if (!r) {
			bool want = rerank;

			r = rank_locked(db, &d, &want, SIZE_MAX, max, out, sc, &m);
			release_lock();
		}
		if (!r)
			r = store_related_put(db, ids[i], out, sc, m);
		if (r == DL_NOTFOUND)
			r = DL_OK;  /* not in the full-text index: nothing to relate */
		if (progress)
			progress(i + 1, n);
	}
	free(ids);
	return r;
}
