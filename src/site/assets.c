/*
 * assets.c - theme files, uploaded media and ad click-throughs.
 */
#include "core/compat.h"
#include "core/err.h"
#include "engine/media.h"
#include "site/internal.h"

static const char *const version_param[] = { "v", NULL };

static void send_asset(struct page *p, const struct theme_asset *a)
{
	const struct slice *v = query_get(&p->req->query, "v");
	struct http_response *res = &p->req->res;

	res->status = 200;
	res->static_body = a->data;
	res->static_len = a->len;
	res->content_type = a->content_type;
	res->compressible = true;
	res->etag = true;
	/* A URL carrying the content's version never changes meaning: cache it for good. */
	http_set_header(p->req, "Cache-Control",
			v && slice_eq_str(*v, a->version) ? "public, max-age=31536000, immutable"
							  : "public, max-age=3600");
}

void page_static(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct slice path = p->match.params[0];
	const struct theme_asset *a;

	if (!page_check_query(p, version_param))
		return;
	a = theme_asset(p->site->theme, path.p, path.len);
	if (!a) {
		page_error(p, 404, "No such file.");
		return;
	}
	send_asset(p, a);
}

void page_favicon(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	const struct theme_asset *a = theme_asset(p->site->theme, "favicon.ico", 11);

	if (!page_check_query(p, page_no_params))
		return;
	if (!a) {
		page_error(p, 404, "No such file.");
		return;
	}
	send_asset(p, a);
}

/* Only these types are ever served from the media library, whatever was stored. */
static const char *safe_media_type(struct slice mime)
{
	static const char *const ok[] = {
		"image/jpeg", "image/png", "image/webp", "image/gif", "image/svg+xml", "image/avif",
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (slice_eq_str(mime, ok[i]))
			return ok[i];
	return "application/octet-stream";
}

static void send_media(struct http_request *req, struct slice data, const char *type)
{
	req->res.status = 200;
	req->res.content_type = type;
	req->res.static_body = data.p;  /* arena memory: lives until the response is sent */
	req->res.static_len = data.len;
	req->res.compressible = true;
	req->res.etag = true;
	/* An id's bytes never change (re-uploads get new ids): cache for good. */
	http_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
	/* Even opened directly, an uploaded file can run nothing and embed nothing. */
	http_set_header(req, "Content-Security-Policy",
			"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
	http_set_header(req, "Content-Disposition", "inline");
}

void page_media(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_media m;
	int64_t id;
	int rc;

	if (!page_check_query(p, page_no_params))
		return;
	if (slice_to_int64(p->match.params[0], 1, INT64_MAX, &id)) {
		page_error(p, 404, "No such file.");
		return;
	}
	rc = store_media_get(p->db, p->a, id, &m);
	if (page_failed(p, rc, "No such file."))
		return;
	send_media(req, m.data, safe_media_type(m.mime));
}

/* /media/<id>/<width>w/<name>.<ext>: a responsive size of an upload. */
void page_media_variant(struct http_request *req, void *ctx)
{
	static const char *const formats[] = { "jpeg", "png", "webp" };
	struct page *p = ctx;
	struct slice size = p->match.params[1], name = p->match.params[2], data;
	const char *dot = memrchr(name.p, '.', name.len), *format = NULL;
	int64_t id, width;
	int rc;

	if (!page_check_query(p, page_no_params))
		return;
	for (size_t i = 0; dot && i < ARRAY_SIZE(formats); i++)
		if (slice_eq_str((struct slice){ dot + 1, name.len - (size_t)(dot + 1 - name.p) },
				 media_ext(formats[i])))
			format = formats[i];
	if (!format || slice_to_int64(p->match.params[0], 1, INT64_MAX, &id) || size.len < 2 ||
	    size.p[size.len - 1] != 'w' ||
	    slice_to_int64((struct slice){ size.p, size.len - 1 }, 1, 100000, &width)) {
		page_error(p, 404, "No such file.");
		return;
	}
	rc = store_media_variant(p->db, p->a, id, width, format, &data);
	if (page_failed(p, rc, "No such file."))
		return;
	send_media(req, data, media_mime(format));
}

/* Only links a reader can safely be sent to: http(s), mailto or site-relative. */
static bool safe_link(struct slice link)
{
	if (slice_starts_with(link, "https://") || slice_starts_with(link, "http://") ||
	    slice_starts_with(link, "mailto:"))
		return true;
	return link.len && link.p[0] == '/' && (link.len == 1 || link.p[1] != '/');
}

void page_ad_click(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct slice link;
	int64_t id;
	int rc;

	if (!page_check_query(p, page_no_params))
		return;
	if (slice_to_int64(p->match.params[0], 1, INT64_MAX, &id)) {
		page_error(p, 404, "No such advertisement.");
		return;
	}
	rc = store_ad_link(p->db, p->a, id, &link);
	if (rc == DL_NOTFOUND || (!rc && !safe_link(link))) {
		page_error(p, 404, "No such advertisement.");
		return;
	}
	if (rc) {
		page_store_error(p, rc);
		return;
	}
	if (req->method == HTTP_GET)
		engine_count_click(p->site->engine, id);
	http_redirect(req, 302, arena_strndup(p->a, link.p, link.len));
	http_set_header(req, "Cache-Control", "no-store");
	http_set_header(req, "X-Robots-Tag", "noindex");
}
