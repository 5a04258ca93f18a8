/*
 * store.h - the newsroom's data: articles, categories, tags, authors, media,
 * ads, page views and settings, over the db interface.
 *
 * Every function takes the calling thread's connection. Reads copy what they
 * return into the caller's arena (nothing to free). Writes run in one
 * transaction each and bump the content generation in that transaction, so
 * any cache comparing store_generation() sees every committed change.
 * The store never builds HTML and never trusts callers for uniqueness: a
 * taken slug is DL_CONFLICT.
 */
#ifndef DL_STORE_H
#define DL_STORE_H

#include "core/compat.h"
#include "core/arena.h"
#include "core/slice.h"
#include "db/db.h"

extern const struct db_migration store_migrations[];
extern const size_t store_migrations_nr;

/* Apply pending migrations (idempotent). */
int store_migrate(struct db *db);

/* The id of the default category ("Uncategorized"). */
#define STORE_DEFAULT_CATEGORY 1

/* The content generation: changes whenever published content may have. */
int store_generation(struct db *db, int64_t *gen);
/* Bump it (inside the caller's transaction), notifying STORE_CONTENT_CHANNEL
 * at commit so other nodes on the same database hear of it. */
int store_bump_generation(struct db *db);
/* The notification channel of content writes (PostgreSQL LISTEN/NOTIFY). */
#define STORE_CONTENT_CHANNEL "dateline_content"
/*
 * End a content write begun with db_begin(): when rc is DL_OK, bump the
 * generation and commit; otherwise roll back. Returns the outcome.
 */
int store_write_end(struct db *db, int rc);

/* ---- settings ---- */

struct site_settings {
	char *title;
	char *tagline;
	char *timezone;       /* IANA name */
	char *locale;         /* "en-US" */
	char *base_url;       /* "" when links are relative to the request host */
	int64_t posts_per_page;
	int64_t must_read_count;
	int64_t latest_count;
	int64_t related_count;
	int64_t inline_ad_after; /* the in-story ad follows this paragraph */
	int64_t feed_items;       /* items per feed */
	int64_t feed_full_content; /* 1: whole articles in feeds, 0: excerpts */
};

/* Load every setting into `s` (arena copies), defaults for missing ones. */
int store_settings_load(struct db *db, struct arena *a, struct site_settings *s);
/* Set one setting by name (validated by the caller). */
int store_setting_set(struct db *db, const char *name, const char *value);

/* ---- taxonomy and people ---- */

struct store_category {
	int64_t id;
	struct slice slug, name, description;
	int64_t parent_id;
	int64_t count;  /* published articles, where a listing computed it */
};

struct store_tag {
	int64_t id;
	struct slice slug, name;
	int64_t count;  /* published articles, where a listing computed it */
};

struct store_author {
	int64_t id;
	struct slice slug, name, bio;
	int64_t photo_id;             /* 0: none (store_author_by_slug only) */
	struct slice photo_filename;
};

int store_category_by_slug(struct db *db, struct arena *a, struct slice slug,
			   struct store_category *out);
int store_category_by_id(struct db *db, struct arena *a, int64_t id, struct store_category *out);
/* Every category in display order (position, name), with published counts. */
int store_categories(struct db *db, struct arena *a, struct store_category **out, size_t *n);
/* Every tag by name, with published counts. */
int store_tags(struct db *db, struct arena *a, struct store_tag **out, size_t *n);
/* Every user with at least one published article, by name. */
int store_authors(struct db *db, struct arena *a, struct store_author **out, size_t *n);
int store_tag_by_slug(struct db *db, struct arena *a, struct slice slug, struct store_tag *out);
int store_author_by_slug(struct db *db, struct arena *a, struct slice slug,
			 struct store_author *out);

int store_category_create(struct db *db, const char *slug, const char *name,
			  const char *description, int64_t position, int64_t *id);
/* The id of the tag named `name` (slug derived by the caller), created if new. */
int store_tag_ensure(struct db *db, const char *slug, const char *name, int64_t *id);
int store_user_create(struct db *db, const char *email, const char *slug, const char *name,
		      const char *bio, const char *role, int64_t *id);

/* ---- media ---- */

