/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/plan_answers.c (issue 16): the chair's report once
 * per meeting at send_time report_days_before days before, late while the
 * meeting is ahead, none for a cancelled one, with each member's
 * effective answer (an occurrence's answer beats the series') and the
 * quorum; one request to answer, only to members without an answer and
 * only with an inbound mailbox; a deputy's invitation of the one meeting
 * delegated (RECURRENCE-ID under the series' UID, or the moved meeting's
 * own UID; ATTENDEE lines with DELEGATED-FROM/-TO) and its agenda, each
 * once.  The occurrences come from sched_expand().
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"
#include "plan.h"
#include "util.h"

#define TZ "Europe/Berlin"
#define SERIES_UID "weekly.qa@y.example"

static struct gr_member members[] = {
	{ .name = "Anna", .email = "anna@y.example", .group = "g" },
	{ .name = "Bert", .email = "bert@y.example", .group = "g", .organisation = "Amt B" },
	{ .name = "Carl", .email = "carl@y.example", .group = "g" },
};
/* Thursdays; Feb 4 cancelled, Feb 11 moved to Feb 12 14:00 */
static struct gr_series series[] = {
	{ .id = "weekly", .summary = "Wochensitzung", .rrule = "FREQ=WEEKLY;BYDAY=TH",
	  .start = { 2027, 1, 7, 10, 0 }, .duration = 60 },
};
static struct gr_exception exceptions[] = {
	{ .series = "weekly", .year = 2027, .month = 2, .day = 4, .cancel = true },
	{ .series = "weekly", .year = 2027, .month = 2, .day = 11, .move = true,
	  .move_to = { 2027, 2, 12, 14, 0 } },
};
static char moved_uid[512];

static time_t at(int y, int m, int d, int hh, int mm)
{
	struct gr_localtime lt = { y, m, d, hh, mm };
	return sched_to_utc(&lt, TZ);
}

struct fixture {
	struct gr_config cfg;
	struct sched_list occ;
	struct store_state st;
	struct store_answer answers[8];
	char *bounced[1];
};

static void answer(struct fixture *f, const char *member, const char *uid, const char *occ,
                   enum gr_answer a, const char *deputy, const char *comment)
{
	f->answers[f->st.n_answers++] = (struct store_answer){
		.member = (char *)member, .uid = (char *)uid, .occurrence = (char *)occ, .answer = a,
		.deputy = (char *)deputy, .comment = (char *)comment,
	};
	f->st.answers = f->answers;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct gr_config *cfg;

	assert_non_null(f);
	cfg = &f->cfg;
	cfg->committee.id = "qa";
	cfg->committee.name = cfg->committee.short_name = "Gremium";
	cfg->committee.domain = "y.example";
	cfg->committee.timezone = TZ;
	cfg->committee.chair_address = "chair@y.example";
	cfg->members = members;
	cfg->n_members = 3;
	cfg->series = series;
	cfg->n_series = 1;
	cfg->exceptions = exceptions;
	cfg->n_exceptions = 2;
	cfg->notifications.send_hour = 9;
	cfg->notifications.answer_reminder_days_before = 5;
	cfg->quorum = (struct gr_quorum){ true, 2, 3 };
	assert_int_equal(util_moved_uid(&cfg->committee, "weekly",
	                                &(struct gr_localtime){ 2027, 2, 11, 10, 0 }, moved_uid,
	                                sizeof(moved_uid)), 0);
	assert_int_equal(sched_expand(cfg, at(2026, 12, 1, 0, 0), at(2027, 6, 1, 0, 0), &f->occ), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	/* the answers and bounces are the fixture's own rows */
	f->st.answers = NULL;
	f->st.n_answers = 0;
	f->st.bounced = NULL;
	f->st.n_bounced = 0;
	store_state_free(&f->st);
	sched_list_free(&f->occ);
	free(f);
	return 0;
}

/* Record r's notices and object rows in the state, as store_apply() does. */
static void apply(struct store_state *st, const struct plan_result *r)
{
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct plan_action *a = &r->actions[i];
		size_t j = 0;

		if (a->has_notice) {
			st->notices = realloc(st->notices, (st->n_notices + 1) * sizeof(*st->notices));
			assert_non_null(st->notices);
			st->notices[st->n_notices++] = (struct store_notice){
				strdup(a->notice.kind), strdup(a->notice.recipient),
				strdup(a->notice.uid), strdup(a->notice.occurrence) };
		}
		if (!a->has_object)
			continue;
		while (j < st->n_objects && !(strcmp(st->objects[j].recipient, a->object.recipient) == 0 &&
		                              strcmp(st->objects[j].uid, a->object.uid) == 0))
			j++;
		if (j == st->n_objects) {
			st->objects = realloc(st->objects, (j + 1) * sizeof(*st->objects));
			assert_non_null(st->objects);
			st->n_objects++;
		} else {
			store_object_clear(&st->objects[j]);
		}
		assert_int_equal(store_object_copy(&st->objects[j], &a->object), 0);
	}
}

