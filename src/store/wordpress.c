/*
 * wordpress.c - what a WordPress import writes and an export reads: the map
 * from WordPress objects to Dateline rows, writes that update in place, the
 * old site's paths, and full listings (every status) for the exporter.
 *
 * Import writes run inside the one transaction store_import_begin() opens,
 * so a failed run leaves the database as it was.
 */
#include "core/compat.h"
#include <ctype.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "store/internal.h"

static const char SQL_WP_FIND[] =
	"SELECT target_id, fingerprint FROM wp_objects WHERE kind = ? AND wp_key = ?";
static const char SQL_WP_RECORD[] =
	"INSERT INTO wp_objects (kind, wp_key, guid, target_id, fingerprint) VALUES (?, ?, ?, ?, ?)"
	" ON CONFLICT (kind, wp_key) DO UPDATE SET guid = excluded.guid,"
	" target_id = excluded.target_id, fingerprint = excluded.fingerprint";
static const char SQL_WP_ARTICLE[] =
	"SELECT o.target_id FROM wp_objects o JOIN articles a ON a.id = o.target_id"
	" WHERE o.kind IN ('post', 'page') AND o.wp_key = ?";
static const char SQL_WP_KEY_OF[] =
	"SELECT wp_key FROM wp_objects WHERE kind IN ('post', 'page') AND target_id = ?";
/* Another article's old slug still answers for it: taken too. */
static const char SQL_ARTICLE_SLUG_TAKEN[] =
	"SELECT (SELECT COUNT(*) FROM articles WHERE slug = ? AND id <> ?)"
	" + (SELECT COUNT(*) FROM slug_redirects WHERE slug = ? AND article_id <> ?)";
static const char SQL_CATEGORY_SLUG_TAKEN[] =
	"SELECT COUNT(*) FROM categories WHERE slug = ? AND id <> ?";
static const char SQL_USER_SLUG_TAKEN[] = "SELECT COUNT(*) FROM users WHERE slug = ? AND id <> ?";
static const char SQL_USER_EMAIL_TAKEN[] =
	"SELECT COUNT(*) FROM users WHERE email = ? AND id <> ?";
static const char SQL_CATEGORY_INSERT[] =
	"INSERT INTO categories (slug, name, description, parent_id, position)"
	" VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char SQL_CATEGORY_UPDATE[] =
	"UPDATE categories SET slug = ?, name = ?, description = ?, parent_id = ? WHERE id = ?";
static const char SQL_TAG_UPDATE[] = "UPDATE tags SET name = ? WHERE id = ?";
static const char SQL_USER_INSERT[] =
	"INSERT INTO users (email, slug, name, bio, role, created_at) VALUES (?, ?, ?, ?, ?, ?)"
	" RETURNING id";
static const char SQL_USER_UPDATE[] =
	"UPDATE users SET email = ?, slug = ?, name = ?, bio = COALESCE(NULLIF(?, ''), bio)"
	" WHERE id = ?";
static const char SQL_MEDIA_INSERT[] =
	"INSERT INTO media (filename, mime, width, height, alt, caption, credit, data, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_MEDIA_UPDATE[] =
	"UPDATE media SET filename = ?, mime = ?, width = ?, height = ?, alt = ?, caption = ?,"
	" credit = ?, data = ? WHERE id = ?";
static const char SQL_ARTICLE_UPDATE[] =
	"UPDATE articles SET slug = ?, title = ?, dek = ?, excerpt = ?, body_source = ?,"
	" body_format = ?, body_html = ?, status = ?, author_id = ?, category_id = ?,"
	" featured_media_id = ?, pinned_at = ?, published_at = ?, updated_at = ?,"
	" seo_title = ?, seo_description = ?, note = ?, note_at = ? WHERE id = ?";
/* A new article keeps its WordPress post id when that id is free, so /?p=ID
 * means the same story to old links and to Dateline's own feeds. */