struct store_media {
	int64_t id;
	struct slice filename, mime, alt, caption, credit;
	int64_t width, height;
	int64_t size;       /* bytes */
	bool variants;      /* responsive widths exist (see engine/media.h) */
	struct slice data;  /* only filled by store_media_get() */
};

int store_media_create(struct db *db, const struct store_media *m, int64_t *id);
/* The media item without its bytes. */
int store_media_info(struct db *db, struct arena *a, int64_t id, struct store_media *out);
/* The media item with its bytes. */
int store_media_get(struct db *db, struct arena *a, int64_t id, struct store_media *out);

/* ---- articles ---- */

struct store_article {
	int64_t id;
	struct slice slug, title, dek, excerpt;
	struct slice body_html;     /* only for full loads */
	struct slice seo_title, seo_description, note;  /* full loads only */
	int64_t note_at;
	int64_t published_at, updated_at, pinned_at;
	struct store_category category;  /* id, slug, name */
	struct store_author author;      /* id, slug, name (bio on full loads) */
	struct store_media image;        /* id 0 when none; no data */
	struct store_tag *tags;          /* full loads only */
	size_t ntags;
};

struct store_list {
	struct store_article *items;
	size_t nr;
	int64_t total;  /* matching rows in all pages, where asked for */
};

/* A published article by slug, with body, author bio, image and tags. */
int store_article_by_slug(struct db *db, struct arena *a, struct slice slug,
			  struct store_article *out);
/* The newest published articles (teasers), skipping `offset`. */
int store_latest(struct db *db, struct arena *a, int64_t limit, int64_t offset,
		 struct store_list *out);
/* Published archives with the total count for pagination. */
int store_by_category(struct db *db, struct arena *a, int64_t category_id, int64_t limit,
		      int64_t offset, struct store_list *out);
int store_by_tag(struct db *db, struct arena *a, int64_t tag_id, int64_t limit, int64_t offset,
		 struct store_list *out);
int store_by_author(struct db *db, struct arena *a, int64_t author_id, int64_t limit,
		    int64_t offset, struct store_list *out);
/* What a listing covers. */
enum store_scope { STORE_ALL, STORE_CATEGORY, STORE_TAG, STORE_AUTHOR };

/* The newest `limit` published articles in a scope (id: the category, tag
 * or author; ignored for STORE_ALL), with their bodies: for feeds. */
int store_feed(struct db *db, struct arena *a, enum store_scope scope, int64_t id, int64_t limit,
	       struct store_list *out);
/* One published article's address and dates, for sitemaps. */
struct store_url {
	struct slice category_slug, slug, title;
	int64_t published_at, updated_at;
};

/*
 * Call fn for published articles (valid for the call only): ordered by id
 * and skipping `offset` when since is 0 (sitemap pages); else those published
 * at or after `since`, newest first (the news sitemap). At most `limit`.
 */
int store_each_url(struct db *db, int64_t since, int64_t offset, int64_t limit,
		   void (*fn)(void *ctx, const struct store_url *u), void *ctx);
/* How many articles are published, and the newest update among the
 * `limit` published articles after `offset` in id order (0 if none). */
int store_published_count(struct db *db, int64_t *n);
int store_page_lastmod(struct db *db, int64_t offset, int64_t limit, int64_t *lastmod);
/* Published pinned articles, most recently pinned first. */
int store_pinned(struct db *db, struct arena *a, int64_t limit, struct store_list *out);
/* Published teasers for `ids`, in the order given (missing ones skipped). */
int store_by_ids(struct db *db, struct arena *a, const int64_t *ids, size_t n,
		 struct store_list *out);
/* The stored Related News for article `id`, best first. */
int store_related(struct db *db, struct arena *a, int64_t id, int64_t limit,
		  struct store_list *out);

/* Everything an article write stores; a NULL string is "". */
struct store_article_input {
	int64_t id;  /* store_edit_save(): 0 creates */
	const char *slug, *title, *dek, *excerpt;
	const char *body_source, *body_format, *body_html;
	const char *status;
	const char *seo_title, *seo_description;
	const char *note;         /* a correction or update note shown with the story */
	int64_t author_id, category_id, featured_media_id;  /* 0: none */
	int64_t published_at, pinned_at, note_at;           /* 0: none */
	int64_t updated_at;       /* 0: the publication time, or now */
	const char *const *tags;  /* tag names; slugs derived with store_slugify */
	size_t ntags;
	const char *index_text;   /* the body as plain text, for the full-text index */
	/* store_edit_save() of an existing article applies only while its status is
	 * still this (NULL: any), else DL_NOTFOUND and nothing changes: the
	 * scheduler's "still scheduled", checked under the write lock, so two
	 * schedulers racing publish once. */
	const char *expect_status;
};

