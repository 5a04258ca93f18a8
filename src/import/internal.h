/*
 * internal.h - shared between the importer's files. Private to src/import/.
 */
#ifndef DL_IMPORT_INTERNAL_H
#define DL_IMPORT_INTERNAL_H

#include "core/compat.h"
#include "core/arena.h"
#include "core/strbuf.h"
#include "import/import.h"
#include "import/wxr.h"
#include "store/store.h"

#define MAX_ATTACHMENT (64u * 1024 * 1024)
#define MAX_TAGS 256

struct pending {
	int64_t id;        /* the Dateline row waiting */
	char *wp_key;      /* what it waits for */
};

struct importer {
	struct db *db;
	const char *uploads;
	struct wxr_stats *st;
	struct strbuf *err;
	struct arena *a;          /* per record */
	int64_t now;
	char run[48];             /* this run's stamp on terms and authors */
	int64_t pages_category;   /* 0 until the first page */
	int64_t fallback_author;  /* for items with no known author */
	struct pending *parents;  /* categories whose parent came later */
	size_t nparents, parents_alloc;
	struct pending *thumbs;   /* articles whose featured image came later */
	size_t nthumbs, thumbs_alloc;
	int64_t *relink;          /* articles linking to old uploads, relinked at the end */
	size_t nrelink, relink_alloc;
	uint64_t *seen;           /* hashes of item keys done this run (open addressing) */
	size_t seen_nr, seen_size;
	wxr_progress_fn progress;
	uint64_t file_size;
	size_t items;
};

/* Report a problem with record r ("LINE: message" in im->err): DL_INVALID. */
int imp_bad(struct importer *im, const struct wxr_record *r, const char *fmt, ...) DL_PRINTF(3, 4);
/* Report a store failure while importing r; returns rc. */
int imp_store_failed(struct importer *im, const struct wxr_record *r, int rc, const char *what);
/* Count n things not imported for `reason`. */
void imp_skip(struct importer *im, const char *reason, size_t n);

/* A buffer without surrounding whitespace, as a slice or an arena string. */
struct slice imp_trimmed(const struct strbuf *sb);
const char *imp_tstr(struct importer *im, const struct strbuf *sb);
/* Append s with %XX decoded. */
void imp_url_decode(struct slice s, struct strbuf *out);
/* A valid Dateline slug from a WordPress slug, else from name, else fallback. */
const char *imp_make_slug(struct importer *im, struct slice wp_slug, struct slice name,
			  const char *fallback);
/* slug, or slug-2, slug-3...: the first free in `space` for row `self`. */
int imp_unique_slug(struct importer *im, enum store_slug_space space, const char *slug,
		    int64_t self, bool avoid_reserved, const char **out);
/* The decoded path of an old URL, or NULL (a query string, no path). */
const char *imp_old_path(struct importer *im, const struct strbuf *url);
/* Dates: 0 read into *t, 1 none (empty or WordPress's zero date), -1 malformed. */
int imp_parse_wp_date(struct slice s, int64_t *t);
int imp_parse_rfc822(struct slice s, int64_t *t);

/* The Dateline user for an item's dc:creator (created if unknown). */
int imp_author_of(struct importer *im, const struct wxr_record *r, int64_t *id);
int imp_put_category(struct importer *im, const struct wxr_record *r, struct slice nicename,
		     struct slice name, struct slice description, struct slice parent, int64_t *id);
int imp_put_tag(struct importer *im, const struct wxr_record *r, struct slice wp_slug,
		struct slice name, int64_t *id);

/* An <item>: a post, page or attachment, or skipped with a reason (item.c). */
int imp_item(struct importer *im, const struct wxr_record *r, const struct wxr_channel *ch);

#endif
