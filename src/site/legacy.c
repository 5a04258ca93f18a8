/*
 * legacy.c - the old WordPress site's links after an import: paths recorded
 * by the importer, /YYYY/MM/slug/ permalinks, nested /category/a/b/ paths
 * and /wp-content/uploads/ files, each one 301 to where it lives now.
 */
#include "core/compat.h"
#include "core/err.h"
#include "site/internal.h"

static const char gone[] = "We could not find that page. It may have moved or been taken down.";

bool site_legacy_redirect(struct page *p)
{
	struct store_legacy l;
	const char *to = NULL;

	if (!p->db || !(p->req->method & (HTTP_GET | HTTP_HEAD)))
		return false;
	if (store_legacy_resolve(p->db, p->a, p->req->path, &l))
		return false;
	switch (l.kind) {
	case STORE_LEGACY_ARTICLE:
		to = url_article(p->a, &l.article);
		break;
	case STORE_LEGACY_CATEGORY:
		to = url_category(p->a, l.name);
		break;
	case STORE_LEGACY_TAG:
		to = url_tag(p->a, l.name);
		break;
	case STORE_LEGACY_AUTHOR:
		to = url_author(p->a, l.name);
		break;
	case STORE_LEGACY_MEDIA:
		to = url_media(p->a, l.id, l.name);
		break;
	}
	/* Never a redirect to itself. */
	if (!to || slice_eq_str(p->req->path, to))
		return false;
	http_redirect(p->req, 301, to);
	return true;
}

static bool digits(struct slice s, size_t len)
{
	if (s.len != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/* WordPress's /YYYY/MM/slug/ permalinks ("month and name"). */
void page_month_article(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_article art;
	int rc;

	if (!digits(p->match.params[0], 4) || !digits(p->match.params[1], 2)) {
		page_error(p, 404, gone);
		return;
	}
	rc = store_article_by_slug(p->db, p->a, p->match.params[2], &art);
	if (page_failed(p, rc, gone))
		return;
	http_redirect(req, 301, url_article(p->a, &art));
}

/* /category/parent/child/: WordPress's nested section paths; the last one counts. */
void page_nested_category(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct slice tail = p->match.params[0], last;
	struct store_category c;
	int rc;

	while (tail.len && tail.p[tail.len - 1] == '/')
		tail.len--;
	last = tail;
	for (size_t i = tail.len; i > 0; i--)
		if (tail.p[i - 1] == '/') {
			last = slice_from(tail.p + i, tail.len - i);
			break;
		}
	if (!last.len) {
		page_error(p, 404, gone);
		return;
	}
	rc = store_category_by_slug(p->db, p->a, last, &c);
	if (page_failed(p, rc, gone))
		return;
	http_redirect(req, 301, url_category(p->a, c.slug));
}

/* /wp-content/...: attachment files the importer recorded. */
void page_legacy(struct http_request *req, void *ctx)
{
	struct page *p = ctx;

	if (!site_legacy_redirect(p))
		page_error(p, 404, gone);
}
