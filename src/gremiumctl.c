/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl - the admin tool: check, preview, ics, send-test, run-once,
 * status.  A thin layer: parse the command line, load the config, call the
 * modules, print.  Subcommands are dispatched from the table `commands`.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "ical.h"
#include "mail.h"
#include "schedule.h"
#include "plan.h"
#include "sender.h"
#include "service.h"
#include "store.h"
#include "template.h"
#include "transport.h"
#include "util.h"

struct ctl {
	const char *config_path;
	struct gr_config *cfg;  /* loaded before the command runs */
};

struct command {
	const char *name;
	const char *usage;      /* arguments after the name */
	const char *help;
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

static int cmd_check(struct ctl *ctl, int argc, char **argv);
static int cmd_preview(struct ctl *ctl, int argc, char **argv);
static int cmd_ics(struct ctl *ctl, int argc, char **argv);
static int cmd_send_test(struct ctl *ctl, int argc, char **argv);
static int cmd_run_once(struct ctl *ctl, int argc, char **argv);
static int cmd_status(struct ctl *ctl, int argc, char **argv);

static const struct command commands[] = {
	{ "check", "", "validate the configuration; every problem as FILE:LINE: message", cmd_check },
	{ "preview", "[--from YYYY-MM-DD] [--days N] [--format table|tsv]",
	  "list upcoming meetings and planned mails (tsv: UTC instants, for scripts)", cmd_preview },
	{ "ics", "[-o FILE]", "write the public calendar feed (METHOD:PUBLISH)", cmd_ics },
	{ "send-test", "--to ADDRESS [--kind invitation|reminder|topic-call]",
	  "send one sample mail through the configured transport", cmd_send_test },
	{ "run-once", "[--now YYYY-MM-DDTHH:MM]",
	  "plan what is due now (committee local time), enqueue it, send the outbox", cmd_run_once },
	{ "status", "", "outbox and sent-log summary; permanently failed recipients", cmd_status },
};

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: gremiumctl [-c FILE] COMMAND [ARGS]\n"
	        "\n"
	        "Administer gremiumd, the committee calendar and mail daemon.\n"
	        "\n"
	        "Options:\n"
	        "  -c, --config FILE  configuration file (default %s)\n"
	        "  -h, --help         show this help and exit\n"
	        "  -V, --version      show the version and exit\n"
	        "\n"
	        "Commands:\n", CONFIG_DEFAULT_PATH);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %s %s\n      %s\n", commands[i].name, commands[i].usage, commands[i].help);
	fprintf(out,
	        "\n"
	        "Exit status: 0 success, 64 usage error, 69 permanent failure,\n"
	        "75 temporary failure, 78 configuration error.\n");
}

/* Reset getopt for a subcommand's own option parsing. */
static void getopt_reset(void)
{
	optind = 0;
}

/* ---- check ---- */

static int cmd_check(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: check takes no arguments\n");
		return EX_USAGE;
	}
	printf("configuration OK: %zu members, %zu series\n", cfg->n_members, cfg->n_series);
	return EX_OK;
}

/* ---- preview ---- */

#define PREVIEW_MAX_DAYS 3660

