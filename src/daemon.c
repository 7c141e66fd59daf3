/* SPDX-License-Identifier: MIT */
/*
 * daemon - see daemon.h.
 *
 * A reload never leaves the service without a config: the new file (and
 * its templates and transport) is loaded and validated into a second set
 * first, and only swapped in when all of it is good (DESIGN.md "systemd").
 *
 * Work is event driven, never polled: a CLOCK_REALTIME timer fires at the
 * earliest of the planner's next due notification and the outbox's next
 * retry; sending is the service's sender on the same loop, up to
 * delivery.connections messages in flight, so signals and the watchdog are
 * served between socket events and SIGTERM waits only for the mail in
 * flight.
 *
 * The committee's mailbox (inbound) is read every inbound.poll_seconds on
 * a thread of its own with its own database connection: an IMAP server
 * that hangs holds up neither the sender nor the watchdog.  The thread
 * says it is done through an eventfd; the loop then plans, so that the
 * confirmations it enqueued go out.  A counter in the database that every
 * write to topics or inbox bumps (gremiumctl's too) is read every few
 * seconds: a change makes the loop plan again without a restart.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "daemon.h"
#include "feed.h"
#include "sender.h"
#include "service.h"
#include "store.h"
#include "template.h"
#include "transport.h"
#include "util.h"

/* How often the change counter of topics and inbox is read (seconds). */
#define CHANGES_CHECK_SECONDS 5

/* One pass over the mailbox on its own thread (see the top). */
struct inbound_run {
	pthread_t thread;
	bool running;
	int efd;                        /* eventfd: the thread is done */
	sd_event_source *done;          /* efd on the loop */
	sd_event_source *poll;          /* CLOCK_MONOTONIC, every poll_seconds */
	sd_event_source *changes;       /* CLOCK_MONOTONIC, the change counter */
	int64_t counter;                /* the change counter last seen */
	bool have_counter;
	/* for the thread: borrowed from the current setup (a reload joins
	 * the thread before it frees them) */
	const struct gr_config *cfg;
	const struct tmpl_set *tmpl;
	/* its result */
	int r;
	struct service_inbound_info info;
	char err[1024];
};

/* What one configuration brings: kept or replaced together. */
struct setup {
	struct gr_config *cfg;
	struct tmpl_set *tmpl;
	struct transport *tr;
	struct store *db;       /* shared with the previous setup when the
	                         * state path did not change */
	struct sender *sender;  /* drives tr; made once the loop exists */
};

struct daemon {
	sd_event *event;
	char *config_path;
	struct setup cur;
	sd_event_source *timer;   /* next due time (CLOCK_REALTIME, oneshot) */
	time_t next_plan;         /* the planner's next due time, 0 = none */
	bool stopping;            /* SIGTERM: exit once nothing is in flight */
	uint64_t status_at;       /* CLOCK_MONOTONIC usec of the last progress STATUS= */
	char *feed;               /* the feed bytes last written */
	time_t feed_mtime;        /* their Last-Modified */
	struct feed *server;      /* the feed's HTTP server, or NULL */
	char *server_listen;      /* its feed.listen (NULL: systemd's socket) */
	size_t sent, failed;      /* since start, for STATUS= */
	/* problems in force, each "" or one line; STATUS= shows them after the
	 * counts until they are solved (a good reload, a feed that binds) */
	char config_problem[1100];
	char feed_problem[400];
	char inbound_problem[600];
	struct inbound_run in;
	char status[2048];        /* the STATUS= line, without the prefix */
};

