/*
 * media.h - turning an upload into a library image: the type decided from
 * the bytes (JPEG, PNG, WebP, GIF), decoded in full by libvips, rotated
 * upright, stripped of metadata (no GPS leaks) and re-encoded, with
 * responsive widths in the original format and in WebP. What is served is
 * always our own encoding, never the uploaded bytes: a polyglot file or a
 * script hidden after the image data does not survive.
 */
#ifndef DL_ENGINE_MEDIA_H
#define DL_ENGINE_MEDIA_H

#include "core/compat.h"
#include "store/editorial.h"

/* The responsive widths, narrowest first; an image gets those narrower than itself. */
#define MEDIA_NWIDTHS 4
extern const int64_t media_widths[MEDIA_NWIDTHS];
/* Larger uploads are scaled down to this width for the main image. */
#define MEDIA_MAX_WIDTH 2400
/* Decoded size ceiling: a "decompression bomb" is refused before decoding. */
#define MEDIA_MAX_PIXELS (60 * 1000 * 1000)

struct media_upload {
	struct slice data;
	struct slice filename;   /* the client's name: only its base is kept, as a slug */
	struct slice alt, caption, credit;
	size_t max_bytes;        /* the configured upload limit */
};

struct media_error {
	int status;              /* 413, 415 or 422 (500/503 for the store) */
	const char *field;
	const char *message;
};

/* The most variants one upload makes: each width in two formats, and the main image's WebP. */
#define MEDIA_NVARIANTS (2 * MEDIA_NWIDTHS + 1)

/* Validate and re-encode an upload, storing nothing: m (its data and names in `a`) and up to
 * MEDIA_NVARIANTS variants, or the error a reader of the form should see. */
int media_prepare(struct arena *a, const struct media_upload *up, struct store_media *m,
		  struct store_media_variant *variants, size_t *nvariants, struct media_error *err);
/* Validate, re-encode and store an upload; *id is the new media item. */
int media_ingest(struct db *db, struct arena *a, const struct media_upload *up,
		 const struct store_change *c, int64_t *id, struct media_error *err);

/* The file extension of a stored format ("jpeg" -> "jpg") and its MIME type. */
const char *media_ext(const char *format);
const char *media_mime(const char *format);

#endif