struct preview_opts {
	bool from_given;            /* --from: plan as of that midnight */
	struct gr_localtime from;   /* local midnight */
	int days;
	bool tsv;
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

/* Code points, not octets: printf's %-*s would misalign umlauts. */
static void print_padded(const char *s, size_t width)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			n++;
	fputs(s, stdout);
	for (; n < width; n++)
		putchar(' ');
	fputs("  ", stdout);
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
		print_padded(day, 0);
		print_padded(o->series->id, w_id);
		print_padded(o->series->summary, w_sum);
		print_padded(o->series->location ? o->series->location : "-", 0);
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
 * start (UTC), end (UTC), status, series, UID, local start, local original. */
static void print_tsv(const struct gr_config *cfg, const struct sched_list *l)
{
	static const char *const names[] = { "confirmed", "moved", "cancelled", "skipped" };

	puts("#start_utc\tend_utc\tstatus\tseries\tuid\tlocal_start\tlocal_original");
	for (size_t i = 0; i < l->n; i++) {
		const struct gr_occurrence *o = &l->items[i];
		struct ical_object obj = { o->series, o->date_index, NULL, NULL };
		char a[32], b[32], uid[512];

		iso_utc(o->start_utc, a, sizeof(a));
		iso_utc(o->end_utc, b, sizeof(b));
		if (ical_uid(cfg, &obj, uid, sizeof(uid)) < 0)
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

/* The recorded state for planning previews: read-only, empty when there is
 * no database yet (then every invitation is still to be sent). */
static int preview_state(const struct gr_config *cfg, struct store_state *ret)
{
	struct store *db = NULL;
	char err[512];
	int r;

	memset(ret, 0, sizeof(*ret));
	if (access(cfg->state, F_OK) < 0)
		return 0;
	r = store_open(cfg->state, 0, &db, err, sizeof(err));
	if (r == 0 && (r = store_read_state(db, ret)) < 0)
		snprintf(err, sizeof(err), "%s", store_errmsg(db));
	if (r < 0)
		fprintf(stderr, "gremiumctl: preview: reading the state: %s\n", err);
	store_close(db);
	return r;
}

/* The mails the planner will send: those due now, then each notification
 * due before `until`, with its send time. */
static int print_planned(const struct gr_config *cfg, time_t now, time_t until)
{
	struct sched_list occ = { 0 };
	struct store_state st;
	struct plan_result res = { 0 };
	size_t per_kind[GR_KIND_COUNT_] = { 0 };
	char due[64], meeting[64];
	int r;

	if (preview_state(cfg, &st) < 0)
		return EX_IOERR;
	r = service_occurrences(cfg, now, &occ);
	if (r == 0)
		r = plan_run(cfg, &occ, &st, now, &res);
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
		printf("  %s  %-13s for %s %s, to %zu members\n", due, kind, meeting,
		       u->occ->series->id, cfg->n_members);
	}
	if (res.n_actions == 0 && (res.n_upcoming == 0 || res.upcoming[0].due >= until))
		puts("  none in this period");
	r = 0;
out:
	plan_result_free(&res);
	sched_list_free(&occ);
	store_state_free(&st);
	return r;
}

static int cmd_preview(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct preview_opts o;
	struct sched_list l = { 0 };
	struct gr_localtime to;
	int r;

	if (preview_args(cfg, argc, argv, &o) < 0)
		return EX_USAGE;
	to = sched_add_days(o.from, o.days);
	r = sched_expand(cfg, sched_to_utc(&o.from, cfg->committee.timezone),
	                 sched_to_utc(&to, cfg->committee.timezone), &l);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: preview: %s\n", strerror(-r));
		return EX_SOFTWARE;
	}
	if (o.tsv) {
		print_tsv(cfg, &l);
	} else {
		/* --from previews as of that day's midnight, like run-once --now:
		 * the same answer whatever day it is run */
		time_t now = o.from_given ? sched_to_utc(&o.from, cfg->committee.timezone) : time(NULL);

		printf("Meetings from %04d-%02d-%02d for %d days:\n", o.from.year, o.from.month,
		       o.from.day, o.days);
		print_table(cfg, &l);
		r = print_planned(cfg, now, sched_to_utc(&to, cfg->committee.timezone));
	}
	sched_list_free(&l);
	if (r != 0)
		return r;
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gremiumctl: preview: writing: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

/* ---- ics ---- */

static int write_feed(const char *path, const char *data)
{
	int r = util_mkdir_parent(path, 0755);

	return r < 0 ? r : util_write_atomic(path, data, strlen(data), 0644);
}

static int ics_args(int argc, char **argv, const char **ret_out)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		if (c != 'o') {
			fprintf(stderr, "gremiumctl: ics: bad option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
		*ret_out = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: ics: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* The feed with what the state database recorded (UIDs, SEQUENCE,
 * LAST-MODIFIED, history), as gremiumd serves it; without a database yet,
 * from the config alone. */
static char *ics_feed(const struct gr_config *cfg, int *ret_err)
{
	struct store *db = NULL;
	char err[512], *feed;
	int r;

	if (access(cfg->state, F_OK) == 0) {
		r = store_open(cfg->state, 0, &db, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "gremiumctl: ics: reading the state: %s\n", err);
			*ret_err = r;
			return NULL;
		}
	}
	feed = service_feed(cfg, time(NULL), db, ret_err);
	store_close(db);
	return feed;
}

static int cmd_ics(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	const char *out = NULL;
	char *feed;
	int r;

	if (ics_args(argc, argv, &out) < 0)
		return EX_USAGE;
	feed = ics_feed(cfg, &r);
	if (!feed) {
		fprintf(stderr, "gremiumctl: ics: building the calendar: %s\n", strerror(-r));
		return EX_SOFTWARE;
	}
	if (out) {
		r = write_feed(out, feed);
		if (r < 0)
			fprintf(stderr, "gremiumctl: ics: writing %s: %s\n", out, strerror(-r));
		r = r < 0 ? EX_CANTCREAT : EX_OK;
	} else if (fputs(feed, stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "gremiumctl: ics: writing: %s\n", strerror(errno));
		r = EX_IOERR;
	} else {
		r = EX_OK;
	}
	free(feed);
	return r;
}

/* ---- send-test ---- */

/* How far ahead send-test looks for the next meeting. */
#define SEND_TEST_DAYS 400

struct send_test {
	const struct gr_config *cfg;
	const char *to;
	enum gr_kind kind;
	struct gr_member member;        /* the recipient, as if a member */
	struct sched_list occ;          /* every occurrence of the horizon */
	const struct gr_occurrence *next;
	time_t now;
	char *msg;
	size_t len;
};

static void send_test_free(struct send_test *st)
{
	sched_list_free(&st->occ);
	free(st->msg);
}

/* --to ADDRESS [--kind KIND]: 0, or an exit code. */
static int send_test_args(struct send_test *st, int argc, char **argv)
{
	static const struct option options[] = {
		{ "to", required_argument, NULL, 't' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int c;

	st->kind = GR_KIND_INVITATION;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 't') {
			st->to = optarg;
		} else if (c == 'k' && strcmp(optarg, "invitation") == 0) {
			st->kind = GR_KIND_INVITATION;
		} else if (c == 'k' && strcmp(optarg, "reminder") == 0) {
			st->kind = GR_KIND_REMINDER;
		} else if (c == 'k' && strcmp(optarg, "topic-call") == 0) {
			st->kind = GR_KIND_TOPIC_CALL;
		} else {
			if (c == 'k')
				fprintf(stderr, "gremiumctl: send-test: --kind: '%s' is not one of "
				        "invitation, reminder, topic-call\n", optarg);
			return EX_USAGE;
		}
	}
	if (!st->to || optind < argc) {
		fprintf(stderr, "gremiumctl: send-test: usage: send-test --to ADDRESS "
		        "[--kind invitation|reminder|topic-call]\n");
		return EX_USAGE;
	}
	if (mail_address_check(st->to, err, sizeof(err)) < 0) {
		fprintf(stderr, "gremiumctl: send-test: --to: %s\n", err);
		return EX_USAGE;
	}
	return 0;
}

/* The recipient: a member's name when ADDRESS is a member's, else itself. */
static void send_test_member(struct send_test *st)
{
	const struct gr_config *cfg = st->cfg;

	st->member.email = (char *)st->to;
	st->member.name = (char *)st->to;
	for (size_t i = 0; i < cfg->n_members; i++)
		if (strcasecmp(cfg->members[i].email, st->to) == 0) {
			st->member = cfg->members[i];
			st->member.email = (char *)st->to;
		}
}

/* The first meeting that takes place after now.  0 or an exit code. */
static int send_test_next(struct send_test *st)
{
	time_t from, to;
	int r;

	sched_horizon(st->cfg, st->now + SEND_TEST_DAYS * 86400, &from, &to);
	r = sched_expand(st->cfg, from, to, &st->occ);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: send-test: expanding the meetings: %s\n",
		        r == -EINVAL ? "a recurrence rule does not parse" : strerror(-r));
		return r == -EINVAL ? EX_CONFIG : EX_OSERR;
	}
	for (size_t i = 0; i < st->occ.n && !st->next; i++) {
		const struct gr_occurrence *o = &st->occ.items[i];

		if (o->start_utc > st->now &&
		    (o->status == GR_OCC_CONFIRMED || o->status == GR_OCC_MOVED))
			st->next = o;
	}
	if (!st->next) {
		fprintf(stderr, "gremiumctl: send-test: choosing a meeting: no meeting in the "
		        "next %d days\n", SEND_TEST_DAYS);
		return EX_CONFIG;
	}
	return 0;
}

/* The message for the kind into st->msg, rendered exactly as the service
 * renders a planned one.  0 or an exit code. */
static int send_test_render(struct send_test *st)
{
	const struct gr_config *cfg = st->cfg;
	const struct gr_notifications *n = &cfg->notifications;
	const struct gr_occurrence *o = st->next;
	struct gr_localtime deadline = sched_add_days(o->start, -n->topic_deadline_days_before);
	struct plan_action a = {
		.kind = st->kind, .member = &st->member, .email = st->member.email,
		.name = st->member.name, .series = o->series, .date_index = o->date_index,
		.occ = st->kind == GR_KIND_INVITATION ? NULL : o,
		.occurrence = o->start, .recurrence_id = o->original,
		.days_before = n->n_reminders > 0 ? n->reminders_days_before[0] : 1,
	};
	struct tmpl_set *set = NULL;
	char err[512];
	int r;

	deadline.hour = n->send_hour;
	deadline.minute = n->send_minute;
	a.deadline = sched_to_utc(&deadline, cfg->committee.timezone);
	snprintf(a.occurrence_text, sizeof(a.occurrence_text), "%04d-%02d-%02dT%02d:%02d",
	         o->start.year, o->start.month, o->start.day, o->start.hour, o->start.minute);
	snprintf(a.message_id, sizeof(a.message_id), "send-test.%lld.%ld.%ld@%s",
	         (long long)st->now, (long)getpid(), (long)clock(), cfg->committee.domain);
	if (tmpl_load(cfg->templates, &set, stderr) < 0) {
		fprintf(stderr, "gremiumctl: send-test: loading templates: see the problems above\n");
		return EX_CONFIG;
	}
	/* INTEROP: SEQUENCE 0 and the member's own ATTENDEE line */
	r = service_render(cfg, set, &st->occ, NULL, &a, st->now, &st->msg, &st->len, err, sizeof(err));
	tmpl_free(set);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: send-test: %s\n", err);
		return r == -EINVAL ? EX_CONFIG : EX_OSERR;
	}
	return 0;
}