static void dlog(const char *prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One log line to stderr with its sd-daemon priority prefix, so journald
 * keeps the level (sd-daemon(3)). */
static void dlog(const char *prio, const char *fmt, ...)
{
	va_list ap;

	/* one line, whole, while the mailbox thread logs too */
	flockfile(stderr);
	fputs(prio, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

static void set_status(struct daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* STATUS=: the text, then every problem in force. */
static void set_status(struct daemon *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->status, sizeof(d->status), fmt, ap);
	va_end(ap);
	/* a STATUS= line cut short is fine: the log has the whole text */
	if (n >= 0 && (size_t)n < sizeof(d->status) &&
	    snprintf(d->status + n, sizeof(d->status) - (size_t)n, "%s%s%s%s%s%s",
	             d->config_problem[0] ? "; " : "", d->config_problem,
	             d->feed_problem[0] ? "; " : "", d->feed_problem,
	             d->inbound_problem[0] ? "; " : "", d->inbound_problem) < 0)
		d->status[n] = '\0';
	(void)sd_notifyf(0, "STATUS=%s", d->status);
}

/* Log every line of a memstream buffer at priority prio. */
static void log_lines(const char *prio, char *buf)
{
	if (!buf)
		return;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		dlog(prio, "%s", line);
}

static void setup_free(struct setup *s, const struct store *keep_db)
{
	/* before the transport and the database it uses */
	sender_free(s->sender);
	tr_free(s->tr);
	tmpl_free(s->tmpl);
	config_free(s->cfg);
	if (s->db != keep_db)
		store_close(s->db);
	memset(s, 0, sizeof(*s));
}

/* The first line of buf (may be NULL) into why. */
static void first_line(const char *buf, char *why, size_t whylen)
{
	size_t n = buf ? strcspn(buf, "\n") : 0;

	(void)snprintf(why, whylen, "%.*s", (int)(n < whylen ? n : whylen - 1), buf ? buf : "");
}

/*
 * Load path with its templates, transport and state database into *ret.
 * old: the running setup, whose database is reused when the state path is
 * the same (a second open as sender would find our own lock).  Problems are
 * logged, the first one also written to why; returns 0 or a sysexits code.
 */
static int setup_load(const char *path, const struct setup *old, struct setup *ret, char *why, size_t whylen)
{
	struct setup s = { 0 };
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);
	int r;

	if (!errs)
		return EX_OSERR;
	r = config_load(path, &s.cfg, errs);
	/* the templates as `gremiumctl check` takes them: a reload with one
	 * that cannot render keeps the old setup */
	if (r == 0 && (tmpl_load(s.cfg->templates, &s.tmpl, errs) < 0 ||
	               service_check_templates(s.cfg, s.tmpl, errs) < 0))
		r = -EINVAL;
	fclose(errs);
	if (r < 0)
		first_line(buf, why, whylen);
	log_lines(r < 0 ? SD_ERR : SD_WARNING, buf);
	free(buf);
	if (r < 0) {
		setup_free(&s, NULL);
		return r == -ENOENT ? EX_NOINPUT : EX_CONFIG;
	}
	errs = open_memstream(&buf, &len);
	if (!errs || tr_new(s.cfg, &s.tr, err, sizeof(err), errs) < 0) {
		(void)snprintf(why, whylen, "%s: delivery: %s", path, errs ? err : "out of memory");
		dlog(SD_ERR, "%s", why);
		r = EX_CONFIG;
	}
	if (errs)
		fclose(errs);
	log_lines(SD_WARNING, buf);
	free(buf);
	if (r == 0 && old && old->db && strcmp(old->cfg->state, s.cfg->state) == 0) {
		s.db = old->db;
	} else if (r == 0) {
		int e = store_open(s.cfg->state, STORE_OPEN_SENDER, &s.db, err, sizeof(err));
		if (e < 0) {
			(void)snprintf(why, whylen, "state database: %s", err);
			dlog(SD_ERR, "%s", why);
			r = e == -EBUSY ? EX_TEMPFAIL : EX_CANTCREAT;
		}
	}
	if (r != 0) {
		setup_free(&s, old ? old->db : NULL);
		return r;
	}
	*ret = s;
	return 0;
}

/* ---- the feed's HTTP server (see feed.h) ---- */

/* Hand the current feed bytes to the HTTP server. */
static void feed_server_publish(struct daemon *d)
{
	int r;

	if (!d->server || !d->feed)
		return;
	r = feed_set(d->server, d->feed, strlen(d->feed), d->feed_mtime);
	if (r < 0)
		dlog(SD_ERR, "cannot update the HTTP feed: %s, serving the previous one", strerror(-r));
}

/* The listening socket systemd passed (gremiumd.socket), or -1. */
static int feed_server_inherited_fd(void)
{
	/* unset: the variables are meant for this process only */
	int n = sd_listen_fds(1);

	if (n <= 0)
		return -1;
	if (n > 1)
		dlog(SD_WARNING, "systemd passed %d sockets, serving the feed on the first, ignoring the others", n);
	if (sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
		dlog(SD_WARNING, "the socket systemd passed is no listening stream socket, ignoring it");
		return -1;
	}
	return SD_LISTEN_FDS_START;
}

/* A server that answers its first request with the current feed bytes. */
static int feed_server_new(const struct daemon *d, const char *listen, int fd, struct feed **ret, char *err,
                           size_t errlen)
{
	const char *path = d->cur.cfg->feed.path;

	return feed_new_serving(listen, fd, path, d->feed, d->feed ? strlen(d->feed) : 0, d->feed_mtime, ret, err,
	                        errlen);
}

/*
 * Start the HTTP server for cfg->feed.listen (NULL: none), replacing the
 * running one.  The new server is started before the old one stops, so a
 * failure keeps the old one; only when the new address collides with the
 * old one's port (e.g. 127.0.0.1:8080 -> 0.0.0.0:8080) the old one has to go
 * first.  Returns 0 or a negative errno (logged).
 */
static int feed_server_replace(struct daemon *d)
{
	const struct gr_feed *cfg = &d->cur.cfg->feed;
	struct feed *f = NULL;
	char err[256];
	int r = 0;

	if (cfg->listen) {
		r = feed_server_new(d, cfg->listen, -1, &f, err, sizeof(err));
		if (r == -EADDRINUSE && d->server) {
			feed_free(d->server);
			d->server = NULL;
			r = feed_server_new(d, cfg->listen, -1, &f, err, sizeof(err));
		}
		if (r < 0) {
			dlog(SD_ERR, "feed: %s%s", err, d->server ? ", keeping the running HTTP server" : "");
			(void)snprintf(d->feed_problem, sizeof(d->feed_problem), "feed not served: %s%s", err,
			               d->server ? ", still served at the previous address" : "");
			return r;
		}
		dlog(SD_INFO, "feed served at http://%s%s", cfg->listen, cfg->path);
	}
	d->feed_problem[0] = '\0';
	feed_free(d->server);
	free(d->server_listen);
	d->server = f;
	d->server_listen = util_strdup0(cfg->listen);
	feed_server_publish(d);
	return 0;
}

/* At start: systemd's socket wins over feed.listen. */
static int feed_server_start(struct daemon *d)
{
	const struct gr_feed *cfg = &d->cur.cfg->feed;
	int fd = feed_server_inherited_fd();
	char err[256];
	int r;

	if (fd < 0)
		return feed_server_replace(d);
	r = feed_server_new(d, NULL, fd, &d->server, err, sizeof(err));
	if (r < 0) {
		dlog(SD_ERR, "feed: %s", err);
		return r;
	}
	if (cfg->listen)
		dlog(SD_NOTICE, "feed.listen \"%s\" is overridden by the socket systemd passed, ignoring", cfg->listen);
	dlog(SD_INFO, "feed served at port %u, path %s (socket from systemd)", feed_port(d->server), cfg->path);
	return 0;
}

/* After a reload: a changed feed.listen restarts the server, a changed
 * path is swapped in; the feed bytes follow in update_feed(). */
static void feed_server_reload(struct daemon *d)
{
	const struct gr_feed *cfg = &d->cur.cfg->feed;
	bool inherited = d->server && !d->server_listen;
	int r;

	if (inherited || (d->server && cfg->listen && strcmp(d->server_listen, cfg->listen) == 0)) {
		r = feed_set_path(d->server, cfg->path);
		if (r < 0)
			dlog(SD_ERR, "cannot change the feed path: %s, ignoring", strerror(-r));
		return;
	}
	if (!d->server && !cfg->listen)
		return;
	dlog(SD_INFO, "feed.listen changed from %s to %s, restarting the HTTP server",
	     d->server_listen ? d->server_listen : "(none)", cfg->listen ? cfg->listen : "(none)");
	(void)feed_server_replace(d);
}

/* Rewrite the feed file when the calendar changed. */
static void update_feed(struct daemon *d)
{
	const struct gr_config *cfg = d->cur.cfg;
	int r;
	char *feed = service_feed(cfg, time(NULL), d->cur.db, &r);

	if (!feed) {
		dlog(SD_ERR, "cannot render the calendar feed (%s), keeping the old one", strerror(-r));
		return;
	}
	if (d->feed && strcmp(d->feed, feed) == 0) {
		free(feed);
		return;
	}
	if (cfg->feed.file) {
		r = util_mkdir_parent(cfg->feed.file, 0755);
		if (r == 0)
			r = util_write_atomic(cfg->feed.file, feed, strlen(feed), 0644);
		if (r < 0)
			dlog(SD_ERR, "cannot write feed file %s: %s", cfg->feed.file, strerror(-r));
		else
			dlog(SD_INFO, "feed file %s written (%zu bytes)", cfg->feed.file, strlen(feed));
	}
	free(d->feed);
	d->feed = feed;
	d->feed_mtime = cfg->mtime;
	feed_server_publish(d);
}

/* t in the committee's time zone, ISO 8601 with the offset: log readers
 * compare it with journald's times, which may be on another clock. */
static void format_local(const struct daemon *d, time_t t, char buf[UTIL_ISO8601_MAX])
{
	struct gr_localtime lt;

	sched_from_utc(t, d->cur.cfg->committee.timezone, &lt);
	util_format_iso8601(t, &lt, buf);
}

/* The earliest due time: the planner's or a retry's; 0 = none. */
static time_t next_due(const struct daemon *d)
{
	time_t next = d->next_plan, retry;

	if (store_outbox_next_due(d->cur.db, &retry) == 0 && (next == 0 || retry < next))
		next = retry;
	return next;
}

/* STATUS= with the outbox and the next due action (and the problems, see
 * set_status()). */
static void report(struct daemon *d)
{
	struct store_counts c = { 0 };
	char when[UTIL_ISO8601_MAX] = "nothing scheduled", unrenderable[48] = "";
	time_t next = next_due(d);

	(void)store_counts(d->cur.db, &c);
	if (c.unrenderable > 0)
		snprintf(unrenderable, sizeof(unrenderable), " (%ld cannot be rendered)", c.unrenderable);
	if (next)
		format_local(d, next, when);
	set_status(d, "%zu members; outbox %ld queued, %ld sent, %ld failed%s; next action %s",
	           d->cur.cfg->n_members, c.queued, c.sent, c.failed, unrenderable, when);
}

/* Arm the timer at the earliest due time. */
static void arm_timer(struct daemon *d)
{
	time_t next = next_due(d);

	if (next == 0) {
		(void)sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
	} else {
		(void)sd_event_source_set_time(d->timer, (uint64_t)next * 1000000ULL);
		(void)sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
	}
	report(d);
}

/* Plan what is due now, then let the sender drain the outbox. */
static void cycle(struct daemon *d)
{
	struct service_plan_info info = { 0 };
	char err[512];
	time_t now = time(NULL);

	if (service_plan(d->cur.cfg, d->cur.tmpl, d->cur.db, d->cur.sender, now, &info, err,
	                 sizeof(err)) < 0) {
		dlog(SD_ERR, "planning failed, trying again in a minute: %s", err);
		info.next_due = now + 60;
	} else if (info.enqueued > 0) {
		dlog(SD_INFO, "planned %zu message%s", info.enqueued, info.enqueued == 1 ? "" : "s");
	}
	/* once each: a failure already recorded is not logged again */
	log_lines(SD_ERR, info.failures);
	free(info.failures);
	d->next_plan = info.next_due;
	/* the feed carries the SEQUENCEs and versions just recorded */
	update_feed(d);
	sender_kick(d->cur.sender);
}

static void log_sent(struct daemon *d, const struct sender_sent *s)
{
	char when[UTIL_ISO8601_MAX];

	if (s->result == TR_SENT) {
		d->sent++;
		dlog(SD_INFO, "sent %s to %s: %s", s->kind, s->recipient, s->reply);
	} else if (s->result == TR_TEMPORARY && !s->gave_up) {
		format_local(d, s->retry_at, when);
		dlog(SD_WARNING, "%s to %s: temporary failure, retrying at %s: %s", s->kind,
		     s->recipient, when, s->reply);
	} else {
		d->failed++;
		dlog(SD_ERR, "%s to %s: failed%s: %s", s->kind, s->recipient,
		     s->gave_up ? " (retry time over)" : "", s->reply);
	}
}

/* The sender's outcome(): log it; progress in STATUS= once a second. */
static void on_outcome(void *data, const struct sender_sent *sent)
{
	struct daemon *d = data;
	char line[200];
	uint64_t now = 0;

	log_sent(d, sent);
	(void)sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	if (now - d->status_at >= 1000000) {
		d->status_at = now;
		sender_progress(d->cur.sender, line, sizeof(line));
		set_status(d, "sending: %s", line);
	}
}

/* The sender's idle(): nothing due and nothing in flight. */
static void on_idle(void *data, int r, const char *err)
{
	struct daemon *d = data;

	if (r < 0) {
		dlog(SD_ERR, "sending stopped, trying again in a minute: %s", err);
		d->next_plan = time(NULL) + 60;
	}
	if (d->stopping) {
		(void)sd_event_exit(d->event, 0);
		return;
	}
	arm_timer(d);
}

static int setup_sender(struct daemon *d, struct setup *s)
{
	struct sender_ops ops = { on_outcome, on_idle, d };
	int r = sender_new(s->cfg, s->db, s->tr, d->event, 0, &ops, &s->sender);

	if (r < 0)
		dlog(SD_ERR, "cannot set up sending: %s", strerror(-r));
	return r;
}

/* ---- the committee's mailbox ---- */

static void inbound_line(void *userdata, int priority, const char *line)
{
	(void)userdata;
	dlog(priority <= LOG_ERR ? SD_ERR : SD_INFO, "inbound: %s", line);
}

/* The thread: one pass with a connection of its own. */
static void *inbound_thread(void *userdata)
{
	struct inbound_run *in = userdata;
	struct store *db = NULL;
	uint64_t one = 1;

	in->err[0] = '\0';
	memset(&in->info, 0, sizeof(in->info));
	in->r = store_open(in->cfg->state, 0, &db, in->err, sizeof(in->err));
	if (in->r == 0)
		in->r = service_inbound(in->cfg, in->tmpl, db, time(NULL), inbound_line, NULL,
		                        &in->info, in->err, sizeof(in->err));
	else
		in->info.store_failed = true;
	store_close(db);
	/* an eventfd write of 8 bytes does not fail short */
	(void)!write(in->efd, &one, sizeof(one));
	return NULL;
}

/* Start a pass unless one runs or no mailbox is configured. */
static void inbound_start(struct daemon *d)
{
	struct inbound_run *in = &d->in;
	int r;

	if (in->running || d->cur.cfg->inbound.source == GR_INBOUND_NONE || d->stopping)
		return;
	in->cfg = d->cur.cfg;
	in->tmpl = d->cur.tmpl;
	r = pthread_create(&in->thread, NULL, inbound_thread, in);
	if (r != 0) {
		dlog(SD_ERR, "inbound: cannot start the mailbox pass: %s", strerror(r));
		return;
	}
	in->running = true;
}

/* Wait for a pass in progress (reload, exit): bounded by inbound.timeout
 * per IMAP step. */
static void inbound_join(struct daemon *d)
{
	uint64_t n;

	if (!d->in.running)
		return;
	(void)pthread_join(d->in.thread, NULL);
	d->in.running = false;
	(void)!read(d->in.efd, &n, sizeof(n));
}

/* Arm a CLOCK_MONOTONIC source `seconds` from now. */
static void rearm(sd_event_source *s, int seconds)
{
	uint64_t now = 0;

	if (!s)
		return;
	(void)sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now);
	(void)sd_event_source_set_time(s, now + (uint64_t)seconds * 1000000ULL);
	(void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

/* Has anyone written topics or inbox since we last looked?  The first
 * look only remembers. */
static bool changes_moved(struct daemon *d)
{
	int64_t c;

	if (store_change_counter(d->cur.db, &c) < 0)
		return false;
	bool moved = d->in.have_counter && c != d->in.counter;
	d->in.counter = c;
	d->in.have_counter = true;
	return moved;
}

static int on_inbound_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct inbound_run *in = &d->in;

	(void)s, (void)fd, (void)revents;
	inbound_join(d);
	if (in->r < 0) {
		dlog(SD_ERR, "inbound: %s failed, trying again in %d s: %s",
		     in->info.store_failed ? "recording mail" : "reading the mailbox",
		     d->cur.cfg->inbound.poll_seconds, in->err);
		if (snprintf(d->inbound_problem, sizeof(d->inbound_problem), "mailbox: %.560s",
		             in->err) < 0)
			d->inbound_problem[0] = '\0';
	} else {
		d->inbound_problem[0] = '\0';
	}
	if (in->info.recorded > 0)
		dlog(SD_INFO, "inbound: %u new message%s, %u topic%s, %u held for the chair",
		     in->info.recorded, in->info.recorded == 1 ? "" : "s", in->info.topics,
		     in->info.topics == 1 ? "" : "s", in->info.held);
	rearm(in->poll, d->cur.cfg->inbound.poll_seconds);
	if (d->stopping)
		return 0;
	/* new topics and their confirmations, or a chair's edit during the
	 * pass: plan and send now */
	bool moved = changes_moved(d);
	if (in->info.recorded > 0 || moved)
		cycle(d);
	else
		report(d);
	return 0;
}

static int on_poll(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s, (void)usec;
	inbound_start(userdata);
	return 0;
}

static int on_changes(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	(void)usec;
	if (!d->in.running && changes_moved(d)) {
		dlog(SD_INFO, "topics or inbox changed (gremiumctl), planning again");
		cycle(d);
	}
	rearm(s, CHANGES_CHECK_SECONDS);
	return 0;
}

static int inbound_setup(struct daemon *d)
{
	struct inbound_run *in = &d->in;

	in->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->efd < 0 ||
	    sd_event_add_io(d->event, &in->done, in->efd, EPOLLIN, on_inbound_done, d) < 0 ||
	    sd_event_add_time(d->event, &in->poll, CLOCK_MONOTONIC, UINT64_MAX, 1000000ULL,
	                      on_poll, d) < 0 ||
	    sd_event_add_time(d->event, &in->changes, CLOCK_MONOTONIC, UINT64_MAX, 1000000ULL,
	                      on_changes, d) < 0)
		return -1;
	rearm(in->changes, CHANGES_CHECK_SECONDS);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s, (void)usec;
	cycle(userdata);
	return 0;
}

static int on_term(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	dlog(SD_INFO, "received %s, stopping", strsignal((int)si->ssi_signo));
	if (d->stopping || sender_in_flight(d->cur.sender) == 0)
		return sd_event_exit(d->event, 0);
	/* finish the mail in flight (bounded by delivery.timeout), so that
	 * a stop sends nothing twice; a second signal exits at once */
	d->stopping = true;
	sender_stop(d->cur.sender);
	return 0;
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	struct setup next;
	struct timespec ts;
	char why[1024] = "";
	int r;

	(void)s, (void)si;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* MONOTONIC_USEC lets systemd >= 253 match the reload to this signal */
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
	                 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL,
	                 d->config_path);
	r = setup_load(d->config_path, &d->cur, &next, why, sizeof(why));
	if (r == 0 && setup_sender(d, &next) < 0) {
		setup_free(&next, d->cur.db);
		snprintf(why, sizeof(why), "cannot set up sending");
		r = EX_OSERR;
	}
	if (r != 0) {
		dlog(SD_ERR, "reload of %s rejected, keeping the running configuration", d->config_path);
		/* stays in STATUS= next to the counts until a reload succeeds */
		(void)snprintf(d->config_problem, sizeof(d->config_problem),
		               "config rejected: %s; running the previous one (see log)",
		               why[0] ? why : d->config_path);
		(void)sd_notify(0, "READY=1");
		report(d);
		return 0;
	}
	d->config_problem[0] = '\0';
	/* the mailbox thread reads the old config */
	inbound_join(d);
	setup_free(&d->cur, next.db);
	d->cur = next;
	d->in.have_counter = false;
	dlog(SD_INFO, "configuration reloaded: %zu members, %zu series", next.cfg->n_members,
	     next.cfg->n_series);
	feed_server_reload(d);
	update_feed(d);
	(void)sd_notify(0, "READY=1");
	cycle(d);
	report(d);
	/* a new mailbox or poll interval: a pass now */
	inbound_start(d);
	return 0;
}

