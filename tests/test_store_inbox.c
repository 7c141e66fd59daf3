/* SPDX-License-Identifier: MIT */
/* Unit tests for src/store-inbox.c (inbox, outbox look-up, topics) and the
 * migration to schema 5, on temporary database files. */
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

/* only to make a database of an older schema and to write as another
 * process would */
#include <sqlite3.h>

#include "store.h"
#include "store_fixture.h"

static int setup(void **state)
{
	return fixture_setup(state, 0 /* as gremiumctl opens it: not a sender */);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *raw;

	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
}

static int64_t counter(struct store *db)
{
	int64_t c = -1;

	assert_int_equal(store_change_counter(db, &c), 0);
	return c;
}

static struct store_inbox mail(const char *source_id, const char *message_id,
                               const char *sender, const char *class, bool held)
{
	struct store_inbox m = { .source_id = (char *)source_id, .message_id = (char *)message_id,
		.sender = (char *)sender, .subject = (char *)"Thema", .received = 1000,
		.class = (char *)class, .outcome = (char *)"", .text = (char *)"Text", .held = held };
	return m;
}

static int64_t add_topic(struct store *db, const char *meeting, const char *title, int position)
{
	struct store_topic t = { .uid = (char *)"online@x.example", .meeting = (char *)meeting,
		.series = (char *)"online", .position = position, .title = (char *)title,
		.member = (char *)"a@x.example", .name = (char *)"A", .organisation = (char *)"Kreis",
		.received = 2000, .source = (char *)"mail" };

	assert_int_equal(store_topic_add(db, &t), 0);
	assert_true(t.id > 0);
	assert_true(t.position > 0);
	return t.id;
}

/* The titles of meeting's active topics, in order, joined by ","; and the
 * positions must be exactly 1..n. */
static void expect_order(struct store *db, const char *meeting, const char *titles)
{
	struct store_topic *t = NULL;
	size_t n = 0;
	char got[256] = "";

	assert_int_equal(store_topic_list(db, meeting, false, &t, &n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].position, (int)i + 1);
		assert_string_equal(t[i].meeting, meeting);
		assert_string_equal(t[i].state, "active");
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "",
		         t[i].title);
	}
	assert_string_equal(got, titles);
	store_topic_free(t, n);
}

/* Schema 4 -> 5 on a database the current code made: what was recorded
 * stays, the new tables work, the counter starts at 0. */
