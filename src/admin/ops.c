/*
 * ops.c - what operators and their tools read: /healthz and /metrics.
 */
#include "core/compat.h"
#include "core/metrics.h"
#include "admin/internal.h"

void adm_healthz(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	int64_t gen;
	bool ok = x->db && !store_generation(x->db, &gen);

	req->res.status = ok ? 200 : 503;
	req->res.content_type = "text/plain; charset=utf-8";
	strbuf_reset(&req->res.body);
	strbuf_addstr(&req->res.body, ok ? "ok\n" : "database unavailable\n");
	http_set_header(req, "Cache-Control", "no-store");
}

/*
 * Prometheus text without a login: the editorial listener is internal
 * (loopback by default), which is where scrapers run; counts hold no content.
 */
void adm_metrics(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	req->res.status = 200;
	req->res.content_type = METRICS_CONTENT_TYPE;
	strbuf_reset(&req->res.body);
	engine_metrics_render(x->admin->engine, &req->res.body);
	req->res.compressible = true;
	http_set_header(req, "Cache-Control", "no-store");
}
