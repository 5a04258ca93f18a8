/*
 * demo.c - `dateline demo`: the demo newsroom (demo/ in the source tree,
 * compiled into the binary), written into an empty database.
 *
 * Everything is parsed and rendered first and only then written, so a
 * broken demo file stops the command before the database is touched.
 */
#include "core/compat.h"
#include <unistd.h>
#include "core/alloc.h"
#include "core/arena.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "cli/cli.h"
#include "engine/related.h"
#include "render/excerpt.h"
#include "render/html.h"
#include "render/markdown.h"
#include "render/theme.h"
#include "store/store.h"

#define FIELD_MAX 24

/* "key: value" lines, then "---", then the body. */
struct doc {
	const char *file;
	struct slice keys[FIELD_MAX], values[FIELD_MAX];
	size_t nfields;
	struct slice body;
};

static const struct embedded_file *find_file(const char *path)
{
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (!strcmp(f->path, path))
			return f;
	return NULL;
}

static struct slice trim(struct slice s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t'))
		s.p++, s.len--;
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r'))
		s.len--;
	return s;
}

static int parse_doc(const struct embedded_file *f, struct doc *d)
{
	const char *p = (const char *)f->data, *end = p + f->len;
	int line = 0;

	memset(d, 0, sizeof(*d));
	d->file = f->path;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct slice l = { p, (size_t)((nl ? nl : end) - p) };
		const char *colon;

		line++;
		p = nl ? nl + 1 : end;
		if (slice_eq_str(trim(l), "---")) {
			d->body = (struct slice){ p, (size_t)(end - p) };
			return DL_OK;
		}
		if (!trim(l).len)
			continue;
		colon = memchr(l.p, ':', l.len);
		if (!colon || d->nfields == FIELD_MAX)
			return error("%s:%d: expected 'key: value' or '---'", f->path, line);
		d->keys[d->nfields] = trim((struct slice){ l.p, (size_t)(colon - l.p) });
		d->values[d->nfields] = trim((struct slice){ colon + 1, (size_t)(l.p + l.len - colon - 1) });
		d->nfields++;
	}
	d->body = (struct slice){ end, 0 };
	return DL_OK;
}

/* The value of `key` as an arena string, or NULL when absent or empty. */
static const char *field(struct arena *a, const struct doc *d, const char *key)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (slice_eq_str(d->keys[i], key))
			return d->values[i].len ? arena_strndup(a, d->values[i].p, d->values[i].len) : NULL;
	return NULL;
}

/* Split a '|'-separated line into at most `max` fields. */
static size_t split_bars(struct slice line, struct slice *out, size_t max)
{
	size_t n = 0;
	const char *p = line.p, *end = line.p + line.len;

	while (n < max) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		out[n++] = trim((struct slice){ p, (size_t)((bar ? bar : end) - p) });
		if (!bar)
			break;
		p = bar + 1;
	}
	return n;
}

/* Call fn for each non-empty line of an embedded text file. */
static int each_line(const char *path, int (*fn)(void *, struct slice *, size_t, int), void *ctx,
		     size_t nfields)
{
	const struct embedded_file *f = find_file(path);
	const char *p, *end;
	int line = 0, rc;

	if (!f)
		return error("demo file %s is missing from this build", path);
	p = (const char *)f->data;
	end = p + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct slice l = trim((struct slice){ p, (size_t)((nl ? nl : end) - p) });
		struct slice fields[8];

		line++;
		p = nl ? nl + 1 : end;
		if (!l.len || l.p[0] == '#')
			continue;
		if (split_bars(l, fields, 8) != nfields)
			return error("%s:%d: expected %zu fields separated by '|'", path, line, nfields);
		rc = fn(ctx, fields, nfields, line);
		if (rc)
			return rc;
	}
	return DL_OK;
}

struct demo {
	struct db *db;
	struct arena *a;
	int64_t now;
	size_t ncategories, nauthors, narticles, nads, nmedia;
};

static char *dup_slice(struct demo *d, struct slice s)
{
	return arena_strndup(d->a, s.p, s.len);
}

static int add_category(void *ctx, struct slice *f, size_t n, int line)
{
	struct demo *d = ctx;
	int64_t id;
	int rc = store_category_create(d->db, dup_slice(d, f[0]), dup_slice(d, f[1]),
				       dup_slice(d, f[2]), (int64_t)(d->ncategories + 1) * 10, &id);

	if (rc)
		return error("demo/categories.txt:%d: cannot create category '%.*s' (%s)", line,
			     (int)f[0].len, f[0].p, dl_rc_name(rc));
	d->ncategories++;
	return DL_OK;
}

