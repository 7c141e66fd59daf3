/* SPDX-License-Identifier: MIT */
/*
 * smtp - transport's SMTP backend, with libcurl.  See smtp.h.
 *
 * A delivery is split into job setup, transfer and classification, so that
 * the synchronous smtp_send() (one easy handle, curl_easy_perform) and the
 * asynchronous slots (a thread, multi handle and easy handle per
 * connection) share the setup and classification code.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "curlsetup.h"
#include "smtp.h"
#include "util.h"

#define WORKER_SOCKS 4          /* sockets a worker's session may have open */

/* One delivery: its data, envelope and what the server said. */
struct smtp_job {
	const char *msg;
	size_t len, pos;
	struct curl_slist *rcpt;
	char from[300];         /* the envelope as given (asynchronous) */
	char rcpt_addr[300];
	char mail_from[304];    /* <from> */
	struct smtp_replies replies; /* what the server said */
	char errbuf[CURL_ERROR_SIZE];
};

/* One asynchronous delivery, on its worker (see "asynchronous" below). */
enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_RUNNING, SLOT_FINISHED };

struct slot {
	struct smtp_job job;
	void *user;             /* the caller's job, NULL when the slot is free */
	/* under the lock of struct smtp */
	enum slot_state state;
	unsigned long seq;      /* order of smtp_start() */
	struct tr_outcome out;
};

/* One SMTP session and the thread that runs it.  The easy handle stays
 * with the worker for the backend's life: libcurl then finds the open
 * session in the multi handle's connection cache and sends the next
 * message on it without a new TCP/TLS handshake and AUTH. */
struct worker {
	struct smtp *t;
	size_t index;           /* its slots: index, index + n_workers, ... */
	CURL *easy;
	CURLM *multi;
	pthread_t thread;
	pthread_cond_t wake;    /* a slot was queued, or quit was set */
	bool thread_ok, wake_ok, sock_lock_ok;
	bool quit;              /* under the lock of struct smtp */
	atomic_bool abandon;
	/* the session's sockets (libcurl may try an IPv4 and an IPv6
	 * address at once), so that an abandon can cut them from the
	 * caller's thread; under sock_lock */
	pthread_mutex_t sock_lock;
	curl_socket_t socks[WORKER_SOCKS];
};

struct smtp {
	const struct gr_delivery *d;    /* borrowed from the config */
	CURL *curl;                     /* smtp_send()'s, reused: keeps the connection open */
	struct curlsetup account;       /* login, CA, timeout (curlsetup.h) */
	/* asynchronous delivery (smtp_async) */
	struct tr_hooks hooks;
	struct slot *slots;
	size_t n_slots, n_busy;
	struct worker *workers;
	size_t n_workers;
	unsigned long seq;
	size_t n_finished;              /* slots FINISHED, under the lock */
	size_t n_unrecorded;            /* reported, smtp_recorded() not yet called */
	pthread_mutex_t lock;           /* the slots' shared fields */
	bool lock_ok, watching;
	int efd;                        /* eventfd: a delivery finished */
	void *efd_data;                 /* the caller's, for hooks.watch */
};

/* TLS may be left out only where config allows it: starttls = off, plain
 * smtp://, a loopback host.  Everything else gets CURLUSESSL_ALL, so that
 * libcurl never sends AUTH (or a mail) in clear (RFC 3207 §4). */
static bool tls_optional(const struct gr_delivery *d)
{
	return !d->starttls_required && strncasecmp(d->smtp_url, "smtp://", 7) == 0 &&
	       curlsetup_url_is_loopback(d->smtp_url);
}

