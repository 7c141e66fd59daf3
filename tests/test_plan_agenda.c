/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the agenda of src/plan.c (issue 15): one agenda mail per
 * member and meeting at send_time on the day after the topics deadline,
 * late while the meeting is ahead, none for a cancelled or skipped meeting,
 * a moved meeting keyed by its new start; the meeting's topics in order;
 * reminders after it carry it.  The occurrences come from sched_expand().
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"

#define TZ "Europe/Berlin"

static int reminders[] = { 7, 1 };
static struct gr_member members[] = {
	{ .name = "Anna", .email = "anna@y.example", .group = "g" },
	{ .name = "Bert", .email = "bert@y.example", .group = "g" },
};
static struct gr_localtime dates[] = { { 2027, 3, 17, 10, 0 } };
/* the weekly series meets on Thursdays; Feb 4 is cancelled, Feb 11 moved
 * to Feb 12 14:00 */
static struct gr_series series[] = {
	{ .id = "weekly", .summary = "Wochensitzung", .rrule = "FREQ=WEEKLY;BYDAY=TH",
	  .start = { 2027, 1, 7, 10, 0 }, .duration = 60 },
	{ .id = "vor-ort", .summary = "Vor Ort", .dates = dates, .n_dates = 1, .duration = 240 },
};
static struct gr_exception exceptions[] = {
	{ .series = "weekly", .year = 2027, .month = 2, .day = 4, .cancel = true },
	{ .series = "weekly", .year = 2027, .month = 2, .day = 11, .move = true,
	  .move_to = { 2027, 2, 12, 14, 0 } },
};

static time_t at(int y, int m, int d, int hh, int mm)
{
	struct gr_localtime lt = { y, m, d, hh, mm };
	return sched_to_utc(&lt, TZ);
}

static void make_config(struct gr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->committee.id = "ag";
	cfg->committee.name = "Gremium";
	cfg->committee.short_name = "Gremium";
	cfg->committee.domain = "y.example";
	cfg->committee.timezone = TZ;
	cfg->members = members;
	cfg->n_members = 2;
	cfg->series = series;
	cfg->n_series = 2;
	cfg->exceptions = exceptions;
	cfg->n_exceptions = 2;
	cfg->notifications.send_hour = 9;
	cfg->notifications.topic_call = true;
	cfg->notifications.topic_days_before = 14;
	cfg->notifications.topic_deadline_days_before = 5;
	cfg->notifications.reminders_days_before = reminders;
	cfg->notifications.n_reminders = 2;
	cfg->notifications.agenda_days_after_deadline = 1;
}

static struct store_topic topic(int64_t id, const char *series_id, const char *meeting,
                                int position, const char *title, const char *state)
{
	return (struct store_topic){ .id = id, .series = (char *)series_id,
	                             .meeting = (char *)meeting, .position = position,
	                             .title = (char *)title, .state = (char *)state,
	                             .uid = (char *)"u", .source = (char *)"mail" };
}

/* Topics of Jan 21 (out of order, one withdrawn), of the moved Feb 12
 * meeting, and of a meeting of the other series at the same time. */
static struct store_topic topics[] = {
	{ 0 }, { 0 }, { 0 }, { 0 }, { 0 },
};

static void make_topics(void)
{
	topics[0] = topic(3, "weekly", "2027-01-21T10:00", 2, "Haushalt", "active");
	topics[1] = topic(1, "weekly", "2027-01-21T10:00", 1, "Digitalisierung", "active");
	topics[2] = topic(2, "weekly", "2027-01-21T10:00", 3, "Zurückgezogen", "withdrawn");
	topics[3] = topic(4, "weekly", "2027-02-12T14:00", 1, "Verlegt", "active");
	topics[4] = topic(5, "vor-ort", "2027-01-21T10:00", 1, "Anderes Gremium", "active");
}

/* The agenda actions of r for meeting when (local start). */
static size_t agendas(const struct plan_result *r, const char *when, const struct plan_action **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < r->n_actions; i++)
		if (r->actions[i].kind == GR_KIND_AGENDA &&
		    strcmp(r->actions[i].occurrence_text, when) == 0) {
			if (!n)
				*first = &r->actions[i];
			n++;
		}
	return n;
}