static const char SQL_ARTICLE_ID_TAKEN[] = "SELECT COUNT(*) FROM articles WHERE id = ?";
static const char SQL_ARTICLE_INSERT_ID[] =
	"INSERT INTO articles (id, slug, title, dek, excerpt, body_source, body_format, body_html,"
	" status, author_id, category_id, featured_media_id, pinned_at, published_at,"
	" created_at, updated_at, seo_title, seo_description, note, note_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ARTICLE_TAGS_CLEAR[] = "DELETE FROM article_tags WHERE article_id = ?";
static const char SQL_ARTICLE_TAG_ADD[] =
	"INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)"
	" ON CONFLICT (article_id, tag_id) DO NOTHING";
static const char SQL_BODY_GET[] = "SELECT body_html FROM articles WHERE id = ?";
static const char SQL_BODY_SET[] = "UPDATE articles SET body_html = ? WHERE id = ?";
static const char SQL_SET_FEATURED[] = "UPDATE articles SET featured_media_id = ? WHERE id = ?";
static const char SQL_LEGACY_PUT[] =
	"INSERT INTO legacy_paths (path, kind, target_id) VALUES (?, ?, ?)"
	" ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, target_id = excluded.target_id";
static const char SQL_LEGACY_FIND[] = "SELECT kind, target_id FROM legacy_paths WHERE path = ?";
/* What a legacy path's target is called now, per kind. */
static const char SQL_LEGACY_CATEGORY[] = "SELECT slug FROM categories WHERE id = ?";
static const char SQL_LEGACY_TAG[] = "SELECT slug FROM tags WHERE id = ?";
static const char SQL_LEGACY_AUTHOR[] = "SELECT slug FROM users WHERE id = ?";
static const char SQL_LEGACY_MEDIA[] = "SELECT filename FROM media WHERE id = ?";
static const char SQL_EXPORT_ARTICLES[] =
	"SELECT " STORE_TEASER_COLS ", a.body_html, a.status, a.body_source, a.body_format,"
	" a.created_at, COALESCE(a.published_at, 0), u.email, a.seo_title, a.seo_description,"
	" a.note, a.note_at, u.bio"
	" FROM articles a JOIN categories c ON c.id = a.category_id"
	" JOIN users u ON u.id = a.author_id LEFT JOIN media m ON m.id = a.featured_media_id"
	" ORDER BY a.id";

int store_import_begin(struct db *db)
{
	return db_begin(db);
}

int store_import_end(struct db *db, int rc)
{
	return store_write_end(db, rc);
}

int store_wp_find(struct db *db, struct arena *a, const char *kind, const char *key,
		  int64_t *id, struct slice *fingerprint)
{
	struct db_stmt *st = db_prepare(db, SQL_WP_FIND);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "ss", kind, key);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_int(st, 0);
		if (fingerprint)
			*fingerprint = col(st, a, 1);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

int store_wp_record(struct db *db, const char *kind, const char *key, const char *guid,
		    int64_t id, const char *fingerprint)
{
	struct db_stmt *st = db_prepare(db, SQL_WP_RECORD);

	if (!st)
		return DL_ERR;
	db_bind(st, "sssis", kind, key, guid ? guid : "", id, fingerprint ? fingerprint : "");
	return db_run(st);
}

int store_wp_article(struct db *db, int64_t wp_id, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_WP_ARTICLE);
	char key[24];

	if (!st)
		return DL_ERR;
	snprintf(key, sizeof(key), "%" PRId64, wp_id);
	db_bind(st, "s", key);
	return db_one_int(st, id);
}

