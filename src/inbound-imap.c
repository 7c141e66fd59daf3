/* SPDX-License-Identifier: MIT */
/*
 * inbound - the IMAP source: libcurl, one easy handle per pass, so every
 * step runs on the same connection (libcurl keeps it open between
 * transfers of a handle).  See inbound.h.
 *
 * How libcurl's IMAP is driven (its URL scheme is RFC 5092's):
 *   URL .../MAILBOX + CURLOPT_CUSTOMREQUEST: libcurl SELECTs MAILBOX unless
 *     the connection has it selected, then sends the request as it is; the
 *     untagged responses come to the write callback.  SELECT's responses
 *     (UIDVALIDITY among them, RFC 3501 §6.3.1) and every other server line
 *     come to the header callback.
 *   URL .../MAILBOX/;UID=n: "UID FETCH n BODY[]", the message to the write
 *     callback.
 * So the first request (UID SEARCH) also SELECTs and gives UIDVALIDITY;
 * the rest reuse the selection.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlsetup.h"
#include "inbound-internal.h"
#include "util.h"

/* A response to a custom request: SEARCH of a big mailbox is ~7 bytes per
 * message; more than this is no mailbox we read. */
#define IMAP_MAX_RESPONSE (8 * 1024 * 1024)

struct imap {
	struct inbound_run *run;
	CURL *c;
	struct curlsetup account;
	char *url;              /* imap_url with the mailbox (INBOX by default) */
	char done_q[300];       /* done_folder as an IMAP quoted string */
	char *buf;              /* what the write callback received */
	size_t len, size, cap;  /* used, allocated, limit */
	bool overflow;          /* more than cap arrived */
	size_t offered;         /* then: what had arrived with the chunk refused */
	bool oom;               /* the buffer could not grow */
	char last[512];         /* the server's last tagged NO or BAD, tag removed */
	uint32_t uidvalidity;   /* 0: none seen */
	bool uidvalidity_changed;
	bool ready;             /* capabilities known, done folder exists */
	bool has_move, has_uidplus;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t imap_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct imap *im = userdata;
	size_t n = size * nmemb;

	if (n > im->cap - im->len) {
		im->overflow = true;
		im->offered = im->len + n;      /* at least that much was coming */
		return 0;       /* libcurl ends the transfer: CURLE_WRITE_ERROR */
	}
	if (im->len + n + 1 > im->size) {
		size_t want = im->size ? im->size : 4096;
		char *p;

		while (want < im->len + n + 1)
			want *= 2;
		if (!(p = realloc(im->buf, want))) {
			im->oom = true;
			return 0;
		}
		im->buf = p;
		im->size = want;
	}
	memcpy(im->buf + im->len, data, n);
	im->len += n;
	im->buf[im->len] = '\0';
	return n;
}

/* Every line the server sends: UIDVALIDITY, and the tagged replies. */
static size_t imap_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct imap *im = userdata;
	size_t n = size * nmemb, len = n;
	const char *sp;
	uint32_t v;

	if (inbound_parse_uidvalidity(data, n, &v) == 0) {
		if (im->uidvalidity && v != im->uidvalidity)
			im->uidvalidity_changed = true;
		im->uidvalidity = v;
	} else if (n > 0 && data[0] != '*' && data[0] != '+' && (sp = memchr(data, ' ', n)) &&
	           (size_t)(data + n - sp) > 3 &&
	           (strncasecmp(sp + 1, "NO", 2) == 0 || strncasecmp(sp + 1, "BAD", 3) == 0)) {
		/* "A005 NO [AUTHENTICATIONFAILED] ...": keep what follows the tag
		 * (not the OK of the LOGOUT that libcurl sends after it) */
		len = n - (size_t)(sp + 1 - data);
		while (len > 0 && (sp[len] == '\n' || sp[len] == '\r'))
			len--;
		if (len >= sizeof(im->last))
			len = sizeof(im->last) - 1;
		memcpy(im->last, sp + 1, len);
		im->last[len] = '\0';
		for (char *p = im->last; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	}
	return n;
}