/* Through the configured transport; the exit code tells the outcome. */
static int send_test_deliver(struct send_test *st)
{
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[512];

	if (tr_new(st->cfg, &t, err, sizeof(err), stderr) < 0) {
		fprintf(stderr, "gremiumctl: send-test: setting up delivery: %s\n", err);
		return EX_CONFIG;
	}
	(void)tr_send(t, st->cfg->committee.organizer_email, st->to, st->msg, st->len, &out);
	tr_free(t);
	switch (out.result) {
	case TR_SENT:
		printf("sent: %s\n", out.reply);
		return EX_OK;
	case TR_TEMPORARY:
		printf("temporary failure: %s\n", out.reply);
		return EX_TEMPFAIL;
	default:
		printf("permanent failure: %s\n", out.reply);
		return EX_UNAVAILABLE;
	}
}

static int cmd_send_test(struct ctl *ctl, int argc, char **argv)
{
	struct send_test st = { .cfg = ctl->cfg, .now = time(NULL) };
	int r;

	r = send_test_args(&st, argc, argv);
	if (r == 0) {
		send_test_member(&st);
		r = send_test_next(&st);
	}
	if (r == 0)
		r = send_test_render(&st);
	if (r == 0)
		r = send_test_deliver(&st);
	send_test_free(&st);
	return r;
}

