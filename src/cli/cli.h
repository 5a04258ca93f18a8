/*
 * cli.h - the `dateline` command line: subcommands and their options.
 *
 * Every option can also come from the environment as DATELINE_<NAME>
 * (upper case, dashes as underscores); a flag wins over the environment.
 */
#ifndef DL_CLI_H
#define DL_CLI_H

#include "core/compat.h"

#define CLI_DEFAULT_DB "./data/dateline.db"
#define CLI_DEFAULT_LISTEN "127.0.0.1:8080"
#define CLI_DEFAULT_ADMIN_LISTEN "127.0.0.1:8081"

struct cli_opt {
	const char *name;     /* long option without dashes, e.g. "db" */
	const char *arg;      /* argument name for help, NULL for a switch */
	const char *help;
	const char *fallback; /* default value, or NULL */
	const char *value;    /* after parsing: flag, else environment, else fallback */
};

/*
 * Parse argv (after the subcommand) against `opts` (ending with a NULL
 * name). Returns 0, or prints a one-line error naming the option and
 * returns 2. Fills each opt's value.
 */
int cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts);
/* The value of option `name` (must exist in opts). */
const char *cli_get(const struct cli_opt *opts, const char *name);
/* Parse an unsigned option value in [min, max] or print an error; returns 0 or 2. */
int cli_uint(const struct cli_opt *opts, const char *name, unsigned min, unsigned max,
	     unsigned *out);
/* Make sure a SQLite database's folder exists (no-op for other URLs). */
int cli_prepare_db_dir(const char *url);
/* `url` for the terminal, any password in it masked (valid until the next call). */
const char *cli_db_shown(const char *url);

/* A progress bar on stderr for long commands, drawn only on a terminal. */
struct cli_progress {
	const char *cmd;  /* the line reads "dateline CMD: [###...] 42%  ..." */
	bool on;          /* stderr is a terminal */
	bool drawn;       /* a line is open */
	int last;         /* the percentage last drawn */
};

/* Start a bar for `cmd` (a static string); draws nothing yet. */
void cli_progress_init(struct cli_progress *p, const char *cmd);
/* Redraw the bar at done of total, followed by the printf-style text, when
 * the percentage moved or done reached total. Nothing when off. */
void cli_progress_show(struct cli_progress *p, uint64_t done, uint64_t total,
		       const char *fmt, ...) DL_PRINTF(4, 5);
/* End the bar's line, if one was drawn, so the next message starts clean. */
void cli_progress_end(struct cli_progress *p);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench_data(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export_wxr(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_migrate(int argc, char **argv);

#endif
