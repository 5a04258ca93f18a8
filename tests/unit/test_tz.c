/*
 * test_tz.c - time zones (src/core/tz.c) and date formatting (timefmt.c).
 *
 * Real zones come from the system's tzdata ($TZDIR or /usr/share/zoneinfo;
 * those tests skip without it). Malformed and slim files are built here.
 */
#include "core/compat.h"
#include <pthread.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/tz.h"

static char sys_dir[4096];	/* the real zoneinfo directory */
static char tmp_dir[64];	/* scratch TZDIR for written files */

/* 2024-03-28 13:05:00 UTC, a Thursday: 09:05 in New York. */
#define T_KNOWN INT64_C(1711631100)

/* ---- helpers ---- */

static void use_sys_dir(void)
{
	setenv("TZDIR", sys_dir, 1);
}

static void need_sys_zones(void)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	strbuf_addf(&path, "%s/America/New_York", sys_dir);
	f = fopen(path.buf, "rb");
	strbuf_release(&path);
	if (!f)
		skip();
	fclose(f);
	use_sys_dir();
}

static struct tz *load(const char *name)
{
	struct tz *tz = tz_load(name);

	if (!tz)
		fail_msg("could not load %s", name);
	return tz;
}

/* Check the RFC 3339 rendering, abbreviation and DST flag at instant t. */
static void check_at(const struct tz *tz, int64_t t, const char *want,
		     const char *abbr, int isdst)
{
	struct strbuf sb = STRBUF_INIT;
	struct tm tm;

	tz_localtime(tz, t, &tm);
	timefmt_rfc3339(&sb, &tm);
	assert_string_equal(sb.buf, want);
	assert_string_equal(tm.tm_zone, abbr);
	assert_int_equal(tm.tm_isdst, isdst);
	assert_int_equal(tm.tm_gmtoff, tz_offset(tz, t, NULL));
	strbuf_release(&sb);
}

static void check_mktime_at(const struct tz *tz, int y, int m, int d, int h,
			    int mi, int s, int64_t want)
{
	assert_int_equal(tz_mktime(tz, y, m, d, h, mi, s), want);
}

static void check_zone(const char *name, int64_t t, const char *want,
		       const char *abbr, int isdst)
{
	struct tz *tz = load(name);

	check_at(tz, t, want, abbr, isdst);
	tz_free(tz);
}

static void read_whole(const char *path, struct strbuf *sb)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	fclose(f);
}

static void read_sys_zone(const char *name, struct strbuf *sb)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", sys_dir, name);
	read_whole(path.buf, sb);
	strbuf_release(&path);
}

static void write_tmp(const char *name, const void *p, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	strbuf_addf(&path, "%s/%s", tmp_dir, name);
	f = fopen(path.buf, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	fclose(f);
	strbuf_release(&path);
}

static void remove_tmp(const char *name)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", tmp_dir, name);
	remove(path.buf);
	strbuf_release(&path);
}

/* Diagnostics go to a temporary file while a test expects failures. */
static FILE *log_capture(void)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	log_set_file(f);
	return f;
}

static void log_release(FILE *f, const char *must_contain)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[1024];
	size_t n;

	log_set_file(NULL);
	rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	if (must_contain && !strstr(sb.buf, must_contain))
		fail_msg("log lacks '%s': %s", must_contain, sb.buf);
	strbuf_release(&sb);
}

/* ---- building TZif files ---- */

struct tzif_spec {
	int version;		/* 0 (version 1), or '2', '3', '4' */
	size_t timecnt;
	const int64_t *times;
	const uint8_t *idx;
	size_t typecnt;
	const int32_t *utoff;
	const uint8_t *isdst;
	const uint8_t *abbr;
	const char *chars;
	size_t charcnt;
	const uint8_t *isstd;	/* typecnt entries, or NULL for none */
	const uint8_t *isut;
	size_t leapcnt;		/* zero-filled leap records */
	const char *footer;	/* version 2+ only */
};

static void put32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	strbuf_add(sb, b, 4);
}

static void put64(struct strbuf *sb, int64_t v)
{
	put32(sb, (uint32_t)((uint64_t)v >> 32));
	put32(sb, (uint32_t)v);
}

static void put_header(struct strbuf *sb, int version, const struct tzif_spec *s)
{
	static const char zeros[15];

	strbuf_add(sb, "TZif", 4);
	strbuf_addch(sb, version);
	strbuf_add(sb, zeros, 15);
	put32(sb, s->isut ? s->typecnt : 0);
	put32(sb, s->isstd ? s->typecnt : 0);
	put32(sb, s->leapcnt);
	put32(sb, s->timecnt);
	put32(sb, s->typecnt);
	put32(sb, s->charcnt);
}

static void put_block(struct strbuf *sb, const struct tzif_spec *s, int tsize)
{
	static const char zeros[12];

	for (size_t i = 0; i < s->timecnt; i++) {
		if (tsize == 8)
			put64(sb, s->times[i]);
		else
			put32(sb, (uint32_t)s->times[i]);
	}
	strbuf_add(sb, s->idx, s->timecnt);
	for (size_t i = 0; i < s->typecnt; i++) {
		put32(sb, (uint32_t)s->utoff[i]);
		strbuf_addch(sb, s->isdst[i]);
		strbuf_addch(sb, s->abbr[i]);
	}
	strbuf_add(sb, s->chars, s->charcnt);
	for (size_t i = 0; i < s->leapcnt; i++)
		strbuf_add(sb, zeros, tsize + 4);
	if (s->isstd)
		strbuf_add(sb, s->isstd, s->typecnt);
	if (s->isut)
		strbuf_add(sb, s->isut, s->typecnt);
}

/* Version 2+ files get a slim (empty) 32-bit block, as zic -b slim writes. */
static void build_tzif(struct strbuf *sb, const struct tzif_spec *s)
{
	static const char slim_v1[7];
	struct tzif_spec empty = { .typecnt = 1, .charcnt = 1 };

	if (!s->version) {
		put_header(sb, 0, s);
		put_block(sb, s, 4);
		return;
	}
	put_header(sb, s->version, &empty);
	strbuf_add(sb, slim_v1, sizeof(slim_v1));
	put_header(sb, s->version, s);
	put_block(sb, s, 8);
	strbuf_addch(sb, '\n');
	strbuf_addstr(sb, s->footer ? s->footer : "");
	strbuf_addch(sb, '\n');
}

/* A slim New York: LMT, EST from 1883, the 2007 changes, then the rule. */
static const int64_t ny_times[] = { INT64_C(-2717650800), 1173596400, 1194156000 };
static const uint8_t ny_idx[] = { 1, 2, 1 };
static const int32_t ny_utoff[] = { -17762, -18000, -14400 };
static const uint8_t ny_isdst[] = { 0, 0, 1 };
static const uint8_t ny_abbr[] = { 0, 4, 8 };
static const char ny_chars[] = "LMT\0EST\0EDT";

static struct tzif_spec ny_spec(void)
{
	struct tzif_spec s = {
		.version = '2', .timecnt = 3, .times = ny_times, .idx = ny_idx,
		.typecnt = 3, .utoff = ny_utoff, .isdst = ny_isdst, .abbr = ny_abbr,
		.chars = ny_chars, .charcnt = sizeof(ny_chars),
		.footer = "EST5EDT,M3.2.0,M11.1.0",
	};
	return s;
}

static struct tz *parse_spec(const struct tzif_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	struct tz *tz;

	build_tzif(&sb, s);
	tz = tz_parse("synthetic", sb.buf, sb.len);
	strbuf_release(&sb);
	return tz;
}