int store_wp_key_of(struct db *db, int64_t article_id, int64_t *wp_id)
{
	struct db_stmt *st = db_prepare(db, SQL_WP_KEY_OF);
	int rc;

	*wp_id = 0;
	if (!st)
		return DL_ERR;
	db_bind(st, "i", article_id);
	rc = db_step(st);
	if (rc == DB_ROW && slice_to_int64(db_text(st, 0), 1, INT64_MAX, wp_id))
		*wp_id = 0;
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

static const char *const taken_sql[] = {
	[STORE_SLUG_ARTICLE] = SQL_ARTICLE_SLUG_TAKEN,
	[STORE_SLUG_CATEGORY] = SQL_CATEGORY_SLUG_TAKEN,
	[STORE_SLUG_USER] = SQL_USER_SLUG_TAKEN,
	[STORE_SLUG_EMAIL] = SQL_USER_EMAIL_TAKEN,
};

int store_slug_free(struct db *db, enum store_slug_space space, const char *slug, int64_t self,
		    bool *free_out)
{
	int64_t n;
	struct db_stmt *st = db_prepare(db, taken_sql[space]);
	int rc;

	if (!st)
		return DL_ERR;
	if (space == STORE_SLUG_ARTICLE)
		db_bind(st, "sisi", slug, self, slug, self);
	else
		db_bind(st, "si", slug, self);
	rc = db_one_int(st, &n);
	*free_out = n == 0;
	return rc;
}

int store_wp_category_put(struct db *db, int64_t id, const char *slug, const char *name,
			  const char *description, int64_t parent_id, int64_t *out)
{
	struct db_stmt *st = db_prepare(db, id ? SQL_CATEGORY_UPDATE : SQL_CATEGORY_INSERT);

	if (!st)
		return DL_ERR;
	db_bind(st, "sss", slug, name, description ? description : "");
	if (parent_id)
		db_bind_int(st, 4, parent_id);
	else
		db_bind_null(st, 4);
	db_bind_int(st, 5, id ? id : 100);
	*out = id;
	return id ? db_run(st) : db_one_int(st, out);
}

int store_wp_tag_put(struct db *db, const char *slug, const char *name, int64_t *id)
{
	struct db_stmt *st;
	int rc = store_tag_ensure_in_tx(db, slug, name, id);

	if (rc)
		return rc;
	/* A tag that exists keeps its slug and takes the export's name. */
	st = db_prepare(db, SQL_TAG_UPDATE);
	if (!st)
		return DL_ERR;
	db_bind(st, "si", name, *id);
	return db_run(st);
}

int store_wp_user_put(struct db *db, int64_t id, const char *email, const char *slug,
		      const char *name, const char *bio, int64_t *out)
{
	struct db_stmt *st = db_prepare(db, id ? SQL_USER_UPDATE : SQL_USER_INSERT);

	if (!st)
		return DL_ERR;
	*out = id;
	if (id) {
		db_bind(st, "ssssi", email, slug, name, bio ? bio : "", id);
		return db_run(st);
	}
	db_bind(st, "sssssi", email, slug, name, bio ? bio : "", "author", (int64_t)time(NULL));
	return db_one_int(st, out);
}

int store_wp_media_put(struct db *db, int64_t id, const struct store_media *m, int64_t *out)
{
	struct db_stmt *st = db_prepare(db, id ? SQL_MEDIA_UPDATE : SQL_MEDIA_INSERT);

	if (!st)
		return DL_ERR;
	db_bind(st, "SSiiSSSb", m->filename, m->mime, m->width, m->height, m->alt, m->caption,
		m->credit, (const void *)(m->data.p ? m->data.p : ""), m->data.len);
	db_bind_int(st, 9, id ? id : (int64_t)time(NULL));
	*out = id;
	return id ? db_run(st) : db_one_int(st, out);
}

static int put_tags(struct db *db, int64_t id, const int64_t *tag_ids, size_t n)
{
	struct db_stmt *st = db_prepare(db, SQL_ARTICLE_TAGS_CLEAR);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = db_run(st);
	for (size_t i = 0; i < n && !rc; i++) {
		st = db_prepare(db, SQL_ARTICLE_TAG_ADD);
		if (!st)
			return DL_ERR;
		db_bind(st, "iii", id, tag_ids[i], (int64_t)i);
		rc = db_run(st);
	}
	return rc;
}

static void bind_article(struct db_stmt *st, int first, const struct store_article_input *in)
{
	db_bind_text(st, first, in->slug, strlen(in->slug));
	db_bind_text(st, first + 1, in->title, strlen(in->title));
	db_bind_text(st, first + 2, in->dek ? in->dek : "", in->dek ? strlen(in->dek) : 0);
	db_bind_text(st, first + 3, in->excerpt ? in->excerpt : "",
		     in->excerpt ? strlen(in->excerpt) : 0);
	db_bind_text(st, first + 4, in->body_source ? in->body_source : "",
		     in->body_source ? strlen(in->body_source) : 0);
	db_bind_text(st, first + 5, in->body_format ? in->body_format : "html",
		     in->body_format ? strlen(in->body_format) : 4);
	db_bind_text(st, first + 6, in->body_html ? in->body_html : "",
		     in->body_html ? strlen(in->body_html) : 0);
	db_bind_text(st, first + 7, in->status, strlen(in->status));
	db_bind_int(st, first + 8, in->author_id);
	db_bind_int(st, first + 9, in->category_id ? in->category_id
						   : (int64_t)STORE_DEFAULT_CATEGORY);
}

/* SEO title and description, note and its time, from parameter `first`. */
static void bind_editorial(struct db_stmt *st, int first, const struct store_article_input *in)
{
	const char *v[] = { in->seo_title, in->seo_description, in->note };

	for (int i = 0; i < 3; i++)
		db_bind_text(st, first + i, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
	db_bind_int(st, first + 3, in->note_at);
}

static int insert_with_id(struct db *db, int64_t want, const struct store_article_input *in)
{
	int64_t now = (int64_t)time(NULL);
	struct db_stmt *st = db_prepare(db, SQL_ARTICLE_INSERT_ID);

	if (!st)
		return DL_ERR;
	db_bind_int(st, 1, want);
	bind_article(st, 2, in);
	store_bind_opt(st, 12, in->featured_media_id);
	store_bind_opt(st, 13, in->pinned_at);
	store_bind_opt(st, 14, in->published_at);
	db_bind_int(st, 15, now);
	db_bind_int(st, 16, in->updated_at ? in->updated_at : in->published_at ? in->published_at : now);
	bind_editorial(st, 17, in);
	return db_run(st);
}

int store_wp_article_put(struct db *db, int64_t id, const struct store_article_input *in,
			 int64_t want_id, const int64_t *tag_ids, size_t ntags, int64_t *out)
{
	struct db_stmt *st;
	int64_t taken = 1;
	int rc;

	assert(in->ntags == 0 && "imported tags come as ids");
	if (!id && want_id > 0) {
		st = db_prepare(db, SQL_ARTICLE_ID_TAKEN);
		if (!st)
			return DL_ERR;
		db_bind(st, "i", want_id);
		rc = db_one_int(st, &taken);
		if (rc)
			return rc;
	}
	if (!id && !taken) {
		rc = insert_with_id(db, want_id, in);
		*out = want_id;
		/* The next article without a WordPress id must not be handed this one. */
		if (!rc)
			rc = db_sync_ids(db, "articles");
		if (!rc)
			rc = store_section_count_track(db, want_id, 1);
		if (!rc)
			rc = put_tags(db, want_id, tag_ids, ntags);
		if (!rc && !strcmp(in->status, "published"))
			rc = db_fts_put(db, want_id, slice_cstr(in->title),
					slice_cstr(in->dek ? in->dek : ""),
					slice_cstr(in->index_text ? in->index_text : ""));
		return rc;
	}
	if (!id) {
		rc = store_article_insert_in_tx(db, in, (int64_t)time(NULL), out);
		if (!rc)
			rc = put_tags(db, *out, tag_ids, ntags);
		if (!rc && !strcmp(in->status, "published"))
			rc = db_fts_put(db, *out, slice_cstr(in->title),
					slice_cstr(in->dek ? in->dek : ""),
					slice_cstr(in->index_text ? in->index_text : ""));
		return rc;
	}
	*out = id;
	rc = store_section_count_track(db, id, -1);
	if (rc)
		return rc;
	st = db_prepare(db, SQL_ARTICLE_UPDATE);
	if (!st)
		return DL_ERR;
	bind_article(st, 1, in);
	store_bind_opt(st, 11, in->featured_media_id);
	store_bind_opt(st, 12, in->pinned_at);
	store_bind_opt(st, 13, in->published_at);
	db_bind_int(st, 14, in->updated_at ? in->updated_at : in->published_at);
	bind_editorial(st, 15, in);
	db_bind_int(st, 19, id);
	rc = db_run(st);
	if (!rc)
		rc = store_section_count_track(db, id, 1);
	if (!rc)
		rc = put_tags(db, id, tag_ids, ntags);
	if (!rc)
		rc = db_fts_delete(db, id);
	if (!rc && !strcmp(in->status, "published"))
		rc = db_fts_put(db, id, slice_cstr(in->title), slice_cstr(in->dek ? in->dek : ""),
				slice_cstr(in->index_text ? in->index_text : ""));
	return rc;
}

int store_wp_set_featured(struct db *db, int64_t article_id, int64_t media_id)
{
	struct db_stmt *st = db_prepare(db, SQL_SET_FEATURED);

	if (!st)
		return DL_ERR;
	db_bind(st, "ii", media_id, article_id);
	return db_run(st);
}

static void media_name_row(struct db_stmt *st, struct arena *a, void *out)
{
	*(struct slice *)out = col(st, a, 0);
}

int store_wp_body(struct db *db, struct arena *a, int64_t id, struct slice *html)
{
	struct db_stmt *st = db_prepare(db, SQL_BODY_GET);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*html = col(st, a, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

int store_wp_body_set(struct db *db, int64_t id, struct slice html)
{
	struct db_stmt *st = db_prepare(db, SQL_BODY_SET);

	if (!st)
		return DL_ERR;
	db_bind(st, "Si", html, id);
	return db_run(st);
}

int store_wp_media_name(struct db *db, struct arena *a, int64_t id, struct slice *name)
{
	struct db_stmt *st = db_prepare(db, SQL_LEGACY_MEDIA);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, media_name_row, a, name);
}

int store_legacy_put(struct db *db, const char *path, const char *kind, int64_t target_id)
{
	struct db_stmt *st = db_prepare(db, SQL_LEGACY_PUT);

	if (!st)
		return DL_ERR;
	db_bind(st, "ssi", path, kind, target_id);
	return db_run(st);
}

int store_legacy_find(struct db *db, struct arena *a, struct slice path, struct slice *kind,
		      int64_t *target_id)
{
	struct db_stmt *st = db_prepare(db, SQL_LEGACY_FIND);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "S", path);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*kind = col(st, a, 0);
		*target_id = db_int(st, 1);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

/*
 * WordPress's resized copies of an upload ("photo-300x200.jpg" beside
 * "photo.jpg") were never in the export: they stand for the original.
 * Sets *orig to the path without the size, or returns false.
 */
static bool resized_upload(struct arena *a, struct slice path, struct slice *orig)
{
	const char *dot = NULL, *p = path.p, *x, *dash;

	if (!slice_starts_with(path, "/wp-content/uploads/"))
		return false;
	for (size_t i = path.len; i > 0 && p[i - 1] != '/'; i--)
		if (p[i - 1] == '.') {
			dot = p + i - 1;
			break;
		}
	if (!dot)
		return false;
	for (x = dot; x > p && isdigit((unsigned char)x[-1]); x--)
		;
	if (x == dot || x == p || x[-1] != 'x')
		return false;
	for (dash = x - 1; dash > p && isdigit((unsigned char)dash[-1]); dash--)
		;
	if (dash == x - 1 || dash == p || dash[-1] != '-')
		return false;
	*orig = slice_cstr(arena_printf(a, "%.*s%.*s", (int)(dash - 1 - p), p,
					(int)(path.p + path.len - dot), dot));
	return true;
}

int store_legacy_resolve(struct db *db, struct arena *a, struct slice path,
			 struct store_legacy *out)
{
	static const struct { const char *kind, *sql; enum store_legacy_kind k; } kinds[] = {
		{ "category", SQL_LEGACY_CATEGORY, STORE_LEGACY_CATEGORY },
		{ "tag", SQL_LEGACY_TAG, STORE_LEGACY_TAG },
		{ "author", SQL_LEGACY_AUTHOR, STORE_LEGACY_AUTHOR },
		{ "media", SQL_LEGACY_MEDIA, STORE_LEGACY_MEDIA },
	};
	struct slice kind, orig;
	int rc = store_legacy_find(db, a, path, &kind, &out->id);

	if (rc == DL_NOTFOUND && resized_upload(a, path, &orig))
		rc = store_legacy_find(db, a, orig, &kind, &out->id);
	if (rc)
		return rc;
	if (slice_eq_str(kind, "article")) {
		struct store_list l;
		out->kind = STORE_LEGACY_ARTICLE;
		rc = store_by_ids(db, a, &out->id, 1, &l);
		if (!rc && !l.nr)
			rc = DL_NOTFOUND;  /* not (or no longer) published */
		if (!rc)
			out->article = l.items[0];
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct db_stmt *st;
		if (!slice_eq_str(kind, kinds[i].kind))
			continue;
		out->kind = kinds[i].k;
		st = db_prepare(db, kinds[i].sql);
		if (!st)
			return DL_ERR;
		db_bind(st, "i", out->id);
		rc = db_step(st);
		if (rc == DB_ROW)
			out->name = col(st, a, 0);
		db_done(st);
		if (rc < 0)
			return rc;
		return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
	}
	return DL_NOTFOUND;
}

int store_export_articles(struct db *db, void (*fn)(void *ctx, const struct store_export_article *e),
			  void *ctx)
{
	struct db_stmt *st = db_prepare(db, SQL_EXPORT_ARTICLES);
	struct arena *a;
	int rc;

	if (!st)
		return DL_ERR;
	a = arena_new(0);
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_export_article e = { 0 };

		arena_reset(a);
		store_read_teaser(st, a, &e.art);
		e.art.body_html = col(st, a, STORE_TEASER_NCOLS);
		e.status = col(st, a, STORE_TEASER_NCOLS + 1);
		e.body_source = col(st, a, STORE_TEASER_NCOLS + 2);
		e.body_format = col(st, a, STORE_TEASER_NCOLS + 3);
		e.created_at = db_int(st, STORE_TEASER_NCOLS + 4);
		e.art.published_at = db_int(st, STORE_TEASER_NCOLS + 5);
		e.author_email = col(st, a, STORE_TEASER_NCOLS + 6);
		e.art.seo_title = col(st, a, STORE_TEASER_NCOLS + 7);
		e.art.seo_description = col(st, a, STORE_TEASER_NCOLS + 8);
		e.art.note = col(st, a, STORE_TEASER_NCOLS + 9);
		e.art.note_at = db_int(st, STORE_TEASER_NCOLS + 10);
		e.art.author.bio = col(st, a, STORE_TEASER_NCOLS + 11);
		rc = store_load_tags(db, a, &e.art);
		if (rc)
			break;
		fn(ctx, &e);
	}
	db_done(st);
	arena_free(a);
	return rc < 0 ? rc : DL_OK;
}

