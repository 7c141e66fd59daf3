/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/topics.c: the pure rules for a received letter.  A
 * monthly series (second Wednesday, 10:00 Berlin) with deadlines 7 days
 * before at 09:00; letters built in C.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "topics.h"
#include "util.h"

#define TZ "Europe/Berlin"

static char *anna_aliases[] = { "a.mueller@Kreis.Example" };
static struct gr_member members[] = {
	{ .name = "Anna", .email = "anna@x.example", .group = "g",
	  .aliases = anna_aliases, .n_aliases = 1 },
	{ .name = "Bert", .email = "bert@X.Example", .group = "g" },
};

static struct gr_series series = {
	.id = "online", .summary = "Online-Sitzung", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
	.start = { 2026, 1, 14, 10, 0 }, .duration = 120,
};

static struct gr_config cfg;
static struct gr_occurrence items[4];
static struct sched_list occ = { .items = items, .n = 4 };

static time_t at(int y, int mo, int d, int h, int mi)
{
	struct gr_localtime lt = { y, mo, d, h, mi };

	return sched_to_utc(&lt, TZ);
}

static int setup(void **state)
{
	static const struct gr_localtime starts[4] = {
		{ 2026, 1, 14, 10, 0 }, { 2026, 2, 11, 10, 0 }, { 2026, 3, 11, 10, 0 },
		{ 2026, 4, 8, 10, 0 },
	};

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.committee.id = "gremium";
	cfg.committee.name = "Gremium";
	cfg.committee.short_name = "Gremium";
	cfg.committee.domain = "x.example";
	cfg.committee.timezone = TZ;
	cfg.committee.language = "de";
	cfg.members = members;
	cfg.n_members = 2;
	cfg.series = &series;
	cfg.n_series = 1;
	cfg.notifications.send_hour = 9;
	cfg.notifications.topic_call = true;
	cfg.notifications.topic_days_before = 21;
	cfg.notifications.topic_deadline_days_before = 7;
	for (int i = 0; i < 4; i++) {
		items[i] = (struct gr_occurrence){ .series = &series, .date_index = -1,
		                                   .original = starts[i], .start = starts[i],
		                                   .status = GR_OCC_CONFIRMED };
		items[i].start_utc = sched_to_utc(&starts[i], TZ);
		items[i].end_utc = items[i].start_utc + 7200;
	}
	/* February's meeting is cancelled */
	items[1].status = GR_OCC_CANCELLED;
	return 0;
}

/* A human letter from addr with a subject and text. */
static struct gr_letter letter(const char *from)
{
	return (struct gr_letter){ .from = (char *)from, .subject = "Re: Themen",
	                           .text = "Bitte über X sprechen." };
}

static struct topics_decision decide(const struct gr_letter *l, const struct topics_ref *refs,
                                     size_t n_refs, time_t now)
{
	struct topics_input in = { .letter = l, .refs = refs, .n_refs = n_refs,
	                           .title = "Breitbandausbau" };
	struct topics_decision d;

	topics_decide(&cfg, &occ, &in, now, &d);
	return d;
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(topics_class_name(TOPICS_TOPIC), "topic");
	assert_string_equal(topics_class_name(TOPICS_REPLY), "reply");
	assert_string_equal(topics_class_name(TOPICS_DSN), "dsn");
	assert_string_equal(topics_class_name(TOPICS_AUTO), "auto");
	assert_string_equal(topics_class_name(TOPICS_STRANGER), "stranger");
	assert_string_equal(topics_class_name(TOPICS_INVALID), "invalid");
	assert_string_equal(topics_class_name(TOPICS_TOO_LARGE), "too-large");
}

/* Without a reference: the next meeting whose deadline is open. */
static void test_topic_next_meeting(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_decision d = decide(&l, NULL, 0, at(2025, 12, 20, 12, 0));

	(void)state;
	assert_int_equal(d.class, TOPICS_TOPIC);
	assert_true(d.topic);
	assert_false(d.held);
	assert_ptr_equal(d.member, &members[0]);
	assert_ptr_equal(d.meeting, &items[0]);
	assert_null(d.asked);
	assert_int_equal(d.deadline, at(2026, 1, 7, 9, 0));
	assert_string_equal(d.title, "Breitbandausbau");
	assert_string_equal(d.text, "Bitte über X sprechen.");
	assert_string_equal(d.outcome, "topic for 2026-01-14T10:00");
}

/* At the deadline itself still in time; a minute later the next meeting
 * that takes place (February is cancelled: March). */
