/*
 * The db interface on both drivers: every test runs on a real SQLite file
 * and, when DATELINE_TEST_PG names a cluster (postgresql://USER@HOST:PORT/,
 * as scripts/pg.sh prints it), again on a fresh PostgreSQL database.
 */
#include "core/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "db/db.h"

struct fixture {
	char dir[64];
	char url[256];
	struct db *db;
	bool pg;
};

static int counter;

static struct db *open_or_fail(const char *url)
{
	struct db *db = NULL;

	assert_int_equal(db_open(url, &db), DL_OK);
	return db;
}

static int setup_sqlite(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/dateline-dbtest-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->url, sizeof(f->url), "sqlite:%s/test.db", f->dir);
	f->db = open_or_fail(f->url);
	*state = f;
	return 0;
}

static int setup_pg(void **state)
{
	const char *cluster = getenv("DATELINE_TEST_PG");
	struct fixture *f = calloc(1, sizeof(*f));
	struct strbuf sql = STRBUF_INIT, admin = STRBUF_INIT;
	struct db *db;

	f->pg = true;
	strbuf_addf(&admin, "%spostgres", cluster);
	db = open_or_fail(admin.buf);
	snprintf(f->dir, sizeof(f->dir), "dl_unit_%d_%d", (int)getpid(), ++counter);
	strbuf_addf(&sql, "CREATE DATABASE %s", f->dir);
	assert_int_equal(db_exec(db, sql.buf), DL_OK);
	db_close(db);
	snprintf(f->url, sizeof(f->url), "%s%s", cluster, f->dir);
	f->db = open_or_fail(f->url);
	strbuf_release(&sql);
	strbuf_release(&admin);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	db_close(f->db);
	if (f->pg) {
		struct strbuf sql = STRBUF_INIT, admin = STRBUF_INIT;
		struct db *db;

		strbuf_addf(&admin, "%spostgres", getenv("DATELINE_TEST_PG"));
		db = open_or_fail(admin.buf);
		strbuf_addf(&sql, "DROP DATABASE %s WITH (FORCE)", f->dir);
		assert_int_equal(db_exec(db, sql.buf), DL_OK);
		db_close(db);
		strbuf_release(&sql);
		strbuf_release(&admin);
	} else {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
		assert_int_equal(system(cmd), 0);
	}
	free(f);
	return 0;
}

static const struct db_migration migrations[] = {
	{ 1, "test table",
	  "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT, d DOUBLE PRECISION,"
	  " s TEXT UNIQUE, b BLOB)", true },
};

static const char SQL_INSERT[] = "INSERT INTO t (n, d, s, b) VALUES (?, ?, ?, ?) RETURNING id";
static const char SQL_INSERT_ID[] = "INSERT INTO t (id, s) VALUES (?, ?)";
static const char SQL_GET[] =
	"SELECT n, d, s, b, n IS NULL, s LIKE 'CAF%', '?' FROM t WHERE id = ?";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM t";

static int64_t insert(struct db *db, int64_t n, const char *s, const void *b, size_t blen)
{
	struct db_stmt *st = db_prepare(db, SQL_INSERT);
	int64_t id = 0;

	assert_non_null(st);
	db_bind(st, "idsb", n, 0.25, s, b, blen);
	assert_int_equal(db_one_int(st, &id), DL_OK);
	return id;
}

static void test_values_round_trip(void **state)
{
	struct fixture *f = *state;
	static const unsigned char blob[] = { 0, 1, 0xff, '\\', 'x', 0, 0x80 };
	struct db_stmt *st;
	int64_t id, nullid;

	assert_int_equal(db_migrate(f->db, migrations, 1), DL_OK);
	id = insert(f->db, INT64_C(9007199254740993), "café au lait", blob, sizeof(blob));
	st = db_prepare(f->db, "INSERT INTO t (n, s) VALUES (?, ?) RETURNING id");
	db_bind(st, "ns", "nothing");
	assert_int_equal(db_one_int(st, &nullid), DL_OK);

	st = db_prepare(f->db, SQL_GET);
	db_bind(st, "i", id);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_int(st, 0) == INT64_C(9007199254740993));
	assert_true(db_double(st, 1) == 0.25);
	assert_int_equal(db_text(st, 2).len, strlen("café au lait"));
	assert_memory_equal(db_text(st, 2).p, "café au lait", db_text(st, 2).len);
	assert_int_equal(db_text(st, 3).len, sizeof(blob));
	assert_memory_equal(db_text(st, 3).p, blob, sizeof(blob));
	assert_int_equal(db_int(st, 4), 0);   /* a boolean reads as 0 or 1 */
	assert_int_equal(db_int(st, 5), 1);   /* LIKE folds ASCII case on both engines */
	assert_int_equal(db_text(st, 6).len, 1);  /* a '?' in a literal is not a placeholder */
	assert_int_equal(db_step(st), DB_DONE);
	db_done(st);

	st = db_prepare(f->db, SQL_GET);
	db_bind(st, "i", nullid);
	assert_int_equal(db_step(st), DB_ROW);
	assert_true(db_is_null(st, 0) && db_is_null(st, 3) && !db_is_null(st, 2));
	assert_int_equal(db_int(st, 4), 1);
	db_done(st);
}

