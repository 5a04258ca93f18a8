#include "core/compat.h"
#include <pthread.h>
#include <time.h>
#include "core/alloc.h"
#include "core/log.h"
#include "core/ticker.h"

struct ticker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping, kicked;
	ticker_fn fn;
	void *ctx;
};

static void *run(void *arg)
{
	struct ticker *t = arg;

	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		struct timespec until;
		long ms;

		pthread_mutex_unlock(&t->lock);
		ms = t->fn(t->ctx);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&t->lock);
		while (!t->stopping && !t->kicked &&
		       pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
			;
		t->kicked = false;
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct ticker *ticker_start(const char *what, ticker_fn fn, void *ctx)
{
	struct ticker *t = xcalloc(1, sizeof(*t));

	t->fn = fn;
	t->ctx = ctx;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if (pthread_create(&t->thread, NULL, run, t)) {
		error("cannot start the %s thread", what);
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	return t;
}

void ticker_kick(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->kicked = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

void ticker_stop(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
