/*
 * wxr.c - `dateline import wxr FILE` and `dateline export wxr FILE`.
 */
#include "core/compat.h"
#include <ctype.h>
#include <unistd.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "cli/cli.h"
#include "import/import.h"
#include "store/store.h"

static struct cli_opt import_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "uploads", "DIR", "a copy of the old site's wp-content/uploads (attachment files)", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static struct cli_opt export_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "base-url", "URL", "the site's public address for links (default: the stored base URL)", NULL, NULL },
	{ "uploads", "DIR", "also write the media files here (for import wxr --uploads)", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Split `wxr FILE` from the options; returns 0 or prints usage and 2. */
static int positional(const char *cmd, int *argc, char **argv, const char **file)
{
	int n = 0, kept = 0;
	const char *pos[2] = { NULL, NULL };

	for (int i = 0; i < *argc; i++) {
		bool value = i > 0 && !strncmp(argv[i - 1], "--", 2) && !strchr(argv[i - 1], '=') &&
			     strcmp(argv[i - 1], "--help");
		if (argv[i][0] != '-' && !value) {
			if (n < 2)
				pos[n] = argv[i];
			n++;
			continue;
		}
		argv[kept++] = argv[i];
	}
	*argc = kept;
	for (int i = 0; i < kept; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 0;
	if (n != 2 || strcmp(pos[0], "wxr")) {
		fprintf(stderr, "usage: dateline %s wxr FILE [options] (see --help)\n", cmd);
		return 2;
	}
	*file = pos[1];
	return 0;
}

static struct cli_progress import_bar;

static void progress_bar(uint64_t done, uint64_t total, size_t items)
{
	cli_progress_show(&import_bar, done, total, "%zu items", items);
}

static void print_summary(const char *file, const struct wxr_stats *st)
{
	printf("dateline import: %s: %zu posts, %zu pages, %zu categories (%zu nested), %zu tags,"
	       " %zu authors, %zu attachments (%zu files not found); %zu new, %zu updated,"
	       " %zu unchanged\n", file, st->posts, st->pages, st->categories,
	       st->nested_categories, st->tags, st->authors, st->attachments,
	       st->attachments_missing, st->created, st->updated, st->unchanged);
	if (st->protected_posts)
		printf("%zu password-protected items imported as unpublished (Dateline has no post"
		       " passwords)\n", st->protected_posts);
	if (st->comments || st->galleries || st->nskipped) {
		printf("skipped:");
		if (st->comments)
			printf(" %zu comments (Dateline has none);", st->comments);
		if (st->galleries)
			printf(" %zu [gallery] shortcodes without ids;", st->galleries);
		for (size_t i = 0; i < st->nskipped; i++)
			printf(" %zu %s;", st->skipped[i].n, st->skipped[i].reason);
		printf("\n");
	}
	for (size_t i = 0; i < st->attachments_missing && i < WXR_MISSING_LISTED; i++)
		printf("attachment not found under --uploads (its old URL is kept): %s\n",
		       st->missing[i]);
	if (st->attachments_missing > WXR_MISSING_LISTED)
		printf("... and %zu more attachments not found\n",
		       st->attachments_missing - WXR_MISSING_LISTED);
}

int cmd_import(int argc, char **argv)
{
	struct wxr_stats st = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct db *db = NULL;
	const char *file = NULL, *url;
	int rc;

	if (positional("import", &argc, argv, &file) ||
	    cli_parse("import wxr FILE", argc, argv, import_opts))
		return 2;
	url = cli_get(import_opts, "db");
	if (cli_prepare_db_dir(url) || db_open(url, &db) || store_migrate(db)) {
		db_close(db);
		return 1;
	}
	db_set_bulk(db, true);
	cli_progress_init(&import_bar, "import");
	rc = wxr_import(db, file, cli_get(import_opts, "uploads"), isatty(2) ? progress_bar : NULL,
			&st, &err);
	cli_progress_end(&import_bar);
	db_set_bulk(db, false);
	db_close(db);
	if (rc) {
		/* "FILE:LINE: what" when the file is at fault. */
		fprintf(stderr, "dateline import: %s%s%s; nothing was imported\n", file,
			err.len && isdigit((unsigned char)err.buf[0]) ? ":" : ": ", err.buf);
	} else {
		print_summary(file, &st);
	}
	strbuf_release(&err);
	wxr_stats_release(&st);
	return rc ? 1 : 0;
}

int cmd_export_wxr(int argc, char **argv)
{
	struct wxr_export_stats st = { 0 };
	struct db *db = NULL;
	const char *file = NULL, *base;
	struct arena *a;
	struct site_settings s;
	FILE *f;
	int rc;

	if (positional("export", &argc, argv, &file) ||
	    cli_parse("export wxr FILE", argc, argv, export_opts))
		return 2;
	if (db_open(cli_get(export_opts, "db"), &db) || store_migrate(db)) {
		db_close(db);
		return 1;
	}
	a = arena_new(0);
	rc = store_settings_load(db, a, &s);
	base = cli_get(export_opts, "base-url");
	if (!base)
		base = !rc && *s.base_url ? s.base_url : "http://" CLI_DEFAULT_LISTEN;
	f = rc ? NULL : strcmp(file, "-") ? fopen(file, "wb") : stdout;
	if (!rc && !f)
		rc = error("%s: %s", file, strerror(errno));
	if (!rc)
		rc = wxr_export(db, f, base, cli_get(export_opts, "uploads"), &st);
	if (f && f != stdout && fclose(f) && !rc)
		rc = error("%s: %s", file, strerror(errno));
	arena_free(a);
	db_close(db);
	if (rc)
		return 1;
	fprintf(f == stdout ? stderr : stdout,
		"dateline export: %s: %zu posts, %zu pages, %zu categories, %zu tags, %zu authors,"
		" %zu attachments\n", file, st.posts, st.pages, st.categories, st.tags, st.authors,
		st.attachments);
	return 0;
}
