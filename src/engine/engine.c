#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "engine/internal.h"

/* How far back Must Read counts page views. */
#define MOST_READ_DAYS 7

struct pagecache *engine_page_cache(struct engine *e)
{
	return e->cache;
}

static bool same_must_read(const struct engine_snapshot *a, const struct engine_snapshot *b)
{
	if (a->must_read.nr != b->must_read.nr || a->generation != b->generation)
		return false;
	for (size_t i = 0; i < a->must_read.nr; i++)
		if (a->must_read.items[i].id != b->must_read.items[i].id)
			return false;
	return true;
}

struct db *engine_db(struct engine *e)
{
	return db_pool_get(e->pool);
}

struct db *engine_read_db(struct engine *e)
{
	/* A replica this thread cannot reach leaves the reads to the primary
	 * (logged by db_open), rather than the public site down with it. */
	struct db *db = e->replica ? db_pool_get(e->replica) : NULL;

	return db ? db : engine_db(e);
}

static void snapshot_unref(struct engine_snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1)
		arena_free(s->arena);
}

static void release_cb(void *p)
{
	snapshot_unref(p);
}

static void free_tz(void *p)
{
	tz_free(p);
}

/* Must Read: editor pins first, topped up with the week's most read. */
static int load_must_read(struct db *db, struct engine_snapshot *s)
{
	int64_t want = s->settings.must_read_count + 1;
	int64_t ids[64], today;
	struct store_list pinned, top;
	size_t n, total;
	int rc;

	/* settings.c caps must_read_count at 20: pins plus top-ups fit. */
	assert(2 * want <= (int64_t)ARRAY_SIZE(ids));

	rc = store_pinned(db, s->arena, want, &pinned);
	if (rc)
		return rc;
	today = timefmt_day_number(s->tz, (int64_t)time(NULL));
	rc = store_most_read(db, today - (MOST_READ_DAYS - 1), want + (int64_t)pinned.nr, ids, &n);
	if (rc)
		return rc;
	rc = store_by_ids(db, s->arena, ids, n, &top);
	if (rc)
		return rc;
	s->must_read.items = ARENA_NEW_ARRAY(s->arena, struct store_article, (size_t)want);
	total = 0;
	for (size_t i = 0; i < pinned.nr && (int64_t)total < want; i++)
		s->must_read.items[total++] = pinned.items[i];
	for (size_t i = 0; i < top.nr && (int64_t)total < want; i++) {
		bool dup = false;
		for (size_t j = 0; j < pinned.nr; j++)
			dup |= pinned.items[j].id == top.items[i].id;
		if (!dup)
			s->must_read.items[total++] = top.items[i];
	}
	s->must_read.nr = total;
	s->must_read.total = -1;
	return DL_OK;
}

static int load_sections(struct db *db, struct engine_snapshot *s)
{
	s->sections = ARENA_NEW_ARRAY(s->arena, struct engine_section, s->ncategories + 1);
	s->nsections = 0;
	for (size_t i = 0; i < s->ncategories; i++) {
		const struct store_category *c = &s->categories[i];
		struct engine_section *sec = &s->sections[s->nsections];
		int rc;

		if (c->count <= 0)
			continue;
		rc = store_by_category(db, s->arena, c->id, ENGINE_SECTION_STORIES, 0, &sec->articles);
		if (rc)
			return rc;
		sec->category = c;
		s->nsections++;
	}
	return DL_OK;
}

static struct engine_snapshot *build_snapshot(struct engine *e, struct db *db, int64_t gen,
					      uint64_t epoch)
{
	struct engine_snapshot *s;
	struct arena *a = arena_new(65536);
	struct tz *tz;
	int rc;

	s = ARENA_NEW(a, struct engine_snapshot);
	s->arena = a;
	s->generation = gen;
	s->epoch = epoch;
	s->built_at = (int64_t)time(NULL);
	s->refs = 1;
	rc = store_settings_load(db, a, &s->settings);
	if (rc)
		goto fail;
	tz = tz_load(s->settings.timezone);
	if (tz) {
		arena_cleanup_add(a, free_tz, tz);
		s->tz = tz;
	} else {
		warning("site time zone '%s' is unknown; using UTC", s->settings.timezone);
		s->tz = tz_utc();
	}
	s->locale = locale_find(s->settings.locale);
	if (!s->locale) {
		warning("site locale '%s' is not supported; using en-US", s->settings.locale);
		s->locale = locale_default();
	}
	rc = store_categories(db, a, &s->categories, &s->ncategories);
	if (!rc)
		rc = store_latest(db, a, s->settings.latest_count + ENGINE_TOP_STORIES, 0, &s->latest);
	if (!rc)
		rc = load_sections(db, s);
	if (!rc)
		rc = load_must_read(db, s);
	if (!rc)
		rc = engine_load_ads(e, db, s, (int64_t)time(NULL));
	if (rc)
		goto fail;
	return s;
fail:
	arena_free(a);
	return NULL;
}