static void test_conflicts_and_failed_transactions(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st;
	int64_t n;

	assert_int_equal(db_migrate(f->db, migrations, 1), DL_OK);
	insert(f->db, 1, "one", "", 0);
	st = db_prepare(f->db, SQL_INSERT);
	db_bind(st, "idsb", (int64_t)2, 0.5, "one", "", (size_t)0);
	assert_int_equal(db_run(st), DL_CONFLICT);

	/* A statement that fails inside a transaction takes the whole of it down. */
	assert_int_equal(db_begin(f->db), DL_OK);
	insert(f->db, 3, "three", "", 0);
	st = db_prepare(f->db, SQL_INSERT);
	db_bind(st, "idsb", (int64_t)4, 0.5, "one", "", (size_t)0);
	assert_int_equal(db_run(st), DL_CONFLICT);
	assert_int_not_equal(db_commit(f->db), DL_OK);
	assert_int_equal(db_one_int(db_prepare(f->db, SQL_COUNT), &n), DL_OK);
	assert_int_equal(n, 1);

	/* And the connection is fine afterwards. */
	assert_int_equal(db_begin(f->db), DL_OK);
	insert(f->db, 5, "five", "", 0);
	assert_int_equal(db_commit(f->db), DL_OK);
	assert_int_equal(db_one_int(db_prepare(f->db, SQL_COUNT), &n), DL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_changes(f->db), 1);  /* the last write; a SELECT is not one */
}

static void test_explicit_ids_then_generated_ones(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st;
	int64_t id;

	assert_int_equal(db_migrate(f->db, migrations, 1), DL_OK);
	st = db_prepare(f->db, SQL_INSERT_ID);
	db_bind(st, "is", (int64_t)100, "imported");
	assert_int_equal(db_run(st), DL_OK);
	assert_int_equal(db_changes(f->db), 1);
	assert_int_equal(db_sync_ids(f->db, "t"), DL_OK);
	id = insert(f->db, 1, "new", "", 0);
	assert_true(id > 100);
}

struct text_seen {
	int n;
	char snippet[512];
};

static void on_hit(void *ctx, int64_t id, struct slice snippet)
{
	struct text_seen *s = ctx;

	if (!s->n++)
		snprintf(s->snippet, sizeof(s->snippet), "%.*s", (int)snippet.len, snippet.p);
}

