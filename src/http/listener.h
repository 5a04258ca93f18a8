#ifndef DL_HTTP_LISTENER_H
#define DL_HTTP_LISTENER_H

#include <sys/socket.h>

/*
 * A listening socket and the one thread that accepts on it, handing each new
 * connection to a callback (server.c gives it to the least-loaded worker).
 *
 * Why not libmicrohttpd's own thread pool: every worker there polls the same
 * listening socket and accepts up to ten connections in a row, so a burst of
 * connections (a load balancer's pool, wrk's eight) lands on one worker and
 * the other cores idle for as long as those connections stay open.
 */

/* Takes ownership of fd (non-blocking, close-on-exec); must close it if it cannot keep it. */
typedef void (*listener_accept_fn)(void *ctx, int fd, const struct sockaddr *addr, socklen_t len);

struct listener;

/* "ADDRESS:PORT" ("127.0.0.1:8080", "[::1]:8080", ":80") into a socket address; 0 or -1 after error(). */
int listener_parse(const char *where, struct sockaddr_storage *ss, socklen_t *len);

/*
 * Bind and listen on `where` (as listener_parse reads it), then start the accepting thread; NULL after error()
 * (bad address, port in use). The thread inherits the caller's signal mask.
 */
struct listener *listener_start(const char *where, int backlog, listener_accept_fn fn, void *ctx);
/* The port actually bound (useful with port 0). */
int listener_port(const struct listener *l);
/* Stop accepting and close the socket; connections already handed over are the callee's. */
void listener_stop(struct listener *l);

#endif