/* A one-line reason for a failed transfer, and its errno. */
static int imap_error(struct imap *im, CURLcode rc, const char *what)
{
	struct inbound_run *run = im->run;
	const char *why = im->errbuf[0] ? im->errbuf : curl_easy_strerror(rc);
	const char *tls = curlsetup_tls_failure(rc);
	const char *url = run->cfg->imap_url;

	if (im->oom) {
		snprintf(run->err, run->errlen, "inbound: out of memory");
		return -ENOMEM;
	}
	/* libcurl reports a refused SELECT as CURLE_LOGIN_DENIED too */
	if (rc == CURLE_LOGIN_DENIED && strncmp(im->errbuf, "Select failed", 13) == 0) {
		snprintf(run->err, run->errlen, "inbound: %s: cannot select the mailbox: %s", url,
		         im->last[0] ? im->last : why);
		return -ENOENT;
	}
	switch (rc) {
	case CURLE_LOGIN_DENIED:
		snprintf(run->err, run->errlen, "inbound: %s: login failed (wrong username or password?): %s",
		         url, im->last[0] ? im->last : why);
		return -EACCES;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		snprintf(run->err, run->errlen, "inbound: %s: cannot connect: %s", url, why);
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(run->err, run->errlen, "inbound: %s: %s: timed out: %s", url, what, why);
		return -ETIMEDOUT;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
		snprintf(run->err, run->errlen, "inbound: %s: %s: connection dropped: %s", url, what, why);
		return -ECONNRESET;
	case CURLE_QUOTE_ERROR:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_REMOTE_FILE_NOT_FOUND:
		snprintf(run->err, run->errlen, "inbound: %s: %s: the server refused: %s", url, what,
		         im->last[0] ? im->last : why);
		return -EIO;
	default:
		if (tls) {
			snprintf(run->err, run->errlen, "inbound: %s: %s: %s", url, tls, why);
			return -EPROTO;
		}
		snprintf(run->err, run->errlen, "inbound: %s: %s: %s", url, what, why);
		return -EIO;
	}
}

/*
 * One transfer on the pass's connection: url (NULL: the mailbox's), custom
 * request or NULL; at most cap bytes of response (-EFBIG when more came:
 * the transfer is cut off).  0, or a negative errno with err filled.
 */
static int imap_do(struct imap *im, const char *url, const char *custom, size_t cap,
                   const char *what)
{
	CURLcode rc;

	im->len = 0;
	im->cap = cap;
	im->overflow = im->oom = false;
	im->errbuf[0] = '\0';
	im->last[0] = '\0';
	rc = curl_easy_setopt(im->c, CURLOPT_URL, url ? url : im->url);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(im->c, CURLOPT_CUSTOMREQUEST, custom);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(im->c);
	if (rc == CURLE_WRITE_ERROR && im->overflow)
		return -EFBIG;
	if (rc != CURLE_OK)
		return imap_error(im, rc, what);
	if (im->uidvalidity_changed) {
		snprintf(im->run->err, im->run->errlen,
		         "inbound: %s: UIDVALIDITY changed during the pass; the next pass starts over",
		         im->run->cfg->imap_url);
		return -ESTALE;
	}
	return 0;
}

