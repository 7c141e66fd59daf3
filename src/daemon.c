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
#include <sysexits.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "daemon.h"
#include "service.h"
#include "util.h"

struct daemon {
	sd_event *event;
	char *config_path;
	struct gr_config *cfg;
	char *feed;             /* the feed bytes last written */
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

/* Rewrite the feed file when the calendar changed. */
static void update_feed(struct daemon *d)
{
	int r;
	char *feed = service_feed(d->cfg, time(NULL), &r);

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
	sd_event_unref(d->event);
	config_free(d->cfg);
	free(d->feed);
	free(d->config_path);
	free(d);
}
