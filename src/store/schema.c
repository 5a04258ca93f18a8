/*
 * schema.c - the store's numbered, forward-only migrations.
 *
 * Neutral DDL for both drivers: BIGSERIAL for generated keys, BIGINT for
 * integers and times (Unix seconds, UTC), TEXT, BLOB. Never edit a shipped
 * migration: add the next number (and its tables and columns to store/copy.c).
 */
#include "core/compat.h"
#include "store/store.h"

static const char MIGRATION_1[] =
	"CREATE TABLE settings ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"

	/* Bumped in the same transaction as every content write; caches compare it. */
	"CREATE TABLE counters ("
	"  name TEXT PRIMARY KEY,"
	"  value BIGINT NOT NULL);"
	"INSERT INTO counters (name, value) VALUES ('content', 1);"

	"CREATE TABLE users ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  bio TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL DEFAULT 'author'"
	"    CHECK (role IN ('admin', 'editor', 'author', 'contributor')),"
	"  password_hash TEXT,"
	"  created_at BIGINT NOT NULL);"

	"CREATE TABLE categories ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  parent_id BIGINT REFERENCES categories (id),"
	"  position BIGINT NOT NULL DEFAULT 0);"
	/* The default category: renameable, never missing (id 1 by construction). */
	"INSERT INTO categories (slug, name, description, position)"
	"  VALUES ('uncategorized', 'Uncategorized', '', 1000);"

	"CREATE TABLE tags ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL);"

	"CREATE TABLE media ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  filename TEXT NOT NULL,"
	"  mime TEXT NOT NULL,"
	"  width BIGINT NOT NULL DEFAULT 0,"
	"  height BIGINT NOT NULL DEFAULT 0,"
	"  alt TEXT NOT NULL DEFAULT '',"
	"  caption TEXT NOT NULL DEFAULT '',"
	"  credit TEXT NOT NULL DEFAULT '',"
	/* Bytes live in the database so nodes stay stateless and a backup is one file. */
	"  data BLOB NOT NULL,"
	"  created_at BIGINT NOT NULL);"

	"CREATE TABLE articles ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  dek TEXT NOT NULL DEFAULT '',"
	"  body_source TEXT NOT NULL DEFAULT '',"
	"  body_format TEXT NOT NULL DEFAULT 'markdown'"
	"    CHECK (body_format IN ('markdown', 'html')),"
	"  body_html TEXT NOT NULL DEFAULT '',"
	"  excerpt TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'draft'"
	"    CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'unpublished')),"
	"  author_id BIGINT NOT NULL REFERENCES users (id),"
	"  category_id BIGINT NOT NULL REFERENCES categories (id),"
	"  featured_media_id BIGINT REFERENCES media (id),"
	"  pinned_at BIGINT,"
	"  published_at BIGINT,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX articles_latest ON articles (status, published_at DESC, id DESC);"
	"CREATE INDEX articles_by_category ON articles (category_id, status, published_at DESC, id DESC);"
	"CREATE INDEX articles_by_author ON articles (author_id, status, published_at DESC, id DESC);"
	"CREATE INDEX articles_pinned ON articles (pinned_at) WHERE pinned_at IS NOT NULL;"

	"CREATE TABLE article_tags ("
	"  article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	"  tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,"
	"  position BIGINT NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (article_id, tag_id));"
	"CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);"

	/* Related News, computed at publish time: `position` 0 is the best match. */
	"CREATE TABLE article_related ("
	"  article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	"  position BIGINT NOT NULL,"
	"  related_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	"  score DOUBLE PRECISION NOT NULL,"
	"  PRIMARY KEY (article_id, position));"
	"CREATE INDEX article_related_by_related ON article_related (related_id);"

	/* Page views per article per day (site time zone), flushed in batches. */
	"CREATE TABLE article_views ("
	"  article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	"  day BIGINT NOT NULL,"
	"  views BIGINT NOT NULL,"
	"  PRIMARY KEY (article_id, day));"
	"CREATE INDEX article_views_by_day ON article_views (day, article_id);"

	"CREATE TABLE ad_slots ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  width BIGINT NOT NULL,"
	"  height BIGINT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '');"

	"CREATE TABLE ad_creatives ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  slot_id BIGINT NOT NULL REFERENCES ad_slots (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('html', 'image')),"
	"  html TEXT NOT NULL DEFAULT '',"
	"  media_id BIGINT REFERENCES media (id),"
	"  link_url TEXT NOT NULL DEFAULT '',"
	"  alt TEXT NOT NULL DEFAULT '',"
	"  weight BIGINT NOT NULL DEFAULT 1 CHECK (weight >= 1 AND weight <= 1000),"
	"  starts_at BIGINT,"
	"  ends_at BIGINT,"
	"  category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL,"
	"  active BIGINT NOT NULL DEFAULT 1,"
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX ad_creatives_by_slot ON ad_creatives (slot_id);"

	"CREATE TABLE ad_stats ("
	"  creative_id BIGINT NOT NULL REFERENCES ad_creatives (id) ON DELETE CASCADE,"
	"  day BIGINT NOT NULL,"
	"  impressions BIGINT NOT NULL DEFAULT 0,"
	"  clicks BIGINT NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (creative_id, day));";

