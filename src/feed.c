/* SPDX-License-Identifier: MIT */
/*
 * feed - see feed.h.
 *
 * Threading.  libmicrohttpd runs in external polling mode on epoll
 * (MHD_USE_EPOLL, no internal thread), driven by one thread of this module
 * (serve()) rather than by the daemon's sd-event loop: the daemon thread
 * renders the calendar, plans and sends mail; none of that may delay an
 * HTTP answer, and a slow client or a burst of requests may not delay the
 * watchdog ping.  The price is one mutex, held only to read the current
 * representation and queue it (and once per feed_set() to swap it).
 *
 * Stopping.  Only serve() calls into the daemon once it runs: it accepts,
 * answers, and on feed_free()'s eventfd it quiesces, drains and stops it.
 * libmicrohttpd's own thread could not be stopped without losing a
 * request: MHD_quiesce_daemon() from another thread may land between that
 * thread's was_quiesced check and its accept(2), and the connection it
 * then accepts was neither counted when the drain looked nor answered
 * before MHD_stop_daemon() closed it (seen in CI as "Remote end closed
 * connection without response" across a restart).  Here the accepting
 * thread quiesces itself, so once MHD_quiesce_daemon() returns no accept
 * is in flight, every connection taken from the kernel's queue is counted,
 * and each of them is answered before MHD_stop_daemon() (bounded by
 * FEED_DRAIN_MS for a stalled client).  Connections still in the queue
 * stay there for the next process.
 *
 * Representations.  Each feed_set() builds a complete, immutable struct rep
 * (body, strong ETag, Last-Modified, the prebuilt 200 and 304 responses)
 * before it takes the lock and swaps one pointer.  libmicrohttpd reference
 * counts responses: MHD_queue_response() takes a reference for the
 * connection, so a request in flight keeps the old body alive until it is
 * sent, and MHD_destroy_response() of the old one only drops ours.  No
 * request can ever see a half-built feed or an error during a reload.
 *
 * Limits.  Connections are capped globally and per client address, idle
 * connections (including half-open ones that stall in the middle of a
 * request) are closed after FEED_IDLE_SECONDS, the per-connection memory
 * pool bounds request header size (larger requests get libmicrohttpd's
 * 431/414), and request bodies are never read: every request is answered
 * as soon as its headers are in (see on_request()), and libmicrohttpd then
 * closes a connection whose body is still unread.
 */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "feed.h"
#include "util.h"

/* Well above a committee's subscribers, well below the default soft
 * RLIMIT_NOFILE of 1024 (systemd's LimitNOFILE= default). */
#define FEED_MAX_CONNECTIONS 768u
/* One address cannot take the whole server.  Behind a reverse proxy every
 * request comes from the proxy; 64 parallel requests of a few microseconds
 * each is still far more than a calendar feed needs (limit clients in the
 * proxy then). */
#define FEED_MAX_PER_IP 64u
/* Idle time before a connection is closed, also mid-request: a client that
 * sends half a request and stalls holds its slot at most this long. */
#define FEED_IDLE_SECONDS 10u
/* Per-connection pool for request and response headers. */
#define FEED_CONN_MEMORY ((size_t)16 * 1024)
#define FEED_BACKLOG 128
/* At stop, how long requests already accepted may take to finish once the
 * listening socket is handed back: an answer takes microseconds, so this
 * only bounds a stalled client (or an idle keep-alive connection). */
#define FEED_DRAIN_MS 1000
/* How long a client should wait when there is no feed yet (render failed). */
#define FEED_RETRY_AFTER "60"

/* Outlook, Thunderbird and Apple Calendar poll on their own schedule (the
 * feed's REFRESH-INTERVAL); a max-age would only let shared caches on the
 * way serve a moved meeting up to an hour late on top of that.  no-cache
 * lets them store the feed but revalidate each time, which with the strong
 * ETag costs a 304 of a few hundred bytes. */
