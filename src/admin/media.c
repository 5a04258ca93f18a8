/*
 * media.c - the media library page, uploads and captions.
 */
#include "core/compat.h"
#include "core/err.h"
#include "admin/internal.h"
#include "engine/media.h"
#include "http/multipart.h"

#define LIBRARY_PAGE 24

static struct view *view_media(struct adm *x, const struct store_media *m)
{
	struct view *v = view_obj(x->a);
	const char *base = adm_public_base(x);

	view_set_int(v, "id", m->id);
	view_set_str(v, "filename", m->filename.p, m->filename.len);
	view_set_str(v, "alt", m->alt.p, m->alt.len);
	view_set_str(v, "caption", m->caption.p, m->caption.len);
	view_set_str(v, "credit", m->credit.p, m->credit.len);
	view_set_int(v, "width", m->width);
	view_set_int(v, "height", m->height);
	view_set_int(v, "kb", (m->size + 1023) / 1024);
	view_set_cstr(v, "url", arena_printf(x->a, "%s/media/%" PRId64 "/%.*s", base, m->id,
					     (int)m->filename.len, m->filename.p));
	/* The smallest variant makes the thumbnail. */
	view_set_cstr(v, "thumb", m->variants && m->width > media_widths[0]
		      ? arena_printf(x->a, "%s/media/%" PRId64 "/%" PRId64 "w/thumb.webp", base, m->id,
				     media_widths[0])
		      : arena_printf(x->a, "%s/media/%" PRId64 "/%.*s", base, m->id,
				     (int)m->filename.len, m->filename.p));
	return v;
}

static void library(struct adm *x, int status, const struct media_error *err)
{
	struct store_media *items;
	struct view *list;
	int64_t page, total;
	size_t n;

	if (query_page(&x->req->query, 100000, &page))
		page = 1;
	if (store_media_list(x->db, x->a, LIBRARY_PAGE, (page - 1) * LIBRARY_PAGE, &items, &n,
			     &total)) {
		adm_error(x, 503, NULL, "The database cannot be reached; please try again.");
		return;
	}
	list = view_set_list(x->root, "media");
	for (size_t i = 0; i < n; i++)
		view_push(list, view_media(x, &items[i]));
	view_set_int(x->root, "total", total);
	view_set_int(x->root, "max_mb", (int64_t)(x->admin->max_upload / (1024 * 1024)));
	if (page > 1)
		view_set_cstr(x->root, "prev", arena_printf(x->a, "?page=%" PRId64, page - 1));
	if (page * LIBRARY_PAGE < total)
		view_set_cstr(x->root, "next", arena_printf(x->a, "?page=%" PRId64, page + 1));
	if (err) {
		struct view *ev = view_set_obj(x->root, "form_error");
		view_set_cstr(ev, "message", err->message);
		if (err->field)
			view_set_cstr(ev, "field", err->field);
	}
	adm_render(x, "media", status);
}

void adm_media(struct http_request *req, void *ctx)
{
	(void)req;
	library(ctx, 200, NULL);
}

static struct slice part_data(const struct multipart *m, const char *name)
{
	const struct multipart_part *p = multipart_get(m, name);

	return p ? p->data : (struct slice){ "", 0 };
}

/*
 * Read an upload (multipart/form-data: file, alt, caption, credit, and csrf
 * for the UI) and store it. Returns the new id, or 0 after answering.
 */
int64_t adm_upload(struct adm *x)
{
	struct multipart *m = ARENA_NEW(x->a, struct multipart);
	const struct multipart_part *file;
	struct media_upload up = { .max_bytes = x->admin->max_upload };
	struct store_change change = { x->user.id, x->user.email, adm_address(x), "media.upload",
				       "", "" };
	struct media_error err;
	int64_t id;
	int rc;

	if (!adm_require(x, PERM_MEDIA))
		return 0;
	rc = multipart_parse(x->a, http_header(x->req, "Content-Type"), x->req->body, m);
	if (rc) {
		adm_error(x, 400, NULL, "Send the upload as multipart/form-data with a file field.");
		return 0;
	}
	/* The UI's form carries its CSRF token as a part (the API uses a token instead). */
	if (x->user.session_hash && !x->csrf_checked) {
		struct slice t = part_data(m, "csrf");
		if (!auth_secret_eq(t.p, t.len, x->user.csrf, strlen(x->user.csrf))) {
			adm_error(x, 403, "csrf", "The form has expired or did not come from this site. "
						  "Reload the page and try again.");
			return 0;
		}
	}
	file = multipart_get(m, "file");
	up.data = file ? file->data : (struct slice){ "", 0 };
	up.filename = file ? file->filename : (struct slice){ "", 0 };
	up.alt = part_data(m, "alt");
	up.caption = part_data(m, "caption");
	up.credit = part_data(m, "credit");
	change.detail = arena_strndup(x->a, up.filename.p, up.filename.len);
	if (media_ingest(x->db, x->a, &up, &change, &id, &err)) {
		if (x->api)
			adm_error(x, err.status, err.field, err.message);
		else
			library(x, err.status, &err);
		return 0;
	}
	return id;
}

void adm_media_upload(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;

	(void)req;
	if (adm_upload(x))
		adm_see_other(x, "/media", "uploaded");
}

void adm_media_save(struct http_request *req, void *ctx)
{
	struct adm *x = ctx;
	const struct slice *alt = adm_field(x, "alt"), *caption = adm_field(x, "caption");
	const struct slice *credit = adm_field(x, "credit");
	struct store_change change = { x->user.id, x->user.email, adm_address(x), "media.update",
				       "", "" };
	int64_t id;
	int rc;

	(void)req;
	if (!adm_param_id(x, 0, &id) || !adm_require(x, PERM_MEDIA))
		return;
	if (!alt || !alt->len || alt->len > 300 || memchr(alt->p, '\n', alt->len)) {
		adm_error(x, 422, "alt", "Alt text is required: one line, at most 300 bytes.");
		return;
	}
	if ((caption && (caption->len > 1000 || memchr(caption->p, '\n', caption->len))) ||
	    (credit && (credit->len > 200 || memchr(credit->p, '\n', credit->len)))) {
		adm_error(x, 422, caption && caption->len > 1000 ? "caption" : "credit",
			  "Too long, or not one line of text.");
		return;
	}
	change.object = arena_printf(x->a, "media:%" PRId64, id);
	rc = store_media_update(x->db, id, arena_strndup(x->a, alt->p, alt->len),
				caption ? arena_strndup(x->a, caption->p, caption->len) : "",
				credit ? arena_strndup(x->a, credit->p, credit->len) : "", &change);
	if (rc) {
		adm_error(x, rc == DL_NOTFOUND ? 404 : 503, NULL,
			  rc == DL_NOTFOUND ? "There is no such image." : "The database cannot be reached.");
		return;
	}
	adm_see_other(x, "/media", "saved");
}
