/*
 * serve.c - `dateline serve` and `dateline init`.
 */
#include "core/compat.h"
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "cli/cli.h"
#include "admin/admin.h"
#include "engine/engine.h"
#include "engine/related.h"
#include "engine/scheduler.h"
#include "engine/settings.h"
#include "store/accounts.h"
#include "http/http.h"
#include "render/theme.h"
#include "site/site.h"
#include "store/store.h"

static struct cli_opt serve_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "db-replica", "URL", "a PostgreSQL read replica for the public site's reads", NULL, NULL },
	{ "listen", "ADDR:PORT", "public listener", CLI_DEFAULT_LISTEN, NULL },
	{ "admin-listen", "ADDR:PORT", "editorial listener (admin UI and write API), 'off' for none",
	  CLI_DEFAULT_ADMIN_LISTEN, NULL },
	{ "admin-https", NULL, "the editorial plane is behind HTTPS: Secure cookies", NULL, NULL },
	{ "max-upload-mb", "N", "the largest image upload, in megabytes", "20", NULL },
	{ "no-scheduler", NULL, "do not publish scheduled articles from this process", NULL, NULL },
	{ "theme", "DIR", "theme folder (default: the built-in theme)", NULL, NULL },
	{ "threads", "N", "HTTP worker threads (0: one per core)", "0", NULL },
	{ "timeout", "SECONDS", "close idle connections after this long", "30", NULL },
	{ "max-connections", "N", "concurrent connection limit", "4096", NULL },
	{ "access-log", "PATH", "access log file, '-' for stdout, 'off' for none", "-", NULL },
	{ "flush-seconds", "N", "how often page views are written to the database", "10", NULL },
	{ "cache-size", "MB", "page cache budget in MiB (0: no page cache)", "64", NULL },
	{ "log-level", "LEVEL", "debug, info, warning or error", "info", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int set_log_level(const char *v)
{
	static const char *const names[] = { "debug", "info", "warning", "error" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v, names[i])) {
			log_set_level((enum log_level)i);
			return 0;
		}
	}
	fprintf(stderr, "dateline: --log-level '%s': expected debug, info, warning or error\n", v);
	return 2;
}

static FILE *open_access_log(const char *v, bool *close_it)
{
	FILE *f;

	*close_it = false;
	if (!strcmp(v, "off"))
		return NULL;
	if (!strcmp(v, "-"))
		f = stdout;
	else if (!(f = fopen(v, "a")))
		return NULL;
	else
		*close_it = true;
	setvbuf(f, NULL, _IOLBF, 0);  /* a line per request, visible to tail -f */
	return f;
}

/* "http://127.0.0.1:8080" for listener "127.0.0.1:0" bound to 8080. */
static char *listener_url(const char *listen, int port)
{
	struct strbuf sb = STRBUF_INIT;
	size_t host = (size_t)(strrchr(listen, ':') - listen);

	strbuf_addstr(&sb, "http://");
	if (!host || !strncmp(listen, "0.0.0.0", host) || !strncmp(listen, "[::]", host))
		strbuf_addstr(&sb, "localhost");
	else
		strbuf_add(&sb, listen, host);
	strbuf_addf(&sb, ":%d", port);
	return strbuf_detach(&sb, NULL);
}

/* The editorial listener: its own server, same engine, never the public port. */
static int start_admin(struct engine *engine, const struct http_server_config *pub,
		       const char *public_url, struct admin **admin, struct http_server **srv,
		       char **url)
{
	struct admin_config ac = { cli_get(serve_opts, "admin-https") != NULL, public_url, 0 };
	struct http_server_config hc = *pub;
	unsigned mb;

	if (cli_uint(serve_opts, "max-upload-mb", 1, 1024, &mb))
		return DL_INVALID;
	ac.max_upload = (size_t)mb * 1024 * 1024;
	*admin = admin_new(engine, &ac);
	if (!*admin)
		return DL_ERR;
	hc.listen = cli_get(serve_opts, "admin-listen");
	/* Port 0 picks a free port for each: only a fixed port can clash. */
	if (!strcmp(hc.listen, pub->listen) && strcmp(strrchr(hc.listen, ':') ?: "", ":0"))
		return error("--admin-listen must differ from --listen: the editorial plane is "
			     "never served on the public listener");
	hc.threads = 2;
	hc.max_connections = 256;
	hc.max_body = ac.max_upload + 1024 * 1024;
	hc.methods = ADMIN_METHODS;
	hc.handler = admin_handle;
	hc.error_page = admin_error_page;
	hc.ctx = *admin;
	*srv = http_server_start(&hc);
	if (!*srv)
		return DL_ERR;
	*url = listener_url(hc.listen, http_server_port(*srv));
	return DL_OK;
}

/* With no account that can log in, say how to make the first one. */
static void hint_first_account(struct engine *engine)
{
	int64_t n = 0;

	if (!store_user_count(engine_db(engine), &n) && n > 0)
		return;
	fprintf(stderr, "No newsroom accounts yet. Create the first one with:\n"
			"  dateline user add --role admin you@example.org\n");
}

