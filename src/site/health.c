/*
 * health.c - /healthz: is this process able to serve pages right now?
 *
 * 200 "ok" when the database answers (a one-row read of the content
 * generation); 503 otherwise. Never cached, so a load balancer sees the truth.
 */
#include "core/compat.h"
#include "site/internal.h"

void page_healthz(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	int64_t gen;
	bool ok = p->db && !store_generation(p->db, &gen);

	if (!page_check_query(p, page_no_params))
		return;
	req->res.status = ok ? 200 : 503;
	req->res.content_type = "text/plain; charset=utf-8";
	strbuf_reset(&req->res.body);
	strbuf_addstr(&req->res.body, ok ? "ok\n" : "database unavailable\n");
	http_set_header(req, "Cache-Control", "no-store");
}
