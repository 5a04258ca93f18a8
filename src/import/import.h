/*
 * import.h - WordPress export (WXR) into the store, and the store out as WXR.
 */
#ifndef DL_IMPORT_IMPORT_H
#define DL_IMPORT_IMPORT_H

#include "core/compat.h"
#include "core/strbuf.h"
#include "db/db.h"

#define WXR_MISSING_LISTED 20

struct wxr_stats {
	size_t posts, pages, categories, nested_categories, tags, authors, attachments;
	size_t created, updated, unchanged;
	size_t attachments_missing;
	char *missing[WXR_MISSING_LISTED];  /* the first missing files' URLs */
	size_t comments, galleries;
	size_t protected_posts;  /* had a post password: imported unpublished */
	/* Items and terms not imported, by reason ("menu item", "post type 'x'"…). */
	struct wxr_skip { char *reason; size_t n; } *skipped;
	size_t nskipped, skipped_alloc;
};

void wxr_stats_release(struct wxr_stats *st);

/* Progress for a long import: bytes read of the file's total. */
typedef void (*wxr_progress_fn)(uint64_t done, uint64_t total, size_t items);

/*
 * Import WXR file `path` into the store in one transaction: all of it, or
 * nothing when it fails. `uploads` is a copy of wp-content/uploads (or
 * NULL): attachment files are read from it. Items already imported from
 * the same WordPress post id are updated when they changed and left alone
 * otherwise. On failure, `err` says why, starting with the line number when
 * the file is at fault ("12: item has no <title>"); returns DL_INVALID for
 * a bad file, another error for a store failure.
 */
int wxr_import(struct db *db, const char *path, const char *uploads, wxr_progress_fn progress,
	       struct wxr_stats *st, struct strbuf *err);

struct wxr_export_stats {
	size_t posts, pages, categories, tags, authors, attachments;
};

/*
 * Write the whole store as a WXR 1.2 file to `f`: authors, categories (with
 * parents), tags, every article in every status as a post (or a page, for
 * the Pages section), media as attachments at `base_url`/media/<id>/<name>.
 * Bodies are written as one Custom HTML block, so WordPress shows them
 * exactly and does not apply its paragraph rules again. With `uploads`,
 * media files are written under it as dateline/<id>/<name>, the path an
 * import with --uploads reads them back from.
 */
int wxr_export(struct db *db, FILE *f, const char *base_url, const char *uploads,
	       struct wxr_export_stats *st);

#endif
