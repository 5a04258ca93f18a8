/*
 * benchdata.c - `dateline bench-data`: N realistic articles for benchmarks,
 * from the labelled BBC news corpus (headline + body), spread over sections,
 * authors, tags and the last months, rendered exactly as an editor's would be.
 */
#include "core/compat.h"
#include <dirent.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "cli/cli.h"
#include "engine/related.h"
#include "render/excerpt.h"
#include "render/html.h"
#include "render/markdown.h"
#include "store/store.h"

#define CORPUS_MAX_FILE (1024 * 1024)

struct source {
	char *topic;     /* the corpus folder: business, sport... */
	char *headline;
	char *body;      /* paragraphs separated by blank lines: Markdown as is */
};

struct corpus {
	struct source *docs;
	size_t nr, alloc;
};

static int read_text(const char *path, struct strbuf *sb)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;

	if (!f)
		return error("%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb->len < CORPUS_MAX_FILE)
		strbuf_add(sb, buf, n);
	fclose(f);
	return DL_OK;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load one topic folder (sorted, so runs are reproducible). */
static int load_topic(struct corpus *c, const char *dir, const char *topic)
{
	struct strbuf path = STRBUF_INIT;
	char **names = NULL;
	size_t nnames = 0, alloc = 0;
	struct dirent *de;
	DIR *d;
	int rc = DL_OK;

	strbuf_addf(&path, "%s/%s", dir, topic);
	if (!(d = opendir(path.buf))) {
		strbuf_release(&path);
		return DL_OK;
	}
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".txt")) {
			ALLOC_GROW(names, nnames + 1, alloc);
			names[nnames++] = xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, nnames, sizeof(*names), cmp_name);
	for (size_t i = 0; i < nnames; i++) {
		struct strbuf file = STRBUF_INIT, text = STRBUF_INIT;
		char *nl;

		strbuf_addf(&file, "%s/%s", path.buf, names[i]);
		if (!rc && !(rc = read_text(file.buf, &text)) && !utf8_valid(text.buf, text.len)) {
			warning("%s: not valid UTF-8; skipped", file.buf);
		} else if (!rc && (nl = strchr(text.buf, '\n'))) {
			ALLOC_GROW(c->docs, c->nr + 1, c->alloc);
			c->docs[c->nr].topic = xstrdup(topic);
			c->docs[c->nr].headline = xmemdupz(text.buf, (size_t)(nl - text.buf));
			c->docs[c->nr].body = xstrdup(nl + 1);
			c->nr++;
		}
		strbuf_release(&file);
		strbuf_release(&text);
		free(names[i]);
	}
	free(names);
	strbuf_release(&path);
	return rc;
}

static void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		free(c->docs[i].topic);
		free(c->docs[i].headline);
		free(c->docs[i].body);
	}
	free(c->docs);
}

static const char *const topics[] = { "business", "entertainment", "politics", "sport", "tech" };
static const char *const topic_names[] = { "Business", "Entertainment", "Politics", "Sport",
					   "Technology" };
static const char *const authors[][2] = {
	{ "alex-reporter", "Alex Reporter" }, { "sam-correspondent", "Sam Correspondent" },
	{ "jo-editor", "Jo Editor" }, { "kim-writer", "Kim Writer" },
};

static int setup_taxonomy(struct db *db, int64_t *cat_ids, int64_t *author_ids)
{
	int rc = DL_OK;

	for (size_t i = 0; i < ARRAY_SIZE(topics) && !rc; i++) {
		struct store_category c;
		struct arena *a = arena_new(0);
		if (!store_category_by_slug(db, a, slice_cstr(topics[i]), &c))
			cat_ids[i] = c.id;
		else
			rc = store_category_create(db, topics[i], topic_names[i], "", (int64_t)i, &cat_ids[i]);
		arena_free(a);
	}
	for (size_t i = 0; i < ARRAY_SIZE(authors) && !rc; i++) {
		struct store_author u;
		struct arena *a = arena_new(0);
		char email[64];
		snprintf(email, sizeof(email), "%s@example.org", authors[i][0]);
		if (!store_author_by_slug(db, a, slice_cstr(authors[i][0]), &u))
			author_ids[i] = u.id;
		else
			rc = store_user_create(db, email, authors[i][0], authors[i][1], "", "author",
					       &author_ids[i]);
		arena_free(a);
	}
	return rc;
}

