/* SPDX-License-Identifier: MIT */
/* gremiumctl preview: upcoming meetings and the mails planned for them */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>


#include "gremiumctl.h"
#include "schedule.h"
#include "plan.h"
#include "service.h"
#include "store.h"
#include "util.h"

#define PREVIEW_MAX_DAYS 3660

struct preview_opts {
	bool from_given;            /* --from: plan as of that midnight */
	struct gr_localtime from;   /* local midnight */
	int days;
	bool tsv;
	bool fresh;                 /* --fresh: as if nothing had been sent */
};

/* Weekday and date the way the committee reads them (DE: "Mi 13.01.2027"). */
static void format_day(const struct gr_config *cfg, const struct gr_localtime *lt,
                       char *buf, size_t len)
{
	static const char *const de[] = { "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So" };
	static const char *const en[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	int wd = sched_weekday(lt) - 1;

	if (cfg->committee.language && strcmp(cfg->committee.language, "de") == 0)
		snprintf(buf, len, "%s %02d.%02d.%04d %02d:%02d", de[wd], lt->day, lt->month,
		         lt->year, lt->hour, lt->minute);
	else
		snprintf(buf, len, "%s %04d-%02d-%02d %02d:%02d", en[wd], lt->year, lt->month,
		         lt->day, lt->hour, lt->minute);
}

static void format_status(const struct gr_config *cfg, const struct gr_occurrence *o,
                          char *buf, size_t len)
{
	char day[64];

	switch (o->status) {
	case GR_OCC_MOVED:
		format_day(cfg, &o->original, day, sizeof(day));
		snprintf(buf, len, "moved from %s%s%s%s", day, o->note ? " (" : "",
		         o->note ? o->note : "", o->note ? ")" : "");
		break;
	case GR_OCC_CANCELLED:
		snprintf(buf, len, "cancelled%s%s%s", o->note ? " (" : "", o->note ? o->note : "",
		         o->note ? ")" : "");
		break;
	case GR_OCC_SKIPPED:
		snprintf(buf, len, "skipped (%s meets this month)", o->series->skip_months_of);
		break;
	default:
		snprintf(buf, len, "confirmed");
	}
}

static void print_table(const struct gr_config *cfg, const struct sched_list *l)
{
	size_t w_id = 6, w_sum = 7;
	char day[64], status[512];

	for (size_t i = 0; i < l->n; i++) {
		size_t a = strlen(l->items[i].series->id), b = strlen(l->items[i].series->summary);
		w_id = a > w_id ? a : w_id;
		w_sum = b > w_sum ? b : w_sum;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct gr_occurrence *o = &l->items[i];

		format_day(cfg, &o->start, day, sizeof(day));
		format_status(cfg, o, status, sizeof(status));
		ctl_print_padded(day, 0);
		ctl_print_padded(o->series->id, w_id);
		ctl_print_padded(o->series->summary, w_sum);
		ctl_print_padded(o->series->location ? o->series->location : "-", 0);
		puts(status);
	}
	if (l->n == 0)
		puts("no meetings in this period");
}

static void iso_utc(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* One line per occurrence, tab-separated, for scripts and tests:
 * start (UTC), end (UTC), status, series, UID, local start, local original.
 * The UID is the one the planner uses (an old database keeps its old ones:
 * plan_published()), given in pub. */
static void print_tsv(const struct gr_config *cfg, const struct sched_list *l,
                      const struct gr_published *pub, size_t n_pub)
{
	static const char *const names[] = { "confirmed", "moved", "cancelled", "skipped" };

	puts("#start_utc\tend_utc\tstatus\tseries\tuid\tlocal_start\tlocal_original");
	for (size_t i = 0; i < l->n; i++) {
		const struct gr_occurrence *o = &l->items[i];
		char a[32], b[32], uid[512];

		iso_utc(o->start_utc, a, sizeof(a));
		iso_utc(o->end_utc, b, sizeof(b));
		if (ctl_occurrence_uid(cfg, pub, n_pub, o, uid, sizeof(uid)) < 0)
			snprintf(uid, sizeof(uid), "-");
		printf("%s\t%s\t%s\t%s\t%s\t%04d-%02d-%02dT%02d:%02d\t%04d-%02d-%02dT%02d:%02d\n",
		       a, b, names[o->status], o->series->id, uid, o->start.year, o->start.month,
		       o->start.day, o->start.hour, o->start.minute, o->original.year,
		       o->original.month, o->original.day, o->original.hour, o->original.minute);
	}
}

static int preview_args(const struct gr_config *cfg, int argc, char **argv,
                        struct preview_opts *ret)
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "days", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "fresh", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct preview_opts o = { .days = 90 };
	char *end;
	long days;
	int c;

	/* today in the committee's zone, not the machine's */
	sched_from_utc(time(NULL), cfg->committee.timezone, &o.from);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.from_given = true;
			if (util_parse_date(optarg, &o.from.year, &o.from.month, &o.from.day) < 0) {
				fprintf(stderr, "gremiumctl: preview: --from wants YYYY-MM-DD, got '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'd':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || days < 1 || days > PREVIEW_MAX_DAYS) {
				fprintf(stderr, "gremiumctl: preview: --days wants 1..%d, got '%s'\n",
				        PREVIEW_MAX_DAYS, optarg);
				return -EINVAL;
			}
			o.days = (int)days;
			break;
		case 'F':
			if (strcmp(optarg, "tsv") != 0 && strcmp(optarg, "table") != 0) {
				fprintf(stderr, "gremiumctl: preview: --format wants table or tsv, got '%s'\n", optarg);
				return -EINVAL;
			}
			o.tsv = strcmp(optarg, "tsv") == 0;
			break;
		case 'n':
			o.fresh = true;
			break;
		default:
			fprintf(stderr, "gremiumctl: preview: bad option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: preview: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	o.from.hour = o.from.minute = 0;
	*ret = o;
	return 0;
}

/*
 * The recorded state for planning previews, read-only.  A missing or
 * unreadable database is an error (ctl_open_state()): an empty state would
 * announce every invitation again.  With fresh (--fresh, before the first
 * start) the state is empty and the database not read.  0 or a sysexits
 * code.
 */
static int preview_state(const struct ctl *ctl, bool fresh, struct store_state *ret)
{
	struct store *db = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (fresh)
		return 0;
	r = ctl_open_state(ctl, "preview", &db);
	if (r != 0)
		return r;
	if (store_read_state(db, ret) < 0) {
		ctl_error("gremiumctl: preview: reading the state %s: %s", ctl->cfg->state, store_errmsg(db));
		r = EX_IOERR;
	}
	store_close(db);
	return r;
}

/* The mails the planner will send given the state st: those due now, then
 * each notification due before `until`, with its send time. */
static int print_planned(const struct gr_config *cfg, const struct store_state *st, time_t now, time_t until)
{
	struct sched_list occ = { 0 };
	struct plan_result res = { 0 };
	size_t per_kind[GR_KIND_COUNT_] = { 0 };
	char due[64], meeting[64];
	int r;

	r = service_occurrences(cfg, now, &occ);
	if (r == 0)
		r = plan_run(cfg, &occ, st, now, &res);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: preview: planning: %s\n", strerror(-r));
		r = EX_SOFTWARE;
		goto out;
	}
	puts("\nPlanned mails:");
	for (size_t i = 0; i < res.n_actions; i++)
		per_kind[res.actions[i].kind]++;
	for (int k = 0; k < GR_KIND_COUNT_; k++)
		if (per_kind[k])
			printf("  %-19s  %-13s %zu message%s\n", "due now", util_kind_name((enum gr_kind)k),
			       per_kind[k], per_kind[k] == 1 ? "" : "s");
	for (size_t i = 0; i < res.n_upcoming && res.upcoming[i].due < until; i++) {
		const struct plan_upcoming *u = &res.upcoming[i];
		struct gr_localtime lt;
		char kind[32];

		sched_from_utc(u->due, cfg->committee.timezone, &lt);
		format_day(cfg, &lt, due, sizeof(due));
		format_day(cfg, &u->occ->start, meeting, sizeof(meeting));
		if (u->kind == GR_KIND_REMINDER)
			snprintf(kind, sizeof(kind), "reminder -%dd", u->days_before);
		else
			snprintf(kind, sizeof(kind), "%s", util_kind_name(u->kind));
		if (u->kind == GR_KIND_CHAIR_REPORT)
			printf("  %s  %-13s for %s %s, to the chair (%s)\n", due, kind, meeting,
			       u->occ->series->id, cfg->committee.chair_address);
		else
			printf("  %s  %-13s for %s %s, to %zu member%s\n", due, kind, meeting,
			       u->occ->series->id, u->n_recipients ? u->n_recipients : cfg->n_members,
			       (u->n_recipients ? u->n_recipients : cfg->n_members) == 1 ? "" : "s");
	}
	if (res.n_actions == 0 && (res.n_upcoming == 0 || res.upcoming[0].due >= until))
		puts("  none in this period");
	r = 0;
out:
	plan_result_free(&res);
	sched_list_free(&occ);
	return r;
}

int cmd_preview(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct preview_opts o;
	struct sched_list l = { 0 };
	struct store_state st = { 0 };
	struct gr_localtime to;
	int r;

	if (preview_args(cfg, argc, argv, &o) < 0)
		return EX_USAGE;
	/* first, so that an unusable state prints nothing but the error */
	if (!o.tsv && (r = preview_state(ctl, o.fresh, &st)) != 0)
		return r;
	to = sched_add_days(o.from, o.days);
	r = sched_expand(cfg, sched_to_utc(&o.from, cfg->committee.timezone),
	                 sched_to_utc(&to, cfg->committee.timezone), &l);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: preview: %s\n", strerror(-r));
		store_state_free(&st);
		return EX_SOFTWARE;
	}
	if (o.tsv) {
		struct gr_published *pub = NULL;
		size_t n_pub = 0;

		/* the UIDs in use: from the state when there is one (scripts may
		 * ask before the first run: then the config's) */
		if (!o.fresh && access(cfg->state, F_OK) == 0)
			r = preview_state(ctl, false, &st);
		if (r == 0 && plan_published(cfg, &l, &st, time(NULL), &pub, &n_pub) < 0)
			r = EX_SOFTWARE;
		if (r == 0)
			print_tsv(cfg, &l, pub, n_pub);
		plan_published_free(pub, n_pub);
	} else {
		/* --from previews as of that day's midnight, like run-once --now:
		 * the same answer whatever day it is run */
		time_t now = o.from_given ? sched_to_utc(&o.from, cfg->committee.timezone) : time(NULL);

		printf("Meetings from %04d-%02d-%02d for %d days:\n", o.from.year, o.from.month,
		       o.from.day, o.days);
		print_table(cfg, &l);
		r = print_planned(cfg, &st, now, sched_to_utc(&to, cfg->committee.timezone));
	}
	sched_list_free(&l);
	store_state_free(&st);
	if (r != 0)
		return r;
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gremiumctl: preview: writing: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