int cmd_serve(int argc, char **argv)
{
	struct http_server_config hc = { 0 };
	struct engine_config ec = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct engine *engine = NULL;
	struct theme *theme = NULL;
	struct site *site = NULL;
	struct http_server *srv = NULL, *admin_srv = NULL;
	struct admin *admin = NULL;
	struct scheduler *sched = NULL;
	struct related_keeper *keeper = NULL;
	bool close_log = false;
	char *listener = NULL, *admin_url = NULL;
	sigset_t sigs;
	int sig, rc = 1;
	unsigned threads = 0, timeout = 30, maxconn = 4096, flush = 10, cache_mb = 64;

	if (cli_parse("serve", argc, argv, serve_opts) ||
	    cli_uint(serve_opts, "threads", 0, 256, &threads) ||
	    cli_uint(serve_opts, "timeout", 1, 3600, &timeout) ||
	    cli_uint(serve_opts, "max-connections", 1, 1000000, &maxconn) ||
	    cli_uint(serve_opts, "flush-seconds", 1, 3600, &flush) ||
	    cli_uint(serve_opts, "cache-size", 0, 1048576, &cache_mb) ||
	    set_log_level(cli_get(serve_opts, "log-level")))
		return 2;
	/* Only the main thread's sigwait() sees these; every thread inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	ec.db_url = cli_get(serve_opts, "db");
	ec.db_replica_url = cli_get(serve_opts, "db-replica");
	ec.flush_seconds = flush;
	ec.cache_bytes = (size_t)cache_mb << 20;
	if (cli_prepare_db_dir(ec.db_url) || !(engine = engine_new(&ec)))
		goto out;
	theme = theme_load(cli_get(serve_opts, "theme"), &err);
	if (!theme) {
		error("%s", err.buf);
		goto out;
	}
	site = site_new(engine, theme, "http://localhost");
	hc.listen = cli_get(serve_opts, "listen");
	hc.threads = threads;
	hc.timeout_seconds = timeout;
	hc.max_connections = maxconn;
	hc.max_body = 0;  /* the public plane takes no request bodies */
	hc.methods = SITE_METHODS;
	hc.access_log = open_access_log(cli_get(serve_opts, "access-log"), &close_log);
	hc.handler = site_handle;
	hc.error_page = site_error_page;
	hc.ctx = site;
	if (!hc.access_log && strcmp(cli_get(serve_opts, "access-log"), "off")) {
		error("cannot open access log '%s': %s", cli_get(serve_opts, "access-log"),
		      strerror(errno));
		goto out;
	}
	srv = http_server_start(&hc);
	if (!srv)
		goto out;
	/* Until an operator sets base_url, absolute links name this listener. */
	listener = listener_url(hc.listen, http_server_port(srv));
	site_set_default_base_url(site, listener);
	/* The real port (the listener may have asked for port 0). */
	fprintf(stderr, "Dateline is serving the public site at %s/ (database %s)\n", listener,
		cli_db_shown(ec.db_url));
	if (strcmp(cli_get(serve_opts, "admin-listen"), "off")) {
		if (start_admin(engine, &hc, listener, &admin, &admin_srv, &admin_url))
			goto out;
		fprintf(stderr, "The newsroom (admin) is at %s/\n", admin_url);
		hint_first_account(engine);
	}
	if (!cli_get(serve_opts, "no-scheduler") && !(sched = scheduler_start(ec.db_url)))
		goto out;
	/* This process publishes: have Related News' index ready before the first story. */
	if (admin_srv || sched)
		keeper = related_keeper_start(ec.db_url);
	fflush(stderr);
	sigwait(&sigs, &sig);
	log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = 0;
out:
	related_keeper_stop(keeper);
	scheduler_stop(sched);
	http_server_stop(admin_srv);
	http_server_stop(srv);
	admin_free(admin);
	site_free(site);
	engine_free(engine);  /* writes the last page views */
	theme_free(theme);
	free(listener);
	free(admin_url);
	if (close_log)
		fclose(hc.access_log);
	strbuf_release(&err);
	return rc;
}

static struct cli_opt init_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "title", "TEXT", "the site's name", NULL, NULL },
	{ "tagline", "TEXT", "a line under the name", NULL, NULL },
	{ "timezone", "ZONE", "IANA time zone for dates, e.g. Europe/London", NULL, NULL },
	{ "locale", "TAG", "language of dates, e.g. en-US, en-GB, fr, de", NULL, NULL },
	{ "posts-per-page", "N", "articles per archive page (1-100)", NULL, NULL },
	{ "feed-content", "full|excerpt", "whole articles or excerpts in feeds", NULL, NULL },
	{ "base-url", "URL", "the site's public address for feeds and links, e.g. https://news.example.org", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Validate then store each setting given on the command line. */
static int init_settings(struct db *db)
{
	static const char *const names[] = { "title", "tagline", "timezone", "locale",
					     "posts-per-page", "feed-content", "base-url" };
	static const char *const keys[] = { "title", "tagline", "timezone", "locale",
					    "posts_per_page", "feed_full_content", "base_url" };
	struct arena *a = arena_new(4096);
	int rc = DL_OK;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(names); i++) {
		const char *v = cli_get(init_opts, names[i]), *stored, *why;

		if (!v)
			continue;
		if (!strcmp(names[i], "feed-content") && strcmp(v, "full") && strcmp(v, "excerpt"))
			why = "feed-content: expected full or excerpt";
		else
			why = settings_check(a, keys[i], v, &stored);
		if (why)
			rc = error("--%s '%s': %s", names[i], v, why);
		else
			rc = store_setting_set(db, keys[i], stored);
	}
	arena_free(a);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	const char *url;
	struct db *db = NULL;
	int rc;

	if (cli_parse("init", argc, argv, init_opts))
		return 2;
	url = cli_get(init_opts, "db");
	if (cli_prepare_db_dir(url) || db_open(url, &db))
		return 1;
	rc = store_migrate(db);
	if (!rc)
		rc = init_settings(db);
	db_close(db);
	if (rc)
		return 1;
	printf("dateline: database %s is ready\n", cli_db_shown(url));
	return 0;
}