static int setup_loop(struct daemon *d)
{
	sigset_t mask;

	/* sd-event's signal sources need the signals blocked (sd_event_add_signal(3)) */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    sd_event_default(&d->event) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGTERM, on_term, d) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGINT, on_term, d) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGHUP, on_hup, d) < 0 ||
	    /* 1 s accuracy: mails are due by the minute */
	    sd_event_add_time(d->event, &d->timer, CLOCK_REALTIME, UINT64_MAX, 1000000ULL,
	                      on_timer, d) < 0 ||
	    sd_event_set_watchdog(d->event, true) < 0 ||
	    inbound_setup(d) < 0)
		return -1;
	return 0;
}

int daemon_new(const char *config_path, struct daemon **ret)
{
	struct daemon *d = calloc(1, sizeof(*d));
	char why[1024];
	int r;

	if (!d)
		return EX_OSERR;
	d->in.efd = -1;
	d->config_path = strdup(config_path);
	if (!d->config_path) {
		daemon_free(d);
		return EX_OSERR;
	}
	r = setup_load(config_path, NULL, &d->cur, why, sizeof(why));
	if (r != 0) {
		daemon_free(d);
		return r;
	}
	if (setup_loop(d) < 0 || setup_sender(d, &d->cur) < 0) {
		dlog(SD_ERR, "cannot set up the event loop");
		daemon_free(d);
		return EX_OSERR;
	}
	*ret = d;
	return 0;
}