/* Even with no writes, Must Read's 7-day window and the ads' dates move on. */
#define SNAPSHOT_MAX_AGE 60

const struct engine_snapshot *engine_snapshot(struct engine *e, struct arena *req_arena)
{
	/* Snapshot and generation from the same database, so a lagging
	 * replica's pages are never stamped with the primary's newer generation. */
	struct db *db = engine_read_db(e);
	struct engine_snapshot *s, *built, *old = NULL;
	int64_t gen, now = (int64_t)time(NULL);
	uint64_t epoch = atomic_load(&e->epoch);
	/* No connection for this thread: serve what we have, never build from nothing. */
	bool read_ok = db && !engine_generation(e, db, &gen);

	pthread_mutex_lock(&e->lock);
	s = e->current;
	/* Fresh, or someone else is already rebuilding, or the store cannot say:
	 * serve what we have. Only one thread builds at a time. */
	if (s && (!read_ok || e->building ||
		  (s->generation == gen && s->epoch == epoch && now - s->built_at < SNAPSHOT_MAX_AGE))) {
		atomic_fetch_add(&s->refs, 1);
		pthread_mutex_unlock(&e->lock);
		goto out;
	}
	if (!read_ok) {
		pthread_mutex_unlock(&e->lock);
		return NULL;
	}
	e->building = true;
	pthread_mutex_unlock(&e->lock);

	built = build_snapshot(e, db, gen, epoch);
	pthread_mutex_lock(&e->lock);
	e->building = false;
	if (built) {
		old = e->current;
		/* Pages showing Must Read stay valid while its list is the same. */
		if (!old || !same_must_read(old, built))
			e->must_read_version++;
		built->must_read_version = e->must_read_version;
		e->current = built;  /* the build's reference becomes the engine's */
	}
	/* If the build failed, the last good snapshot (if any) still serves. */
	s = e->current;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&e->lock);
	snapshot_unref(old);
	if (!s)
		return NULL;
out:
	arena_cleanup_add(req_arena, release_cb, s);
	return s;
}

void engine_count_view(struct engine *e, int64_t article_id)
{
	tally_add(e->views, article_id, 1);
}

void engine_count_click(struct engine *e, int64_t ad_id)
{
	tally_add(e->clicks, ad_id, 1);
}

/* Today's day number in the site's time zone, from the current snapshot. */
static int64_t site_today(struct engine *e)
{
	int64_t day;

	pthread_mutex_lock(&e->lock);
	day = timefmt_day_number(e->current ? e->current->tz : tz_utc(), (int64_t)time(NULL));
	pthread_mutex_unlock(&e->lock);
	return day;
}

static int flush_views(struct engine *e, struct db *db, int64_t day)
{
	int64_t *ids, *counts;
	size_t n = tally_take(e->views, &ids, &counts);
	int rc = DL_OK;

	if (n) {
		rc = store_views_add(db, day, ids, counts, n);
		if (rc)
			tally_restore(e->views, ids, counts, n);
		else {
			int64_t total = 0;
			for (size_t i = 0; i < n; i++)
				total += counts[i];
			atomic_fetch_add(&e->epoch, 1);  /* Must Read may have changed */
			metrics_count(metrics_global(), "dateline_page_views_flushed_total",
				      "Page views written to the database.", NULL, (uint64_t)total);
		}
	}
	free(ids);
	free(counts);
	return rc;
}

/* Impressions and clicks go out together, matched by creative id. */
static int flush_ads(struct engine *e, struct db *db, int64_t day)
{
	int64_t *imp_ids, *imps, *click_ids, *clicks;
	size_t ni = tally_take(e->impressions, &imp_ids, &imps);
	size_t nc = tally_take(e->clicks, &click_ids, &clicks);
	size_t n = ni + nc;
	int64_t *ids = xmalloc((n ? n : 1) * sizeof(*ids));
	int64_t *in = xcalloc(n ? n : 1, sizeof(*in));
	int64_t *cn = xcalloc(n ? n : 1, sizeof(*cn));
	int rc = DL_OK;

	for (size_t i = 0; i < ni; i++) {
		ids[i] = imp_ids[i];
		in[i] = imps[i];
	}
	for (size_t i = 0; i < nc; i++) {
		ids[ni + i] = click_ids[i];
		cn[ni + i] = clicks[i];
	}
	if (n) {
		rc = store_ad_stats_add(db, day, ids, in, cn, n);
		if (rc) {
			tally_restore(e->impressions, imp_ids, imps, ni);
			tally_restore(e->clicks, click_ids, clicks, nc);
		}
	}
	free(imp_ids);
	free(imps);
	free(click_ids);
	free(clicks);
	free(ids);
	free(in);
	free(cn);
	return rc;
}

