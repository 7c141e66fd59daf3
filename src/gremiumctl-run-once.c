/* SPDX-License-Identifier: MIT */
/* gremiumctl run-once: plan what is due, enqueue it, drain the outbox */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "gremiumctl.h"
#include "schedule.h"
#include "plan.h"
#include "sender.h"
#include "service.h"
#include "store.h"
#include "template.h"
#include "transport.h"
#include "util.h"

/* --now YYYY-MM-DDTHH:MM (committee local time) into *ret.  0 or exit code. */
static int run_once_args(const struct gr_config *cfg, int argc, char **argv, time_t *ret)
{
	static const struct option options[] = {
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	*ret = time(NULL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'n') {
			fprintf(stderr, "gremiumctl: run-once: bad option '%s'\n", argv[optind - 1]);
			return EX_USAGE;
		}
		r = ctl_parse_now(cfg, "run-once", optarg, ret);
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: run-once: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	return 0;
}

/* run-once's drain: counts, and the progress line on a terminal. */
struct drain {
	sd_event *ev;
	struct sender *sender;
	size_t n_sent, n_retry, n_failed;
	bool tty;               /* stderr is a terminal: show progress */
	uint64_t drawn;         /* CLOCK_MONOTONIC usec of the last redraw */
	int error;
};

/* At most ~4 redraws a second, one line overwritten with \r. */
static void drain_progress(struct drain *d, bool last)
{
	char line[256];
	uint64_t now = 0;

	if (!d->tty)
		return;
	(void)sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
	if (!last && now - d->drawn < 250000)
		return;
	d->drawn = now;
	sender_progress(d->sender, line, sizeof(line));
	/* \033[K: clear what a longer previous line left */
	fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
}

static void drain_outcome(void *data, const struct sender_sent *sent)
{
	struct drain *d = data;
	const char *erase = d->tty ? "\r\033[K" : "";

	if (sent->result == TR_SENT) {
		d->n_sent++;
	} else if (sent->result == TR_TEMPORARY && !sent->gave_up) {
		d->n_retry++;
		fprintf(stderr, "%sgremiumctl: run-once: %s to %s: temporary failure, retrying later: %s\n",
		        erase, sent->kind, sent->recipient, sent->reply);
	} else {
		d->n_failed++;
		fprintf(stderr, "%sgremiumctl: run-once: %s to %s: failed%s: %s\n", erase, sent->kind,
		        sent->recipient, sent->gave_up ? " (retry time over)" : "", sent->reply);
	}
	drain_progress(d, false);
}

static void drain_idle(void *data, int r, const char *err)
{
	struct drain *d = data;

	drain_progress(d, true);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: run-once: %s\n", err);
		d->error = r;
	}
	(void)sd_event_exit(d->ev, 0);
}

/* The messages that could not be rendered: each new one on stderr, the
 * count of those recorded before; all counted as failed. */
static void report_unrenderable(struct service_plan_info *info, struct drain *d)
{
	size_t old = info->unrenderable - info->unrenderable_new;

	for (char *line = info->failures ? strtok(info->failures, "\n") : NULL; line;
	     line = strtok(NULL, "\n"))
		fprintf(stderr, "gremiumctl: run-once: not sent: %s\n", line);
	if (old > 0)
		fprintf(stderr, "gremiumctl: run-once: %zu message%s still cannot be rendered, as before "
		        "(gremiumctl status lists them)\n", old, old == 1 ? "" : "s");
	d->n_failed += info->unrenderable;
	free(info->failures);
	info->failures = NULL;
}

/*
 * Plan at now with the sender running (a long list starts going out while
 * the rest is rendered, see service_plan()), then run the sender on a loop
 * of our own until nothing is due at now.  Each entry is claimed at most
 * once per run: a retry is due later than now.  0, or an exit code.
 */
