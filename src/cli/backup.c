/*
 * backup.c - `dateline backup FILE` and `dateline restore FILE`: a whole site
 * in one file, taken from a live server without stopping it.
 */
#include "core/compat.h"
#include <sys/stat.h>
#include <unistd.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "cli/cli.h"
#include "store/store.h"

static struct cli_opt backup_opts[] = {
	{ "db", "URL", "the site's database (a SQLite path or sqlite:PATH)", CLI_DEFAULT_DB, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static struct cli_opt restore_opts[] = {
	{ "db", "PATH", "the database to restore into (stop the server first)", CLI_DEFAULT_DB, NULL },
	{ "force", NULL, "replace an existing database", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void progress(int done, int total)
{
	if (total > 0)
		fprintf(stderr, "\r%3d%% (%d of %d pages)", done * 100 / total, done, total);
}

static const char *file_arg(const char *cmd, int *argc, char **argv)
{
	if (*argc < 1 || !strncmp(argv[*argc - 1], "--", 2)) {
		fprintf(stderr, "usage: dateline %s [options] FILE\n", cmd);
		return NULL;
	}
	return argv[--*argc];
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Open `url`, check it, and say what it holds. */
static int verify(const char *url, const char *what, int64_t *articles)
{
	struct strbuf why = STRBUF_INIT;
	struct db *db;
	int version = 0, rc;

	if (db_open(url, &db))
		return DL_ERR;
	rc = db_check(db, &why);
	if (rc)
		error("%s: the integrity check failed: %s", what, why.buf);
	if (!rc && (db_schema_version(db, &version) || !version)) {
		error("%s: not a Dateline database", what);
		rc = DL_INVALID;
	}
	if (!rc && version > store_migrations[store_migrations_nr - 1].version) {
		error("%s: made by a newer dateline (schema %d)", what, version);
		rc = DL_INVALID;
	}
	if (!rc && store_article_count(db, articles))
		rc = DL_ERR;
	db_close(db);
	strbuf_release(&why);
	return rc;
}

/* Remove a SQLite file's -wal and -shm: they belong to the file being replaced. */
static void drop_journal(const char *path)
{
	struct strbuf side = STRBUF_INIT;

	strbuf_addf(&side, "%s-wal", path);
	unlink(side.buf);
	strbuf_reset(&side);
	strbuf_addf(&side, "%s-shm", path);
	unlink(side.buf);
	strbuf_release(&side);
}

/* Copy `src` to `dest` through a temporary file renamed into place, so a
 * half-written copy never carries the final name. */
static int copy_db(struct db *src, const char *dest)
{
	struct strbuf tmp = STRBUF_INIT;
	int rc;

	strbuf_addf(&tmp, "%s.partial", dest);
	unlink(tmp.buf);
	rc = db_backup(src, tmp.buf, isatty(2) ? progress : NULL);
	if (isatty(2))
		fputc('\n', stderr);
	if (!rc)
		drop_journal(dest);
	if (!rc && rename(tmp.buf, dest))
		rc = error("cannot move %s into place: %s", tmp.buf, strerror(errno));
	if (rc)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}

int cmd_backup(int argc, char **argv)
{
	const char *file = file_arg("backup", &argc, argv);
	struct db *db;
	int64_t articles = 0;
	int rc;

	if (!file || cli_parse("backup", argc, argv, backup_opts))
		return 2;
	if (exists(file)) {
		fprintf(stderr, "dateline backup: %s exists; choose a new file name\n", file);
		return 1;
	}
	if (db_open(cli_get(backup_opts, "db"), &db))
		return 1;
	rc = copy_db(db, file);
	db_close(db);
	if (!rc)
		rc = verify(file, file, &articles);
	if (rc)
		return 1;
	printf("dateline: backed up %" PRId64 " articles to %s (integrity ok)\n", articles, file);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	const char *file = file_arg("restore", &argc, argv), *target;
	struct db *db;
	int64_t articles = 0;
	int rc;

	if (!file || cli_parse("restore", argc, argv, restore_opts))
		return 2;
	target = cli_get(restore_opts, "db");
	if (!strncmp(target, "sqlite:", 7))
		target += 7;
	if (!exists(file)) {
		fprintf(stderr, "dateline restore: %s: no such file\n", file);
		return 1;
	}
	if (verify(file, file, &articles))
		return 1;
	if (exists(target) && !cli_get(restore_opts, "force")) {
		fprintf(stderr, "dateline restore: %s exists; stop the server and add --force to "
				"replace it\n", target);
		return 1;
	}
	if (cli_prepare_db_dir(target) || db_open(file, &db))
		return 1;
	rc = copy_db(db, target);
	db_close(db);
	if (rc)
		return 1;
	printf("dateline: restored %" PRId64 " articles from %s into %s\n", articles, file, target);
	return 0;
}
