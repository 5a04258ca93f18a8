#ifndef DL_DB_SQLITE_MEM_H
#define DL_DB_SQLITE_MEM_H

#include "core/compat.h"

/*
 * SQLite's allocator: malloc, counted per thread without a lock.
 *
 * SQLite's own count (SQLITE_CONFIG_MEMSTATUS, on in Debian's build) takes
 * one process-wide mutex around every allocation, and two workers searching
 * at once queued on it: search at a million articles with eight readers did
 * 305 req/s with it and 476 without. Here each thread adds to its own
 * counter and the reader sums them.
 */

/* Install before SQLite's first use (once; later calls do nothing). */
void sqlite_mem_install(void);
/* Bytes SQLite holds now, over every thread; 0 if the install came too late. */
int64_t sqlite_mem_used(void);

#endif
