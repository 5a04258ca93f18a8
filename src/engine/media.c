/*
 * media.c - upload validation and re-encoding with libvips.
 */
#include "core/compat.h"
#include <pthread.h>
#include <vips/vips.h>
#include "core/err.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "engine/media.h"

const int64_t media_widths[MEDIA_NWIDTHS] = { 320, 640, 1024, 1600 };

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static bool vips_ok;

static void start_vips(void)
{
	vips_ok = !VIPS_INIT("dateline");
	/* No operation cache: uploads are one-offs and memory must stay flat. */
	vips_cache_set_max(0);
	vips_concurrency_set(1);
}

static int fail(struct media_error *err, int status, const char *field, const char *message)
{
	err->status = status;
	err->field = field;
	err->message = message;
	return status == 413 ? DL_TOOBIG : DL_INVALID;
}

/* The format the bytes say they are, whatever the name or Content-Type claim. */
static const char *sniff(struct slice d)
{
	const unsigned char *p = (const unsigned char *)d.p;

	if (d.len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "jpeg";
	if (d.len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "png";
	if (d.len >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "gif";
	if (d.len >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "webp";
	return NULL;
}

const char *media_ext(const char *format)
{
	return !strcmp(format, "jpeg") ? "jpg" : format;
}

const char *media_mime(const char *format)
{
	if (!strcmp(format, "jpeg"))
		return "image/jpeg";
	if (!strcmp(format, "png"))
		return "image/png";
	if (!strcmp(format, "webp"))
		return "image/webp";
	return "application/octet-stream";
}

/* libvips's loader for the sniffed format must be the one that takes the bytes. */
static bool loader_matches(const char *format, const char *loader)
{
	return loader && ((!strcmp(format, "jpeg") && strcasestr(loader, "jpeg")) ||
			  (!strcmp(format, "png") && strcasestr(loader, "png")) ||
			  (!strcmp(format, "gif") && strcasestr(loader, "gif")) ||
			  (!strcmp(format, "webp") && strcasestr(loader, "webp")));
}

static int encode(VipsImage *img, const char *format, struct arena *a, struct slice *out)
{
	void *buf = NULL;
	size_t len = 0;
	int rc;

	/* strip: EXIF (GPS, camera serials) and other metadata never leave the newsroom. */
	if (!strcmp(format, "jpeg"))
		rc = vips_jpegsave_buffer(img, &buf, &len, "Q", 82, "strip", TRUE, "interlace", TRUE,
					  NULL);
	else if (!strcmp(format, "png"))
		rc = vips_pngsave_buffer(img, &buf, &len, "strip", TRUE, "compression", 6, NULL);
	else
		rc = vips_webpsave_buffer(img, &buf, &len, "Q", 80, "strip", TRUE, NULL);
	if (rc) {
		error("media: cannot encode %s: %s", format, vips_error_buffer());
		vips_error_clear();
		return DL_ERR;
	}
	*out = arena_slice_dup(a, (struct slice){ buf, len });
	g_free(buf);
	return DL_OK;
}

static VipsImage *resize(VipsImage *in, int width)
{
	VipsImage *out = NULL;

	if (vips_resize(in, &out, (double)width / vips_image_get_width(in), "kernel",
			VIPS_KERNEL_LANCZOS3, NULL))
		return NULL;
	return out;
}

/* A file name for the library: the upload's base name as a slug, the real extension. */
static const char *library_name(struct arena *a, struct slice name, const char *format)
{
	struct strbuf sb = STRBUF_INIT;
	const char *slash = NULL, *dot = NULL, *r;

	for (size_t i = 0; i < name.len; i++) {
		if (name.p[i] == '/' || name.p[i] == '\\')
			slash = name.p + i;
	}
	if (slash) {
		name.len -= (size_t)(slash + 1 - name.p);
		name.p = slash + 1;
	}
	for (size_t i = 0; i < name.len; i++)
		if (name.p[i] == '.')
			dot = name.p + i;
	if (dot)
		name.len = (size_t)(dot - name.p);
	store_slugify(name.p, name.len, &sb);
	if (!sb.len)
		strbuf_addstr(&sb, "image");
	strbuf_addf(&sb, ".%s", media_ext(format));
	r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

static int text_ok(struct slice s, size_t max)
{
	if (s.len > max || !utf8_valid(s.p, s.len))
		return false;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20)
			return false;
	return true;
}

int media_prepare(struct arena *a, const struct media_upload *up, struct store_media *mp,
		  struct store_media_variant *variants, size_t *nvariants, struct media_error *err)
{
	struct store_media m = { 0 };
	const char *format = sniff(up->data), *out_format, *loader;
	VipsImage *img = NULL, *upright = NULL, *main_img = NULL;
	size_t nv = 0;
	int64_t w, h;
	int rc = DL_OK;

	if (up->data.len > up->max_bytes)
		return fail(err, 413, "file", arena_printf(a, "The file is larger than the %zu MB limit.",
							   up->max_bytes / (1024 * 1024)));
	if (!up->data.len)
		return fail(err, 422, "file", "Choose an image to upload.");
	if (!format)
		return fail(err, 415, "file", "The file is not a JPEG, PNG, WebP or GIF image.");
	if (!up->alt.len)
		return fail(err, 422, "alt", "Describe the image in its alt text (for readers who "
					     "cannot see it).");
	if (!text_ok(up->alt, 300) || !text_ok(up->caption, 1000) || !text_ok(up->credit, 200))
		return fail(err, 422, !text_ok(up->alt, 300) ? "alt" : !text_ok(up->caption, 1000)
			    ? "caption" : "credit", "Too long, or not one line of text.");
	pthread_once(&vips_once, start_vips);
	if (!vips_ok)
		return fail(err, 500, NULL, "The image library did not start.");
	loader = vips_foreign_find_load_buffer(up->data.p, up->data.len);
	if (!loader_matches(format, loader)) {
		vips_error_clear();
		return fail(err, 415, "file", "The file's contents do not match an image format.");
	}
	img = vips_image_new_from_buffer(up->data.p, up->data.len, "", "fail", TRUE,
					 "access", VIPS_ACCESS_RANDOM, NULL);
	if (!img) {
		vips_error_clear();
		return fail(err, 422, "file", "The image is damaged and cannot be read.");
	}
	w = vips_image_get_width(img);
	h = vips_image_get_height(img);
	if (w < 1 || h < 1 || w * h > MEDIA_MAX_PIXELS || w > 20000 || h > 20000) {
		g_object_unref(img);
		return fail(err, 422, "file", "The image is too large in pixels (60 megapixels at most).");
	}
	if (vips_autorot(img, &upright, NULL)) {
		g_object_unref(img);
		vips_error_clear();
		return fail(err, 422, "file", "The image is damaged and cannot be read.");
	}
	g_object_unref(img);
	w = vips_image_get_width(upright);
	h = vips_image_get_height(upright);
	/* GIF stills become PNG: lossless, and every browser shows it. */
	out_format = !strcmp(format, "gif") ? "png" : format;
	/* main_img holds its own reference either way; both are released at the end. */
	if (w > MEDIA_MAX_WIDTH)
		main_img = resize(upright, MEDIA_MAX_WIDTH);
	else
		main_img = g_object_ref(upright);
	if (!main_img)
		rc = DL_ERR;
	if (!rc) {
		m.width = vips_image_get_width(main_img);
		m.height = vips_image_get_height(main_img);
		/* Decoding every pixel here is what catches a file that only starts like an image. */
		rc = encode(main_img, out_format, a, &m.data);
	}
	if (!rc && strcmp(out_format, "webp")) {
		variants[nv] = (struct store_media_variant){ m.width, "webp", { 0 } };
		rc = encode(main_img, "webp", a, &variants[nv++].data);
	}
	for (size_t i = 0; !rc && i < MEDIA_NWIDTHS && media_widths[i] < m.width; i++) {
		VipsImage *small = resize(main_img, (int)media_widths[i]);

		if (!small) {
			rc = DL_ERR;
			break;
		}
		variants[nv] = (struct store_media_variant){ media_widths[i], out_format, { 0 } };
		rc = encode(small, out_format, a, &variants[nv++].data);
		if (!rc && strcmp(out_format, "webp")) {
			variants[nv] = (struct store_media_variant){ media_widths[i], "webp", { 0 } };
			rc = encode(small, "webp", a, &variants[nv++].data);
		}
		g_object_unref(small);
	}
	if (main_img)
		g_object_unref(main_img);
	g_object_unref(upright);
	if (rc) {
		vips_error_clear();
		return fail(err, 422, "file", "The image is damaged and cannot be read.");
	}
	m.filename = slice_cstr(library_name(a, up->filename, out_format));
	m.mime = slice_cstr(media_mime(out_format));
	m.alt = up->alt;
	m.caption = up->caption;
	m.credit = up->credit;
	m.variants = true;
	*mp = m;
	*nvariants = nv;
	return DL_OK;
}

int media_ingest(struct db *db, struct arena *a, const struct media_upload *up,
		 const struct store_change *c, int64_t *id, struct media_error *err)
{
	struct store_media_variant variants[MEDIA_NVARIANTS];
	struct store_media m;
	size_t nv;
	int rc = media_prepare(a, up, &m, variants, &nv, err);

	if (rc)
		return rc;
	rc = store_media_add(db, &m, variants, nv, c, id);
	if (rc) {
		err->status = rc == DL_UNAVAILABLE ? 503 : 500;
		err->field = NULL;
		err->message = "The database could not save the image; nothing was changed.";
		return rc;
	}
	return DL_OK;
}
