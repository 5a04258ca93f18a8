#include "core/compat.h"
#include <ctype.h>
#include <stdatomic.h>
#include <pthread.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "db/driver.h"

static int open_driver(const char *url, struct db **out);

int db_open(const char *url, struct db **out)
{
	int rc = open_driver(url, out);

	if (!rc)
		(*out)->url = xstrdup(url);
	return rc;
}

const char *db_url(const struct db *db)
{
	return db->url;
}

static int open_driver(const char *url, struct db **out)
{
	if (db_url_is_server(url))
		return db_pg_driver.open(url, out);
	if (strstr(url, "://")) {
		struct strbuf shown = STRBUF_INIT;
		db_url_for_humans(url, &shown);
		error("database '%s': not a SQLite path nor a postgresql:// URL", shown.buf);
		strbuf_release(&shown);
		return DL_INVALID;
	}
	if (!strncmp(url, "sqlite:", 7))
		url += 7;
	return db_sqlite_driver.open(url, out);
}

bool db_url_is_server(const char *url)
{
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

/* Append `p`, a "password=" in its query ("?a=1&password=x") as "password=***". */
/* True if the query key at `p` (up to '=') is "password", however percent-encoded. */
static bool is_password_key(const char *p)
{
	static const char want[] = "password";
	size_t i = 0;

	while (*p && *p != '=' && *p != '&') {
		int c = (unsigned char)*p++;
		if (c == '%' && isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
			char hex[3] = { p[0], p[1], 0 };
			c = (int)strtol(hex, NULL, 16);
			p += 2;
		}
		if (i >= sizeof(want) - 1 || tolower(c) != want[i++])
			return false;
	}
	return *p == '=' && i == sizeof(want) - 1;
}

/* Append `p`, the value of a "password" key in its query as "***". */
static void add_query_masked(const char *p, struct strbuf *out)
{
	const char *q = strchr(p, '?');

	if (!q) {
		strbuf_addstr(out, p);
		return;
	}
	strbuf_add(out, p, (size_t)(q - p));
	while (*q) {
		const char *end = q + 1 + strcspn(q + 1, "&");

		if (is_password_key(q + 1)) {
			const char *eq = strchr(q + 1, '=');
			strbuf_add(out, q, (size_t)(eq + 1 - q));
			strbuf_addstr(out, "***");
		} else {
			strbuf_add(out, q, (size_t)(end - q));
		}
		q = end;
	}
}

void db_url_for_humans(const char *url, struct strbuf *out)
{
	const char *auth = strstr(url, "://"), *at = NULL, *colon;
	size_t alen;

	/* Anything URL-shaped, even a misspelt scheme: it may carry a password. */
	if (!auth) {
		strbuf_addstr(out, url);
		return;
	}
	auth += 3;
	alen = strcspn(auth, "/?");
	for (const char *c = auth; c < auth + alen; c++)
		if (*c == '@')
			at = c;  /* the last one: a raw '@' may sit in the password */
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!colon) {
		add_query_masked(url, out);
		return;
	}
	strbuf_add(out, url, (size_t)(colon + 1 - url));
	strbuf_addstr(out, "***");
	add_query_masked(at, out);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->cache_size; i++)
		if (db->cache[i])
			db->drv->finalize(db->cache[i]);
	free(db->cache);
	free(db->url);
	db->drv->close(db);
}

const char *db_driver_name(const struct db *db)
{
	return db->drv->name;
}

static size_t slot_of(const struct db *db, const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (db->cache_size - 1);
}

static void cache_insert(struct db *db, struct db_stmt *st)
{
	size_t i = slot_of(db, st->sql);

	while (db->cache[i])
		i = (i + 1) & (db->cache_size - 1);
	db->cache[i] = st;
	db->cache_nr++;
}

