#include "core/compat.h"
#include <dirent.h>
#include <sys/stat.h>
#include "core/alloc.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/log.h"
#include "core/hash.h"
#include "render/theme.h"

#define TEMPLATE_EXT ".mustache"
/* Larger theme files are refused: a theme is text and small images. */
#define THEME_MAX_FILE (4 * 1024 * 1024)

struct theme {
	struct tpl_set *templates;
	struct theme_asset *assets;
	size_t nassets, alloc;
};

const char *theme_content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".webp", "image/webp" },
		{ ".gif", "image/gif" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".webmanifest", "application/manifest+json" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* Add one file (path relative to the theme root) to the theme. */
static int add_file(struct theme *t, const char *rel, const unsigned char *data, size_t len,
		    struct strbuf *err)
{
	size_t rlen = strlen(rel);

	if (!strncmp(rel, "static/", 7)) {
		struct theme_asset *a;

		ALLOC_GROW(t->assets, t->nassets + 1, t->alloc);
		a = &t->assets[t->nassets++];
		a->path = xstrdup(rel + 7);
		a->data = (unsigned char *)xmemdupz(data, len);
		a->len = len;
		a->content_type = theme_content_type(rel);
		snprintf(a->version, sizeof(a->version), "%016" PRIx64, hash64(data, len));
		return DL_OK;
	}
	if (rlen > strlen(TEMPLATE_EXT) && !strcmp(rel + rlen - strlen(TEMPLATE_EXT), TEMPLATE_EXT) &&
	    !strchr(rel, '/')) {
		char *name = xmemdupz(rel, rlen - strlen(TEMPLATE_EXT));
		int rc = tpl_set_add(t->templates, name, (const char *)data, len, err);
		free(name);
		return rc;
	}
	return DL_OK;  /* anything else (README, screenshots) is not served */
}

/* The embedded files under `prefix` ("themes/default/"). */
static int load_embedded(struct theme *t, const char *prefix, struct strbuf *err)
{
	size_t plen = strlen(prefix);

	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		if (strncmp(f->path, prefix, plen))
			continue;
		if (add_file(t, f->path + plen, f->data, f->len, err))
			return DL_INVALID;
	}
	return DL_OK;
}

static int read_file(const char *path, struct strbuf *out, struct strbuf *err)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;

	if (!f) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return DL_ERR;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (out->len + n > THEME_MAX_FILE) {
			fclose(f);
			strbuf_addf(err, "%s: larger than %d bytes", path, THEME_MAX_FILE);
			return DL_TOOBIG;
		}
		strbuf_add(out, buf, n);
	}
	fclose(f);
	return DL_OK;
}

static int load_dir(struct theme *t, const char *root, const char *sub, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc = DL_OK;

	strbuf_addf(&path, "%s/%s", root, sub);
	d = opendir(path.buf);
	if (!d) {
		if (*sub) {  /* a theme without static/ is fine */
			strbuf_release(&path);
			return DL_OK;
		}
		strbuf_addf(err, "theme folder %s: %s", root, strerror(errno));
		strbuf_release(&path);
		return DL_ERR;
	}
	while (!rc && (de = readdir(d))) {
		struct strbuf file = STRBUF_INIT, rel = STRBUF_INIT, data = STRBUF_INIT;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&rel, "%s%s", sub, de->d_name);
		strbuf_addf(&file, "%s/%s", root, rel.buf);
		if (stat(file.buf, &st)) {
			rc = DL_ERR;
		} else if (S_ISDIR(st.st_mode)) {
			if (!*sub && !strcmp(de->d_name, "static"))
				rc = load_dir(t, root, "static/", err);
		} else if (S_ISREG(st.st_mode)) {
			rc = read_file(file.buf, &data, err);
			if (!rc)
				rc = add_file(t, rel.buf, (unsigned char *)data.buf, data.len, err);
		}
		strbuf_release(&file);
		strbuf_release(&rel);
		strbuf_release(&data);
	}
	closedir(d);
	strbuf_release(&path);
	return rc;
}

static int cmp_asset(const void *a, const void *b)
{
	return strcmp(((const struct theme_asset *)a)->path, ((const struct theme_asset *)b)->path);
}

static struct theme *load(const char *dir, const char *embedded, const char *const *required,
			  struct strbuf *err)
{
	struct theme *t = xcalloc(1, sizeof(*t));
	int rc;

	t->templates = tpl_set_new();
	rc = dir ? load_dir(t, dir, "", err) : load_embedded(t, embedded, err);
	for (size_t i = 0; !rc && required[i]; i++) {
		if (!tpl_set_has(t->templates, required[i])) {
			strbuf_addf(err, "theme %s: missing %s%s", dir ? dir : "(built-in)",
				    required[i], TEMPLATE_EXT);
			rc = DL_INVALID;
		}
	}
	if (rc) {
		theme_free(t);
		return NULL;
	}
	qsort(t->assets, t->nassets, sizeof(*t->assets), cmp_asset);
	return t;
}

struct theme *theme_load(const char *dir, struct strbuf *err)
{
	static const char *const required[] = { "layout", "home", "article", "archive", "search",
						"error", NULL };

	return load(dir, "themes/default/", required, err);
}

struct theme *theme_load_admin(struct strbuf *err)
{
	static const char *const required[] = { "layout", "login", "error", NULL };

	return load(NULL, "themes/admin/", required, err);
}

void theme_free(struct theme *t)
{
	if (!t)
		return;
	tpl_set_free(t->templates);
	for (size_t i = 0; i < t->nassets; i++) {
		free(t->assets[i].path);
		free(t->assets[i].data);
	}
	free(t->assets);
	free(t);
}

const struct tpl_set *theme_templates(const struct theme *t)
{
	return t->templates;
}

const struct theme_asset *theme_asset(const struct theme *t, const char *path, size_t len)
{
	size_t lo = 0, hi = t->nassets;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *p = t->assets[mid].path;
		size_t plen = strlen(p);
		int c = memcmp(p, path, plen < len ? plen : len);

		if (!c)
			c = (plen > len) - (plen < len);
		if (!c)
			return &t->assets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
