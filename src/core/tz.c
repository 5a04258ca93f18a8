/*
 * tz.c - time-zone lookups without global state: calendar arithmetic, POSIX
 * TZ rules and the search of a zone's transitions (tz_file.c reads them).
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

#include "core/tz_internal.h"

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

bool tz_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool tz_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Decimal number no greater than max. */
static bool parse_num(const char **sp, int max, int *out)
{
	const char *s = *sp;
	int v = 0;

	if (!tz_is_digit(*s))
		return false;
	while (tz_is_digit(*s)) {
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
		while (tz_is_alpha(*s) || tz_is_digit(*s) || *s == '+' || *s == '-')
			s++;
		if (*s != '>')
			return false;
		n = (size_t)(s++ - b);
	} else {
		b = s;
		while (tz_is_alpha(*s))
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
bool tz_parse_posix(const char *s, struct tz_rule *r)
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