/* Record r's notices and objects in st, as store_apply() would. */
static void record(struct store_state *st, const struct plan_result *r)
{
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct plan_action *a = &r->actions[i];

		if (a->has_notice) {
			st->notices = realloc(st->notices, (st->n_notices + 1) * sizeof(*st->notices));
			assert_non_null(st->notices);
			struct store_notice *n = &st->notices[st->n_notices++];
			n->kind = strdup(a->notice.kind);
			n->recipient = strdup(a->notice.recipient);
			n->uid = strdup(a->notice.uid);
			n->occurrence = strdup(a->notice.occurrence);
		}
		if (a->has_object) {
			bool found = false;
			for (size_t j = 0; j < st->n_objects; j++)
				if (strcmp(st->objects[j].recipient, a->object.recipient) == 0 &&
				    strcmp(st->objects[j].uid, a->object.uid) == 0) {
					store_object_clear(&st->objects[j]);
					assert_int_equal(store_object_copy(&st->objects[j], &a->object), 0);
					found = true;
				}
			if (!found) {
				st->objects = realloc(st->objects, (st->n_objects + 1) * sizeof(*st->objects));
				assert_non_null(st->objects);
				assert_int_equal(store_object_copy(&st->objects[st->n_objects++], &a->object), 0);
			}
		}
	}
}

struct fixture {
	struct gr_config cfg;
	struct sched_list occ;
	struct store_state st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	make_config(&f->cfg);
	make_topics();
	assert_int_equal(sched_expand(&f->cfg, at(2026, 12, 1, 0, 0), at(2027, 6, 1, 0, 0), &f->occ), 0);
	*state = f;
	return 0;
}

/* Forget what was sent (the topics are the test's static rows). */
static void reset(struct fixture *f)
{
	f->st.topics = NULL;
	f->st.n_topics = 0;
	store_state_free(&f->st);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	reset(f);
	sched_list_free(&f->occ);
	free(f);
	return 0;
}

/* Plan at now, record everything, return the result (caller frees). */
static void plan_record(struct fixture *f, time_t now, struct plan_result *r)
{
	f->st.topics = topics;
	f->st.n_topics = sizeof(topics) / sizeof(topics[0]);
	assert_int_equal(plan_run(&f->cfg, &f->occ, &f->st, now, r), 0);
	record(&f->st, r);
}

/* Due on the day after the deadline (Jan 21: deadline Jan 16, agenda
 * Jan 17 09:00), once per member, with the meeting's
 * active topics by position; planned again: nothing. */
static void test_due_once(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;
	bool listed = false;

	plan_record(f, at(2027, 1, 10, 9, 0), &r);
	assert_int_equal(agendas(&r, "2027-01-21T10:00", &a), 0);
	for (size_t i = 0; i < r.n_upcoming; i++)
		if (r.upcoming[i].kind == GR_KIND_AGENDA &&
		    r.upcoming[i].occ->start.month == 1 && r.upcoming[i].occ->start.day == 21) {
			/* deadline Jan 16, agenda the day after */
			assert_true(r.upcoming[i].due == at(2027, 1, 17, 9, 0));
			listed = true;
		}
	assert_true(listed);
	plan_result_free(&r);

	plan_record(f, at(2027, 1, 17, 8, 59), &r);
	assert_int_equal(agendas(&r, "2027-01-21T10:00", &a), 0);
	plan_result_free(&r);

	plan_record(f, at(2027, 1, 17, 9, 0), &r);
	assert_int_equal(agendas(&r, "2027-01-21T10:00", &a), 2);
	assert_string_equal(a->email, "anna@y.example");
	assert_string_equal(a->notice.kind, "agenda");
	assert_string_equal(a->notice.uid, "weekly.ag@y.example");
	assert_string_equal(a->notice.occurrence, "2027-01-21T10:00");
	assert_true(a->due == at(2027, 1, 17, 9, 0));
	assert_true(a->has_agenda);
	assert_string_equal(a->cal_uid, "weekly.ag@y.example");
	assert_int_equal(a->cal_sequence, 0);
	assert_int_equal(a->n_topics, 2);
	assert_string_equal(a->topics[0]->title, "Digitalisierung");
	assert_string_equal(a->topics[1]->title, "Haushalt");
	assert_non_null(strstr(a->message_id, ".agenda."));
	plan_result_free(&r);

	plan_record(f, at(2027, 1, 17, 9, 0), &r);
	assert_int_equal(r.n_actions, 0);
	plan_result_free(&r);
	/* the 1-day reminder carries the agenda, the 7-day one (Jan 14,
	 * before it) did not */
	plan_record(f, at(2027, 1, 20, 9, 0), &r);
	for (size_t i = 0; i < r.n_actions; i++)
		if (r.actions[i].kind == GR_KIND_REMINDER) {
			assert_int_equal(r.actions[i].days_before, 1);
			assert_true(r.actions[i].has_agenda);
			assert_int_equal(r.actions[i].n_topics, 2);
		}
	assert_int_equal(agendas(&r, "2027-01-21T10:00", &a), 0);
	plan_result_free(&r);
}

