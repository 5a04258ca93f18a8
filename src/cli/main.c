/*
 * main.c - `dateline`: one binary that stores a newsroom's articles and
 * serves its news site.
 */
#include "core/compat.h"
#include "core/log.h"
#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "serve", cmd_serve, "serve the public site (creating the database if needed)" },
	{ "init", cmd_init, "create or upgrade a database and set the site's settings" },
	{ "demo", cmd_demo, "fill an empty database with the demo newsroom" },
	{ "bench-data", cmd_bench_data, "add N generated articles for benchmarks" },
	{ "user", cmd_user, "add or list newsroom accounts, reset a password" },
	{ "backup", cmd_backup, "copy a live site's database to FILE, consistently" },
	{ "restore", cmd_restore, "bring a site back from a backup FILE" },
	{ "migrate", cmd_migrate, "copy a whole site to another database: --from URL --to URL" },
	{ "import", cmd_import, "import a WordPress export: import wxr FILE [--uploads DIR]" },
	{ "export", cmd_export, "export static DIR: the public site as files; export wxr FILE: a WordPress export" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dateline <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nRun 'dateline <command> --help' for a command's options.\n"
		   "Options may also be set as DATELINE_<OPTION> environment variables.\n");
}

int main(int argc, char **argv)
{
	const char *level = getenv("DATELINE_LOG_LEVEL");

	if (level && !strcmp(level, "debug"))
		log_set_level(LOG_DEBUG);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dateline %s\n", DATELINE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "dateline: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