static void plan_apply(struct fixture *f, time_t now, struct plan_result *r)
{
	assert_int_equal(plan_run(&f->cfg, &f->occ, &f->st, now, r), 0);
	apply(&f->st, r);
}

/* The actions of kind for meeting when (NULL: any) to email (NULL: any). */
static size_t count(const struct plan_result *r, enum gr_kind kind, const char *when,
                    const char *email, const struct plan_action **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct plan_action *a = &r->actions[i];

		if (a->kind != kind || (when && strcmp(a->occurrence_text, when) != 0) ||
		    (email && strcmp(a->email, email) != 0))
			continue;
		if (!n)
			*first = a;
		n++;
	}
	return n;
}

/* RFC 5545 §3.1: a CRLF followed by a space continues the line. */
static void unfold(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '\r' && r[1] == '\n' && r[2] == ' ') {
			r += 2;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

/* Members were invited on Dec 1. */
static void invite(struct fixture *f)
{
	struct plan_result r;

	plan_apply(f, at(2026, 12, 1, 9, 0), &r);
	plan_result_free(&r);
}

/* Jan 21: due Jan 18 09:00 (3 days before), listed as upcoming before,
 * sent once to the chair with each member's effective answer; Bert's
 * deputy counts: quorum 2 reached. */
static void test_report_once(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;
	bool listed = false;

	answer(f, "anna@y.example", SERIES_UID, "", GR_ANSWER_ACCEPTED, NULL, NULL);
	answer(f, "bert@y.example", SERIES_UID, "", GR_ANSWER_ACCEPTED, NULL, NULL);
	/* the occurrence's answer beats the series' */
	answer(f, "bert@y.example", SERIES_UID, "2027-01-21T10:00", GR_ANSWER_DELEGATED,
	       "dora@z.example", "Frau Dora vertritt mich");
	invite(f);
	plan_apply(f, at(2027, 1, 18, 8, 59), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 0);
	for (size_t i = 0; i < r.n_upcoming; i++)
		if (r.upcoming[i].kind == GR_KIND_CHAIR_REPORT && r.upcoming[i].occ->start.day == 21) {
			assert_true(r.upcoming[i].due == at(2027, 1, 18, 9, 0));
			assert_int_equal(r.upcoming[i].n_recipients, 1);
			listed = true;
		}
	assert_true(listed);
	assert_true(r.next_due <= at(2027, 1, 18, 9, 0));
	plan_result_free(&r);

	plan_apply(f, at(2027, 1, 18, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 1);
	assert_string_equal(a->email, "chair@y.example");
	assert_null(a->member);
	assert_string_equal(a->occurrence_text, "2027-01-21T10:00");
	assert_string_equal(a->notice.kind, "chair-report");
	assert_string_equal(a->notice.recipient, "chair@y.example");
	assert_string_equal(a->notice.uid, SERIES_UID);
	assert_string_equal(a->notice.occurrence, "2027-01-21T10:00");
	assert_true(a->due == at(2027, 1, 18, 9, 0));
	assert_non_null(a->report);
	assert_int_equal(a->report->n_lines, 3);
	assert_int_equal(a->report->lines[0].answer->answer, GR_ANSWER_ACCEPTED);
	assert_int_equal(a->report->lines[1].answer->answer, GR_ANSWER_DELEGATED);
	assert_string_equal(a->report->lines[1].answer->deputy, "dora@z.example");
	assert_null(a->report->lines[2].answer);
	assert_int_equal(a->report->present, 2);
	assert_int_equal(a->report->min_present, 2);
	assert_false(a->has_object);
	plan_result_free(&r);

	plan_apply(f, at(2027, 1, 18, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 0);
	plan_result_free(&r);
	plan_apply(f, at(2027, 1, 20, 12, 0), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, "2027-01-21T10:00", NULL, &a), 0);
	plan_result_free(&r);
}

/* The service was down: the report goes late with its nominal due while
 * the meeting is ahead; Bert's series answer applies to Jan 28: quorum
 * not reached; a bounced alias is named.  After the start: nothing. */
static void test_report_late(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;
	static struct gr_member with_alias[3];
	static char *aliases[] = { "carl@old.example" };

	memcpy(with_alias, members, sizeof(members));
	with_alias[2].aliases = aliases;
	with_alias[2].n_aliases = 1;
	f->cfg.members = with_alias;
	f->bounced[0] = "CARL@old.example";
	f->st.bounced = f->bounced;
	f->st.n_bounced = 1;
	answer(f, "anna@y.example", SERIES_UID, "", GR_ANSWER_ACCEPTED, NULL, "komme später");
	answer(f, "bert@y.example", SERIES_UID, "", GR_ANSWER_DECLINED, NULL, NULL);
	answer(f, "bert@y.example", SERIES_UID, "2027-01-21T10:00", GR_ANSWER_ACCEPTED, NULL, NULL);
	invite(f);
	plan_apply(f, at(2027, 1, 27, 18, 0), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 1);
	assert_string_equal(a->occurrence_text, "2027-01-28T10:00");
	assert_true(a->due == at(2027, 1, 25, 9, 0));
	assert_int_equal(a->report->lines[1].answer->answer, GR_ANSWER_DECLINED);
	assert_int_equal(a->report->present, 1);
	assert_false(a->report->lines[0].bounced);
	assert_true(a->report->lines[2].bounced);
	plan_result_free(&r);

	/* no quorum group: the default 3 days still, min_present 0 */
	f->cfg.quorum = (struct gr_quorum){ false, 0, 3 };
	plan_apply(f, at(2027, 3, 10, 10, 0), &r);   /* Mar 4 is over, Mar 11 late */
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, "2027-03-04T10:00", NULL, &a), 0);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 1);
	assert_string_equal(a->occurrence_text, "2027-03-11T10:00");
	assert_int_equal(a->report->min_present, 0);
	plan_result_free(&r);
}

