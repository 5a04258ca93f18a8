#include "core/compat.h"
#include <math.h>
#include "core/alloc.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/related.h"
#include "store/store.h"

/* How many of the article's terms form the similarity query (bench/related_quality.sh,
 * 80 candidates, 30 neighbours: 24 terms 0.937, 48 terms 0.943, 64 terms 0.944). */
#define QUERY_TERMS 48
/* How many candidates the full-text query returns for re-ranking by cosine. The
 * shared-neighbour step needs recall (48 terms: 80 candidates with 64 neighbours
 * 0.946, 120 candidates 0.950). */
#define CANDIDATES 120
/* Title words count this many times a body word (3 measured no better than 1). */
#define TITLE_WEIGHT 1.0
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

/* A candidate's TF-IDF vector, kept for the second round. */
struct vec {
	struct arena *arena;
	struct terms t;
	double norm;
};

static int load_vec(struct related_ctx *rc, struct db *db, int64_t id, int64_t ndocs,
		    struct vec *v)
{
	struct text_parts tp = { rc, &v->t };
	int r;

	v->arena = arena_new(0);
	v->t = (struct terms){ .arena = v->arena };
	r = db_fts_text(db, id, analyze_parts, &tp);
	for (size_t i = 0; !r && i < v->t.nr; i++)
		r = weigh(rc, db, &v->t.items[i], ndocs);
	if (!v->t.nslots)
		terms_rehash(&v->t);
	v->norm = norm(&v->t);
	return r;
}

static void vec_release(struct vec *v)
{
	free(v->t.items);
	free(v->t.slots);
	arena_free(v->arena);
}

static double dot(const struct terms *q, const struct terms *c)
{
	double sum = 0;

	for (size_t i = 0; i < c->nr; i++) {
		const struct term *e = c->items[i].weight > 0 ? find_term(q, c->items[i].stem) : NULL;
		if (e)
			sum += e->weight * c->items[i].weight;
	}
	return sum;
}

int related_compute(struct related_ctx *rc, struct db *db, int64_t id, size_t max,
		    int64_t *ids, double *scores, size_t *n)
{
	struct arena *a = arena_new(0);
	struct terms t = { .arena = a };
	struct text_parts tp = { rc, &t };
	struct db_fts_hit hits[CANDIDATES + 1];
	struct vec cand[CANDIDATES + 1];
	int64_t cats[CANDIDATES + 1];
	const char *words[QUERY_TERMS];
	int64_t ndocs, category;
	size_t nwords, nhits = 0, nloaded = 0;
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
	for (size_t i = 0; !r && i < nhits; i++, nloaded++) {
		memset(&cand[i], 0, sizeof(cand[i]));
		if (hits[i].id == id || store_article_category(db, hits[i].id, &cats[i])) {
			hits[i].score = -INFINITY;
			continue;
		}
		r = load_vec(rc, db, hits[i].id, ndocs, &cand[i]);
		if (!r)
			hits[i].score = norm_a > 0 && cand[i].norm > 0
					? dot(&t, &cand[i].t) / (norm_a * cand[i].norm) : 0;
	}
	for (size_t i = 0; !r && i < nhits; i++)
		if (hits[i].score != -INFINITY && cats[i] == category)
			hits[i].score *= CATEGORY_BOOST;
	for (size_t i = 0; i < nloaded; i++)
		vec_release(&cand[i]);
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

/*
 * Re-ranking by shared neighbours: two stories on one topic have many of the
 * same nearest neighbours; two that share a few rare words by chance do not.
 * Each article's NEIGHBOURS best by cosine are kept in memory (16 bytes
 * each), then each candidate's score gains SHARED_WEIGHT times the share of
 * its own list that is also in the article's list (or is the article).
 * Measured on the BBC corpus: 0.930 without; with 30 neighbours 0.943, with
 * 100 (from 120 candidates) 0.9506.
 */
#define NEIGHBOURS 100

/* A list fully shared adds this much to the cosine (0.8 to 1.3 all measured 0.950-0.951). */
#define SHARED_WEIGHT 1.0

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct scored { int64_t id; double score; };

static int by_scored_desc(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return (x->id < y->id) - (x->id > y->id);
}

int related_rebuild(struct db *db, size_t max, void (*progress)(size_t done, size_t total))
{
	struct related_ctx *rc = related_ctx_new();
	int64_t *ids, *nb;
	double *sc;
	size_t n, *cnt;
	int r;

	if (!rc)
		return error("no English stemmer available");
	r = store_published_ids(db, &ids, &n);
	nb = xcalloc(n ? n * NEIGHBOURS : 1, sizeof(*nb));
	sc = xcalloc(n ? n * NEIGHBOURS : 1, sizeof(*sc));
	cnt = xcalloc(n ? n : 1, sizeof(*cnt));
	for (size_t i = 0; !r && i < n; i++) {
		r = related_compute(rc, db, ids[i], NEIGHBOURS, nb + i * NEIGHBOURS, sc + i * NEIGHBOURS, &cnt[i]);
		if (r == DL_NOTFOUND)
			r = DL_OK;  /* not in the full-text index: nothing to relate */
		if (progress)
			progress(i + 1, n);
	}
	for (size_t i = 0; !r && i < n; i++) {
		struct scored s[NEIGHBOURS];
		int64_t mine[NEIGHBOURS], out_ids[NEIGHBOURS];
		double out_sc[NEIGHBOURS];
		size_t k = cnt[i], m;

		memcpy(mine, nb + i * NEIGHBOURS, k * sizeof(*mine));
		qsort(mine, k, sizeof(*mine), cmp_i64);
		for (size_t j = 0; j < k; j++) {
			int64_t cid = nb[i * NEIGHBOURS + j];
			int64_t *pos = bsearch(&cid, ids, n, sizeof(*ids), cmp_i64);
			size_t shared = 0;

			if (pos) {
				size_t c = (size_t)(pos - ids);
				for (size_t q = 0; q < cnt[c]; q++) {
					int64_t x = nb[c * NEIGHBOURS + q];
					shared += x == ids[i] || bsearch(&x, mine, k, sizeof(*mine), cmp_i64) != NULL;
				}
			}
			s[j].id = cid;
			s[j].score = sc[i * NEIGHBOURS + j] + SHARED_WEIGHT * (double)shared / NEIGHBOURS;
		}
		qsort(s, k, sizeof(*s), by_scored_desc);
		m = k < max ? k : max;
		for (size_t j = 0; j < m; j++) {
			out_ids[j] = s[j].id;
			out_sc[j] = s[j].score;
		}
		r = store_related_put(db, ids[i], out_ids, out_sc, m);
	}
	free(nb);
	free(sc);
	free(cnt);
	free(ids);
	related_ctx_free(rc);
	return r;
}
