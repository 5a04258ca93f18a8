/*
 * metrics.h - counters, gauges and latency histograms, rendered in the
 * Prometheus text exposition format (version 0.0.4) for a /metrics endpoint.
 *
 * A metric is a name plus at most two label values (e.g. route and status);
 * the first use creates it. Names and label values are copied. Thread-safe:
 * one mutex around a small table, taken once per update. The table has a
 * ceiling (METRICS_MAX series); updates beyond it are dropped and counted in
 * dateline_metrics_dropped_total, never grown without bound.
 */
#ifndef DL_CORE_METRICS_H
#define DL_CORE_METRICS_H

#include "core/compat.h"
#include "core/strbuf.h"

#define METRICS_MAX 512

/* Upper bounds of the latency histograms' buckets, in seconds (then +Inf). */
#define METRICS_BUCKETS { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, \
			  0.05, 0.1, 0.25, 0.5, 1, 2.5 }
#define METRICS_NBUCKETS 14

struct metrics;

/* A label pair list: up to two labels, names NULL when unused. */
struct metrics_labels {
	const char *name[2];
	const char *value[2];
};

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* The process-wide registry (created on first use, never freed before exit). */
struct metrics *metrics_global(void);

/* Add `n` to a counter. `help` is used when the metric is first seen. */
void metrics_count(struct metrics *m, const char *name, const char *help,
		   const struct metrics_labels *labels, uint64_t n);
/* Set a counter to `total` (a total kept elsewhere, read when rendering). */
void metrics_count_set(struct metrics *m, const char *name, const char *help,
		       const struct metrics_labels *labels, uint64_t total);
/* Set a gauge. */
void metrics_set(struct metrics *m, const char *name, const char *help,
		 const struct metrics_labels *labels, double v);
/* Record one observation (seconds) in a histogram. */
void metrics_observe(struct metrics *m, const char *name, const char *help,
		     const struct metrics_labels *labels, double seconds);

/* Append every metric in Prometheus text format, grouped by name. */
void metrics_render(struct metrics *m, struct strbuf *out);

/* The content type of metrics_render's output. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