static size_t topic_index(const char *topic)
{
	for (size_t i = 0; i < ARRAY_SIZE(topics); i++)
		if (!strcmp(topic, topics[i]))
			return i;
	return 0;
}

/* A corpus article rendered once: N articles reuse a few thousand sources. */
struct rendered {
	char *title, *html, *text, *excerpt;
};

static int render_source(const struct source *src, struct rendered *r)
{
	struct strbuf html = STRBUF_INIT, text = STRBUF_INIT, ex = STRBUF_INIT;
	struct strbuf title = STRBUF_INIT;
	int rc;

	md_smarten(src->headline, strlen(src->headline), &title);
	rc = md_render(src->body, strlen(src->body), &html);
	if (!rc)
		rc = html_to_text(html.buf, html.len, &text);
	if (!rc)
		excerpt_from_text(text.buf, text.len, 280, &ex);
	r->title = strbuf_detach(&title, NULL);
	r->html = strbuf_detach(&html, NULL);
	r->text = strbuf_detach(&text, NULL);
	r->excerpt = strbuf_detach(&ex, NULL);
	return rc;
}

static void rendered_free(struct rendered *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].title);
		free(r[i].html);
		free(r[i].text);
		free(r[i].excerpt);
	}
	free(r);
}

/* Fill `in` for article n from its source, strings in arena `a`. */
static void make_input(struct arena *a, const struct source *src, const struct rendered *r,
		       size_t n, int64_t now, const int64_t *cat_ids, const int64_t *author_ids,
		       int64_t spread, struct store_article_input *in)
{
	struct strbuf slug = STRBUF_INIT;
	const char **tags = ARENA_NEW_ARRAY(a, const char *, 2);

	store_slugify(src->headline, strlen(src->headline), &slug);
	strbuf_setlen(&slug, slug.len > 70 ? 70 : slug.len);
	strbuf_addf(&slug, "%sarticle-%zu", slug.len ? "-" : "", n);
	/* 200 tags, each shared by about 1 in 100 articles */
	tags[0] = arena_printf(a, "%s topic %zu", src->topic, (n * 7) % 40);
	tags[1] = arena_printf(a, "Theme %zu", (n * 13) % 200);
	memset(in, 0, sizeof(*in));
	in->slug = arena_strndup(a, slug.buf, slug.len);
	in->title = r->title;
	in->excerpt = r->excerpt;
	in->body_source = src->body;
	in->body_format = "markdown";
	in->body_html = r->html;
	in->index_text = r->text;
	in->status = "published";
	in->author_id = author_ids[n % ARRAY_SIZE(authors)];
	in->category_id = cat_ids ? cat_ids[topic_index(src->topic)] : STORE_DEFAULT_CATEGORY;
	in->published_at = now - (int64_t)(n * (uint64_t)spread % (uint64_t)(90 * 86400)) - 60;
	in->tags = tags;
	in->ntags = 2;
	strbuf_release(&slug);
}

/* Articles go in batches, one transaction each: a commit per article would
 * spend most of the time syncing the write-ahead log. */
#define BATCH 1000

