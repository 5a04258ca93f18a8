/* The listening socket, its accepting thread, and how the server spreads connections. */
#include "core/compat.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "http/http.h"
#include "http/listener.h"

static void test_parse(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	assert_int_equal(listener_parse("127.0.0.1:8080", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	assert_int_equal(listener_parse(":80", &ss, &len), 0);
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(listener_parse("localhost:1", &ss, &len), 0);
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(listener_parse("[::1]:443", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 443);

	assert_int_not_equal(listener_parse("8080", &ss, &len), 0);
	assert_int_not_equal(listener_parse("127.0.0.1:", &ss, &len), 0);
	assert_int_not_equal(listener_parse("127.0.0.1:65536", &ss, &len), 0);
	assert_int_not_equal(listener_parse("127.0.0.1:-1", &ss, &len), 0);
	assert_int_not_equal(listener_parse("example.org:80", &ss, &len), 0);
	assert_int_not_equal(listener_parse("[::1:80", &ss, &len), 0);
	assert_int_not_equal(listener_parse("[zz::1]:80", &ss, &len), 0);
	assert_int_not_equal(listener_parse("[0000:0000:0000:0000:0000:0000:0000:0000:0]:80",
					    &ss, &len), 0);
}

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct accepted {
	pthread_mutex_t lock;
	int fds[8];
	int n;
	bool loopback;
};

static void keep(void *ctx, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct accepted *acc = ctx;

	pthread_mutex_lock(&acc->lock);
	acc->loopback = len == sizeof(struct sockaddr_in) && addr->sa_family == AF_INET &&
			((const struct sockaddr_in *)addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	if (acc->n < (int)ARRAY_SIZE(acc->fds))
		acc->fds[acc->n++] = fd;
	else
		close(fd);
	pthread_mutex_unlock(&acc->lock);
}

static int count(struct accepted *acc, int want)
{
	int n = 0;

	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&acc->lock);
		n = acc->n;
		pthread_mutex_unlock(&acc->lock);
		if (n >= want)
			break;
		usleep(1000);
	}
	return n;
}

static void test_accepts_and_stops(void **state)
{
	struct accepted acc = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct listener *l = listener_start("127.0.0.1:0", 16, keep, &acc);
	int port, c[3];

	assert_non_null(l);
	port = listener_port(l);
	assert_true(port > 0);
	for (int i = 0; i < 3; i++)
		assert_true((c[i] = connect_to(port)) >= 0);
	assert_int_equal(count(&acc, 3), 3);
	assert_true(acc.loopback);

	/* The port is taken while it listens. */
	{
		char where[32];
		snprintf(where, sizeof(where), "127.0.0.1:%d", port);
		assert_null(listener_start(where, 16, keep, &acc));
	}
	listener_stop(l);
	/* Stopped: refused, and the connections already handed over are the callee's. */
	assert_int_equal(connect_to(port), -1);
	assert_int_equal(write(acc.fds[0], "x", 1), 1);
	for (int i = 0; i < 3; i++) {
		close(c[i]);
		close(acc.fds[i]);
	}
}

/* The server: which worker thread served each connection. */
#define NCONN 8
static pthread_t served_by[NCONN];

static void record_thread(struct http_request *req, void *ctx)
{
	int i = req->path.len == 2 ? req->path.p[1] - '0' : -1;

	if (i >= 0 && i < NCONN)
		served_by[i] = pthread_self();
	strbuf_addstr(&req->res.body, "ok\n");
	req->res.content_type = "text/plain";
}

static void error_text(struct http_request *req, const char *message, void *ctx)
{
	strbuf_addstr(&req->res.body, message);
}

static struct http_server *start_server(unsigned threads, unsigned max_connections)
{
	struct http_server_config cfg = {
		.listen = "127.0.0.1:0",
		.threads = threads,
		.timeout_seconds = 10,
		.max_connections = max_connections,
		.max_body = 1024,
		.methods = HTTP_GET | HTTP_HEAD,
		.handler = record_thread,
		.error_page = error_text,
	};

	return http_server_start(&cfg);
}

/* Send one request on fd and read its response head; true if it was a 200. */
static bool get(int fd, int i)
{
	char req[64], buf[4096];
	int n = snprintf(req, sizeof(req), "GET /%d HTTP/1.1\r\nHost: test\r\n\r\n", i);
	ssize_t got;

	if (write(fd, req, (size_t)n) != n)
		return false;
	got = read(fd, buf, sizeof(buf) - 1);
	if (got <= 0)
		return false;
	buf[got] = '\0';
	return !strncmp(buf, "HTTP/1.1 200 ", 13);
}

static void test_connections_are_spread_over_the_workers(void **state)
{
	struct http_server *srv = start_server(2, 100);
	int fd[NCONN], on_first = 0;

	assert_non_null(srv);
	/* A burst: all eight connected before any sends (wrk, a load balancer's pool). */
	for (int i = 0; i < NCONN; i++)
		assert_true((fd[i] = connect_to(http_server_port(srv))) >= 0);
	for (int i = 0; i < NCONN; i++)
		assert_true(get(fd[i], i));
	for (int i = 0; i < NCONN; i++) {
		assert_true(get(fd[i], i));  /* kept alive, on the same worker */
		on_first += pthread_equal(served_by[i], served_by[0]) != 0;
	}
	assert_int_equal(on_first, NCONN / 2);
	for (int i = 0; i < NCONN; i++)
		close(fd[i]);
	http_server_stop(srv);
}

static void test_connection_limit(void **state)
{
	struct http_server *srv = start_server(2, 2);
	int a, b, c, port, i;
	char buf[16];

	assert_non_null(srv);
	port = http_server_port(srv);
	assert_true((a = connect_to(port)) >= 0 && get(a, 0));
	assert_true((b = connect_to(port)) >= 0 && get(b, 1));
	/* A third is accepted and closed at once: end of file or a reset, never an answer. */
	assert_true((c = connect_to(port)) >= 0);
	assert_true(read(c, buf, sizeof(buf)) <= 0);
	close(c);
	/* Once one closes, a new connection is served (the close is counted on its worker). */
	close(a);
	for (i = 0; i < 200; i++) {
		c = connect_to(port);
		if (get(c, 2))
			break;
		close(c);
		c = -1;
		usleep(5000);
	}
	assert_true(c >= 0);
	assert_true(get(b, 1));
	close(b);
	close(c);
	http_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_accepts_and_stops),
		cmocka_unit_test(test_connections_are_spread_over_the_workers),
		cmocka_unit_test(test_connection_limit),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
