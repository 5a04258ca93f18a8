/*
 * tally.h - in-memory counters keyed by id (page views, ad impressions and
 * clicks), added to by request threads and drained in one batch by the
 * flusher, so counting costs a request a mutex and no database write.
 */
#ifndef DL_ENGINE_TALLY_H
#define DL_ENGINE_TALLY_H

#include "core/compat.h"

struct tally;

struct tally *tally_new(void);
void tally_free(struct tally *t);
/* counts[id] += n */
void tally_add(struct tally *t, int64_t id, int64_t n);
/*
 * Move every count out: *ids and *counts become malloc'd arrays of the
 * returned length (caller frees both), and the tally is empty again.
 */
size_t tally_take(struct tally *t, int64_t **ids, int64_t **counts);
/* Put counts back (after a failed write) so they are not lost. */
void tally_restore(struct tally *t, const int64_t *ids, const int64_t *counts, size_t n);

#endif
