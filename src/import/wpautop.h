/*
 * wpautop.h - WordPress post content to HTML, before the sanitiser.
 *
 * Classic-editor content is text with blank lines for paragraphs and
 * shortcodes; WordPress turns it into HTML when it displays a post
 * (the_content: wpautop, then shortcodes, in that order). Block-editor content is already
 * HTML between <!-- wp:... --> comments and gets no paragraph rules. The
 * output still goes through html_sanitize() like every body.
 */
#ifndef DL_IMPORT_WPAUTOP_H
#define DL_IMPORT_WPAUTOP_H

#include "core/compat.h"
#include "core/strbuf.h"

/*
 * Append WordPress's wpautop($text, true) to `out`: double line breaks make
 * paragraphs, single ones <br />, with no <p> around block elements and
 * <pre> left alone. A port of the rules in wp-includes/formatting.php.
 */
void wp_autop(const char *text, size_t len, struct strbuf *out);

/* Where [gallery ids=…] images point until the importer knows the files:
 * WP_ATTACHMENT_PATH "<attachment post id>/". */
#define WP_ATTACHMENT_PATH "/wp-attachment/"

/*
 * Append `text` with the common shortcodes converted: [caption] becomes a
 * <figure> with a <figcaption>, [embed]URL[/embed] a link, [gallery ids=…]
 * a <figure> of images at WP_ATTACHMENT_PATH; a [gallery] without ids (the
 * post's own attachments) is dropped and counted in *galleries when not
 * NULL. Other shortcodes stay as text, as WordPress shows them when their
 * plugin is gone.
 */
void wp_shortcodes(const char *text, size_t len, struct strbuf *out, size_t *galleries);

/* True when `text` holds block-editor markup (a <!-- wp: comment). */
bool wp_has_blocks(const char *text, size_t len);

/* Content as WordPress would display it: blocks as they are, classic
 * content through the shortcodes and wp_autop(). */
void wp_content_html(const char *text, size_t len, struct strbuf *out, size_t *galleries);

#endif
