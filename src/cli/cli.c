#include "core/compat.h"
#include <sys/stat.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/slice.h"
#include "core/strbuf.h"
#include "cli/cli.h"
#include "db/db.h"

static void help(const char *cmd, const struct cli_opt *opts)
{
	printf("usage: dateline %s [options]\n\noptions:\n", cmd);
	for (const struct cli_opt *o = opts; o->name; o++) {
		struct strbuf flag = STRBUF_INIT, env = STRBUF_INIT;

		strbuf_addf(&flag, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		strbuf_addstr(&env, "DATELINE_");
		for (const char *c = o->name; *c; c++)
			strbuf_addch(&env, *c == '-' ? '_' : (*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
		printf("  %-26s %s", flag.buf, o->help);
		if (o->fallback)
			printf(" (default: %s)", o->fallback);
		printf(" [%s]\n", env.buf);
		strbuf_release(&flag);
		strbuf_release(&env);
	}
}

static const char *from_env(const char *name)
{
	struct strbuf env = STRBUF_INIT;
	const char *v;

	strbuf_addstr(&env, "DATELINE_");
	for (const char *c = name; *c; c++)
		strbuf_addch(&env, *c == '-' ? '_' : (*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
	v = getenv(env.buf);
	strbuf_release(&env);
	return v && *v ? v : NULL;
}

int cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts)
{
	for (struct cli_opt *o = opts; o->name; o++) {
		const char *e = from_env(o->name);
		o->value = e ? e : o->fallback;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		struct cli_opt *o;
		size_t n;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(cmd, opts);
			exit(0);
		}
		if (strncmp(a, "--", 2)) {
			fprintf(stderr, "dateline %s: unexpected argument '%s'\n", cmd, a);
			return 2;
		}
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		for (o = opts; o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, a, n))
				break;
		if (!o->name) {
			fprintf(stderr, "dateline %s: unknown option '--%.*s' (see --help)\n", cmd,
				(int)n, a);
			return 2;
		}
		if (!o->arg) {
			if (eq) {
				fprintf(stderr, "dateline %s: option '--%s' takes no value\n", cmd, o->name);
				return 2;
			}
			o->value = "1";
		} else if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			fprintf(stderr, "dateline %s: option '--%s' needs a value (%s)\n", cmd, o->name,
				o->arg);
			return 2;
		}
	}
	return 0;
}

const char *cli_get(const struct cli_opt *opts, const char *name)
{
	for (const struct cli_opt *o = opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o->value;
	assert(!"cli_get: unknown option");
	return NULL;
}

int cli_uint(const struct cli_opt *opts, const char *name, unsigned min, unsigned max,
	     unsigned *out)
{
	const char *v = cli_get(opts, name);
	int64_t n;

	if (!v)
		return 0;
	if (slice_to_int64(slice_cstr(v), min, max, &n)) {
		fprintf(stderr, "dateline: --%s '%s': expected a whole number from %u to %u\n", name,
			v, min, max);
		return 2;
	}
	*out = (unsigned)n;
	return 0;
}

const char *cli_db_shown(const char *url)
{
	static struct strbuf shown = STRBUF_INIT;

	strbuf_reset(&shown);
	db_url_for_humans(url, &shown);
	return shown.buf;
}

int cli_prepare_db_dir(const char *url)
{
	const char *path = url, *slash;
	char *dir;
	int rc = 0;

	if (strstr(url, "://"))
		return 0;
	if (!strncmp(path, "sqlite:", 7))
		path += 7;
	slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	dir = xmemdupz(path, (size_t)(slash - path));
	if (mkdir(dir, 0750) && errno != EEXIST) {
		fprintf(stderr, "dateline: cannot create folder '%s': %s\n", dir, strerror(errno));
		rc = 1;
	}
	free(dir);
	return rc;
}

void cli_progress_init(struct cli_progress *p, const char *cmd)
{
	*p = (struct cli_progress){ cmd, isatty(2), false, -1 };
}

void cli_progress_show(struct cli_progress *p, uint64_t done, uint64_t total, const char *fmt, ...)
{
	enum { WIDTH = 30 };
	int pct = total ? (int)(done >= total ? 100 : done * 100 / total) : 0;
	int filled = pct * WIDTH / 100;
	va_list ap;

	if (!p->on || (pct == p->last && done < total))
		return;
	p->last = pct;
	p->drawn = true;
	fprintf(stderr, "\rdateline %s: [%.*s%.*s] %3d%%  ", p->cmd, filled,
		"##############################", WIDTH - filled, "..............................",
		pct);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* Clear what a longer earlier line left behind. */
	fputs("\033[K", stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->drawn)
		fputc('\n', stderr);
	p->drawn = false;
	p->last = -1;
}
