/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/attendance.c: the pure rules for members' answers.  A
 * monthly series (second Wednesday, 10:00 Berlin) and one dated meeting,
 * sent to Anna (with an alias) and Bert; replies built in C.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "attendance.h"

#define TZ "Europe/Berlin"
#define SERIES_UID "online.gremium@x.example"
#define DATED_UID "praesenz-20260318.gremium@x.example"

static char *anna_aliases[] = { "a.mueller@Kreis.Example" };
static struct gr_member members[] = {
	{ .name = "Anna", .email = "anna@x.example", .group = "g",
	  .aliases = anna_aliases, .n_aliases = 1 },
	{ .name = "Bert", .email = "bert@X.Example", .group = "g" },
	{ .name = "Cora", .email = "cora@x.example", .group = "g" },
};
static struct gr_series series[] = {
	{ .id = "online", .summary = "Online-Sitzung", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
	  .start = { 2026, 1, 14, 10, 0 }, .duration = 120 },
	{ .id = "praesenz", .summary = "Präsenz", .duration = 360 },
};
static struct gr_config cfg;
static struct gr_occurrence items[3];
static struct sched_list occ = { .items = items, .n = 3 };
static struct store_object objects[3];
static struct store_state st = { .objects = objects, .n_objects = 3 };

static int setup(void **state)
{
	static const struct gr_localtime starts[2] = { { 2026, 1, 14, 10, 0 }, { 2026, 2, 11, 10, 0 } };

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.committee.id = "gremium";
	cfg.committee.domain = "x.example";
	cfg.committee.timezone = TZ;
	cfg.members = members;
	cfg.n_members = 3;
	cfg.series = series;
	cfg.n_series = 2;
	for (int i = 0; i < 2; i++)
		items[i] = (struct gr_occurrence){ .series = &series[0], .date_index = -1,
		                                   .original = starts[i], .start = starts[i],
		                                   .status = GR_OCC_CONFIRMED };
	items[2] = (struct gr_occurrence){ .series = &series[1], .date_index = 0,
	                                   .original = { 2026, 3, 18, 10, 0 },
	                                   .start = { 2026, 3, 18, 10, 0 } };
	/* Anna got the series and the dated meeting, Bert only the series */
	objects[0] = (struct store_object){ .recipient = "anna@x.example", .uid = DATED_UID,
		.series_id = "praesenz", .dtstart = { 2026, 3, 18, 10, 0 } };
	objects[1] = (struct store_object){ .recipient = "anna@x.example", .uid = SERIES_UID,
		.series_id = "online", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
		.dtstart = { 2026, 1, 14, 10, 0 } };
	objects[2] = (struct store_object){ .recipient = "bert@x.example", .uid = SERIES_UID,
		.series_id = "online", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
		.dtstart = { 2026, 1, 14, 10, 0 } };
	return 0;
}

static struct reply_item item(const char *uid, const char *occurrence, const char *attendee,
                              enum gr_answer a)
{
	struct reply_item it = { .uid = (char *)uid, .attendee = (char *)attendee, .answer = a,
	                         .dtstamp = 500, .sequence = 0 };

	strcpy(it.occurrence, occurrence);
	return it;
}

static void decide(const char *from, struct reply_item *items_, size_t n,
                   enum reply_method m, struct attendance_decision *d, char *outcome)
{
	struct gr_reply r = { .method = m, .items = items_, .n_items = n };

	attendance_decide(&cfg, &occ, &st, from, &r, 1000, 7, d);
	attendance_outcome(d, NULL, outcome, ATTENDANCE_OUTCOME_LEN);
}

static void test_series_and_occurrence(void **state)
{
	struct reply_item it[] = {
		item(SERIES_UID, "", "anna@x.example", GR_ANSWER_ACCEPTED),
		item(SERIES_UID, "2026-02-11T10:00", "a.mueller@kreis.example", GR_ANSWER_DECLINED),
		item(DATED_UID, "", "anna@x.example", GR_ANSWER_TENTATIVE),
		/* a RECURRENCE-ID on a meeting of its own is the meeting */
		item(DATED_UID, "2026-03-18T10:00", "anna@x.example", GR_ANSWER_TENTATIVE),
		/* a date-only RECURRENCE-ID names the meeting that day */
		item(SERIES_UID, "2026-01-14", "anna@x.example", GR_ANSWER_TENTATIVE),
	};
	struct attendance_decision *d = calloc(1, sizeof(*d));
	char out[ATTENDANCE_OUTCOME_LEN];

	(void)state;
	it[0].comment = "komme 30 min später";
	/* the alias sends */
	decide("A.Mueller@kreis.example", it, 5, REPLY_METHOD_REPLY, d, out);
	assert_false(d->held);
	assert_ptr_equal(d->member, &members[0]);
	assert_int_equal(d->n_items, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_true(d->items[i].apply);
		assert_string_equal(d->items[i].answer.member, "anna@x.example");
		assert_int_equal(d->items[i].answer.received, 1000);
		assert_int_equal(d->items[i].answer.dtstamp, 500);
		assert_int_equal(d->items[i].answer.inbox_id, 7);
	}
	assert_string_equal(d->items[0].answer.occurrence, "");
	assert_string_equal(d->items[1].answer.occurrence, "2026-02-11T10:00");
	assert_string_equal(d->items[2].answer.occurrence, "");
	assert_string_equal(d->items[3].answer.occurrence, "");
	assert_string_equal(d->items[4].answer.occurrence, "2026-01-14T10:00");
	assert_string_equal(out, "accepted 2026-01-14T10:00 (series): \"komme 30 min später\"; "
	                    "declined 2026-02-11T10:00; tentative 2026-03-18T10:00; "
	                    "tentative 2026-03-18T10:00; tentative 2026-01-14T10:00");
	free(d);
}