/* The editorial plane: sessions, throttling, tokens, revisions, audit. */
static const char MIGRATION_2[] =
	/* Only a hash of each session token is stored: a leaked table logs no one in. */
	"CREATE TABLE sessions ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  seen_at BIGINT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX sessions_by_user ON sessions (user_id);"

	/* Failed logins by account ("user:<email>") and by address ("addr:<ip>"). */
	"CREATE TABLE login_failures ("
	"  key TEXT NOT NULL,"
	"  at BIGINT NOT NULL);"
	"CREATE INDEX login_failures_by_key ON login_failures (key, at);"

	"CREATE TABLE api_tokens ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  token_hash TEXT NOT NULL UNIQUE,"
	"  created_at BIGINT NOT NULL,"
	"  last_used_at BIGINT NOT NULL DEFAULT 0);"

	/* Every save keeps one: what the editor saw, to list, compare and restore. */
	"CREATE TABLE revisions ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	"  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,"
	"  created_at BIGINT NOT NULL,"
	"  slug TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  dek TEXT NOT NULL,"
	"  body_source TEXT NOT NULL,"
	"  status TEXT NOT NULL);"
	"CREATE INDEX revisions_by_article ON revisions (article_id, id);"

	/* A changed slug keeps answering with a 301 to the article's address. */
	"CREATE TABLE slug_redirects ("
	"  slug TEXT PRIMARY KEY,"
	"  article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE);"

	"CREATE TABLE audit_log ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  at BIGINT NOT NULL,"
	"  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,"
	"  actor TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_log_by_time ON audit_log (at);"

	/* A scheduled article's publication time is its published_at. */
	"ALTER TABLE articles ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE articles ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE articles ADD COLUMN note TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE articles ADD COLUMN note_at BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE articles ADD COLUMN edited_by BIGINT REFERENCES users (id) ON DELETE SET NULL;"
	"CREATE INDEX articles_edited ON articles (updated_at DESC);"

	/* Uploads are re-encoded: `variants` says the responsive widths exist. */
	"ALTER TABLE media ADD COLUMN variants BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN photo_media_id BIGINT REFERENCES media (id) ON DELETE SET NULL;"
	"ALTER TABLE media ADD COLUMN uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL;"
	"CREATE TABLE media_variants ("
	"  media_id BIGINT NOT NULL REFERENCES media (id) ON DELETE CASCADE,"
	"  width BIGINT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (media_id, width, format));";

/*
 * WordPress import: which Dateline row each WordPress object became (so a
 * second import of the same export changes nothing and a newer one updates
 * in place), and the old site's paths that now answer with a 301.
 */
static const char MIGRATION_3[] =
	/* kind: post, page, attachment (key: the WordPress post id), category,
	 * tag (key: the term slug), author (key: the login). target_id is the row
	 * in articles, media, categories, tags or users. */
	"CREATE TABLE wp_objects ("
	"  kind TEXT NOT NULL,"
	"  wp_key TEXT NOT NULL,"
	"  guid TEXT NOT NULL DEFAULT '',"
	"  target_id BIGINT NOT NULL,"
	/* What the item looked like when imported: unchanged items are skipped. */
	"  fingerprint TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (kind, wp_key));"
	"CREATE INDEX wp_objects_by_target ON wp_objects (kind, target_id);"

	/* An old site's path (decoded, no query) and what it now points at. */
	"CREATE TABLE legacy_paths ("
	"  path TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('article', 'category', 'tag', 'author', 'media')),"
	"  target_id BIGINT NOT NULL);";

/*
 * Published articles per section, kept by every article write in the store
 * (store_section_count_track): the navigation, section pages and the
 * WordPress API read it instead of counting (200+ ms per snapshot at a
 * million articles). No row means none.
 */
static const char MIGRATION_4[] =
	"CREATE TABLE section_counts ("
	"  category_id BIGINT PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,"
	"  published BIGINT NOT NULL);"
	"INSERT INTO section_counts (category_id, published)"
	"  SELECT category_id, COUNT(*) FROM articles WHERE status = 'published'"
	"  GROUP BY category_id;";

const struct db_migration store_migrations[] = {
	{ 1, "initial schema", MIGRATION_1, true },
	{ 2, "editorial plane", MIGRATION_2, false },
	{ 3, "wordpress import", MIGRATION_3, false },
	{ 4, "section counts", MIGRATION_4, false },
};
const size_t store_migrations_nr = ARRAY_SIZE(store_migrations);
