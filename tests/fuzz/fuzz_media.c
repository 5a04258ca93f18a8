/*
 * fuzz_media.c - libFuzzer driver for image upload validation: the bytes of
 * an upload through media_prepare() (sniffing, libvips decoding, the pixel
 * ceiling, re-encoding), with nothing stored.
 *
 * Checked beyond memory safety: an accepted image has a size inside the
 * ceiling, is re-encoded as JPEG, PNG or WebP (never the uploaded bytes
 * served back), and a refusal carries a 4xx status and a message.
 */
#include "core/compat.h"
#include "core/arena.h"
#include "core/err.h"
#include "engine/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_media: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(0);
	struct store_media_variant variants[MEDIA_NVARIANTS];
	struct store_media m;
	struct media_error err = { 0 };
	size_t nv = 0;
	struct media_upload up = {
		.data = { (const char *)data, size },
		.filename = slice_cstr("upload.jpg"),
		.alt = slice_cstr("A photograph"),
		.max_bytes = 8 << 20,
	};

	if (media_prepare(a, &up, &m, variants, &nv, &err) == DL_OK) {
		check(m.width >= 1 && m.height >= 1 && m.width <= 2400, "accepted size");
		check(m.data.len > 0 && nv <= MEDIA_NVARIANTS, "re-encoded");
		check(!strcmp(m.mime.p, "image/jpeg") || !strcmp(m.mime.p, "image/png") ||
		      !strcmp(m.mime.p, "image/webp"), "served type");
	} else {
		check(err.status >= 400 && err.status < 600 && err.message, "refusal");
	}
	arena_free(a);
	return 0;
}
