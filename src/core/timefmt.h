/*
 * timefmt.h - dates for people and machines.
 *
 * People: the date bar and article times in the site's locale, e.g.
 * "Thursday, March 28, 2024" (en-US), "Thursday 28 March 2024" (en-GB),
 * "jeudi 28 mars 2024" (fr). Machines: RFC 3339 for <time datetime>, RFC
 * 1123 for HTTP headers.
 */
#ifndef DL_CORE_TIMEFMT_H
#define DL_CORE_TIMEFMT_H

#include "core/compat.h"
#include "core/strbuf.h"
#include "core/tz.h"

struct locale_names;

/*
 * Look up a locale by tag ("en-US", "en_GB", "fr", "de-DE"...): an exact
 * match, else its language, else NULL. Case does not matter, '_' may stand
 * for '-', and a POSIX suffix (".UTF-8", "@euro") is ignored. Supported:
 * en-US, en-GB (also for en-AU, en-IE, en-NZ, en-ZA), fr-FR, de-DE, es-ES,
 * it-IT, pt-PT, pt-BR, nl-NL; a bare or other-region language ("fr",
 * "fr-CA") gets the first of these for it. The result is static.
 */
const struct locale_names *locale_find(const char *tag);
/* The default locale (en-US). */
const struct locale_names *locale_default(void);
/* The canonical tag of a locale ("en-US"). */
const char *locale_tag(const struct locale_names *loc);

/*
 * The three below append UTF-8 plain text (escape it for HTML) for the
 * fields of `tm`, usually from tz_localtime(). Where the language does,
 * the 1st of a month is an ordinal: "1er mars" (fr), "1º de março"
 * (pt-BR); German writes "1. März"; the others use the plain number.
 * Out-of-range weekday or month fields print as "?".
 *
 * Long date with weekday: "Thursday, March 28, 2024".
 */
void timefmt_long_date(struct strbuf *sb, const struct locale_names *loc, const struct tm *tm);
/* Date and time without weekday: "March 28, 2024 at 9:05 AM" / "28 mars 2024 à 09:05". */
void timefmt_date_time(struct strbuf *sb, const struct locale_names *loc, const struct tm *tm);
/* Short date: "Mar 28, 2024" / "28 mars 2024". */
void timefmt_short_date(struct strbuf *sb, const struct locale_names *loc, const struct tm *tm);

/*
 * RFC 3339 with the tm's offset: "2024-03-28T09:05:00-04:00" ("Z" for a
 * zero offset). An offset with seconds (local mean time before ~1900)
 * cannot be written, so such a time is given in UTC instead. Years outside
 * 0000-9999 use ISO 8601's expanded form ("+10000-01-01...").
 */
void timefmt_rfc3339(struct strbuf *sb, const struct tm *tm);
/*
 * RFC 1123 in GMT for HTTP: "Thu, 28 Mar 2024 13:05:00 GMT", always in
 * English; t is clamped to years 0000-9999.
 */
void timefmt_http(struct strbuf *sb, int64_t t);
/*
 * The day number (days since 1970-01-01) of the local date of instant t in
 * zone tz; 1969-12-31 is -1.
 */
int64_t timefmt_day_number(const struct tz *tz, int64_t t);

#endif