static void test_deadline_boundary(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_decision d = decide(&l, NULL, 0, at(2026, 1, 7, 9, 0));

	(void)state;
	assert_ptr_equal(d.meeting, &items[0]);
	d = decide(&l, NULL, 0, at(2026, 1, 7, 9, 1));
	assert_true(d.topic);
	assert_ptr_equal(d.meeting, &items[2]);
	assert_null(d.asked);   /* no reference: nothing asked for, not late */
}

/* Aliases and any case: members; another local part is not. */
static void test_alias_and_case(void **state)
{
	struct gr_letter l = letter("a.mueller@kreis.example");
	struct topics_decision d = decide(&l, NULL, 0, at(2025, 12, 20, 12, 0));

	(void)state;
	assert_ptr_equal(d.member, &members[0]);
	assert_true(d.topic);
	l = letter("bert@x.EXAMPLE");
	d = decide(&l, NULL, 0, at(2025, 12, 20, 12, 0));
	assert_ptr_equal(d.member, &members[1]);
	l = letter("Anna@X.example");
	d = decide(&l, NULL, 0, at(2025, 12, 20, 12, 0));
	assert_ptr_equal(d.member, &members[0]);
	l = letter("anna2@x.example");
	d = decide(&l, NULL, 0, at(2025, 12, 20, 12, 0));
	assert_int_equal(d.class, TOPICS_STRANGER);
	assert_true(d.held);
	assert_false(d.topic);
	assert_null(d.member);
	assert_string_equal(d.outcome, "held for the chair: not a member");
}

/* A reply to the call for March's meeting goes to March, even while
 * January's deadline is still open. */
static void test_reply_to_call(void **state)
{
	struct gr_letter l = letter("bert@x.example");
	struct topics_ref ref = { "topic-call", NULL, "2026-03-11T10:00" };
	char uid[512];
	struct topics_decision d = decide(&l, &ref, 1, at(2026, 1, 2, 12, 0));

	(void)state;
	assert_ptr_equal(d.meeting, &items[2]);
	assert_null(d.asked);
	/* with the series' UID, and after an unrelated reference */
	assert_int_equal(util_object_uid(&cfg.committee, "online", NULL, false, uid, sizeof(uid)), 0);
	struct topics_ref refs[2] = { { NULL, NULL, NULL }, { "topic-call", uid, "2026-04-08T10:00" } };
	d = decide(&l, refs, 2, at(2026, 1, 2, 12, 0));
	assert_ptr_equal(d.meeting, &items[3]);
	/* a UID that does not match falls back to the time */
	ref.uid = "other@x.example";
	d = decide(&l, &ref, 1, at(2026, 1, 2, 12, 0));
	assert_ptr_equal(d.meeting, &items[2]);
}

/* After the deadline of the meeting the call was for: the meeting after
 * it, and the decision says which was asked for. */
static void test_reply_after_deadline(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_ref ref = { "topic-call", NULL, "2026-03-11T10:00" };
	struct topics_decision d = decide(&l, &ref, 1, at(2026, 3, 4, 9, 1));

	(void)state;
	assert_true(d.topic);
	assert_ptr_equal(d.meeting, &items[3]);
	assert_ptr_equal(d.asked, &items[2]);
	assert_int_equal(d.asked_deadline, at(2026, 3, 4, 9, 0));
	assert_int_equal(d.deadline, at(2026, 4, 1, 9, 0));
	assert_string_equal(d.outcome, "topic for 2026-04-08T10:00 (too late for 2026-03-11T10:00)");
	/* a call for a meeting that was cancelled since: the next one */
	ref.occurrence = "2026-02-11T10:00";
	d = decide(&l, &ref, 1, at(2026, 1, 20, 9, 0));
	assert_ptr_equal(d.asked, &items[1]);
	assert_ptr_equal(d.meeting, &items[2]);
	/* nothing ahead: held */
	ref.occurrence = "2026-04-08T10:00";
	d = decide(&l, &ref, 1, at(2026, 4, 2, 9, 0));
	assert_false(d.topic);
	assert_true(d.held);
	assert_int_equal(d.class, TOPICS_TOPIC);
	assert_string_equal(d.outcome, "held for the chair: no meeting ahead whose deadline is open");
}

/* A reply to a mail of ours that is not a call: reply, held; an iMIP
 * answer: reply, not held. */