/* A zone with no transitions whose footer is `rule`, or NULL if refused. */
static struct tz *rule_zone(const char *rule)
{
	static const int32_t utoff[] = { 0 };
	static const uint8_t zero[] = { 0 };
	struct tzif_spec s = {
		.version = '3', .typecnt = 1, .utoff = utoff, .isdst = zero,
		.abbr = zero, .chars = "", .charcnt = 1, .footer = rule,
	};
	return parse_spec(&s);
}

/* ---- zone names ---- */

static void test_invalid_names(void **state)
{
	static const char *bad[] = {
		"../etc/passwd", "/etc/localtime", "Foo Bar", "", "America/../../x",
		"Europe/London\n", "Europe/London.bak", "Asia/Tōkyō", "a\\b",
		"America//..", "UTC;", "zone.tab",
	};
	char longname[400];
	FILE *log = log_capture();

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_null(tz_load(bad[i]));
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_null(tz_load(longname));
	assert_null(tz_load(NULL));
	log_release(log, "invalid time zone name");
}

static void test_unknown_and_odd_files(void **state)
{
	FILE *log;

	need_sys_zones();
	log = log_capture();
	assert_null(tz_load("Nowhere/Atlantis"));
	assert_null(tz_load("America"));	/* a directory */
	assert_null(tz_load("leapseconds"));	/* text, not TZif */
	log_release(log, "Atlantis");
}

static void test_leap_second_zones_refused(void **state)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f, *log;

	need_sys_zones();
	strbuf_addf(&path, "%s/right/Europe/London", sys_dir);
	f = fopen(path.buf, "rb");
	strbuf_release(&path);
	if (!f)
		skip();
	fclose(f);
	log = log_capture();
	assert_null(tz_load("right/Europe/London"));
	log_release(log, "leap-second");
}

/* ---- UTC and calendar arithmetic ---- */

static void test_utc(void **state)
{
	const struct tz *utc = tz_utc();
	struct tz *loaded;
	const char *abbr = NULL;
	struct tm tm;

	assert_string_equal(tz_name(utc), "UTC");
	assert_int_equal(tz_offset(utc, T_KNOWN, &abbr), 0);
	assert_string_equal(abbr, "UTC");
	check_at(utc, 0, "1970-01-01T00:00:00Z", "UTC", 0);
	check_at(utc, -1, "1969-12-31T23:59:59Z", "UTC", 0);
	check_at(utc, T_KNOWN, "2024-03-28T13:05:00Z", "UTC", 0);
	tz_localtime(utc, 0, &tm);
	assert_int_equal(tm.tm_wday, 4);
	assert_int_equal(tm.tm_yday, 0);
	tz_localtime(utc, -1, &tm);
	assert_int_equal(tm.tm_wday, 3);
	assert_int_equal(tm.tm_yday, 364);

	/* "UTC" needs no file. */
	setenv("TZDIR", "/nonexistent-zoneinfo", 1);
	loaded = tz_load("UTC");
	assert_non_null(loaded);
	assert_string_equal(tz_name(loaded), "UTC");
	check_at(loaded, T_KNOWN, "2024-03-28T13:05:00Z", "UTC", 0);
	tz_free(loaded);
	tz_free(NULL);
	use_sys_dir();
}

static void test_calendar_edges(void **state)
{
	const struct tz *utc = tz_utc();
	struct tm tm;

	/* 1600 and 2000 are leap years, 1900 and 2100 are not. */
	check_at(utc, INT64_C(-11670998400), "1600-02-29T00:00:00Z", "UTC", 0);
	check_at(utc, INT64_C(951782400), "2000-02-29T00:00:00Z", "UTC", 0);
	check_at(utc, INT64_C(-2203891200), "1900-03-01T00:00:00Z", "UTC", 0);
	check_at(utc, INT64_C(4107542400), "2100-03-01T00:00:00Z", "UTC", 0);
	check_at(utc, INT64_C(253402300799), "9999-12-31T23:59:59Z", "UTC", 0);
	check_at(utc, INT64_C(-62135596800), "0001-01-01T00:00:00Z", "UTC", 0);
	tz_localtime(utc, INT64_C(-62135596800), &tm);
	assert_int_equal(tm.tm_wday, 1);	/* 0001-01-01 was a Monday */
	tz_localtime(utc, INT64_C(4107542400), &tm);
	assert_int_equal(tm.tm_yday, 59);
	/* 64-bit years, and clamping at the extremes. */
	check_at(utc, INT64_C(31556889832780800), "+1000000000-01-01T00:00:00Z", "UTC", 0);
	tz_localtime(utc, INT64_MAX, &tm);
	assert_true(tm.tm_year > 1000000000);
	tz_localtime(utc, INT64_MIN, &tm);
	assert_true(tm.tm_year < -1000000000);
	assert_int_equal(tz_mktime(utc, INT_MAX, 12, 31, 23, 59, 59), TZ_TIME_MAX);
}

/* ---- real zones ---- */

static void test_new_york_2024(void **state)
{
	struct tz *ny;

	need_sys_zones();
	ny = load("America/New_York");
	assert_string_equal(tz_name(ny), "America/New_York");
	/* Spring forward: 2024-03-10 07:00:00Z. */
	check_at(ny, 1710053999, "2024-03-10T01:59:59-05:00", "EST", 0);
	check_at(ny, 1710054000, "2024-03-10T03:00:00-04:00", "EDT", 1);
	/* Fall back: 2024-11-03 06:00:00Z. */
	check_at(ny, 1730613599, "2024-11-03T01:59:59-04:00", "EDT", 1);
	check_at(ny, 1730613600, "2024-11-03T01:00:00-05:00", "EST", 0);
	check_at(ny, T_KNOWN, "2024-03-28T09:05:00-04:00", "EDT", 1);
	tz_free(ny);
}

static void test_europe(void **state)
{
	need_sys_zones();
	/* Both change at 01:00Z on 2024-03-31 and 2024-10-27. */
	check_zone("Europe/London", 1711846799, "2024-03-31T00:59:59Z", "GMT", 0);
	check_zone("Europe/London", 1711846800, "2024-03-31T02:00:00+01:00", "BST", 1);
	check_zone("Europe/London", 1729990799, "2024-10-27T01:59:59+01:00", "BST", 1);
	check_zone("Europe/London", 1729990800, "2024-10-27T01:00:00Z", "GMT", 0);
	check_zone("Europe/Paris", 1711846799, "2024-03-31T01:59:59+01:00", "CET", 0);
	check_zone("Europe/Paris", 1711846800, "2024-03-31T03:00:00+02:00", "CEST", 1);
	check_zone("Europe/Paris", 1729990800, "2024-10-27T02:00:00+01:00", "CET", 0);
	/* Ireland's "negative DST": winter GMT is the DST half of the rule. */
	check_zone("Europe/Dublin", 1704067200, "2024-01-01T00:00:00Z", "GMT", 1);
	check_zone("Europe/Dublin", 1719792000, "2024-07-01T01:00:00+01:00", "IST", 0);
}

static void test_asia_fractional(void **state)
{
	need_sys_zones();
	check_zone("Asia/Kolkata", T_KNOWN, "2024-03-28T18:35:00+05:30", "IST", 0);
	check_zone("Asia/Kathmandu", T_KNOWN, "2024-03-28T18:50:00+05:45", "+0545", 0);
	check_zone("Pacific/Marquesas", T_KNOWN, "2024-03-28T03:35:00-09:30", "-0930", 0);
}

