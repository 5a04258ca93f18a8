/*
 * db_pg_fts.c - the PostgreSQL driver's full-text index: a tsvector per
 * article with a GIN index.
 *
 * The lexemes are Dateline's own (core/text.h: the same words, stop words
 * and Snowball stems as the SQLite index and Related News), put into the
 * tsvector with the 'simple' configuration, which only lower-cases. So a
 * search or a Related News query means the same on both engines, and
 * document frequencies are those of the stems Related News computes.
 * Title, dek and body carry weights A, B and D, ranked 4 : 2 : 1 as
 * SQLite's bm25 weights them. Snippets are cut here, from the stored text,
 * with the same analyzer marking the matching words.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "db/pg_internal.h"

/* Words in a snippet, as SQLite's snippet(..., 28). */
#define SNIPPET_WORDS 28
/* Query stems considered when marking a snippet. */
#define MAX_QUERY_STEMS 64

/* The SQL spells the window out (a literal); it must be db.h's. */
static_assert(DB_FTS_SEARCH_WINDOW == 1000, "SQL_FTS_SEARCH and _COUNT say 1000 and 1001");

static struct text_analyzer *analyzer(struct pg_db *p)
{
	if (!p->ta)
		p->ta = text_analyzer_new("english");
	return p->ta;
}

int pg_fts_create(struct db *db)
{
	return db->drv->exec(db,
		"CREATE TABLE article_fts ("
		"  id BIGINT PRIMARY KEY,"
		"  title TEXT NOT NULL,"
		"  dek TEXT NOT NULL,"
		"  body TEXT NOT NULL,"
		"  terms TSVECTOR NOT NULL);"
		"CREATE INDEX article_fts_terms ON article_fts USING GIN (terms);");
}

static int add_stem(void *ctx, const char *stem, size_t len, size_t start, size_t end)
{
	struct strbuf *out = ctx;

	if (out->len)
		strbuf_addch(out, ' ');
	strbuf_add(out, stem, len);
	return 0;
}

/* The stems of `text`, space-separated, for to_tsvector('simple', ...). */
static void stems_of(struct pg_db *p, struct slice text, struct strbuf *out)
{
	text_analyze(analyzer(p), text.p, text.len, add_stem, out);
}

static const char SQL_FTS_PUT[] =
	"INSERT INTO article_fts (id, title, dek, body, terms) VALUES (?, ?, ?, ?,"
	" setweight(to_tsvector('simple', CAST(? AS TEXT)), 'A')"
	" || setweight(to_tsvector('simple', CAST(? AS TEXT)), 'B')"
	" || setweight(to_tsvector('simple', CAST(? AS TEXT)), 'D'))"
	" ON CONFLICT (id) DO UPDATE SET title = excluded.title, dek = excluded.dek,"
	" body = excluded.body, terms = excluded.terms";
static const char SQL_FTS_DELETE[] = "DELETE FROM article_fts WHERE id = ?";
static const char SQL_FTS_COUNT[] = "SELECT COUNT(*) FROM article_fts";
const char pg_fts_text_sql[] = "SELECT title, dek, body FROM article_fts WHERE id = ?";
/* The DB_FTS_SEARCH_WINDOW newest matches, ranked; the text of the page's hits only.
 * ts_rank weighs no term by its rarity, as db.h asks. */
static const char SQL_FTS_SEARCH[] =
	"SELECT a.id, a.title, a.dek, a.body FROM"
	" (SELECT id, terms FROM article_fts WHERE terms @@ to_tsquery('simple', CAST(? AS TEXT))"
	"  ORDER BY id DESC LIMIT 1000) w"
	" JOIN article_fts a ON a.id = w.id, to_tsquery('simple', CAST(? AS TEXT)) q"
	" ORDER BY ts_rank('{0.25, 0.0, 0.5, 1.0}', w.terms, q) DESC, w.id DESC LIMIT ? OFFSET ?";
/* Counted up to one past the window, no further. */
static const char SQL_FTS_SEARCH_COUNT[] =
	"SELECT COUNT(*) FROM (SELECT 1 FROM article_fts"
	" WHERE terms @@ to_tsquery('simple', CAST(? AS TEXT)) LIMIT 1001) m";