static void test_reply_class(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_ref ref = { "reminder", NULL, "2026-01-14T10:00" };
	struct topics_decision d = decide(&l, &ref, 1, at(2026, 1, 10, 9, 0));

	(void)state;
	assert_int_equal(d.class, TOPICS_REPLY);
	assert_true(d.held);
	assert_false(d.topic);
	assert_string_equal(d.outcome, "held for the chair: a reply to our reminder");
	l.calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n";
	d = decide(&l, NULL, 0, at(2026, 1, 10, 9, 0));
	assert_int_equal(d.class, TOPICS_REPLY);
	assert_false(d.held);
	assert_false(d.topic);
	/* a calendar that is a REQUEST (forwarded invitation) is no reply */
	l.calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
	d = decide(&l, NULL, 0, at(2025, 12, 20, 9, 0));
	assert_int_equal(d.class, TOPICS_TOPIC);
}

/* Machines are never answered, whoever they claim to be. */
static void test_machines(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_decision d;
	struct topics_input in = { .too_large = true };

	(void)state;
	l.automatic = "Auto-Submitted: auto-replied";
	d = decide(&l, NULL, 0, at(2025, 12, 20, 9, 0));
	assert_int_equal(d.class, TOPICS_AUTO);
	assert_false(d.topic);
	assert_false(d.held);
	assert_string_equal(d.outcome, "not answered: auto-reply (Auto-Submitted: auto-replied)");
	l.is_report = true;
	d = decide(&l, NULL, 0, at(2025, 12, 20, 9, 0));
	assert_int_equal(d.class, TOPICS_DSN);
	assert_false(d.topic);
	l.invalid = "broken MIME";
	d = decide(&l, NULL, 0, at(2025, 12, 20, 9, 0));
	assert_int_equal(d.class, TOPICS_INVALID);
	assert_false(d.topic);
	assert_string_equal(d.outcome, "not answered: cannot be parsed: broken MIME");
	topics_decide(&cfg, &occ, &in, at(2025, 12, 20, 9, 0), &d);
	assert_int_equal(d.class, TOPICS_TOO_LARGE);
	assert_false(d.topic);
	assert_false(d.held);
	/* a bounce from a stranger is a dsn, not held (no backscatter, no work) */
	l = letter("mailer-daemon@y.example");
	l.is_report = true;
	d = decide(&l, NULL, 0, at(2025, 12, 20, 9, 0));
	assert_int_equal(d.class, TOPICS_DSN);
	assert_false(d.held);
}

/* The same Message-ID again: recorded as a duplicate, nothing else. */
static void test_duplicate(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_input in = { .letter = &l, .duplicate_of = 3, .title = "X" };
	struct topics_decision d;

	(void)state;
	topics_decide(&cfg, &occ, &in, at(2025, 12, 20, 9, 0), &d);
	assert_int_equal(d.class, TOPICS_TOPIC);
	assert_false(d.topic);
	assert_false(d.held);
	assert_null(d.meeting);
	assert_string_equal(d.outcome, "duplicate of inbox 3");
}

/* No title and no text: held; no title: a stand-in. */
static void test_empty(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_input in = { .letter = &l };
	struct topics_decision d;

	(void)state;
	topics_decide(&cfg, &occ, &in, at(2025, 12, 20, 9, 0), &d);
	assert_true(d.topic);
	assert_string_equal(d.title, "(ohne Titel)");
	l.text = "";
	topics_decide(&cfg, &occ, &in, at(2025, 12, 20, 9, 0), &d);
	assert_false(d.topic);
	assert_true(d.held);
}

/* Without topic_call the deadline is the meeting's start. */
static void test_no_topic_call(void **state)
{
	struct gr_letter l = letter("anna@x.example");
	struct topics_decision d;

	(void)state;
	cfg.notifications.topic_call = false;
	d = decide(&l, NULL, 0, at(2026, 1, 14, 10, 0));
	assert_ptr_equal(d.meeting, &items[0]);
	d = decide(&l, NULL, 0, at(2026, 1, 14, 10, 1));
	assert_ptr_equal(d.meeting, &items[2]);
	assert_int_equal(topics_deadline(&cfg, &items[2]), items[2].start_utc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_class_names, setup),
		cmocka_unit_test_setup(test_topic_next_meeting, setup),
		cmocka_unit_test_setup(test_deadline_boundary, setup),
		cmocka_unit_test_setup(test_alias_and_case, setup),
		cmocka_unit_test_setup(test_reply_to_call, setup),
		cmocka_unit_test_setup(test_reply_after_deadline, setup),
		cmocka_unit_test_setup(test_reply_class, setup),
		cmocka_unit_test_setup(test_machines, setup),
		cmocka_unit_test_setup(test_duplicate, setup),
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_no_topic_call, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