static void test_australia(void **state)
{
	need_sys_zones();
	/* Lord Howe: +10:30, half an hour of DST. */
	check_zone("Australia/Lord_Howe", 1704067200, "2024-01-01T11:00:00+11:00", "+11", 1);
	check_zone("Australia/Lord_Howe", 1719792000, "2024-07-01T10:30:00+10:30", "+1030", 0);
	check_zone("Australia/Lord_Howe", 1712415599, "2024-04-07T01:59:59+11:00", "+11", 1);
	check_zone("Australia/Lord_Howe", 1712415600, "2024-04-07T01:30:00+10:30", "+1030", 0);
	check_zone("Australia/Lord_Howe", 1728142199, "2024-10-06T01:59:59+10:30", "+1030", 0);
	check_zone("Australia/Lord_Howe", 1728142200, "2024-10-06T02:30:00+11:00", "+11", 1);
	/* Sydney: DST in the southern summer. */
	check_zone("Australia/Sydney", 1704067200, "2024-01-01T11:00:00+11:00", "AEDT", 1);
	check_zone("Australia/Sydney", 1719792000, "2024-07-01T10:00:00+10:00", "AEST", 0);
	check_zone("Australia/Sydney", 1712419199, "2024-04-07T02:59:59+11:00", "AEDT", 1);
	check_zone("Australia/Sydney", 1712419200, "2024-04-07T02:00:00+10:00", "AEST", 0);
}

static void test_unusual_rules(void **state)
{
	need_sys_zones();
	/* Iran dropped DST in 2022. */
	check_zone("Asia/Tehran", T_KNOWN, "2024-03-28T16:35:00+03:30", "+0330", 0);
	check_zone("Asia/Tehran", 1626307200, "2021-07-15T04:30:00+04:30", "+0430", 1);
	check_zone("Asia/Tehran", INT64_C(4118400000), "2100-07-04T19:30:00+03:30", "+0330", 0);
	/* Morocco: +01, but +00 (flagged DST) during Ramadan. */
	check_zone("Africa/Casablanca", 1710035999, "2024-03-10T02:59:59+01:00", "+01", 0);
	check_zone("Africa/Casablanca", 1710036000, "2024-03-10T02:00:00Z", "+00", 1);
	check_zone("Africa/Casablanca", T_KNOWN, "2024-03-28T13:05:00Z", "+00", 1);
	check_zone("Africa/Casablanca", 1713060000, "2024-04-14T03:00:00+01:00", "+01", 0);
	check_zone("Africa/Casablanca", INT64_C(3786825600), "2089-12-31T01:00:00+01:00", "+01", 0);
	/* Israel: Friday before the last Sunday of March, "M3.4.4/26". */
	check_zone("Asia/Jerusalem", 1711670399, "2024-03-29T01:59:59+02:00", "IST", 0);
	check_zone("Asia/Jerusalem", 1711670400, "2024-03-29T03:00:00+03:00", "IDT", 1);
	/* Gaza's explicit table runs to 2086; then "M3.4.4/50": Saturday 02:00. */
	check_zone("Asia/Gaza", INT64_C(3794083199), "2090-03-25T01:59:59+02:00", "EET", 0);
	check_zone("Asia/Gaza", INT64_C(3794083200), "2090-03-25T03:00:00+03:00", "EEST", 1);
	/* Samoa skipped 2011-12-30. */
	check_zone("Pacific/Apia", 1325239199, "2011-12-29T23:59:59-10:00", "-10", 1);
	check_zone("Pacific/Apia", 1325239200, "2011-12-31T00:00:00+14:00", "+14", 1);
}

static void test_far_future_and_past(void **state)
{
	need_sys_zones();
	/* Fat files stop in 2037: 2100 comes from the footer rule. */
	check_zone("America/New_York", INT64_C(4118486400), "2100-07-05T12:00:00-04:00", "EDT", 1);
	check_zone("America/New_York", INT64_C(4104216000), "2100-01-21T07:00:00-05:00", "EST", 0);
	check_zone("Australia/Sydney", INT64_C(4118486400), "2100-07-06T02:00:00+10:00", "AEST", 0);
	check_zone("Europe/London", INT64_C(4118486400), "2100-07-05T17:00:00+01:00", "BST", 1);
	/* New York's second Sunday of March 2100 is the 14th. */
	check_zone("America/New_York", INT64_C(4108690799), "2100-03-14T01:59:59-05:00", "EST", 0);
	check_zone("America/New_York", INT64_C(4108690800), "2100-03-14T03:00:00-04:00", "EDT", 1);
	/* Before 1900: local mean time, which RFC 3339 states in UTC. */
	check_zone("America/New_York", INT64_C(-3786825600), "1850-01-01T00:00:00Z", "LMT", 0);
	check_zone("Europe/London", INT64_C(-3786825600), "1850-01-01T00:00:00Z", "GMT", 0);
	check_zone("Asia/Kolkata", INT64_C(-3786825600), "1850-01-01T00:00:00Z", "LMT", 0);
	{
		struct tz *ny = load("America/New_York");
		struct tm tm;

		tz_localtime(ny, INT64_C(-3786825600), &tm);
		assert_int_equal(tm.tm_gmtoff, -17762);
		assert_int_equal(tm.tm_year, -51);
		assert_int_equal(tm.tm_mday, 31);
		assert_int_equal(tm.tm_hour, 19);
		assert_int_equal(tm.tm_min, 3);
		assert_int_equal(tm.tm_sec, 58);
		tz_free(ny);
	}
}

/* ---- POSIX TZ footer rules ---- */

static void check_rule(const char *rule, int64_t t, const char *want,
		       const char *abbr, int isdst)
{
	struct tz *tz = rule_zone(rule);

	if (!tz)
		fail_msg("rule refused: %s", rule);
	check_at(tz, t, want, abbr, isdst);
	tz_free(tz);
}