/* ---- run-once ---- */

/* --now YYYY-MM-DDTHH:MM (committee local time) into *ret.  0 or exit code. */
static int run_once_args(const struct gr_config *cfg, int argc, char **argv, time_t *ret)
{
	static const struct option options[] = {
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_localtime lt;
	int c;

	*ret = time(NULL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'n') {
			fprintf(stderr, "gremiumctl: run-once: bad option '%s'\n", argv[optind - 1]);
			return EX_USAGE;
		}
		if (util_parse_datetime(optarg, &lt.year, &lt.month, &lt.day, &lt.hour, &lt.minute) < 0) {
			fprintf(stderr, "gremiumctl: run-once: --now wants YYYY-MM-DDTHH:MM, got '%s'\n", optarg);
			return EX_USAGE;
		}
		*ret = sched_to_utc(&lt, cfg->committee.timezone);
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

static int cmd_run_once(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct tmpl_set *tmpl = NULL;
	struct store *db = NULL;
	struct store_counts counts = { 0 };
	time_t now;
	char err[512];
	int r;

	r = run_once_args(cfg, argc, argv, &now);
	if (r)
		return r;
	if (tmpl_load(cfg->templates, &tmpl, stderr) < 0) {
		fprintf(stderr, "gremiumctl: run-once: loading templates: see the problems above\n");
		return EX_CONFIG;
	}
	r = store_open(cfg->state, STORE_OPEN_SENDER, &db, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "gremiumctl: run-once: opening the state: %s\n", err);
		tmpl_free(tmpl);
		return r == -EBUSY ? EX_TEMPFAIL : EX_CANTCREAT;
	}
	r = run_once(cfg, tmpl, db, now, &counts);
	store_close(db);
	tmpl_free(tmpl);
	if (r == 0 && counts.queued > 0)
		return EX_TEMPFAIL;
	return r;
}

/* ---- status ---- */

static int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct store *db = NULL;
	struct store_counts counts = { 0 };
	struct store_failure *f = NULL;
	size_t n = 0;
	char err[512];
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: status takes no arguments\n");
		return EX_USAGE;
	}
	if (access(cfg->state, F_OK) < 0) {
		/* nothing sent yet: do not create a database just to say so */
		puts("0 sent, 0 queued, 0 failed");
		return EX_OK;
	}
	r = store_open(cfg->state, 0, &db, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "gremiumctl: status: opening the state: %s\n", err);
		return EX_NOINPUT;
	}
	if (store_counts(db, &counts) < 0 || store_failures(db, &f, &n) < 0) {
		fprintf(stderr, "gremiumctl: status: %s\n", store_errmsg(db));
		store_close(db);
		return EX_IOERR;
	}
	printf("%ld sent, %ld queued, %ld failed\n", counts.sent, counts.queued, counts.failed);
	for (size_t i = 0; i < n; i++)
		printf("failed: %s (%s%s%s): %s\n", f[i].recipient, f[i].kind,
		       f[i].occurrence ? " " : "", f[i].occurrence ? f[i].occurrence : "",
		       f[i].answer ? f[i].answer : "no answer");
	store_failures_free(f, n);
	store_close(db);
	return EX_OK;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .config_path = CONFIG_DEFAULT_PATH };
	const struct command *cmd = NULL;
	int c, r;

	/* '+': stop at the command name; its options are its own */
	while ((c = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("gremiumctl %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			fprintf(stderr, "Try 'gremiumctl --help'.\n");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "gremiumctl: no command given\nTry 'gremiumctl --help'.\n");
		return EX_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "gremiumctl: unknown command '%s'\nTry 'gremiumctl --help'.\n", argv[optind]);
		return EX_USAGE;
	}

	mail_init();
	r = config_load(ctl.config_path, &ctl.cfg, stderr);
	if (r == -EINVAL) {
		mail_shutdown();
		return EX_CONFIG;
	}
	if (r < 0) {
		mail_shutdown();
		return r == -ENOENT || r == -EACCES ? EX_NOINPUT : EX_CONFIG;
	}
	argc -= optind;
	argv += optind;
	getopt_reset();
	r = cmd->run(&ctl, argc, argv);
	config_free(ctl.cfg);
	mail_shutdown();
	return r;
}
