/*
 * media.c - the media library: images with their bytes in the database (so
 * nodes stay stateless and a backup is one file), and their responsive
 * variants.
 */
#include "core/compat.h"
#include "core/err.h"
#include "store/editorial.h"
#include "store/internal.h"

#define MEDIA_COLS "id, filename, mime, width, height, alt, caption, credit"
static const char SQL_MEDIA_CREATE[] =
	"INSERT INTO media (filename, mime, width, height, alt, caption, credit, data, created_at,"
	" variants, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_MEDIA_INFO[] =
	"SELECT " MEDIA_COLS ", length(data), variants FROM media WHERE id = ?";
static const char SQL_MEDIA_GET[] =
	"SELECT " MEDIA_COLS ", data, variants FROM media WHERE id = ?";
static const char SQL_MEDIA_LIST[] =
	"SELECT " MEDIA_COLS ", length(data), variants FROM media ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_MEDIA_ALL[] =
	"SELECT " MEDIA_COLS ", length(data), variants FROM media ORDER BY id";
static const char SQL_MEDIA_COUNT[] = "SELECT COUNT(*) FROM media";
static const char SQL_MEDIA_UPDATE[] =
	"UPDATE media SET alt = ?, caption = ?, credit = ? WHERE id = ?";
static const char SQL_VARIANT_PUT[] =
	"INSERT INTO media_variants (media_id, width, format, data) VALUES (?, ?, ?, ?)";
static const char SQL_VARIANT_GET[] =
	"SELECT data FROM media_variants WHERE media_id = ? AND width = ? AND format = ?";

static void bind_media(struct db_stmt *st, const struct store_media *m, int64_t uploader)
{
	db_bind(st, "SSiiSSSbii", m->filename, m->mime, m->width, m->height, m->alt, m->caption,
		m->credit, (const void *)m->data.p, m->data.len, (int64_t)time(NULL),
		(int64_t)m->variants);
	store_bind_opt(st, 11, uploader);
}

int store_media_create(struct db *db, const struct store_media *m, int64_t *id)
{
	struct db_stmt *st = db_prepare(db, SQL_MEDIA_CREATE);

	if (st)
		bind_media(st, m, 0);
	return store_insert_id(db, st, id);
}

int store_media_add(struct db *db, const struct store_media *m,
		    const struct store_media_variant *v, size_t nv, const struct store_change *c,
		    int64_t *id)
{
	struct db_stmt *st;
	struct store_change audit = *c;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_MEDIA_CREATE);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	bind_media(st, m, c->user_id);
	rc = db_one_int(st, id);
	for (size_t i = 0; !rc && i < nv; i++) {
		st = db_prepare(db, SQL_VARIANT_PUT);
		if (!st) {
			rc = DL_ERR;
			break;
		}
		db_bind(st, "iisb", *id, v[i].width, v[i].format, v[i].data.p, v[i].data.len);
		rc = db_run(st);
	}
	if (!rc) {
		char object[32];
		snprintf(object, sizeof(object), "media:%" PRId64, *id);
		audit.object = object;
		rc = store_audit_in_tx(db, &audit);
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	/* Nothing public shows a new image until an article uses it. */
	return db_commit(db);
}

int store_media_update(struct db *db, int64_t id, const char *alt, const char *caption,
		       const char *credit, const struct store_change *c)
{
	struct db_stmt *st;
	int rc = db_begin(db);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_MEDIA_UPDATE);
	if (!st) {
		db_rollback(db);
		return DL_ERR;
	}
	db_bind(st, "sssi", alt, caption, credit, id);
	rc = db_run(st);
	if (!rc && db_changes(db) == 0)
		rc = DL_NOTFOUND;
	if (!rc)
		rc = store_audit_in_tx(db, c);
	/* Captions and alt text show on published pages. */
	return store_write_end(db, rc);
}

static void media_cols(struct db_stmt *st, struct arena *a, struct store_media *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_int(st, 0);
	m->filename = col(st, a, 1);
	m->mime = col(st, a, 2);
	m->width = db_int(st, 3);
	m->height = db_int(st, 4);
	m->alt = col(st, a, 5);
	m->caption = col(st, a, 6);
	m->credit = col(st, a, 7);
	m->variants = db_int(st, 9) != 0;
}

static void media_row(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_media *m = out;

	media_cols(st, a, m);
	m->data = col(st, a, 8);
	m->size = (int64_t)m->data.len;
}

static void media_info_row(struct db_stmt *st, struct arena *a, void *out)
{
	struct store_media *m = out;

	media_cols(st, a, m);
	m->size = db_int(st, 8);
	m->data = (struct slice){ "", 0 };
}

int store_media_info(struct db *db, struct arena *a, int64_t id, struct store_media *out)
{
	struct db_stmt *st = db_prepare(db, SQL_MEDIA_INFO);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, media_info_row, a, out);
}

int store_media_get(struct db *db, struct arena *a, int64_t id, struct store_media *out)
{
	struct db_stmt *st = db_prepare(db, SQL_MEDIA_GET);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return store_one_row(st, media_row, a, out);
}

int store_media_list(struct db *db, struct arena *a, int64_t limit, int64_t offset,
		     struct store_media **out, size_t *n, int64_t *total)
{
	struct db_stmt *st = db_prepare(db, SQL_MEDIA_COUNT);
	int rc = db_one_int(st, total);

	if (rc)
		return rc;
	st = db_prepare(db, SQL_MEDIA_LIST);
	if (st)
		db_bind(st, "ii", limit, offset);
	return store_all_rows(st, media_info_row, a, sizeof(**out), (void **)out, n);
}

int store_media_all(struct db *db, struct arena *a, struct store_media **out, size_t *n)
{
	return store_all_rows(db_prepare(db, SQL_MEDIA_ALL), media_info_row, a, sizeof(**out),
			      (void **)out, n);
}

int store_media_variant(struct db *db, struct arena *a, int64_t id, int64_t width,
			const char *format, struct slice *data)
{
	struct db_stmt *st = db_prepare(db, SQL_VARIANT_GET);
	int rc;

	if (!st)
		return DL_ERR;
	db_bind(st, "iis", id, width, format);
	rc = db_step(st);
	if (rc == DB_ROW)
		*data = col(st, a, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}