int pg_fts_put(struct db *db, int64_t id, struct slice title, struct slice dek, struct slice body)
{
	struct pg_db *p = PDB(db);
	struct strbuf t = STRBUF_INIT, d = STRBUF_INIT, b = STRBUF_INIT;
	struct db_stmt *st;
	int rc;

	if (!analyzer(p))
		return error("postgresql: no Snowball stemmer for the full-text index");
	stems_of(p, title, &t);
	stems_of(p, dek, &d);
	stems_of(p, body, &b);
	st = db_prepare(db, SQL_FTS_PUT);
	if (!st)
		rc = DL_ERR;
	else {
		db_bind(st, "iSSSSSS", id, title, dek, body, slice_from(t.buf, t.len),
			slice_from(d.buf, d.len), slice_from(b.buf, b.len));
		rc = db_run(st);
	}
	strbuf_release(&t);
	strbuf_release(&d);
	strbuf_release(&b);
	return rc;
}

int pg_fts_delete(struct db *db, int64_t id)
{
	struct db_stmt *st = db_prepare(db, SQL_FTS_DELETE);

	if (!st)
		return DL_ERR;
	db_bind(st, "i", id);
	return db_run(st);
}

int pg_fts_count(struct db *db, int64_t *n)
{
	return db_one_int(db_prepare(db, SQL_FTS_COUNT), n);
}

/* A stem as a quoted tsquery lexeme: quotes and backslashes doubled. */
static void add_lexeme(struct strbuf *q, const char *stem, size_t len)
{
	strbuf_addch(q, '\'');
	for (size_t i = 0; i < len; i++) {
		if (stem[i] == '\'' || stem[i] == '\\')
			strbuf_addch(q, stem[i]);
		strbuf_addch(q, stem[i]);
	}
	strbuf_addch(q, '\'');
}

/* ---- queries ---- */

struct query {
	struct strbuf text;       /* the tsquery */
	struct strbuf stems;      /* every stem, NUL-separated, for snippets */
	const char *stem[MAX_QUERY_STEMS];
	size_t nstems;
	size_t words;             /* stems in the term being built */
	const char *op;           /* between words of one term */
};

static int query_word(void *ctx, const char *stem, size_t len, size_t start, size_t end)
{
	struct query *q = ctx;

	if (q->words++)
		strbuf_addstr(&q->text, q->op);
	add_lexeme(&q->text, stem, len);
	strbuf_add(&q->stems, stem, len);
	strbuf_addch(&q->stems, '\0');
	return 0;
}

/*
 * The tsquery for `terms`: the words of a term joined by `word_op` (a
 * phrase: <->), the terms by `term_op`. Words the analyzer drops (stop
 * words) drop out, as they do from the index. False when nothing is left.
 */
static bool build_query(struct pg_db *p, struct query *q, const char *const *terms, size_t n,
			const char *word_op, const char *term_op)
{
	bool any = false;

	strbuf_init(&q->text, 0);
	strbuf_init(&q->stems, 0);
	q->nstems = 0;
	q->op = word_op;
	for (size_t i = 0; i < n; i++) {
		size_t mark = q->text.len;

		if (any)
			strbuf_addstr(&q->text, term_op);
		strbuf_addch(&q->text, '(');
		q->words = 0;
		text_analyze(analyzer(p), terms[i], strlen(terms[i]), query_word, q);
		if (!q->words) {
			strbuf_setlen(&q->text, mark);
			continue;
		}
		strbuf_addch(&q->text, ')');
		any = true;
	}
	for (size_t off = 0; off < q->stems.len && q->nstems < MAX_QUERY_STEMS;
	     off += strlen(q->stems.buf + off) + 1)
		q->stem[q->nstems++] = q->stems.buf + off;
	return any;
}

static void query_release(struct query *q)
{
	strbuf_release(&q->text);
	strbuf_release(&q->stems);
}

/*
 * Build the tsquery for `terms` and prepare `sql` for it: DL_OK with *st
 * (release q after the statement), 1 when nothing is left to look for, or
 * an error; on anything but DL_OK, q is already released.
 */
static int start_query(struct pg_db *p, struct query *q, const char *const *terms, size_t n,
		       const char *word_op, const char *term_op, const char *sql,
		       struct db_stmt **st)
{
	if (!analyzer(p))
		return DL_ERR;
	if (!build_query(p, q, terms, n, word_op, term_op)) {
		query_release(q);
		return 1;
	}
	*st = db_prepare(&p->base, sql);
	if (!*st) {
		query_release(q);
		return DL_ERR;
	}
	return DL_OK;
}

/* ---- snippets ---- */

struct token {
	size_t start, end;
	bool hit;
};

struct tokens {
	const struct query *q;
	struct token *v;
	size_t nr, alloc, hits;
};

