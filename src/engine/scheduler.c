/*
 * scheduler.c - the publishing timer.
 */
#include "core/compat.h"
#include <stdatomic.h>
#include "core/alloc.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/ticker.h"
#include "db/db.h"
#include "engine/auth.h"
#include "engine/editorial.h"
#include "engine/scheduler.h"

struct scheduler {
	struct ticker *ticker;
	struct db *db;
	atomic_uint_fast64_t published;
	int64_t last_sweep;
	bool leading;
};

/*
 * Several nodes on one database: only the holder of this cluster-wide lock
 * publishes, so a scheduled article goes out once; the server frees it when
 * the holder's connection dies, and another node takes over at its next tick.
 */
#define SCHEDULER_LOCK_KEY 0x444c5343  /* "DLSC" */

/* Whether this process runs the queue now; says so when that changes. */
static bool lead(struct scheduler *s)
{
	bool held = false;

	if (db_try_lock(s->db, SCHEDULER_LOCK_KEY, &held))
		held = false;
	if (held != s->leading && db_notifies(s->db))
		log_info(held ? "this node runs the publishing scheduler"
			      : "another node runs the publishing scheduler");
	s->leading = held;
	return held;
}

/* Milliseconds to the next whole second, plus a little so a due time of T is past. */
static long next_tick(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return 1000 - ts.tv_nsec / 1000000 + 20;
}

/* Expired sessions are refused when used; this also forgets the ones never used again. */
static void expire_sessions(struct scheduler *s, int64_t now)
{
	if (now - s->last_sweep < 600)
		return;
	s->last_sweep = now;
	store_sessions_expire(s->db, now - AUTH_IDLE_SECONDS, now - AUTH_ABSOLUTE_SECONDS);
}

static long tick(void *arg)
{
	struct scheduler *s = arg;
	int n = 0;

	if (lead(s)) {
		struct arena *a = arena_new(16384);
		n = editorial_publish_due(s->db, a, (int64_t)time(NULL), SCHEDULER_LOCK_KEY);
		arena_free(a);
		expire_sessions(s, (int64_t)time(NULL));
	}
	if (n > 0)
		atomic_fetch_add(&s->published, (uint_fast64_t)n);
	metrics_set(metrics_global(), "dateline_scheduler_leader",
		    "1 where this process runs the publishing scheduler now.", NULL,
		    s->leading ? 1 : 0);
	if (s->leading)
		metrics_count(metrics_global(), "dateline_scheduler_runs_total",
			      "Scheduler passes over the queue (one a second).", NULL, 1);
	if (n > 0)
		metrics_count(metrics_global(), "dateline_scheduler_published_total",
			      "Scheduled articles published.", NULL, (uint64_t)n);
	return next_tick();
}

struct scheduler *scheduler_start(const char *db_url)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));

	if (db_open(db_url, &s->db)) {
		free(s);
		return NULL;
	}
	s->ticker = ticker_start("scheduler", tick, s);
	if (!s->ticker) {
		db_close(s->db);
		free(s);
		return NULL;
	}
	return s;
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	ticker_stop(s->ticker);
	db_close(s->db);
	free(s);
}

uint64_t scheduler_published(const struct scheduler *s)
{
	return s ? (uint64_t)atomic_load(&s->published) : 0;
}