int engine_flush(struct engine *e)
{
	struct db *db = engine_db(e);
	int64_t day = site_today(e);
	int rc;

	if (!db)
		return DL_UNAVAILABLE;
	rc = flush_views(e, db, day);
	if (!rc)
		rc = flush_ads(e, db, day);
	return rc;
}

static void *flusher_main(void *arg)
{
	struct engine *e = arg;

	pthread_mutex_lock(&e->lock);
	while (!e->stopping) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += e->cfg.flush_seconds;
		pthread_cond_timedwait(&e->stop_cond, &e->lock, &ts);
		if (e->stopping)
			break;
		pthread_mutex_unlock(&e->lock);
		if (engine_flush(e))
			warning("page-view flush failed; counts kept for the next try");
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

struct engine *engine_new(const struct engine_config *cfg)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	struct db *db;

	e->cfg = *cfg;
	if (!e->cfg.flush_seconds)
		e->cfg.flush_seconds = 10;
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->gen_lock, NULL);
	pthread_cond_init(&e->stop_cond, NULL);
	e->views = tally_new();
	e->impressions = tally_new();
	e->clicks = tally_new();
	e->pool = db_pool_new(cfg->db_url);
	e->cache = pagecache_new(cfg->cache_bytes);
	db = engine_db(e);
	if (!db || store_migrate(db)) {
		engine_free(e);
		return NULL;
	}
	if (cfg->db_replica_url) {
		if (!db_notifies(db)) {
			error("--db-replica needs a PostgreSQL primary (--db postgresql://...)");
			engine_free(e);
			return NULL;
		}
		e->replica = db_pool_new(cfg->db_replica_url);
		/* At start a replica must answer: a mistyped URL is said, not papered over. */
		if (!db_pool_get(e->replica)) {
			engine_free(e);
			return NULL;
		}
	}
	if (engine_watch_start(e, db)) {
		engine_free(e);
		return NULL;
	}
	if (pthread_create(&e->flusher, NULL, flusher_main, e)) {
		error("cannot start the counter flusher: %s", strerror(errno));
		engine_free(e);
		return NULL;
	}
	e->flusher_running = true;
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_watch_stop(e);
	if (e->flusher_running) {
		pthread_mutex_lock(&e->lock);
		e->stopping = true;
		pthread_cond_signal(&e->stop_cond);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->flusher, NULL);
		if (engine_flush(e))
			warning("could not save the last page views at shutdown");
	}
	snapshot_unref(e->current);
	pagecache_free(e->cache);
	for (size_t i = 0; i < e->nrotation; i++)
		free(e->rotation_names[i]);
	tally_free(e->views);
	tally_free(e->impressions);
	tally_free(e->clicks);
	db_pool_free(e->replica);
	db_pool_free(e->pool);
	pthread_cond_destroy(&e->stop_cond);
	pthread_mutex_destroy(&e->gen_lock);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void engine_metrics_render(struct engine *e, struct strbuf *out)
{
	struct metrics *m = metrics_global();
	struct pagecache_stats st;
	uint64_t ns, steps;
	size_t heap_used, heap_free;

	pagecache_stats(e->cache, &st);
	metrics_count_set(m, "dateline_page_cache_hits_total", "Public pages served from the page cache.", NULL, st.hits);
	metrics_count_set(m, "dateline_page_cache_misses_total", "Public pages rendered (not cached, or a new ad combination).", NULL, st.misses);
	metrics_count_set(m, "dateline_page_cache_evictions_total", "Pages dropped to stay within the budget.", NULL, st.evictions);
	metrics_set(m, "dateline_page_cache_bytes", "Bytes held by the page cache.", NULL, (double)st.bytes);
	metrics_set(m, "dateline_page_cache_budget_bytes", "The page cache's byte budget (0: off).", NULL, (double)st.budget);
	metrics_set(m, "dateline_page_cache_pages", "Pages in the page cache.", NULL, (double)st.pages);
	metrics_set(m, "dateline_sqlite_memory_bytes", "Memory SQLite holds: page caches, statements.", NULL,
		    (double)db_engine_memory());
	alloc_heap_stats(&heap_used, &heap_free);
	metrics_set(m, "dateline_heap_in_use_bytes", "Bytes in live malloc allocations.", NULL, (double)heap_used);
	metrics_set(m, "dateline_heap_free_bytes", "Bytes freed but kept by malloc for reuse.", NULL, (double)heap_free);
	db_time_totals(&ns, &steps);
	metrics_count_set(m, "dateline_db_statements_total", "Database statement steps.", NULL, steps);
	metrics_count_set(m, "dateline_db_step_microseconds_total", "Time spent stepping database statements.", NULL, ns / 1000);
	metrics_render(m, out);
}
