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
	int64_t *seen;
	size_t n, added = 0;
	int r = store_related_window(db, rows, WINDOW, &docs, &n);

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
		log_debug("related: index synced, %zu articles (%zu read, %zu dropped), %zu KiB",
		      ri_count(related.idx), added, s.ngone, ri_bytes(related.idx) / 1024);
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
	if (!related.url || strcmp(related.url, url)) {
		ri_free(related.idx);
		free(related.url);
		related.idx = ri_new();
		related.url = xstrdup(url);
		related.synced_at = 0;
	}
	if (time(NULL) - related.synced_at >= max_age)
		r = sync_window(db);
	if (r)
		pthread_mutex_unlock(&shared_lock);
	return r;
}

static void release_lock(void)
{
	pthread_mutex_unlock(&shared_lock);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The index's size, for /metrics (under the lock). */
static void gauge_index(void)
{
	metrics_set(metrics_global(), "dateline_related_index_articles",
		    "Articles in Related News' in-memory index", NULL, (double)ri_count(related.idx));
	metrics_set(metrics_global(), "dateline_related_index_bytes",
		    "Bytes held by Related News' in-memory index", NULL,
		    (double)ri_bytes(related.idx));
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
	bool filled;
};

/* Fill the index, then keep it in sync (a database that fails is tried again next round). */
static long keep(void *arg)
{
	struct related_keeper *k = arg;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!k->db && (db_open(k->url, &k->db) || db_set_scan(k->db))) {
		db_close(k->db);
		k->db = NULL;
	} else if (!acquire(k->db, RESYNC_SECONDS / 2)) {
		if (!k->filled)
			log_info("Related News index: %zu articles, %zu KiB, filled in %.2f s",
				 ri_count(related.idx), ri_bytes(related.idx) / 1024, seconds_since(&t0));
		k->filled = true;
		gauge_index();
		release_lock();
	} else {
		db_close(k->db);  /* a new connection next round */
		k->db = NULL;
	}
	return RESYNC_SECONDS / 4 * 1000L;
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
	return k;
}

void related_keeper_stop(struct related_keeper *k)
{
	if (!k)
		return;
	ticker_stop(k->ticker);
	db_close(k->db);
	free(k->url);
	free(k);
}

/* Compute under the lock: from the index, or from its text if it is outside the window. */
static int compute_locked(struct db *db, const struct store_related_doc *d, size_t max,
			  int64_t *ids, double *scores, size_t *n)
{
	struct terms t = { .arena = arena_new(0) };
	int r = DL_OK;

	if (ri_get(related.idx, d->id)) {
		*n = ri_similar(related.idx, d->id, CATEGORY_BOOST, max, ids, scores);
	} else {
		r = load_terms(db, d->id, &t);
		*n = r ? 0 : ri_similar_terms(related.idx, t.items, t.nr, d->id, d->category_id,
					      CATEGORY_BOOST, max, ids, scores);
	}
	terms_release(&t);
	return r;
}

int related_compute(struct db *db, int64_t id, size_t max, int64_t *ids, double *scores,
		    size_t *n)
{
	struct store_related_doc d;
	int r;

	*n = 0;
	r = store_related_doc(db, id, &d);
	if (!r)
		r = acquire(db, RESYNC_SECONDS);
	if (r)
		return r;
	r = compute_locked(db, &d, max, ids, scores, n);
	release_lock();
	return r;
}

int related_refresh(struct db *db, int64_t id, size_t max)
{
	struct terms t = { .arena = arena_new(0) };
	struct store_related_doc d;
	struct timespec t0;
	int64_t ids[32];
	double scores[32];
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
	r = index_doc(db, &d, &t);
	trim();
	if (!r)
		r = compute_locked(db, &d, max, ids, scores, &n);
	gauge_index();
	release_lock();
	terms_release(&t);
	if (!r)
		r = store_related_put(db, id, ids, scores, n);
	if (!r) {
		double secs = seconds_since(&t0);

		metrics_observe(metrics_global(), "dateline_related_refresh_seconds",
				"Computing and storing one article's Related News", NULL, secs);
		log_debug("related: article %" PRId64 ", %zu related, %.2f ms", id, n, secs * 1e3);
	}
	return r;
}