#define FEED_CACHE_CONTROL "no-cache"
#define FEED_CONTENT_TYPE "text/calendar; charset=utf-8"

/* One immutable representation of the feed. */
struct rep {
	struct MHD_Response *ok;           /* 200: body, ETag, Last-Modified */
	struct MHD_Response *not_modified; /* 304: same, sent without the body */
	char etag[FEED_ETAG_MAX];
	time_t last_modified;
};

struct feed {
	struct MHD_Daemon *mhd;              /* used only by serve() once it runs */
	int fd;                              /* listening socket (owned by mhd) */
	int wake;                            /* eventfd: feed_free() stops serve() */
	pthread_t thread;                    /* serve(), if started */
	bool serving;
	pthread_mutex_t lock;                /* guards rep and path */
	struct rep *rep;                     /* NULL until the first feed_set() */
	char *path;
	struct MHD_Response *not_found;      /* 404 */
	struct MHD_Response *not_allowed;    /* 405 with Allow */
	struct MHD_Response *unavailable;    /* 503 before the first feed_set() */
};

/* ---- validators ---- */

/*
 * Content hash for the strong ETag: the length and a 64-bit FNV-1a.  The
 * ETag only has to change when the bytes change (RFC 7232 §2.3.1); it is no
 * security boundary (the admin writes the config), and a 64-bit collision
 * between two successive versions of the feed is negligible.
 */
void feed_etag(const char *bytes, size_t len, char buf[FEED_ETAG_MAX])
{
	uint64_t h = util_fnv1a(UTIL_FNV_INIT, bytes, len);

	snprintf(buf, FEED_ETAG_MAX, "\"%zx-%016" PRIx64 "\"", len, h);
}

static const char wdays[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* IMF-fixdate (RFC 7231 §7.1.1.1), built by hand: strftime's %a/%b follow
 * the locale. */
static int format_http_date(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
	             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < len ? 0 : -EINVAL;
}

static int month_index(const char *name)
{
	for (int i = 0; i < 12; i++)
		if (strcmp(name, months[i]) == 0)
			return i;
	return -1;
}

/*
 * Parse an HTTP-date in any of the three formats a recipient must accept
 * (RFC 7231 §7.1.1.1): IMF-fixdate, obsolete RFC 850 and asctime.  The
 * weekday is not checked.  Returns 0 and *ret, or -EINVAL.
 */
static int parse_http_date(const char *s, time_t *ret)
{
	char wday[10], mon[4];
	int d, y, hh, mm, ss, n = -1;
	struct tm tm = { 0 };
	time_t t;

	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &d, mon, &y, &hh, &mm, &ss, &n) == 7 &&
	    n > 0 && s[n] == '\0') {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	} else if (n = -1, sscanf(s, "%9[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wday, &d, mon, &y,
	                          &hh, &mm, &ss, &n) == 7 && n > 0 && s[n] == '\0') {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT; §7.1.1.1 says a two-digit
		 * year more than 50 years ahead is in the past: 70..99 are 19xx */
		y += y < 70 ? 2000 : 1900;
	} else if (n = -1, sscanf(s, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wday, mon, &d, &hh, &mm,
	                          &ss, &y, &n) == 7 && n > 0 && s[n] == '\0') {
		/* asctime: Sun Nov  6 08:49:37 1994 */
	} else {
		return -EINVAL;
	}
	tm.tm_mon = month_index(mon);
	if (tm.tm_mon < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1970 || hh < 0 || mm < 0 ||
	    ss < 0)
		return -EINVAL;
	tm.tm_mday = d;
	tm.tm_year = y - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

/*
 * One element of an If-None-Match list at *p (RFC 9110 §8.8.3:
 * entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E /
 * obs-text).  Returns the opaque-tag's length (with its quotes) and sets
 * *ret_tag to it, or 0 when the element is not an entity-tag.
 */
