#include "core/compat.h"
#include <libstemmer.h>
#include "core/alloc.h"
#include "core/utf8.h"
#include "core/text.h"

struct text_analyzer {
	struct sb_stemmer *stemmer;
};

/* English stop words: the most frequent function words, which carry no
 * topic and would dominate both search and similarity. Sorted for bsearch. */
static const char *const stopwords[] = {
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an",
	"and", "any", "are", "as", "at", "be", "because", "been", "before", "being",
	"below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
	"doing", "down", "during", "each", "few", "for", "from", "further", "had", "has",
	"have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
	"how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more",
	"most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
	"only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "said",
	"same", "says", "she", "should", "so", "some", "such", "than", "that", "the",
	"their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
	"those", "through", "to", "too", "under", "until", "up", "us", "very", "was", "we",
	"were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
	"with", "would", "you", "your", "yours", "yourself", "yourselves",
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool text_is_stopword(const char *word, size_t len)
{
	char buf[16];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, word, len);
	buf[len] = '\0';
	return bsearch(buf, stopwords, ARRAY_SIZE(stopwords), sizeof(stopwords[0]), cmp_word) != NULL;
}

struct text_analyzer *text_analyzer_new(const char *language)
{
	struct sb_stemmer *s = sb_stemmer_new(language, "UTF_8");
	struct text_analyzer *ta;

	if (!s)
		return NULL;
	ta = xcalloc(1, sizeof(*ta));
	ta->stemmer = s;
	return ta;
}

void text_analyzer_free(struct text_analyzer *ta)
{
	if (!ta)
		return;
	sb_stemmer_delete(ta->stemmer);
	free(ta);
}

/* Lower-case and fold a Latin-1/Latin Extended-A letter to ASCII where it
 * has an obvious base letter, so "café" and "cafe" index alike. Returns 0
 * for characters that are not word characters. */
static uint32_t fold(uint32_t c)
{
	static const char latin1[] =
		"aaaaaaaceeeeiiii"  /* U+00C0..U+00CF */
		"dnooooo\0ouuuuyts" /* U+00D0..U+00DF (x: multiplication sign) */
		"aaaaaaaceeeeiiii"  /* U+00E0..U+00EF */
		"dnooooo\0ouuuuyty";/* U+00F0..U+00FF (division sign) */
	static const char latin_ext_a[] =
		"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii"
		"iijjkkkllllllllllnnnnnnnnnoooooooorrrrrrsssssssstt"
		"ttttuuuuuuuuuuuuwwyyyzzzzzzs";

	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			return c + 32;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			return c;
		return 0;
	}
	if (c >= 0xC0 && c <= 0xFF)
		return (uint32_t)(unsigned char)latin1[c - 0xC0];
	if (c >= 0x100 && c <= 0x17F)
		return (uint32_t)(unsigned char)latin_ext_a[c - 0x100];
	if (c < 0xC0 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F))
		return 0;  /* punctuation, symbols, spaces */
	if (c >= 0x391 && c <= 0x3A9)
		return c + 32;  /* Greek capitals */
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;  /* Cyrillic capitals */
	return c;
}

static int emit(struct text_analyzer *ta, const char *word, size_t n, size_t start, size_t end,
		text_word_fn fn, void *ctx)
{
	const sb_symbol *stem;

	if (text_is_stopword(word, n))
		return 0;
	stem = sb_stemmer_stem(ta->stemmer, (const sb_symbol *)word, (int)n);
	if (!stem)
		return fn(ctx, word, n, start, end);
	return fn(ctx, (const char *)stem, (size_t)sb_stemmer_length(ta->stemmer), start, end);
}

int text_analyze(struct text_analyzer *ta, const char *p, size_t len, text_word_fn fn, void *ctx)
{
	char word[TEXT_MAX_WORD + 4];
	size_t wn = 0, start = 0, i = 0;
	bool skipping = false;
	int rc;

	while (i <= len) {
		uint32_t c = 0, f = 0;
		size_t n = 1;

		if (i < len) {
			n = utf8_decode(p + i, len - i, &c);
			if (!n) {
				n = 1;
				c = ' ';
			}
			f = fold(c);
			/* Apostrophes inside a word ("don't", "O’Brien") join it. */
			if (!f && (c == '\'' || c == 0x2019) && wn && i + n < len &&
			    fold((unsigned char)p[i + n]))
				f = '\'';
		}
		if (f) {
			if (!wn && !skipping)
				start = i;
			if (f == '\'') {
				/* drop the apostrophe: dont, obrien */
			} else if (!skipping && wn + 4 <= TEXT_MAX_WORD) {
				wn += utf8_encode(f, word + wn);
			} else {
				skipping = true;
			}
		} else if (wn || skipping) {
			if (!skipping) {
				word[wn] = '\0';
				rc = emit(ta, word, wn, start, i, fn, ctx);
				if (rc)
					return rc;
			}
			wn = 0;
			skipping = false;
		}
		i += n;
	}
	return 0;
}
