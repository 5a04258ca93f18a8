/*
 * search.c - reader search over the full-text index.
 *
 * What a reader types is never handed to the engine's query language: it is
 * cut into words (letters and digits) and "quoted phrases", and every one
 * must match. Operators, stray quotes and punctuation are just separators,
 * so no query can fail to parse.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "store/store.h"

#define SEARCH_MAX_TERMS 12
#define SEARCH_MAX_WORD 48

static bool word_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	/* Letters beyond ASCII, but not the punctuation blocks (quotes, dashes). */
	return !(c >= 0x2000 && c <= 0x2BFF) && !(c >= 0x3000 && c <= 0x303F) && c != 0xA0 &&
	       !(c >= 0xA1 && c <= 0xBF) && c != 0xD7 && c != 0xF7;
}

/* Split `q` into terms (arena strings); a phrase's words are space-joined. */
size_t store_search_terms(struct arena *a, struct slice q, const char **terms, size_t max)
{
	struct strbuf term = STRBUF_INIT, word = STRBUF_INIT;
	bool in_phrase = false;
	size_t n = 0, i = 0;

	while (i <= q.len && n < max) {
		uint32_t c = 0;
		size_t len = 1;

		if (i < q.len && !(len = utf8_decode(q.p + i, q.len - i, &c))) {
			len = 1;
			c = ' ';
		}
		if (i < q.len && word_char(c)) {
			if (word.len + len <= SEARCH_MAX_WORD)
				strbuf_add(&word, q.p + i, len);
		} else {
			if (word.len) {
				if (term.len)
					strbuf_addch(&term, ' ');
				strbuf_addslice(&term, (struct slice){ word.buf, word.len });
				strbuf_reset(&word);
			}
			if (i < q.len && c == '"')
				in_phrase = !in_phrase;
			/* A word ends a term unless it is inside a phrase. */
			if (term.len && (!in_phrase || i == q.len)) {
				terms[n++] = arena_strndup(a, term.buf, term.len);
				strbuf_reset(&term);
			}
		}
		i += len;
	}
	strbuf_release(&term);
	strbuf_release(&word);
	return n;
}

struct collect {
	struct db *db;
	struct arena *a;
	struct store_hit *hits;
	size_t n, cap;
	int rc;
};

static void collect_hit(void *ctx, int64_t id, struct slice snippet)
{
	struct collect *c = ctx;

	if (c->n < c->cap) {
		c->hits[c->n].id = id;
		c->hits[c->n].snippet = arena_slice_dup(c->a, snippet);
		c->n++;
	}
}

int store_search(struct db *db, struct arena *a, struct slice q, int64_t limit, int64_t offset,
		 struct store_hit **hits, size_t *n, int64_t *total)
{
	const char *terms[SEARCH_MAX_TERMS];
	size_t nterms = store_search_terms(a, q, terms, SEARCH_MAX_TERMS);
	struct collect c = { db, a, NULL, 0, (size_t)limit, 0 };
	int rc;

	*hits = NULL;
	*n = 0;
	*total = 0;
	if (!nterms)
		return DL_OK;
	rc = db_fts_search_count(db, terms, nterms, total);
	if (rc || !*total)
		return rc;
	/* Whatever a driver counts, past the window is "more" and no more pages. */
	if (*total > STORE_SEARCH_WINDOW)
		*total = STORE_SEARCH_WINDOW + 1;
	c.hits = ARENA_NEW_ARRAY(a, struct store_hit, (size_t)limit);
	rc = db_fts_search(db, terms, nterms, limit, offset, collect_hit, &c);
	if (rc)
		return rc;
	/* The teasers, in rank order; the index only holds published articles. */
	for (size_t i = 0; i < c.n; i++) {
		struct store_list one;
		rc = store_by_ids(db, a, &c.hits[i].id, 1, &one);
		if (rc)
			return rc;
		if (one.nr)
			c.hits[(*n)++] = (struct store_hit){ c.hits[i].id, c.hits[i].snippet,
							     one.items[0] };
	}
	*hits = c.hits;
	return DL_OK;
}