/* The service was down: the agenda goes out late while the meeting is
 * ahead, with its nominal due; after the start nothing.  A meeting
 * without topics gets one too. */
static void test_late(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;

	plan_record(f, at(2027, 1, 27, 18, 0), &r);
	assert_int_equal(agendas(&r, "2027-01-28T10:00", &a), 2);
	assert_true(a->due == at(2027, 1, 24, 9, 0));
	assert_int_equal(a->n_topics, 0);
	/* Jan 21 is over: no agenda for it */
	assert_int_equal(agendas(&r, "2027-01-21T10:00", &a), 0);
	plan_result_free(&r);

	reset(f);
	plan_record(f, at(2027, 1, 28, 10, 0), &r);
	assert_int_equal(agendas(&r, "2027-01-28T10:00", &a), 0);
	plan_result_free(&r);
}

/* Feb 4 is cancelled: no agenda (nor upcoming); Feb 11 moved to Feb 12
 * 14:00: its agenda is keyed by the new start (deadline Feb 7, agenda
 * Feb 8) and names the moved meeting's own object. */
static void test_cancelled_and_moved(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;
	char uid[512];

	plan_record(f, at(2027, 1, 25, 9, 0), &r);
	for (size_t i = 0; i < r.n_upcoming; i++)
		if (r.upcoming[i].kind == GR_KIND_AGENDA)
			assert_false(r.upcoming[i].occ->original.month == 2 &&
			             r.upcoming[i].occ->original.day == 4);
	plan_result_free(&r);
	plan_record(f, at(2027, 2, 3, 12, 0), &r);
	assert_int_equal(agendas(&r, "2027-02-04T10:00", &a), 0);
	plan_result_free(&r);

	plan_record(f, at(2027, 2, 8, 9, 0), &r);
	assert_int_equal(agendas(&r, "2027-02-11T10:00", &a), 0);
	assert_int_equal(agendas(&r, "2027-02-12T14:00", &a), 2);
	assert_string_equal(a->notice.uid, "weekly.ag@y.example");
	assert_string_equal(a->notice.occurrence, "2027-02-12T14:00");
	assert_int_equal(util_moved_uid(&f->cfg.committee, "weekly", &(struct gr_localtime){ 2027, 2, 11, 10, 0 },
	                                uid, sizeof(uid)), 0);
	assert_string_equal(a->cal_uid, uid);
	assert_int_equal(a->n_topics, 1);
	assert_string_equal(a->topics[0]->title, "Verlegt");
	plan_result_free(&r);
}

/* The dated meeting: its own object and SEQUENCE (raised by an update in
 * the same plan); an agenda day on or after the meeting: none. */