static size_t entity_tag(const char *p, const char **ret_tag)
{
	size_t n = 1;

	if (p[0] == 'W' && p[1] == '/')
		p += 2;
	if (*p != '"')
		return 0;
	while (p[n] != '"') {
		unsigned char c = (unsigned char)p[n];

		if (c < 0x21 || c == 0x7f)
			return 0; /* the end, a control, or SP: no closing quote */
		n++;
	}
	*ret_tag = p;
	return n + 1;
}

/*
 * Does If-None-Match, all its field lines as one list (RFC 9110 §5.3),
 * match etag?  RFC 9110 §13.1.2: "*" alone matches (a current
 * representation exists), else a list of entity-tags compared weakly (a
 * W/ prefix is ignored).  A field that is neither, e.g. `"a", *` or `**`,
 * matches nothing: the client then simply gets the full 200, which is
 * always safe.  Empty list elements are allowed (§5.6.1).
 */
static bool etag_list_matches(const char *const *lines, size_t n_lines, const char *etag)
{
	size_t etag_len = strlen(etag), elements = 0;
	bool star = false, match = false;

	for (size_t i = 0; i < n_lines; i++) {
		const char *p = lines[i];

		for (;;) {
			const char *tag = NULL;
			size_t len;

			p += strspn(p, " \t,");
			if (*p == '\0')
				break;
			elements++;
			if (*p == '*') {
				star = true;
				len = 1;
			} else if ((len = entity_tag(p, &tag)) == 0) {
				return false;
			} else {
				match = match || (len == etag_len && memcmp(tag, etag, len) == 0);
				len += (size_t)(tag - p);
			}
			p += len;
			p += strspn(p, " \t");
			if (*p != ',' && *p != '\0')
				return false;   /* "**", "\"a\"x" */
		}
	}
	return star ? elements == 1 : match;
}

/* What on_request needs of a request, without libmicrohttpd. */
#define FEED_INM_LINES 16
struct request {
	const char *method;
	const char *url;        /* decoded path */
	const char *inm[FEED_INM_LINES]; /* If-None-Match field lines */
	size_t n_inm;
	bool inm_cut;           /* more lines than inm holds */
	const char *ims;        /* If-Modified-Since, or NULL */
};

/*
 * RFC 9110 §13.2.2 for GET/HEAD: If-None-Match decides when present, and
 * then If-Modified-Since is ignored; otherwise a valid If-Modified-Since
 * not older than Last-Modified means 304.  An invalid date is ignored.
 * If-Match/If-Unmodified-Since (steps 1-2) only guard state-changing
 * requests in practice; this resource has none, so they are not evaluated.
 * Too many If-None-Match lines to look at give no 304: always safe.
 */
static bool not_modified(const struct request *req, const struct rep *rep)
{
	time_t since;

	if (req->n_inm > 0)
		return !req->inm_cut && etag_list_matches(req->inm, req->n_inm, rep->etag);
	return req->ims && parse_http_date(req->ims, &since) == 0 && rep->last_modified <= since;
}

/*
 * The status for req: path is the feed's, rep the current representation
 * (NULL before the first feed_set()).  The decoded path must be exactly
 * the feed's path (see unescape_path() for a decoded NUL).
 */
static unsigned respond(const struct request *req, const char *path, const struct rep *rep)
{
	if (strcmp(req->url, path) != 0)
		return MHD_HTTP_NOT_FOUND;
	if (strcmp(req->method, MHD_HTTP_METHOD_GET) != 0 && strcmp(req->method, MHD_HTTP_METHOD_HEAD) != 0)
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	if (!rep)
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	return not_modified(req, rep) ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
}

/* ---- requests ---- */

/*
 * libmicrohttpd's own unescaping (MHD_http_unescape) decodes "%00" and the
 * string then ends there: "/feed.ics%00" would be "/feed.ics".  A path
 * with a NUL is no path of ours: it becomes "", which matches nothing.
 */
