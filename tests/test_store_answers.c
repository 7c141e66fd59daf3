/* SPDX-License-Identifier: MIT */
/* Unit tests for src/store-answers.c (the members' answers, schema 6) and
 * attendance_effective(), on temporary database files. */
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
#include <unistd.h>

/* only to make a database of schema 5 */
#include <sqlite3.h>

#include "attendance.h"
#include "store.h"
#include "store_fixture.h"

#define UID "gremium.k.online@x.example"

static int setup(void **state)
{
	return fixture_setup(state, 0);
}

static struct store_answer answer(const char *member, const char *occurrence, enum gr_answer a,
                                  time_t dtstamp, time_t received)
{
	return (struct store_answer){ .member = (char *)member, .uid = (char *)UID,
		.occurrence = (char *)occurrence, .answer = a, .dtstamp = dtstamp,
		.received = received };
}

static bool record(struct store *db, struct store_answer a)
{
	bool applied = false;

	assert_int_equal(store_answer_record(db, &a, &applied), 0);
	return applied;
}

static void test_names(void **state)
{
	enum gr_answer a;

	(void)state;
	assert_string_equal(store_answer_name(GR_ANSWER_ACCEPTED), "accepted");
	assert_string_equal(store_answer_name(GR_ANSWER_DELEGATED), "delegated");
	assert_string_equal(store_answer_name((enum gr_answer)99), "none");
	assert_int_equal(store_answer_from_name("tentative", &a), 0);
	assert_int_equal(a, GR_ANSWER_TENTATIVE);
	assert_int_equal(store_answer_from_name("maybe", &a), -EINVAL);
	assert_int_equal(store_answer_from_name(NULL, &a), -EINVAL);
}

/* Later wins by DTSTAMP, then by arrival; an older one arriving late is
 * not recorded; everything is kept (deputy, comment, inbox id). */
