/*
 * listener.c - bind, listen, and accept on one thread (see listener.h for why).
 *
 * The thread sleeps in poll() on the listening socket and a pipe that
 * listener_stop() writes to, then accepts until the backlog is empty. Out of
 * descriptors (EMFILE and friends) it pauses 50 ms and leaves the waiting
 * connections in the kernel's backlog rather than spinning, as nginx does.
 */
#include "core/compat.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/err.h"
#include "core/log.h"
#include "core/slice.h"
#include "http/listener.h"

struct listener {
	int fd;
	int wake[2];  /* listener_stop() writes to wake[1] */
	int port;
	time_t warned;  /* the last out-of-descriptors warning */
	pthread_t thread;
	listener_accept_fn fn;
	void *ctx;
};

int listener_parse(const char *where, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(where, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hlen;
	int64_t port;

	if (!colon || slice_to_int64(slice_cstr(colon + 1), 0, 65535, &port))
		return error("--listen '%s': expected ADDRESS:PORT, e.g. 127.0.0.1:8080", where);
	hlen = (size_t)(colon - where);
	if (hlen >= sizeof(host))
		return error("--listen '%s': address too long", where);
	memcpy(host, where, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return error("--listen '%s': bad IPv6 address", where);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		if (!hlen)
			memcpy(host, "0.0.0.0", 8);
		if (!strcmp(host, "localhost"))
			memcpy(host, "127.0.0.1", 10);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return error("--listen '%s': bad IPv4 address", where);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
	return DL_OK;
}

static int open_socket(const char *where, int backlog, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (listener_parse(where, &ss, &len))
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error("cannot listen on %s: socket: %s", where, strerror(errno));
	/* A restart must not wait out TIME_WAIT; [::] serves IPv6 only, as written. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog)) {
		error("cannot listen on %s: %s", where, strerror(errno));
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		error("cannot listen on %s: getsockname: %s", where, strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Accept until the backlog is empty; false once descriptors ran out. */
static bool accept_all(struct listener *l)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			l->fn(l->ctx, fd, (struct sockaddr *)&ss, len);
			continue;
		}
		switch (errno) {
		case EAGAIN:
		case EINTR:
			return true;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			if (time(NULL) >= l->warned + 10) {  /* once per 10 s, not per pause */
				log_msg(LOG_WARN, "http: cannot accept connections: %s; pausing 50 ms "
					"at a time (raise `ulimit -n` or lower --max-connections)",
					strerror(errno));
				l->warned = time(NULL);
			}
			return false;
		default:
			/* ECONNABORTED, EPROTO, ...: that one connection is gone. */
			continue;
		}
	}
}

static void *run(void *arg)
{
	struct listener *l = arg;
	struct pollfd pfd[2] = {
		{ .fd = l->fd, .events = POLLIN },
		{ .fd = l->wake[0], .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERROR, "http: poll on the listening socket: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents && !accept_all(l))
			poll(&pfd[1], 1, 50);
	}
	return NULL;
}

struct listener *listener_start(const char *where, int backlog, listener_accept_fn fn, void *ctx)
{
	struct listener *l = xcalloc(1, sizeof(*l));
	int rc;

	l->fn = fn;
	l->ctx = ctx;
	l->fd = open_socket(where, backlog, &l->port);
	if (l->fd < 0) {
		free(l);
		return NULL;
	}
	if (pipe2(l->wake, O_CLOEXEC)) {
		error("cannot listen on %s: pipe: %s", where, strerror(errno));
		close(l->fd);
		free(l);
		return NULL;
	}
	rc = pthread_create(&l->thread, NULL, run, l);
	if (rc) {
		error("cannot listen on %s: no thread: %s", where, strerror(rc));
		close(l->wake[0]);
		close(l->wake[1]);
		close(l->fd);
		free(l);
		return NULL;
	}
	pthread_setname_np(l->thread, "dl-accept");
	return l;
}

int listener_port(const struct listener *l)
{
	return l->port;
}

void listener_stop(struct listener *l)
{
	if (!l)
		return;
	while (write(l->wake[1], "x", 1) < 0 && errno == EINTR)
		;
	pthread_join(l->thread, NULL);
	close(l->wake[0]);
	close(l->wake[1]);
	close(l->fd);
	free(l);
}