int daemon_run(struct daemon *d)
{
	int r;

	/* the feed from the recorded state first: requests are answered at
	 * once; cycle() rewrites it with what the first plan records */
	update_feed(d);
	/* after update_feed(), so the server never starts without a feed;
	 * after daemon_new() blocked the signals, which its thread inherits */
	if (feed_server_start(d) < 0)
		return EX_UNAVAILABLE;
	dlog(SD_INFO, "gremiumd %s running: %zu members, %zu series, %s delivery", PACKAGE_VERSION,
	     d->cur.cfg->n_members, d->cur.cfg->n_series, tr_name(d->cur.tr));
	(void)sd_notify(0, "READY=1");
	cycle(d);
	report(d);
	(void)changes_moved(d);
	inbound_start(d);
	r = sd_event_loop(d->event);
	if (r < 0) {
		dlog(SD_ERR, "event loop failed: %s", strerror(-r));
		return EX_SOFTWARE;
	}
	return EX_OK;
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	/* before the setup the mailbox thread reads */
	inbound_join(d);
	sd_event_source_unref(d->in.done);
	sd_event_source_unref(d->in.poll);
	sd_event_source_unref(d->in.changes);
	if (d->in.efd >= 0)
		close(d->in.efd);
	feed_free(d->server);
	free(d->server_listen);
	/* the setup's sender has sources on the loop */
	setup_free(&d->cur, NULL);
	sd_event_source_unref(d->timer);
	sd_event_unref(d->event);
	free(d->feed);
	free(d->config_path);
	free(d);
}