/* Feb 4 is cancelled: no report, not even upcoming; the moved meeting
 * (Feb 12 14:00) is keyed by its new start and read under its own UID. */
static void test_report_cancelled_and_moved(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;

	answer(f, "anna@y.example", SERIES_UID, "", GR_ANSWER_DECLINED, NULL, NULL);
	answer(f, "anna@y.example", moved_uid, "", GR_ANSWER_TENTATIVE, NULL, NULL);
	invite(f);
	plan_apply(f, at(2027, 1, 30, 9, 0), &r);
	for (size_t i = 0; i < r.n_upcoming; i++)
		assert_false(r.upcoming[i].kind == GR_KIND_CHAIR_REPORT &&
		             r.upcoming[i].occ->original.month == 2 && r.upcoming[i].occ->original.day == 4);
	plan_result_free(&r);
	plan_apply(f, at(2027, 2, 3, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 0);
	plan_result_free(&r);
	plan_apply(f, at(2027, 2, 9, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_CHAIR_REPORT, NULL, NULL, &a), 1);
	assert_string_equal(a->occurrence_text, "2027-02-12T14:00");
	assert_string_equal(a->notice.uid, SERIES_UID);
	assert_int_equal(a->report->lines[0].answer->answer, GR_ANSWER_TENTATIVE);
	assert_int_equal(a->report->present, 0);
	plan_result_free(&r);
}

/* Jan 21: due Jan 16 09:00, once, only to who has no answer there (Carl;
 * Bert answered that meeting, not the series); none without an inbound
 * mailbox. */
static void test_answer_reminder(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;

	answer(f, "anna@y.example", SERIES_UID, "", GR_ANSWER_ACCEPTED, NULL, NULL);
	answer(f, "bert@y.example", SERIES_UID, "2027-01-21T10:00", GR_ANSWER_DECLINED, NULL, NULL);
	invite(f);
	plan_apply(f, at(2027, 1, 16, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, NULL, NULL, &a), 0);
	plan_result_free(&r);

	f->cfg.inbound.source = GR_INBOUND_MAILDIR;
	plan_apply(f, at(2027, 1, 16, 8, 0), &r);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, NULL, NULL, &a), 0);
	for (size_t i = 0; i < r.n_upcoming; i++)
		if (r.upcoming[i].kind == GR_KIND_ANSWER_REMINDER && r.upcoming[i].occ->start.day == 21)
			assert_int_equal(r.upcoming[i].n_recipients, 1);
	plan_result_free(&r);
	plan_apply(f, at(2027, 1, 16, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, "2027-01-21T10:00", NULL, &a), 1);
	assert_string_equal(a->email, "carl@y.example");
	assert_ptr_equal(a->member, &members[2]);
	assert_string_equal(a->notice.kind, "answer-reminder");
	assert_int_equal(a->days_before, 5);
	plan_result_free(&r);
	/* never more: not the next day, nor late */
	plan_apply(f, at(2027, 1, 17, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, "2027-01-21T10:00", NULL, &a), 0);
	plan_result_free(&r);
	/* Jan 28 (due Jan 23): Bert's answer was for Jan 21 only */
	plan_apply(f, at(2027, 1, 25, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, "2027-01-28T10:00", NULL, &a), 2);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, "2027-01-28T10:00", "anna@y.example", &a), 0);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, "2027-01-04T10:00", NULL, &a), 0);
	plan_result_free(&r);
	/* cancelled Feb 4: none */
	plan_apply(f, at(2027, 2, 1, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_ANSWER_REMINDER, "2027-02-04T10:00", NULL, &a), 0);
	plan_result_free(&r);
}