static int add_author(void *ctx, struct slice *f, size_t n, int line)
{
	struct demo *d = ctx;
	int64_t id;
	int rc = store_user_create(d->db, dup_slice(d, f[2]), dup_slice(d, f[0]), dup_slice(d, f[1]),
				   dup_slice(d, f[4]), dup_slice(d, f[3]), &id);

	if (rc)
		return error("demo/authors.txt:%d: cannot create author '%.*s' (%s)", line,
			     (int)f[0].len, f[0].p, dl_rc_name(rc));
	d->nauthors++;
	return DL_OK;
}

static int lookup_user(struct demo *d, const char *slug, int64_t *id)
{
	struct store_author u;
	int rc = store_author_by_slug(d->db, d->a, slice_cstr(slug), &u);

	*id = u.id;
	return rc;
}

static int lookup_category(struct demo *d, const char *slug, int64_t *id)
{
	struct store_category c;
	int rc;

	if (!slug) {
		*id = STORE_DEFAULT_CATEGORY;
		return DL_OK;
	}
	rc = store_category_by_slug(d->db, d->a, slice_cstr(slug), &c);
	*id = c.id;
	return rc;
}

/* Width and height from an SVG's viewBox="0 0 W H". */
static void svg_size(const struct embedded_file *f, int64_t *w, int64_t *h)
{
	const char *vb = strstr((const char *)f->data, "viewBox=\"");
	double x, y, ww, hh;

	*w = *h = 0;
	if (vb && sscanf(vb + 9, "%lf %lf %lf %lf", &x, &y, &ww, &hh) == 4) {
		*w = (int64_t)ww;
		*h = (int64_t)hh;
	}
}

static int add_media(struct demo *d, const char *doc, const char *name, const char *alt,
		     const char *caption, const char *credit, int64_t *id)
{
	const struct embedded_file *f;
	struct store_media m = { 0 };
	char *path = arena_printf(d->a, "demo/media/%s", name);
	int rc;

	f = find_file(path);
	if (!f || strstr(name, ".."))
		return error("%s: image '%s' is not in demo/media/", doc, name);
	m.filename = slice_cstr(name);
	m.mime = slice_cstr(theme_content_type(name));
	svg_size(f, &m.width, &m.height);
	m.alt = slice_cstr(alt ? alt : "");
	m.caption = slice_cstr(caption ? caption : "");
	m.credit = slice_cstr(credit ? credit : "");
	m.data = (struct slice){ (const char *)f->data, f->len };
	rc = store_media_create(d->db, &m, id);
	if (rc)
		return error("%s: cannot store image '%s' (%s)", doc, name, dl_rc_name(rc));
	d->nmedia++;
	return DL_OK;
}

struct demo_article {
	struct doc doc;
	const char *slug, *title, *dek, *category, *author, *image, *caption, *credit;
	const char *tags[16];
	size_t ntags;
	int64_t age;       /* seconds before now */
	bool pinned;
	char *html, *text, *excerpt;
};

/* "30h" or "3d" (also "45m"). */
static int parse_age(const char *v, int64_t *out)
{
	size_t n = v ? strlen(v) : 0;
	int64_t num, unit;

	if (n < 2)
		return DL_INVALID;
	unit = v[n - 1] == 'd' ? 86400 : v[n - 1] == 'h' ? 3600 : v[n - 1] == 'm' ? 60 : 0;
	if (!unit || slice_to_int64((struct slice){ v, n - 1 }, 0, 3650, &num))
		return DL_INVALID;
	*out = num * unit;
	return DL_OK;
}