/* How many articles exist, in any status. */
int store_article_count(struct db *db, int64_t *n);
/* Create an article with its tags and full-text entry. DL_CONFLICT: slug taken. */
int store_article_create(struct db *db, const struct store_article_input *in, int64_t *id);
/* Create `n` articles in one transaction (importers, generators): all or none. */
int store_articles_create(struct db *db, const struct store_article_input *in, size_t n,
			  int64_t *ids);

/* Replace the Related News of article `id`. */
int store_related_put(struct db *db, int64_t id, const int64_t *related, const double *scores,
		      size_t n);
/* Ids of every published article (for rebuilding derived data). */
int store_published_ids(struct db *db, int64_t **ids, size_t *n);
/* What Related News' index keeps of a published article besides its text. */
struct store_related_doc {
	int64_t id, category_id, published_at, updated_at;
};
/* The `limit` newest published articles, newest first (*docs in `a`). */
int store_related_window(struct db *db, struct arena *a, int64_t limit,
			 struct store_related_doc **docs, size_t *n);
/* Article `id`'s row; DL_NOTFOUND unless it is published. */
int store_related_doc(struct db *db, int64_t id, struct store_related_doc *out);

/* ---- filtered listings (the WordPress-compatible API) ---- */

#define STORE_FILTER_MAX 10

enum store_order { STORE_ORDER_DATE, STORE_ORDER_ID, STORE_ORDER_TITLE };

struct store_post_filter {
	int64_t categories[STORE_FILTER_MAX], tags[STORE_FILTER_MAX], authors[STORE_FILTER_MAX];
	size_t ncategories, ntags, nauthors;
	struct slice slugs[STORE_FILTER_MAX];
	size_t nslugs;
	int64_t id;              /* one article; 0: any */
	int64_t after, before;   /* published strictly after/before; 0: unbounded */
	struct slice search;     /* substring of title, excerpt or body; empty: any */
	enum store_order orderby;
	bool ascending;
	int64_t limit, offset;
};

/* Published articles matching every filter, with bodies and tags, and the
 * total count for pagination. */
int store_posts(struct db *db, struct arena *a, const struct store_post_filter *f,
		struct store_list *out);

/* ---- search ---- */

struct store_hit {
	int64_t id;
	struct slice snippet;   /* plain text; matches between \x01 and \x02 */
	struct store_article article;
};

/* Search ranks only this many of the newest matches (see DB_FTS_SEARCH_WINDOW). */
#define STORE_SEARCH_WINDOW DB_FTS_SEARCH_WINDOW

/*
 * Published articles matching reader query `q` (words and "phrases", all
 * required; anything else is a separator, so no query is an error): of the
 * STORE_SEARCH_WINDOW newest matches, the best first, `limit` after
 * `offset`, with the total for pagination: at most STORE_SEARCH_WINDOW + 1,
 * which means "more than STORE_SEARCH_WINDOW" (then exactly the window can
 * be paged through). A query with no words finds nothing.
 */
int store_search(struct db *db, struct arena *a, struct slice q, int64_t limit, int64_t offset,
		 struct store_hit **hits, size_t *n, int64_t *total);
/* The terms store_search() makes of `q` (for tests and highlighting). */
size_t store_search_terms(struct arena *a, struct slice q, const char **terms, size_t max);

/* ---- page views ---- */

/* Add counts[i] views of ids[i] on `day` (one transaction). */
int store_views_add(struct db *db, int64_t day, const int64_t *ids, const int64_t *counts,
		    size_t n);
/* The most-read published articles with views on days >= since_day. */
int store_most_read(struct db *db, int64_t since_day, int64_t limit, int64_t *ids, size_t *n);

/* ---- ads ---- */