static void test_footer_rules(void **state)
{
	check_rule("EST5EDT,M3.2.0,M11.1.0", 1710053999, "2024-03-10T01:59:59-05:00", "EST", 0);
	check_rule("EST5EDT,M3.2.0,M11.1.0", 1710054000, "2024-03-10T03:00:00-04:00", "EDT", 1);
	check_rule("EST5EDT", 1730613600, "2024-11-03T01:00:00-05:00", "EST", 0);
	check_rule("<+0330>-3:30", T_KNOWN, "2024-03-28T16:35:00+03:30", "+0330", 0);
	check_rule("<-00>0", T_KNOWN, "2024-03-28T13:05:00Z", "-00", 0);
	check_rule("IST-2IDT,M3.4.4/26,M10.5.0", 1711670400, "2024-03-29T03:00:00+03:00", "IDT", 1);
	check_rule("IST-2IDT,M3.4.4/26,M10.5.0", 1729983599, "2024-10-27T01:59:59+03:00", "IDT", 1);
	check_rule("IST-2IDT,M3.4.4/26,M10.5.0", 1729983600, "2024-10-27T01:00:00+02:00", "IST", 0);
	/* Jn never counts February 29; n does. 2024 is a leap year. */
	check_rule("AAA3BBB,J60,J300", 1709269199, "2024-03-01T01:59:59-03:00", "AAA", 0);
	check_rule("AAA3BBB,J60,J300", 1709269200, "2024-03-01T03:00:00-02:00", "BBB", 1);
	check_rule("AAA3BBB,59,299", 1709182800, "2024-02-29T03:00:00-02:00", "BBB", 1);
	check_rule("AAA3BBB,59,299", 1677646800, "2023-03-01T03:00:00-02:00", "BBB", 1);
	/* Southern hemisphere, quoted names, midnight changes. */
	check_rule("<-03>3<-02>,M10.1.0/0,M3.3.0/0", 1704067200, "2023-12-31T22:00:00-02:00", "-02", 1);
	check_rule("<-03>3<-02>,M10.1.0/0,M3.3.0/0", 1719792000, "2024-06-30T21:00:00-03:00", "-03", 0);
	/* Greenland: a negative time, 23:00 the day before. */
	check_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 1711846799, "2024-03-30T22:59:59-02:00", "-02", 0);
	check_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 1711846800, "2024-03-31T00:00:00-01:00", "-01", 1);
	/* Explicit DST offset (Lord Howe) and all-year DST. */
	check_rule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1704067200, "2024-01-01T11:00:00+11:00", "+11", 1);
	check_rule("EST5EDT4,0/0,J365/25", 1704085200, "2024-01-01T01:00:00-04:00", "EDT", 1);
	check_rule("EST5EDT4,0/0,J365/25", 1704081599, "2023-12-31T23:59:59-04:00", "EDT", 1);
	check_rule("EST5EDT4,0/0,J365/25", 1719792000, "2024-06-30T20:00:00-04:00", "EDT", 1);
	/* Far from 1970 in both directions. */
	check_rule("EST5EDT,M3.2.0,M11.1.0", INT64_C(-11644473600), "1600-12-31T19:00:00-05:00", "EST", 0);
	check_rule("EST5EDT,M3.2.0,M11.1.0", INT64_C(32503680000), "2999-12-31T19:00:00-05:00", "EST", 0);
}

static void test_bad_footers(void **state)
{
	static const char *bad[] = {
		"EST", "E5", "<AB>5", "EST5EDT,M3.2.0", "EST5EDT,M13.1.0,M11.1.0",
		"EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M3.0.0,M11.1.0",
		"EST25", "EST5EDT,J0,J100", "EST5EDT,366,100", "EST5EDT,M3.2.0/168,M11.1.0",
		"EST5EDT,M3.2.0,M11.1.0x", "<+0330-3:30", "ABCDEFGHIJKLMNOPQ5", "EST5:60",
		"EST5EDT,M3.2.0,,M11.1.0", "EST5\tEDT", "EST5EDT,M3.2.0/2:60,M11.1.0",
		"EST99999999999999999999",
	};
	FILE *log = log_capture();

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct tz *tz = rule_zone(bad[i]);

		if (tz)
			fail_msg("accepted footer '%s'", bad[i]);
	}
	log_release(log, "footer");
}

/* The last line of a TZif file: its footer. */
static void footer_of(const char *name, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t end, start;

	read_sys_zone(name, &sb);
	assert_true(sb.len > 2 && sb.buf[sb.len - 1] == '\n');
	end = sb.len - 1;
	for (start = end; start > 0 && sb.buf[start - 1] != '\n'; start--)
		;
	strbuf_add(out, sb.buf + start, end - start);
	strbuf_release(&sb);
}

/*
 * The footer alone must agree with the fat file's explicit 2025-2037 table
 * (not for Gaza, whose table follows Ramadan until 2086).
 */
static void test_footer_matches_table(void **state)
{
	static const char *zones[] = {
		"America/New_York", "Asia/Jerusalem", "America/Santiago", "America/Nuuk",
		"Australia/Lord_Howe", "Africa/Cairo", "Pacific/Easter",
		"Europe/Dublin", "Pacific/Chatham", "America/Havana",
	};

	need_sys_zones();
	for (size_t i = 0; i < ARRAY_SIZE(zones); i++) {
		struct strbuf rule = STRBUF_INIT;
		struct tz *file = load(zones[i]), *alone;

		footer_of(zones[i], &rule);
		alone = rule_zone(rule.buf);
		if (!alone)
			fail_msg("%s: footer '%s' refused", zones[i], rule.buf);
		for (int64_t t = INT64_C(1735689600); t < INT64_C(2145916800); t += 900) {
			const char *a1, *a2;

			if (tz_offset(file, t, &a1) != tz_offset(alone, t, &a2) || strcmp(a1, a2))
				fail_msg("%s at %" PRId64 ": table and footer differ", zones[i], t);
		}
		tz_free(alone);
		tz_free(file);
		strbuf_release(&rule);
	}
}

/* ---- file formats ---- */

static void test_slim_file(void **state)
{
	struct tzif_spec s = ny_spec();
	struct tz *tz = parse_spec(&s);

	assert_non_null(tz);
	assert_string_equal(tz_name(tz), "synthetic");
	check_at(tz, INT64_C(-3786825600), "1850-01-01T00:00:00Z", "LMT", 0);
	check_at(tz, 946684800, "1999-12-31T19:00:00-05:00", "EST", 0);
	check_at(tz, 1173596399, "2007-03-11T01:59:59-05:00", "EST", 0);
	check_at(tz, 1173596400, "2007-03-11T03:00:00-04:00", "EDT", 1);
	check_at(tz, 1194156000, "2007-11-04T01:00:00-05:00", "EST", 0);
	check_at(tz, 1205045999, "2008-03-09T01:59:59-05:00", "EST", 0);
	check_at(tz, 1205046000, "2008-03-09T03:00:00-04:00", "EDT", 1);
	check_at(tz, 1710054000, "2024-03-10T03:00:00-04:00", "EDT", 1);
	check_at(tz, 1730613600, "2024-11-03T01:00:00-05:00", "EST", 0);
	tz_free(tz);

	s.version = '3';
	tz = parse_spec(&s);
	assert_non_null(tz);
	check_at(tz, T_KNOWN, "2024-03-28T09:05:00-04:00", "EDT", 1);
	tz_free(tz);
}

/*
 * Slim Ojinaga as Debian's zic 2.36 writes it: the table ends with the
 * change to CST on 2022-10-30, but the footer's US rule still says CDT
 * until 2022-11-06. The table wins until the rule's next change.
 */
static void test_footer_disagrees_with_table(void **state)
{
	static const int64_t times[] = { 1647162000, 1667116800 };
	static const uint8_t idx[] = { 1, 2 };
	static const int32_t utoff[] = { -25200, -21600, -21600 };
	static const uint8_t isdst[] = { 0, 1, 0 };
	static const uint8_t abbr[] = { 0, 4, 8 };
	struct tzif_spec s = {
		.version = '2', .timecnt = 2, .times = times, .idx = idx,
		.typecnt = 3, .utoff = utoff, .isdst = isdst, .abbr = abbr,
		.chars = "MST\0MDT\0CST", .charcnt = 12,
		.footer = "CST6CDT,M3.2.0,M11.1.0",
	};
	struct tz *tz = parse_spec(&s);

	assert_non_null(tz);
	check_at(tz, 1667116800, "2022-10-30T02:00:00-06:00", "CST", 0);
	check_at(tz, 1667671921, "2022-11-05T12:12:01-06:00", "CST", 0);
	check_at(tz, 1667808000, "2022-11-07T02:00:00-06:00", "CST", 0);
	check_at(tz, 1678607999, "2023-03-12T01:59:59-06:00", "CST", 0);
	check_at(tz, 1678608000, "2023-03-12T03:00:00-05:00", "CDT", 1);
	check_mktime_at(tz, 2022, 11, 5, 12, 0, 0, 1667671200);
	tz_free(tz);
}

