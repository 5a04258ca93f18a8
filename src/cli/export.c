/*
 * export.c - `dateline export static DIR`: the public site as plain files.
 *
 * The site renders itself: every page is a request run through the same
 * handlers as `serve` (http_local_request), so there is no second renderer
 * to drift. What to export is found by following links from the home page,
 * the feeds and the sitemaps, which also proves every internal link
 * resolves. URLs keep their shape: /a/b/ becomes a/b/index.html (index.xml
 * for feeds, index.json for JSON Feed); archive pages ?page=N become
 * page/N/ and links to them are rewritten. Search, the WordPress API and
 * ad click-through need a server and are left out.
 */
#include "core/compat.h"
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "http/http.h"
#include "render/theme.h"
#include "site/site.h"

/* Where the crawl starts; the rest is found by following links. */
static const char *const seeds[] = {
	"/", "/robots.txt", "/favicon.ico", "/sitemap.xml", "/sitemap/sections.xml",
	"/sitemap/news.xml", "/feed/", "/feed/atom/", "/feed/json/",
};

/* Links that need a live server. */
static const char *const dynamic_prefixes[] = { "/search/", "/wp-json/", "/ad/", "/?" };

struct crawl {
	pthread_mutex_t lock;  /* guards everything below but the config */
	pthread_cond_t more;   /* the queue grew, or a worker finished */
	size_t active;         /* pages being rendered */
	int rc;
	char **queue;          /* targets to render, in discovery order */
	size_t nqueue, alloc, next;
	char **seen;           /* open addressing over queue entries */
	size_t nseen_slots;
	const char *base;      /* absolute links starting with this are internal */
	size_t base_len;
	const char *dir;
	struct http_server_config *hc;
	size_t files, bytes, broken, redirects, skipped;
	struct cli_progress bar;  /* under the lock */
};

static bool seen_add(struct crawl *c, const char *t, size_t len)
{
	size_t h;

	if ((c->nqueue + 1) * 2 > c->nseen_slots) {
		char **old = c->seen;
		size_t n = c->nseen_slots;

		c->nseen_slots = n ? n * 2 : 4096;
		c->seen = xcalloc(c->nseen_slots, sizeof(*c->seen));
		for (size_t i = 0; i < n; i++) {
			if (!old[i])
				continue;
			h = (size_t)hash64(old[i], strlen(old[i])) & (c->nseen_slots - 1);
			while (c->seen[h])
				h = (h + 1) & (c->nseen_slots - 1);
			c->seen[h] = old[i];
		}
		free(old);
	}
	for (h = (size_t)hash64(t, len) & (c->nseen_slots - 1); c->seen[h];
	     h = (h + 1) & (c->nseen_slots - 1))
		if (!strncmp(c->seen[h], t, len) && !c->seen[h][len])
			return false;
	ALLOC_GROW(c->queue, c->nqueue + 1, c->alloc);
	c->queue[c->nqueue] = xmemdupz(t, len);
	c->seen[h] = c->queue[c->nqueue++];
	return true;
}

/*
 * Queue one link found in a page: internal, without fragment, without any
 * query but an archive's page number (asset links carry ?v=, which a file
 * server ignores anyway).
 */
static void enqueue(struct crawl *c, const char *p, size_t len)
{
	struct strbuf t = STRBUF_INIT;
	const char *q, *page;

	if (len >= c->base_len && c->base_len && !strncmp(p, c->base, c->base_len)) {
		p += c->base_len;
		len -= c->base_len;
	}
	if (!len || p[0] != '/' || (len > 1 && p[1] == '/'))
		return;  /* external, protocol-relative or relative */
	for (size_t i = 0; i < ARRAY_SIZE(dynamic_prefixes); i++) {
		size_t n = strlen(dynamic_prefixes[i]);
		if (len >= n && !strncmp(p, dynamic_prefixes[i], n)) {
			c->skipped++;
			return;
		}
	}
	/* HTML attribute values come escaped: &amp; is & */
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '#')
			break;
		if (p[i] == '&' && len - i >= 5 && !strncmp(p + i, "&amp;", 5)) {
			strbuf_addch(&t, '&');
			i += 4;
		} else {
			strbuf_addch(&t, p[i]);
		}
	}
	q = strchr(t.buf, '?');
	if (q) {
		page = strstr(q, "page=");
		if (page && (page == q + 1 || page[-1] == '&')) {
			size_t digits = strspn(page + 5, "0123456789");
			struct strbuf k = STRBUF_INIT;
			strbuf_add(&k, t.buf, (size_t)(q - t.buf));
			strbuf_addstr(&k, "?page=");
			strbuf_add(&k, page + 5, digits);
			strbuf_reset(&t);
			strbuf_add(&t, k.buf, k.len);
			strbuf_release(&k);
		} else {
			strbuf_setlen(&t, (size_t)(q - t.buf));
		}
	}
	seen_add(c, t.buf, t.len);
	strbuf_release(&t);
}