static char *smarten(struct arena *a, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *r;

	if (!s)
		return NULL;
	md_smarten(s, strlen(s), &sb);
	r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

/* Parse and render one article file; nothing is written yet. */
static int prepare_article(struct demo *d, const struct embedded_file *f, struct demo_article *art)
{
	static const char *const known[] = { "title", "dek", "category", "author", "tags", "age",
					     "pinned", "image", "caption", "credit" };
	const char *base = strrchr(f->path, '/') + 1, *dash = strchr(base, '-');
	const char *tags, *pinned;
	struct strbuf html = STRBUF_INIT, text = STRBUF_INIT, ex = STRBUF_INIT;
	int rc;

	memset(art, 0, sizeof(*art));
	if (parse_doc(f, &art->doc))
		return DL_INVALID;
	for (size_t i = 0; i < art->doc.nfields; i++) {
		bool ok = false;
		for (size_t j = 0; j < ARRAY_SIZE(known); j++)
			ok |= slice_eq_str(art->doc.keys[i], known[j]);
		if (!ok)
			return error("%s: unknown field '%.*s'", f->path, (int)art->doc.keys[i].len,
				     art->doc.keys[i].p);
	}
	art->slug = arena_strndup(d->a, dash ? dash + 1 : base,
				  strlen(dash ? dash + 1 : base) - strlen(".md"));
	art->title = smarten(d->a, field(d->a, &art->doc, "title"));
	art->dek = smarten(d->a, field(d->a, &art->doc, "dek"));
	art->category = field(d->a, &art->doc, "category");
	art->author = field(d->a, &art->doc, "author");
	art->image = field(d->a, &art->doc, "image");
	art->caption = smarten(d->a, field(d->a, &art->doc, "caption"));
	art->credit = field(d->a, &art->doc, "credit");
	pinned = field(d->a, &art->doc, "pinned");
	art->pinned = pinned && !strcmp(pinned, "yes");
	if (!art->title || !art->author || !store_slug_valid(slice_cstr(art->slug)))
		return error("%s: needs a title, an author and a slug-shaped file name", f->path);
	if (parse_age(field(d->a, &art->doc, "age"), &art->age))
		return error("%s: field 'age' must look like 30h or 3d", f->path);
	tags = field(d->a, &art->doc, "tags");
	while (tags && *tags && art->ntags < ARRAY_SIZE(art->tags)) {
		const char *comma = strchr(tags, ',');
		struct slice t = trim((struct slice){ tags, comma ? (size_t)(comma - tags) : strlen(tags) });
		if (t.len)
			art->tags[art->ntags++] = arena_strndup(d->a, t.p, t.len);
		tags = comma ? comma + 1 : NULL;
	}
	rc = md_render(art->doc.body.p, art->doc.body.len, &html);
	if (!rc)
		rc = html_to_text(html.buf, html.len, &text);
	if (rc) {
		strbuf_release(&html);
		strbuf_release(&text);
		return error("%s: the body is %s", f->path,
			     rc == DL_TOOBIG ? "too large" : "not valid UTF-8");
	}
	excerpt_from_text(text.buf, text.len, 280, &ex);
	art->html = arena_strndup(d->a, html.buf, html.len);
	art->text = arena_strndup(d->a, text.buf, text.len);
	art->excerpt = arena_strndup(d->a, ex.buf, ex.len);
	strbuf_release(&html);
	strbuf_release(&text);
	strbuf_release(&ex);
	return DL_OK;
}

static int write_article(struct demo *d, struct demo_article *art)
{
	struct store_article_input in = { 0 };
	int64_t id, media = 0;
	int rc;

	rc = lookup_user(d, art->author, &in.author_id);
	if (rc)
		return error("%s: no author '%s' in demo/authors.txt", art->doc.file, art->author);
	rc = lookup_category(d, art->category, &in.category_id);
	if (rc)
		return error("%s: no category '%s' in demo/categories.txt", art->doc.file, art->category);
	if (art->image) {
		rc = add_media(d, art->doc.file, art->image, art->caption, art->caption, art->credit,
			       &media);
		if (rc)
			return rc;
	}
	in.slug = art->slug;
	in.title = art->title;
	in.dek = art->dek;
	in.excerpt = art->excerpt;
	in.body_source = arena_strndup(d->a, art->doc.body.p, art->doc.body.len);
	in.body_format = "markdown";
	in.body_html = art->html;
	in.index_text = art->text;
	in.status = "published";
	in.featured_media_id = media;
	in.published_at = d->now - art->age;
	in.pinned_at = art->pinned ? in.published_at : 0;
	in.tags = art->tags;
	in.ntags = art->ntags;
	rc = store_article_create(d->db, &in, &id);
	if (rc)
		return error("%s: cannot store the article (%s)", art->doc.file, dl_rc_name(rc));
	d->narticles++;
	return DL_OK;
}

static const struct { const char *name; int64_t w, h; } slot_sizes[] = {
	{ "home-top", 728, 90 },
	{ "article-top", 728, 90 },
	{ "article-inline", 300, 250 },
	{ "article-bottom", 728, 90 },
	{ "sidebar", 300, 250 },
};

static int write_ad(struct demo *d, const struct embedded_file *f)
{
	struct doc doc;
	struct store_ad ad = { 0 };
	const char *slot, *kind, *weight, *category, *image;
	struct strbuf html = STRBUF_INIT;
	int64_t slot_id = 0, w;
	int rc;

	if (parse_doc(f, &doc))
		return DL_INVALID;
	slot = field(d->a, &doc, "slot");
	kind = field(d->a, &doc, "kind");
	weight = field(d->a, &doc, "weight");
	category = field(d->a, &doc, "category");
	image = field(d->a, &doc, "image");
	for (size_t i = 0; slot && i < ARRAY_SIZE(slot_sizes) && !slot_id; i++)
		if (!strcmp(slot, slot_sizes[i].name) &&
		    (rc = store_ad_slot_ensure(d->db, slot, slot_sizes[i].w, slot_sizes[i].h, &slot_id)))
			return rc;
	if (!slot_id)
		return error("%s: unknown slot '%s'", f->path, slot ? slot : "");
	if (!kind || (strcmp(kind, "html") && strcmp(kind, "image")))
		return error("%s: kind must be html or image", f->path);
	if (slice_to_int64(slice_cstr(weight ? weight : "1"), 1, 1000, &w))
		return error("%s: weight must be 1 to 1000", f->path);
	ad.name = slice_cstr(strrchr(f->path, '/') + 1);
	ad.kind = slice_cstr(kind);
	ad.weight = w;
	ad.link_url = slice_cstr(field(d->a, &doc, "link") ? field(d->a, &doc, "link") : "");
	ad.alt = slice_cstr(field(d->a, &doc, "alt") ? field(d->a, &doc, "alt") : "");
	if (category && (rc = lookup_category(d, category, &ad.category_id)))
		return error("%s: no category '%s'", f->path, category);
	if (!strcmp(kind, "image")) {
		if (!image || !ad.alt.len)
			return error("%s: an image ad needs 'image' and 'alt'", f->path);
		rc = add_media(d, f->path, image, ad.alt.p, "", "", &ad.media_id);
		if (rc)
			return rc;
	} else if ((rc = html_sanitize(doc.body.p, doc.body.len, &html))) {
		return error("%s: the creative is %s", f->path,
			     rc == DL_TOOBIG ? "too large" : "not valid UTF-8");
	}
	ad.html = (struct slice){ html.buf, html.len };
	rc = store_ad_create(d->db, slot_id, &ad, &w);
	strbuf_release(&html);
	if (rc)
		return error("%s: cannot store the ad (%s)", f->path, dl_rc_name(rc));
	d->nads++;
	return DL_OK;
}

static int load_settings(struct demo *d)
{
	const struct embedded_file *f = find_file("demo/site.txt");
	static const char *const keys[] = { "title", "tagline", "timezone", "locale",
					    "posts_per_page" };
	struct doc doc;
	int rc;

	if (!f || parse_doc(f, &doc))
		return error("demo/site.txt is missing or malformed");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = field(d->a, &doc, keys[i]);
		if (v && (rc = store_setting_set(d->db, keys[i], v)))
			return rc;
	}
	return DL_OK;
}