static int plan_and_drain(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                          struct store *db, struct transport *tr, time_t now, struct drain *d)
{
	struct sender_ops ops = { drain_outcome, drain_idle, d };
	struct service_plan_info info;
	char err[512];
	int r = sd_event_new(&d->ev);

	if (r >= 0)
		r = sender_new(cfg, db, tr, d->ev, now, &ops, &d->sender);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: run-once: event loop: %s\n", strerror(-r));
		r = EX_OSERR;
	} else if (service_plan(cfg, tmpl, db, d->sender, now, &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "gremiumctl: run-once: %s\n", err);
		r = EX_SOFTWARE;
	} else {
		/* the progress line of what went out during the plan goes first */
		if (d->tty)
			fputs("\r\033[K", stderr);
		printf("planned %zu message%s\n", info.enqueued, info.enqueued == 1 ? "" : "s");
		fflush(stdout);
		report_unrenderable(&info, d);
		sender_kick(d->sender);
		r = sd_event_loop(d->ev);
		if (r < 0)
			fprintf(stderr, "gremiumctl: run-once: event loop: %s\n", strerror(-r));
		r = r < 0 || d->error < 0 ? EX_IOERR : 0;
	}
	sender_free(d->sender);
	sd_event_unref(d->ev);
	return r;
}

/* Plan, then send every entry due at now; one line per failure.  0 or an
 * exit code. */
static int run_once(const struct gr_config *cfg, const struct tmpl_set *tmpl, struct store *db,
                    time_t now, struct store_counts *ret)
{
	struct transport *tr = NULL;
	struct drain d = { .tty = isatty(STDERR_FILENO) == 1 };
	char err[512];
	int r;

	if (tr_new(cfg, &tr, err, sizeof(err), stderr) < 0) {
		fprintf(stderr, "gremiumctl: run-once: setting up delivery: %s\n", err);
		return EX_CONFIG;
	}
	r = plan_and_drain(cfg, tmpl, db, tr, now, &d);
	if (r != EX_SOFTWARE && r != EX_OSERR)
		printf("sent %zu, to retry %zu, failed %zu (%s)\n", d.n_sent, d.n_retry, d.n_failed,
		       tr_name(tr));
	tr_free(tr);
	if (r)
		return r;
	if (store_counts(db, ret) < 0) {
		fprintf(stderr, "gremiumctl: run-once: counting the outbox: %s\n", store_errmsg(db));
		return EX_IOERR;
	}
	return 0;
}

int cmd_run_once(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct tmpl_set *tmpl = NULL;
	struct store *db = NULL;
	struct store_counts counts = { 0 };
	time_t now;
	char err[512];
	int r, fetched = 0;

	r = run_once_args(cfg, argc, argv, &now);
	if (r)
		return r;
	/* the templates as check and gremiumd take them (one validation) */
	if (tmpl_load(cfg->templates, &tmpl, stderr) < 0 || service_check_templates(cfg, tmpl, stderr) < 0) {
		fprintf(stderr, "gremiumctl: run-once: loading templates: see the problems above\n");
		tmpl_free(tmpl);
		return EX_CONFIG;
	}
	r = store_open(cfg->state, STORE_OPEN_SENDER, &db, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "gremiumctl: run-once: opening the state: %s\n", err);
		tmpl_free(tmpl);
		return r == -EBUSY ? EX_TEMPFAIL : EX_CANTCREAT;
	}
	/* the mailbox first: confirmations of new topics go out in this run;
	 * a mailbox that fails stops nothing else, its code is the exit code */
	if (cfg->inbound.source != GR_INBOUND_NONE)
		fetched = ctl_fetch(ctl, "run-once", tmpl, db, now);
	r = run_once(cfg, tmpl, db, now, &counts);
	store_close(db);
	tmpl_free(tmpl);
	if (r == 0 && fetched)
		return fetched;
	if (r == 0 && counts.queued > 0)
		return EX_TEMPFAIL;
	return r;
}