struct store_ad {
	int64_t id;
	struct slice slot, kind, html, link_url, alt, name;
	int64_t slot_width, slot_height;
	int64_t media_id, weight, starts_at, ends_at, category_id;  /* 0: none */
	int64_t slot_id, active;            /* store_ads_all() and store_ad_get() */
	int64_t impressions, clicks;        /* store_ads_all(): since its day */
};

struct store_ad_slot {
	int64_t id, width, height;
	struct slice name, description;
};

/* Every active creative whose end date is not past `now` (the engine
 * filters start dates itself, so the set can be cached). */
int store_ads_active(struct db *db, struct arena *a, int64_t now, struct store_ad **out,
		     size_t *n);
int store_ad_slot_ensure(struct db *db, const char *name, int64_t width, int64_t height,
			 int64_t *id);
int store_ad_create(struct db *db, int64_t slot_id, const struct store_ad *ad, int64_t *id);
/* Add impressions/clicks for creatives on `day` (one transaction). */
int store_ad_stats_add(struct db *db, int64_t day, const int64_t *ids, const int64_t *impressions,
		       const int64_t *clicks, size_t n);
/* The link of an active creative (for the click redirect). */
int store_ad_link(struct db *db, struct arena *a, int64_t id, struct slice *link);

/* ---- WordPress import and export (store/wordpress.c) ---- */

/*
 * An import is one transaction: store_import_begin(), any number of the
 * writes below (each runs inside it), then store_import_end(), which bumps
 * the generation and commits when rc is DL_OK and otherwise rolls
 * everything back. Returns the outcome.
 */
int store_import_begin(struct db *db);
int store_import_end(struct db *db, int rc);

/*
 * The Dateline row WordPress object (kind, key) became, and the fingerprint
 * recorded with it (arena copy; NULL to skip). kind: "post", "page",
 * "attachment" (key: the post id), "category", "tag" (key: the slug),
 * "author" (key: the login). DL_NOTFOUND if it was never imported.
 */
int store_wp_find(struct db *db, struct arena *a, const char *kind, const char *key,
		  int64_t *id, struct slice *fingerprint);
/* Record (or move) the mapping of a WordPress object. */
int store_wp_record(struct db *db, const char *kind, const char *key, const char *guid,
		    int64_t id, const char *fingerprint);
/* The article imported from WordPress post or page `wp_id` (for /?p=). */
int store_wp_article(struct db *db, int64_t wp_id, int64_t *id);
/* The WordPress post id article `article_id` was imported from (0 and
 * DL_NOTFOUND if none). */
int store_wp_key_of(struct db *db, int64_t article_id, int64_t *wp_id);

/* Slug and e-mail namespaces, for store_slug_free(). */
enum store_slug_space {
	STORE_SLUG_ARTICLE, STORE_SLUG_CATEGORY, STORE_SLUG_USER, STORE_SLUG_EMAIL
};
/* Whether `slug` is unused in `space` by any row other than `self` (0: none). */
int store_slug_free(struct db *db, enum store_slug_space space, const char *slug, int64_t self,
		    bool *free_out);

/* Insert (id 0) or update row `id`; *out is the row's id. In the import's
 * transaction. An empty bio leaves an existing user's bio alone. */
int store_wp_category_put(struct db *db, int64_t id, const char *slug, const char *name,
			  const char *description, int64_t parent_id, int64_t *out);
int store_wp_user_put(struct db *db, int64_t id, const char *email, const char *slug,
		      const char *name, const char *bio, int64_t *out);
int store_wp_media_put(struct db *db, int64_t id, const struct store_media *m, int64_t *out);
/* The tag with `slug`, created if new, named `name`. */
int store_wp_tag_put(struct db *db, const char *slug, const char *name, int64_t *id);
/* Insert (id 0; as row `want_id` when that id is free) or update an article
 * with tags `tag_ids` (in->ntags must be 0), keeping its full-text entry in
 * step with its status. */
int store_wp_article_put(struct db *db, int64_t id, const struct store_article_input *in,
			 int64_t want_id, const int64_t *tag_ids, size_t ntags, int64_t *out);
int store_wp_set_featured(struct db *db, int64_t article_id, int64_t media_id);
/* An article's sanitised body (arena copy), and replacing it with one that
 * differs only in links (the full-text entry stays). */
