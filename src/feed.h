/* SPDX-License-Identifier: MIT */
/*
 * feed - the public subscription feed over HTTP (libmicrohttpd).
 *
 * One resource: GET/HEAD of the configured path answers the current feed
 * bytes as text/calendar with a strong ETag and Last-Modified, and 304 to
 * conditional requests (RFC 7232).  Other methods on the path get 405, other
 * paths 404.  The server runs in its own thread; feed_set() swaps the served
 * representation atomically, so a reload never answers the feed path with an
 * error (INTEROP.md "Subscription feed" 3).
 *
 * Only this module includes microhttpd.h.
 */
#ifndef GREMIUM_FEED_H
#define GREMIUM_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct feed;

/*
 * Start a server for path (starts with '/', copied).  It listens on fd when
 * fd >= 0 (an inherited listening stream socket, e.g. from systemd socket
 * activation; the server takes ownership), else on listen, "host:port" or
 * "[v6]:port" (port 0 picks a free one, see feed_port()).  Until the first
 * feed_set() the path answers 503 with Retry-After.
 *
 * The server thread blocks every signal: signals stay the caller's.
 *
 * Returns 0 and *ret, or a negative errno with a one-line reason in err:
 * -EINVAL (bad listen spec or path), -EADDRINUSE and other bind(2)/getaddrinfo
 * failures, -ENOMEM, -EIO (libmicrohttpd refused to start).
 */
int feed_new(const char *listen, int fd, const char *path, struct feed **ret,
             char *err, size_t errlen);

/*
 * feed_new() that serves len bytes (copied) with last_modified from the
 * very first request on, as if feed_set() had come before the server
 * started: a socket-activated start answers the request that woke it with
 * the feed, not with 503.  bytes NULL: exactly feed_new().
 */
int feed_new_serving(const char *listen, int fd, const char *path, const char *bytes, size_t len,
                     time_t last_modified, struct feed **ret, char *err, size_t errlen);

/*
 * Serve len bytes (copied) from now on, with Last-Modified last_modified
 * (clamped to the present, RFC 7232 §2.2.1).  Requests in flight finish with
 * the representation they started with.  Returns 0 or -ENOMEM (the old
 * representation stays).
 */
int feed_set(struct feed *f, const char *bytes, size_t len, time_t last_modified);

/* Serve the feed under path (copied) from now on.  0, -EINVAL or -ENOMEM. */
int feed_set_path(struct feed *f, const char *path);

/* The local port the server listens on, in host order (0 if unknown). */
uint16_t feed_port(const struct feed *f);

/* The strong ETag (with its quotes) of bytes, as feed_set() serves it.
 * buf needs FEED_ETAG_MAX bytes. */
#define FEED_ETAG_MAX 48
void feed_etag(const char *bytes, size_t len, char buf[FEED_ETAG_MAX]);

/*
 * Stop the server and free f; NULL is a no-op.  The listening socket is
 * handed back from libmicrohttpd and closed, never shut down: a socket
 * shared with systemd keeps listening, and connections that arrive
 * meanwhile wait for the next process.  Connections already accepted are
 * answered first (a stalled one is given about a second): the server
 * thread hands the socket back itself, so no accept can be in flight.
 */
void feed_free(struct feed *f);

#endif
