/*
 * tz.c - TZif zones (RFC 8536) and POSIX TZ rules without global state.
 *
 * A zone is an ascending array of transition instants, each naming a local
 * time type (offset, DST flag, abbreviation), plus the file's footer rule
 * ("EST5EDT,M3.2.0,M11.1.0") for instants after the last transition. Fat
 * files (Debian's) list transitions up to 2037, slim ones stop at the last
 * rule change and lean on the footer; both work. Everything is read-only
 * after loading, so lookups need no locks.
 */
#include "core/compat.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/tz.h"

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_FILE_MAX (256 * 1024)	/* real files are under 4 KiB */
#define TZ_NAME_MAX 255
#define TZ_ABBR_MAX 15
#define TZ_UTOFF_MAX (26 * 3600)	/* RFC 8536 asks for [-89999, 93599] */
#define TZ_OFFSET_HOURS_MAX 24		/* POSIX offsets: hh <= 24 */
#define TZ_RULE_HOURS_MAX 167		/* v3 rule times: -167..167 hours */
#define TZIF_HEADER_LEN 44
#define SECS_PER_DAY 86400
/* More than any real offset, so a search from L - TZ_WINDOW starts before L. */
#define TZ_WINDOW (TZ_UTOFF_MAX + 3600)

struct tz_ttinfo {
	int32_t utoff;
	bool isdst;
	uint8_t abbr;		/* index into tz->chars */
};

enum tz_date_kind { TZ_DATE_JULIAN1, TZ_DATE_JULIAN0, TZ_DATE_MWD };

/* One end of a POSIX rule: "Jn", "n" or "Mm.w.d", then "/time". */
struct tz_date {
	enum tz_date_kind kind;
	int day;		/* Jn: 1-365; n: 0-365; Mm.w.d: weekday 0-6 */
	int week;		/* 1-5, 5 meaning the last */
	int month;		/* 1-12 */
	int32_t secs;		/* local time of the change; may be < 0 or > 24h */
};

struct tz_rule {
	int32_t std_off;	/* seconds east of UTC */
	int32_t dst_off;
	bool has_dst;
	struct tz_date start;	/* change to DST, in standard time */
	struct tz_date end;	/* change back, in DST */
	char std_abbr[TZ_ABBR_MAX + 1];
	char dst_abbr[TZ_ABBR_MAX + 1];
};

struct tz {
	char *name;
	int64_t *times;		/* strictly ascending transition instants */
	uint8_t *trans;		/* type in effect from times[i] */
	size_t timecnt;
	struct tz_ttinfo *types;
	size_t typecnt;
	char *chars;		/* NUL-terminated abbreviations */
	size_t early;		/* type before the first transition */
	bool has_rule;		/* footer rule for times from the last transition */
	struct tz_rule rule;
};

/* What is in effect at one instant. */
struct tz_local {
	int32_t off;
	bool isdst;
	const char *abbr;
};

static struct tz_ttinfo utc_types[1];
static char utc_chars[] = "UTC";
static char utc_name[] = "UTC";
static struct tz utc_zone = {
	.name = utc_name,
	.types = utc_types,
	.typecnt = 1,
	.chars = utc_chars,
};

/* ---- calendar arithmetic (proleptic Gregorian, 64-bit years) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static int64_t clamp_time(int64_t t)
{
	return t < TZ_TIME_MIN ? TZ_TIME_MIN : t > TZ_TIME_MAX ? TZ_TIME_MAX : t;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && is_leap(y));
}

/* Days since 1970-01-01 of y-m-01, m in 1..12 (Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The inverse: civil date of day number z (Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t year_of(int64_t t)
{
	int64_t y;
	int m, d;

	civil_from_days(floor_div(t, SECS_PER_DAY), &y, &m, &d);
	return y;
}

/* ---- POSIX TZ rules ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Decimal number no greater than max. */
static bool parse_num(const char **sp, int max, int *out)
{
	const char *s = *sp;
	int v = 0;

	if (!is_digit(*s))
		return false;
	while (is_digit(*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > max)
			return false;
	}
	*sp = s;
	*out = v;
	return true;
}

/* [+-]hh[:mm[:ss]] with hh <= max_hours, in seconds. */
static bool parse_hms(const char **sp, int max_hours, int32_t *out)
{
	const char *s = *sp;
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!parse_num(&s, max_hours, &h))
		return false;
	if (*s == ':') {
		s++;
		if (!parse_num(&s, 59, &m))
			return false;
		if (*s == ':') {
			s++;
			if (!parse_num(&s, 59, &sec))
				return false;
		}
	}
	*sp = s;
	*out = sign * (h * 3600 + m * 60 + sec);
	return true;
}

