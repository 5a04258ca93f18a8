#include "core/compat.h"
#include <math.h>
#include "core/alloc.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/related.h"
#include "store/store.h"

/* How many of the article's terms form the similarity query. */
#define QUERY_TERMS 24
/* How many candidates the full-text query returns for re-ranking by cosine
 * (80 measured no better than 40 on the BBC corpus, at 1.5x the time). */
#define CANDIDATES 40
/* Title words count this many times a body word. */
#define TITLE_WEIGHT 3.0
/* Same-category candidates get this boost: a tie-breaker, not a filter. */
#define CATEGORY_BOOST 1.08

/* Document frequencies already looked up: a rebuild asks for the same terms
 * thousands of times, and each full-text lookup walks a posting list. */
struct df_entry {
	char *stem;
	int64_t df;
};

struct related_ctx {
	struct text_analyzer *ta;
	struct arena *arena;
	struct df_entry *df;
	size_t df_nr, df_size;
	int64_t ndocs;  /* the index size the cache was filled at */
};

struct term {
	char *stem;
	char *word;    /* a surface form: the driver stems it back to `stem` */
	double tf;
	double weight;
};

struct terms {
	struct term *items;
	size_t nr, alloc;
	size_t *slots;   /* open addressing: index + 1, 0 empty */
	size_t nslots;
	struct arena *arena;
	struct slice text;  /* the text being walked, for surface words */
	double factor;      /* TITLE_WEIGHT while walking the title */
};

struct related_ctx *related_ctx_new(void)
{
	struct related_ctx *rc = xcalloc(1, sizeof(*rc));

	rc->ta = text_analyzer_new("english");
	if (!rc->ta) {
		free(rc);
		return NULL;
	}
	rc->arena = arena_new(0);
	return rc;
}

void related_ctx_free(struct related_ctx *rc)
{
	if (!rc)
		return;
	text_analyzer_free(rc->ta);
	arena_free(rc->arena);
	free(rc->df);
	free(rc);
}