static void test_version1_file(void **state)
{
	/* 32-bit times: the 1883 change becomes the earliest 32-bit second. */
	static const int64_t times[] = { INT32_MIN, 1173596400, 1194156000 };
	struct tzif_spec s = ny_spec();
	struct tz *tz;

	s.version = 0;
	s.times = times;
	tz = parse_spec(&s);
	assert_non_null(tz);
	check_at(tz, INT64_C(-2147483649), "1901-12-13T20:45:51Z", "LMT", 0);
	check_at(tz, INT32_MIN, "1901-12-13T15:45:52-05:00", "EST", 0);
	check_at(tz, 1173596400, "2007-03-11T03:00:00-04:00", "EDT", 1);
	/* No footer in version 1: the last type stays. */
	check_at(tz, 1720000000, "2024-07-03T04:46:40-05:00", "EST", 0);
	tz_free(tz);
}

static void test_empty_footer(void **state)
{
	struct tzif_spec s = ny_spec();
	struct tz *tz;

	s.footer = "";
	tz = parse_spec(&s);
	assert_non_null(tz);
	check_at(tz, 1720000000, "2024-07-03T04:46:40-05:00", "EST", 0);
	tz_free(tz);
}

/* Before the first transition: the first standard type, not type 0. */
static void test_early_standard_type(void **state)
{
	static const int64_t times[] = { 1000 };
	static const uint8_t idx[] = { 0 };
	static const int32_t utoff[] = { 7200, 3600 };
	static const uint8_t isdst[] = { 1, 0 };
	static const uint8_t abbr[] = { 0, 4 };
	struct tzif_spec s = {
		.version = '2', .timecnt = 1, .times = times, .idx = idx,
		.typecnt = 2, .utoff = utoff, .isdst = isdst, .abbr = abbr,
		.chars = "XDT\0XST", .charcnt = 8,
	};
	struct tz *tz = parse_spec(&s);

	assert_non_null(tz);
	check_at(tz, 999, "1970-01-01T01:16:39+01:00", "XST", 0);
	check_at(tz, 1000, "1970-01-01T02:16:40+02:00", "XDT", 1);
	tz_free(tz);
}

static void expect_refused(const struct tzif_spec *s, const char *why)
{
	struct tz *tz = parse_spec(s);

	if (tz)
		fail_msg("accepted a file with %s", why);
}

static void test_bad_contents(void **state)
{
	static const int64_t unsorted[] = { 0, 1143961200, 1143961200 };
	static const uint8_t bad_idx[] = { 1, 3, 1 };
	static const uint8_t bad_abbr[] = { 0, 4, 12 };
	static const uint8_t bad_dst[] = { 0, 2, 1 };
	static const int32_t bad_off[] = { -17762, -18000, 100000 };
	static const uint8_t ones[] = { 1, 1, 1 }, mixed[] = { 1, 0, 1 }, twos[] = { 2, 0, 0 };
	struct tzif_spec s;
	struct tz *tz;
	FILE *log = log_capture();

	s = ny_spec(); s.times = unsorted; expect_refused(&s, "unsorted times");
	s = ny_spec(); s.idx = bad_idx; expect_refused(&s, "a bad type index");
	s = ny_spec(); s.abbr = bad_abbr; expect_refused(&s, "a bad abbreviation index");
	s = ny_spec(); s.isdst = bad_dst; expect_refused(&s, "isdst 2");
	s = ny_spec(); s.utoff = bad_off; expect_refused(&s, "a 27-hour offset");
	s = ny_spec(); s.charcnt--; expect_refused(&s, "unterminated abbreviations");
	s = ny_spec(); s.chars = "LMT\0EST\0E\x01T"; expect_refused(&s, "a control character");
	s = ny_spec(); s.typecnt = 0; s.timecnt = 0; expect_refused(&s, "no types");
	s = ny_spec(); s.charcnt = 0; s.abbr = (const uint8_t[]){ 0, 0, 0 };
	expect_refused(&s, "no characters");
	s = ny_spec(); s.leapcnt = 1; expect_refused(&s, "leap seconds");
	s = ny_spec(); s.isstd = twos; expect_refused(&s, "isstd 2");
	s = ny_spec(); s.isstd = mixed; s.isut = ones; expect_refused(&s, "isut without isstd");
	s = ny_spec(); s.footer = "EST5EDT,M3.2.0"; expect_refused(&s, "a bad footer");
	s = ny_spec(); s.version = '5'; expect_refused(&s, "version 5");
	log_release(log, "synthetic");

	/* Indicators that are consistent are fine. */
	s = ny_spec(); s.isstd = ones; s.isut = ones;
	tz = parse_spec(&s);
	assert_non_null(tz);
	tz_free(tz);
}

/* Patch the built slim New York and expect a refusal. */
static void expect_patched_refused(size_t at, const void *bytes, size_t n)
{
	struct tzif_spec s = ny_spec();
	struct strbuf sb = STRBUF_INIT;
	struct tz *tz;

	build_tzif(&sb, &s);
	if (at == SIZE_MAX)
		strbuf_add(&sb, bytes, n);
	else
		memcpy(sb.buf + at, bytes, n);
	tz = tz_parse("patched", sb.buf, sb.len);
	if (tz)
		fail_msg("accepted a file patched at %zu", at);
	strbuf_release(&sb);
}

static void test_bad_structure(void **state)
{
	/* The slim 32-bit block is 44 + 7 bytes; the second header follows. */
	const size_t h2 = 51;
	FILE *log = log_capture();

	expect_patched_refused(0, "TZjf", 4);
	expect_patched_refused(h2, "TZjf", 4);
	expect_patched_refused(4, "9", 1);
	expect_patched_refused(h2 + 4, "3", 1);		/* versions differ */
	expect_patched_refused(h2 + 32, "\xff\xff\xff\xff", 4);	/* timecnt */
	expect_patched_refused(h2 + 36, "\0\0\x01\x01", 4);	/* 257 types */
	expect_patched_refused(h2 + 40, "\x7f\xff\xff\xff", 4);	/* charcnt */
	expect_patched_refused(32, "\x10\0\0\0", 4);		/* v1 timecnt */
	expect_patched_refused(SIZE_MAX, "x", 1);		/* after footer */
	expect_patched_refused(SIZE_MAX, "\n", 1);
	log_release(log, "patched");
}

/* Every proper prefix of a real file is refused; the whole file loads. */
static void test_truncations(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct tz *tz;
	FILE *log;

	need_sys_zones();
	read_sys_zone("America/New_York", &sb);
	log = log_capture();
	for (size_t n = 0; n < sb.len; n++) {
		char *copy = malloc(n ? n : 1);

		memcpy(copy, sb.buf, n);	/* exact size, so ASan sees overreads */
		tz = tz_parse("truncated", copy, n);
		free(copy);
		if (tz)
			fail_msg("accepted a %zu-byte prefix of %zu", n, sb.len);
	}
	assert_null(tz_parse("null", NULL, 0));
	log_release(log, "truncated");
	tz = tz_parse("whole", sb.buf, sb.len);
	assert_non_null(tz);
	check_at(tz, T_KNOWN, "2024-03-28T09:05:00-04:00", "EDT", 1);
	tz_free(tz);
	strbuf_release(&sb);
}

static void load_bad_file(const char *name, const void *p, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	FILE *log;

	write_tmp(name, p, len);
	strbuf_addf(&path, "%s/%s", tmp_dir, name);
	log = log_capture();
	assert_null(tz_load(name));
	log_release(log, path.buf);	/* the message names the file */
	remove_tmp(name);
	strbuf_release(&path);
}

