/*
 * search.c - /search/?q=words: ranked full-text results with highlighted
 * snippets and pagination.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/utf8.h"
#include "site/internal.h"

#define SEARCH_MAX_QUERY 200
#define SEARCH_PER_PAGE 10
#define SEARCH_MAX_PAGE 1000

static const char *const params[] = { "q", "page", NULL };

/* The snippet as runs of plain and matched text, for the template to escape. */
static struct view *snippet_view(struct page *p, struct slice s)
{
	struct view *list = view_list(p->a);
	size_t start = 0;
	bool hit = false;

	for (size_t i = 0; i <= s.len; i++) {
		if (i < s.len && s.p[i] != '\x01' && s.p[i] != '\x02')
			continue;
		if (i > start) {
			struct view *run = view_obj(p->a);
			view_set_str(run, "text", s.p + start, i - start);
			view_set_bool(run, "hit", hit);
			view_push(list, run);
		}
		if (i < s.len)
			hit = s.p[i] == '\x01';
		start = i + 1;
	}
	return list;
}

static const char *search_url(struct page *p, struct slice q, int64_t page)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	strbuf_addstr(&sb, "/search/?q=");
	strbuf_add_urlencoded(&sb, q.p, q.len);
	if (page > 1)
		strbuf_addf(&sb, "&page=%" PRId64, page);
	r = arena_strndup(p->a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

void page_search(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	const struct slice *qp = query_get(&req->query, "q");
	struct slice q = qp ? *qp : SLICE_LIT("");
	struct view *meta, *results, *pg;
	struct store_hit *hits;
	int64_t page, total, pages;
	bool more;
	size_t n;
	int rc;

	if (!page_check_query(p, params))
		return;
	if (query_page(&req->query, SEARCH_MAX_PAGE, &page)) {
		page_error(p, 400, "The page number must be a whole number from 1 to 1000.");
		return;
	}
	/* Long queries are cut, not refused: what a reader pastes is not an error. */
	q.len = utf8_truncate(q.p, q.len, SEARCH_MAX_QUERY);
	rc = store_search(p->db, p->a, q, SEARCH_PER_PAGE, (page - 1) * SEARCH_PER_PAGE, &hits, &n,
			  &total);
	if (page_failed(p, rc, "Nothing found."))
		return;
	/* Past the window the count says "more than"; only the window is paged. */
	more = total > STORE_SEARCH_WINDOW;
	if (more)
		total = STORE_SEARCH_WINDOW;
	pages = total ? (total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE : 1;
	meta = view_set_obj(p->root, "page");
	view_set_cstr(meta, "title", q.len ? arena_printf(p->a, "Search: %.*s", (int)q.len, q.p)
					   : "Search");
	view_set_bool(meta, "noindex", true);
	p->canonical = search_url(p, q, page);
	view_set_str(p->root, "query", q.p, q.len);
	view_set_bool(p->root, "has_query", q.len > 0);
	view_set_int(p->root, "total", total);
	view_set_bool(p->root, "one_result", total == 1);
	view_set_bool(p->root, "more", more);
	results = view_set_list(p->root, "results");
	for (size_t i = 0; i < n; i++) {
		struct view *t = view_teaser(p, &hits[i].article);
		view_set(t, "snippet", snippet_view(p, hits[i].snippet));
		view_push(results, t);
	}
	pg = view_set_obj(p->root, "pagination");
	view_set_int(pg, "page", page);
	view_set_int(pg, "pages", pages);
	view_set_bool(pg, "several", pages > 1);
	if (page > 1)
		view_set_cstr(pg, "prev_url", search_url(p, q, page - 1));
	if (page < pages)
		view_set_cstr(pg, "next_url", search_url(p, q, page + 1));
	/* Past the last page of a real result set is a missing page, not an empty one. */
	page_render(p, "search", n || page == 1 ? 200 : 404);
}