/* "EST" or "<+0530>": 3 to TZ_ABBR_MAX characters. */
static bool parse_abbr(const char **sp, char *out)
{
	const char *s = *sp, *b;
	size_t n;

	if (*s == '<') {
		b = ++s;
		while (is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-')
			s++;
		if (*s != '>')
			return false;
		n = (size_t)(s++ - b);
	} else {
		b = s;
		while (is_alpha(*s))
			s++;
		n = (size_t)(s - b);
	}
	if (n < 3 || n > TZ_ABBR_MAX)
		return false;
	memcpy(out, b, n);
	out[n] = '\0';
	*sp = s;
	return true;
}

static bool parse_date(const char **sp, struct tz_date *d)
{
	const char *s = *sp;

	d->secs = 2 * 3600;
	if (*s == 'J') {
		s++;
		d->kind = TZ_DATE_JULIAN1;
		if (!parse_num(&s, 365, &d->day) || d->day < 1)
			return false;
	} else if (*s == 'M') {
		s++;
		d->kind = TZ_DATE_MWD;
		if (!parse_num(&s, 12, &d->month) || d->month < 1 || *s++ != '.' ||
		    !parse_num(&s, 5, &d->week) || d->week < 1 || *s++ != '.' ||
		    !parse_num(&s, 6, &d->day))
			return false;
	} else {
		d->kind = TZ_DATE_JULIAN0;
		if (!parse_num(&s, 365, &d->day))
			return false;
	}
	if (*s == '/') {
		s++;
		if (!parse_hms(&s, TZ_RULE_HOURS_MAX, &d->secs))
			return false;
	}
	*sp = s;
	return true;
}

static bool parse_rule_dates(const char *s, struct tz_rule *r)
{
	return *s++ == ',' && parse_date(&s, &r->start) && *s++ == ',' &&
		parse_date(&s, &r->end) && !*s;
}

/*
 * A POSIX TZ string: std offset [dst [offset] [,start[/time],end[/time]]].
 * A DST name without dates gets the US rules, as tzcode does.
 */
static bool parse_posix_tz(const char *s, struct tz_rule *r)
{
	int32_t secs;

	memset(r, 0, sizeof(*r));
	if (!parse_abbr(&s, r->std_abbr) || !parse_hms(&s, TZ_OFFSET_HOURS_MAX, &secs))
		return false;
	r->std_off = -secs;
	if (!*s)
		return true;
	if (!parse_abbr(&s, r->dst_abbr))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*s && *s != ',') {
		if (!parse_hms(&s, TZ_OFFSET_HOURS_MAX, &secs))
			return false;
		r->dst_off = -secs;
	}
	return parse_rule_dates(*s ? s : ",M3.2.0,M11.1.0", r);
}

/* The local (wall-clock) seconds since the epoch at which `d` falls in year y. */
static int64_t rule_date_local(const struct tz_date *d, int64_t y)
{
	int64_t day, first;

	switch (d->kind) {
	case TZ_DATE_JULIAN1:
		day = days_from_civil(y, 1) + d->day - 1 + (is_leap(y) && d->day >= 60);
		break;
	case TZ_DATE_JULIAN0:
		day = days_from_civil(y, 1) + d->day;
		break;
	default:
		first = days_from_civil(y, d->month);
		day = first + floor_mod(d->day - floor_mod(first + 4, 7), 7) +
			7 * (d->week - 1);
		while (day >= first + month_days(y, d->month))
			day -= 7;
		break;
	}
	return day * SECS_PER_DAY + d->secs;
}

struct rule_change {
	int64_t at;
	bool to_dst;
};

/* The rule's changes in years y-2..y+2, enough for any rule time offset. */
static size_t rule_changes(const struct tz_rule *r, int64_t t, struct rule_change *out)
{
	int64_t y = year_of(t + r->std_off);
	size_t n = 0;

	for (int64_t yy = y - 2; yy <= y + 2; yy++) {
		out[n].at = rule_date_local(&r->start, yy) - r->std_off;
		out[n++].to_dst = true;
		out[n].at = rule_date_local(&r->end, yy) - r->dst_off;
		out[n++].to_dst = false;
	}
	return n;
}

/*
 * The latest change at or before t ({INT64_MIN, false} if none, as for a
 * rule without DST). On a tie the start wins, which makes the all-year
 * DST idiom "EST5EDT4,0/0,J365/25" work.
 */
