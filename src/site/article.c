/*
 * article.c - the article page, in the order of DESIGN.md section 1: date
 * bar, breadcrumbs, headline, dek, byline, times, featured image, ad, body
 * (with an ad after paragraph N), ad, Latest, Must Read, ad, Related News.
 */
#include "core/compat.h"
#include "core/err.h"
#include "core/timefmt.h"
#include "render/html.h"
#include "render/jsonld.h"
#include "store/editorial.h"
#include "site/internal.h"

/* An update within this long of publication is not worth announcing. */
#define UPDATE_GRACE_SECONDS 300

static const char story_not_found[] =
	"We could not find that story. It may have moved or been taken down.";

static void set_breadcrumbs(struct page *p, const struct store_article *art)
{
	struct view *list = view_set_list(p->root, "breadcrumbs");
	struct view *home = view_obj(p->a), *cat = view_obj(p->a), *self = view_obj(p->a);

	view_set_cstr(home, "name", "Home");
	view_set_cstr(home, "url", "/");
	view_set_str(cat, "name", art->category.name.p, art->category.name.len);
	view_set_cstr(cat, "url", url_category(p->a, art->category.slug));
	view_set_str(self, "name", art->title.p, art->title.len);
	view_set_bool(self, "current", true);
	view_push(list, home);
	view_push(list, cat);
	view_push(list, self);
}

/* The body, split after paragraph N for the in-story ad when it is long enough. */
static void set_body(struct page *p, struct view *v, const struct store_article *art)
{
	int64_t after = p->snap->settings.inline_ad_after;
	size_t split = after > 0 ? html_paragraph_end(art->body_html.p, art->body_html.len,
						      (int)after) : 0;
	struct view *ad = NULL;

	size_t end = art->body_html.len;

	while (end > split && (art->body_html.p[end - 1] == '\n' || art->body_html.p[end - 1] == ' '))
		end--;
	/* No in-story ad in a story that ends right after it. */
	if (split && split < end)
		ad = view_ad(p, "article-inline");
	if (!ad) {
		view_set_str(v, "body", art->body_html.p, art->body_html.len);
		return;
	}
	view_set_str(v, "body", art->body_html.p, split);
	view_set_str(v, "body_rest", art->body_html.p + split, art->body_html.len - split);
	view_set(p->root, "ad_inline", ad);
}

static struct view *article_view(struct page *p, const struct store_article *art)
{
	struct view *v = view_teaser(p, art), *tags = view_set_list(v, "tags");
	struct view *author = view_get(v, "author", 6);

	view_set_str(author, "bio", art->author.bio.p, art->author.bio.len);
	if (art->updated_at > art->published_at + UPDATE_GRACE_SECONDS) {
		view_set_bool(v, "updated", true);
		view_set_time(p, v, "updated", art->updated_at);
	}
	view_set_bool(v, "has_tags", art->ntags > 0);
	for (size_t i = 0; i < art->ntags; i++) {
		struct view *t = view_obj(p->a);
		view_set_str(t, "name", art->tags[i].name.p, art->tags[i].name.len);
		view_set_cstr(t, "url", url_tag(p->a, art->tags[i].slug));
		view_push(tags, t);
	}
	if (art->note.len) {
		/* A correction says so; anything else is an update. */
		bool correction = slice_starts_with(art->note, "Correction") ||
				  slice_starts_with(art->note, "correction");
		view_set_str(v, "note", art->note.p, art->note.len);
		view_set_cstr(v, "note_label", correction ? "Correction" : "Update");
		view_set_time(p, v, "note", art->note_at ? art->note_at : art->updated_at);
	}
	set_body(p, v, art);
	return v;
}

/*
 * A slug that is not (or no longer) a published article's: if an article
 * used to have it, 301 to where it lives now. Returns true when it answered.
 */
static bool old_slug(struct page *p, struct slice slug)
{
	struct slice cat, now;
	int64_t id;
	struct strbuf sb = STRBUF_INIT;

	if (store_slug_redirect(p->db, slug, &id) ||
	    store_article_address(p->db, p->a, id, &cat, &now))
		return false;
	strbuf_addch(&sb, '/');
	strbuf_add_urlencoded(&sb, cat.p, cat.len);
	strbuf_addch(&sb, '/');
	strbuf_add_urlencoded(&sb, now.p, now.len);
	strbuf_addch(&sb, '/');
	http_redirect(p->req, 301, arena_strndup(p->a, sb.buf, sb.len));
	strbuf_release(&sb);
	return true;
}

