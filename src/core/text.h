/*
 * text.h - word analysis shared by the full-text index and Related News:
 * split UTF-8 text into words, lower-case and fold Latin diacritics, drop
 * stop words, stem with Snowball (libstemmer). The SQLite driver indexes
 * with exactly this, so what Related News computes matches what is indexed.
 */
#ifndef DL_CORE_TEXT_H
#define DL_CORE_TEXT_H

#include "core/compat.h"

/* Longest word indexed, in bytes; longer ones are skipped. */
#define TEXT_MAX_WORD 64

struct text_analyzer;

/* A new analyzer for a Snowball language ("english"); NULL if unknown.
 * One analyzer must be used by one thread at a time. */
struct text_analyzer *text_analyzer_new(const char *language);
void text_analyzer_free(struct text_analyzer *ta);

/*
 * Called for each indexed word: its stem (lower-case, NUL-terminated, valid
 * until the callback returns) and the word's byte range [start, end) in the
 * input. A non-zero return stops the walk and is returned by text_analyze().
 */
typedef int (*text_word_fn)(void *ctx, const char *stem, size_t stem_len,
			    size_t start, size_t end);

/* Walk the words of `p` (invalid UTF-8 bytes count as separators). */
int text_analyze(struct text_analyzer *ta, const char *p, size_t len, text_word_fn fn, void *ctx);

/* True if the lower-cased word is a stop word. */
bool text_is_stopword(const char *word, size_t len);

#endif