static void cache_grow(struct db *db)
{
	struct db_stmt **old = db->cache;
	size_t old_size = db->cache_size;

	db->cache_size = old_size ? old_size * 2 : 64;
	db->cache = xcalloc(db->cache_size, sizeof(*db->cache));
	db->cache_nr = 0;
	for (size_t i = 0; i < old_size; i++)
		if (old[i])
			cache_insert(db, old[i]);
	free(old);
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	struct db_stmt *st;

	if (db->cache_size) {
		for (size_t i = slot_of(db, sql); (st = db->cache[i]); i = (i + 1) & (db->cache_size - 1)) {
			if (st->sql == sql) {
				assert(!st->in_use && "statement prepared twice without db_done()");
				st->in_use = true;
				return st;
			}
		}
	}
	st = db->drv->prepare(db, sql);
	if (!st)
		return NULL;
	st->db = db;
	st->sql = sql;
	st->in_use = true;
	if ((db->cache_nr + 1) * 2 > db->cache_size)
		cache_grow(db);
	cache_insert(db, st);
	return st;
}

void db_bind(struct db_stmt *st, const char *fmt, ...)
{
	const struct db_driver *drv = st->db->drv;
	va_list ap;
	int idx = 1;

	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++, idx++) {
		switch (*f) {
		case 'i':
			drv->bind_int(st, idx, va_arg(ap, int64_t));
			break;
		case 'd':
			drv->bind_double(st, idx, va_arg(ap, double));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (s)
				drv->bind_text(st, idx, s, strlen(s));
			else
				drv->bind_null(st, idx);
			break;
		}
		case 'S': {
			struct slice s = va_arg(ap, struct slice);
			drv->bind_text(st, idx, s.p ? s.p : "", s.len);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);
			drv->bind_blob(st, idx, p, len);
			break;
		}
		case 'n':
			drv->bind_null(st, idx);
			break;
		default:
			assert(!"db_bind: unknown format letter");
		}
	}
	va_end(ap);
}

void db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	st->db->drv->bind_int(st, idx, v);
}

void db_bind_text(struct db_stmt *st, int idx, const char *p, size_t len)
{
	st->db->drv->bind_text(st, idx, p, len);
}

void db_bind_null(struct db_stmt *st, int idx)
{
	st->db->drv->bind_null(st, idx);
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
	st->db->drv->bind_double(st, idx, v);
}

void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	st->db->drv->bind_blob(st, idx, p, len);
}

static atomic_uint_fast64_t step_ns, steps;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int db_step(struct db_stmt *st)
{
	uint64_t t0 = mono_ns();
	int rc = st->db->drv->step(st);

	atomic_fetch_add(&step_ns, mono_ns() - t0);
	atomic_fetch_add(&steps, 1);
	if (rc < 0 && st->db->in_tx && !st->db->tx_failed)
		st->db->tx_failed = rc;
	return rc;
}

void db_time_totals(uint64_t *ns, uint64_t *nsteps)
{
	*ns = atomic_load(&step_ns);
	*nsteps = atomic_load(&steps);
}

void db_done(struct db_stmt *st)
{
	if (!st)
		return;
	st->db->drv->reset(st);
	st->in_use = false;
}

int db_run(struct db_stmt *st)
{
	int rc;

	if (!st)
		return DL_ERR;
	while ((rc = db_step(st)) == DB_ROW)
		;
	db_done(st);
	return rc;
}