static void test_bad_files_on_disk(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char garbage[3000];
	uint32_t x = 12345;

	need_sys_zones();
	read_sys_zone("America/New_York", &sb);
	setenv("TZDIR", tmp_dir, 1);
	for (size_t i = 0; i < sizeof(garbage); i++) {
		x = x * 1103515245 + 12345;
		garbage[i] = (unsigned char)(x >> 16);
	}
	load_bad_file("Empty", "", 0);
	load_bad_file("Garbage", garbage, sizeof(garbage));
	load_bad_file("Text", "Europe/London\n", 14);
	load_bad_file("Magic_only", "TZif2", 5);
	load_bad_file("Header_only", sb.buf, 44);
	load_bad_file("Half", sb.buf, sb.len / 2);
	load_bad_file("Almost", sb.buf, sb.len - 1);
	memcpy(garbage, sb.buf, 44);
	load_bad_file("Header_then_garbage", garbage, sizeof(garbage));

	/* A good copy in the same place loads. */
	write_tmp("Good", sb.buf, sb.len);
	{
		struct tz *tz = load("Good");

		check_at(tz, T_KNOWN, "2024-03-28T09:05:00-04:00", "EDT", 1);
		tz_free(tz);
	}
	remove_tmp("Good");
	use_sys_dir();
	strbuf_release(&sb);
}

/* Random byte corruptions: refused, or a zone that answers sanely. */
static void fuzz_bytes(const struct strbuf *orig, int rounds, uint32_t seed)
{
	char *copy = malloc(orig->len);

	for (int r = 0; r < rounds; r++) {
		struct tz *tz;
		int flips = 1 + (int)(seed % 4);

		memcpy(copy, orig->buf, orig->len);
		for (int i = 0; i < flips; i++) {
			seed = seed * 1664525 + 1013904223;
			copy[(seed >> 8) % orig->len] = (char)(seed >> 24);
		}
		tz = tz_parse("fuzzed", copy, orig->len);
		if (tz) {
			struct tm tm;

			for (int64_t t = INT64_C(-5000000000); t < INT64_C(5000000000); t += 499999999) {
				tz_localtime(tz, t, &tm);
				assert_true(tm.tm_gmtoff >= -26 * 3600 && tm.tm_gmtoff <= 26 * 3600);
			}
			tz_mktime(tz, 2024, 3, 10, 2, 30, 0);
			tz_free(tz);
		}
	}
	free(copy);
}

static void test_fuzz(void **state)
{
	struct tzif_spec s = ny_spec();
	struct strbuf real = STRBUF_INIT, slim = STRBUF_INIT;
	FILE *log = log_capture();

	build_tzif(&slim, &s);
	fuzz_bytes(&slim, 3000, 42);
	{
		struct strbuf path = STRBUF_INIT;
		FILE *f;

		strbuf_addf(&path, "%s/Australia/Lord_Howe", sys_dir);
		f = fopen(path.buf, "rb");
		if (f) {
			fclose(f);
			read_whole(path.buf, &real);
			fuzz_bytes(&real, 2000, 7);
		}
		strbuf_release(&path);
	}
	/* Random footers from the rule alphabet. */
	for (uint32_t seed = 1; seed < 3000; seed++) {
		static const char alphabet[] = "ESTD<>+-:,./JM0123456789";
		char rule[24];
		uint32_t x = seed;
		size_t n = seed % sizeof(rule);
		struct tz *tz;

		for (size_t i = 0; i < n; i++) {
			x = x * 1664525 + 1013904223;
			rule[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		rule[n] = '\0';
		tz = rule_zone(rule);
		if (tz) {
			tz_offset(tz, T_KNOWN, NULL);
			tz_free(tz);
		}
	}
	log_release(log, NULL);
	strbuf_release(&real);
	strbuf_release(&slim);
}

/* ---- tz_mktime ---- */

static void check_mktime(const struct tz *tz, int y, int m, int d, int h, int mi,
			 int s, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct tm tm;

	tz_localtime(tz, tz_mktime(tz, y, m, d, h, mi, s), &tm);
	timefmt_rfc3339(&sb, &tm);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_mktime_rules(void **state)
{
	struct tz *ny, *lh, *apia;

	need_sys_zones();
	ny = load("America/New_York");
	assert_int_equal(tz_mktime(ny, 2024, 3, 28, 9, 5, 0), T_KNOWN);
	/* Gap: 02:30 does not exist; read with EST it is 03:30 EDT. */
	assert_int_equal(tz_mktime(ny, 2024, 3, 10, 2, 30, 0), 1710055800);
	check_mktime(ny, 2024, 3, 10, 2, 0, 0, "2024-03-10T03:00:00-04:00");
	check_mktime(ny, 2024, 3, 10, 1, 59, 59, "2024-03-10T01:59:59-05:00");
	check_mktime(ny, 2024, 3, 10, 3, 0, 0, "2024-03-10T03:00:00-04:00");
	/* Overlap: 01:30 happens twice; the first (EDT) is taken. */
	assert_int_equal(tz_mktime(ny, 2024, 11, 3, 1, 30, 0), 1730611800);
	check_mktime(ny, 2024, 11, 3, 2, 0, 0, "2024-11-03T02:00:00-05:00");
	check_mktime(ny, 2024, 11, 3, 0, 59, 59, "2024-11-03T00:59:59-04:00");
	/* Footer-rule gap in 2100, and before 1900. */
	check_mktime(ny, 2100, 3, 14, 2, 15, 0, "2100-03-14T03:15:00-04:00");
	assert_int_equal(tz_mktime(ny, 1849, 12, 31, 19, 3, 58), INT64_C(-3786825600));
	/* Carrying like mktime(). */
	check_mktime(ny, 2024, 13, 1, 12, 0, 0, "2025-01-01T12:00:00-05:00");
	check_mktime(ny, 2024, 3, 0, 12, 0, 0, "2024-02-29T12:00:00-05:00");
	check_mktime(ny, 2024, 1, 32, 25, 61, 61, "2024-02-02T02:02:01-05:00");
	check_mktime(ny, 2024, -1, 1, -1, 0, 0, "2023-10-31T23:00:00-04:00");
	tz_free(ny);

	/* Lord Howe's half-hour gap and overlap. */
	lh = load("Australia/Lord_Howe");
	check_mktime(lh, 2024, 10, 6, 2, 15, 0, "2024-10-06T02:45:00+11:00");
	assert_int_equal(tz_mktime(lh, 2024, 4, 7, 1, 45, 0), 1712414700);
	tz_free(lh);

	/* Samoa's missing day is read with the old offset. */
	apia = load("Pacific/Apia");
	check_mktime(apia, 2011, 12, 30, 12, 0, 0, "2011-12-31T12:00:00+14:00");
	tz_free(apia);

	assert_int_equal(tz_mktime(tz_utc(), 1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(tz_mktime(tz_utc(), 2024, 3, 28, 13, 5, 0), T_KNOWN);
}

/*
 * For any instant t, mktime(localtime(t)) shows the same wall time and is
 * no later than t (earlier only in an overlap).
 */
static void test_mktime_round_trip(void **state)
{
	static const char *zones[] = {
		"America/New_York", "Europe/London", "Australia/Lord_Howe",
		"Africa/Casablanca", "Asia/Tehran", "America/Sao_Paulo", "Pacific/Apia",
		"Europe/Dublin", "America/St_Johns", "Asia/Kathmandu",
	};

	need_sys_zones();
	for (size_t i = 0; i < ARRAY_SIZE(zones); i++) {
		struct tz *tz = load(zones[i]);

		for (int64_t t = INT64_C(-3000000000); t < INT64_C(4500000000); t += 86400 * 3 + 1799) {
			struct tm a, b;
			int64_t back;

			tz_localtime(tz, t, &a);
			back = tz_mktime(tz, a.tm_year + 1900, a.tm_mon + 1, a.tm_mday,
					 a.tm_hour, a.tm_min, a.tm_sec);
			tz_localtime(tz, back, &b);
			if (back > t || t - back > 25 * 3600 || a.tm_hour != b.tm_hour ||
			    a.tm_min != b.tm_min || a.tm_mday != b.tm_mday)
				fail_msg("%s: %" PRId64 " came back as %" PRId64, zones[i], t, back);
		}
		tz_free(tz);
	}
}

/* ---- sharing a zone between threads ---- */

struct thread_job {
	const struct tz *tz;
	int64_t start;
	int64_t sum;		/* of offsets and local hours: compared across runs */
};

static void *thread_lookups(void *arg)
{
	struct thread_job *job = arg;

	for (int64_t t = job->start; t < job->start + 200000 * INT64_C(3607); t += 3607) {
		struct tm tm;

		tz_localtime(job->tz, t, &tm);
		job->sum += tm.tm_gmtoff + tm.tm_hour + tz_mktime(job->tz, 2024, 3, 10, 2, 30, 0) % 7;
	}
	return NULL;
}

/* A loaded zone is read-only: concurrent lookups need no locks (run under TSan too). */
static void test_threads(void **state)
{
	struct thread_job jobs[4], solo;
	pthread_t th[4];
	struct tz *tz;

	need_sys_zones();
	tz = load("Europe/London");
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){ tz, INT64_C(1000000000), 0 };
		assert_int_equal(pthread_create(&th[i], NULL, thread_lookups, &jobs[i]), 0);
	}
	solo = (struct thread_job){ tz, INT64_C(1000000000), 0 };
	thread_lookups(&solo);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].sum, solo.sum);
	}
	tz_free(tz);
}