/* A custom request whose response is parsed; printf-like. */
static int imap_cmd(struct imap *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int imap_cmd(struct imap *im, const char *fmt, ...)
{
	char cmd[400];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = imap_do(im, NULL, cmd, IMAP_MAX_RESPONSE, cmd);
	if (r == -EFBIG)
		snprintf(im->run->err, im->run->errlen, "inbound: %s: %s: response larger than %d MiB",
		         im->run->cfg->imap_url, cmd, IMAP_MAX_RESPONSE >> 20);
	return r;
}

/* name as an IMAP quoted string (RFC 3501 §4.3); printable ASCII only
 * (other names need modified UTF-7), no LIST wildcards. */
static int quote_mailbox(const char *name, char *buf, size_t len)
{
	size_t o = 0;

	if (!name || !*name)
		return -EINVAL;
	buf[o++] = '"';
	for (const char *p = name; *p; p++) {
		if (*p < 0x20 || *p > 0x7e || *p == '*' || *p == '%' || o + 4 > len)
			return -EINVAL;
		if (*p == '"' || *p == '\\')
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

/* Before the first message is marked done: what the server can (MOVE,
 * UIDPLUS) and the done folder, created when missing. */
static int imap_prepare_done(struct imap *im)
{
	int r;

	if (im->ready)
		return 0;
	if ((r = imap_cmd(im, "CAPABILITY")) < 0)
		return r;
	im->has_move = inbound_parse_capability(im->buf, im->len, "MOVE");
	im->has_uidplus = inbound_parse_capability(im->buf, im->len, "UIDPLUS");
	if ((r = imap_cmd(im, "LIST \"\" %s", im->done_q)) < 0)
		return r;
	if (!inbound_parse_list(im->buf, im->len) &&
	    (r = imap_cmd(im, "CREATE %s", im->done_q)) < 0)
		return r;
	im->ready = true;
	return 0;
}

/* Mark uid done: UID MOVE to the done folder (RFC 6851), or without MOVE
 * copy, flag \Deleted and (with UIDPLUS, RFC 4315) expunge just it; a
 * server without UIDPLUS keeps it flagged (UID SEARCH UNDELETED skips it). */
static int imap_mark_done(struct imap *im, uint32_t uid)
{
	int r = imap_prepare_done(im);

	if (r < 0)
		return r;
	if (im->has_move)
		return imap_cmd(im, "UID MOVE %u %s", uid, im->done_q);
	if ((r = imap_cmd(im, "UID COPY %u %s", uid, im->done_q)) < 0 ||
	    (r = imap_cmd(im, "UID STORE %u +FLAGS.SILENT (\\Deleted)", uid)) < 0)
		return r;
	return im->has_uidplus ? imap_cmd(im, "UID EXPUNGE %u", uid) : 0;
}

/* Fetch uid (at most max_bytes) and hand it over; too large: without the
 * bytes. */
static int imap_take(struct imap *im, const char *id, uint32_t uid)
{
	struct inbound_run *run = im->run;
	struct inbound_msg m = { .source_id = id };
	uint64_t size;
	char what[64], *url;
	int r;

	snprintf(what, sizeof(what), "UID FETCH %u", uid);
	if ((r = imap_cmd(im, "UID FETCH %u (UID RFC822.SIZE)", uid)) < 0)
		return r;
	r = inbound_parse_size(im->buf, im->len, uid, &size);
	if (r == -ENOENT)
		return 1;       /* expunged meanwhile: nothing to take */
	if (r < 0) {
		snprintf(run->err, run->errlen, "inbound: %s: %s: malformed response", run->cfg->imap_url, what);
		return -EPROTO;
	}
	m.size = size > SIZE_MAX ? SIZE_MAX : (size_t)size;
	m.too_large = size > run->max_bytes;
	if (!m.too_large) {
		if (!(url = util_asprintf("%s/;UID=%u", im->url, uid)))
			return -ENOMEM;
		/* the cap also holds when the server sends more than it said */
		r = imap_do(im, url, NULL, run->max_bytes, what);
		free(url);
		if (r == -EFBIG) {
			/* the server said less than it sent: report what it sent */
			m.too_large = true;
			m.size = im->offered > m.size ? im->offered : m.size;
		} else if (r < 0)
			return r;
		else {
			m.bytes = im->buf ? im->buf : "";
			m.len = im->len;
		}
	}
	return inbound_hand_over(run, &m);
}

static int imap_message(struct imap *im, uint32_t uid)
{
	char id[64];
	int r;

	snprintf(id, sizeof(id), "imap:%u:%u", im->uidvalidity, uid);
	r = inbound_ask_seen(im->run, id);
	if (r < 0)
		return r;
	if (r == 1) {
		/* recorded by an earlier pass that did not get to mark it done */
		im->run->stats->already_seen++;
		return imap_mark_done(im, uid);
	}
	r = imap_take(im, id, uid);
	if (r < 0)
		return r;
	return r == 1 ? 0 : imap_mark_done(im, uid);
}

/* The handle, the account and the mailbox URL. */
static int imap_open(struct imap *im, const char *password)
{
	struct inbound_run *run = im->run;
	const struct gr_inbound *cfg = run->cfg;
	const char *u = cfg->imap_url, *path;
	CURLcode rc = CURLE_OK;
	int r;

	if (!u || (strncasecmp(u, "imaps://", 8) != 0 && strncasecmp(u, "imap://", 7) != 0)) {
		snprintf(run->err, run->errlen, "inbound: imap_url must start with imaps:// or imap://");
		return -EINVAL;
	}
	if (quote_mailbox(cfg->done_folder ? cfg->done_folder : "gremiumd-done", im->done_q,
	                  sizeof(im->done_q)) < 0) {
		snprintf(run->err, run->errlen, "inbound: done_folder must be printable ASCII without * or %%");
		return -EINVAL;
	}
	if (cfg->username && !password) {
		snprintf(run->err, run->errlen, "inbound: username is set but there is no password");
		return -EINVAL;
	}
	/* the mailbox is the path; none: INBOX */
	path = strchr(u + (u[4] == 's' || u[4] == 'S' ? 8 : 7), '/');
	im->url = !path || !path[1] ? util_asprintf("%s%sINBOX", u, path ? "" : "/")
	                            : util_asprintf("%s", u);
	if (!im->url)
		return -ENOMEM;
	while (im->url[strlen(im->url) - 1] == '/')
		im->url[strlen(im->url) - 1] = '\0';
	r = curlsetup_load(&im->account, "inbound", cfg->username, password, NULL, NULL, cfg->ca_file,
	                   cfg->timeout, run->err, run->errlen, NULL);
	if (r < 0)
		return r;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(run->err, run->errlen, "inbound: cannot initialise libcurl");
		return -ENOMEM;
	}
	if (!(im->c = curl_easy_init())) {
		curl_global_cleanup();
		snprintf(run->err, run->errlen, "inbound: cannot initialise libcurl");
		return -ENOMEM;
	}
	/* RFC 9051 §11.1 / RFC 2595: STARTTLS always required on imap:// */
	r = curlsetup_apply(im->c, &im->account, "inbound", im->url, "imap,imaps", false, run->err,
	                    run->errlen);
	if (r < 0)
		return r;
	rc = curl_easy_setopt(im->c, CURLOPT_WRITEFUNCTION, imap_write);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(im->c, CURLOPT_WRITEDATA, im);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(im->c, CURLOPT_HEADERFUNCTION, imap_header);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(im->c, CURLOPT_HEADERDATA, im);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(im->c, CURLOPT_ERRORBUFFER, im->errbuf);
	if (rc != CURLE_OK) {
		snprintf(run->err, run->errlen, "inbound: %s", curl_easy_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

static void imap_close(struct imap *im)
{
	if (im->c) {
		curl_easy_cleanup(im->c);
		curl_global_cleanup();
	}
	curlsetup_clear(&im->account);
	free(im->url);
	free(im->buf);
}

int inbound_imap_pass(struct inbound_run *run, const char *password)
{
	struct imap im = { .run = run };
	uint32_t *uids = NULL;
	int r, n = 0;

	r = imap_open(&im, password);
	/* UNDELETED: a message left \Deleted (copied out, no UIDPLUS) is done */
	if (r == 0)
		r = imap_cmd(&im, "UID SEARCH UNDELETED");
	if (r == 0 && !im.uidvalidity) {
		snprintf(run->err, run->errlen, "inbound: %s: the server sent no UIDVALIDITY",
		         run->cfg->imap_url);
		r = -EPROTO;
	}
	if (r == 0 && !(uids = calloc(INBOUND_MAX_PER_PASS, sizeof(*uids))))
		r = -ENOMEM;
	if (r == 0 && (n = inbound_parse_search(im.buf, im.len, uids, INBOUND_MAX_PER_PASS)) < 0) {
		snprintf(run->err, run->errlen, "inbound: %s: UID SEARCH: malformed response",
		         run->cfg->imap_url);
		r = -EPROTO;
	}
	for (int i = 0; r == 0 && i < n; i++)
		r = imap_message(&im, uids[i]);
	if (r == -ENOMEM && !run->err[0])
		snprintf(run->err, run->errlen, "inbound: out of memory");
	free(uids);
	imap_close(&im);
	return r < 0 ? r : 0;
}