int db_one_int(struct db_stmt *st, int64_t *out)
{
	int rc;

	*out = 0;
	if (!st)
		return DL_ERR;
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = db_int(st, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

int64_t db_int(struct db_stmt *st, int col)
{
	return st->db->drv->col_int(st, col);
}

double db_double(struct db_stmt *st, int col)
{
	return st->db->drv->col_double(st, col);
}

struct slice db_text(struct db_stmt *st, int col)
{
	return st->db->drv->col_text(st, col);
}

bool db_is_null(struct db_stmt *st, int col)
{
	return st->db->drv->col_null(st, col);
}

int64_t db_changes(struct db *db)
{
	return db->drv->changes(db);
}

int db_begin(struct db *db)
{
	int rc;

	assert(!db->in_tx && "nested transaction");
	rc = db->drv->begin(db);
	if (!rc) {
		db->in_tx = true;
		db->tx_failed = 0;
	}
	return rc;
}

static atomic_uint_fast64_t notified_commits;

uint64_t db_notified_commits(void)
{
	return atomic_load(&notified_commits);
}

int db_commit(struct db *db)
{
	int rc;

	assert(db->in_tx);
	/* All or nothing on every engine: a transaction in which a statement
	 * failed never commits (PostgreSQL would refuse; SQLite would not). */
	if (db->tx_failed) {
		rc = db->tx_failed;
		db_rollback(db);
		return rc;
	}
	rc = db->drv->exec(db, "COMMIT");
	if (rc) {
		db_rollback(db);
		return rc;
	}
	db->in_tx = false;
	if (db->tx_notified)
		atomic_fetch_add(&notified_commits, 1);
	db->tx_notified = false;
	return DL_OK;
}

void db_rollback(struct db *db)
{
	if (!db->in_tx)
		return;
	db->drv->exec(db, "ROLLBACK");
	db->in_tx = false;
	db->tx_notified = false;
	db->tx_failed = 0;
}

int db_set_bulk(struct db *db, bool on)
{
	return db->drv->set_bulk(db, on);
}

int db_set_scan(struct db *db)
{
	return db->drv->set_scan ? db->drv->set_scan(db) : DL_OK;
}

int db_backup(struct db *db, const char *dest, void (*progress)(int done, int total))
{
	if (!db->drv->backup)
		return error("this database (%s) is backed up with its own tools", db->drv->name);
	return db->drv->backup(db, dest, progress);
}

int db_check(struct db *db, struct strbuf *out)
{
	return db->drv->check ? db->drv->check(db, out) : DL_OK;
}

/* A failure inside a transaction dooms it, whichever call saw it. */
static int mark_failed(struct db *db, int rc)
{
	if (rc && db->in_tx && !db->tx_failed)
		db->tx_failed = rc;
	return rc;
}

int db_exec(struct db *db, const char *sql)
{
	return mark_failed(db, db->drv->exec(db, sql));
}

/* ---- migrations ---- */

static const char SQL_MIGRATIONS_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char SQL_SCHEMA_VERSION[] =
	"SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_RECORD_MIGRATION[] =
	"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

int db_schema_version(struct db *db, int *version)
{
	struct db_stmt *st;
	int rc;

	rc = db_exec(db, SQL_MIGRATIONS_TABLE);
	if (rc)
		return rc;
	int64_t v;

	st = db_prepare(db, SQL_SCHEMA_VERSION);
	rc = db_one_int(st, &v);
	*version = (int)v;
	return rc;
}

static int apply_migration(struct db *db, const struct db_migration *m)
{
	struct strbuf ddl = STRBUF_INIT;
	struct db_stmt *st;
	int rc, version;

	rc = db_begin(db);
	if (rc)
		return rc;
	/* Another process may have applied it while we waited for the lock. */
	rc = db_schema_version(db, &version);
	if (rc || version >= m->version) {
		db_rollback(db);
		return rc;
	}
	db->drv->ddl(m->sql, &ddl);
	rc = db_exec(db, ddl.buf);
	strbuf_release(&ddl);
	if (!rc && m->create_fts)
		rc = db->drv->fts_create(db);
	if (!rc) {
		st = db_prepare(db, SQL_RECORD_MIGRATION);
		if (!st)
			rc = DL_ERR;
		else {
			db_bind(st, "isi", (int64_t)m->version, m->name, (int64_t)time(NULL));
			rc = db_run(st);
		}
	}
	if (!rc)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc)
		return error("migration %d (%s) failed; the database is unchanged", m->version, m->name);
	log_info("applied migration %d: %s", m->version, m->name);
	return DL_OK;
}

int db_migrate(struct db *db, const struct db_migration *m, size_t n)
{
	int version, rc;

	/* Under the write lock: nodes starting together must not both create the
	 * migrations table (PostgreSQL's IF NOT EXISTS is not safe against a race). */
	rc = db_begin(db);
	if (rc)
		return rc;
	rc = db_schema_version(db, &version);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	rc = db_commit(db);
	if (rc)
		return rc;
	if (n && version > m[n - 1].version) {
		error("the database schema (version %d) is newer than this dateline (version %d)",
		      version, m[n - 1].version);
		return DL_CONFLICT;
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= version)
			continue;
		rc = apply_migration(db, &m[i]);
		if (rc)
			return rc;
	}
	return DL_OK;
}