/* Bert delegates Jan 21 to Dora: her invitation of that meeting once
 * (before the agenda), then the agenda once it is due; the REQUEST has
 * RECURRENCE-ID under the series' UID and both ATTENDEEs. */
static void test_deputy_series(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;
	char *ics;

	f->cfg.notifications.topic_call = true;
	f->cfg.notifications.topic_days_before = 14;
	f->cfg.notifications.topic_deadline_days_before = 5;
	f->cfg.notifications.agenda_days_after_deadline = 1;    /* agenda Jan 17 */
	/* the delegation comes in after the invitations */
	invite(f);
	answer(f, "bert@y.example", SERIES_UID, "2027-01-21T10:00", GR_ANSWER_DELEGATED,
	       "dora@z.example", NULL);
	plan_apply(f, at(2027, 1, 10, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_INVITATION, NULL, "dora@z.example", &a), 1);
	assert_null(a->member);
	assert_ptr_equal(a->delegator, &members[1]);
	assert_string_equal(a->uid, SERIES_UID);
	assert_string_equal(a->occurrence_text, "2027-01-21T10:00");
	assert_string_equal(a->notice.kind, "deputy-invitation");
	assert_false(a->has_agenda);
	assert_false(a->has_object);
	ics = ical_request_delegated(&f->cfg, &(struct ical_object){ a->series, -1, a->uid, NULL, NULL },
	                             &f->occ, a->occ, &(struct gr_member){ .email = "dora@z.example" },
	                             a->delegator, a->sequence, at(2027, 1, 10, 9, 0));
	assert_non_null(ics);
	unfold(ics);
	assert_non_null(strstr(ics, "UID:" SERIES_UID "\r\n"));
	assert_non_null(strstr(ics, "RECURRENCE-ID;TZID=Europe/Berlin:20270121T100000\r\n"));
	assert_null(strstr(ics, "RRULE:FREQ=WEEKLY"));
	assert_non_null(strstr(ics, "PARTSTAT=DELEGATED"));
	assert_non_null(strstr(ics, "DELEGATED-TO=\"mailto:dora@z.example\""));
	assert_non_null(strstr(ics, "DELEGATED-FROM=\"mailto:bert@y.example\""));
	assert_non_null(strstr(ics, "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;CN=Bert;"
	                            "PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:dora@z.example\":"
	                            "mailto:bert@y.example\r\n"));
	assert_non_null(strstr(ics, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;DELEGATED-FROM="
	                            "\"mailto:bert@y.example\":mailto:dora@z.example\r\n"));
	free(ics);
	plan_result_free(&r);

	plan_apply(f, at(2027, 1, 12, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_INVITATION, NULL, "dora@z.example", &a), 0);
	plan_result_free(&r);
	plan_apply(f, at(2027, 1, 17, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_AGENDA, "2027-01-21T10:00", NULL, &a), 4);
	assert_int_equal(count(&r, GR_KIND_AGENDA, "2027-01-21T10:00", "dora@z.example", &a), 1);
	assert_ptr_equal(a->delegator, &members[1]);
	assert_true(a->has_agenda);
	assert_string_equal(a->cal_uid, SERIES_UID);
	plan_result_free(&r);
	plan_apply(f, at(2027, 1, 18, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_AGENDA, NULL, "dora@z.example", &a), 0);
	assert_int_equal(count(&r, GR_KIND_INVITATION, NULL, "dora@z.example", &a), 0);
	plan_result_free(&r);
}

