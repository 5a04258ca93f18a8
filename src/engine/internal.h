/*
 * internal.h - the engine's shared state, private to src/engine/.
 */
#ifndef DL_ENGINE_INTERNAL_H
#define DL_ENGINE_INTERNAL_H

#include "core/compat.h"
#include <pthread.h>
#include <stdatomic.h>
#include "engine/engine.h"
#include "engine/pagecache.h"
#include "engine/tally.h"

#define ENGINE_MAX_SLOTS 64

struct engine {
	struct engine_config cfg;
	struct db_pool *pool;
	struct db_pool *replica;        /* NULL: reads go to the primary */

	pthread_mutex_t lock;           /* guards current and rotation names */
	struct engine_snapshot *current;
	bool building;                  /* one rebuild at a time */
	atomic_uint_fast64_t epoch;     /* bumped when views change Must Read */

	struct tally *views, *impressions, *clicks;
	struct pagecache *cache;
	uint64_t must_read_version;     /* under lock */

	/* Weighted rotation position per ad slot name; survives snapshot rebuilds. */
	char *rotation_names[ENGINE_MAX_SLOTS];
	atomic_uint_fast64_t rotation[ENGINE_MAX_SLOTS];
	size_t nrotation;

	pthread_t flusher;
	pthread_cond_t stop_cond;
	bool stopping, flusher_running;

	/* Several nodes on one database (watch.c): the content generation as
	 * the last notification told it, and this process's notified commits
	 * then (a write of our own not yet heard back means asking the store). */
	pthread_t watcher;
	bool watcher_running;
	atomic_bool watch_stop;
	pthread_mutex_t gen_lock;
	bool gen_known;
	int64_t known_gen;
	uint64_t known_commits;
};

/* Start hearing other nodes' writes when the database notifies (PostgreSQL). */
int engine_watch_start(struct engine *e, struct db *db);
void engine_watch_stop(struct engine *e);
/* The store's content generation: from the watcher when it is current,
 * else read through `db` (NULL: unreachable). */
int engine_generation(struct engine *e, struct db *db, int64_t *gen);

/* Group the active creatives into slots inside the snapshot. */
int engine_load_ads(struct engine *e, struct db *db, struct engine_snapshot *s, int64_t now);

#endif
