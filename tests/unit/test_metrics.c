#include "core/compat.h"
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/metrics.h"
#include "engine/engine.h"

static bool has_line(const struct strbuf *sb, const char *line)
{
	const char *p = sb->buf;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == sb->buf || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static void test_counters_by_label(void **state)
{
	struct metrics *m = metrics_new();
	struct strbuf out = STRBUF_INIT;
	struct metrics_labels a = { { "route", "status" }, { "article", "200" } };
	struct metrics_labels b = { { "route", "status" }, { "home", "304" } };

	metrics_count(m, "req_total", "Requests.", &a, 2);
	metrics_count(m, "req_total", "Requests.", &b, 1);
	metrics_count(m, "req_total", "Requests.", &a, 3);
	metrics_count(m, "plain_total", "No labels.", NULL, 7);
	metrics_render(m, &out);
	assert_true(has_line(&out, "# HELP req_total Requests."));
	assert_true(has_line(&out, "# TYPE req_total counter"));
	assert_true(has_line(&out, "req_total{route=\"article\",status=\"200\"} 5"));
	assert_true(has_line(&out, "req_total{route=\"home\",status=\"304\"} 1"));
	assert_true(has_line(&out, "plain_total 7"));
	/* one HELP per name, however many series */
	assert_null(strstr(strstr(out.buf, "# HELP req_total") + 1, "# HELP req_total"));
	strbuf_release(&out);
	metrics_free(m);
}

static void test_histogram_buckets_are_cumulative(void **state)
{
	struct metrics *m = metrics_new();
	struct strbuf out = STRBUF_INIT;
	struct metrics_labels l = { { "route", NULL }, { "article", NULL } };

	metrics_observe(m, "lat_seconds", "Latency.", &l, 0.0004);
	metrics_observe(m, "lat_seconds", "Latency.", &l, 0.003);
	metrics_observe(m, "lat_seconds", "Latency.", &l, 7.0);
	metrics_render(m, &out);
	assert_true(has_line(&out, "# TYPE lat_seconds histogram"));
	assert_true(has_line(&out, "lat_seconds_bucket{route=\"article\",le=\"0.0001\"} 0"));
	assert_true(has_line(&out, "lat_seconds_bucket{route=\"article\",le=\"0.0005\"} 1"));
	assert_true(has_line(&out, "lat_seconds_bucket{route=\"article\",le=\"0.005\"} 2"));
	assert_true(has_line(&out, "lat_seconds_bucket{route=\"article\",le=\"2.5\"} 2"));
	assert_true(has_line(&out, "lat_seconds_bucket{route=\"article\",le=\"+Inf\"} 3"));
	assert_true(has_line(&out, "lat_seconds_count{route=\"article\"} 3"));
	assert_true(has_line(&out, "lat_seconds_sum{route=\"article\"} 7.0034"));
	strbuf_release(&out);
	metrics_free(m);
}

static void test_gauges_escaping_and_ceiling(void **state)
{
	struct metrics *m = metrics_new();
	struct strbuf out = STRBUF_INIT;
	struct metrics_labels l = { { "q", NULL }, { "a\"b\\c\nd", NULL } };
	char name[32];

	metrics_set(m, "bytes", "Bytes.", &l, 1.5);
	metrics_set(m, "bytes", "Bytes.", &l, 2.5);
	for (int i = 0; i < METRICS_MAX + 10; i++) {
		snprintf(name, sizeof(name), "c%d_total", i);
		metrics_count(m, name, "x", NULL, 1);
	}
	metrics_render(m, &out);
	assert_true(has_line(&out, "bytes{q=\"a\\\"b\\\\c\\nd\"} 2.5"));
	assert_true(has_line(&out, "dateline_metrics_dropped_total 11"));
	strbuf_release(&out);
	metrics_free(m);
}

static void test_engine_adds_cache_and_database_totals(void **state)
{
	char dir[] = "/tmp/dateline-metrics-XXXXXX";
	struct strbuf url = STRBUF_INIT, out = STRBUF_INIT;
	struct engine_config cfg = { 0 };
	struct engine *e;
	const char *p;

	assert_non_null(mkdtemp(dir));
	strbuf_addf(&url, "%s/m.db", dir);
	cfg.db_url = url.buf;
	cfg.cache_bytes = 1 << 20;
	e = engine_new(&cfg);
	assert_non_null(e);
	engine_metrics_render(e, &out);
	assert_true(has_line(&out, "dateline_page_cache_budget_bytes 1048576"));
	assert_true(has_line(&out, "dateline_page_cache_hits_total 0"));
	assert_non_null(strstr(out.buf, "\ndateline_db_statements_total "));
	/* The engine has a SQLite connection open: SQLite holds memory, and says so. */
	p = strstr(out.buf, "\ndateline_sqlite_memory_bytes ");
	assert_non_null(p);
	assert_true(atof(p + strlen("\ndateline_sqlite_memory_bytes ")) > 0);
	assert_non_null(strstr(out.buf, "\ndateline_heap_in_use_bytes "));
	assert_non_null(strstr(out.buf, "\ndateline_heap_free_bytes "));
	engine_free(e);
	strbuf_reset(&url);
	strbuf_addf(&url, "rm -rf %s", dir);
	assert_int_equal(system(url.buf), 0);
	strbuf_release(&url);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_by_label),
		cmocka_unit_test(test_histogram_buckets_are_cumulative),
		cmocka_unit_test(test_gauges_escaping_and_ceiling),
		cmocka_unit_test(test_engine_adds_cache_and_database_totals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