/* Set the options on c that are the same for every message. */
static int smtp_setup(struct smtp *t, CURL *c, char *err, size_t errlen)
{
	const struct gr_delivery *d = t->d;
	CURLcode rc;

	/* RFC 3207 §4: with STARTTLS "required" (the default), libcurl never
	 * sends AUTH (or a mail) in clear */
	if (curlsetup_apply(c, &t->account, "smtp", d->smtp_url, "smtp,smtps", tls_optional(d),
	                    err, errlen) < 0)
		return -EINVAL;
	rc = curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "smtp: %s", curl_easy_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

static int smtp_open(struct smtp *t, char *err, size_t errlen, FILE *warn)
{
	const struct gr_delivery *d = t->d;
	int r;

	if (!d->smtp_url || (strncasecmp(d->smtp_url, "smtp://", 7) != 0 &&
	                     strncasecmp(d->smtp_url, "smtps://", 8) != 0)) {
		snprintf(err, errlen, "smtp: smtp_url must start with smtp:// or smtps://");
		return -EINVAL;
	}
	/* defence in depth: config allows starttls = off for loopback only */
	if (!d->starttls_required && strncasecmp(d->smtp_url, "smtp://", 7) == 0 &&
	    !tls_optional(d)) {
		snprintf(err, errlen, "smtp: starttls = off is only allowed for a loopback server (127.0.0.1, ::1, localhost)");
		return -EINVAL;
	}
	r = curlsetup_load(&t->account, "smtp", d->username, NULL, d->password_file,
	                   d->password_credential, d->ca_file, d->timeout, err, errlen, warn);
	if (r < 0)
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
 * libcurl hands every reply line of the server to the header callback
 * (pingpong protocols: "response lines can be seen as a kind of headers"),
 * one complete line per call.  (CURLOPT_VERBOSE with a debug callback
 * would see them too, but makes libcurl format every one of its info
 * messages.)
 */
static size_t job_header(char *data, size_t size, size_t n, void *p)
{
	struct smtp_job *job = p;

	(void)smtp_reply_line(&job->replies, data, size * n);
	return size * n;
}

/* Per-message options on a reused handle. */
static int job_setup(CURL *c, struct smtp_job *job, const char *from, const char *rcpt)
{
	CURLcode rc = CURLE_OK;

	/* RFC 5321 §4.1.2: reverse-path and forward-path in angle brackets */
	snprintf(job->mail_from, sizeof(job->mail_from), "<%s>", from);
	job->rcpt = curl_slist_append(NULL, rcpt);
	if (!job->rcpt)
		return -ENOMEM;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_MAIL_FROM, job->mail_from);
	SET(CURLOPT_MAIL_RCPT, job->rcpt);
	SET(CURLOPT_READFUNCTION, job_read);
	SET(CURLOPT_READDATA, job);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	SET(CURLOPT_ERRORBUFFER, job->errbuf);
	SET(CURLOPT_HEADERFUNCTION, job_header);
	SET(CURLOPT_HEADERDATA, job);
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
	const char *why = job->errbuf[0] ? job->errbuf : curl_easy_strerror(rc), *reply;

	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	/* the reply libcurl took, not whatever came after it */
	reply = code > 0 ? smtp_reply_find(&job->replies, (int)code) : NULL;
	if (rc == CURLE_OK)
		tr_outcome_set(ret, TR_SENT, (int)code, "%s", reply ? reply : "250");
	else if (rc == CURLE_LOGIN_DENIED || (rc == CURLE_AUTH_ERROR && code >= 500))
		tr_outcome_set(ret, code >= 400 && code < 500 ? TR_TEMPORARY : TR_PERMANENT, (int)code,
		               "authentication failed: %s", reply ? reply : why);
	else if (code >= 400 && code < 600)
		tr_outcome_set(ret, code < 500 ? TR_TEMPORARY : TR_PERMANENT, (int)code, "%s",
		               reply ? reply : why);
	else if (curlsetup_tls_failure(rc))
		tr_outcome_set(ret, rc == CURLE_SSL_CONNECT_ERROR ? TR_TEMPORARY : TR_PERMANENT, 0,
		               "%s: %s", curlsetup_tls_failure(rc), why);
	else
		tr_outcome_set(ret, curl_error_permanent(rc) ? TR_PERMANENT : TR_TEMPORARY, 0, "%s", why);
}

/* The handle outlives the job: drop its pointers into it. */
static void job_release(CURL *c, struct smtp_job *job)
{
	(void)curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	(void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	(void)curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL);
	(void)curl_easy_setopt(c, CURLOPT_READDATA, NULL);
	curl_slist_free_all(job->rcpt);
	job->rcpt = NULL;
}

int smtp_send(struct smtp *t, const char *from, const char *rcpt,
              const char *msg, size_t len, struct tr_outcome *ret)
{
	struct smtp_job *job = calloc(1, sizeof(*job));
	CURLcode rc;

	if (!job) {
		tr_outcome_set(ret, TR_TEMPORARY, 0, "smtp: out of memory");
		return -EAGAIN;
	}
	job->msg = msg;
	job->len = len;
	if (job_setup(t->curl, job, from, rcpt) < 0) {
		tr_outcome_set(ret, TR_TEMPORARY, 0, "smtp: cannot set up the transfer");
	} else {
		rc = curl_easy_perform(t->curl);
		job_classify(t->curl, job, rc, ret);
	}
	job_release(t->curl, job);
	free(job);
	return tr_outcome_errno(ret);
}

/* ---- asynchronous: a thread per connection ----
 *
 * libcurl (up to at least 8.x; curl issue #8555, "known issue" in its TODO)
 * blocks in an SMTP transfer's DONE phase: the wait for the reply to the
 * final "." happens inside the multi call, with the calling thread asleep
 * in poll().  One event loop driving every session serialized that wait
 * across the connections: with a server that takes d seconds to accept a
 * message (its queue fsync), delivery was capped near 1/d mails a second
 * whatever delivery.connections said (measured: 200 mails, 20 ms answer
 * delay, 4 connections: 4.5 s).
 *
 * So each connection has a worker thread with its own multi handle and
 * easy handle (the session stays open in that multi handle's connection
 * cache and carries the worker's next message).  The worker runs libcurl's
 * multi interface with curl_multi_perform()/curl_multi_poll(); a blocking
 * DONE stalls only its own session.  A worker has SMTP_DEPTH delivery slots:
 * when one message is done the next is already there, and the caller's
 * loop records outcomes and hands out work in batches rather than once per
 * message in the critical path.  The caller's loop sees one eventfd
 * (hooks.watch) that says "a delivery finished"; smtp_run() then calls
 * done() on the caller's thread, so the store, the sender and the hooks
 * stay single-threaded.
 *
 * The caller is woken once SMTP_WAKE outcomes per connection wait for it (or
 * a worker runs dry).  The workers start no further mail while
 * SMTP_UNRECORDED outcomes per connection are finished or reported but not
 * yet recorded (tr_recorded()): a mail the server took whose outcome is not
 * recorded is sent again after a crash, so at most SMTP_UNRECORDED + 1 per
 * connection can be (the +1 being sent), however deep the queue.  The
 * queue is deep so that a worker does not run dry while the caller records
 * a round: 8 rather than 4 took 6-10 % off a send of 10,000 mails
 * (bench/throughput.sh, send only).
 *
 * Under t->lock: every slot's state and out, every worker's quit.  A
 * slot's job belongs to the caller while the slot is FREE or FINISHED and
 * to its worker while QUEUED or RUNNING; the easy handle is the worker's.
 */
#define SMTP_DEPTH 8
#define SMTP_WAKE 2
#define SMTP_UNRECORDED 3

/* Set by the caller to abandon the worker's transfer (stop_workers). */
static bool worker_abandoned(struct worker *w)
{
	return atomic_load_explicit(&w->abandon, memory_order_relaxed);
}

/*
 * The worker's sockets, created and closed through these two callbacks, so
 * that stop_workers() can shut them down from the caller's thread: that
 * ends a wait for the server's reply at once, even inside libcurl's
 * blocking DONE phase.  (A progress callback could abort that wait only
 * once a second, and with it libcurl runs its progress bookkeeping and
 * the callback on every step of every transfer: 2-6 % of the CPU time of
 * a send in bench/throughput.sh, within that machine's noise.)  The lock
 * makes sure a socket is shut down only while it is still ours: a number
 * closed by libcurl may be reused at once.
 */
static curl_socket_t worker_open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct worker *w = p;
	curl_socket_t fd = CURL_SOCKET_BAD;
	size_t i;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	pthread_mutex_lock(&w->sock_lock);
	for (i = 0; i < WORKER_SOCKS && w->socks[i] != CURL_SOCKET_BAD; i++)
		;
	/* no new connection for an abandoned worker, and never more than
	 * libcurl's happy eyeballs may have open at once */
	if (i < WORKER_SOCKS && !worker_abandoned(w)) {
		fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
		if (fd >= 0)
			w->socks[i] = fd;
		else
			fd = CURL_SOCKET_BAD;
	}
	pthread_mutex_unlock(&w->sock_lock);
	return fd;
}

