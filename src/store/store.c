#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "store/internal.h"

static const char SQL_GENERATION[] = "SELECT value FROM counters WHERE name = 'content'";
static const char SQL_BUMP_GENERATION[] =
	"UPDATE counters SET value = value + 1 WHERE name = 'content'";

int store_migrate(struct db *db)
{
	int rc = db_migrate(db, store_migrations, store_migrations_nr);

	/* Writes behind Dateline's back (an operator's psql) reach every node's cache too. */
	return rc ? rc : db_notify_on_write(db, "counters", STORE_CONTENT_CHANNEL);
}

int store_generation(struct db *db, int64_t *gen)
{
	return db_one_int(db_prepare(db, SQL_GENERATION), gen);
}

int store_write_end(struct db *db, int rc)
{
	if (!rc)
		rc = store_bump_generation(db);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int store_bump_generation(struct db *db)
{
	int rc = db_run(db_prepare(db, SQL_BUMP_GENERATION));

	return rc ? rc : db_notify(db, STORE_CONTENT_CHANNEL);
}

int store_insert_id(struct db *db, struct db_stmt *st, int64_t *id)
{
	int rc;

	if (!st)
		return DL_ERR;
	rc = db_begin(db);
	if (rc) {
		db_done(st);
		return rc;
	}
	return store_write_end(db, db_one_int(st, id));
}

int store_all_ids(struct db_stmt *st, int64_t **ids, size_t *n)
{
	size_t alloc = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!st)
		return DL_ERR;
	while ((rc = db_step(st)) == DB_ROW) {
		ALLOC_GROW(*ids, *n + 1, alloc);
		(*ids)[(*n)++] = db_int(st, 0);
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

int store_one_row(struct db_stmt *st, store_row_fn fn, struct arena *a, void *out)
{
	int rc = db_step(st);

	if (rc == DB_ROW)
		fn(st, a, out);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? DL_OK : DL_NOTFOUND;
}

int store_all_rows(struct db_stmt *st, store_row_fn fn, struct arena *a, size_t size,
		   void **out, size_t *n)
{
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return DL_ERR;
	while ((rc = db_step(st)) == DB_ROW) {
		*out = arena_grow(a, *out, *n, &alloc, *n + 1, size);
		fn(st, a, (char *)*out + *n * size);
		(*n)++;
	}
	db_done(st);
	return rc < 0 ? rc : DL_OK;
}

void store_slugify(const char *text, size_t len, struct strbuf *out)
{
	static const char latin1[] =
		"aaaaaaaceeeeiiiidnooooo ouuuuyts"
		"aaaaaaaceeeeiiiidnooooo ouuuuyty";
	size_t start = out->len, i = 0;
	bool dash = false;

	/* Room for a dash and one more character keeps the slug within 80 bytes. */
	while (i < len && out->len - start < 78) {
		uint32_t c;
		size_t n = utf8_decode(text + i, len - i, &c);
		char ch = 0;

		if (!n) {
			i++;
			continue;
		}
		i += n;
		if (c == '\'' || c == 0x2019)
			continue;  /* "don't" -> "dont", not "don-t" */
		if (c >= 'A' && c <= 'Z')
			ch = (char)(c + 32);
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			ch = (char)c;
		else if (c >= 0xC0 && c <= 0xFF && latin1[c - 0xC0] != ' ')
			ch = latin1[c - 0xC0];
		if (!ch) {
			dash = out->len > start;
			continue;
		}
		if (dash)
			strbuf_addch(out, '-');
		dash = false;
		strbuf_addch(out, ch);
	}
	while (out->len > start && out->buf[out->len - 1] == '-')
		strbuf_setlen(out, out->len - 1);
}

bool store_slug_valid(struct slice s)
{
	if (s.len == 0 || s.len > 80 || s.p[0] == '-' || s.p[s.len - 1] == '-')
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}