static void progress(size_t done, size_t total)
{
	fprintf(stderr, "\rdateline demo: Related News %zu/%zu", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static int demo_fill(struct demo *d)
{
	struct demo_article *arts = NULL;
	size_t narts = 0, alloc = 0;
	int rc = DL_OK;

	/* Parse and render everything before the first write. */
	for (const struct embedded_file *f = embedded_files; f->path && !rc; f++) {
		if (strncmp(f->path, "demo/articles/", 14))
			continue;
		ALLOC_GROW(arts, narts + 1, alloc);
		rc = prepare_article(d, f, &arts[narts++]);
	}
	if (!rc && narts == 0)
		rc = error("this build has no demo articles");
	if (!rc)
		rc = load_settings(d);
	if (!rc)
		rc = each_line("demo/categories.txt", add_category, d, 3);
	if (!rc)
		rc = each_line("demo/authors.txt", add_author, d, 5);
	for (size_t i = 0; i < narts && !rc; i++)
		rc = write_article(d, &arts[i]);
	for (const struct embedded_file *f = embedded_files; f->path && !rc; f++)
		if (!strncmp(f->path, "demo/ads/", 9))
			rc = write_ad(d, f);
	if (!rc)
		rc = related_rebuild(d->db, RELATED_STORED, true, isatty(2) ? progress : NULL);
	free(arts);
	return rc;
}

static struct cli_opt demo_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

int cmd_demo(int argc, char **argv)
{
	struct demo d = { 0 };
	const char *url;
	int64_t count;
	int rc;

	if (cli_parse("demo", argc, argv, demo_opts))
		return 2;
	url = cli_get(demo_opts, "db");
	if (cli_prepare_db_dir(url) || db_open(url, &d.db))
		return 1;
	rc = store_migrate(d.db);
	if (!rc)
		rc = store_article_count(d.db, &count);
	if (!rc && count) {
		fprintf(stderr, "dateline demo: %s already has %" PRId64 " articles; the demo only fills an empty database\n",
			cli_db_shown(url), count);
		db_close(d.db);
		return 1;
	}
	d.a = arena_new(0);
	d.now = (int64_t)time(NULL);
	if (!rc)
		rc = demo_fill(&d);
	db_close(d.db);
	arena_free(d.a);
	if (rc) {
		fprintf(stderr, "dateline demo: failed; see the messages above\n");
		return 1;
	}
	printf("dateline demo: %s now has %zu articles in %zu sections, %zu authors, %zu images and %zu ads\n",
	       cli_db_shown(url), d.narticles, d.ncategories, d.nauthors, d.nmedia, d.nads);
	return 0;
}
