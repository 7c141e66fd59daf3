/* SPDX-License-Identifier: MIT */
/* gremiumctl send-test: one sample mail through the configured transport */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>


#include "gremiumctl.h"
#include "mail.h"
#include "schedule.h"
#include "plan.h"
#include "service.h"
#include "template.h"
#include "transport.h"

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
	if (tmpl_load(cfg->templates, &set, stderr) < 0 || service_check_templates(cfg, set, stderr) < 0) {
		fprintf(stderr, "gremiumctl: send-test: loading templates: see the problems above\n");
		tmpl_free(set);
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

int cmd_send_test(struct ctl *ctl, int argc, char **argv)
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