static void test_dated_and_too_late(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	const struct plan_action *a;

	plan_record(f, at(2027, 3, 1, 9, 0), &r);
	plan_result_free(&r);
	series[1].location = "Berlin";  /* an update: SEQUENCE 1 */
	plan_record(f, at(2027, 3, 13, 9, 0), &r);
	series[1].location = NULL;
	assert_int_equal(agendas(&r, "2027-03-17T10:00", &a), 2);
	assert_string_equal(a->cal_uid, "vor-ort-20270317.ag@y.example");
	assert_int_equal(a->cal_sequence, 1);
	/* the update of the meeting (its own object) carries the agenda too */
	for (size_t i = 0; i < r.n_actions; i++)
		if (r.actions[i].kind == GR_KIND_UPDATE) {
			assert_string_equal(r.actions[i].uid, "vor-ort-20270317.ag@y.example");
			assert_true(r.actions[i].has_agenda);
			assert_int_equal(r.actions[i].n_topics, 0);
		}
	plan_result_free(&r);
	/* before the agenda is due, an update does not */
	series[1].location = "Bonn";
	plan_record(f, at(2027, 3, 12, 9, 0), &r);
	series[1].location = NULL;
	assert_true(r.n_actions > 0);
	for (size_t i = 0; i < r.n_actions; i++)
		assert_false(r.actions[i].kind == GR_KIND_UPDATE && r.actions[i].has_agenda);
	plan_result_free(&r);

	f->cfg.notifications.agenda_days_after_deadline = 5;   /* the meeting's day, 09:00 */
	reset(f);
	plan_record(f, at(2027, 3, 24, 8, 0), &r);
	assert_int_equal(agendas(&r, "2027-03-25T10:00", &a), 0);
	plan_result_free(&r);
	plan_record(f, at(2027, 3, 25, 9, 0), &r);
	assert_int_equal(agendas(&r, "2027-03-25T10:00", &a), 2);
	plan_result_free(&r);
	f->cfg.notifications.agenda_days_after_deadline = 6;   /* after the start */
	plan_record(f, at(2027, 4, 1, 9, 30), &r);
	assert_int_equal(agendas(&r, "2027-04-01T10:00", &a), 0);
	for (size_t i = 0; i < r.n_upcoming; i++)
		assert_int_not_equal(r.upcoming[i].kind, GR_KIND_AGENDA);
	plan_result_free(&r);
}

/* feed.agenda: plan_published() lists the meetings whose agenda went out
 * (any member's notice), with the titles in order, on the object that
 * holds them (the moved meeting's own); without feed.agenda none. */
static void test_published(void **state)
{
	struct fixture *f = *state;
	struct plan_result r;
	struct gr_published *pub;
	size_t n, found = 0;

	plan_record(f, at(2027, 1, 17, 9, 0), &r);    /* Jan 21's agenda */
	plan_result_free(&r);
	plan_record(f, at(2027, 2, 8, 9, 0), &r);     /* Feb 12's (moved) */
	plan_result_free(&r);
	assert_int_equal(plan_published(&f->cfg, &f->occ, &f->st, at(2027, 2, 8, 9, 0), &pub, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pub[i].n_agendas, 0);
	plan_published_free(pub, n);

	f->cfg.feed.agenda = true;
	assert_int_equal(plan_published(&f->cfg, &f->occ, &f->st, at(2027, 2, 8, 9, 0), &pub, &n), 0);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < pub[i].n_agendas; j++) {
			const struct gr_published_agenda *a = &pub[i].agendas[j];

			/* no agenda before it went out (Feb 18 and later) */
			assert_true(a->occ->start_utc < at(2027, 2, 13, 0, 0));
			if (a->occ->start.month == 1 && a->occ->start.day == 21) {
				assert_false(pub[i].moved);
				assert_int_equal(a->n_titles, 2);
				assert_string_equal(a->titles[0], "Digitalisierung");
				assert_string_equal(a->titles[1], "Haushalt");
				found++;
			}
			if (a->occ->start.month == 2 && a->occ->start.day == 12) {
				assert_true(pub[i].moved);
				assert_int_equal(a->n_titles, 1);
				assert_string_equal(a->titles[0], "Verlegt");
				found++;
			}
		}
	assert_int_equal(found, 2);
	plan_published_free(pub, n);
	f->cfg.feed.agenda = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_due_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_and_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dated_and_too_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_published, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
