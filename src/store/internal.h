/*
 * internal.h - helpers shared by the store's files. Private to src/store/.
 */
#ifndef DL_STORE_INTERNAL_H
#define DL_STORE_INTERNAL_H

#include "core/compat.h"
#include "store/store.h"

/* Column i of the current row, copied into the arena. */
static inline struct slice col(struct db_stmt *st, struct arena *a, int i)
{
	return arena_slice_dup(a, db_text(st, i));
}

/*
 * Run a bound INSERT ... RETURNING id as one content write: its own
 * transaction, the generation bumped with it. NULL (a failed prepare) is
 * DL_ERR. The statement is always released.
 */
int store_insert_id(struct db *db, struct db_stmt *st, int64_t *id);

/* The id of tag `slug`, created if new, inside the caller's transaction. */
int store_tag_ensure_in_tx(struct db *db, const char *slug, const char *name, int64_t *id);

#endif
