/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/plan.c: configs and occurrence lists built in C, the
 * recorded state simulated in memory (each step's actions fed back as
 * store_apply() would record them).
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"

#include "plan_fixture.h"

/* ---- focused cases ---- */

/* Plan once and return the result (caller frees). */
static void plan_at(const struct gr_config *cfg, const struct sched_list *l,
                    const struct store_state *st, time_t now, struct plan_result *r)
{
	assert_int_equal(plan_run(cfg, l, st, now, r), 0);
}

static void test_uid_and_kinds(void **state)
{
	struct gr_config cfg;
	char buf[64];
	(void)state;

	make_config(&cfg, members_a, 3);
	assert_int_equal(plan_uid(&cfg, &series[0], -1, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "online@x.example");
	assert_int_equal(plan_uid(&cfg, &series[1], 0, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20260617@x.example");
	assert_int_equal(plan_uid(&cfg, &series[1], 0, false, buf, 10), -ENOSPC);
	cfg.committee.id = "kg";
	assert_int_equal(plan_uid(&cfg, &series[0], -1, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "online.kg@x.example");
	assert_int_equal(plan_uid(&cfg, &series[1], 0, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20260617.kg@x.example");
	assert_int_equal(plan_uid(&cfg, &series[1], 0, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20260617@x.example");
	assert_string_equal(util_kind_name(GR_KIND_TOPIC_CALL), "topic-call");
	assert_string_equal(util_kind_name(GR_KIND_CANCELLATION), "cancellation");
	/* FNV-1a 64 test vectors */
	assert_true(util_fnv1a(UTIL_FNV_INIT, "", 0) == UINT64_C(0xcbf29ce484222325));
	assert_true(util_fnv1a(UTIL_FNV_INIT, "a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(util_fnv1a(UTIL_FNV_INIT, "foobar", 6) == UINT64_C(0x85944171f73967e8));
}

/* A new cancellation and another change in one run: CANCEL (seq 1), then
 * one REQUEST (seq 2); the recorded hash then matches, nothing follows. */
static void test_cancel_and_change_together(void **state)
{
	static struct gr_occurrence buf[2][16];
	struct gr_config cfg;
	struct sched_list l0, l1;
	struct store_state st = { 0 };
	struct plan_result r;
	const struct changes c0 = { 0 }, c1 = { .moved_sep = true, .cancelled_dec = true };
	(void)state;

	make_config(&cfg, members_a, 1);
	cfg.notifications.agenda_days_after_deadline = 5; /* Jul 6: not in the way */
	make_occurrences(&l0, buf[0], &c0);
	make_occurrences(&l1, buf[1], &c1);
	/* the invitation and the (late) 7-day reminder of Jul 8 */
	assert_int_equal(step(&cfg, &l0, &st, at(2026, 7, 2, 9, 0), NULL), 2);
	plan_at(&cfg, &l1, &st, at(2026, 7, 2, 12, 0), &r);
	assert_int_equal(r.n_actions, 3);
	assert_int_equal(r.actions[0].kind, GR_KIND_CANCELLATION);
	assert_false(r.actions[0].whole_object);
	assert_int_equal(r.actions[0].sequence, 1);
	assert_int_equal(r.actions[0].recurrence_id.month, 12);
	assert_int_equal(r.actions[0].recurrence_id.day, 9);
	assert_false(r.actions[0].has_object);
	/* the move: the series' REQUEST with its EXDATE, then the moved
	 * meeting's invitation, an object of its own */
	assert_int_equal(r.n_actions, 3);
	assert_int_equal(r.actions[1].kind, GR_KIND_UPDATE);
	assert_false(r.actions[1].moved);
	assert_int_equal(r.actions[1].sequence, 2);
	assert_true(r.actions[1].has_object);
	assert_int_equal(r.actions[1].object.sequence, 2);
	assert_string_equal(r.actions[1].object.cancelled, "2026-12-09T10:00");
	assert_ptr_equal(r.actions[1].member, &members_a[0]);
	assert_int_equal(r.actions[2].kind, GR_KIND_INVITATION);
	assert_true(r.actions[2].moved);
	assert_string_equal(r.actions[2].uid, "online+moved-20260909@x.example");
	assert_int_equal(r.actions[2].sequence, 0);
	assert_int_equal(r.actions[2].occurrence.day, 16);
	assert_int_equal(r.actions[2].recurrence_id.day, 9);
	assert_true(r.actions[2].has_object);
	assert_null(r.actions[2].object.rrule);
	plan_result_free(&r);
	assert_int_equal(step(&cfg, &l1, &st, at(2026, 7, 2, 12, 0), NULL), 3);
	/* withdrawing the cancellation is a change too: one REQUEST */
	struct gr_occurrence buf2[16];
	struct sched_list l2;
	const struct changes c2 = { .moved_sep = true };
	make_occurrences(&l2, buf2, &c2);
	plan_at(&cfg, &l2, &st, at(2026, 7, 3, 9, 0), &r);
	/* the series REQUEST alone: the moved meeting is another UID, which
	 * a series REQUEST does not touch */
	assert_int_equal(r.n_actions, 1);
	assert_int_equal(r.actions[0].kind, GR_KIND_UPDATE);
	assert_false(r.actions[0].moved);
	assert_int_equal(r.actions[0].sequence, 3);
	assert_string_equal(r.actions[0].object.cancelled, "");
	assert_int_equal(r.actions[0].object.sequence, 3);
	plan_result_free(&r);
	store_state_free(&st);
}

/* A dated meeting that vanishes from the config: CANCEL from the recorded
 * data while it is ahead; nothing once it is past. */
static void test_vanished_object(void **state)
{
	static struct gr_occurrence buf[2][16];
	struct gr_config cfg, cfg2;
	struct sched_list l0, l1;
	struct store_state st = { 0 };
	struct plan_result r;
	const struct changes c0 = { 0 }, c1 = { .no_praesenz = true };
	(void)state;

	make_config(&cfg, members_a, 2);
	make_occurrences(&l0, buf[0], &c0);
	make_occurrences(&l1, buf[1], &c1);
	/* May 14: between meetings, nothing but the invitations is due */
	assert_int_equal(step(&cfg, &l0, &st, at(2026, 5, 14, 9, 0), NULL), 4);
	cfg2 = cfg;
	cfg2.n_series = 1;
	plan_at(&cfg2, &l1, &st, at(2026, 5, 15, 9, 0), &r);
	/* the June online meeting is no longer skipped: an update each */
	assert_int_equal(r.n_actions, 4);
	assert_int_equal(r.actions[0].kind, GR_KIND_UPDATE);
	assert_int_equal(r.actions[1].kind, GR_KIND_UPDATE);
	for (size_t i = 0; i < 2; i++) {
		const struct plan_action *a = &r.actions[i + 2];
		assert_int_equal(a->kind, GR_KIND_CANCELLATION);
		assert_true(a->whole_object);
		assert_null(a->series);
		assert_non_null(a->recorded);
		assert_ptr_equal(a->member, &members_a[i]);
		assert_string_equal(a->uid, "praesenz-20260617@x.example");
		assert_string_equal(a->recorded->summary, "Präsenzsitzung");
		assert_int_equal(a->recorded->dtstart.day, 17);
		assert_int_equal(a->sequence, 1);
		assert_false(a->object.active);
	}
	plan_result_free(&r);
	/* the same after the meeting: no cancellation of the past */
	plan_at(&cfg2, &l1, &st, at(2026, 6, 18, 9, 0), &r);
	for (size_t i = 0; i < r.n_actions; i++)
		assert_int_not_equal(r.actions[i].kind, GR_KIND_CANCELLATION);
	plan_result_free(&r);
	store_state_free(&st);
}

/* A dated meeting cancelled by an exception: whole-object CANCEL. */
static void test_dated_cancelled(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg;
	struct sched_list l;
	struct store_state st = { 0 };
	struct plan_result r;
	const struct changes c0 = { 0 };
	(void)state;

	make_config(&cfg, members_a, 1);
	make_occurrences(&l, buf, &c0);
	assert_int_equal(step(&cfg, &l, &st, at(2026, 5, 14, 9, 0), NULL), 2);
	for (size_t i = 0; i < l.n; i++)
		if (buf[i].series == &series[1])
			buf[i].status = GR_OCC_CANCELLED;
	plan_at(&cfg, &l, &st, at(2026, 5, 15, 9, 0), &r);
	assert_int_equal(r.n_actions, 1);
	assert_int_equal(r.actions[0].kind, GR_KIND_CANCELLATION);
	assert_true(r.actions[0].whole_object);
	assert_ptr_equal(r.actions[0].series, &series[1]);
	assert_string_equal(r.actions[0].occurrence_text, "2026-06-17T10:00");
	plan_result_free(&r);
	assert_int_equal(step(&cfg, &l, &st, at(2026, 5, 15, 9, 0), NULL), 1);
	/* and no notifications for it */
	assert_int_equal(step(&cfg, &l, &st, at(2026, 6, 16, 9, 0), NULL), 0);
	store_state_free(&st);
}

/* A member leaves while a dated meeting is cancelled: they too get the
 * CANCEL of that meeting (and of the series). */
static void test_dated_cancelled_member_left(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg, cfg2;
	struct sched_list l;
	struct store_state st = { 0 };
	struct plan_result r;
	const struct changes c0 = { 0 };
	(void)state;

	make_config(&cfg, members_a, 2);
	make_occurrences(&l, buf, &c0);
	assert_int_equal(step(&cfg, &l, &st, at(2026, 5, 14, 9, 0), NULL), 4);
	for (size_t i = 0; i < l.n; i++)
		if (buf[i].series == &series[1])
			buf[i].status = GR_OCC_CANCELLED;
	cfg2 = cfg;
	cfg2.n_members = 1;
	plan_at(&cfg2, &l, &st, at(2026, 5, 15, 9, 0), &r);
	assert_int_equal(r.n_actions, 3);
	assert_string_equal(r.actions[0].email, "anna@x.example");
	assert_string_equal(r.actions[0].uid, "praesenz-20260617@x.example");
	assert_string_equal(r.actions[1].email, "bert@x.example");
	assert_string_equal(r.actions[1].uid, "online@x.example");
	assert_string_equal(r.actions[2].email, "bert@x.example");
	assert_string_equal(r.actions[2].uid, "praesenz-20260617@x.example");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r.actions[i].kind, GR_KIND_CANCELLATION);
		assert_true(r.actions[i].whole_object);
		assert_int_equal(r.actions[i].sequence, 1);
	}
	plan_result_free(&r);
	assert_int_equal(step(&cfg2, &l, &st, at(2026, 5, 15, 9, 0), NULL), 3);
	store_state_free(&st);
}

/* Starting late: the day before a meeting only the 1-day reminder goes
 * (the call for topics is past its deadline, the 7-day one superseded);
 * during the meeting nothing about it. */
static void test_late_start(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg;
	struct sched_list l;
	struct plan_result r;
	const struct changes c0 = { 0 };
	(void)state;

	make_config(&cfg, members_a, 1);
	make_occurrences(&l, buf, &c0);
	plan_at(&cfg, &l, NULL, at(2026, 2, 10, 18, 0), &r);
	assert_int_equal(r.n_actions, 4);
	assert_int_equal(r.actions[0].kind, GR_KIND_INVITATION);
	assert_int_equal(r.actions[1].kind, GR_KIND_INVITATION);
	/* the agenda (due Feb 5), late, and the reminder that carries it */
	assert_int_equal(r.actions[2].kind, GR_KIND_AGENDA);
	assert_true(r.actions[2].due == at(2026, 2, 5, 9, 0));
	assert_string_equal(r.actions[2].notice.kind, "agenda");
	assert_int_equal(r.actions[3].kind, GR_KIND_REMINDER);
	assert_int_equal(r.actions[3].days_before, 1);
	assert_true(r.actions[3].due == at(2026, 2, 10, 9, 0));
	assert_string_equal(r.actions[3].notice.kind, "reminder-1");
	assert_true(r.actions[3].has_agenda);
	/* next: the call for topics of Mar 11, due Feb 18 09:00 */
	assert_true(r.next_due == at(2026, 2, 18, 9, 0));
	assert_true(r.n_upcoming > 0);
	assert_int_equal(r.upcoming[0].kind, GR_KIND_TOPIC_CALL);
	assert_true(r.upcoming[0].due == r.next_due);
	for (size_t i = 1; i < r.n_upcoming; i++)
		assert_true(r.upcoming[i - 1].due <= r.upcoming[i].due);
	plan_result_free(&r);

	plan_at(&cfg, &l, NULL, at(2026, 2, 11, 10, 30), &r);
	for (size_t i = 0; i < r.n_actions; i++)
		assert_true(r.actions[i].kind == GR_KIND_INVITATION);
	plan_result_free(&r);
}

/* Cancelling an occurrence that is already past sends nothing; the new
 * state is recorded so that it is not looked at again. */
static void test_past_cancellation_absorbed(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg;
	struct sched_list l;
	struct store_state st = { 0 };
	struct plan_result r;
	struct store_change *ch;
	size_t n;
	const struct changes c0 = { 0 };
	(void)state;

	make_config(&cfg, members_a, 1);
	make_occurrences(&l, buf, &c0);
	assert_int_equal(step(&cfg, &l, &st, at(2026, 5, 14, 9, 0), NULL), 2);
	buf[0].status = GR_OCC_CANCELLED; /* Jan 14 */
	plan_at(&cfg, &l, &st, at(2026, 5, 14, 12, 0), &r);
	assert_int_equal(r.n_actions, 0);
	assert_int_equal(r.n_records, 1);
	assert_string_equal(r.records[0].cancelled, "2026-01-14T10:00");
	assert_int_equal(r.records[0].sequence, 0);
	/* and the object's new version (history) */
	assert_int_equal(r.n_versions, 1);
	assert_int_equal(plan_changes(&r, &ch, &n), 0);
	assert_int_equal(n, 2);
	assert_ptr_equal(ch[0].object, &r.records[0]);
	assert_null(ch[0].message_id);
	assert_ptr_equal(ch[1].version, &r.versions[0]);
	assert_null(ch[1].message_id);
	free(ch);
	plan_result_free(&r);
	assert_int_equal(step(&cfg, &l, &st, at(2026, 5, 14, 12, 0), NULL), 0);
	store_state_free(&st);
}

/* Send times are local: 09:00 is 08:00 UTC in winter, 07:00 in summer. */
static void test_dst(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg;
	struct sched_list l;
	struct plan_result r;
	const struct changes c0 = { 0 };
	bool seen_winter = false, seen_summer = false;
	(void)state;

	make_config(&cfg, members_a, 1);
	make_occurrences(&l, buf, &c0);
	plan_at(&cfg, &l, NULL, at(2026, 3, 1, 12, 0), &r);
	for (size_t i = 0; i < r.n_upcoming; i++) {
		const struct plan_upcoming *u = &r.upcoming[i];
		if (u->kind == GR_KIND_REMINDER && u->days_before == 7 && u->occ->start.month == 3) {
			assert_true(u->due == (time_t)1772611200); /* 2026-03-04T08:00Z */
			seen_winter = true;
		}
		if (u->kind == GR_KIND_REMINDER && u->days_before == 7 && u->occ->start.month == 4) {
			assert_true(u->due == (time_t)1775026800); /* 2026-04-01T07:00Z */
			seen_summer = true;
		}
	}
	assert_true(seen_winter && seen_summer);
	plan_result_free(&r);
}

/* A removed member is told once about each live object, then nothing. */
static void test_removed_member(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg, cfg2;
	struct sched_list l;
	struct store_state st = { 0 };
	struct plan_result r;
	const struct changes c0 = { 0 };
	(void)state;

	make_config(&cfg, members_a, 2);
	make_occurrences(&l, buf, &c0);
	assert_int_equal(step(&cfg, &l, &st, at(2026, 5, 14, 9, 0), NULL), 4);
	cfg2 = cfg;
	cfg2.n_members = 1;
	plan_at(&cfg2, &l, &st, at(2026, 5, 14, 12, 0), &r);
	assert_int_equal(r.n_actions, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(r.actions[i].kind, GR_KIND_CANCELLATION);
		assert_null(r.actions[i].member);
		assert_string_equal(r.actions[i].email, "bert@x.example");
		assert_string_equal(r.actions[i].name, "Bert");
		assert_true(r.actions[i].whole_object);
	}
	plan_result_free(&r);
	assert_int_equal(step(&cfg2, &l, &st, at(2026, 5, 14, 12, 0), NULL), 2);
	assert_int_equal(step(&cfg2, &l, &st, at(2026, 5, 15, 9, 0), NULL), 0);
	/* coming back: invitations with a SEQUENCE above the CANCEL */
	plan_at(&cfg, &l, &st, at(2026, 5, 15, 12, 0), &r);
	assert_int_equal(r.n_actions, 2);
	assert_int_equal(r.actions[0].kind, GR_KIND_INVITATION);
	assert_string_equal(r.actions[0].email, "bert@x.example");
	assert_int_equal(r.actions[0].sequence, 2); /* 0 invitation, 1 cancel */
	plan_result_free(&r);
	store_state_free(&st);
}

/* The Message-ID is a function of the message: the same plan twice gives
 * the same IDs. */
static void test_message_id_stable(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg;
	struct sched_list l;
	struct plan_result r1, r2;
	const struct changes c0 = { 0 };
	(void)state;

	make_config(&cfg, members_a, 3);
	make_occurrences(&l, buf, &c0);
	plan_at(&cfg, &l, NULL, at(2026, 1, 1, 9, 0), &r1);
	plan_at(&cfg, &l, NULL, at(2026, 1, 1, 12, 0), &r2);
	assert_int_equal(r1.n_actions, r2.n_actions);
	for (size_t i = 0; i < r1.n_actions; i++) {
		assert_string_equal(r1.actions[i].message_id, r2.actions[i].message_id);
		assert_non_null(strstr(r1.actions[i].message_id, "@x.example"));
	}
	plan_result_free(&r1);
	plan_result_free(&r2);
}

/* An object whose UID does not fit (a dated series: its id, date and
 * domain), or messages whose Message-ID does not: planned anyway, each
 * with the reason, so that only they fail; the others are as always. */
static void test_unplannable(void **state)
{
	static struct gr_occurrence buf[16];
	static char domain[401];
	struct gr_config cfg;
	struct sched_list l;
	struct plan_result r, again;
	const struct changes c0 = { 0 };
	size_t bad = 0;
	(void)state;

	make_config(&cfg, members_a, 3);
	make_occurrences(&l, buf, &c0);
	/* a dated series whose UID does not fit in 511 octets (the config
	 * refuses such an id; plan must still cope): only its messages fail */
	static char long_id[501];
	char *saved_id = series[1].id;

	memset(long_id, 'p', 500);
	series[1].id = long_id;
	plan_at(&cfg, &l, NULL, at(2026, 1, 1, 9, 0), &r);
	series[1].id = saved_id;
	/* invitations to both objects and the call for topics of 14 January */
	assert_int_equal(r.n_actions, 9);
	for (size_t i = 0; i < r.n_actions; i++) {
		const struct plan_action *a = &r.actions[i];

		assert_non_null(strchr(a->message_id, '@'));
		if (a->series == &series[1]) {
			assert_non_null(a->unplannable);
			assert_non_null(strstr(a->unplannable, "UID"));
			bad++;
		} else {
			assert_null(a->unplannable);
		}
	}
	assert_int_equal(bad, 3);
	plan_result_free(&r);

	/* no Message-ID fits: every message fails, each under a key of its own
	 * that the next plan gives again */
	memset(domain, 'd', 400);
	cfg.committee.domain = domain;
	plan_at(&cfg, &l, NULL, at(2026, 1, 1, 9, 0), &r);
	plan_at(&cfg, &l, NULL, at(2026, 1, 1, 12, 0), &again);
	assert_int_equal(r.n_actions, 9);
	assert_int_equal(again.n_actions, 9);
	for (size_t i = 0; i < r.n_actions; i++) {
		assert_non_null(r.actions[i].unplannable);
		assert_null(strchr(r.actions[i].message_id, '@'));
		assert_string_equal(r.actions[i].message_id, again.actions[i].message_id);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(r.actions[i].message_id, r.actions[k].message_id);
	}
	plan_result_free(&r);
	plan_result_free(&again);
}

/* a: kind, about the moved meeting's object (its UID; a->moved unless it
 * vanished from the config), at SEQUENCE seq */
static void check_action(const struct plan_action *a, enum gr_kind kind, bool moved, int seq)
{
	assert_int_equal(a->kind, kind);
	assert_int_equal(a->moved, moved && a->series != NULL);
	assert_int_equal(a->sequence, seq);
	assert_string_equal(a->uid, moved ? "online+moved-20260909@x.example" : "online@x.example");
}

/* Issue 12, point 2, order independence: a moved meeting of a series is a
 * calendar object of its own (UID with '+moved' and the regular date, one
 * VEVENT, its own SEQUENCE); the series has an EXDATE for it.  From an old
 * state (the move sent as a REQUEST with RECURRENCE-ID, a sent_occurrences
 * row) the first plan sends the series with the EXDATE and the moved
 * meeting's invitation; a change of the move updates its object alone; a
 * change of the series updates both; a withdrawn move CANCELs its object
 * and drops the EXDATE; a cancelled moved meeting CANCELs its object and
 * nothing else. */
static void test_move_lifecycle(void **state)
{
	static struct gr_occurrence buf[5][16];
	static struct gr_series changed[2];
	struct gr_config cfg, cfg2;
	struct sched_list l0, l1, l2, l3;
	struct store_state st = { 0 };
	struct plan_result r;
	const struct changes c0 = { 0 }, c1 = { .moved_sep = true };
	(void)state;

	make_config(&cfg, members_a, 1);
	cfg.notifications.agenda_days_after_deadline = 6; /* Jul 7: not in the way */
	make_occurrences(&l0, buf[0], &c0);
	make_occurrences(&l1, buf[1], &c1);
	/* the old state: the series (whose hash_base then had no trace of
	 * the move), and the move as a REQUEST of its own at SEQUENCE 1 (its
	 * sent_occurrences row is not read any more) */
	assert_int_equal(step(&cfg, &l0, &st, at(2026, 7, 1, 9, 0), NULL), 2);
	assert_int_equal(st.n_objects, 1);
	st.objects[0].sequence = 1;
	plan_at(&cfg, &l1, &st, at(2026, 7, 2, 9, 0), &r);
	assert_int_equal(r.n_actions, 2);
	check_action(&r.actions[0], GR_KIND_UPDATE, false, 2);
	assert_true(r.actions[0].has_object);
	check_action(&r.actions[1], GR_KIND_INVITATION, true, 0);
	assert_int_equal(r.actions[1].recurrence_id.day, 9);
	assert_int_equal(r.actions[1].occurrence.day, 16);
	assert_int_equal(r.actions[1].occurrence.hour, 14);
	assert_true(r.actions[1].has_object);
	assert_null(r.actions[1].object.rrule);
	assert_int_equal(r.actions[1].object.dtstart.day, 16);
	assert_string_not_equal(r.actions[0].message_id, r.actions[1].message_id);
	plan_result_free(&r);
	step(&cfg, &l1, &st, at(2026, 7, 2, 9, 0), NULL);
	/* the same move again: nothing; moved elsewhere: its object alone */
	buf[1][9].start.day = 17;
	buf[1][9].start_utc += 24 * 3600;
	buf[1][9].end_utc += 24 * 3600;
	buf[1][9].end.day = 17;
	plan_at(&cfg, &l1, &st, at(2026, 7, 3, 9, 0), &r);
	assert_int_equal(r.n_actions, 1);
	check_action(&r.actions[0], GR_KIND_UPDATE, true, 1);
	assert_int_equal(r.actions[0].occurrence.day, 17);
	plan_result_free(&r);
	step(&cfg, &l1, &st, at(2026, 7, 3, 9, 0), NULL);
	/* a change of the series: the series and the moved meeting (its room) */
	memcpy(changed, series, sizeof(series));
	changed[0].location = "Neuer Raum";
	cfg2 = cfg;
	cfg2.series = changed;
	make_occurrences(&l2, buf[2], &c1);
	buf[2][9] = buf[1][9];
	for (size_t i = 0; i < l2.n; i++)
		buf[2][i].series = buf[2][i].series == &series[0] ? &changed[0] : &changed[1];
	plan_at(&cfg2, &l2, &st, at(2026, 7, 4, 9, 0), &r);
	assert_int_equal(r.n_actions, 2);
	check_action(&r.actions[0], GR_KIND_UPDATE, false, 3);
	check_action(&r.actions[1], GR_KIND_UPDATE, true, 2);
	plan_result_free(&r);
	step(&cfg2, &l2, &st, at(2026, 7, 4, 9, 0), NULL);
	/* the move withdrawn: the series without the EXDATE, a CANCEL of the
	 * moved meeting's object */
	make_occurrences(&l2, buf[3], &c0);
	for (size_t i = 0; i < l2.n; i++)
		buf[3][i].series = buf[3][i].series == &series[0] ? &changed[0] : &changed[1];
	plan_at(&cfg2, &l2, &st, at(2026, 7, 5, 9, 0), &r);
	assert_int_equal(r.n_actions, 2);
	check_action(&r.actions[0], GR_KIND_UPDATE, false, 4);
	check_action(&r.actions[1], GR_KIND_CANCELLATION, true, 3);
	assert_null(r.actions[1].series);
	assert_true(r.actions[1].whole_object);
	plan_result_free(&r);
	step(&cfg2, &l2, &st, at(2026, 7, 5, 9, 0), NULL);
	/* moved again: the series with the EXDATE, the object invited anew
	 * above its CANCEL */
	plan_at(&cfg, &l1, &st, at(2026, 7, 6, 9, 0), &r);
	assert_int_equal(r.n_actions, 2);
	check_action(&r.actions[0], GR_KIND_UPDATE, false, 5);
	check_action(&r.actions[1], GR_KIND_INVITATION, true, 4);
	plan_result_free(&r);
	step(&cfg, &l1, &st, at(2026, 7, 6, 9, 0), NULL);
	/* the moved meeting cancelled: a CANCEL of its object with the reason,
	 * nothing for the series (the EXDATE stays) */
	make_occurrences(&l3, buf[4], &c0);
	buf[4][9].status = GR_OCC_CANCELLED;
	buf[4][9].note = "Entfällt mangels Themen";
	plan_at(&cfg, &l3, &st, at(2026, 7, 6, 12, 0), &r);
	assert_int_equal(r.n_actions, 1);
	check_action(&r.actions[0], GR_KIND_CANCELLATION, true, 5);
	assert_true(r.actions[0].whole_object);
	assert_string_equal(r.actions[0].occ->note, "Entfällt mangels Themen");
	plan_result_free(&r);
	step(&cfg, &l3, &st, at(2026, 7, 6, 12, 0), NULL);
	store_state_free(&st);
}

/* Issue 12, point 7: an old database that sent under "<series>@<domain>"
 * keeps those UIDs (also for a member who joins later); a fresh one uses
 * the committee id; two committees under one domain never share one. */
static void test_uids_per_committee(void **state)
{
	static struct gr_occurrence buf[16];
	struct gr_config cfg, other;
	struct sched_list l;
	struct store_state st = { 0 };
	struct plan_result r, r2;
	const struct changes c0 = { 0 };
	struct store_object old = { .recipient = "anna@x.example", .name = "Anna",
		.uid = "online@x.example", .sequence = 2, .active = true, .series_id = "online",
		.summary = "Online-Sitzung", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
		.dtstart = { 2026, 1, 14, 10, 0 }, .duration = 120 };
	(void)state;

	make_config(&cfg, members_a, 2);
	cfg.committee.id = "kommunalgremium";
	make_config(&other, members_a, 2);
	other.committee.id = "ag-digital";
	make_occurrences(&l, buf, &c0);
	/* fresh: the committee id in every UID and Message-ID */
	plan_at(&cfg, &l, &st, at(2026, 7, 2, 9, 0), &r);
	plan_at(&other, &l, &st, at(2026, 7, 2, 9, 0), &r2);
	assert_true(r.n_actions > 0 && r.n_actions == r2.n_actions);
	assert_string_equal(r.actions[0].uid, "online.kommunalgremium@x.example");
	assert_string_equal(r2.actions[0].uid, "online.ag-digital@x.example");
	for (size_t i = 0; i < r.n_actions; i++) {
		assert_string_not_equal(r.actions[i].uid, r2.actions[i].uid);
		assert_string_not_equal(r.actions[i].message_id, r2.actions[i].message_id);
		assert_non_null(strstr(r.actions[i].message_id, ".kommunalgremium."));
	}
	plan_result_free(&r);
	plan_result_free(&r2);
	/* an old database: the series keeps its recorded UID, anna's update
	 * (her recorded hash differs) goes to it, bert (no row yet) is invited
	 * under it too; notifications name it as well */
	sim_put_object(&st, &old);
	memcpy(st.objects[0].hash, "x", 2);
	plan_at(&cfg, &l, &st, at(2026, 7, 2, 9, 0), &r);
	for (size_t i = 0; i < r.n_actions; i++) {
		if (r.actions[i].series == &series[0])
			assert_string_equal(r.actions[i].uid, "online@x.example");
		else
			assert_string_equal(r.actions[i].uid, "praesenz-20260617.kommunalgremium@x.example");
		if (r.actions[i].kind == GR_KIND_TOPIC_CALL || r.actions[i].kind == GR_KIND_REMINDER ||
		    r.actions[i].kind == GR_KIND_AGENDA)
			continue;
		assert_int_equal(r.actions[i].kind, strcmp(r.actions[i].email, "bert@x.example") == 0 ?
		                 GR_KIND_INVITATION : GR_KIND_UPDATE);
		assert_int_equal(r.actions[i].sequence, strcmp(r.actions[i].email, "bert@x.example") == 0 ? 0 : 3);
	}
	plan_result_free(&r);
	store_state_free(&st);
}

/* Issue 12, points 4 and 5: the feed's SEQUENCE is the highest sent, its
 * LAST-MODIFIED the time the content was recorded, and a meeting before a
 * change keeps the location it had. */
static void test_published_history(void **state)
{
	static struct gr_occurrence buf[2][16];
	static struct gr_series changed[2];
	struct gr_config cfg, cfg2;
	struct sched_list l0, l1;
	struct store_state st = { 0 };
	struct gr_published *p;
	size_t n;
	const struct changes c0 = { 0 }, c1 = { .moved_sep = true };
	(void)state;

	make_config(&cfg, members_a, 2);
	make_occurrences(&l0, buf[0], &c0);
	step(&cfg, &l0, &st, at(2026, 1, 1, 9, 0), NULL);
	/* nothing changed yet: SEQUENCE 0, modified unknown (the config's
	 * mtime), no past */
	assert_int_equal(plan_published(&cfg, &l0, &st, at(2026, 3, 1, 9, 0), &p, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].uid, "online@x.example");
	assert_int_equal(p[0].sequence, 0);
	assert_true(p[0].modified == 0);
	assert_int_equal(p[0].n_past, 0);
	plan_published_free(p, n);
	/* May 1: the location changes, Sep 9 moves */
	memcpy(changed, series, sizeof(series));
	changed[0].location = "Neuer Raum";
	cfg2 = cfg;
	cfg2.series = changed;
	make_occurrences(&l1, buf[1], &c1);
	for (size_t i = 0; i < l1.n; i++)
		buf[1][i].series = buf[1][i].series == &series[0] ? &changed[0] : &changed[1];
	/* before it is planned, the change counts from now */
	assert_int_equal(plan_published(&cfg2, &l1, &st, at(2026, 5, 1, 9, 0), &p, &n), 0);
	assert_int_equal(p[0].n_past, 4); /* Jan .. Apr */
	assert_true(p[0].modified == 0);
	plan_published_free(p, n);
	step(&cfg2, &l1, &st, at(2026, 5, 1, 9, 0), NULL);
	/* later (Oct): the meetings before May 1 as they were, those after
	 * with the new room; the highest SEQUENCE sent (update 1) */
	assert_int_equal(plan_published(&cfg2, &l1, &st, at(2026, 10, 1, 9, 0), &p, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].sequence, 1);
	assert_true(p[0].modified == at(2026, 5, 1, 9, 0));
	assert_int_equal(p[0].n_past, 4);
	for (size_t i = 0; i < p[0].n_past; i++) {
		assert_string_equal(p[0].past[i].location, "Video");
		assert_int_equal(p[0].past[i].original.year, 2026);
		assert_true(p[0].past[i].original.month <= 4);
		assert_int_equal(p[0].past[i].start.hour, 10);
		assert_int_equal(p[0].past[i].end.hour, 12);
	}
	/* the moved meeting: an object of its own, invited at SEQUENCE 0 */
	assert_true(p[1].moved);
	assert_int_equal(p[1].original.day, 9);
	assert_string_equal(p[1].uid, "online+moved-20260909@x.example");
	assert_int_equal(p[1].sequence, 0);
	assert_int_equal(p[1].n_past, 0);
	/* the dated meeting did not change: nothing past to show */
	assert_int_equal(p[2].n_past, 0);
	assert_int_equal(p[2].sequence, 0);
	plan_published_free(p, n);
	store_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_and_kinds),
		cmocka_unit_test(test_cancel_and_change_together),
		cmocka_unit_test(test_vanished_object),
		cmocka_unit_test(test_dated_cancelled),
		cmocka_unit_test(test_dated_cancelled_member_left),
		cmocka_unit_test(test_late_start),
		cmocka_unit_test(test_removed_member),
		cmocka_unit_test(test_past_cancellation_absorbed),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_message_id_stable),
		cmocka_unit_test(test_unplannable),
		cmocka_unit_test(test_move_lifecycle),
		cmocka_unit_test(test_uids_per_committee),
		cmocka_unit_test(test_published_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