/* Search engines' view: times, section, share image and structured data. */
static void article_meta(struct page *p, struct view *page, const struct store_article *art)
{
	struct jsonld_article ld = { 0 };
	struct strbuf sb = STRBUF_INIT;
	int64_t modified = art->updated_at > art->published_at ? art->updated_at : art->published_at;
	struct tm tm;

	p->canonical = url_article(p->a, art);
	p->og_type = "article";
	if (art->image.id)
		p->og_image = url_media(p->a, art->image.id, art->image.filename);
	tz_localtime(tz_utc(), art->published_at, &tm);
	timefmt_rfc3339(&sb, &tm);
	view_set_str(page, "published_iso", sb.buf, sb.len);
	strbuf_reset(&sb);
	tz_localtime(tz_utc(), modified, &tm);
	timefmt_rfc3339(&sb, &tm);
	view_set_str(page, "modified_iso", sb.buf, sb.len);
	view_set_str(page, "section", art->category.name.p, art->category.name.len);

	ld.url = page_absolute(p, p->canonical);
	ld.headline = art->title;
	ld.description = art->dek.len ? art->dek : art->excerpt;
	if (p->og_image)
		ld.image_url = page_absolute(p, p->og_image);
	ld.section = art->category.name;
	ld.published = art->published_at;
	ld.modified = modified;
	ld.author_name = art->author.name;
	ld.author_url = page_absolute(p, url_author(p->a, art->author.slug));
	ld.publisher_name = slice_cstr(p->snap->settings.title);
	ld.publisher_url = page_absolute(p, "/");
	ld.logo_url = page_absolute(p, "/static/logo.png");
	ld.crumb_names[0] = SLICE_LIT("Home");
	ld.crumb_urls[0] = ld.publisher_url;
	ld.crumb_names[1] = art->category.name;
	ld.crumb_urls[1] = page_absolute(p, url_category(p->a, art->category.slug));
	ld.crumb_names[2] = art->title;
	ld.ncrumbs = 3;
	strbuf_reset(&sb);
	jsonld_article(&sb, &ld);
	view_set_str(page, "jsonld", sb.buf, sb.len);
	strbuf_release(&sb);
}

static void surrogate_keys(struct page *p, const struct store_article *art)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "article-%" PRId64 " category-%" PRId64 " author-%" PRId64,
		    art->id, art->category.id, art->author.id);
	for (size_t i = 0; i < art->ntags; i++)
		strbuf_addf(&sb, " tag-%" PRId64, art->tags[i].id);
	http_set_header(p->req, "Surrogate-Key", sb.buf);
	strbuf_release(&sb);
}

void page_article(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	const struct site_settings *st = &p->snap->settings;
	struct store_article art;
	struct store_list related;
	struct view *page, *ad;
	int rc;

	if (!page_check_query(p, page_no_params))
		return;
	rc = store_article_by_slug(p->db, p->a, p->match.params[1], &art);
	if (rc == DL_NOTFOUND && old_slug(p, p->match.params[1]))
		return;
	if (page_failed(p, rc, story_not_found))
		return;
	if (!slice_eq(art.category.slug, p->match.params[0])) {
		/* Moved to another section: one canonical URL per story. */
		http_redirect(req, 301, url_article(p->a, &art));
		return;
	}
	rc = store_related(p->db, p->a, art.id, st->related_count, &related);
	if (page_failed(p, rc, story_not_found))
		return;
	p->category_id = art.category.id;
	page = view_set_obj(p->root, "page");
	/* The editor's SEO title and description win in <title> and the meta tags. */
	if (art.seo_title.len)
		view_set_str(page, "title", art.seo_title.p, art.seo_title.len);
	else
		view_set_str(page, "title", art.title.p, art.title.len);
	if (art.seo_description.len)
		view_set_str(page, "description", art.seo_description.p, art.seo_description.len);
	else
		view_set_str(page, "description", art.dek.len ? art.dek.p : art.excerpt.p,
			     art.dek.len ? art.dek.len : art.excerpt.len);
	view_set_bool(p->root, "is_article", true);
	article_meta(p, page, &art);
	set_breadcrumbs(p, &art);
	if ((ad = view_ad(p, "article-top")))
		view_set(p->root, "ad_top", ad);
	view_set(p->root, "article", article_view(p, &art));
	if ((ad = view_ad(p, "article-bottom")))
		view_set(p->root, "ad_bottom", ad);
	view_set(p->root, "latest", view_teasers(p, &p->snap->latest, art.id, st->latest_count));
	view_set(p->root, "must_read", view_teasers(p, &p->snap->must_read, art.id,
						    st->must_read_count));
	if ((ad = view_ad(p, "sidebar")))
		view_set(p->root, "ad_sidebar", ad);
	view_set(p->root, "related", view_teasers(p, &related, art.id, st->related_count));
	surrogate_keys(p, &art);
	page_count_view(p, art.id);
	page_render(p, "article", 200);
}

static bool all_digits(struct slice s, size_t len)
{
	if (s.len != len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/* WordPress's /YYYY/MM/DD/slug/ permalinks: one 301 to the canonical URL. */
void page_dated_article(struct http_request *req, void *ctx)
{
	struct page *p = ctx;
	struct store_article art;
	int rc;

	if (!all_digits(p->match.params[0], 4) || !all_digits(p->match.params[1], 2) ||
	    !all_digits(p->match.params[2], 2)) {
		page_error(p, 404, "We could not find that page. It may have moved or been taken down.");
		return;
	}
	rc = store_article_by_slug(p->db, p->a, p->match.params[3], &art);
	if (rc == DL_NOTFOUND && old_slug(p, p->match.params[3]))
		return;
	if (page_failed(p, rc, story_not_found))
		return;
	http_redirect(req, 301, url_article(p->a, &art));
}