static int worker_close_socket(void *p, curl_socket_t fd)
{
	struct worker *w = p;
	int r;

	pthread_mutex_lock(&w->sock_lock);
	for (size_t i = 0; i < WORKER_SOCKS; i++)
		if (w->socks[i] == fd)
			w->socks[i] = CURL_SOCKET_BAD;
	r = close(fd);
	pthread_mutex_unlock(&w->sock_lock);
	return r;
}

/* From the caller's thread: cut every socket of the worker's session. */
static void worker_cut_sockets(struct worker *w)
{
	pthread_mutex_lock(&w->sock_lock);
	for (size_t i = 0; i < WORKER_SOCKS; i++)
		if (w->socks[i] != CURL_SOCKET_BAD)
			(void)shutdown(w->socks[i], SHUT_RDWR);
	pthread_mutex_unlock(&w->sock_lock);
}

/*
 * Deliver job on w's session.  Returns false when it was abandoned
 * (nothing to report), true with *out filled otherwise.
 *
 * An abandoned transfer's connection is cut before its handle is removed.
 * libcurl 7.88's smtp_done() sends the end-of-data "." on removal of a
 * handle whose status is still OK, even mid-message (it ignores
 * `premature`): the server would accept a truncated mail, and the full one
 * would follow on the retry.  With the socket shut down first, that write
 * fails and the server drops the unfinished message, as RFC 5321 §4.1.1.4
 * has it for a closed connection.  stop_workers() cuts the sockets
 * too, but the worker may see the abandon flag first.
 */
