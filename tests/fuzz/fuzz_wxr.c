/*
 * fuzz_wxr.c - libFuzzer driver for the streaming WXR reader.
 *
 * The input is written to a file and read as a WordPress export. Checked
 * beyond memory safety: a refused file says why (a bad one with its line);
 * every record handed out is of a known kind with a line inside the file.
 */
#include "core/compat.h"
#include <ctype.h>
#include <unistd.h>
#include "core/err.h"
#include "core/strbuf.h"
#include "import/wxr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_wxr: %s\n", what);
		abort();
	}
}

static int on_record(void *ctx, const struct wxr_record *r, const struct wxr_channel *ch)
{
	size_t lines = *(size_t *)ctx;

	check(r->kind <= WXR_ITEM, "unknown record kind");
	check(r->line >= 1 && (size_t)r->line <= lines, "record line outside the file");
	for (size_t i = 0; i < WXR_NFIELDS; i++)
		check(r->f[i].len <= WXR_FIELD_MAX && !r->f[i].buf[r->f[i].len], "field not terminated");
	return DL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_wxr.XXXXXX";
	struct wxr_channel ch = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	struct strbuf err = STRBUF_INIT;
	size_t lines = 1;
	int fd = mkstemp(path), rc;

	check(fd >= 0, "mkstemp");
	check(write(fd, data, size) == (ssize_t)size, "write");
	close(fd);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	struct wxr_reader_cb cb = { on_record, NULL, &lines };
	rc = wxr_read(path, &cb, &ch, &err);
	check(rc == DL_OK || rc == DL_INVALID || rc == DL_ERR, "unexpected return code");
	if (rc == DL_INVALID)
		check(err.len && isdigit((unsigned char)err.buf[0]), "refusal without a line number");
	if (rc)
		check(err.len > 0, "refusal without a reason");
	unlink(path);
	wxr_channel_release(&ch);
	strbuf_release(&err);
	return 0;
}
