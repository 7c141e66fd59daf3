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

#include "config.h"
#include "ical.h"
#include "mail.h"
#include "schedule.h"
#include "template.h"
#include "transport.h"

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

static const struct command commands[] = {
	{ "check", "", "validate the configuration; every problem as FILE:LINE: message", cmd_check },
	{ "preview", "[--from YYYY-MM-DD] [--days N]", "list upcoming meetings and planned mails", cmd_preview },
	{ "ics", "[-o FILE]", "write the public calendar feed (METHOD:PUBLISH)", cmd_ics },
	{ "send-test", "--to ADDRESS [--kind invitation|reminder|topic-call]",
	  "send one sample mail through the configured transport", cmd_send_test },
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

static int cmd_preview(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl, (void)argc, (void)argv;
	fprintf(stderr, "gremiumctl: preview: not available in this version\n");
	return EX_UNAVAILABLE;
}

/* ---- ics ---- */

static int cmd_ics(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl, (void)argc, (void)argv;
	fprintf(stderr, "gremiumctl: ics: not available in this version\n");
	return EX_UNAVAILABLE;
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
	char *subject, *body, *ical, *msg;
	size_t len;
};

static void send_test_free(struct send_test *st)
{
	sched_list_free(&st->occ);
	free(st->subject);
	free(st->body);
	free(st->ical);
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

	sched_horizon(st->cfg, st->now + SEND_TEST_DAYS * 86400, &from, &to);
	if (sched_expand(st->cfg, from, to, &st->occ) < 0) {
		fprintf(stderr, "gremiumctl: send-test: expanding the meetings: out of memory\n");
		return EX_OSERR;
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

/* Render the template for the kind into st->subject/body.  0 or exit code. */
static int send_test_text(struct send_test *st)
{
	const struct gr_config *cfg = st->cfg;
	const struct gr_occurrence *o = st->next;
	const struct gr_notifications *n = &cfg->notifications;
	enum tmpl_lang lang = tmpl_lang_from_str(cfg->committee.language);
	int days = n->n_reminders > 0 ? n->reminders_days_before[0] : 1;
	struct gr_localtime deadline = sched_add_days(o->start, -n->topic_deadline_days_before);
	char date[64], time_[32], end[32], dl[64], ndays[16], in_days[32];
	struct tmpl_set *set = NULL;
	enum tmpl_name name;
	int r;

	tmpl_format_date(lang, &o->start, date, sizeof(date));
	tmpl_format_time(lang, &o->start, time_, sizeof(time_));
	tmpl_format_time(lang, &o->end, end, sizeof(end));
	tmpl_format_date(lang, &deadline, dl, sizeof(dl));
	snprintf(ndays, sizeof(ndays), "%d", days);
	tmpl_format_days(lang, days, in_days, sizeof(in_days));
	const struct tmpl_var vars[] = {
		{ "member_name", st->member.name }, { "committee", cfg->committee.name },
		{ "short_name", cfg->committee.short_name }, { "summary", o->series->summary },
		{ "date", date }, { "time", time_ }, { "end_time", end },
		{ "location", o->series->location }, { "url", o->series->url },
		{ "description", o->series->description }, { "deadline", dl },
		{ "days", ndays }, { "in_days", in_days },
		{ "topics_address", cfg->committee.topics_address },
		{ "organizer", cfg->committee.organizer_name }, { "note", o->note },
	};

	if (tmpl_load(cfg->templates, &set, stderr) < 0) {
		fprintf(stderr, "gremiumctl: send-test: loading templates: see the problems above\n");
		return EX_CONFIG;
	}
	name = st->kind == GR_KIND_REMINDER ? TMPL_REMINDER :
	       st->kind == GR_KIND_TOPIC_CALL ? TMPL_TOPIC_CALL :
	       o->series->rrule ? TMPL_INVITATION_SERIES : TMPL_INVITATION_SINGLE;
	r = tmpl_render(set, name, lang, vars, sizeof(vars) / sizeof(vars[0]), &st->subject, &st->body);
	tmpl_free(set);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: send-test: rendering the text: %s\n", strerror(-r));
		return EX_OSERR;
	}
	return 0;
}

/* The whole message into st->msg.  0 or an exit code. */
static int send_test_render(struct send_test *st)
{
	struct mail_spec spec = {
		.kind = st->kind, .to = &st->member, .subject = st->subject, .body = st->body,
		.occurrence = &st->next->start, .date = st->now,
		.reply_to_topics = st->kind == GR_KIND_TOPIC_CALL,
	};
	char id[96];
	int r;

	if (st->kind == GR_KIND_INVITATION) {
		/* INTEROP: SEQUENCE 0 and the member's own ATTENDEE line */
		struct ical_object obj = { st->next->series, st->next->date_index };

		st->ical = ical_request(st->cfg, &obj, &st->occ, &st->member, 0, st->now);
		if (!st->ical) {
			fprintf(stderr, "gremiumctl: send-test: building the calendar: out of memory\n");
			return EX_OSERR;
		}
		spec.ical = st->ical;
		spec.ical_method = "REQUEST";
	}
	snprintf(id, sizeof(id), "send-test.%lld.%ld.%ld", (long long)st->now, (long)getpid(),
	         (long)clock());
	spec.message_id = id;
	r = mail_render(st->cfg, &spec, &st->msg, &st->len);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: send-test: rendering the mail: %s\n",
		        r == -EINVAL ? "invalid field (address, domain or calendar)" : strerror(-r));
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
		r = send_test_text(&st);
	if (r == 0)
		r = send_test_render(&st);
	if (r == 0)
		r = send_test_deliver(&st);
	send_test_free(&st);
	return r;
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
