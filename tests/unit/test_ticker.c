#include "core/compat.h"
#include <setjmp.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/ticker.h"

static atomic_int calls;

static long count_and_wait(void *ctx)
{
	atomic_fetch_add(&calls, 1);
	return *(long *)ctx;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_repeats_at_the_asked_interval(void **state)
{
	long ms = 10;
	struct ticker *t;
	double t0 = now();

	atomic_store(&calls, 0);
	t = ticker_start("test", count_and_wait, &ms);
	assert_non_null(t);
	while (atomic_load(&calls) < 3 && now() - t0 < 10)
		usleep(1000);
	/* Three calls are two waits of 10 ms apart at least. */
	assert_true(atomic_load(&calls) >= 3);
	assert_true(now() - t0 >= 0.019);
	ticker_stop(t);
}

static void test_stop_cuts_a_long_wait_short(void **state)
{
	long ms = 60 * 1000;
	struct ticker *t;
	double t0;

	atomic_store(&calls, 0);
	t = ticker_start("test", count_and_wait, &ms);
	assert_non_null(t);
	while (!atomic_load(&calls))
		usleep(1000);
	t0 = now();
	ticker_stop(t);
	assert_true(now() - t0 < 5.0);
	assert_int_equal(atomic_load(&calls), 1);
	ticker_stop(NULL);
}

static void test_a_kick_ends_the_wait(void **state)
{
	long ms = 60 * 1000;
	struct ticker *t;
	double t0 = now();

	atomic_store(&calls, 0);
	t = ticker_start("test", count_and_wait, &ms);
	assert_non_null(t);
	while (!atomic_load(&calls))
		usleep(1000);
	ticker_kick(t);
	while (atomic_load(&calls) < 2 && now() - t0 < 10)
		usleep(1000);
	assert_int_equal(atomic_load(&calls), 2);
	ticker_stop(t);
	ticker_kick(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeats_at_the_asked_interval),
		cmocka_unit_test(test_stop_cuts_a_long_wait_short),
		cmocka_unit_test(test_a_kick_ends_the_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