static struct rule_change rule_last_change(const struct tz_rule *r, int64_t t)
{
	struct rule_change c[10], best = { INT64_MIN, false };
	size_t n = r->has_dst ? rule_changes(r, t, c) : 0;

	for (size_t i = 0; i < n; i++) {
		if (c[i].at > t || c[i].at < best.at || (c[i].at == best.at && !c[i].to_dst))
			continue;
		best = c[i];
	}
	return best;
}

static int64_t rule_next(const struct tz_rule *r, int64_t t)
{
	struct rule_change c[10];
	size_t n = rule_changes(r, t, c);
	int64_t next = INT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (c[i].at > t && c[i].at < next)
			next = c[i].at;
	return next;
}

static struct tz_local rule_state(const struct tz_rule *r, bool dst)
{
	struct tz_local l = { r->std_off, false, r->std_abbr };

	if (dst) {
		l.off = r->dst_off;
		l.isdst = true;
		l.abbr = r->dst_abbr;
	}
	return l;
}

/* ---- lookup ---- */

/* The number of transitions at or before t (binary search). */
static size_t transitions_upto(const struct tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->timecnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->times[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * After the table the rule takes over at its first change (as in tzcode),
 * so a footer that disagrees with the last transition, as some zic
 * versions write in slim files, cannot override it.
 */
static struct tz_local lookup(const struct tz *tz, int64_t t)
{
	size_t n = transitions_upto(tz, t);
	const struct tz_ttinfo *tt;
	struct tz_local l;

	if (n == tz->timecnt && tz->has_rule) {
		struct rule_change c = rule_last_change(&tz->rule, t);

		if (!n || c.at >= tz->times[n - 1])
			return rule_state(&tz->rule, c.to_dst);
	}
	tt = &tz->types[n ? tz->trans[n - 1] : tz->early];
	l.off = tt->utoff;
	l.isdst = tt->isdst;
	l.abbr = tz->chars + tt->abbr;
	return l;
}

/* The first instant after t at which the local time type may change. */
static int64_t next_change(const struct tz *tz, int64_t t)
{
	size_t n = transitions_upto(tz, t);

	if (n < tz->timecnt)
		return tz->times[n];
	if (tz->has_rule && tz->rule.has_dst)
		return rule_next(&tz->rule, t);
	return INT64_MAX;
}

int32_t tz_offset(const struct tz *tz, int64_t t, const char **abbr)
{
	struct tz_local l = lookup(tz, clamp_time(t));

	if (abbr)
		*abbr = l.abbr;
	return l.off;
}

void tz_localtime(const struct tz *tz, int64_t t, struct tm *out)
{
	struct tz_local l;
	int64_t lt, days, secs, y;
	int m, d;

	t = clamp_time(t);
	l = lookup(tz, t);
	lt = t + l.off;
	days = floor_div(lt, SECS_PER_DAY);
	secs = lt - days * SECS_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	memset(out, 0, sizeof(*out));
	out->tm_year = (int)(y - 1900);
	out->tm_mon = m - 1;
	out->tm_mday = d;
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = (int)floor_mod(days + 4, 7);
	out->tm_yday = (int)(days - days_from_civil(y, 1));
	out->tm_isdst = l.isdst;
	out->tm_gmtoff = l.off;
	out->tm_zone = l.abbr;
}

/*
 * Walk the stretches of constant offset from well before the local time
 * `lt` (read as if UTC) and take the first whose offset maps lt into it;
 * lt falling between two stretches is a gap, read with the earlier offset.
 */
int64_t tz_mktime(const struct tz *tz, int y, int m, int d, int h, int mi, int s)
{
	int64_t mm = (int64_t)m - 1;
	int64_t days = days_from_civil((int64_t)y + floor_div(mm, 12),
				       (int)floor_mod(mm, 12) + 1) + (int64_t)d - 1;
	int64_t lt = clamp_time(days * SECS_PER_DAY + (int64_t)h * 3600 +
			       (int64_t)mi * 60 + s);
	int64_t t = lt - TZ_WINDOW, prev_off = 0;

	for (int i = 0; i < 16; i++) {
		int64_t off = lookup(tz, t).off, next = next_change(tz, t);
		int64_t cand = lt - off;

		if (cand < t && i)
			return lt - prev_off;
		if (cand < next)
			return cand;
		prev_off = off;
		t = next;
	}
	return lt - prev_off;
}

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
	ok = strlen(s) == n && parse_posix_tz(s, &tz->rule);
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
	return is_alpha(c) || is_digit(c) || c == '_' || c == '+' || c == '-' || c == '/';
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
