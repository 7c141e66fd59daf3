/* SPDX-License-Identifier: MIT */
/*
 * daemon - see daemon.h.
 *
 * A reload never leaves the service without a config: the new file is
 * loaded and validated into a second struct first, and only swapped in when
 * it is good (DESIGN.md "systemd").
 */
#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "daemon.h"
#include "feed.h"
#include "ical.h"
#include "schedule.h"
#include "util.h"

/* How far ahead of now the feed must reach at least (a rrule series is
 * unbounded; exceptions further ahead are covered by sched_horizon). */
#define FEED_AHEAD_SECONDS (2 * 366 * 24 * 3600)

struct daemon {
	sd_event *event;
	char *config_path;
	struct gr_config *cfg;
	char *feed;             /* the feed bytes last written */
	time_t feed_mtime;      /* their Last-Modified */
	struct feed *server;    /* the feed's HTTP server, or NULL */
	char *server_listen;    /* the address it was started for (NULL: systemd's socket) */
	char status[256];       /* the STATUS= line, without the prefix */
};

static void dlog(const char *prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One log line to stderr with its sd-daemon priority prefix, so journald
 * keeps the level (sd-daemon(3)). */
static void dlog(const char *prio, const char *fmt, ...)
{
	va_list ap;

	fputs(prio, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void set_status(struct daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_status(struct daemon *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->status, sizeof(d->status), fmt, ap);
	va_end(ap);
	(void)sd_notifyf(0, "STATUS=%s", d->status);
}

/*
 * Load and validate path.  Problems are logged one per line at error
 * priority; returns 0 and *ret, or a sysexits code.
 */
static int load_config(const char *path, struct gr_config **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);
	int r;

	if (!errs)
		return EX_OSERR;
	r = config_load(path, ret, errs);
	fclose(errs);
	if (r < 0 && buf) {
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			dlog(SD_ERR, "%s", line);
	}
	free(buf);
	if (r == 0)
		return 0;
	return r == -ENOENT ? EX_NOINPUT : EX_CONFIG;
}

/* Render the public feed of cfg; NULL on failure. */
static char *render_feed(const struct gr_config *cfg)
{
	struct sched_list occ = { 0 };
	time_t from, to;
	char *feed;

	sched_horizon(cfg, time(NULL) + FEED_AHEAD_SECONDS, &from, &to);
	if (sched_expand(cfg, from, to, &occ) < 0)
		return NULL;
	feed = ical_publish(cfg, &occ, cfg->mtime);
	sched_list_free(&occ);
	return feed;
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

/*
 * Start the HTTP server for cfg->feed.listen (NULL: none), replacing the
 * running one.  The new server is started before the old one stops, so a
 * failure keeps the old one; only when the new address collides with the
 * old one's port (e.g. 127.0.0.1:8080 -> 0.0.0.0:8080) the old one has to go
 * first.  Returns 0 or a negative errno (logged).
 */
static int feed_server_replace(struct daemon *d)
{
	const struct gr_feed *cfg = &d->cfg->feed;
	struct feed *f = NULL;
	char err[256];
	int r = 0;

	if (cfg->listen) {
		r = feed_new(cfg->listen, -1, cfg->path, &f, err, sizeof(err));
		if (r == -EADDRINUSE && d->server) {
			feed_free(d->server);
			d->server = NULL;
			r = feed_new(cfg->listen, -1, cfg->path, &f, err, sizeof(err));
		}
		if (r < 0) {
			dlog(SD_ERR, "feed: %s%s", err, d->server ? ", keeping the running HTTP server" : "");
			return r;
		}
		dlog(SD_INFO, "feed served at http://%s%s", cfg->listen, cfg->path);
	}
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
	const struct gr_feed *cfg = &d->cfg->feed;
	int fd = feed_server_inherited_fd();
	char err[256];
	int r;

	if (fd < 0)
		return feed_server_replace(d);
	r = feed_new(NULL, fd, cfg->path, &d->server, err, sizeof(err));
	if (r < 0) {
		dlog(SD_ERR, "feed: %s", err);
		return r;
	}
	if (cfg->listen)
		dlog(SD_NOTICE, "feed.listen \"%s\" is overridden by the socket systemd passed, ignoring", cfg->listen);
	dlog(SD_INFO, "feed served at port %u%s (socket from systemd)", feed_port(d->server), cfg->path);
	feed_server_publish(d);
	return 0;
}

/* After a reload: a changed feed.listen restarts the server, a changed
 * path is swapped in; the feed bytes follow in update_feed(). */
static void feed_server_reload(struct daemon *d)
{
	const struct gr_feed *cfg = &d->cfg->feed;
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
	char *feed = render_feed(d->cfg);
	int r;

	if (!feed) {
		dlog(SD_ERR, "cannot render the calendar feed, keeping the old one");
		return;
	}
	if (d->feed && strcmp(d->feed, feed) == 0) {
		free(feed);
		return;
	}
	if (d->cfg->feed.file) {
		char *dir = util_strdup0(d->cfg->feed.file);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash && slash != dir) {
			*slash = '\0';
			(void)util_mkdir_p(dir, 0755);
		}
		free(dir);
		r = util_write_atomic(d->cfg->feed.file, feed, strlen(feed), 0644);
		if (r < 0)
			dlog(SD_ERR, "cannot write feed file %s: %s", d->cfg->feed.file, strerror(-r));
		else
			dlog(SD_INFO, "feed file %s written (%zu bytes)", d->cfg->feed.file, strlen(feed));
	}
	free(d->feed);
	d->feed = feed;
	d->feed_mtime = d->cfg->mtime;
	feed_server_publish(d);
}

static int on_term(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	dlog(SD_INFO, "received %s, stopping", strsignal((int)si->ssi_signo));
	return sd_event_exit(d->event, 0);
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	struct gr_config *cfg = NULL;
	struct timespec ts;
	int r;

	(void)s, (void)si;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* MONOTONIC_USEC lets systemd >= 253 match the reload to this signal */
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
	                 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL,
	                 d->config_path);
	r = load_config(d->config_path, &cfg);
	if (r != 0) {
		dlog(SD_ERR, "reload of %s rejected, keeping the running configuration", d->config_path);
		(void)sd_notify(0, "READY=1");
		set_status(d, "reload rejected: %s has errors (see log); running the previous configuration",
		           d->config_path);
		return 0;
	}
	config_free(d->cfg);
	d->cfg = cfg;
	dlog(SD_INFO, "configuration reloaded: %zu members, %zu series", cfg->n_members, cfg->n_series);
	feed_server_reload(d);
	update_feed(d);
	(void)sd_notify(0, "READY=1");
	set_status(d, "running: %zu members, %zu series", cfg->n_members, cfg->n_series);
	return 0;
}

int daemon_new(const char *config_path, struct daemon **ret)
{
	struct daemon *d = calloc(1, sizeof(*d));
	sigset_t mask;
	int r;

	if (!d)
		return EX_OSERR;
	d->config_path = strdup(config_path);
	if (!d->config_path) {
		daemon_free(d);
		return EX_OSERR;
	}
	r = load_config(config_path, &d->cfg);
	if (r != 0) {
		daemon_free(d);
		return r;
	}
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
	    sd_event_set_watchdog(d->event, true) < 0) {
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

	update_feed(d);
	/* after update_feed(), so the server never starts without a feed;
	 * after daemon_new() blocked the signals, which its thread inherits */
	if (feed_server_start(d) < 0)
		return EX_UNAVAILABLE;
	dlog(SD_INFO, "gremiumd %s running: %zu members, %zu series", PACKAGE_VERSION,
	     d->cfg->n_members, d->cfg->n_series);
	(void)sd_notify(0, "READY=1");
	set_status(d, "running: %zu members, %zu series", d->cfg->n_members, d->cfg->n_series);
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
	feed_free(d->server);
	free(d->server_listen);
	sd_event_unref(d->event);
	config_free(d->cfg);
	free(d->feed);
	free(d->config_path);
	free(d);
}
