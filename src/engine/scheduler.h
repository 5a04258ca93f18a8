/*
 * scheduler.h - publishes scheduled articles on time, with no traffic.
 *
 * One thread with its own connection checks the queue at every whole
 * second (one indexed query), so an article goes out within a second of
 * its time; at start-up anything overdue goes out at once.
 */
#ifndef DL_ENGINE_SCHEDULER_H
#define DL_ENGINE_SCHEDULER_H

#include "core/compat.h"

struct scheduler;

/* Start the scheduler thread over database `db_url`, or NULL after logging why. */
struct scheduler *scheduler_start(const char *db_url);
/* Stop and join it. */
void scheduler_stop(struct scheduler *s);
/* Articles published since start (for metrics and tests). */
uint64_t scheduler_published(const struct scheduler *s);

#endif