static int collect_token(void *ctx, const char *stem, size_t len, size_t start, size_t end)
{
	struct tokens *t = ctx;
	bool hit = false;

	for (size_t i = 0; i < t->q->nstems && !hit; i++)
		hit = !strcmp(t->q->stem[i], stem);
	ALLOC_GROW(t->v, t->nr + 1, t->alloc);
	t->v[t->nr++] = (struct token){ start, end, hit };
	t->hits += hit;
	return 0;
}

/*
 * The best SNIPPET_WORDS-word window of the column with the most matching
 * words (the first such column on a tie, as SQLite's snippet()), matches
 * between \x01 and \x02, an ellipsis where text was cut.
 */
static void snippet(struct pg_db *p, const struct query *q, const struct slice *cols, size_t ncols,
		    struct strbuf *out)
{
	struct tokens best = { q, NULL, 0, 0, 0 };
	struct slice text = cols[0];
	size_t from = 0, to, window = 0;

	for (size_t c = 0; c < ncols; c++) {
		struct tokens t = { q, NULL, 0, 0, 0 };

		text_analyze(analyzer(p), cols[c].p, cols[c].len, collect_token, &t);
		if (!c || t.hits > best.hits) {
			free(best.v);
			best = t;
			text = cols[c];
		} else {
			free(t.v);
		}
	}
	for (size_t i = 0, run = 0; i < best.nr; i++) {
		run += best.v[i].hit;
		if (i >= SNIPPET_WORDS)
			run -= best.v[i - SNIPPET_WORDS].hit;
		if (run > window) {
			window = run;
			from = i + 1 >= SNIPPET_WORDS ? i + 1 - SNIPPET_WORDS : 0;
		}
	}
	/* Start a few words before the first match, so it reads in context. */
	for (size_t i = from; i < best.nr && i < from + SNIPPET_WORDS; i++) {
		if (best.v[i].hit) {
			from = i > from + 4 ? i - 4 : from;
			break;
		}
	}
	to = from + SNIPPET_WORDS < best.nr ? from + SNIPPET_WORDS : best.nr;
	if (from > 0)
		strbuf_addstr(out, "\xE2\x80\xA6");
	for (size_t i = from; i < to; i++) {
		const struct token *tk = &best.v[i];

		/* Neighbouring matches share one mark, as FTS5 marks a phrase. */
		bool open = tk->hit && (i == from || !best.v[i - 1].hit);
		bool close = tk->hit && (i + 1 == to || !best.v[i + 1].hit);

		if (i > from)
			strbuf_add(out, text.p + best.v[i - 1].end, tk->start - best.v[i - 1].end);
		if (open)
			strbuf_addch(out, '\x01');
		strbuf_add(out, text.p + tk->start, tk->end - tk->start);
		if (close)
			strbuf_addch(out, '\x02');
	}
	if (to < best.nr)
		strbuf_addstr(out, "\xE2\x80\xA6");
	free(best.v);
}

int pg_fts_search(struct db *db, const char *const *terms, size_t nterms, int64_t limit,
		  int64_t offset, void (*fn)(void *, int64_t, struct slice), void *ctx)
{
	struct pg_db *p = PDB(db);
	struct strbuf snip = STRBUF_INIT;
	struct db_stmt *st;
	struct query q;
	int rc;

	rc = start_query(p, &q, terms, nterms, " <-> ", " & ", SQL_FTS_SEARCH, &st);
	if (rc)
		return rc < 0 ? rc : DL_OK;
	db_bind(st, "SSii", slice_from(q.text.buf, q.text.len), slice_from(q.text.buf, q.text.len),
		limit, offset);
	while ((rc = db_step(st)) == DB_ROW) {
		struct slice cols[3] = { db_text(st, 1), db_text(st, 2), db_text(st, 3) };

		strbuf_reset(&snip);
		snippet(p, &q, cols, 3, &snip);
		fn(ctx, db_int(st, 0), slice_from(snip.buf, snip.len));
	}
	db_done(st);
	strbuf_release(&snip);
	query_release(&q);
	return rc < 0 ? rc : DL_OK;
}

int pg_fts_search_count(struct db *db, const char *const *terms, size_t nterms, int64_t *n)
{
	struct pg_db *p = PDB(db);
	struct db_stmt *st;
	struct query q;
	int rc;

	*n = 0;
	rc = start_query(p, &q, terms, nterms, " <-> ", " & ", SQL_FTS_SEARCH_COUNT, &st);
	if (rc)
		return rc < 0 ? rc : DL_OK;
	db_bind(st, "S", slice_from(q.text.buf, q.text.len));
	rc = db_one_int(st, n);
	query_release(&q);
	return rc;
}