static size_t unescape_path(void *cls, struct MHD_Connection *c, char *uri)
{
	size_t n = MHD_http_unescape(uri);

	(void)cls, (void)c;
	if (strlen(uri) == n)
		return n;
	uri[0] = '\0';
	return 0;
}

/* Collect the conditional headers; If-None-Match may come as several
 * field lines (RFC 9110 §5.3). */
static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct request *req = cls;

	(void)kind;
	if (!key || !value)
		return MHD_YES;
	if (strcasecmp(key, MHD_HTTP_HEADER_IF_NONE_MATCH) == 0) {
		if (req->n_inm < FEED_INM_LINES)
			req->inm[req->n_inm++] = value;
		else
			req->inm_cut = true;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_IF_MODIFIED_SINCE) == 0 && !req->ims) {
		req->ims = value;
	}
	return MHD_YES;
}

/* Does the request announce a body (RFC 7230 §3.3)? */
static bool has_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl && strspn(cl, "0") != strlen(cl)) ||
	       MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/*
 * libmicrohttpd calls this once when the headers are in, then again when
 * the body is complete.  A response queued on the first call makes it close
 * the connection afterwards (it cannot know where the next request starts),
 * so requests without a body are answered on the second call and keep their
 * connection alive.  Requests with a body are answered at once, so the body
 * is never read.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
	static char seen;
	struct feed *f = cls;
	struct request req = { .method = method, .url = url };
	struct MHD_Response *resp;
	unsigned status;
	enum MHD_Result r;

	(void)version, (void)upload_data;
	if (!*req_cls && !has_body(c)) {
		*req_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size)
		return MHD_NO; /* cannot happen: bodies are answered on the first call */
	(void)MHD_get_connection_values(c, MHD_HEADER_KIND, scan_header, &req);
	pthread_mutex_lock(&f->lock);
	status = respond(&req, f->path, f->rep);
	switch (status) {
	case MHD_HTTP_NOT_FOUND: resp = f->not_found; break;
	case MHD_HTTP_METHOD_NOT_ALLOWED: resp = f->not_allowed; break;
	case MHD_HTTP_SERVICE_UNAVAILABLE: resp = f->unavailable; break;
	case MHD_HTTP_NOT_MODIFIED: resp = f->rep->not_modified; break;
	default: resp = f->rep->ok; break;
	}
	/* takes the connection's own reference on resp */
	r = MHD_queue_response(c, status, resp);
	pthread_mutex_unlock(&f->lock);
	return r;
}

/* A small text/plain response, for the error statuses.  NULL on ENOMEM. */
static struct MHD_Response *text_response(const char *text, const char *header, const char *value)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return NULL;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8") != MHD_YES ||
	    (header && MHD_add_response_header(resp, header, value) != MHD_YES)) {
		MHD_destroy_response(resp);
		return NULL;
	}
	return resp;
}

/* ---- representations ---- */

static void rep_free(struct rep *rep)
{
	if (!rep)
		return;
	/* drops our reference; connections still sending keep theirs */
	if (rep->ok)
		MHD_destroy_response(rep->ok);
	if (rep->not_modified)
		MHD_destroy_response(rep->not_modified);
	free(rep);
}

/* The validators and Cache-Control, which a 304 must repeat (RFC 7232 §4.1). */
static bool add_validators(struct MHD_Response *resp, const struct rep *rep, const char *date)
{
	return MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rep->etag) == MHD_YES &&
	       MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date) == MHD_YES &&
	       MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, FEED_CACHE_CONTROL) == MHD_YES;
}

/*
 * The feed bytes, shared by the 200 and the 304 response of one rep: a
 * 304 has to state the Content-Length the 200 would have (RFC 7230
 * §3.3.2; libmicrohttpd's own "Content-Length: 0" for an empty 304 would
 * break that), and libmicrohttpd sends a 304 without its body, so both
 * responses point at the same bytes.  Each response holds one reference;
 * the last one released (by whichever thread) frees the blob.
 */