static void test_full_text(void **state)
{
	struct fixture *f = *state;
	const char *phrase[] = { "harbour cranes" }, *words[] = { "cranes" }, *stem[] = { "crane" };
	struct text_seen seen = { 0 };
	int64_t n;

	assert_int_equal(db_migrate(f->db, migrations, 1), DL_OK);
	assert_int_equal(db_fts_put(f->db, 1, slice_cstr("Harbour cranes stopped"), slice_cstr(""),
				    slice_cstr("The harbour cranes stood still after the attack on the port.")),
			 DL_OK);
	assert_int_equal(db_fts_put(f->db, 2, slice_cstr("Council budget"), slice_cstr("Rates rise"),
				    slice_cstr("The council passed its budget; cranes were not mentioned.")),
			 DL_OK);
	assert_int_equal(db_fts_put(f->db, 3, slice_cstr("Ferry timetable"), slice_cstr(""),
				    slice_cstr("New ferries run every hour.")), DL_OK);
	/* Replacing a document keeps one copy. */
	assert_int_equal(db_fts_put(f->db, 3, slice_cstr("Ferry timetable"), slice_cstr(""),
				    slice_cstr("New ferries run every half hour.")), DL_OK);
	assert_int_equal(db_fts_count(f->db, &n), DL_OK);
	assert_int_equal(n, 3);

	assert_int_equal(db_fts_search_count(f->db, phrase, 1, &n), DL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(db_fts_search_count(f->db, words, 1, &n), DL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_fts_search(f->db, phrase, 1, 10, 0, on_hit, &seen), DL_OK);
	assert_int_equal(seen.n, 1);
	/* The phrase is marked as one span (FTS5's way, followed by PostgreSQL's snippets). */
	assert_non_null(strstr(seen.snippet, "\x01" "Harbour cranes\x02"));

	/* Stemmed as indexed: "crane" and "cranes" are one term. */
	assert_int_equal(db_fts_search_count(f->db, stem, 1, &n), DL_OK);
	assert_int_equal(n, 2);

	assert_int_equal(db_fts_delete(f->db, 2), DL_OK);
	assert_int_equal(db_fts_search_count(f->db, words, 1, &n), DL_OK);
	assert_int_equal(n, 1);
}

static void test_notifications_and_the_lock(void **state)
{
	struct fixture *f = *state;
	struct db *other = open_or_fail(f->url);
	bool held;
	uint64_t before = db_notified_commits();

	assert_int_equal(db_listen(other, "dl_test"), DL_OK);
	assert_int_equal(db_wait_notify(other, 50), 0);
	/* Nothing is sent for a rolled-back transaction, and it is sent at commit. */
	assert_int_equal(db_begin(f->db), DL_OK);
	assert_int_equal(db_notify(f->db, "dl_test"), DL_OK);
	db_rollback(f->db);
	assert_int_equal(db_wait_notify(other, 100), 0);
	assert_int_equal(db_begin(f->db), DL_OK);
	assert_int_equal(db_notify(f->db, "dl_test"), DL_OK);
	assert_int_equal(db_wait_notify(other, 50), 0);
	assert_int_equal(db_commit(f->db), DL_OK);
	assert_int_equal(db_wait_notify(other, 2000), 1);
	assert_true(db_notified_commits() == before + 1);

	/* One holder of the lock at a time; its connection closing frees it. */
	assert_int_equal(db_try_lock(f->db, 77, &held), DL_OK);
	assert_true(held);
	assert_int_equal(db_try_lock(other, 77, &held), DL_OK);
	assert_false(held);
	db_close(f->db);
	f->db = open_or_fail(f->url);
	for (int i = 0; i < 100 && !held; i++) {
		assert_int_equal(db_try_lock(other, 77, &held), DL_OK);
		usleep(10000);
	}
	assert_true(held);
	db_close(other);
}

static void test_url_for_humans(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	db_url_for_humans("postgresql://ed:s3cret@db.example.org:5432/news", &sb);
	assert_string_equal(sb.buf, "postgresql://ed:***@db.example.org:5432/news");
	strbuf_reset(&sb);
	db_url_for_humans("postgresql://db/news?user=ed&password=s3cret&sslmode=require", &sb);
	assert_null(strstr(sb.buf, "s3cret"));
	assert_non_null(strstr(sb.buf, "sslmode=require"));
	strbuf_reset(&sb);
	db_url_for_humans("postgresql://ed:p@ss@db/news?pass%77ord=s3cret", &sb);
	assert_string_equal(sb.buf, "postgresql://ed:***@db/news?pass%77ord=***");
	strbuf_reset(&sb);
	db_url_for_humans("postgresq://ed:s3cret@db/news", &sb);  /* a misspelt scheme */
	assert_null(strstr(sb.buf, "s3cret"));
	strbuf_reset(&sb);
	db_url_for_humans("./data/dateline.db", &sb);
	assert_string_equal(sb.buf, "./data/dateline.db");
	assert_true(db_url_is_server("postgres://x/y") && !db_url_is_server("sqlite:x.db"));
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest sqlite[] = {
		cmocka_unit_test_setup_teardown(test_values_round_trip, setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_and_failed_transactions, setup_sqlite,
						teardown),
		cmocka_unit_test_setup_teardown(test_explicit_ids_then_generated_ones, setup_sqlite,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_text, setup_sqlite, teardown),
		cmocka_unit_test(test_url_for_humans),
	};
	const struct CMUnitTest pg[] = {
		cmocka_unit_test_setup_teardown(test_values_round_trip, setup_pg, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_and_failed_transactions, setup_pg,
						teardown),
		cmocka_unit_test_setup_teardown(test_explicit_ids_then_generated_ones, setup_pg,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_text, setup_pg, teardown),
		cmocka_unit_test_setup_teardown(test_notifications_and_the_lock, setup_pg, teardown),
	};
	int failed = cmocka_run_group_tests_name("db on SQLite", sqlite, NULL, NULL);

	if (getenv("DATELINE_TEST_PG") && *getenv("DATELINE_TEST_PG"))
		failed += cmocka_run_group_tests_name("db on PostgreSQL", pg, NULL, NULL);
	else
		print_message("db on PostgreSQL: skipped (DATELINE_TEST_PG is not set)\n");
	return failed;
}
