/*
 * ticker.h - a background thread that calls a function, waits the time it
 * asks for, and calls it again, until stopped. Stopping wakes the wait at
 * once and waits for a call in progress to return.
 */
#ifndef DL_CORE_TICKER_H
#define DL_CORE_TICKER_H

#include "core/compat.h"

struct ticker;

/* One round of work; returns how many milliseconds to wait before the next. */
typedef long (*ticker_fn)(void *ctx);

/* Start calling `fn` now; NULL (logged, naming `what`) if no thread could start. */
struct ticker *ticker_start(const char *what, ticker_fn fn, void *ctx);
/* End the current wait now (the next call comes at once); NULL is ok. */
void ticker_kick(struct ticker *t);
/* Stop and free; NULL is ok. */
void ticker_stop(struct ticker *t);

#endif