static bool worker_transfer(struct worker *w, struct smtp_job *job, struct tr_outcome *out)
{
	CURLMcode mc = CURLM_OK;
	CURLcode rc = CURLE_SEND_ERROR;
	int running = 1, left;
	CURLMsg *m;

	if (job_setup(w->easy, job, job->from, job->rcpt_addr) < 0 ||
	    (mc = curl_multi_add_handle(w->multi, w->easy)) != CURLM_OK) {
		tr_outcome_set(out, TR_TEMPORARY, 0, "cannot start the delivery: %s",
		               mc != CURLM_OK ? curl_multi_strerror(mc) : "out of memory");
		job_release(w->easy, job);
		return true;
	}
	while (mc == CURLM_OK && running && !worker_abandoned(w)) {
		mc = curl_multi_perform(w->multi, &running);
		/* the timeout is a backstop: curl_multi_poll() wakes up for
		 * the session's socket, libcurl's own timers and
		 * curl_multi_wakeup() */
		if (mc == CURLM_OK && running && !worker_abandoned(w))
			mc = curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
	}
	if (worker_abandoned(w)) {
		worker_cut_sockets(w);
		(void)curl_multi_remove_handle(w->multi, w->easy);
		job_release(w->easy, job);
		return false;
	}
	while ((m = curl_multi_info_read(w->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			rc = m->data.result;
	if (mc != CURLM_OK)
		tr_outcome_set(out, TR_TEMPORARY, 0, "libcurl: %s", curl_multi_strerror(mc));
	else
		job_classify(w->easy, job, rc, out);
	(void)curl_multi_remove_handle(w->multi, w->easy);
	job_release(w->easy, job);
	return true;
}

/* The worker's oldest QUEUED slot, or NULL (under t->lock). */
static struct slot *worker_next(struct worker *w)
{
	struct smtp *t = w->t;
	struct slot *next = NULL;

	for (size_t i = w->index; i < t->n_slots; i += t->n_workers) {
		struct slot *slot = &t->slots[i];

		if (slot->state == SLOT_QUEUED && (!next || slot->seq < next->seq))
			next = slot;
	}
	return next;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct smtp *t = w->t;
	const uint64_t one = 1;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		struct slot *slot = NULL;
		struct tr_outcome out;
		bool report;

		/* the next queued mail, unless too many outcomes wait to be
		 * recorded (back-pressure, see above) */
		while (!w->quit &&
		       (t->n_finished + t->n_unrecorded >= t->n_workers * SMTP_UNRECORDED ||
		        !(slot = worker_next(w))))
			pthread_cond_wait(&w->wake, &t->lock);
		if (w->quit || !slot)
			break;
		slot->state = SLOT_RUNNING;
		pthread_mutex_unlock(&t->lock);
		report = worker_transfer(w, &slot->job, &out);
		pthread_mutex_lock(&t->lock);
		if (!report)
			continue;
		slot->out = out;
		slot->state = SLOT_FINISHED;
		/* wake the caller once SMTP_WAKE per connection are finished,
		 * or when this worker has nothing left to do: outcomes are
		 * then recorded and new work handed out in batches, and no
		 * session waits for work.  An eventfd counter only grows: a
		 * failed write (never) loses nothing, the next one wakes the
		 * loop. */
		if (++t->n_finished >= t->n_workers * SMTP_WAKE || !worker_next(w))
			(void)!write(t->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int slot_queue(struct smtp *t, struct slot *slot, const char *from,
                      const char *rcpt, const char *msg, size_t len)
{
	struct smtp_job *job = &slot->job;
	struct worker *w = &t->workers[(size_t)(slot - t->slots) % t->n_workers];

	memset(job, 0, sizeof(*job));
	job->msg = msg;
	job->len = len;
	snprintf(job->from, sizeof(job->from), "%s", from);
	snprintf(job->rcpt_addr, sizeof(job->rcpt_addr), "%s", rcpt);
	t->n_busy++;
	pthread_mutex_lock(&t->lock);
	slot->seq = ++t->seq;
	slot->state = SLOT_QUEUED;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* Report every finished delivery; its slot is free before done() runs.
 * One look under the lock for all slots, then the calls without it. */
void smtp_run(struct smtp *t)
{
	if (!t->lock_ok)
		return;         /* not asynchronous (or its setup failed) */

	struct slot *finished[t->n_slots];
	size_t n = 0;
	uint64_t count;

	(void)!read(t->efd, &count, sizeof(count));
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n_slots; i++) {
		struct slot *slot = &t->slots[i];

		if (slot->state != SLOT_FINISHED)
			continue;
		slot->state = SLOT_FREE;
		t->n_finished--;
		t->n_unrecorded++;
		finished[n++] = slot;
	}
	pthread_mutex_unlock(&t->lock);
	for (size_t i = 0; i < n; i++) {
		void *user = finished[i]->user;

		finished[i]->user = NULL;
		t->n_busy--;
		t->hooks.done(t->hooks.data, user, &finished[i]->out);
	}
}

/* A free slot on the least busy worker (the caller checked there is one). */
static struct slot *pick_slot(struct smtp *t)
{
	struct slot *best = NULL;
	size_t best_busy = SIZE_MAX;

	for (size_t wi = 0; wi < t->n_workers; wi++) {
		struct slot *free_slot = NULL;
		size_t busy = 0;

		for (size_t i = wi; i < t->n_slots; i += t->n_workers) {
			if (t->slots[i].user)
				busy++;
			else if (!free_slot)
				free_slot = &t->slots[i];
		}
		if (free_slot && busy < best_busy) {
			best = free_slot;
			best_busy = busy;
		}
	}
	return best;
}

static int worker_init(struct smtp *t, struct worker *w, size_t index)
{
	char err[256];
	CURLcode rc;
	int r;

	w->t = t;
	w->index = index;
	w->easy = curl_easy_init();
	w->multi = curl_multi_init();
	if (!w->easy || !w->multi)
		return -ENOMEM;
	if (smtp_setup(t, w->easy, err, sizeof(err)) < 0)
		return -EINVAL;
	for (size_t i = 0; i < WORKER_SOCKS; i++)
		w->socks[i] = CURL_SOCKET_BAD;
	if (pthread_mutex_init(&w->sock_lock, NULL) != 0)
		return -ENOMEM;
	w->sock_lock_ok = true;
	rc = curl_easy_setopt(w->easy, CURLOPT_OPENSOCKETFUNCTION, worker_open_socket);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(w->easy, CURLOPT_OPENSOCKETDATA, w);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(w->easy, CURLOPT_CLOSESOCKETFUNCTION, worker_close_socket);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(w->easy, CURLOPT_CLOSESOCKETDATA, w);
	if (rc != CURLE_OK)
		return -EINVAL;
	if (pthread_cond_init(&w->wake, NULL) != 0)
		return -ENOMEM;
	w->wake_ok = true;
	r = pthread_create(&w->thread, NULL, worker_main, w);
	if (r != 0)
		return -r;
	w->thread_ok = true;
	return 0;
}

/* The workers, SMTP_DEPTH slots each, and the eventfd for the caller's loop
 * (t->slots is allocated for n_slots already). */
static int start_workers(struct smtp *t)
{
	int r;

	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->efd < 0)
		return -errno;
	if (pthread_mutex_init(&t->lock, NULL) != 0)
		return -ENOMEM;
	t->lock_ok = true;
	t->workers = calloc(t->n_workers, sizeof(*t->workers));
	if (!t->workers)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_workers; i++)
		if ((r = worker_init(t, &t->workers[i], i)) < 0)
			return r;
	r = t->hooks.watch(t->hooks.data, t->efd, TR_IO_IN, &t->efd_data);
	if (r < 0)
		return r;
	t->watching = true;
	return 0;
}

/* Stop the workers (a transfer in flight is cut and not reported), then
 * free the handles. */
static void stop_workers(struct smtp *t)
{
	for (size_t i = 0; t->workers && i < t->n_workers; i++) {
		struct worker *w = &t->workers[i];

		if (!w->thread_ok)
			continue;
		atomic_store(&w->abandon, true);
		worker_cut_sockets(w);
		pthread_mutex_lock(&t->lock);
		w->quit = true;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&t->lock);
		(void)curl_multi_wakeup(w->multi);
	}
	for (size_t i = 0; t->workers && i < t->n_workers; i++) {
		struct worker *w = &t->workers[i];

		if (w->thread_ok)
			(void)pthread_join(w->thread, NULL);
	}
	/* what finished before the workers stopped is reported, not
	 * abandoned: the caller records it as sent rather than send it again */
	smtp_run(t);
	for (size_t i = 0; t->workers && i < t->n_workers; i++) {
		struct worker *w = &t->workers[i];

		if (w->wake_ok)
			(void)pthread_cond_destroy(&w->wake);
		if (w->easy)
			curl_easy_cleanup(w->easy);
		if (w->multi)
			(void)curl_multi_cleanup(w->multi);
		/* after the handles: closing the connections calls
		 * worker_close_socket() */
		if (w->sock_lock_ok)
			(void)pthread_mutex_destroy(&w->sock_lock);
	}
	free(t->workers);
	t->workers = NULL;
	t->n_workers = 0;
	if (t->watching)
		(void)t->hooks.watch(t->hooks.data, t->efd, TR_IO_REMOVE, &t->efd_data);
	t->watching = false;
	if (t->efd >= 0)
		close(t->efd);
	t->efd = -1;
	if (t->lock_ok)
		(void)pthread_mutex_destroy(&t->lock);
	t->lock_ok = false;
}

/* ---- the backend's interface (smtp.h) ---- */

int smtp_new(const struct gr_delivery *d, struct smtp **ret, char *err, size_t errlen,
             FILE *warn)
{
	struct smtp *t = calloc(1, sizeof(*t));
	int r;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->d = d;
	t->efd = -1;
	r = smtp_open(t, err, errlen, warn);
	if (r < 0) {
		smtp_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int smtp_async(struct smtp *t, const struct tr_hooks *hooks)
{
	if (t->slots)
		return -EALREADY;
	t->n_workers = t->d->connections > 0 ? (size_t)t->d->connections : 1;
	t->n_slots = t->n_workers * SMTP_DEPTH;
	t->slots = calloc(t->n_slots, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->hooks = *hooks;
	return start_workers(t);
}

void smtp_async_end(struct smtp *t)
{
	stop_workers(t);
	free(t->slots);
	t->slots = NULL;
	t->n_slots = t->n_busy = 0;
}

size_t smtp_slots_free(const struct smtp *t)
{
	return t->n_slots - t->n_busy;
}

int smtp_start(struct smtp *t, void *job, const char *from, const char *rcpt,
               const char *msg, size_t len)
{
	struct slot *slot;

	if (!t->workers || t->n_busy >= t->n_slots)
		return -EBUSY;
	slot = pick_slot(t);
	slot->user = job;
	return slot_queue(t, slot, from, rcpt, msg, len);
}

void smtp_unqueue(struct smtp *t)
{
	const uint64_t one = 1;
	bool any = false;

	if (!t->lock_ok)
		return;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n_slots; i++) {
		struct slot *slot = &t->slots[i];

		if (slot->state != SLOT_QUEUED)
			continue;
		tr_outcome_set(&slot->out, TR_TEMPORARY, 0, "not started: the sender stopped");
		slot->out.unsent = true;
		slot->state = SLOT_FINISHED;
		t->n_finished++;
		any = true;
	}
	pthread_mutex_unlock(&t->lock);
	if (any)
		(void)!write(t->efd, &one, sizeof(one));
}

void smtp_recorded(struct smtp *t)
{
	if (!t->lock_ok)
		return;
	pthread_mutex_lock(&t->lock);
	t->n_unrecorded = 0;
	for (size_t i = 0; i < t->n_workers; i++)
		pthread_cond_signal(&t->workers[i].wake);
	pthread_mutex_unlock(&t->lock);
}

void smtp_free(struct smtp *t)
{
	if (!t)
		return;
	smtp_async_end(t);
	if (t->curl) {
		curl_easy_cleanup(t->curl);
		curl_global_cleanup();
	}
	curlsetup_clear(&t->account);
	free(t);
}