static int add_articles(struct db *db, const struct corpus *c, unsigned n, int64_t now,
			const int64_t *cat_ids, const int64_t *author_ids)
{
	struct rendered *r = xcalloc(c->nr, sizeof(*r));
	struct store_article_input *in = xcalloc(BATCH, sizeof(*in));
	int64_t *ids = xcalloc(BATCH, sizeof(*ids));
	struct arena *a = arena_new(0);
	int rc = DL_OK;

	for (unsigned i = 0; i < n && !rc; i += BATCH) {
		unsigned k = n - i < BATCH ? n - i : BATCH;

		for (unsigned j = 0; j < k && !rc; j++) {
			/* Interleave topics so every section fills evenly. */
			size_t sidx = ((i + j) * 613u) % c->nr;

			if (!r[sidx].title)
				rc = render_source(&c->docs[sidx], &r[sidx]);
			make_input(a, &c->docs[sidx], &r[sidx], i + j, now, cat_ids, author_ids, 97,
				   &in[j]);
		}
		if (!rc)
			rc = store_articles_create(db, in, k, ids);
		if (rc == DL_CONFLICT)
			rc = error("articles %u-%u: a slug is taken (was bench-data already run on this database?)",
				   i, i + k - 1);
		arena_reset(a);
		if (isatty(2))
			fprintf(stderr, "\rdateline bench-data: %u/%u articles", i + k, n);
	}
	arena_free(a);
	free(ids);
	free(in);
	rendered_free(r, c->nr);
	return rc;
}

static struct cli_opt opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "articles", "N", "how many articles to add (0: each corpus article once)", "10000", NULL },
	{ "corpus", "DIR", "the BBC news corpus folder", "../shared/corpora/bbc-news", NULL },
	{ "related", NULL, "also compute Related News for every article (slow for large N)", NULL, NULL },
	{ "no-rerank", NULL, "with --related: cosine order alone (to measure what re-ranking adds)", NULL, NULL },
	{ "no-categories", NULL, "put every article in Uncategorized (to measure Related News on text alone)", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void progress(size_t done, size_t total)
{
	if (done % 500 == 0 || done == total)
		fprintf(stderr, "\rdateline bench-data: Related News %zu/%zu", done, total);
	if (done == total)
		fputc('\n', stderr);
}

int cmd_bench_data(int argc, char **argv)
{
	struct corpus c = { 0 };
	struct db *db = NULL;
	int64_t cat_ids[ARRAY_SIZE(topics)], author_ids[ARRAY_SIZE(authors)];
	int64_t now = (int64_t)time(NULL);
	unsigned n = 0;
	const char *url;
	int rc = DL_OK;

	if (cli_parse("bench-data", argc, argv, opts) || cli_uint(opts, "articles", 0, 10000000, &n))
		return 2;
	for (size_t i = 0; i < ARRAY_SIZE(topics) && !rc; i++)
		rc = load_topic(&c, cli_get(opts, "corpus"), topics[i]);
	if (!rc && !c.nr)
		rc = error("--corpus %s: no articles found (expected <topic>/NNN.txt files)",
			   cli_get(opts, "corpus"));
	if (!n)
		n = (unsigned)c.nr;
	url = cli_get(opts, "db");
	if (!rc && (cli_prepare_db_dir(url) || db_open(url, &db)))
		rc = DL_ERR;
	if (!rc)
		rc = store_migrate(db);
	if (!rc)
		rc = db_set_bulk(db, true);
	if (!rc)
		rc = setup_taxonomy(db, cat_ids, author_ids);
	if (!rc)
		rc = add_articles(db, &c, n, now, cli_get(opts, "no-categories") ? NULL : cat_ids,
				  author_ids);
	if (isatty(2))
		fputc('\n', stderr);
	if (!rc && cli_get(opts, "related"))
		rc = related_rebuild(db, RELATED_STORED, !cli_get(opts, "no-rerank"),
				     isatty(2) ? progress : NULL);
	if (db)
		db_set_bulk(db, false);
	db_close(db);
	corpus_free(&c);
	if (rc)
		return 1;
	printf("dateline bench-data: added %u articles to %s\n", n, cli_db_shown(url));
	return 0;
}