/* ---- locales and formats ---- */

static void test_locale_find(void **state)
{
	assert_string_equal(locale_tag(locale_default()), "en-US");
	assert_string_equal(locale_tag(locale_find("en-US")), "en-US");
	assert_string_equal(locale_tag(locale_find("en_US")), "en-US");
	assert_string_equal(locale_tag(locale_find("en_US.UTF-8")), "en-US");
	assert_string_equal(locale_tag(locale_find("EN-us")), "en-US");
	assert_string_equal(locale_tag(locale_find("en_GB")), "en-GB");
	assert_string_equal(locale_tag(locale_find("en-AU")), "en-GB");
	assert_string_equal(locale_tag(locale_find("en")), "en-US");
	assert_string_equal(locale_tag(locale_find("en-CA")), "en-US");
	assert_string_equal(locale_tag(locale_find("fr")), "fr-FR");
	assert_string_equal(locale_tag(locale_find("fr-CA")), "fr-FR");
	assert_string_equal(locale_tag(locale_find("de_DE@euro")), "de-DE");
	assert_string_equal(locale_tag(locale_find("de-AT")), "de-DE");
	assert_string_equal(locale_tag(locale_find("es")), "es-ES");
	assert_string_equal(locale_tag(locale_find("it_IT.utf8")), "it-IT");
	assert_string_equal(locale_tag(locale_find("pt")), "pt-PT");
	assert_string_equal(locale_tag(locale_find("pt-BR")), "pt-BR");
	assert_string_equal(locale_tag(locale_find("nl-BE")), "nl-NL");
	assert_null(locale_find("ja-JP"));
	assert_null(locale_find("e"));
	assert_null(locale_find(""));
	assert_null(locale_find("C"));
	assert_null(locale_find("en US"));
	assert_null(locale_find("english"));
	assert_null(locale_find("en-US\"><script>"));
	assert_null(locale_find(NULL));
}

typedef void (*date_fn)(struct strbuf *, const struct locale_names *, const struct tm *);

