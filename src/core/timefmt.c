/*
 * timefmt.c - locale tables and date patterns.
 *
 * Each locale is a set of names and three patterns in a small strftime-like
 * language of our own, so that no process-wide setlocale() is involved:
 *   %A %a  weekday, full / abbreviated     %B %b  month, full / abbreviated
 *   %e     day of month, "1er" style for the 1st where the locale has one
 *   %d %m  two-digit day / month           %Y     year
 *   %H     two-digit 24-hour hour          %k     24-hour hour, no padding
 *   %I     12-hour hour, no padding        %p     AM / PM
 *   %M     two-digit minute                %%     a percent sign
 * Ordinals for the 1st: French newspapers write "1er mars" (so we do);
 * Brazilian Portuguese writes "1º de março"; English, German ("1. März"),
 * Spanish, Italian, European Portuguese and Dutch use the plain number.
 */
#include "core/compat.h"
#include "core/timefmt.h"

struct locale_names {
	const char *tag;
	const char *const *days;
	const char *const *days_abbr;
	const char *const *months;
	const char *const *months_abbr;
	const char *first;	/* how the 1st of a month is written, or NULL */
	const char *long_date;
	const char *date_time;
	const char *short_date;
};

static const char *const en_days[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
};
static const char *const en_days_abbr[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const en_months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const en_months_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static const char *const fr_days[7] = {
	"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"
};
static const char *const fr_days_abbr[7] = {
	"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."
};
static const char *const fr_months[12] = {
	"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"
};
static const char *const fr_months_abbr[12] = {
	"janv.", "févr.", "mars", "avr.", "mai", "juin",
	"juil.", "août", "sept.", "oct.", "nov.", "déc."
};

static const char *const de_days[7] = {
	"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"
};
static const char *const de_days_abbr[7] = {
	"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."
};
static const char *const de_months[12] = {
	"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
	"August", "September", "Oktober", "November", "Dezember"
};
static const char *const de_months_abbr[12] = {
	"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni",
	"Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."
};

static const char *const es_days[7] = {
	"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"
};
static const char *const es_days_abbr[7] = {
	"dom", "lun", "mar", "mié", "jue", "vie", "sáb"
};
static const char *const es_months[12] = {
	"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	"agosto", "septiembre", "octubre", "noviembre", "diciembre"
};
static const char *const es_months_abbr[12] = {
	"ene", "feb", "mar", "abr", "may", "jun",
	"jul", "ago", "sept", "oct", "nov", "dic"
};

static const char *const it_days[7] = {
	"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"
};
static const char *const it_days_abbr[7] = {
	"dom", "lun", "mar", "mer", "gio", "ven", "sab"
};
static const char *const it_months[12] = {
	"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
	"agosto", "settembre", "ottobre", "novembre", "dicembre"
};
static const char *const it_months_abbr[12] = {
	"gen", "feb", "mar", "apr", "mag", "giu",
	"lug", "ago", "set", "ott", "nov", "dic"
};

static const char *const pt_days[7] = {
	"domingo", "segunda-feira", "terça-feira", "quarta-feira",
	"quinta-feira", "sexta-feira", "sábado"
};
static const char *const pt_days_abbr[7] = {
	"dom.", "seg.", "ter.", "qua.", "qui.", "sex.", "sáb."
};
static const char *const pt_months[12] = {
	"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
	"agosto", "setembro", "outubro", "novembro", "dezembro"
};
static const char *const pt_months_abbr[12] = {
	"jan.", "fev.", "mar.", "abr.", "mai.", "jun.",
	"jul.", "ago.", "set.", "out.", "nov.", "dez."
};

static const char *const nl_days[7] = {
	"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"
};
static const char *const nl_days_abbr[7] = {
	"zo", "ma", "di", "wo", "do", "vr", "za"
};
static const char *const nl_months[12] = {
	"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"
};
static const char *const nl_months_abbr[12] = {
	"jan", "feb", "mrt", "apr", "mei", "jun",
	"jul", "aug", "sep", "okt", "nov", "dec"
};

#define NAMES(l) l##_days, l##_days_abbr, l##_months, l##_months_abbr

/* The first entry for each language is its fallback. */
static const struct locale_names locales[] = {
	{ "en-US", NAMES(en), NULL,
	  "%A, %B %e, %Y", "%B %e, %Y at %I:%M %p", "%b %e, %Y" },
	{ "en-GB", NAMES(en), NULL,
	  "%A %e %B %Y", "%e %B %Y at %H:%M", "%e %b %Y" },
	{ "fr-FR", NAMES(fr), "1er",
	  "%A %e %B %Y", "%e %B %Y à %H:%M", "%e %b %Y" },
	{ "de-DE", NAMES(de), NULL,
	  "%A, %e. %B %Y", "%e. %B %Y um %H:%M", "%d.%m.%Y" },
	{ "es-ES", NAMES(es), NULL,
	  "%A, %e de %B de %Y", "%e de %B de %Y, %k:%M", "%e %b %Y" },
	{ "it-IT", NAMES(it), NULL,
	  "%A %e %B %Y", "%e %B %Y alle %H:%M", "%e %b %Y" },
	{ "pt-PT", NAMES(pt), NULL,
	  "%A, %e de %B de %Y", "%e de %B de %Y às %H:%M", "%d/%m/%Y" },
	{ "pt-BR", NAMES(pt), "1º",
	  "%A, %e de %B de %Y", "%e de %B de %Y às %H:%M", "%d/%m/%Y" },
	{ "nl-NL", NAMES(nl), NULL,
	  "%A %e %B %Y", "%e %B %Y om %H:%M", "%e %b %Y" },
};

/* Regions that write dates the way another entry does. */
static const struct {
	const char *tag;
	const char *as;
} locale_aliases[] = {
	{ "en-AU", "en-GB" }, { "en-IE", "en-GB" }, { "en-NZ", "en-GB" },
	{ "en-ZA", "en-GB" },
};

#define LOCALE_TAG_MAX 32

/*
 * "en_US.UTF-8", "EN-us", "de_DE@euro" -> "en-US" ... in out; the language
 * is lower-cased and a two-letter region upper-cased. False if unusable.
 */
static bool normalize_tag(const char *tag, char *out, size_t *lang_len)
{
	size_t n = strcspn(tag, ".@"), i;

	if (!n || n >= LOCALE_TAG_MAX)
		return false;
	for (i = 0; i < n && tag[i] != '-' && tag[i] != '_'; i++) {
		char c = tag[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
		out[i] = (char)(c | 0x20);
	}
	*lang_len = i;
	for (; i < n; i++) {
		char c = tag[i] == '_' ? '-' : tag[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 0x20);
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return *lang_len > 0;
}

static const struct locale_names *locale_exact(const char *tag)
{
	for (size_t i = 0; i < ARRAY_SIZE(locales); i++)
		if (!strcmp(locales[i].tag, tag))
			return &locales[i];
	for (size_t i = 0; i < ARRAY_SIZE(locale_aliases); i++)
		if (!strcmp(locale_aliases[i].tag, tag))
			return locale_exact(locale_aliases[i].as);
	return NULL;
}

static const struct locale_names *locale_language(const char *lang, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(locales); i++)
		if (!strncmp(locales[i].tag, lang, len) && locales[i].tag[len] == '-')
			return &locales[i];
	return NULL;
}

const struct locale_names *locale_find(const char *tag)
{
	char norm[LOCALE_TAG_MAX];
	const struct locale_names *loc;
	size_t lang_len;

	if (!tag || !normalize_tag(tag, norm, &lang_len))
		return NULL;
	loc = locale_exact(norm);
	return loc ? loc : locale_language(norm, lang_len);
}

const struct locale_names *locale_default(void)
{
	return &locales[0];
}

const char *locale_tag(const struct locale_names *loc)
{
	return loc->tag;
}

/* names[i], or "?" for a struct tm field out of range. */
static const char *name_at(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "?";
}

static void add_2digits(struct strbuf *sb, int v)
{
	if (v >= 0 && v < 10)
		strbuf_addch(sb, '0');
	strbuf_addint(sb, v);
}

static void add_day(struct strbuf *sb, const struct locale_names *loc, int mday)
{
	if (mday == 1 && loc->first)
		strbuf_addstr(sb, loc->first);
	else
		strbuf_addint(sb, mday);
}

static void add_field(struct strbuf *sb, const struct locale_names *loc,
		      const struct tm *tm, char c)
{
	switch (c) {
	case 'A': strbuf_addstr(sb, name_at(loc->days, 7, tm->tm_wday)); break;
	case 'a': strbuf_addstr(sb, name_at(loc->days_abbr, 7, tm->tm_wday)); break;
	case 'B': strbuf_addstr(sb, name_at(loc->months, 12, tm->tm_mon)); break;
	case 'b': strbuf_addstr(sb, name_at(loc->months_abbr, 12, tm->tm_mon)); break;
	case 'e': add_day(sb, loc, tm->tm_mday); break;
	case 'd': add_2digits(sb, tm->tm_mday); break;
	case 'm': add_2digits(sb, tm->tm_mon + 1); break;
	case 'Y': strbuf_addint(sb, (int64_t)tm->tm_year + 1900); break;
	case 'H': add_2digits(sb, tm->tm_hour); break;
	case 'k': strbuf_addint(sb, tm->tm_hour); break;
	case 'I': strbuf_addint(sb, tm->tm_hour % 12 ? tm->tm_hour % 12 : 12); break;
	case 'p': strbuf_addstr(sb, tm->tm_hour < 12 ? "AM" : "PM"); break;
	case 'M': add_2digits(sb, tm->tm_min); break;
	default: strbuf_addch(sb, c); break;
	}
}

static void format_pattern(struct strbuf *sb, const struct locale_names *loc,
		   const struct tm *tm, const char *pat)
{
	for (const char *p = pat; *p; p++) {
		if (*p != '%' || !p[1])
			strbuf_addch(sb, *p);
		else
			add_field(sb, loc, tm, *++p);
	}
}

void timefmt_long_date(struct strbuf *sb, const struct locale_names *loc, const struct tm *tm)
{
	format_pattern(sb, loc, tm, loc->long_date);
}

void timefmt_date_time(struct strbuf *sb, const struct locale_names *loc, const struct tm *tm)
{
	format_pattern(sb, loc, tm, loc->date_time);
}

void timefmt_short_date(struct strbuf *sb, const struct locale_names *loc, const struct tm *tm)
{
	format_pattern(sb, loc, tm, loc->short_date);
}

/* Four digits, or ISO 8601's expanded form (+10000, -0044) outside 0-9999. */
static void add_iso_year(struct strbuf *sb, int64_t y)
{
	if (y >= 0 && y <= 9999) {
		strbuf_addf(sb, "%04d", (int)y);
		return;
	}
	/* |y| is at most INT_MAX + 1900: tm_year is an int. */
	strbuf_addch(sb, y < 0 ? '-' : '+');
	strbuf_addf(sb, "%04" PRId64, y < 0 ? -y : y);
}

/* RFC 3339 offsets have no seconds (LMT has): state such an instant in UTC. */
static void to_utc(const struct tm *tm, struct tm *utc)
{
	int64_t y = (int64_t)tm->tm_year + 1900;
	int64_t lt;

	if (y > INT_MAX)
		y = INT_MAX;
	lt = tz_mktime(tz_utc(), (int)y, tm->tm_mon + 1, tm->tm_mday,
		       tm->tm_hour, tm->tm_min, tm->tm_sec);
	tz_localtime(tz_utc(), lt - tm->tm_gmtoff, utc);
}

void timefmt_rfc3339(struct strbuf *sb, const struct tm *tm)
{
	struct tm utc;
	long off = tm->tm_gmtoff;

	if (off % 60) {
		to_utc(tm, &utc);
		tm = &utc;
		off = 0;
	}
	add_iso_year(sb, (int64_t)tm->tm_year + 1900);
	strbuf_addf(sb, "-%02d-%02dT%02d:%02d:%02d", tm->tm_mon + 1, tm->tm_mday,
		    tm->tm_hour, tm->tm_min, tm->tm_sec);
	if (!off) {
		strbuf_addch(sb, 'Z');
		return;
	}
	strbuf_addf(sb, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		    labs(off) / 3600, labs(off) / 60 % 60);
}

/* HTTP dates have four-digit years: clamp to 0000-01-01 .. 9999-12-31. */
#define HTTP_TIME_MIN INT64_C(-62167219200)
#define HTTP_TIME_MAX INT64_C(253402300799)

void timefmt_http(struct strbuf *sb, int64_t t)
{
	struct tm tm;

	t = t < HTTP_TIME_MIN ? HTTP_TIME_MIN : t > HTTP_TIME_MAX ? HTTP_TIME_MAX : t;
	tz_localtime(tz_utc(), t, &tm);
	strbuf_addf(sb, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		    en_days_abbr[tm.tm_wday], tm.tm_mday, en_months_abbr[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t timefmt_day_number(const struct tz *tz, int64_t t)
{
	int64_t lt, days;

	t = t < TZ_TIME_MIN ? TZ_TIME_MIN : t > TZ_TIME_MAX ? TZ_TIME_MAX : t;
	lt = t + tz_offset(tz, t, NULL);
	days = lt / 86400;
	return lt % 86400 < 0 ? days - 1 : days;
}