struct body {
	atomic_uint refs;
	char bytes[];
};

static void body_unref(void *bytes)
{
	struct body *b = (struct body *)((char *)bytes - offsetof(struct body, bytes));

	if (atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static struct MHD_Response *body_response(struct body *b, size_t len)
{
	struct MHD_Response *resp;

	atomic_fetch_add(&b->refs, 1);
	resp = MHD_create_response_from_buffer_with_free_callback(len, b->bytes, body_unref);
	if (!resp)
		body_unref(b->bytes);
	return resp;
}

static struct rep *rep_new(const char *bytes, size_t len, time_t last_modified)
{
	struct rep *rep = calloc(1, sizeof(*rep));
	struct body *body = len < SIZE_MAX - sizeof(*body) ? malloc(sizeof(*body) + len) : NULL;
	char date[40];

	if (!rep || !body || format_http_date(last_modified, date, sizeof(date)) < 0)
		goto fail;
	atomic_init(&body->refs, 1); /* ours, until both responses hold theirs */
	memcpy(body->bytes, bytes, len);
	feed_etag(bytes, len, rep->etag);
	rep->last_modified = last_modified;
	rep->ok = body_response(body, len);
	rep->not_modified = body_response(body, len);
	if (!rep->ok || !rep->not_modified || !add_validators(rep->ok, rep, date) ||
	    !add_validators(rep->not_modified, rep, date) ||
	    MHD_add_response_header(rep->ok, MHD_HTTP_HEADER_CONTENT_TYPE, FEED_CONTENT_TYPE) != MHD_YES)
		goto fail;
	body_unref(body->bytes);
	return rep;
fail:
	if (body)
		body_unref(body->bytes);
	rep_free(rep);
	return NULL;
}

int feed_set(struct feed *f, const char *bytes, size_t len, time_t last_modified)
{
	time_t now = time(NULL);
	struct rep *rep, *old;

	/* RFC 7232 §2.2.1: a Last-Modified in the future must be replaced by
	 * the present, or clients would never get a 304 by date */
	if (last_modified <= 0 || last_modified > now)
		last_modified = now;
	rep = rep_new(bytes, len, last_modified);
	if (!rep)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	old = f->rep;
	f->rep = rep;
	pthread_mutex_unlock(&f->lock);
	rep_free(old);
	return 0;
}

int feed_set_path(struct feed *f, const char *path)
{
	char *copy, *old;

	if (!path || path[0] != '/')
		return -EINVAL;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	old = f->path;
	f->path = copy;
	pthread_mutex_unlock(&f->lock);
	free(old);
	return 0;
}

/* ---- listening ---- */

/* "host:port" or "[v6]:port" into host and port (digits only, <= 65535). */
static int split_listen(const char *spec, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec;
	size_t n, plen;

	if (!colon)
		return -EINVAL;
	plen = strlen(colon + 1);
	if (plen == 0 || plen > 5 || strspn(colon + 1, "0123456789") != plen || plen >= portlen ||
	    strtol(colon + 1, NULL, 10) > 65535)
		return -EINVAL;
	n = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (n < 3 || spec[n - 1] != ']')
			return -EINVAL;
		h = spec + 1;
		n -= 2;
	} else if (memchr(spec, ':', n) || memchr(spec, ']', n)) {
		return -EINVAL; /* an IPv6 address needs brackets */
	}
	if (n == 0 || n >= hostlen || memchr(h, '[', n) || memchr(h, ']', n))
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	memcpy(port, colon + 1, plen + 1);
	return 0;
}

/* A listening socket on the first address of spec that binds. */
static int open_listener(const char *spec, int *ret_fd, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[256], port[8];
	int fd = -1, r, e = EADDRNOTAVAIL;

	if (split_listen(spec, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "\"%s\" is not host:port or [v6]:port", spec);
		return -EINVAL;
	}
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(r));
		return r == EAI_MEMORY ? -ENOMEM : -EADDRNOTAVAIL;
	}
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		/* a restart must not wait for TIME_WAIT connections of the old process */
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, FEED_BACKLOG) < 0) {
			e = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(e));
		return -e;
	}
	*ret_fd = fd;
	return 0;
}

