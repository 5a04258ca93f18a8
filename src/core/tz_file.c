/*
 * tz_file.c - TZif files (RFC 8536, versions 1-3) from the zoneinfo folder,
 * validated strictly: a malformed or truncated file is refused with a
 * message naming it, never read out of bounds.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/tz.h"

#include "core/tz_internal.h"

/* The built-in zone: UTC needs no file. */
static struct tz_ttinfo utc_types[1];
static char utc_chars[] = "UTC";
static char utc_name[] = "UTC";
static struct tz utc_zone = {
	.name = utc_name,
	.types = utc_types,
	.typecnt = 1,
	.chars = utc_chars,
};

/* ---- TZif files ---- */

struct tzif_header {
	int version;		/* 1, 2, 3 or 4 */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

struct tzif_reader {
	const unsigned char *p;
	size_t len;
	size_t pos;
	const char *origin;	/* for messages */
};

static struct tz *tzif_error(const struct tzif_reader *r, const char *why)
{
	error("tz: cannot use TZif file '%s': %s (at byte %zu)", r->origin, why, r->pos);
	return NULL;
}

/* The next n bytes, or NULL if the data ends first. */
static const unsigned char *take(struct tzif_reader *r, size_t n)
{
	const unsigned char *p;

	if (n > r->len - r->pos)
		return NULL;
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static uint64_t block_len(const struct tzif_header *h, size_t tsize)
{
	return (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 +
		h->charcnt + (uint64_t)h->leapcnt * (tsize + 4) +
		h->isstdcnt + h->isutcnt;
}

static const char *read_header(struct tzif_reader *r, struct tzif_header *h, size_t tsize)
{
	const unsigned char *p = take(r, TZIF_HEADER_LEN);

	if (!p)
		return "truncated header";
	if (memcmp(p, "TZif", 4))
		return "bad magic";
	if (p[4] == 0)
		h->version = 1;
	else if (p[4] >= '2' && p[4] <= '4')
		h->version = p[4] - '0';
	else
		return "unknown version";
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (block_len(h, tsize) > r->len - r->pos)
		return "counts exceed the file size";
	return NULL;
}

static const char *check_counts(const struct tzif_header *h)
{
	if (h->typecnt == 0 || h->typecnt > 256)
		return "type count out of range";
	if (h->charcnt == 0)
		return "no abbreviation characters";
	if (h->isutcnt != 0 && h->isutcnt != h->typecnt)
		return "UT indicator count differs from type count";
	if (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)
		return "standard indicator count differs from type count";
	if (h->leapcnt)
		return "leap-second records are not supported";
	return NULL;
}

static const char *read_times(struct tzif_reader *r, const struct tzif_header *h,
			      size_t tsize, struct tz *tz)
{
	const unsigned char *p = take(r, (size_t)h->timecnt * tsize);
	const unsigned char *idx = take(r, h->timecnt);

	tz->timecnt = h->timecnt;
	tz->times = xmalloc(tz->timecnt * sizeof(*tz->times));
	tz->trans = xmalloc(tz->timecnt);
	for (size_t i = 0; i < tz->timecnt; i++) {
		tz->times[i] = tsize == 8 ? be64(p + 8 * i) : (int32_t)be32(p + 4 * i);
		if (i && tz->times[i] <= tz->times[i - 1])
			return "transition times not ascending";
		if (idx[i] >= h->typecnt)
			return "transition type index out of range";
		tz->trans[i] = idx[i];
	}
	return NULL;
}

static const char *read_types(struct tzif_reader *r, const struct tzif_header *h,
			      struct tz *tz)
{
	const unsigned char *p = take(r, (size_t)h->typecnt * 6);

	tz->typecnt = h->typecnt;
	tz->types = xcalloc(tz->typecnt, sizeof(*tz->types));
	for (size_t i = 0; i < tz->typecnt; i++, p += 6) {
		int32_t off = (int32_t)be32(p);

		if (off < -TZ_UTOFF_MAX || off > TZ_UTOFF_MAX)
			return "UT offset out of range";
		if (p[4] > 1)
			return "DST flag not 0 or 1";
		if (p[5] >= h->charcnt)
			return "abbreviation index out of range";
		tz->types[i].utoff = off;
		tz->types[i].isdst = p[4];
		tz->types[i].abbr = p[5];
	}
	return NULL;
}

static const char *read_chars(struct tzif_reader *r, const struct tzif_header *h,
			      struct tz *tz)
{
	const unsigned char *p = take(r, h->charcnt);

	if (p[h->charcnt - 1] != '\0')
		return "abbreviations not NUL-terminated";
	for (size_t i = 0; i < h->charcnt; i++)
		if (p[i] && (p[i] < 0x20 || p[i] > 0x7e))
			return "abbreviation not printable ASCII";
	tz->chars = xmemdupz(p, h->charcnt);
	return NULL;
}

static const char *read_indicators(struct tzif_reader *r, const struct tzif_header *h)
{
	const unsigned char *std = take(r, h->isstdcnt);
	const unsigned char *ut = take(r, h->isutcnt);

	for (size_t i = 0; i < h->isstdcnt; i++)
		if (std[i] > 1)
			return "standard/wall indicator not 0 or 1";
	for (size_t i = 0; i < h->isutcnt; i++)
		if (ut[i] > 1 || (ut[i] && h->isstdcnt && !std[i]))
			return "bad UT/local indicator";
	return NULL;
}

/* The data block after a header; read_header() has checked its length. */
static const char *read_block(struct tzif_reader *r, const struct tzif_header *h,
			      size_t tsize, struct tz *tz)
{
	const char *why = check_counts(h);

	if (!why)
		why = read_times(r, h, tsize, tz);
	if (!why)
		why = read_types(r, h, tz);
	if (!why)
		why = read_chars(r, h, tz);
	if (!why)
		why = read_indicators(r, h);
	return why;
}

/* "\n<POSIX TZ string>\n" ending the file; an empty string means no rule. */
static const char *read_footer(struct tzif_reader *r, struct tz *tz)
{
	const unsigned char *p = take(r, 1), *end;
	size_t n;
	char *s;
	bool ok;

	if (!p || *p != '\n')
		return "missing footer";
	end = memchr(r->p + r->pos, '\n', r->len - r->pos);
	if (!end)
		return "unterminated footer";
	n = (size_t)(end - (r->p + r->pos));
	if (r->pos + n + 1 != r->len)
		return "data after footer";
	if (!n)
		return NULL;
	p = take(r, n);
	s = xmemdupz(p, n);
	ok = strlen(s) == n && tz_parse_posix(s, &tz->rule);
	free(s);
	if (!ok)
		return "bad TZ string in footer";
	take(r, 1);
	tz->has_rule = true;
	return NULL;
}

/* RFC 8536: with no transitions type 0 rules; before the first, standard time. */
static size_t early_type(const struct tz *tz)
{
	if (!tz->timecnt)
		return 0;
	for (size_t i = 0; i < tz->typecnt; i++)
		if (!tz->types[i].isdst)
			return i;
	return 0;
}

static const char *read_tzif(struct tzif_reader *r, struct tz *tz)
{
	struct tzif_header h1, h2;
	const char *why = read_header(r, &h1, 4);

	if (why)
		return why;
	if (h1.version == 1) {
		why = read_block(r, &h1, 4, tz);
		if (!why && r->pos != r->len)
			why = "data after version 1 block";
		return why;
	}
	/* Version 2+: skip the 32-bit block (empty in slim files). */
	take(r, (size_t)block_len(&h1, 4));
	why = read_header(r, &h2, 8);
	if (!why && h2.version != h1.version)
		why = "second header has a different version";
	if (!why)
		why = read_block(r, &h2, 8, tz);
	if (!why)
		why = read_footer(r, tz);
	return why;
}

static struct tz *parse_tzif(const char *name, const char *origin,
			     const void *data, size_t len)
{
	struct tzif_reader r = { data, len, 0, origin };
	struct tz *tz = xcalloc(1, sizeof(*tz));
	const char *why = read_tzif(&r, tz);

	if (why) {
		tz_free(tz);
		return tzif_error(&r, why);
	}
	tz->early = early_type(tz);
	tz->name = xstrdup(name);
	return tz;
}

struct tz *tz_parse(const char *name, const void *data, size_t len)
{
	return parse_tzif(name, name, data, len);
}

/* ---- loading by name ---- */

static bool name_char_ok(char c)
{
	return tz_is_alpha(c) || tz_is_digit(c) || c == '_' || c == '+' || c == '-' || c == '/';
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i]))
			return false;
	return true;
}

