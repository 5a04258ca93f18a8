/*
 * migrate.c - `dateline migrate --from URL --to URL [--force]`: a whole site
 * moved to another database, any driver to any driver (SQLite to PostgreSQL
 * when a newsroom outgrows one file, or back). The copy itself is the
 * store's (store/copy.c); this file checks the two ends, draws the progress
 * bar and prints the summary.
 */
#include "core/compat.h"
#include <sys/stat.h>
#include <unistd.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "cli/cli.h"
#include "store/store.h"

static struct cli_opt opts[] = {
	{ "from", "URL", "the site's database now: sqlite:PATH, a SQLite path or postgresql://...", NULL, NULL },
	{ "to", "URL", "the database to copy it into (created and migrated if new)", NULL, NULL },
	{ "force", NULL, "replace the site a non-empty target already holds", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static bool is_sqlite(const char *url)
{
	return !db_url_is_server(url);
}

static const char *sqlite_path(const char *url)
{
	return strncmp(url, "sqlite:", 7) ? url : url + 7;
}

/* The same SQLite file, however its two names are spelled. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void remove_sqlite(const char *path)
{
	static const char *const sides[] = { "", "-wal", "-shm" };
	struct strbuf f = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(sides); i++) {
		strbuf_reset(&f);
		strbuf_addf(&f, "%s%s", path, sides[i]);
		unlink(f.buf);
	}
	strbuf_release(&f);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	cli_progress_show(ctx, done, total, "%" PRIu64 "/%" PRIu64 " rows", done, total);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Open the source: it must exist and hold a Dateline site; an older schema is migrated. */
static int open_source(const char *url, const char *shown, struct db **out)
{
	int version;

	if (is_sqlite(url) && access(sqlite_path(url), R_OK)) {
		fprintf(stderr, "dateline migrate: --from %s: %s\n", shown, strerror(errno));
		return DL_ERR;
	}
	if (db_open(url, out))
		return DL_ERR;  /* the driver said why, naming the database */
	if (db_schema_version(*out, &version))
		return DL_ERR;
	if (!version) {
		fprintf(stderr, "dateline migrate: --from %s: not a Dateline database (it has no schema)\n",
			shown);
		return DL_INVALID;
	}
	return store_migrate(*out);
}

/* Open the target and refuse one that holds a site, unless forced; then migrate it. */
static int open_target(const char *url, const char *shown, bool force, struct db **out)
{
	int64_t users = 0, articles = 0;
	int version, rc;

	if (cli_prepare_db_dir(url) || db_open(url, out))
		return DL_ERR;
	rc = db_schema_version(*out, &version);
	if (!rc && version > store_migrations[store_migrations_nr - 1].version)
		rc = error("--to %s: its schema (version %d) is newer than this dateline's", shown,
			   version);
	if (!rc && version)
		rc = store_site_size(*out, &users, &articles);
	if (rc)
		return rc;
	if ((users || articles) && !force) {
		fprintf(stderr, "dateline migrate: --to %s already holds a site (%" PRId64 " users, %"
			PRId64 " articles); nothing was changed (add --force to replace it)\n", shown,
			users, articles);
		return DL_CONFLICT;
	}
	return store_migrate(*out);
}

static void print_summary(const char *from, const char *to, const struct store_copy_stats *st,
			  int64_t ms)
{
	printf("dateline migrate: %s -> %s: %" PRId64 " rows in %zu tables (", from, to, st->rows,
	       st->ntables);
	for (size_t i = 0, shown = 0; i < st->ntables; i++) {
		if (!st->tables[i].rows)
			continue;
		printf("%s%s %" PRId64, shown++ ? ", " : "", st->tables[i].table, st->tables[i].rows);
	}
	printf("), %" PRId64 " search entries rebuilt in %.2f s; every table's count matches the"
	       " source's\n", st->indexed, (double)ms / 1000);
}

int cmd_migrate(int argc, char **argv)
{
	struct strbuf from_shown = STRBUF_INIT, to_shown = STRBUF_INIT;
	struct store_copy_stats st;
	struct cli_progress bar;
	struct db *from = NULL, *to = NULL;
	const char *from_url, *to_url;
	bool created = false;
	int64_t start = now_ms();
	int rc = DL_ERR;

	if (cli_parse("migrate", argc, argv, opts))
		return 1;
	from_url = cli_get(opts, "from");
	to_url = cli_get(opts, "to");
	if (!from_url || !to_url) {
		fprintf(stderr, "dateline migrate: %s is missing: dateline migrate --from URL --to URL"
			" [--force] (see --help)\n", !from_url ? "--from" : "--to");
		return 1;
	}
	db_url_for_humans(from_url, &from_shown);
	db_url_for_humans(to_url, &to_shown);
	if (!strcmp(from_url, to_url) ||
	    (is_sqlite(from_url) && is_sqlite(to_url) &&
	     same_file(sqlite_path(from_url), sqlite_path(to_url)))) {
		fprintf(stderr, "dateline migrate: --from and --to are the same database (%s)\n",
			from_shown.buf);
		goto out;
	}
	if (open_source(from_url, from_shown.buf, &from))
		goto out;
	created = is_sqlite(to_url) && access(sqlite_path(to_url), F_OK);
	if (open_target(to_url, to_shown.buf, cli_get(opts, "force") != NULL, &to))
		goto out;
	cli_progress_init(&bar, "migrate");
	rc = store_copy(from, to, on_progress, &bar, &st);
	cli_progress_end(&bar);
	if (!rc)
		print_summary(from_shown.buf, to_shown.buf, &st, now_ms() - start);
	else if (rc != DL_CONFLICT)  /* a conflict's line already said all */
		fprintf(stderr, "dateline migrate: the copy into %s failed (see above); nothing was"
			" changed there\n", to_shown.buf);
out:
	db_close(from);
	db_close(to);
	/* A file made for this copy is not left behind when it failed. */
	if (rc && created)
		remove_sqlite(sqlite_path(to_url));
	strbuf_release(&from_shown);
	strbuf_release(&to_shown);
	return rc ? 1 : 0;
}