void related_forget(struct db *db, int64_t id)
{
	pthread_mutex_lock(&shared_lock);
	if (related.idx && related.url && !strcmp(related.url, db_url(db)))
		ri_forget(related.idx, id);
	pthread_mutex_unlock(&shared_lock);
}

/*
 * Re-ranking by shared neighbours: two stories on one topic have many of the
 * same nearest neighbours; two that share a few rare words by chance do not.
 * Each article's NEIGHBOURS best by cosine are kept in memory (16 bytes
 * each), then each candidate's score gains SHARED_WEIGHT times the share of
 * its own list that is also in the article's list (or is the article).
 * Measured on the BBC corpus: 0.930 without; with 30 neighbours 0.943, with
 * 100 (from 120 candidates) 0.9506.
 */
#define NEIGHBOURS 100

/* A list fully shared adds this much to the cosine (0.8 to 1.3 all measured 0.950-0.951). */
#define SHARED_WEIGHT 1.0

struct scored { int64_t id; double score; };

static int by_scored_desc(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return (x->id < y->id) - (x->id > y->id);
}

int related_rebuild(struct db *db, size_t max, bool rerank,
		    void (*progress)(size_t done, size_t total))
{
	int64_t *ids, *nb;
	double *sc;
	size_t n, *cnt;
	int r;

	pthread_mutex_lock(&shared_lock);
	related.synced_at = 0;  /* start from what the database holds now */
	pthread_mutex_unlock(&shared_lock);
	r = store_published_ids(db, &ids, &n);
	nb = xcalloc(n ? n * NEIGHBOURS : 1, sizeof(*nb));
	sc = xcalloc(n ? n * NEIGHBOURS : 1, sizeof(*sc));
	cnt = xcalloc(n ? n : 1, sizeof(*cnt));
	for (size_t i = 0; !r && i < n; i++) {
		r = related_compute(db, ids[i], NEIGHBOURS, nb + i * NEIGHBOURS,
				    sc + i * NEIGHBOURS, &cnt[i]);
		if (r == DL_NOTFOUND)
			r = DL_OK;  /* not in the full-text index: nothing to relate */
		if (progress)
			progress(i + 1, n);
	}
	for (size_t i = 0; !r && i < n; i++) {
		struct scored s[NEIGHBOURS];
		int64_t mine[NEIGHBOURS], out_ids[NEIGHBOURS];
		double out_sc[NEIGHBOURS];
		size_t k = cnt[i], m;

		memcpy(mine, nb + i * NEIGHBOURS, k * sizeof(*mine));
		qsort(mine, k, sizeof(*mine), cmp_i64);
		for (size_t j = 0; j < k; j++) {
			int64_t cid = nb[i * NEIGHBOURS + j];
			int64_t *pos = bsearch(&cid, ids, n, sizeof(*ids), cmp_i64);
			size_t shared = 0;

			if (pos) {
				size_t c = (size_t)(pos - ids);
				for (size_t q = 0; q < cnt[c]; q++) {
					int64_t x = nb[c * NEIGHBOURS + q];
					shared += x == ids[i] || bsearch(&x, mine, k, sizeof(*mine), cmp_i64) != NULL;
				}
			}
			s[j].id = cid;
			s[j].score = sc[i * NEIGHBOURS + j] +
				     (rerank ? SHARED_WEIGHT * (double)shared / NEIGHBOURS : 0);
		}
		qsort(s, k, sizeof(*s), by_scored_desc);
		m = k < max ? k : max;
		for (size_t j = 0; j < m; j++) {
			out_ids[j] = s[j].id;
			out_sc[j] = s[j].score;
		}
		r = store_related_put(db, ids[i], out_ids, out_sc, m);
	}
	free(nb);
	free(sc);
	free(cnt);
	free(ids);
	return r;
}