int store_wp_body(struct db *db, struct arena *a, int64_t id, struct slice *html);
int store_wp_body_set(struct db *db, int64_t id, struct slice html);
/* The file name of media item `id` (arena copy), or DL_NOTFOUND. */
int store_wp_media_name(struct db *db, struct arena *a, int64_t id, struct slice *name);

/* An old site's path (decoded, no query string) now at `kind` ("article",
 * "category", "tag", "author", "media") `target_id`. */
int store_legacy_put(struct db *db, const char *path, const char *kind, int64_t target_id);
/* What old path `path` points at (arena copy of kind), or DL_NOTFOUND. */
int store_legacy_find(struct db *db, struct arena *a, struct slice path, struct slice *kind,
		      int64_t *target_id);

enum store_legacy_kind {
	STORE_LEGACY_ARTICLE, STORE_LEGACY_CATEGORY, STORE_LEGACY_TAG, STORE_LEGACY_AUTHOR,
	STORE_LEGACY_MEDIA
};

struct store_legacy {
	enum store_legacy_kind kind;
	int64_t id;
	struct store_article article;  /* ARTICLE: the published teaser */
	struct slice name;             /* the slug (category, tag, author) or file name (media) */
};

/* Where old path `path` leads now: DL_NOTFOUND when it is not an old path
 * or its target is gone (or an article is no longer published). A resized
 * upload ("/wp-content/uploads/…/photo-300x200.jpg") leads where its
 * original does. */
int store_legacy_resolve(struct db *db, struct arena *a, struct slice path,
			 struct store_legacy *out);

/* One article in any status, for the exporter. */
struct store_export_article {
	struct store_article art;  /* body_html and tags filled; published_at 0 if never */
	struct slice status, body_source, body_format, author_email;
	int64_t created_at;
};

/* Call fn for every article in id order (valid for the call only). */
int store_export_articles(struct db *db, void (*fn)(void *ctx, const struct store_export_article *e),
			  void *ctx);

/* Every media item without its bytes (size filled), by id. */
int store_media_all(struct db *db, struct arena *a, struct store_media **out, size_t *n);

/* ---- a whole site copied to another database (store/copy.c) ---- */

#define STORE_COPY_MAX_TABLES 32

struct store_copy_stats {
	size_t ntables;
	struct store_copy_table {
		const char *table;  /* static */
		int64_t rows;
	} tables[STORE_COPY_MAX_TABLES];  /* in copy (foreign-key) order */
	int64_t rows;     /* in all tables */
	int64_t indexed;  /* full-text entries rebuilt in the target */
};

/* How many users and articles `db` holds (migrations seed neither: both 0
 * is a site with nothing to lose). */
int store_site_size(struct db *db, int64_t *users, int64_t *articles);

/*
 * Copy every table of the site in `from` into `to`, both already migrated
 * to this binary's schema, in one transaction on `to` that first empties
 * every table (the rows migrations seed, or an older site the caller chose
 * to replace) and rebuilds `to`'s full-text index from `from`'s, entry by
 * entry. `from` is read in one transaction too, which holds its write lock:
 * one moment of a live site, whose writers wait meanwhile. Before committing, every table's
 * row count and the index's size in `to` are checked against `from`'s: a
 * difference is DL_INVALID naming the table. The content generation of
 * `to` ends one above `from`'s, so caches on `to` see a change.
 * progress (NULL: none) gets rows done of total, ctx passed through.
 * Fills *stats. Returns DL_OK, or the first error (logged) with `to`
 * unchanged: DL_CONFLICT when `to` is `from` under another name, or
 * another copy holds either (a cluster-wide lock kept until they close).
 */
int store_copy(struct db *from, struct db *to,
	       void (*progress)(void *ctx, uint64_t done, uint64_t total), void *ctx,
	       struct store_copy_stats *stats);

/* ---- helpers ---- */

/* Append a URL slug for `text` (lower-case ASCII, digits, '-'; Latin
 * diacritics folded; at most 80 bytes) to `out`. */
struct strbuf;
void store_slugify(const char *text, size_t len, struct strbuf *out);
/* True if `s` is a well-formed slug: [a-z0-9-], 1..80 bytes, no leading/trailing '-'. */
bool store_slug_valid(struct slice s);

#endif