static void test_migrate_from_4(void **state)
{
	struct fixture *f = *state;
	struct store_object obj = { .recipient = "a@x.example", .name = "A", .uid = "online@x.example",
		.sequence = 2, .hash = "0000000000000001", .hash_base = "0000000000000001",
		.active = true, .series_id = "online", .summary = "Sitzung",
		.dtstart = { 2026, 1, 14, 10, 0 }, .duration = 120 };
	struct store_change c = { .object = &obj, .message_id = "m1@x.example",
		.recipient = "a@x.example", .kind = "invitation", .uid = "online@x.example",
		.message = "x", .message_len = 1, .due = 10 };
	struct store_state st;
	char err[256];
	int v;

	assert_int_equal(store_apply(f->db, &c, 1, 5), 0);
	add_topic(f->db, "2027-01-13T10:00", "weg", 0);
	store_close(f->db);
	f->db = NULL;
	raw_exec(f->path, "DROP TABLE answers; DROP TABLE topics; DROP TABLE inbox; DROP TABLE meta;"
	         "PRAGMA user_version = 4;");
	assert_int_equal(store_open(f->path, 0, &f->db, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(f->db, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	assert_int_equal(counter(f->db), 0);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_objects, 1);
	assert_int_equal(st.objects[0].sequence, 2);
	assert_int_equal(st.n_topics, 0);
	store_state_free(&st);
	assert_int_equal(store_outbox_lookup(f->db, "m1@x.example", NULL, NULL, NULL), 0);
	add_topic(f->db, "2027-01-13T10:00", "neu", 0);
	expect_order(f->db, "2027-01-13T10:00", "neu");
	assert_int_equal(counter(f->db), 1);
}

static void test_inbox(void **state)
{
	struct fixture *f = *state;
	struct store_inbox m1 = mail("imap:7:1", "abc@mua.example", "a@x.example", "topic", false);
	struct store_inbox m2 = mail("imap:7:2", "abc@mua.example", "b@x.example", "stranger", true);
	struct store_inbox m3 = mail("maildir:123.x", NULL, NULL, "too-large", false);
	struct store_inbox bad = mail(NULL, NULL, NULL, "topic", false);
	struct store_inbox *rows, got = { 0 };
	size_t n;
	int64_t id1 = 0, id2 = 0, id3 = 0, id;

	assert_int_equal(store_inbox_seen(f->db, "imap:7:1"), 0);
	assert_int_equal(store_inbox_add(f->db, &m1, &id1), 0);
	assert_int_equal(store_inbox_add(f->db, &m2, &id2), 0);
	m3.subject = m3.text = m3.outcome = NULL;
	assert_int_equal(store_inbox_add(f->db, &m3, &id3), 0);
	assert_true(id1 > 0 && id2 > id1 && id3 > id2);
	assert_int_equal(store_inbox_seen(f->db, "imap:7:1"), 1);
	assert_int_equal(store_inbox_seen(f->db, "imap:7:3"), 0);
	assert_int_equal(counter(f->db), 3);

	/* the same source twice, or without a source or class */
	assert_int_equal(store_inbox_add(f->db, &m1, NULL), -EEXIST);
	assert_non_null(strstr(store_errmsg(f->db), "imap:7:1"));
	assert_int_equal(store_inbox_add(f->db, &bad, NULL), -EINVAL);
	bad.source_id = "imap:7:9";
	bad.class = NULL;
	assert_int_equal(store_inbox_add(f->db, &bad, NULL), -EINVAL);
	assert_int_equal(store_inbox_seen(f->db, NULL), -EINVAL);
	assert_int_equal(counter(f->db), 3);

	/* duplicates are found by Message-ID and sender */
	assert_int_equal(store_inbox_by_message_id(f->db, "abc@mua.example", "b@x.example", &id), 0);
	assert_true(id == id2);
	assert_int_equal(store_inbox_by_message_id(f->db, "abc@mua.example", "a@x.example", &id), 0);
	assert_true(id == id1);
	assert_int_equal(store_inbox_by_message_id(f->db, "abc@mua.example", "c@x.example", &id),
	                 -ENOENT);
	assert_int_equal(store_inbox_by_message_id(f->db, "abc@mua.example", NULL, &id), -ENOENT);
	assert_int_equal(store_inbox_by_message_id(f->db, NULL, NULL, &id), -EINVAL);

	/* all, and the held ones */
	assert_int_equal(store_inbox_list(f->db, false, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_true(rows[0].id == id1 && rows[2].id == id3);
	assert_string_equal(rows[0].source_id, "imap:7:1");
	assert_string_equal(rows[0].message_id, "abc@mua.example");
	assert_string_equal(rows[0].sender, "a@x.example");
	assert_string_equal(rows[0].subject, "Thema");
	assert_string_equal(rows[0].text, "Text");
	assert_true(rows[0].received == 1000);
	assert_false(rows[0].held);
	assert_null(rows[2].message_id);
	assert_null(rows[2].sender);
	assert_null(rows[2].subject);
	assert_null(rows[2].text);
	assert_string_equal(rows[2].outcome, "");
	assert_string_equal(rows[2].class, "too-large");
	store_inbox_free(rows, n);
	assert_int_equal(store_inbox_list(f->db, true, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_true(rows[0].id == id2);
	assert_true(rows[0].held);
	store_inbox_free(rows, n);

	/* outcomes: class kept when NULL; a held mail accepted */
	assert_int_equal(store_inbox_set_outcome(f->db, id2, NULL, "topic 4 for 2027-01-13T10:00",
	                                         false), 0);
	assert_int_equal(store_inbox_get(f->db, id2, &got), 0);
	assert_string_equal(got.class, "stranger");
	assert_string_equal(got.outcome, "topic 4 for 2027-01-13T10:00");
	assert_false(got.held);
	store_inbox_clear(&got);
	assert_int_equal(store_inbox_set_outcome(f->db, id1, "auto", NULL, true), 0);
	assert_int_equal(store_inbox_get(f->db, id1, &got), 0);
	assert_string_equal(got.class, "auto");
	assert_string_equal(got.outcome, "");
	assert_true(got.held);
	store_inbox_clear(&got);
	assert_int_equal(store_inbox_list(f->db, true, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_true(rows[0].id == id1);
	store_inbox_free(rows, n);
	assert_int_equal(counter(f->db), 5);

	/* bad ids */
	assert_int_equal(store_inbox_set_outcome(f->db, 999, "auto", "x", false), -ENOENT);
	assert_non_null(strstr(store_errmsg(f->db), "999"));
	got.id = 42;
	assert_int_equal(store_inbox_get(f->db, 999, &got), -ENOENT);
	assert_true(got.id == 42); /* untouched */
	assert_int_equal(counter(f->db), 5);
	store_inbox_free(NULL, 0);
	store_inbox_clear(NULL);
}

static void test_inbox_empty(void **state)
{
	struct fixture *f = *state;
	struct store_inbox *rows = (void *)1;
	size_t n = 7;

	assert_int_equal(store_inbox_list(f->db, false, &rows, &n), 0);
	assert_null(rows);
	assert_int_equal(n, 0);
	store_inbox_free(rows, n);
}

static void test_outbox_lookup(void **state)
{
	struct fixture *f = *state;
	struct store_change c[2] = {
		{ .message_id = "call-1@x.example", .recipient = "a@x.example", .kind = "topic-call",
		  .uid = "online@x.example", .occurrence = "2027-01-13T10:00", .message = "x",
		  .message_len = 1, .due = 10 },
		{ .message_id = "test-1@x.example", .recipient = "a@x.example", .kind = "test",
		  .message = "x", .message_len = 1, .due = 10 },
	};
	char *kind = NULL, *uid = NULL, *occ = NULL;

	assert_int_equal(store_apply(f->db, c, 2, 5), 0);
	assert_int_equal(store_outbox_lookup(f->db, "call-1@x.example", &kind, &uid, &occ), 0);
	assert_string_equal(kind, "topic-call");
	assert_string_equal(uid, "online@x.example");
	assert_string_equal(occ, "2027-01-13T10:00");
	free(kind);
	free(uid);
	free(occ);
	kind = uid = occ = (char *)"untouched";
	assert_int_equal(store_outbox_lookup(f->db, "test-1@x.example", &kind, &uid, &occ), 0);
	assert_string_equal(kind, "test");
	assert_null(uid);
	assert_null(occ);
	free(kind);
	kind = (char *)"untouched";
	assert_int_equal(store_outbox_lookup(f->db, "nope@x.example", &kind, NULL, NULL), -ENOENT);
	assert_string_equal(kind, "untouched");
	assert_non_null(strstr(store_errmsg(f->db), "nope@x.example"));
	assert_int_equal(store_outbox_lookup(f->db, NULL, NULL, NULL, NULL), -EINVAL);
}

static void test_topic_add_list_get(void **state)
{
	struct fixture *f = *state;
	const char *m = "2027-01-13T10:00", *m2 = "2027-02-10T10:00";
	struct store_topic t = { 0 }, *list;
	struct store_inbox in = mail("imap:1:1", "q@mua.example", "a@x.example", "topic", false);
	struct store_topic bad = { .uid = (char *)"u", .meeting = (char *)m, .series = (char *)"s",
		.title = (char *)"T", .source = (char *)"chair" };
	int64_t a, inbox_id;
	size_t n;

	a = add_topic(f->db, m, "A", 0);
	add_topic(f->db, m, "B", 0);
	add_topic(f->db, m, "C", 1);            /* first, the others shift */
	add_topic(f->db, m, "D", 4);            /* n + 1: at the end */
	add_topic(f->db, m, "E", 2);
	add_topic(f->db, m2, "X", 0);
	expect_order(f->db, m, "C,E,A,B,D");
	expect_order(f->db, m2, "X");
	expect_order(f->db, "2027-03-10T10:00", "");

	/* outside 0..n+1 */
	bad.position = 7;
	assert_int_equal(store_topic_add(f->db, &bad), -ERANGE);
	assert_non_null(strstr(store_errmsg(f->db), "1..6"));
	bad.position = -1;
	assert_int_equal(store_topic_add(f->db, &bad), -ERANGE);
	bad.position = 0;
	/* missing or malformed fields */
	bad.title = NULL;
	assert_int_equal(store_topic_add(f->db, &bad), -EINVAL);
	bad.title = (char *)"T";
	bad.meeting = (char *)"2027-01-13";
	assert_int_equal(store_topic_add(f->db, &bad), -EINVAL);
	bad.meeting = (char *)"2027-01-13T10:00:00";
	assert_int_equal(store_topic_add(f->db, &bad), -EINVAL);
	bad.meeting = (char *)m;
	bad.source = (char *)"phone";
	assert_int_equal(store_topic_add(f->db, &bad), -EINVAL);
	bad.source = (char *)"chair";
	bad.state = (char *)"withdrawn";
	assert_int_equal(store_topic_add(f->db, &bad), -EINVAL);
	bad.state = NULL;
	bad.inbox_id = 77;                      /* no such inbox row */
	assert_int_equal(store_topic_add(f->db, &bad), -ENOENT);
	expect_order(f->db, m, "C,E,A,B,D");

	/* a topic from an inbox row, a chair's topic without a member */
	assert_int_equal(store_inbox_add(f->db, &in, &inbox_id), 0);
	bad.inbox_id = inbox_id;
	bad.text = (char *)"Bitte \"so\"\nzweite Zeile";
	assert_int_equal(store_topic_add(f->db, &bad), 0);
	assert_int_equal(bad.position, 6);
	assert_int_equal(store_topic_get(f->db, bad.id, &t), 0);
	assert_true(t.inbox_id == inbox_id);
	assert_null(t.member);
	assert_null(t.name);
	assert_null(t.organisation);
	assert_string_equal(t.text, "Bitte \"so\"\nzweite Zeile");
	assert_string_equal(t.source, "chair");
	assert_string_equal(t.state, "active");
	store_topic_clear(&t);

	assert_int_equal(store_topic_get(f->db, a, &t), 0);
	assert_true(t.id == a);
	assert_string_equal(t.uid, "online@x.example");
	assert_string_equal(t.meeting, m);
	assert_string_equal(t.series, "online");
	assert_int_equal(t.position, 3);
	assert_string_equal(t.title, "A");
	assert_null(t.text);
	assert_string_equal(t.member, "a@x.example");
	assert_string_equal(t.name, "A");
	assert_string_equal(t.organisation, "Kreis");
	assert_true(t.received == 2000);
	assert_string_equal(t.source, "mail");
	assert_true(t.inbox_id == 0);
	store_topic_clear(&t);
	t.id = 5;
	assert_int_equal(store_topic_get(f->db, 999, &t), -ENOENT);
	assert_true(t.id == 5);

	/* all meetings, in time order */
	assert_int_equal(store_topic_list(f->db, NULL, true, &list, &n), 0);
	assert_int_equal(n, 7);
	assert_string_equal(list[0].title, "C");
	assert_string_equal(list[6].title, "X");
	store_topic_free(list, n);
	store_topic_free(NULL, 0);
	store_topic_clear(NULL);
}

static void test_topic_withdraw(void **state)
{
	struct fixture *f = *state;
	const char *m = "2027-01-13T10:00";
	struct store_topic *list;
	size_t n;
	int64_t a = add_topic(f->db, m, "A", 0), b = add_topic(f->db, m, "B", 0);
	int64_t c = add_topic(f->db, m, "C", 0);
	int64_t before;

	assert_int_equal(store_topic_withdraw(f->db, b), 0);
	expect_order(f->db, m, "A,C");
	assert_int_equal(store_topic_withdraw(f->db, a), 0);
	expect_order(f->db, m, "C");
	before = counter(f->db);
	assert_int_equal(store_topic_withdraw(f->db, a), -EALREADY);
	assert_non_null(strstr(store_errmsg(f->db), "withdrawn"));
	assert_int_equal(store_topic_withdraw(f->db, 999), -ENOENT);
	assert_true(counter(f->db) == before);

	/* listed with the withdrawn ones: after the active, position 0 */
	assert_int_equal(store_topic_list(f->db, m, true, &list, &n), 0);
	assert_int_equal(n, 3);
	assert_true(list[0].id == c);
	assert_int_equal(list[0].position, 1);
	assert_true(list[1].id == a);
	assert_true(list[2].id == b);
	assert_string_equal(list[1].state, "withdrawn");
	assert_int_equal(list[1].position, 0);
	store_topic_free(list, n);
	/* a withdrawn topic cannot be moved or ordered */
	assert_int_equal(store_topic_move(f->db, a, "online@x.example", "2027-02-10T10:00",
	                                  "online"), -EINVAL);
	assert_int_equal(store_topic_order(f->db, a, 1), -EINVAL);
	/* a new topic goes after the active ones */
	add_topic(f->db, m, "D", 0);
	expect_order(f->db, m, "C,D");
}

static void test_topic_move(void **state)
{
	struct fixture *f = *state;
	const char *m = "2027-01-13T10:00", *m2 = "2027-02-10T10:00";
	struct store_topic t = { 0 };
	int64_t a = add_topic(f->db, m, "A", 0), b = add_topic(f->db, m, "B", 0);
	int64_t before;

	add_topic(f->db, m, "C", 0);
	add_topic(f->db, m2, "X", 0);
	assert_int_equal(store_topic_move(f->db, a, "praesenz@x.example", m2, "praesenz"), 0);
	expect_order(f->db, m, "B,C");
	expect_order(f->db, m2, "X,A");
	assert_int_equal(store_topic_get(f->db, a, &t), 0);
	assert_string_equal(t.uid, "praesenz@x.example");
	assert_string_equal(t.series, "praesenz");
	store_topic_clear(&t);
	/* to its own meeting: to the end */
	assert_int_equal(store_topic_move(f->db, b, "online@x.example", m, "online"), 0);
	expect_order(f->db, m, "C,B");
	/* bad ids and arguments change nothing */
	before = counter(f->db);
	assert_int_equal(store_topic_move(f->db, 999, "u", m2, "s"), -ENOENT);
	assert_int_equal(store_topic_move(f->db, b, "u", "Feb 10", "s"), -EINVAL);
	assert_int_equal(store_topic_move(f->db, b, NULL, m2, "s"), -EINVAL);
	assert_int_equal(store_topic_move(f->db, b, "u", m2, NULL), -EINVAL);
	assert_true(counter(f->db) == before);
	expect_order(f->db, m, "C,B");
	expect_order(f->db, m2, "X,A");
}

static void test_topic_order(void **state)
{
	struct fixture *f = *state;
	const char *m = "2027-01-13T10:00";
	int64_t a = add_topic(f->db, m, "A", 0), b = add_topic(f->db, m, "B", 0);
	int64_t c = add_topic(f->db, m, "C", 0), d = add_topic(f->db, m, "D", 0);
	int64_t before;

	add_topic(f->db, "2027-02-10T10:00", "X", 0);
	assert_int_equal(store_topic_order(f->db, d, 1), 0);
	expect_order(f->db, m, "D,A,B,C");
	assert_int_equal(store_topic_order(f->db, d, 4), 0);
	expect_order(f->db, m, "A,B,C,D");
	assert_int_equal(store_topic_order(f->db, a, 3), 0);
	expect_order(f->db, m, "B,C,A,D");
	assert_int_equal(store_topic_order(f->db, c, 2), 0); /* where it is */
	expect_order(f->db, m, "B,C,A,D");
	assert_int_equal(store_topic_order(f->db, b, 2), 0);
	expect_order(f->db, m, "C,B,A,D");
	expect_order(f->db, "2027-02-10T10:00", "X");

	before = counter(f->db);
	assert_int_equal(store_topic_order(f->db, b, 0), -ERANGE);
	assert_int_equal(store_topic_order(f->db, b, 5), -ERANGE);
	assert_non_null(strstr(store_errmsg(f->db), "1..4"));
	assert_int_equal(store_topic_order(f->db, b, -3), -ERANGE);
	assert_int_equal(store_topic_order(f->db, 999, 1), -ENOENT);
	assert_true(counter(f->db) == before);
	expect_order(f->db, m, "C,B,A,D");
}

/* The planner's state carries the active topics; a caller's transaction
 * holds the topic functions' writes; another process's writes move the
 * counter. */
static void test_state_and_counter(void **state)
{
	struct fixture *f = *state;
	const char *m = "2027-01-13T10:00", *m2 = "2026-12-09T10:00";
	struct store_state st;
	int64_t a, before;
	struct store_topic t = { .uid = (char *)"u", .meeting = (char *)m, .series = (char *)"s",
		.title = (char *)"tx", .source = (char *)"chair" };

	a = add_topic(f->db, m, "A", 0);
	add_topic(f->db, m, "B", 0);
	add_topic(f->db, m2, "Z", 0);
	assert_int_equal(store_topic_withdraw(f->db, a), 0);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_topics, 2);
	assert_string_equal(st.topics[0].title, "Z");   /* the earlier meeting first */
	assert_string_equal(st.topics[1].title, "B");
	assert_int_equal(st.topics[1].position, 1);
	store_state_free(&st);

	/* rolled back with the caller's transaction */
	before = counter(f->db);
	assert_int_equal(store_begin(f->db), 0);
	assert_int_equal(store_topic_add(f->db, &t), 0);
	assert_int_equal(store_topic_order(f->db, t.id, 1), 0);
	assert_int_equal(store_rollback(f->db), 0);
	expect_order(f->db, m, "B");
	assert_true(counter(f->db) == before);
	/* reading does not move it; a write by another connection does */
	expect_order(f->db, m, "B");
	assert_true(counter(f->db) == before);
	raw_exec(f->path, "UPDATE topics SET title = 'B2' WHERE title = 'B'");
	assert_true(counter(f->db) > before);
	expect_order(f->db, m, "B2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_from_4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbox_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topic_add_list_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topic_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topic_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topic_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_and_counter, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