/* ---- full-text ---- */

int db_fts_put(struct db *db, int64_t id, struct slice title, struct slice dek, struct slice body)
{
	return db->drv->fts_put(db, id, title, dek, body);
}

int db_fts_delete(struct db *db, int64_t id)
{
	return db->drv->fts_delete(db, id);
}

int db_fts_count(struct db *db, int64_t *n)
{
	return db->drv->fts_count(db, n);
}

int db_fts_text(struct db *db, int64_t id,
		void (*fn)(void *, struct slice, struct slice, struct slice), void *ctx)
{
	struct db_stmt *st = db_prepare(db, db->drv->fts_text_sql);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = db_step(st);
	if (rc == DB_ROW)
		fn(ctx, db_text(st, 0), db_text(st, 1), db_text(st, 2));
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

int db_fts_search(struct db *db, const char *const *terms, size_t nterms, int64_t limit,
		  int64_t offset, void (*fn)(void *, int64_t, struct slice), void *ctx)
{
	return db->drv->fts_search(db, terms, nterms, limit, offset, fn, ctx);
}

int db_fts_search_count(struct db *db, const char *const *terms, size_t nterms, int64_t *n)
{
	return db->drv->fts_search_count(db, terms, nterms, n);
}

/* ---- several nodes ---- */

bool db_notifies(const struct db *db)
{
	return db->drv->notify != NULL;
}

int db_notify(struct db *db, const char *channel)
{
	int rc;

	if (!db->drv->notify)
		return DL_OK;
	rc = mark_failed(db, db->drv->notify(db, channel));
	if (!rc && db->in_tx)
		db->tx_notified = true;
	else if (!rc)
		atomic_fetch_add(&notified_commits, 1);
	return rc;
}

int db_notify_on_write(struct db *db, const char *table, const char *channel)
{
	int rc;

	if (!db->drv->notify_on_write)
		return DL_OK;
	rc = db_begin(db);  /* the write lock: nodes starting together take turns */
	if (rc)
		return rc;
	rc = db->drv->notify_on_write(db, table, channel);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int db_listen(struct db *db, const char *channel)
{
	assert(db->drv->listen && "db_listen on a driver without notifications");
	return db->drv->listen(db, channel);
}

int db_wait_notify(struct db *db, int timeout_ms)
{
	assert(db->drv->wait_notify && "db_wait_notify on a driver without notifications");
	return db->drv->wait_notify(db, timeout_ms);
}

int db_try_lock(struct db *db, int64_t key, bool *held)
{
	if (!db->drv->try_lock) {
		*held = true;
		return DL_OK;
	}
	return db->drv->try_lock(db, key, held);
}

int db_sync_ids(struct db *db, const char *table)
{
	return db->drv->sync_ids ? mark_failed(db, db->drv->sync_ids(db, table)) : DL_OK;
}

/* ---- per-thread pool ---- */

struct db_pool {
	char *url;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct db **all;
	size_t nr, alloc;
};

struct db_pool *db_pool_new(const char *url)
{
	struct db_pool *pool = xcalloc(1, sizeof(*pool));

	pool->url = xstrdup(url);
	/* No key destructor: connections are closed together by db_pool_free(). */
	if (pthread_key_create(&pool->key, NULL))
		abort();
	pthread_mutex_init(&pool->lock, NULL);
	return pool;
}

struct db *db_pool_get(struct db_pool *pool)
{
	struct db *db = pthread_getspecific(pool->key);

	if (db)
		return db;
	if (db_open(pool->url, &db))
		return NULL;
	pthread_setspecific(pool->key, db);
	pthread_mutex_lock(&pool->lock);
	ALLOC_GROW(pool->all, pool->nr + 1, pool->alloc);
	pool->all[pool->nr++] = db;
	pthread_mutex_unlock(&pool->lock);
	return db;
}

void db_pool_free(struct db_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->nr; i++)
		db_close(pool->all[i]);
	free(pool->all);
	pthread_key_delete(pool->key);
	pthread_mutex_destroy(&pool->lock);
	free(pool->url);
	free(pool);
}
