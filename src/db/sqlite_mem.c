/*
 * sqlite_mem.c - SQLite's allocator: malloc, counted per thread (see sqlite_mem.h).
 *
 * A thread takes a counter on its first allocation and only it writes there;
 * sqlite_mem_used() sums them. A thread that ends folds its count into
 * `retired` and leaves its counter for the next thread. Memory freed by another
 * thread than the one that allocated it makes one counter go down and another
 * up: each counter may be negative, the sum is right.
 */
#include "core/compat.h"
#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include "core/log.h"
#include "db/sqlite_mem.h"

struct counter {
	_Alignas(64) atomic_llong bytes;  /* its own cache line: no sharing between cores */
	struct counter *next;             /* every counter ever made */
	struct counter *next_free;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct counter *counters, *free_counters;
static long long retired;
static pthread_key_t key;
static atomic_bool installed;
static _Thread_local struct counter *mine;

static void thread_ended(void *arg)
{
	struct counter *c = arg;

	pthread_mutex_lock(&lock);
	retired += atomic_load_explicit(&c->bytes, memory_order_relaxed);
	atomic_store_explicit(&c->bytes, 0, memory_order_relaxed);
	c->next_free = free_counters;
	free_counters = c;
	pthread_mutex_unlock(&lock);
	mine = NULL;  /* an allocation after this (another destructor's) takes a new one */
}

static void count(long long delta)
{
	struct counter *c = mine;

	if (!c) {
		pthread_mutex_lock(&lock);
		c = free_counters;
		if (c) {
			free_counters = c->next_free;
		} else {
			c = aligned_alloc(64, sizeof(*c));
			if (!c)
				abort();  /* alloc.h's policy */
			memset(c, 0, sizeof(*c));
			c->next = counters;
			counters = c;
		}
		pthread_mutex_unlock(&lock);
		pthread_setspecific(key, c);
		mine = c;
	}
	/* Only this thread writes here: a plain add, no locked instruction. */
	atomic_store_explicit(&c->bytes, atomic_load_explicit(&c->bytes, memory_order_relaxed) + delta,
			      memory_order_relaxed);
}

static void *mem_malloc(int n)
{
	void *p = malloc((size_t)n);

	if (p)
		count((long long)malloc_usable_size(p));
	return p;
}

static void mem_free(void *p)
{
	if (!p)
		return;
	count(-(long long)malloc_usable_size(p));
	free(p);
}

static void *mem_realloc(void *p, int n)
{
	size_t old = malloc_usable_size(p);
	void *q = realloc(p, (size_t)n);

	if (q)
		count((long long)malloc_usable_size(q) - (long long)old);
	return q;
}

static int mem_size(void *p)
{
	return (int)malloc_usable_size(p);
}

static int mem_roundup(int n)
{
	return (n + 7) & ~7;
}

static int mem_init(void *ctx)
{
	return SQLITE_OK;
}

static void mem_shutdown(void *ctx)
{
}

static void install_once(void)
{
	static const sqlite3_mem_methods methods = {
		mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
	};

	pthread_key_create(&key, thread_ended);
	/* Both or neither: SQLite's count would take its mutex around our allocator too. */
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK &&
	    sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK)
		installed = true;
	else
		log_msg(LOG_WARN, "SQLite was started before its allocator was set: "
			"dateline_sqlite_memory_bytes stays 0");
}

void sqlite_mem_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_once);
}

int64_t sqlite_mem_used(void)
{
	long long sum;

	if (!installed)
		return 0;
	pthread_mutex_lock(&lock);
	sum = retired;
	for (struct counter *c = counters; c; c = c->next)
		sum += atomic_load_explicit(&c->bytes, memory_order_relaxed);
	pthread_mutex_unlock(&lock);
	return sum > 0 ? (int64_t)sum : 0;
}