/* Every href="", src="" and <loc></loc> in a page. */
static void find_links(struct crawl *c, const char *body, size_t len)
{
	static const struct { const char *open; char close; } marks[] = {
		{ "href=\"", '"' }, { "src=\"", '"' }, { "<loc>", '<' },
	};

	for (size_t m = 0; m < ARRAY_SIZE(marks); m++) {
		size_t olen = strlen(marks[m].open);
		const char *p = body, *end = body + len;

		while ((p = memmem(p, (size_t)(end - p), marks[m].open, olen))) {
			const char *v = p + olen;
			const char *e = memchr(v, marks[m].close, (size_t)(end - v));
			if (!e)
				break;
			enqueue(c, v, (size_t)(e - v));
			p = e;
		}
	}
}

/* "/category/x/?page=2" links become "/category/x/page/2/" in the files. */
static void rewrite_page_links(const struct strbuf *in, struct strbuf *out)
{
	const char *p = in->buf, *end = in->buf + in->len, *hit;

	while ((hit = memmem(p, (size_t)(end - p), "/?page=", 7))) {
		size_t digits = strspn(hit + 7, "0123456789");

		strbuf_add(out, p, (size_t)(hit - p) + 1);
		if (digits) {
			strbuf_addstr(out, "page/");
			strbuf_add(out, hit + 7, digits);
			strbuf_addch(out, '/');
		} else {
			strbuf_add(out, hit + 1, 6);
		}
		p = hit + 7 + digits;
	}
	strbuf_add(out, p, (size_t)(end - p));
}

static int mkdirs(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = DL_OK;

	strbuf_addstr(&sb, path);
	for (size_t i = 1; i <= sb.len && !rc; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, 0755) && errno != EEXIST)
			rc = error("cannot create folder '%s': %s", sb.buf, strerror(errno));
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return rc;
}

/* The file a target is written to, under the export folder. */
static void file_for(const struct crawl *c, const char *target, const char *type,
		     struct strbuf *path)
{
	const char *q = strchr(target, '?');
	size_t n = q ? (size_t)(q - target) : strlen(target);

	strbuf_addstr(path, c->dir);
	strbuf_add(path, target, n);
	if (q && !strncmp(q, "?page=", 6))
		strbuf_addf(path, "page/%s/", q + 6);
	if (path->buf[path->len - 1] == '/') {
		if (type && strstr(type, "json"))
			strbuf_addstr(path, "index.json");
		else if (type && strstr(type, "xml"))
			strbuf_addstr(path, "index.xml");
		else
			strbuf_addstr(path, "index.html");
	}
}

static int write_file(struct crawl *c, const char *path, const struct strbuf *body)
{
	const char *slash = strrchr(path, '/');
	struct strbuf dir = STRBUF_INIT;
	FILE *f;
	int rc;

	f = fopen(path, "wb");
	if (!f && errno == ENOENT) {  /* the folder first, only when it is missing */
		strbuf_add(&dir, path, (size_t)(slash - path));
		rc = mkdirs(dir.buf);
		strbuf_release(&dir);
		if (rc)
			return rc;
		f = fopen(path, "wb");
	}
	if (!f)
		return error("cannot write '%s': %s", path, strerror(errno));
	if (fwrite(body->buf, 1, body->len, f) != body->len || fclose(f))
		return error("cannot write '%s': %s", path, strerror(errno));
	pthread_mutex_lock(&c->lock);
	c->files++;
	c->bytes += body->len;
	pthread_mutex_unlock(&c->lock);
	return DL_OK;
}