static void check_fmt(date_fn fn, const char *tag, const struct tm *tm, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	const struct locale_names *loc = locale_find(tag);

	assert_non_null(loc);
	fn(&sb, loc, tm);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/* 2024-03-28 09:05 in New York, built without tzdata. */
static void known_tm(struct tm *tm)
{
	tz_localtime(tz_utc(), T_KNOWN - 4 * 3600, tm);
	tm->tm_gmtoff = -4 * 3600;
}

static void test_long_dates(void **state)
{
	struct tm tm;

	known_tm(&tm);
	check_fmt(timefmt_long_date, "en-US", &tm, "Thursday, March 28, 2024");
	check_fmt(timefmt_long_date, "en-GB", &tm, "Thursday 28 March 2024");
	check_fmt(timefmt_long_date, "fr", &tm, "jeudi 28 mars 2024");
	check_fmt(timefmt_long_date, "de", &tm, "Donnerstag, 28. März 2024");
	check_fmt(timefmt_long_date, "es", &tm, "jueves, 28 de marzo de 2024");
	check_fmt(timefmt_long_date, "it", &tm, "giovedì 28 marzo 2024");
	check_fmt(timefmt_long_date, "pt", &tm, "quinta-feira, 28 de março de 2024");
	check_fmt(timefmt_long_date, "pt-BR", &tm, "quinta-feira, 28 de março de 2024");
	check_fmt(timefmt_long_date, "nl", &tm, "donderdag 28 maart 2024");
}

static void test_date_times(void **state)
{
	struct tm tm;

	known_tm(&tm);
	check_fmt(timefmt_date_time, "en-US", &tm, "March 28, 2024 at 9:05 AM");
	check_fmt(timefmt_date_time, "en-GB", &tm, "28 March 2024 at 09:05");
	check_fmt(timefmt_date_time, "fr", &tm, "28 mars 2024 à 09:05");
	check_fmt(timefmt_date_time, "de", &tm, "28. März 2024 um 09:05");
	check_fmt(timefmt_date_time, "es", &tm, "28 de marzo de 2024, 9:05");
	check_fmt(timefmt_date_time, "it", &tm, "28 marzo 2024 alle 09:05");
	check_fmt(timefmt_date_time, "pt", &tm, "28 de março de 2024 às 09:05");
	check_fmt(timefmt_date_time, "nl", &tm, "28 maart 2024 om 09:05");
	/* Midnight and noon on a 12-hour clock. */
	tm.tm_hour = 0;
	check_fmt(timefmt_date_time, "en-US", &tm, "March 28, 2024 at 12:05 AM");
	tm.tm_hour = 12;
	check_fmt(timefmt_date_time, "en-US", &tm, "March 28, 2024 at 12:05 PM");
	tm.tm_hour = 23;
	check_fmt(timefmt_date_time, "en-US", &tm, "March 28, 2024 at 11:05 PM");
	check_fmt(timefmt_date_time, "es", &tm, "28 de marzo de 2024, 23:05");
}

static void test_short_dates(void **state)
{
	struct tm tm;

	known_tm(&tm);
	check_fmt(timefmt_short_date, "en-US", &tm, "Mar 28, 2024");
	check_fmt(timefmt_short_date, "en-GB", &tm, "28 Mar 2024");
	check_fmt(timefmt_short_date, "fr", &tm, "28 mars 2024");
	check_fmt(timefmt_short_date, "de", &tm, "28.03.2024");
	check_fmt(timefmt_short_date, "es", &tm, "28 mar 2024");
	check_fmt(timefmt_short_date, "it", &tm, "28 mar 2024");
	check_fmt(timefmt_short_date, "pt", &tm, "28/03/2024");
	check_fmt(timefmt_short_date, "nl", &tm, "28 mrt 2024");
}

/* The 1st of the month, and names with accents. */
static void test_first_of_month(void **state)
{
	struct tm tm;

	/* Sunday 2024-12-01 12:00 UTC */
	tz_localtime(tz_utc(), 1733054400, &tm);
	check_fmt(timefmt_long_date, "fr", &tm, "dimanche 1er décembre 2024");
	check_fmt(timefmt_date_time, "fr", &tm, "1er décembre 2024 à 12:00");
	check_fmt(timefmt_short_date, "fr", &tm, "1er déc. 2024");
	check_fmt(timefmt_long_date, "pt-BR", &tm, "domingo, 1º de dezembro de 2024");
	check_fmt(timefmt_long_date, "pt", &tm, "domingo, 1 de dezembro de 2024");
	check_fmt(timefmt_long_date, "en-US", &tm, "Sunday, December 1, 2024");
	check_fmt(timefmt_long_date, "de", &tm, "Sonntag, 1. Dezember 2024");
	check_fmt(timefmt_short_date, "de", &tm, "01.12.2024");
	check_fmt(timefmt_long_date, "it", &tm, "domenica 1 dicembre 2024");
	check_fmt(timefmt_long_date, "es", &tm, "domingo, 1 de diciembre de 2024");
	/* Wednesday 2024-02-14 */
	tz_localtime(tz_utc(), 1707912000, &tm);
	check_fmt(timefmt_long_date, "es", &tm, "miércoles, 14 de febrero de 2024");
	check_fmt(timefmt_long_date, "fr", &tm, "mercredi 14 février 2024");
	check_fmt(timefmt_long_date, "it", &tm, "mercoledì 14 febbraio 2024");
	check_fmt(timefmt_long_date, "nl", &tm, "woensdag 14 februari 2024");
	/* Out-of-range struct tm fields are not read out of bounds. */
	tm.tm_mon = 12;
	tm.tm_wday = -1;
	check_fmt(timefmt_long_date, "en-US", &tm, "?, ? 14, 2024");
}

static void test_rfc3339(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct tm tm;

	known_tm(&tm);
	timefmt_rfc3339(&sb, &tm);
	assert_string_equal(sb.buf, "2024-03-28T09:05:00-04:00");
	strbuf_reset(&sb);
	tz_localtime(tz_utc(), T_KNOWN, &tm);
	timefmt_rfc3339(&sb, &tm);
	assert_string_equal(sb.buf, "2024-03-28T13:05:00Z");
	strbuf_reset(&sb);
	tz_localtime(tz_utc(), T_KNOWN + 19800, &tm);
	tm.tm_gmtoff = 19800;
	timefmt_rfc3339(&sb, &tm);
	assert_string_equal(sb.buf, "2024-03-28T18:35:00+05:30");
	strbuf_reset(&sb);
	/* Years outside 0000-9999 take ISO 8601's expanded form. */
	tz_localtime(tz_utc(), INT64_C(-62198755200), &tm);
	timefmt_rfc3339(&sb, &tm);
	assert_string_equal(sb.buf, "-0001-01-01T00:00:00Z");
	strbuf_release(&sb);
}

static void test_http_date(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	timefmt_http(&sb, T_KNOWN);
	assert_string_equal(sb.buf, "Thu, 28 Mar 2024 13:05:00 GMT");
	strbuf_reset(&sb);
	timefmt_http(&sb, 0);
	assert_string_equal(sb.buf, "Thu, 01 Jan 1970 00:00:00 GMT");
	strbuf_reset(&sb);
	timefmt_http(&sb, 1733054400);
	assert_string_equal(sb.buf, "Sun, 01 Dec 2024 12:00:00 GMT");
	strbuf_reset(&sb);
	timefmt_http(&sb, INT64_MAX);
	assert_string_equal(sb.buf, "Fri, 31 Dec 9999 23:59:59 GMT");
	strbuf_reset(&sb);
	timefmt_http(&sb, INT64_MIN);
	assert_string_equal(sb.buf, "Sat, 01 Jan 0000 00:00:00 GMT");
	strbuf_release(&sb);
}

static void test_day_number(void **state)
{
	const struct tz *utc = tz_utc();
	struct tz *ny, *kol;

	assert_int_equal(timefmt_day_number(utc, 0), 0);
	assert_int_equal(timefmt_day_number(utc, 86399), 0);
	assert_int_equal(timefmt_day_number(utc, 86400), 1);
	assert_int_equal(timefmt_day_number(utc, -1), -1);
	assert_int_equal(timefmt_day_number(utc, -86400), -1);
	assert_int_equal(timefmt_day_number(utc, -86401), -2);
	assert_int_equal(timefmt_day_number(utc, T_KNOWN), 19810);

	need_sys_zones();
	/* New York's 2024-03-28 runs from 04:00Z to 04:00Z the next day. */
	ny = load("America/New_York");
	assert_int_equal(timefmt_day_number(ny, 1711598399), 19809);
	assert_int_equal(timefmt_day_number(ny, 1711598400), 19810);
	assert_int_equal(timefmt_day_number(ny, 1711684799), 19810);
	assert_int_equal(timefmt_day_number(ny, 1711684800), 19811);
	/* Before 1970 in New York: 1969-12-31 19:00 EST is day -1. */
	assert_int_equal(timefmt_day_number(ny, 0), -1);
	assert_int_equal(timefmt_day_number(ny, 18000), 0);
	tz_free(ny);
	/* Kolkata's midnight is 18:30Z. */
	kol = load("Asia/Kolkata");
	assert_int_equal(timefmt_day_number(kol, 1711650599), 19810);
	assert_int_equal(timefmt_day_number(kol, 1711650600), 19811);
	tz_free(kol);
}

static int group_setup(void **state)
{
	const char *dir = getenv("TZDIR");

	snprintf(sys_dir, sizeof(sys_dir), "%s", dir && *dir ? dir : "/usr/share/zoneinfo");
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/dateline-tz-XXXXXX");
	return mkdtemp(tmp_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	rmdir(tmp_dir);
	log_set_file(NULL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_unknown_and_odd_files),
		cmocka_unit_test(test_leap_second_zones_refused),
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_calendar_edges),
		cmocka_unit_test(test_new_york_2024),
		cmocka_unit_test(test_europe),
		cmocka_unit_test(test_asia_fractional),
		cmocka_unit_test(test_australia),
		cmocka_unit_test(test_unusual_rules),
		cmocka_unit_test(test_far_future_and_past),
		cmocka_unit_test(test_footer_rules),
		cmocka_unit_test(test_bad_footers),
		cmocka_unit_test(test_footer_matches_table),
		cmocka_unit_test(test_slim_file),
		cmocka_unit_test(test_footer_disagrees_with_table),
		cmocka_unit_test(test_version1_file),
		cmocka_unit_test(test_empty_footer),
		cmocka_unit_test(test_early_standard_type),
		cmocka_unit_test(test_bad_contents),
		cmocka_unit_test(test_bad_structure),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_bad_files_on_disk),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_mktime_rules),
		cmocka_unit_test(test_mktime_round_trip),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_locale_find),
		cmocka_unit_test(test_long_dates),
		cmocka_unit_test(test_date_times),
		cmocka_unit_test(test_short_dates),
		cmocka_unit_test(test_first_of_month),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_day_number),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
