/*
 * wxr.h - a streaming reader of WordPress eXtended RSS (WXR 1.0-1.2) exports.
 *
 * The reader walks the file once with libxml2's xmlTextReader, so memory
 * stays flat whatever the file size: one record (an author, a term or an
 * item) is held at a time and handed to a callback, then its buffers are
 * reused. Elements are recognised by namespace URI, never by prefix: any
 * http(s)://wordpress.org/export/X.Y/ namespace is WordPress's, and an
 * element whose prefix is bound elsewhere is ignored.
 *
 * Errors name the line: the file is not well-formed XML, is not an RSS
 * <channel>, has no valid <wp:wxr_version>, an item has no <title>, a date
 * that cannot be read, or a field past the size ceiling.
 */
#ifndef DL_IMPORT_WXR_H
#define DL_IMPORT_WXR_H

#include "core/compat.h"
#include "core/strbuf.h"

/* The largest single field (a post's content) the reader accepts. */
#define WXR_FIELD_MAX (32u * 1024 * 1024)

/* Scalar fields of a record, by WordPress's element names. */
enum wxr_field {
	/* item (RSS, dc:, content:, excerpt:, wp:) */
	WXR_TITLE, WXR_LINK, WXR_PUBDATE, WXR_CREATOR, WXR_GUID, WXR_CONTENT, WXR_EXCERPT,
	WXR_POST_ID, WXR_POST_DATE, WXR_POST_DATE_GMT, WXR_POST_MODIFIED_GMT, WXR_POST_NAME,
	WXR_STATUS, WXR_POST_PARENT, WXR_MENU_ORDER, WXR_POST_TYPE, WXR_POST_PASSWORD,
	WXR_IS_STICKY, WXR_ATTACHMENT_URL,
	/* wp:author */
	WXR_AUTHOR_LOGIN, WXR_AUTHOR_EMAIL, WXR_AUTHOR_DISPLAY_NAME, WXR_AUTHOR_FIRST_NAME,
	WXR_AUTHOR_LAST_NAME, WXR_AUTHOR_DESCRIPTION,
	/* wp:category, wp:tag, wp:term */
	WXR_TERM_ID, WXR_CATEGORY_NICENAME, WXR_CATEGORY_PARENT, WXR_CAT_NAME,
	WXR_CATEGORY_DESCRIPTION, WXR_TAG_SLUG, WXR_TAG_NAME, WXR_TAG_DESCRIPTION,
	WXR_TERM_TAXONOMY, WXR_TERM_SLUG, WXR_TERM_PARENT, WXR_TERM_NAME, WXR_TERM_DESCRIPTION,
	WXR_NFIELDS
};

enum wxr_kind { WXR_AUTHOR, WXR_CATEGORY, WXR_TAG, WXR_TERM, WXR_ITEM };

/* An item's <category domain=… nicename=…>name</category>. */
struct wxr_term_ref {
	struct strbuf domain, nicename, name;
};

struct wxr_meta {
	struct strbuf key, value;
};

/* One record; the buffers belong to the reader and are reused. */
struct wxr_record {
	enum wxr_kind kind;
	int line;                        /* where its element starts */
	struct strbuf f[WXR_NFIELDS];
	bool present[WXR_NFIELDS];       /* the element was there (even if empty) */
	struct wxr_term_ref *terms;      /* items: categories, tags, other terms */
	size_t nterms, terms_alloc;
	struct wxr_meta *meta;           /* items: wp:postmeta */
	size_t nmeta, meta_alloc;
	size_t ncomments;                /* items: wp:comment elements (not imported) */
};

/* The value of postmeta `key` in an item, or NULL. */
const struct strbuf *wxr_meta_get(const struct wxr_record *r, const char *key);

struct wxr_channel {
	struct strbuf version, base_site_url, base_blog_url, title;
};

struct wxr_reader_cb {
	/* Called for each record in file order; a non-zero return stops the
	 * read and is returned (the callback reports its own error). */
	int (*record)(void *ctx, const struct wxr_record *r, const struct wxr_channel *ch);
	/* Progress: bytes of the file consumed so far (may be NULL). */
	void (*progress)(void *ctx, uint64_t consumed);
	void *ctx;
};

/*
 * Read WXR file `path`, calling cb for every record. On a problem with the
 * file, appends "LINE: message" to `err` and returns DL_INVALID (DL_ERR when
 * the file cannot be opened). The channel's fields are filled as found.
 */
int wxr_read(const char *path, const struct wxr_reader_cb *cb, struct wxr_channel *ch,
	     struct strbuf *err);

void wxr_channel_release(struct wxr_channel *ch);

#endif