static void test_held(void **state)
{
	struct reply_item it[] = {
		/* Bert's address in a mail from Anna */
		item(SERIES_UID, "", "bert@x.example", GR_ANSWER_DECLINED),
		item("other@x.example", "", "anna@x.example", GR_ANSWER_ACCEPTED),
		/* not a meeting of the series */
		item(SERIES_UID, "2026-02-12T10:00", "anna@x.example", GR_ANSWER_ACCEPTED),
		/* the dated meeting was never sent to Bert: see below */
		item(SERIES_UID, "", "anna@x.example", GR_ANSWER_NONE),
		item(SERIES_UID, "", NULL, GR_ANSWER_ACCEPTED),
	};
	struct reply_item b[] = { item(DATED_UID, "", "bert@x.example", GR_ANSWER_ACCEPTED) };
	struct reply_item c[] = { item(SERIES_UID, "", "cora@x.example", GR_ANSWER_ACCEPTED) };
	struct reply_item s[] = { item(SERIES_UID, "", "stranger@y.example", GR_ANSWER_ACCEPTED) };
	struct attendance_decision *d = calloc(1, sizeof(*d));
	char out[ATTENDANCE_OUTCOME_LEN];

	(void)state;
	it[3].partstat = "NEEDS-ACTION";
	decide("anna@x.example", it, 5, REPLY_METHOD_REPLY, d, out);
	assert_true(d->held);
	for (size_t i = 0; i < 5; i++)
		assert_false(d->items[i].apply);
	assert_string_equal(out,
		"held: the answer claims another member's address (bert@x.example); "
		"held: an answer for an event we never sent to this member (UID other@x.example); "
		"held: an answer for a meeting we never sent (2026-02-12T10:00); "
		"held: no answer in it (PARTSTAT NEEDS-ACTION); "
		"held: the answer names no attendee");
	decide("bert@x.example", b, 1, REPLY_METHOD_REPLY, d, out);
	assert_true(d->held);
	assert_string_equal(out, "held: an answer for an event we never sent to this member"
	                    " (UID " DATED_UID ")");
	/* Cora is a member, but nothing was sent to her */
	decide("cora@x.example", c, 1, REPLY_METHOD_REPLY, d, out);
	assert_true(d->held);
	decide("stranger@y.example", s, 1, REPLY_METHOD_REPLY, d, out);
	assert_true(d->held);
	assert_null(d->member);
	assert_string_equal(out, "held: the sender is not a member (stranger@y.example)");
	decide(NULL, s, 1, REPLY_METHOD_REPLY, d, out);
	assert_true(d->held);
	decide("anna@x.example", NULL, 0, REPLY_METHOD_REPLY, d, out);
	assert_true(d->held);
	assert_string_equal(out, "held: no answer in the calendar part");
	free(d);
}

static void test_counter_and_delegated(void **state)
{
	struct reply_item it[] = { item(SERIES_UID, "2026-02-11T10:00", "bert@x.example",
	                                GR_ANSWER_TENTATIVE) };
	struct reply_item del[] = { item(SERIES_UID, "2026-02-11T10:00", "bert@x.example",
	                                 GR_ANSWER_DELEGATED) };
	struct attendance_decision *d = calloc(1, sizeof(*d));
	bool applied[1] = { false };
	char out[ATTENDANCE_OUTCOME_LEN];

	(void)state;
	strcpy(it[0].proposed_start, "2026-02-11T14:00");
	strcpy(it[0].proposed_end, "2026-02-11T16:00");
	decide("bert@x.example", it, 1, REPLY_METHOD_COUNTER, d, out);
	assert_true(d->held);
	assert_false(d->items[0].apply);
	assert_string_equal(out, "held: proposes a new time 2026-02-11T14:00 - 2026-02-11T16:00"
	                    " for 2026-02-11T10:00 (counter)");
	del[0].deputy = "vertretung@x.example";
	del[0].dtstamp = 99999; /* from the future: the arrival orders it */
	decide("Bert@x.example", del, 1, REPLY_METHOD_REPLY, d, out);
	assert_false(d->held);
	assert_string_equal(d->items[0].answer.deputy, "vertretung@x.example");
	assert_int_equal(d->items[0].answer.dtstamp, 1000);
	assert_string_equal(d->items[0].answer.member, "bert@X.Example");
	assert_string_equal(out, "delegated 2026-02-11T10:00, deputy vertretung@x.example");
	attendance_outcome(d, applied, out, sizeof(out));
	assert_string_equal(out, "delegated 2026-02-11T10:00, deputy vertretung@x.example"
	                    " (older than the answer recorded: not applied)");
	/* a small buffer is cut, never overrun */
	attendance_outcome(d, NULL, out, 10);
	assert_string_equal(out, "delegated");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_series_and_occurrence, setup),
		cmocka_unit_test_setup(test_held, setup),
		cmocka_unit_test_setup(test_counter_and_delegated, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