static int read_file(const char *path, struct strbuf *sb)
{
	char chunk[4096], ebuf[128];
	FILE *f = fopen(path, "rbe");
	size_t n;

	if (!f)
		return error("tz: unable to open '%s': %s", path,
			     strerror_r(errno, ebuf, sizeof(ebuf)));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb->len + n > TZ_FILE_MAX) {
			fclose(f);
			return error("tz: '%s' is too large for a TZif file", path);
		}
		strbuf_add(sb, chunk, n);
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		return error("tz: unable to read '%s': %s", path,
			     strerror_r(e, ebuf, sizeof(ebuf)));
	}
	fclose(f);
	return 0;
}

static struct tz *utc_copy(void)
{
	struct tz *tz = xcalloc(1, sizeof(*tz));

	tz->name = xstrdup("UTC");
	tz->types = xcalloc(1, sizeof(*tz->types));
	tz->typecnt = 1;
	tz->chars = xstrdup("UTC");
	return tz;
}

struct tz *tz_load(const char *name)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	const char *dir = getenv("TZDIR");
	struct tz *tz = NULL;

	if (!name || !name_ok(name)) {
		struct strbuf esc = STRBUF_INIT;

		if (name)
			strbuf_add_json(&esc, name, strnlen(name, 64));
		error("tz: invalid time zone name \"%s\"", esc.buf);
		strbuf_release(&esc);
		return NULL;
	}
	if (!strcmp(name, "UTC"))
		return utc_copy();
	strbuf_addf(&path, "%s/%s", dir && *dir ? dir : TZ_DEFAULT_DIR, name);
	if (!read_file(path.buf, &data))
		tz = parse_tzif(name, path.buf, data.buf, data.len);
	strbuf_release(&data);
	strbuf_release(&path);
	return tz;
}

const struct tz *tz_utc(void)
{
	return &utc_zone;
}

void tz_free(struct tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->times);
	free(tz->trans);
	free(tz->types);
	free(tz->chars);
	free(tz);
}

const char *tz_name(const struct tz *tz)
{
	return tz->name;
}