static bool is_text(const char *type)
{
	return type && (!strncmp(type, "text/", 5) || strstr(type, "xml") || strstr(type, "json"));
}

static void progress(struct crawl *c, bool done);

static int export_one(struct crawl *c, const char *target)
{
	struct http_local_result r;
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	int rc;

	/* HEAD: rendered in full, but no page view or ad impression is counted. */
	rc = http_local_request(c->hc, target, HTTP_HEAD, &r);
	if (rc || (r.status != 200 && !(r.status >= 301 && r.status <= 308))) {
		warning("export: %s answered %d; not exported", target, r.status);
		pthread_mutex_lock(&c->lock);
		c->broken++;
		pthread_mutex_unlock(&c->lock);
		http_local_result_release(&r);
		return DL_OK;
	}
	if (r.status != 200) {
		pthread_mutex_lock(&c->lock);
		c->redirects++;
		if (r.location)
			enqueue(c, r.location, strlen(r.location));
		pthread_mutex_unlock(&c->lock);
		http_local_result_release(&r);
		return DL_OK;
	}
	file_for(c, target, r.content_type, &path);
	if (is_text(r.content_type)) {
		pthread_mutex_lock(&c->lock);
		find_links(c, r.body.buf, r.body.len);
		pthread_cond_broadcast(&c->more);
		pthread_mutex_unlock(&c->lock);
		rewrite_page_links(&r.body, &out);
		rc = write_file(c, path.buf, &out);
	} else {
		rc = write_file(c, path.buf, &r.body);
	}
	strbuf_release(&path);
	strbuf_release(&out);
	http_local_result_release(&r);
	return rc;
}

/* One renderer: take the next target, export it, until the queue is empty and no
 * one else can add to it. */