/* Start libmicrohttpd on f->fd.  On failure f->fd is closed. */
static int start_mhd(struct feed *f, char *err, size_t errlen)
{
	struct stat before, after;
	bool known = fstat(f->fd, &before) == 0;

	/* MHD_USE_EPOLL without MHD_USE_INTERNAL_POLLING_THREAD: external
	 * polling, serve() runs it (cost per event, not per idle connection).
	 * No MHD_USE_ERROR_LOG: this module reports through its
	 * return values; per-connection trouble is the client's, not the admin's. */
	f->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, f,
	                          MHD_OPTION_LISTEN_SOCKET, (MHD_socket)f->fd,
	                          MHD_OPTION_CONNECTION_LIMIT, FEED_MAX_CONNECTIONS,
	                          MHD_OPTION_PER_IP_CONNECTION_LIMIT, FEED_MAX_PER_IP,
	                          MHD_OPTION_CONNECTION_TIMEOUT, FEED_IDLE_SECONDS,
	                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, FEED_CONN_MEMORY,
	                          MHD_OPTION_UNESCAPE_CALLBACK, unescape_path, NULL,
	                          MHD_OPTION_END);
	if (f->mhd)
		return 0;
	/* whether libmicrohttpd closed the socket on failure is not
	 * documented: close it only if it is still ours */
	if (known && fstat(f->fd, &after) == 0 && after.st_ino == before.st_ino && after.st_dev == before.st_dev)
		close(f->fd);
	f->fd = -1;
	snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd)");
	return -EIO;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until libmicrohttpd has something to do (its epoll fd is readable
 * or MHD_get_timeout() expires), limit_ms pass (-1: no limit) or wake
 * (-1: none) is readable.  Returns 1 when wake is readable, else 0, or a
 * negative errno.
 */
static int wait_for_work(struct MHD_Daemon *mhd, int epfd, int wake, int64_t limit_ms)
{
	struct pollfd p[2] = { { .fd = epfd, .events = POLLIN }, { .fd = wake, .events = POLLIN } };
	MHD_UNSIGNED_LONG_LONG t;
	int64_t timeout = limit_ms;

	if (MHD_get_timeout(mhd, &t) == MHD_YES && (timeout < 0 || t < (MHD_UNSIGNED_LONG_LONG)timeout))
		timeout = t < INT_MAX ? (int64_t)t : INT_MAX;
	if (poll(p, 2, timeout > INT_MAX ? INT_MAX : (int)timeout) < 0)
		return errno == EINTR ? 0 : -errno;
	return (p[1].revents & POLLIN) ? 1 : 0;
}

/*
 * Stop mhd without touching the listening socket itself.  Called by the
 * one thread that runs mhd, so no accept(2) is in flight: after
 * MHD_quiesce_daemon() every connection taken from the kernel's queue is
 * known, and the loop answers them (or gives a stalled one FEED_DRAIN_MS)
 * before MHD_stop_daemon() closes what is left.  Connections arriving
 * meanwhile wait in the queue for the next process.
 *
 * Never shutdown(2) the socket: a socket from systemd is shared with
 * systemd; after a shutdown() it no longer listens, systemd sees POLLHUP
 * and fails gremiumd.socket, and the next start gets a dead socket
 * (test_feed's test_socket_survives_restarts).  Only our descriptor is
 * closed, systemd keeps its own.
 */
