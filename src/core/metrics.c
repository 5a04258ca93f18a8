#include "core/compat.h"
#include <pthread.h>
#include "core/alloc.h"
#include "core/metrics.h"

enum kind { COUNTER, GAUGE, HISTOGRAM };

struct series {
	char *name, *help;
	enum kind kind;
	char *label_name[2], *label_value[2];
	uint64_t count;            /* counter value, or histogram count */
	double value;              /* gauge value, or histogram sum */
	uint64_t buckets[METRICS_NBUCKETS];
};

struct metrics {
	pthread_mutex_t lock;
	struct series series[METRICS_MAX];
	size_t nr;
	uint64_t dropped;
};

static const double bounds[METRICS_NBUCKETS] = METRICS_BUCKETS;

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr; i++) {
		struct series *s = &m->series[i];
		free(s->name);
		free(s->help);
		for (int j = 0; j < 2; j++) {
			free(s->label_name[j]);
			free(s->label_value[j]);
		}
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static struct metrics *global;

static void make_global(void)
{
	global = metrics_new();
}

struct metrics *metrics_global(void)
{
	pthread_once(&global_once, make_global);
	return global;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The series for name + labels (lock held), created if new; NULL when full. */
static struct series *find(struct metrics *m, const char *name, const char *help,
			   const struct metrics_labels *l, enum kind kind)
{
	static const struct metrics_labels none;
	struct series *s;

	if (!l)
		l = &none;
	for (size_t i = 0; i < m->nr; i++) {
		s = &m->series[i];
		if (!strcmp(s->name, name) && same(s->label_name[0], l->name[0]) &&
		    same(s->label_value[0], l->value[0]) && same(s->label_name[1], l->name[1]) &&
		    same(s->label_value[1], l->value[1]))
			return s;
	}
	if (m->nr == METRICS_MAX) {
		m->dropped++;
		return NULL;
	}
	s = &m->series[m->nr++];
	s->name = xstrdup(name);
	s->help = xstrdup(help ? help : "");
	s->kind = kind;
	for (int j = 0; j < 2; j++) {
		s->label_name[j] = l->name[j] ? xstrdup(l->name[j]) : NULL;
		s->label_value[j] = l->name[j] ? xstrdup(l->value[j] ? l->value[j] : "") : NULL;
	}
	return s;
}

void metrics_count(struct metrics *m, const char *name, const char *help,
		   const struct metrics_labels *labels, uint64_t n)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	if ((s = find(m, name, help, labels, COUNTER)))
		s->count += n;
	pthread_mutex_unlock(&m->lock);
}

void metrics_count_set(struct metrics *m, const char *name, const char *help,
		       const struct metrics_labels *labels, uint64_t total)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	if ((s = find(m, name, help, labels, COUNTER)))
		s->count = total;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set(struct metrics *m, const char *name, const char *help,
		 const struct metrics_labels *labels, double v)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	if ((s = find(m, name, help, labels, GAUGE)))
		s->value = v;
	pthread_mutex_unlock(&m->lock);
}

void metrics_observe(struct metrics *m, const char *name, const char *help,
		     const struct metrics_labels *labels, double seconds)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	if ((s = find(m, name, help, labels, HISTOGRAM))) {
		s->count++;
		s->value += seconds;
		for (int i = 0; i < METRICS_NBUCKETS; i++)
			if (seconds <= bounds[i])
				s->buckets[i]++;
	}
	pthread_mutex_unlock(&m->lock);
}

/* A label value escaped as the format requires: backslash, quote, newline. */
static void add_escaped(struct strbuf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			strbuf_addch(out, '\\');
		if (*v == '\n') {
			strbuf_addstr(out, "\\n");
			continue;
		}
		strbuf_addch(out, *v);
	}
}

/* {a="x",b="y"} plus an extra label (le="...") when given; nothing if no labels. */
static void add_labels(struct strbuf *out, const struct series *s, const char *le)
{
	bool any = false;

	for (int j = 0; j < 2; j++) {
		if (!s->label_name[j])
			continue;
		strbuf_addstr(out, any ? "," : "{");
		strbuf_addf(out, "%s=\"", s->label_name[j]);
		add_escaped(out, s->label_value[j]);
		strbuf_addch(out, '"');
		any = true;
	}
	if (le) {
		strbuf_addf(out, "%sle=\"%s\"", any ? "," : "{", le);
		any = true;
	}
	if (any)
		strbuf_addch(out, '}');
}

static void render_series(struct strbuf *out, const struct series *s)
{
	switch (s->kind) {
	case COUNTER:
		strbuf_addstr(out, s->name);
		add_labels(out, s, NULL);
		strbuf_addf(out, " %" PRIu64 "\n", s->count);
		break;
	case GAUGE:
		strbuf_addstr(out, s->name);
		add_labels(out, s, NULL);
		strbuf_addf(out, " %.17g\n", s->value);
		break;
	case HISTOGRAM:
		for (int i = 0; i < METRICS_NBUCKETS; i++) {
			char le[32];
			snprintf(le, sizeof(le), "%g", bounds[i]);
			strbuf_addf(out, "%s_bucket", s->name);
			add_labels(out, s, le);
			strbuf_addf(out, " %" PRIu64 "\n", s->buckets[i]);
		}
		strbuf_addf(out, "%s_bucket", s->name);
		add_labels(out, s, "+Inf");
		strbuf_addf(out, " %" PRIu64 "\n", s->count);
		strbuf_addf(out, "%s_sum", s->name);
		add_labels(out, s, NULL);
		strbuf_addf(out, " %.9g\n", s->value);
		strbuf_addf(out, "%s_count", s->name);
		add_labels(out, s, NULL);
		strbuf_addf(out, " %" PRIu64 "\n", s->count);
		break;
	}
}

void metrics_render(struct metrics *m, struct strbuf *out)
{
	static const char *const kinds[] = { "counter", "gauge", "histogram" };
	bool *done;

	pthread_mutex_lock(&m->lock);
	done = xcalloc(m->nr ? m->nr : 1, sizeof(*done));
	/* Every series of one name together, after one HELP and TYPE line. */
	for (size_t i = 0; i < m->nr; i++) {
		const struct series *s = &m->series[i];

		if (done[i])
			continue;
		strbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", s->name, s->help, s->name,
			    kinds[s->kind]);
		for (size_t j = i; j < m->nr; j++) {
			if (!done[j] && !strcmp(m->series[j].name, s->name)) {
				render_series(out, &m->series[j]);
				done[j] = true;
			}
		}
	}
	strbuf_addf(out, "# HELP dateline_metrics_dropped_total Updates dropped: the registry was full.\n"
		    "# TYPE dateline_metrics_dropped_total counter\n"
		    "dateline_metrics_dropped_total %" PRIu64 "\n", m->dropped);
	free(done);
	pthread_mutex_unlock(&m->lock);
}