/* A delegation of the moved meeting (its own object) after its agenda
 * went out: one invitation of that object with the agenda, and no agenda
 * mail after it; a deputy who is a member gets nothing. */
static void test_deputy_moved(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;
	char *ics;

	f->cfg.notifications.topic_call = true;
	f->cfg.notifications.topic_days_before = 14;
	f->cfg.notifications.topic_deadline_days_before = 5;
	f->cfg.notifications.agenda_days_after_deadline = 1;    /* agenda Feb 8 */
	invite(f);
	answer(f, "anna@y.example", moved_uid, "", GR_ANSWER_DELEGATED, "carl@y.example", NULL);
	answer(f, "bert@y.example", moved_uid, "", GR_ANSWER_DELEGATED, "eva@z.example", NULL);
	plan_apply(f, at(2027, 2, 9, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_INVITATION, NULL, "carl@y.example", &a), 0);
	assert_int_equal(count(&r, GR_KIND_INVITATION, NULL, "eva@z.example", &a), 1);
	assert_string_equal(a->uid, moved_uid);
	assert_true(a->moved);
	assert_string_equal(a->occurrence_text, "2027-02-12T14:00");
	assert_string_equal(a->notice.kind, "deputy-invitation-agenda");
	assert_true(a->has_agenda);
	ics = ical_request_delegated(&f->cfg, &(struct ical_object){ a->series, -1, a->uid, NULL,
	                                                             &a->occ->original },
	                             &f->occ, a->occ, &(struct gr_member){ .email = "eva@z.example" },
	                             a->delegator, a->sequence, at(2027, 2, 9, 9, 0));
	assert_non_null(ics);
	unfold(ics);
	assert_non_null(strstr(ics, moved_uid));
	assert_null(strstr(ics, "RECURRENCE-ID"));
	assert_non_null(strstr(ics, "DTSTART;TZID=Europe/Berlin:20270212T140000\r\n"));
	assert_non_null(strstr(ics, "DELEGATED-FROM=\"mailto:bert@y.example\""));
	free(ics);
	plan_result_free(&r);
	plan_apply(f, at(2027, 2, 10, 9, 0), &r);
	assert_int_equal(count(&r, GR_KIND_AGENDA, NULL, "eva@z.example", &a), 0);
	assert_int_equal(count(&r, GR_KIND_INVITATION, NULL, "eva@z.example", &a), 0);
	plan_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_cancelled_and_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_reminder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deputy_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deputy_moved, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