static void *worker(void *arg)
{
	struct crawl *c = arg;
	bool tty = isatty(2);

	pthread_mutex_lock(&c->lock);
	for (;;) {
		const char *target;
		int rc;

		while (c->next >= c->nqueue && c->active && !c->rc)
			pthread_cond_wait(&c->more, &c->lock);
		if (c->next >= c->nqueue || c->rc)
			break;
		target = c->queue[c->next++];
		c->active++;
		if (tty && c->next % 100 == 0)
			progress(c, false);
		pthread_mutex_unlock(&c->lock);
		rc = export_one(c, target);
		pthread_mutex_lock(&c->lock);
		c->active--;
		if (rc && !c->rc)
			c->rc = rc;
		pthread_cond_broadcast(&c->more);
	}
	pthread_cond_broadcast(&c->more);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void progress(struct crawl *c, bool done)
{
	cli_progress_show(&c->bar, c->next, c->nqueue, "%zu/%zu pages", c->next, c->nqueue);
	if (done)
		cli_progress_end(&c->bar);
}

static struct cli_opt export_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "theme", "DIR", "theme folder (default: the built-in theme)", NULL, NULL },
	{ "base-url", "URL", "the address the files will be served at (default: the base_url setting)", NULL, NULL },
	{ "threads", "N", "pages rendered in parallel (0: one per core)", "0", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_export(int argc, char **argv)
{
	struct http_server_config hc = { 0 };
	struct engine_config ec = { 0 };
	struct crawl c = { 0 };
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	struct engine *engine = NULL;
	struct theme *theme = NULL;
	struct site *site = NULL;
	const struct engine_snapshot *snap;
	struct arena *a = NULL;
	const char *base;
	int64_t start = now_ms(), ms;
	bool tty = isatty(2);
	unsigned threads = 0, started;
	pthread_t *workers;
	int rc = 1;

	if (argc >= 1 && !strcmp(argv[0], "wxr"))
		return cmd_export_wxr(argc, argv);  /* a WordPress export: cli/wxr.c */
	pthread_mutex_init(&c.lock, NULL);
	cli_progress_init(&c.bar, "export");
	pthread_cond_init(&c.more, NULL);
	if (argc < 2 || strcmp(argv[0], "static") || !strncmp(argv[1], "--", 2)) {
		if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
			printf("usage: dateline export static DIR [options]\n");
			return cli_parse("export static", argc, argv, export_opts);
		}
		fprintf(stderr, "usage: dateline export static DIR [--db URL] [--theme DIR] [--base-url URL]\n"
				"       dateline export wxr FILE [--db URL] [--base-url URL] [--uploads DIR]\n");
		return 2;
	}
	if (cli_parse("export static", argc - 2, argv + 2, export_opts) ||
	    cli_uint(export_opts, "threads", 0, 64, &threads))
		return 2;
	strbuf_addstr(&dir, argv[1]);
	while (dir.len > 1 && dir.buf[dir.len - 1] == '/')
		strbuf_setlen(&dir, dir.len - 1);
	if (mkdirs(dir.buf))
		goto out;
	ec.db_url = cli_get(export_opts, "db");
	ec.flush_seconds = 3600;
	ec.cache_bytes = 0;  /* each page is rendered once anyway */
	if (!db_url_is_server(ec.db_url) &&
	    access(strncmp(ec.db_url, "sqlite:", 7) ? ec.db_url : ec.db_url + 7, R_OK)) {
		error("--db %s: %s", cli_db_shown(ec.db_url), strerror(errno));
		goto out;
	}
	if (!(engine = engine_new(&ec)))
		goto out;
	theme = theme_load(cli_get(export_opts, "theme"), &err);
	if (!theme) {
		error("%s", err.buf);
		goto out;
	}
	a = arena_new(0);
	snap = engine_snapshot(engine, a);
	if (!snap)
		goto out;
	base = cli_get(export_opts, "base-url");
	if (!base)
		base = *snap->settings.base_url ? snap->settings.base_url : "http://localhost";
	site = site_new(engine, theme, base);
	c.base = base;
	c.base_len = strlen(base);
	while (c.base_len && base[c.base_len - 1] == '/')
		c.base_len--;
	c.dir = dir.buf;
	c.hc = &hc;
	hc.methods = SITE_METHODS;
	hc.handler = site_handle;
	hc.error_page = site_error_page;
	hc.ctx = site;
	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++)
		seen_add(&c, seeds[i], strlen(seeds[i]));
	if (!threads) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	workers = xcalloc(threads, sizeof(*workers));
	for (started = 0; started < threads; started++)
		if (pthread_create(&workers[started], NULL, worker, &c))
			break;  /* fewer threads still finish the job */
	if (!started)
		worker(&c);
	for (unsigned i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
	free(workers);
	rc = c.rc;
	if (!rc) {
		/* The themed not-found page, for the web server's error_page. */
		struct http_local_result r;
		if (!http_local_request(&hc, "/dateline-export-not-found/page/", HTTP_HEAD, &r) &&
		    r.status == 404) {
			struct strbuf path = STRBUF_INIT;
			strbuf_addf(&path, "%s/404.html", dir.buf);
			rc = write_file(&c, path.buf, &r.body);
			strbuf_release(&path);
		}
		http_local_result_release(&r);
	}
	if (tty)
		progress(&c, true);
	ms = now_ms() - start;
	if (!rc)
		printf("dateline export: %zu files, %.1f MB in %s in %.2f s (%.0f pages/s);"
		       " %zu redirects followed, %zu broken links, %zu dynamic links left out\n",
		       c.files, (double)c.bytes / 1e6, dir.buf, (double)ms / 1000,
		       ms ? (double)c.files * 1000 / (double)ms : 0.0, c.redirects, c.broken,
		       c.skipped);
	rc = rc ? 1 : (c.broken ? 1 : 0);
out:
	arena_free(a);
	site_free(site);
	engine_free(engine);
	theme_free(theme);
	for (size_t i = 0; i < c.nqueue; i++)
		free(c.queue[i]);
	free(c.queue);
	free(c.seen);
	pthread_cond_destroy(&c.more);
	pthread_mutex_destroy(&c.lock);
	strbuf_release(&err);
	strbuf_release(&dir);
	return rc;
}
