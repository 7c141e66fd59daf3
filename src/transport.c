/* SPDX-License-Identifier: MIT */
/*
 * transport - deliver one rendered message.  See transport.h.
 *
 * A table of backends (like isync's driver.h): each backend has open, send,
 * start and close.  The smtp backend splits a delivery into job setup,
 * transfer and classification, so that the synchronous tr_send() (one easy
 * handle, curl_easy_perform) and the asynchronous slots (one easy handle per
 * slot in a multi handle driven by the caller's event loop) share the setup
 * and classification code.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "transport.h"
#include "util.h"

#define TR_MAX_PASSWORD 4096
#define TR_DEFAULT_TIMEOUT 60

struct tr_slot;

struct tr_backend {
	const char *name;
	int (*open)(struct transport *t, char *err, size_t errlen, FILE *warn);
	int (*send)(struct transport *t, const char *from, const char *rcpt,
	            const char *msg, size_t len, struct tr_outcome *ret);
	int (*start)(struct transport *t, struct tr_slot *slot, const char *from,
	             const char *rcpt, const char *msg, size_t len);
	void (*close)(struct transport *t);
};

/* One delivery: its data, envelope and what the server said. */
struct smtp_job {
	const char *msg;
	size_t len, pos;
	struct curl_slist *rcpt;
	char from[300];
	char last_reply[512];   /* last complete reply line from the server */
	char line[512];         /* reply line being assembled */
	size_t line_len;
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * One asynchronous delivery at a time.  The easy handle stays with the slot
 * for the transport's life: libcurl then finds the open session to the same
 * URL in the multi handle's connection cache and sends the next message on
 * it without a new TCP/TLS handshake and AUTH.
 */
struct tr_slot {
	CURL *easy;             /* smtp only */
	curl_socket_t fd;       /* the socket its transfer waits on, or CURL_SOCKET_BAD */
	struct smtp_job job;
	void *user;             /* the caller's job, NULL when the slot is free */
};

struct transport {
	const struct tr_backend *backend;
	const struct gr_delivery *d;    /* borrowed from the config */
	/* maildir */
	char host[256];                 /* hostname, '/' and ':' escaped */
	unsigned long deliveries;
	/* smtp */
	CURL *curl;                     /* reused: keeps the connection open */
	char *password;
	int timeout;
	/* asynchronous delivery (tr_async) */
	struct tr_hooks hooks;
	struct tr_slot *slots;
	size_t n_slots, n_busy;
	CURLM *multi;
};

static void outcome(struct tr_outcome *ret, enum tr_result result, int code,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fill *ret; the reply becomes one line of printable characters. */
static void outcome(struct tr_outcome *ret, enum tr_result result, int code,
                    const char *fmt, ...)
{
	va_list ap;

	ret->result = result;
	ret->code = code;
	va_start(ap, fmt);
	vsnprintf(ret->reply, sizeof(ret->reply), fmt, ap);
	va_end(ap);
	for (char *p = ret->reply; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static int result_errno(const struct tr_outcome *ret)
{
	return ret->result == TR_SENT ? 0 : ret->result == TR_TEMPORARY ? -EAGAIN : -EIO;
}

/* ---- maildir ---- */

/*
 * The maildir format (cr.yp.to/proto/maildir.html): deliver to tmp/ under a
 * name unique across time, processes and hosts, fsync, then rename into
 * new/, where readers only ever see complete files.
 */
/* The hostname for file names; the spec: '/' and ':' become "\\057" and
 * "\\072" (':' separates the flags of a message in cur/). */
static void maildir_host(char *out, size_t len)
{
	char host[200];
	size_t n = 0;

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (const char *p = host; *p && n + 5 < len; p++) {
		if (*p == '/' || *p == ':') {
			memcpy(out + n, *p == '/' ? "\\057" : "\\072", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static int maildir_open(struct transport *t, char *err, size_t errlen, FILE *warn)
{
	static const char *const subdirs[] = { "tmp", "new", "cur" };

	(void)warn;
	if (!t->d->maildir || t->d->maildir[0] != '/') {
		snprintf(err, errlen, "maildir: no absolute folder configured");
		return -EINVAL;
	}
	for (size_t i = 0; i < 3; i++) {
		char *p = util_asprintf("%s/%s", t->d->maildir, subdirs[i]);
		int r = p ? util_mkdir_p(p, 0700) : -ENOMEM;

		if (r < 0) {
			snprintf(err, errlen, "maildir: cannot create %s: %s", p ? p : t->d->maildir, strerror(-r));
			free(p);
			return r;
		}
		free(p);
	}
	maildir_host(t->host, sizeof(t->host));
	return 0;
}

/* "<sec>.M<usec>P<pid>Q<count>R<random>.<host>" */
static char *maildir_name(struct transport *t)
{
	struct timeval tv;
	unsigned long long rnd = 0;

	gettimeofday(&tv, NULL);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd ^= (unsigned long long)tv.tv_usec << 20 ^ (unsigned long long)t->deliveries;
	return util_asprintf("%lld.M%06ldP%ldQ%luR%016llx.%s", (long long)tv.tv_sec,
	                     (long)tv.tv_usec, (long)getpid(), ++t->deliveries, rnd, t->host);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

/* Write msg to tmp/name, fsync, rename to new/name, fsync new/. */
static int maildir_deliver(struct transport *t, const char *name, const char *msg, size_t len)
{
	char *tmp = util_asprintf("%s/tmp/%s", t->d->maildir, name);
	char *new = util_asprintf("%s/new/%s", t->d->maildir, name);
	char *newdir = util_asprintf("%s/new", t->d->maildir);
	int fd = -1, r = 0;

	if (!tmp || !new || !newdir) {
		r = -ENOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, msg, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, new) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	else
		r = fsync_dir(newdir);
out:
	free(tmp);
	free(new);
	free(newdir);
	return r;
}

/*
 * Every maildir failure is temporary: a full disk or a wrong permission is
 * fixed by the admin, and the message must wait in the outbox until then
 * rather than be dropped.
 */
static int maildir_send(struct transport *t, const char *from, const char *rcpt,
                        const char *msg, size_t len, struct tr_outcome *ret)
{
	char *name = maildir_name(t);
	int r;

	(void)from, (void)rcpt;
	if (!name) {
		outcome(ret, TR_TEMPORARY, 0, "maildir: out of memory");
		return -EAGAIN;
	}
	r = maildir_deliver(t, name, msg, len);
	if (r < 0)
		outcome(ret, TR_TEMPORARY, 0, "maildir: cannot deliver to %s: %s", t->d->maildir, strerror(-r));
	else
		outcome(ret, TR_SENT, 0, "delivered to %s/new/%s", t->d->maildir, name);
	free(name);
	return result_errno(ret);
}

/* maildir writes synchronously: the slot is free again before this returns. */
static int maildir_start(struct transport *t, struct tr_slot *slot, const char *from,
                         const char *rcpt, const char *msg, size_t len)
{
	struct tr_outcome out;

	(void)maildir_send(t, from, rcpt, msg, len, &out);
	t->hooks.done(t->hooks.data, slot->user, &out);
	slot->user = NULL;
	return 0;
}

static void maildir_close(struct transport *t)
{
	(void)t;
}

/* ---- smtp ---- */

static bool is_loopback_url(const char *url)
{
	static const char *const prefixes[] = {
		"smtp://127.", "smtp://localhost:", "smtp://localhost/", "smtp://[::1]",
	};

	if (strcmp(url, "smtp://localhost") == 0)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(url, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * The password: the file's content without its trailing line end.  Never
 * from the config itself, which is often world-readable.
 */
static int read_password(struct transport *t, char *err, size_t errlen, FILE *warn)
{
	const char *path = t->d->password_file;
	struct stat st;
	size_t len = 0;
	int r;

	if (!path) {
		snprintf(err, errlen, "smtp: username is set but password_file is not");
		return -EINVAL;
	}
	r = util_read_file(path, TR_MAX_PASSWORD, &t->password, &len);
	if (r < 0) {
		snprintf(err, errlen, "smtp: cannot read password_file %s: %s", path,
		         r == -EFBIG ? "larger than 4 KiB" : strerror(-r));
		return r;
	}
	while (len > 0 && (t->password[len - 1] == '\n' || t->password[len - 1] == '\r'))
		t->password[--len] = '\0';
	if (len == 0 || strlen(t->password) != len) {
		snprintf(err, errlen, "smtp: password_file %s is empty or holds a NUL byte", path);
		return -EINVAL;
	}
	if (warn && stat(path, &st) == 0 && (st.st_mode & 044))
		fprintf(warn, "warning: password_file %s is readable by group or others (mode %04o), continuing\n",
		        path, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Set the options on c that are the same for every message. */
static int smtp_setup(struct transport *t, CURL *c, char *err, size_t errlen)
{
	const struct gr_delivery *d = t->d;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, d->smtp_url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* RFC 3207: with STARTTLS "required", a server that does not offer it
	 * (or a man in the middle that strips it) fails the delivery */
	SET(CURLOPT_USE_SSL, (long)(d->starttls_required ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (d->ca_file)
		SET(CURLOPT_CAINFO, d->ca_file);
	if (d->username) {
		SET(CURLOPT_USERNAME, d->username);
		SET(CURLOPT_PASSWORD, t->password);
	}
	SET(CURLOPT_CONNECTTIMEOUT, (long)t->timeout);
	/* a step that stalls for `timeout` seconds ends the session; the whole
	 * session (connect, TLS, AUTH, envelope, data) gets three times that */
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, (long)t->timeout);
	SET(CURLOPT_TIMEOUT, (long)t->timeout * 3);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_UPLOAD, 1L);
#undef SET
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "smtp: %s", curl_easy_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

static int smtp_open(struct transport *t, char *err, size_t errlen, FILE *warn)
{
	const struct gr_delivery *d = t->d;
	int r;

	if (!d->smtp_url || (strncmp(d->smtp_url, "smtp://", 7) != 0 &&
	                     strncmp(d->smtp_url, "smtps://", 8) != 0)) {
		snprintf(err, errlen, "smtp: smtp_url must start with smtp:// or smtps://");
		return -EINVAL;
	}
	/* defence in depth: config allows starttls = off for loopback only */
	if (!d->starttls_required && strncmp(d->smtp_url, "smtp://", 7) == 0 &&
	    !is_loopback_url(d->smtp_url)) {
		snprintf(err, errlen, "smtp: starttls = off is only allowed for a server on 127.0.0.1 or ::1");
		return -EINVAL;
	}
	t->timeout = d->timeout > 0 ? d->timeout : TR_DEFAULT_TIMEOUT;
	if (d->username && (r = read_password(t, err, errlen, warn)) < 0)
		return r;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "smtp: cannot initialise libcurl");
		return -ENOMEM;
	}
	t->curl = curl_easy_init();
	if (!t->curl) {
		curl_global_cleanup();
		snprintf(err, errlen, "smtp: cannot initialise libcurl");
		return -ENOMEM;
	}
	return smtp_setup(t, t->curl, err, errlen);
}

static size_t job_read(char *buf, size_t size, size_t nmemb, void *data)
{
	struct smtp_job *job = data;
	size_t n = size * nmemb;

	if (n > job->len - job->pos)
		n = job->len - job->pos;
	memcpy(buf, job->msg + job->pos, n);
	job->pos += n;
	return n;
}

/*
 * libcurl passes what the server sent (CURLINFO_HEADER_IN) in pieces that
 * need not be whole lines; keep the last complete line.  For a multi-line
 * reply (RFC 5321 §4.2.1, "250-..." then "250 ...") that is its last line,
 * which carries the final code.  What we send (HEADER_OUT, with the AUTH
 * credentials) is never looked at.
 */
static int job_debug(CURL *c, curl_infotype type, char *data, size_t size, void *p)
{
	struct smtp_job *job = p;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n') {
			while (job->line_len > 0 && job->line[job->line_len - 1] == '\r')
				job->line_len--;
			job->line[job->line_len] = '\0';
			/* 221 answers the QUIT curl sends after a failure: keep
			 * the reply that mattered */
			if (job->line_len > 0 && strncmp(job->line, "221", 3) != 0)
				memcpy(job->last_reply, job->line, job->line_len + 1);
			job->line_len = 0;
		} else if (job->line_len + 1 < sizeof(job->line)) {
			job->line[job->line_len++] = data[i];
		}
	}
	return 0;
}

/* Per-message options on a reused handle. */
static int job_setup(CURL *c, struct smtp_job *job, const char *from, const char *rcpt)
{
	CURLcode rc = CURLE_OK;

	/* RFC 5321 §4.1.2: reverse-path and forward-path in angle brackets */
	snprintf(job->from, sizeof(job->from), "<%s>", from);
	job->rcpt = curl_slist_append(NULL, rcpt);
	if (!job->rcpt)
		return -ENOMEM;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_MAIL_FROM, job->from);
	SET(CURLOPT_MAIL_RCPT, job->rcpt);
	SET(CURLOPT_READFUNCTION, job_read);
	SET(CURLOPT_READDATA, job);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	SET(CURLOPT_ERRORBUFFER, job->errbuf);
	SET(CURLOPT_DEBUGFUNCTION, job_debug);
	SET(CURLOPT_DEBUGDATA, job);
	SET(CURLOPT_VERBOSE, 1L);
#undef SET
	return rc == CURLE_OK ? 0 : -EINVAL;
}

/* The curl errors that no retry can cure: configuration problems. */
static bool curl_error_permanent(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_FILESIZE_EXCEEDED:
		return true;
	default:
		return false;
	}
}

/*
 * Classify a finished transfer.  The SMTP reply code decides when there is
 * one (RFC 5321 §4.2.1: 4yz transient, 5yz permanent); otherwise curl's
 * error: connection refused or reset, timeouts and TLS handshake failures
 * are temporary, a certificate that does not verify, a server without
 * STARTTLS or rejected credentials are configuration problems: permanent.
 */
static void job_classify(CURL *c, struct smtp_job *job, CURLcode rc, struct tr_outcome *ret)
{
	long code = 0;
	const char *why = job->errbuf[0] ? job->errbuf : curl_easy_strerror(rc);

	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK)
		outcome(ret, TR_SENT, (int)code, "%s", job->last_reply[0] ? job->last_reply : "250");
	else if (rc == CURLE_LOGIN_DENIED || (rc == CURLE_AUTH_ERROR && code >= 500))
		outcome(ret, code >= 400 && code < 500 ? TR_TEMPORARY : TR_PERMANENT, (int)code,
		        "authentication failed: %s", job->last_reply[0] ? job->last_reply : why);
	else if (code >= 400 && code < 600)
		outcome(ret, code < 500 ? TR_TEMPORARY : TR_PERMANENT, (int)code, "%s", job->last_reply);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION)
		outcome(ret, TR_PERMANENT, 0, "certificate verification failed: %s", why);
	else if (rc == CURLE_USE_SSL_FAILED)
		outcome(ret, TR_PERMANENT, 0, "server does not offer STARTTLS: %s", why);
	else if (rc == CURLE_SSL_CONNECT_ERROR)
		outcome(ret, TR_TEMPORARY, 0, "TLS handshake failed: %s", why);
	else
		outcome(ret, curl_error_permanent(rc) ? TR_PERMANENT : TR_TEMPORARY, 0, "%s", why);
}

/* The handle outlives the job: drop its pointers into it. */
static void job_release(CURL *c, struct smtp_job *job)
{
	(void)curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	(void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	(void)curl_easy_setopt(c, CURLOPT_DEBUGDATA, NULL);
	(void)curl_easy_setopt(c, CURLOPT_READDATA, NULL);
	(void)curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_slist_free_all(job->rcpt);
	job->rcpt = NULL;
}

static int smtp_send(struct transport *t, const char *from, const char *rcpt,
                     const char *msg, size_t len, struct tr_outcome *ret)
{
	struct smtp_job *job = calloc(1, sizeof(*job));
	CURLcode rc;

	if (!job) {
		outcome(ret, TR_TEMPORARY, 0, "smtp: out of memory");
		return -EAGAIN;
	}
	job->msg = msg;
	job->len = len;
	if (job_setup(t->curl, job, from, rcpt) < 0) {
		outcome(ret, TR_TEMPORARY, 0, "smtp: cannot set up the transfer");
	} else {
		rc = curl_easy_perform(t->curl);
		job_classify(t->curl, job, rc, ret);
	}
	job_release(t->curl, job);
	free(job);
	return result_errno(ret);
}

/* ---- smtp, asynchronous: a multi handle driven by the caller's loop ----
 *
 * A limit of libcurl (up to at least 8.x; curl issue #8555, "known issue"
 * in its TODO): an SMTP transfer's DONE phase, which waits for the reply
 * to the final ".", blocks inside curl_multi_socket_action().  Connecting,
 * EHLO, MAIL, RCPT and the data itself overlap across the slots; the wait
 * for the reply after the data does not.  A server that takes d seconds to
 * answer that (its queue fsync) caps delivery near 1/d mails a second
 * whatever delivery.connections is (measured: 200 mails, 20 ms answer
 * delay, 4 connections: 4.5 s, i.e. serial).  On loopback (benchmark) and
 * with fast relays it does not matter; lifting it means one thread per
 * slot or an SMTP client of our own.
 */

static int smtp_start(struct transport *t, struct tr_slot *slot, const char *from,
                      const char *rcpt, const char *msg, size_t len)
{
	struct smtp_job *job = &slot->job;

	memset(job, 0, sizeof(*job));
	job->msg = msg;
	job->len = len;
	if (job_setup(slot->easy, job, from, rcpt) < 0 ||
	    curl_multi_add_handle(t->multi, slot->easy) != CURLM_OK) {
		job_release(slot->easy, job);
		slot->user = NULL;
		return -EIO;
	}
	t->n_busy++;
	return 0;
}

/* Report every finished transfer; its slot is free before done() runs. */
static void smtp_collect(struct transport *t)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(t->multi, &left))) {
		struct tr_slot *slot = NULL;
		struct tr_outcome out;
		void *user;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&slot);
		job_classify(slot->easy, &slot->job, m->data.result, &out);
		(void)curl_multi_remove_handle(t->multi, slot->easy);
		job_release(slot->easy, &slot->job);
		user = slot->user;
		slot->user = NULL;
		t->n_busy--;
		t->hooks.done(t->hooks.data, user, &out);
	}
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *fdp)
{
	struct transport *t = userp;
	void *data = fdp;
	int mask = what == CURL_POLL_REMOVE ? TR_IO_REMOVE :
	           (what & CURL_POLL_IN ? TR_IO_IN : 0) | (what & CURL_POLL_OUT ? TR_IO_OUT : 0);

	struct tr_slot *slot = NULL;

	/* remember which socket each transfer is on, so that an abandoned one
	 * can be cut (cut_transfer) */
	if (easy && curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&slot) == CURLE_OK && slot) {
		if (what != CURL_POLL_REMOVE)
			slot->fd = fd;
		else if (slot->fd == fd)
			slot->fd = CURL_SOCKET_BAD;
	}
	if (t->hooks.watch(t->hooks.data, fd, mask, &data) < 0)
		return -1;
	if (data != fdp && curl_multi_assign(t->multi, fd, data) != CURLM_OK)
		return -1;
	return 0;
}

static int on_curl_timer(CURLM *multi, long ms, void *userp)
{
	struct transport *t = userp;

	(void)multi;
	return t->hooks.timer(t->hooks.data, ms) < 0 ? -1 : 0;
}

/* The multi handle and one configured easy handle per slot. */
static int smtp_async(struct transport *t)
{
	char err[256];
	CURLMcode mc = CURLM_OK;

	t->multi = curl_multi_init();
	if (!t->multi)
		return -ENOMEM;
#define MSET(opt, val) do { if (mc == CURLM_OK) mc = curl_multi_setopt(t->multi, opt, val); } while (0)
	MSET(CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	MSET(CURLMOPT_SOCKETDATA, t);
	MSET(CURLMOPT_TIMERFUNCTION, on_curl_timer);
	MSET(CURLMOPT_TIMERDATA, t);
	/* one session per slot, all kept open between messages */
	MSET(CURLMOPT_MAX_HOST_CONNECTIONS, (long)t->n_slots);
	MSET(CURLMOPT_MAXCONNECTS, (long)t->n_slots);
#undef MSET
	if (mc != CURLM_OK)
		return -EINVAL;
	for (size_t i = 0; i < t->n_slots; i++) {
		struct tr_slot *slot = &t->slots[i];

		slot->fd = CURL_SOCKET_BAD;
		slot->easy = curl_easy_init();
		if (!slot->easy)
			return -ENOMEM;
		if (smtp_setup(t, slot->easy, err, sizeof(err)) < 0 ||
		    curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, (char *)slot) != CURLE_OK)
			return -EINVAL;
	}
	return 0;
}

/*
 * Cut the connection of a transfer that is still running.  libcurl 7.88's
 * smtp_done() sends the end-of-data "." on removal of a handle whose status
 * is still OK, even mid-message (it ignores `premature`): the server would
 * accept a truncated mail, and the full one would follow on the retry.  With
 * the socket shut down first, that write fails and the server drops the
 * unfinished message, as RFC 5321 §4.1.1.4 has it for a closed connection.
 */
static void cut_transfer(struct tr_slot *slot)
{
	if (slot->fd != CURL_SOCKET_BAD)
		(void)shutdown(slot->fd, SHUT_RDWR);
	slot->fd = CURL_SOCKET_BAD;
}

static void smtp_async_free(struct transport *t)
{
	for (size_t i = 0; t->slots && i < t->n_slots; i++) {
		struct tr_slot *slot = &t->slots[i];

		if (!slot->easy)
			continue;
		if (slot->user) {
			cut_transfer(slot);
			(void)curl_multi_remove_handle(t->multi, slot->easy);
		}
		job_release(slot->easy, &slot->job);
		curl_easy_cleanup(slot->easy);
	}
	if (t->multi)
		(void)curl_multi_cleanup(t->multi);
	t->multi = NULL;
}

static void smtp_close(struct transport *t)
{
	if (t->curl) {
		curl_easy_cleanup(t->curl);
		curl_global_cleanup();
	}
	if (t->password) {
		explicit_bzero(t->password, strlen(t->password));
		free(t->password);
	}
}

/* ---- the interface ---- */

static const struct tr_backend backends[] = {
	[GR_TRANSPORT_MAILDIR] = { "maildir", maildir_open, maildir_send, maildir_start, maildir_close },
	[GR_TRANSPORT_SMTP] = { "smtp", smtp_open, smtp_send, smtp_start, smtp_close },
};

int tr_new(const struct gr_config *cfg, struct transport **ret,
           char *err, size_t errlen, FILE *warn)
{
	struct transport *t;
	int r;

	if ((unsigned)cfg->delivery.transport >= sizeof(backends) / sizeof(backends[0])) {
		snprintf(err, errlen, "unknown transport");
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->backend = &backends[cfg->delivery.transport];
	t->d = &cfg->delivery;
	r = t->backend->open(t, err, errlen, warn);
	if (r < 0) {
		tr_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

/* The envelope goes to the server as it is: refuse line breaks, spaces
 * and brackets (false with *ret filled). */
static bool envelope_ok(const char *from, const char *rcpt, struct tr_outcome *ret)
{
	if (!from || !rcpt || util_has_control(from, false) || util_has_control(rcpt, false) ||
	    strpbrk(from, "<> ") || strpbrk(rcpt, "<> ")) {
		outcome(ret, TR_PERMANENT, 0, "invalid envelope address");
		return false;
	}
	return true;
}

int tr_send(struct transport *t, const char *from, const char *rcpt,
            const char *msg, size_t len, struct tr_outcome *ret)
{
	if (!envelope_ok(from, rcpt, ret))
		return -EIO;
	return t->backend->send(t, from, rcpt, msg, len, ret);
}

int tr_async(struct transport *t, const struct tr_hooks *hooks)
{
	int r = 0;

	if (t->slots)
		return -EALREADY;
	t->n_slots = t->d->connections > 0 ? (size_t)t->d->connections : 1;
	t->slots = calloc(t->n_slots, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->hooks = *hooks;
	if (t->backend->start == smtp_start)
		r = smtp_async(t);
	return r;
}

void tr_async_end(struct transport *t)
{
	if (t->backend->start == smtp_start)
		smtp_async_free(t);
	free(t->slots);
	t->slots = NULL;
	t->n_slots = t->n_busy = 0;
}

size_t tr_slots_free(const struct transport *t)
{
	return t->n_slots - t->n_busy;
}

int tr_start(struct transport *t, void *job, const char *from, const char *rcpt,
             const char *msg, size_t len)
{
	struct tr_outcome out;
	struct tr_slot *slot = NULL;

	for (size_t i = 0; i < t->n_slots && !slot; i++)
		if (!t->slots[i].user)
			slot = &t->slots[i];
	if (!slot)
		return -EBUSY;
	if (!envelope_ok(from, rcpt, &out)) {
		t->hooks.done(t->hooks.data, job, &out);
		return 0;
	}
	slot->user = job;
	return t->backend->start(t, slot, from, rcpt, msg, len);
}

int tr_run(struct transport *t, int fd, int events)
{
	int running = 0, flags = (events & TR_IO_IN ? CURL_CSELECT_IN : 0) |
	                         (events & TR_IO_OUT ? CURL_CSELECT_OUT : 0);

	if (!t->multi)
		return 0;
	if (curl_multi_socket_action(t->multi, fd < 0 ? CURL_SOCKET_TIMEOUT : fd, flags,
	                             &running) != CURLM_OK)
		return -EIO;
	smtp_collect(t);
	return 0;
}

const char *tr_name(const struct transport *t)
{
	return t->backend->name;
}

void tr_free(struct transport *t)
{
	if (!t)
		return;
	tr_async_end(t);
	t->backend->close(t);
	free(t);
}