static void stop_mhd(struct MHD_Daemon *mhd, int epfd)
{
	MHD_socket fd = MHD_quiesce_daemon(mhd);
	int64_t end = now_ms() + FEED_DRAIN_MS, left;
	const union MHD_DaemonInfo *info;

	while (fd != MHD_INVALID_SOCKET &&
	       (info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS)) && info->num_connections > 0 &&
	       (left = end - now_ms()) > 0 && wait_for_work(mhd, epfd, -1, left) >= 0 && MHD_run(mhd) == MHD_YES)
		;
	/* closes the listening socket only if the quiesce failed */
	MHD_stop_daemon(mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

/* The server thread: runs f->mhd until feed_free() writes to f->wake,
 * then stops it (stop_mhd()).  A failure of poll(2) or of libmicrohttpd's
 * epoll_wait() (ENOMEM) ends serving the same way. */
static void *serve(void *arg)
{
	struct feed *f = arg;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	int epfd = info ? info->epoll_fd : -1;

	while (wait_for_work(f->mhd, epfd, f->wake, -1) == 0 && MHD_run(f->mhd) == MHD_YES)
		;
	stop_mhd(f->mhd, epfd);
	return NULL;
}

/* Start serve() on f->mhd, with every signal blocked in it: signals are
 * the daemon thread's.  On failure, f->mhd is stopped. */
static int start_serving(struct feed *f, char *err, size_t errlen)
{
	sigset_t all, old;
	int r;

	f->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = f->wake < 0 ? -errno : 0;
	if (r == 0) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = -pthread_create(&f->thread, NULL, serve, f);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (r == 0) {
		f->serving = true;
		return 0;
	}
	stop_mhd(f->mhd, -1);
	snprintf(err, errlen, "cannot start the HTTP server thread: %s", strerror(-r));
	return r;
}

int feed_new_serving(const char *listen, int fd, const char *path, const char *bytes, size_t len,
                     time_t last_modified, struct feed **ret, char *err, size_t errlen)
{
	struct feed *f;
	int r;

	if (!path || path[0] != '/' || (fd < 0 && !listen)) {
		snprintf(err, errlen, "the feed needs a path starting with '/' and an address");
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || pthread_mutex_init(&f->lock, NULL) != 0) {
		free(f);
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->fd = fd;
	f->wake = -1;
	f->path = strdup(path);
	f->not_found = text_response("not found\n", NULL, NULL);
	f->not_allowed = text_response("method not allowed\n", MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	f->unavailable = text_response("the feed is not ready yet\n", MHD_HTTP_HEADER_RETRY_AFTER, FEED_RETRY_AFTER);
	if (!f->path || !f->not_found || !f->not_allowed || !f->unavailable) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
	} else if (bytes && feed_set(f, bytes, len, last_modified) < 0) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
	} else {
		r = f->fd >= 0 ? 0 : open_listener(listen, &f->fd, err, errlen);
		if (r == 0)
			r = start_mhd(f, err, errlen);
		if (r == 0)
			r = start_serving(f, err, errlen);
	}
	if (r < 0) {
		if (!f->mhd && f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		f->mhd = NULL;
		feed_free(f);
		return r;
	}
	*ret = f;
	return 0;
}

int feed_new(const char *listen, int fd, const char *path, struct feed **ret, char *err, size_t errlen)
{
	return feed_new_serving(listen, fd, path, NULL, 0, 0, ret, err, errlen);
}

uint16_t feed_port(const struct feed *f)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!f || f->fd < 0 || getsockname(f->fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

void feed_free(struct feed *f)
{
	if (!f)
		return;
	if (f->serving) {
		uint64_t one = 1;
		/* cannot fail: the counter is far from overflowing */
		ssize_t n = write(f->wake, &one, sizeof(one));

		(void)n;
		pthread_join(f->thread, NULL);
	}
	if (f->wake >= 0)
		close(f->wake);
	rep_free(f->rep);
	if (f->not_found)
		MHD_destroy_response(f->not_found);
	if (f->not_allowed)
		MHD_destroy_response(f->not_allowed);
	if (f->unavailable)
		MHD_destroy_response(f->unavailable);
	pthread_mutex_destroy(&f->lock);
	free(f->path);
	free(f);
}
