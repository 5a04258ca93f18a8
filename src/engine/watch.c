/*
 * watch.c - hearing other nodes' writes.
 *
 * With SQLite every request reads the content generation from the shared
 * file (a cheap local read). With PostgreSQL that would be a round trip per
 * request, so one thread per process LISTENs for the store's content
 * notifications and keeps the generation in memory: a publish on any node
 * reaches every node's cache within milliseconds. While the watcher is
 * deaf (the server restarting) requests ask the store themselves.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/log.h"
#include "engine/internal.h"

/* How long one wait lasts: also how fast the watcher notices it must stop. */
#define WATCH_WAIT_MS 500
/* A quiet connection is asked anyway this often: a notification lost on a
 * half-open connection costs at most this much staleness. */
#define WATCH_REREAD_MS 10000

static void set_known(struct engine *e, bool known, int64_t gen, uint64_t commits)
{
	pthread_mutex_lock(&e->gen_lock);
	e->gen_known = known;
	e->known_gen = gen;
	e->known_commits = commits;
	pthread_mutex_unlock(&e->gen_lock);
}

int engine_generation(struct engine *e, struct db *db, int64_t *gen)
{
	bool known;

	pthread_mutex_lock(&e->gen_lock);
	known = e->gen_known && e->known_commits == db_notified_commits();
	*gen = e->known_gen;
	pthread_mutex_unlock(&e->gen_lock);
	if (known)
		return DL_OK;
	return db ? store_generation(db, gen) : DL_UNAVAILABLE;
}

/* How long a replica may take to replay a write before pages ask it themselves. */
#define REPLICA_WAIT_MS 5000

/*
 * With a replica, pages are read from it, so the generation that stamps
 * them must be the replica's: wait until it has replayed `gen` (or later).
 */
static int replica_caught_up(struct engine *e, struct db **replica, int64_t gen, int64_t *seen)
{
	for (int waited = 0; waited <= REPLICA_WAIT_MS && !atomic_load(&e->watch_stop); waited += 10) {
		struct timespec ts = { 0, 10 * 1000000L };

		if (!*replica && db_open(e->cfg.db_replica_url, replica)) {
			*replica = NULL;
			return DL_UNAVAILABLE;
		}
		if (store_generation(*replica, seen))
			return DL_UNAVAILABLE;
		if (*seen >= gen)
			return DL_OK;
		nanosleep(&ts, NULL);
	}
	if (!atomic_load(&e->watch_stop))
		warning("the read replica is more than %d s behind the primary", REPLICA_WAIT_MS / 1000);
	return DL_UNAVAILABLE;
}

/* A pause before trying again after a failure: never a busy loop against a sick server. */
static void nap(void)
{
	struct timespec ts = { 0, WATCH_WAIT_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether requests can use the watcher's generation now. */
static bool known_now(struct engine *e)
{
	bool known;

	pthread_mutex_lock(&e->gen_lock);
	known = e->gen_known && e->known_commits == db_notified_commits();
	pthread_mutex_unlock(&e->gen_lock);
	return known;
}

static void *watch_main(void *arg)
{
	struct engine *e = arg;
	struct db *db = NULL, *replica = NULL;
	bool listening = false, stale = true, lost = false;
	int quiet_ms = 0;

	while (!atomic_load(&e->watch_stop)) {
		int64_t gen;
		uint64_t commits;
		int rc;

		if (!db && db_open(e->cfg.db_url, &db)) {
			db = NULL;
			nap();
			continue;
		}
		if (!listening) {
			if (db_listen(db, STORE_CONTENT_CHANNEL)) {
				nap();
				continue;
			}
			listening = true;
			stale = true;  /* whatever happened while we were deaf */
			if (lost)
				log_info("hearing other nodes' writes again");
			lost = false;
		}
		if (stale) {
			/* The count first: a commit racing this read makes requests ask. */
			commits = db_notified_commits();
			if (store_generation(db, &gen)) {
				set_known(e, false, 0, 0);
				listening = false;
				nap();
				continue;
			}
			if (e->cfg.db_replica_url && replica_caught_up(e, &replica, gen, &gen)) {
				set_known(e, false, 0, 0);  /* pages ask the replica meanwhile */
				nap();
				continue;                   /* and the replica is asked again */
			}
			set_known(e, true, gen, commits);
			stale = false;
			quiet_ms = 0;
		}
		rc = db_wait_notify(db, WATCH_WAIT_MS);
		quiet_ms = rc == 0 ? quiet_ms + WATCH_WAIT_MS : 0;
		if (rc == 0 && (quiet_ms >= WATCH_REREAD_MS || !known_now(e)))
			stale = true;  /* a round trip; and a commit of ours heard before it counted */
		if (rc < 0) {
			set_known(e, false, 0, 0);
			if (!lost)
				warning("lost the database's notifications; pages ask the store until they are back");
			lost = true;
			listening = false;
		} else if (rc > 0) {
			stale = true;
		}
	}
	db_close(replica);
	db_close(db);
	return NULL;
}

int engine_watch_start(struct engine *e, struct db *db)
{
	if (!db_notifies(db))
		return DL_OK;
	if (pthread_create(&e->watcher, NULL, watch_main, e))
		return error("cannot start the notification watcher: %s", strerror(errno));
	e->watcher_running = true;
	return DL_OK;
}

void engine_watch_stop(struct engine *e)
{
	if (!e->watcher_running)
		return;
	atomic_store(&e->watch_stop, true);
	pthread_join(e->watcher, NULL);
	e->watcher_running = false;
}