static size_t hash_str(const char *s, size_t n)
{
	size_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void terms_rehash(struct terms *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 1024;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (size_t i = 0; i < t->nr; i++) {
		size_t h = hash_str(t->items[i].stem, strlen(t->items[i].stem)) & (t->nslots - 1);
		while (t->slots[h])
			h = (h + 1) & (t->nslots - 1);
		t->slots[h] = i + 1;
	}
}

static int add_word(void *ctx, const char *stem, size_t n, size_t start, size_t end)
{
	struct terms *t = ctx;
	size_t h;

	if (n < 2 || (stem[0] >= '0' && stem[0] <= '9'))
		return 0;  /* numbers and single letters say little about a topic */
	if ((t->nr + 1) * 2 > t->nslots)
		terms_rehash(t);
	h = hash_str(stem, n) & (t->nslots - 1);
	while (t->slots[h]) {
		struct term *e = &t->items[t->slots[h] - 1];
		if (!strncmp(e->stem, stem, n) && !e->stem[n]) {
			e->tf += t->factor;
			return 0;
		}
		h = (h + 1) & (t->nslots - 1);
	}
	ALLOC_GROW(t->items, t->nr + 1, t->alloc);
	t->items[t->nr] = (struct term){
		.stem = arena_strndup(t->arena, stem, n),
		.word = arena_strndup(t->arena, t->text.p + start, end - start),
		.tf = t->factor,
	};
	t->slots[h] = ++t->nr;
	return 0;
}

struct text_parts {
	struct related_ctx *rc;
	struct terms *terms;
};

static void analyze_parts(void *ctx, struct slice title, struct slice dek, struct slice body)
{
	struct text_parts *tp = ctx;
	struct terms *t = tp->terms;

	t->factor = TITLE_WEIGHT;
	t->text = title;
	text_analyze(tp->rc->ta, title.p, title.len, add_word, t);
	t->factor = TITLE_WEIGHT / 2;
	t->text = dek;
	text_analyze(tp->rc->ta, dek.p, dek.len, add_word, t);
	t->factor = 1.0;
	t->text = body;
	text_analyze(tp->rc->ta, body.p, body.len, add_word, t);
}

static int by_weight_desc(const void *a, const void *b)
{
	const struct term *x = a, *y = b;

	return (x->weight < y->weight) - (x->weight > y->weight);
}

static int by_score_desc(const void *a, const void *b)
{
	const struct db_fts_hit *x = a, *y = b;

	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return (x->id < y->id) - (x->id > y->id);  /* newer (higher id) first */
}

static void df_reset(struct related_ctx *rc, int64_t ndocs)
{
	arena_reset(rc->arena);
	free(rc->df);
	rc->df = NULL;
	rc->df_nr = rc->df_size = 0;
	rc->ndocs = ndocs;
}

static void df_insert(struct df_entry *tab, size_t size, struct df_entry e)
{
	size_t h = hash_str(e.stem, strlen(e.stem)) & (size - 1);

	while (tab[h].stem)
		h = (h + 1) & (size - 1);
	tab[h] = e;
}

/* The document frequency of `stem`, from the cache or the index. */
static int doc_freq(struct related_ctx *rc, struct db *db, const char *stem, int64_t *df)
{
	size_t len = strlen(stem), h;
	int r;

	if (rc->df_size) {
		for (h = hash_str(stem, len) & (rc->df_size - 1); rc->df[h].stem;
		     h = (h + 1) & (rc->df_size - 1)) {
			if (!strcmp(rc->df[h].stem, stem)) {
				*df = rc->df[h].df;
				return DL_OK;
			}
		}
	}
	r = db_fts_doc_freq(db, stem, len, df);
	if (r)
		return r;
	if ((rc->df_nr + 1) * 2 > rc->df_size) {
		struct df_entry *old = rc->df;
		size_t old_size = rc->df_size;

		rc->df_size = old_size ? old_size * 2 : 4096;
		rc->df = xcalloc(rc->df_size, sizeof(*rc->df));
		for (size_t i = 0; i < old_size; i++)
			if (old[i].stem)
				df_insert(rc->df, rc->df_size, old[i]);
		free(old);
	}
	df_insert(rc->df, rc->df_size,
		  (struct df_entry){ arena_strndup(rc->arena, stem, len), *df });
	rc->df_nr++;
	return DL_OK;
}

/* TF-IDF weight of one term; 0 for terms that relate nothing (in one
 * document only) or everything (in more than half). */
static int weigh(struct related_ctx *rc, struct db *db, struct term *e, int64_t ndocs)
{
	int64_t df;
	int r = doc_freq(rc, db, e->stem, &df);

	if (r)
		return r;
	if (df <= 1 || df > ndocs / 2 + 1)
		e->weight = 0;
	else
		e->weight = (1.0 + log(e->tf)) * log((double)ndocs / (double)df);
	return DL_OK;
}

/* Weight each term by TF-IDF; keep the distinctive ones, best first. */
static int weigh_terms(struct related_ctx *rc, struct db *db, struct terms *t, int64_t ndocs,
		       size_t *nkeep)
{
	size_t keep = 0;

	for (size_t i = 0; i < t->nr; i++) {
		int r = weigh(rc, db, &t->items[i], ndocs);

		if (r)
			return r;
		keep += t->items[i].weight > 0;
	}
	qsort(t->items, t->nr, sizeof(*t->items), by_weight_desc);
	terms_rehash(t);  /* the sort moved every term */
	*nkeep = keep < QUERY_TERMS ? keep : QUERY_TERMS;
	return DL_OK;
}

static const struct term *find_term(const struct terms *t, const char *stem)
{
	size_t h = hash_str(stem, strlen(stem)) & (t->nslots - 1);

	for (; t->slots[h]; h = (h + 1) & (t->nslots - 1))
		if (!strcmp(t->items[t->slots[h] - 1].stem, stem))
			return &t->items[t->slots[h] - 1];
	return NULL;
}

static double norm(const struct terms *t)
{
	double sum = 0;

	for (size_t i = 0; i < t->nr; i++)
		sum += t->items[i].weight * t->items[i].weight;
	return sqrt(sum);
}

/* Cosine similarity of the article's TF-IDF vector with candidate `id`'s:
 * the full-text query finds candidates cheaply, this ranks them well. */
static int cosine(struct related_ctx *rc, struct db *db, const struct terms *a, double norm_a,
		  int64_t id, int64_t ndocs, double *out)
{
	struct arena *arena = arena_new(0);
	struct terms c = { .arena = arena };
	struct text_parts tp = { rc, &c };
	double dot = 0, norm_c;
	int r = db_fts_text(db, id, analyze_parts, &tp);

	for (size_t i = 0; !r && i < c.nr; i++)
		r = weigh(rc, db, &c.items[i], ndocs);
	if (!r) {
		for (size_t i = 0; i < c.nr; i++) {
			const struct term *e = c.items[i].weight > 0 ? find_term(a, c.items[i].stem) : NULL;
			if (e)
				dot += e->weight * c.items[i].weight;
		}
		norm_c = norm(&c);
		*out = norm_a > 0 && norm_c > 0 ? dot / (norm_a * norm_c) : 0;
	}
	free(c.items);
	free(c.slots);
	arena_free(arena);
	return r;
}

int related_compute(struct related_ctx *rc, struct db *db, int64_t id, size_t max,
		    int64_t *ids, double *scores, size_t *n)
{
	struct arena *a = arena_new(0);
	struct terms t = { .arena = a };
	struct text_parts tp = { rc, &t };
	struct db_fts_hit hits[CANDIDATES + 1];
	const char *words[QUERY_TERMS];
	int64_t ndocs, category;
	size_t nwords, nhits = 0;
	double norm_a = 0;
	int r;

	*n = 0;
	r = db_fts_text(db, id, analyze_parts, &tp);
	if (!r)
		r = db_fts_count(db, &ndocs);
	/* Frequencies stay good enough while the index grows by under 5%. */
	if (!r && (ndocs > rc->ndocs + rc->ndocs / 20 || ndocs < rc->ndocs))
		df_reset(rc, ndocs);
	if (!r)
		r = weigh_terms(rc, db, &t, ndocs, &nwords);
	if (!r)
		r = store_article_category(db, id, &category);
	if (!r) {
		for (size_t i = 0; i < nwords; i++)
			words[i] = t.items[i].word;
		r = db_fts_any(db, words, nwords, CANDIDATES + 1, hits, &nhits);
	}
	norm_a = norm(&t);
	for (size_t i = 0; !r && i < nhits; i++) {
		int64_t cat;

		if (hits[i].id == id || store_article_category(db, hits[i].id, &cat)) {
			hits[i].score = -INFINITY;
			continue;
		}
		r = cosine(rc, db, &t, norm_a, hits[i].id, ndocs, &hits[i].score);
		if (!r && cat == category)
			hits[i].score *= CATEGORY_BOOST;
	}
	if (!r) {
		qsort(hits, nhits, sizeof(*hits), by_score_desc);
		for (size_t i = 0; i < nhits && *n < max; i++) {
			if (hits[i].score == -INFINITY || hits[i].score <= 0)
				continue;
			ids[*n] = hits[i].id;
			scores[*n] = hits[i].score;
			(*n)++;
		}
	}
	free(t.items);
	free(t.slots);
	arena_free(a);
	return r;
}

int related_refresh(struct related_ctx *rc, struct db *db, int64_t id, size_t max)
{
	int64_t ids[32];
	double scores[32];
	size_t n;
	int r;

	if (max > ARRAY_SIZE(ids))
		max = ARRAY_SIZE(ids);
	r = related_compute(rc, db, id, max, ids, scores, &n);
	if (r)
		return r;
	return store_related_put(db, id, ids, scores, n);
}

int related_rebuild(struct db *db, size_t max, void (*progress)(size_t done, size_t total))
{
	struct related_ctx *rc = related_ctx_new();
	int64_t *ids;
	size_t n;
	int r;

	if (!rc)
		return error("no English stemmer available");
	r = store_published_ids(db, &ids, &n);
	for (size_t i = 0; !r && i < n; i++) {
		r = related_refresh(rc, db, ids[i], max);
		if (r == DL_NOTFOUND)
			r = DL_OK;  /* not in the full-text index: nothing to relate */
		if (progress)
			progress(i + 1, n);
	}
	free(ids);
	related_ctx_free(rc);
	return r;
}