static void test_later_wins(void **state)
{
	struct fixture *f = *state;
	struct store_answer *a = NULL, d;
	struct store_inbox m = { .source_id = "imap:1:1", .class = "reply" };
	int64_t inbox = 0;
	size_t n = 0;

	assert_int_equal(store_inbox_add(f->db, &m, &inbox), 0);
	assert_true(record(f->db, answer("a@x.example", "", GR_ANSWER_ACCEPTED, 100, 1000)));
	/* older DTSTAMP, later arrival: not recorded */
	assert_false(record(f->db, answer("a@x.example", "", GR_ANSWER_DECLINED, 50, 2000)));
	/* same DTSTAMP, later arrival: recorded */
	assert_true(record(f->db, answer("a@x.example", "", GR_ANSWER_TENTATIVE, 100, 3000)));
	/* same DTSTAMP, earlier arrival: not */
	assert_false(record(f->db, answer("a@x.example", "", GR_ANSWER_DECLINED, 100, 2500)));
	d = answer("a@x.example", NULL, GR_ANSWER_DELEGATED, 200, 4000);
	d.deputy = "vertretung@y.example";
	d.comment = "komme 30 min später";
	d.inbox_id = inbox;
	assert_true(record(f->db, d));
	/* another occurrence and another member are rows of their own */
	assert_true(record(f->db, answer("a@x.example", "2027-01-14T18:00", GR_ANSWER_DECLINED, 10, 10)));
	assert_true(record(f->db, answer("b@x.example", "", GR_ANSWER_ACCEPTED, 10, 10)));

	assert_int_equal(store_answers_list(f->db, &a, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].member, "a@x.example");
	assert_string_equal(a[0].occurrence, "");
	assert_int_equal(a[0].answer, GR_ANSWER_DELEGATED);
	assert_string_equal(a[0].deputy, "vertretung@y.example");
	assert_string_equal(a[0].comment, "komme 30 min später");
	assert_int_equal(a[0].dtstamp, 200);
	assert_int_equal(a[0].received, 4000);
	assert_int_equal(a[0].inbox_id, inbox);
	assert_string_equal(a[1].occurrence, "2027-01-14T18:00");
	assert_null(a[1].deputy);
	assert_null(a[1].comment);
	assert_int_equal(a[1].inbox_id, 0);
	assert_string_equal(a[2].member, "b@x.example");
	store_answers_free(a, n);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct store_answer a = answer("a@x.example", "", GR_ANSWER_NONE, 1, 1);
	struct store_answer *list = NULL;
	size_t n = 5;

	assert_int_equal(store_answer_record(f->db, &a, NULL), -EINVAL);
	a = answer(NULL, "", GR_ANSWER_ACCEPTED, 1, 1);
	assert_int_equal(store_answer_record(f->db, &a, NULL), -EINVAL);
	a = answer("a@x.example", "", (enum gr_answer)42, 1, 1);
	assert_int_equal(store_answer_record(f->db, &a, NULL), -EINVAL);
	/* an inbox row that does not exist */
	a = answer("a@x.example", "", GR_ANSWER_ACCEPTED, 1, 1);
	a.inbox_id = 999;
	assert_true(store_answer_record(f->db, &a, NULL) < 0);
	assert_int_equal(store_answers_list(f->db, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	store_answers_free(NULL, 0);
}

/* The answers are in the state, sorted, and their writes move the change
 * counter (the daemon re-plans: chair's report, reminders). */
static void test_state_and_counter(void **state)
{
	struct fixture *f = *state;
	struct store_state st;
	int64_t c0 = 0, c1 = 0;

	assert_int_equal(store_change_counter(f->db, &c0), 0);
	assert_true(record(f->db, answer("b@x.example", "", GR_ANSWER_ACCEPTED, 1, 1)));
	assert_true(record(f->db, answer("a@x.example", "", GR_ANSWER_DECLINED, 1, 1)));
	assert_int_equal(store_change_counter(f->db, &c1), 0);
	assert_true(c1 > c0);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_answers, 2);
	assert_string_equal(st.answers[0].member, "a@x.example");
	assert_int_equal(st.answers[1].answer, GR_ANSWER_ACCEPTED);
	store_state_free(&st);
}

/* Schema 5 -> 6 keeps the inbox. */
static void test_migrate_from_5(void **state)
{
	struct fixture *f = *state;
	struct store_inbox m = { .source_id = "imap:1:1", .class = "topic" };
	struct store_inbox *rows = NULL;
	size_t n = 0;
	sqlite3 *raw;
	char err[256];
	int v;

	assert_int_equal(store_inbox_add(f->db, &m, NULL), 0);
	store_close(f->db);
	f->db = NULL;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "DROP TABLE answers; PRAGMA user_version = 5;", NULL,
	                              NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	assert_int_equal(store_open(f->path, 0, &f->db, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(f->db, &v), 0);
	assert_int_equal(v, 6);
	assert_int_equal(store_inbox_list(f->db, false, &rows, &n), 0);
	assert_int_equal(n, 1);
	store_inbox_free(rows, n);
	assert_true(record(f->db, answer("a@x.example", "", GR_ANSWER_ACCEPTED, 1, 1)));
}

/* The occurrence's answer beats the series', per member and uid. */
static void test_effective(void **state)
{
	struct store_answer a[] = {
		answer("a@x.example", "", GR_ANSWER_ACCEPTED, 1, 1),
		answer("a@x.example", "2027-01-14T18:00", GR_ANSWER_DECLINED, 1, 1),
		answer("b@x.example", "2027-01-14T18:00", GR_ANSWER_TENTATIVE, 1, 1),
	};
	const struct store_answer *e;

	(void)state;
	e = attendance_effective(a, 3, "A@X.example", UID, "2027-01-14T18:00");
	assert_non_null(e);
	assert_int_equal(e->answer, GR_ANSWER_DECLINED);
	e = attendance_effective(a, 3, "a@x.example", UID, "2027-02-11T18:00");
	assert_non_null(e);
	assert_int_equal(e->answer, GR_ANSWER_ACCEPTED);
	e = attendance_effective(a, 3, "a@x.example", UID, "");
	assert_int_equal(e->answer, GR_ANSWER_ACCEPTED);
	e = attendance_effective(a, 3, "b@x.example", UID, "2027-01-14T18:00");
	assert_int_equal(e->answer, GR_ANSWER_TENTATIVE);
	assert_null(attendance_effective(a, 3, "b@x.example", UID, "2027-02-11T18:00"));
	assert_null(attendance_effective(a, 3, "a@x.example", "other", "2027-01-14T18:00"));
	assert_null(attendance_effective(a, 3, "c@x.example", UID, NULL));
	assert_null(attendance_effective(NULL, 0, "a@x.example", UID, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_later_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_and_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_5, setup, teardown),
		cmocka_unit_test(test_effective),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
