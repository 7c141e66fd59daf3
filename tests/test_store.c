/* SPDX-License-Identifier: MIT */
/* Unit tests for src/store.c, on temporary database files. */
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
#include <sys/stat.h>
#include <unistd.h>

/* only to fake a database of a future version */
#include <sqlite3.h>

#include "plan.h"
#include "store.h"
#include "store_fixture.h"

static int setup(void **state)
{
	return fixture_setup(state, STORE_OPEN_SENDER);
}

static void reopen(struct fixture *f)
{
	char err[256];

	store_close(f->db);
	f->db = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN_SENDER, &f->db, err, sizeof(err)), 0);
}

/* A change that enqueues one message about an occurrence. */
static struct store_change msg(const char *id, const char *to, time_t due)
{
	struct store_change c = {
		.message_id = id, .recipient = to, .kind = "reminder",
		.uid = "online@x.example", .occurrence = "2026-12-09T10:00",
		.message = "Subject: hi\r\n\r\nbody\r\n", .message_len = 21, .due = due,
	};
	return c;
}

static void test_schema(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	int v = -1;

	assert_int_equal(store_schema_version(f->db, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	reopen(f);
	assert_int_equal(store_schema_version(f->db, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent + c.queued + c.failed, 0);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	sqlite3 *raw;
	char err[256] = "";

	store_close(f->db);
	f->db = NULL;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	assert_int_equal(store_open(f->path, 0, &f->db, err, sizeof(err)), -EPROTO);
	assert_null(f->db);
	assert_non_null(strstr(err, "newer"));
}

/* A database of schema 1 (message bytes in the outbox row) is migrated with
 * its queued messages intact. */
static void test_migrate_from_1(void **state)
{
	struct fixture *f = *state;
	struct store_change c = msg("m1@x.example", "a@x.example", 100);
	struct store_entry e = { 0 };
	sqlite3 *raw;
	int v;

	assert_int_equal(store_apply(f->db, &c, 1, 50), 0);
	store_close(f->db);
	f->db = NULL;
	/* what schema 1 looked like after the same enqueue */
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
	                              "UPDATE outbox SET message = (SELECT message FROM outbox_body b"
	                              " WHERE b.id = outbox.id);"
	                              "DROP TABLE outbox_body; DROP INDEX outbox_queued;"
	                              "CREATE INDEX outbox_due ON outbox(status, next_attempt);"
	                              "DROP TABLE sent_occurrences; DROP TABLE object_versions;"
	                              "DROP TABLE answers; DROP TABLE topics; DROP TABLE inbox; DROP TABLE meta;"
	                              "PRAGMA user_version = 1;",
	                              NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	reopen(f);
	assert_int_equal(store_schema_version(f->db, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	assert_int_equal(e.message_len, c.message_len);
	assert_memory_equal(e.message, c.message, c.message_len);
	store_entry_free(&e);
	/* schema 3: due entries are found through the partial index, in
	 * order, without a sort */
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	{
		sqlite3_stmt *st;
		char plan[1024] = "";

		assert_int_equal(sqlite3_prepare_v2(raw,
		        "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE status = 'queued'"
		        " AND next_attempt <= 100 ORDER BY next_attempt, id LIMIT 1", -1, &st, NULL),
		        SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW)
			snprintf(plan + strlen(plan), sizeof(plan) - strlen(plan), "%s;",
			         (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
		assert_non_null(strstr(plan, "USING INDEX outbox_queued"));
		assert_null(strstr(plan, "TEMP B-TREE"));
	}
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
}

static void test_open_bad_path(void **state)
{
	struct store *db = NULL;
	char err[256] = "";
	(void)state;

	/* a folder that cannot be created: below a regular file */
	assert_true(store_open("/dev/null/x/state.db", 0, &db, err, sizeof(err)) < 0);
	assert_null(db);
	assert_non_null(strstr(err, "/dev/null/x/state.db"));
}

static void test_one_sender(void **state)
{
	struct fixture *f = *state;
	struct store *b = NULL, *reader = NULL;
	char err[256] = "";

	/* the fixture holds the database as a sender */
	assert_int_equal(store_open(f->path, STORE_OPEN_SENDER, &b, err, sizeof(err)), -EBUSY);
	assert_null(b);
	assert_non_null(strstr(err, "another gremiumd or run-once"));
	/* readers (status) are not locked out */
	assert_int_equal(store_open(f->path, 0, &reader, err, sizeof(err)), 0);
	store_close(reader);
	/* the lock goes with the store */
	store_close(f->db);
	f->db = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN_SENDER, &b, err, sizeof(err)), 0);
	store_close(b);
}

/* Issue 13.8: state.db holds every address and mail; it, its -wal and
 * -shm and the lock are 0600 under umask 022, and a database an older
 * version left 0644 is narrowed. */
static void test_private_files(void **state)
{
	struct fixture *f = *state;
	const char *const suffix[] = { "", "-wal", "-shm", ".lock" };
	struct store_change c = msg("m1", "a@x.example", 100);
	char p[128], err[256];
	struct stat st;
	mode_t old = umask(022);

	/* the fixture's store was opened under the test's umask: reopen */
	store_close(f->db);
	f->db = NULL;
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		(void)unlink(p);
	}
	assert_int_equal(store_open(f->path, STORE_OPEN_SENDER, &f->db, err, sizeof(err)), 0);
	assert_int_equal(store_apply(f->db, &c, 1, 50), 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		assert_int_equal(stat(p, &st), 0);
		if ((st.st_mode & 0777) != 0600)
			fail_msg("%s: mode %04o", p, (unsigned)(st.st_mode & 0777));
	}
	store_close(f->db);
	f->db = NULL;
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(store_open(f->path, 0, &f->db, err, sizeof(err)), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	umask(old);
}

static void test_apply_read_back(void **state)
{
	struct fixture *f = *state;
	struct store_object o = {
		.recipient = "anna@x.example", .name = "Anna", .uid = "online@x.example",
		.sequence = 2, .hash = "0123456789abcdef", .hash_base = "fedcba9876543210",
		.active = true, .series_id = "online", .summary = "Sitzung",
		.location = NULL, .rrule = "FREQ=MONTHLY;BYDAY=2WE",
		.dtstart = { 2026, 1, 14, 10, 0 }, .duration = 120, .end_utc = 0,
		.cancelled = "2026-12-09T10:00",
	};
	struct store_notice n = { "reminder-7", "anna@x.example", "online@x.example",
	                          "2026-12-09T10:00" };
	struct store_change ch[2] = { { .object = &o }, msg("m1", "anna@x.example", 100) };
	struct store_state st;

	ch[1].notice = &n;
	assert_int_equal(store_apply(f->db, ch, 2, 50), 0);
	reopen(f);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_objects, 1);
	assert_string_equal(st.objects[0].recipient, "anna@x.example");
	assert_string_equal(st.objects[0].name, "Anna");
	assert_string_equal(st.objects[0].hash, "0123456789abcdef");
	assert_string_equal(st.objects[0].hash_base, "fedcba9876543210");
	assert_int_equal(st.objects[0].sequence, 2);
	assert_true(st.objects[0].active);
	assert_null(st.objects[0].location);
	assert_string_equal(st.objects[0].rrule, "FREQ=MONTHLY;BYDAY=2WE");
	assert_int_equal(st.objects[0].dtstart.day, 14);
	assert_int_equal(st.objects[0].dtstart.hour, 10);
	assert_int_equal(st.objects[0].duration, 120);
	assert_string_equal(st.objects[0].cancelled, "2026-12-09T10:00");
	assert_int_equal(st.n_notices, 1);
	assert_string_equal(st.notices[0].kind, "reminder-7");
	assert_string_equal(st.notices[0].occurrence, "2026-12-09T10:00");
	store_state_free(&st);

	/* replacing the row: cancelled, higher sequence */
	o.active = false;
	o.sequence = 3;
	assert_int_equal(store_apply(f->db, ch, 1, 60), 0);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_objects, 1);
	assert_false(st.objects[0].active);
	assert_int_equal(st.objects[0].sequence, 3);
	store_state_free(&st);
}

static void test_claim_cycle(void **state)
{
	struct fixture *f = *state;
	struct store_change ch[3] = {
		msg("a", "a@x.example", 100), msg("b", "b@x.example", 100),
		msg("c", "c@x.example", 500),
	};
	struct store_entry e;
	struct store_counts c;
	struct store_failure *fl;
	size_t nfl;
	time_t due;

	assert_int_equal(store_apply(f->db, ch, 3, 10), 0);
	assert_int_equal(store_outbox_claim(f->db, 99, &e), -ENOENT);
	assert_int_equal(store_outbox_next_due(f->db, &due), 0);
	assert_int_equal(due, 100);

	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	assert_string_equal(e.message_id, "a");
	assert_int_equal(e.attempts, 1);
	assert_int_equal(e.message_len, 21);
	assert_memory_equal(e.message, "Subject: hi\r\n", 13);
	assert_int_equal(store_outbox_sent(f->db, e.id, 101), 0);
	assert_int_equal(store_outbox_sent(f->db, e.id, 101), -ESTALE);
	store_entry_free(&e);

	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	assert_string_equal(e.message_id, "b");
	assert_int_equal(store_outbox_retry(f->db, e.id, 200, "421 busy", 101), 0);
	store_entry_free(&e);
	assert_int_equal(store_outbox_claim(f->db, 150, &e), -ENOENT);
	assert_int_equal(store_outbox_claim(f->db, 200, &e), 0);
	assert_string_equal(e.message_id, "b");
	assert_int_equal(e.attempts, 2);
	assert_int_equal(store_outbox_failed(f->db, e.id, "550 no such user", 201), 0);
	store_entry_free(&e);

	assert_int_equal(store_outbox_prune(f->db, 1000, 1000), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.queued, 1);
	assert_int_equal(c.failed, 1);
	/* a pruned message is not enqueued again */
	assert_int_equal(store_apply(f->db, ch, 1, 1001), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.queued, 1);
	assert_int_equal(store_failures(f->db, &fl, &nfl), 0);
	assert_int_equal(nfl, 1);
	assert_string_equal(fl[0].recipient, "b@x.example");
	assert_string_equal(fl[0].answer, "550 no such user");
	assert_string_equal(fl[0].kind, "reminder");
	store_failures_free(fl, nfl);
}

static void test_crash_recovery(void **state)
{
	struct fixture *f = *state;
	struct store_change ch = msg("a", "a@x.example", 100);
	struct store_entry e;
	struct store_counts c;

	assert_int_equal(store_apply(f->db, &ch, 1, 10), 0);
	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	store_entry_free(&e);
	/* crash: no outcome recorded */
	assert_int_equal(store_outbox_claim(f->db, 100, &e), -ENOENT);
	/* a reader (gremiumctl status) leaves the entry in flight alone */
	struct store *reader;
	char err[256];
	assert_int_equal(store_open(f->path, 0, &reader, err, sizeof(err)), 0);
	assert_int_equal(store_counts(reader, &c), 0);
	assert_int_equal(c.queued, 1);
	store_close(reader);
	assert_int_equal(store_outbox_claim(f->db, 100, &e), -ENOENT);
	reopen(f);
	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	assert_string_equal(e.message_id, "a");
	assert_int_equal(e.attempts, 2);
	assert_int_equal(store_outbox_sent(f->db, e.id, 101), 0);
	store_entry_free(&e);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.queued, 0);
}

static void test_notice_once(void **state)
{
	struct fixture *f = *state;
	struct store_notice n = { "topic-call", "a@x.example", "online@x.example",
	                          "2026-12-09T10:00" };
	struct store_change ch = msg("m1", "a@x.example", 100);
	struct store_counts c;
	struct store_state st;

	ch.notice = &n;
	assert_int_equal(store_apply(f->db, &ch, 1, 10), 0);
	/* a second planner with the same notice but another Message-ID */
	ch.message_id = "m2";
	assert_int_equal(store_apply(f->db, &ch, 1, 11), 0);
	/* the same Message-ID without a notice is not enqueued twice either */
	ch.notice = NULL;
	ch.message_id = "m1";
	assert_int_equal(store_apply(f->db, &ch, 1, 12), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 1);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_notices, 1);
	store_state_free(&st);
}

/* The outbox counts are these. */
static void expect_counts(struct store *db, long sent, long queued, long failed,
                          long unrenderable)
{
	struct store_counts c;

	assert_int_equal(store_counts(db, &c), 0);
	assert_int_equal(c.sent, sent);
	assert_int_equal(c.queued, queued);
	assert_int_equal(c.failed, failed);
	assert_int_equal(c.unrenderable, unrenderable);
}

/* A message that could not be rendered: a failed entry with the reason,
 * its notice not recorded, recorded again only with another reason, and
 * replaced by the message once it renders; a mail a server refused is
 * never touched by either. */
static void test_unrenderable(void **state)
{
	struct fixture *f = *state;
	struct store_notice n = { "topic-call", "a@x.example", "online@x.example",
	                          "2026-12-09T10:00" };
	struct store_change ch = msg("m1", "a@x.example", 100), refused = msg("m2", "b@x.example", 100);
	struct store_failure *fl;
	struct store_state st;
	struct store_entry e;
	size_t nfl;
	bool fresh = false;

	ch.notice = &n;
	assert_int_equal(store_outbox_unrenderable(f->db, &ch, "cannot render: too long", 10, &fresh), 0);
	assert_true(fresh);
	assert_int_equal(store_outbox_unrenderable(f->db, &ch, "cannot render: too long", 11, &fresh), 0);
	assert_false(fresh);
	assert_int_equal(store_outbox_unrenderable(f->db, &ch, "cannot render: other", 12, &fresh), 0);
	assert_true(fresh);
	expect_counts(f->db, 0, 0, 1, 1);
	assert_int_equal(store_failures(f->db, &fl, &nfl), 0);
	assert_int_equal(nfl, 1);
	assert_string_equal(fl[0].recipient, "a@x.example");
	assert_string_equal(fl[0].occurrence, "2026-12-09T10:00");
	assert_string_equal(fl[0].answer, "cannot render: other");
	store_failures_free(fl, nfl);
	/* nothing to claim, and the notice is not recorded: the planner
	 * plans the message again */
	assert_int_equal(store_outbox_claim(f->db, 100, &e), -ENOENT);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_notices, 0);
	store_state_free(&st);

	/* it renders now (a fixed config): the message takes its place */
	assert_int_equal(store_apply(f->db, &ch, 1, 20), 0);
	expect_counts(f->db, 0, 1, 0, 0);
	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	assert_string_equal(e.message_id, "m1");
	assert_int_equal(e.message_len, 21);
	assert_int_equal(store_outbox_sent(f->db, e.id, 101), 0);
	store_entry_free(&e);
	/* a sent one is no render failure to record */
	assert_int_equal(store_outbox_unrenderable(f->db, &ch, "cannot render: x", 102, &fresh), 0);
	assert_false(fresh);

	/* a mail the server refused stays refused */
	assert_int_equal(store_apply(f->db, &refused, 1, 30), 0);
	assert_int_equal(store_outbox_claim(f->db, 100, &e), 0);
	assert_int_equal(store_outbox_failed(f->db, e.id, "550 no such user", 31), 0);
	store_entry_free(&e);
	assert_int_equal(store_outbox_unrenderable(f->db, &refused, "cannot render: x", 32, &fresh), 0);
	assert_false(fresh);
	assert_int_equal(store_apply(f->db, &refused, 1, 33), 0);
	expect_counts(f->db, 1, 0, 1, 0);
	assert_int_equal(store_failures(f->db, &fl, &nfl), 0);
	assert_int_equal(nfl, 1);
	assert_string_equal(fl[0].answer, "550 no such user");
	store_failures_free(fl, nfl);
	refused.recipient = NULL;
	assert_int_equal(store_outbox_unrenderable(f->db, &refused, "x", 34, &fresh), -EINVAL);
}

static void test_transaction_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_change ch[2] = { msg("a", "a@x.example", 100), msg("b", NULL, 100) };
	struct store_counts c;

	/* the second change is invalid: the first must not stay */
	assert_true(store_apply(f->db, ch, 2, 10) < 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 0);

	/* inside the caller's transaction: rollback undoes it */
	assert_int_equal(store_begin(f->db), 0);
	assert_int_equal(store_apply(f->db, ch, 1, 10), 0);
	assert_int_equal(store_rollback(f->db), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 0);
	assert_int_equal(store_begin(f->db), 0);
	assert_int_equal(store_apply(f->db, ch, 1, 10), 0);
	assert_int_equal(store_commit(f->db), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 1);
}

/* The planner's state changes survive SQLite unchanged: after applying a
 * plan and reading the state back, the same plan has nothing left to do,
 * also after a cancellation (cancelled set, hashes, sequence). */
static void plan_apply(struct store *db, const struct gr_config *cfg,
                       const struct sched_list *l, time_t now, size_t want)
{
	struct plan_result r;
	struct store_change *ch;
	struct store_state st;
	size_t n;

	assert_int_equal(store_begin(db), 0);
	assert_int_equal(store_read_state(db, &st), 0);
	assert_int_equal(plan_run(cfg, l, &st, now, &r), 0);
	assert_int_equal(r.n_actions, want);
	assert_int_equal(plan_changes(&r, &ch, &n), 0);
	for (size_t i = 0; i < r.n_actions; i++) {
		/* stands in for the rendered mail */
		ch[i].message = r.actions[i].message_id;
		ch[i].message_len = strlen(r.actions[i].message_id);
	}
	assert_int_equal(store_apply(db, ch, n, now), 0);
	assert_int_equal(store_commit(db), 0);
	free(ch);
	plan_result_free(&r);
	store_state_free(&st);
}

static void test_plan_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct gr_member m = { .name = "Anna", .email = "anna@x.example", .group = "g" };
	struct gr_series s = { .id = "online", .summary = "Sitzung", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
	                       .start = { 2026, 1, 14, 10, 0 }, .duration = 120 };
	struct gr_config cfg = { .members = &m, .n_members = 1, .series = &s, .n_series = 1 };
	struct gr_occurrence o[3];
	struct sched_list l = { o, 3 };
	const struct gr_localtime days[3] = { { 2026, 1, 14, 10, 0 }, { 2026, 2, 11, 10, 0 },
	                                      { 2026, 3, 11, 10, 0 } };
	struct store_counts c;
	struct store_entry e;

	cfg.committee.domain = "x.example";
	cfg.committee.timezone = "Europe/Berlin";
	cfg.notifications.send_hour = 9;
	for (size_t i = 0; i < 3; i++) {
		o[i] = (struct gr_occurrence){ .series = &s, .date_index = -1, .original = days[i],
		                               .start = days[i] };
		o[i].start_utc = sched_to_utc(&days[i], "Europe/Berlin");
		o[i].end_utc = o[i].start_utc + 7200;
	}
	/* Jan 1: the invitation; again: nothing */
	plan_apply(f->db, &cfg, &l, o[0].start_utc - 13 * 86400, 1);
	reopen(f);
	plan_apply(f->db, &cfg, &l, o[0].start_utc - 13 * 86400, 0);
	/* Feb 11 cancelled: one CANCEL; again: nothing */
	o[1].status = GR_OCC_CANCELLED;
	plan_apply(f->db, &cfg, &l, o[0].start_utc - 12 * 86400, 1);
	plan_apply(f->db, &cfg, &l, o[0].start_utc - 12 * 86400, 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 2);
	assert_int_equal(store_outbox_claim(f->db, o[0].start_utc, &e), 0);
	assert_string_equal(e.kind, "invitation");
	assert_non_null(strstr(e.message, "@x.example"));
	store_entry_free(&e);
	assert_int_equal(store_outbox_claim(f->db, o[0].start_utc, &e), 0);
	assert_string_equal(e.kind, "cancellation");
	assert_string_equal(e.occurrence, "2026-02-11T10:00");
	store_entry_free(&e);
}

/* Several claims at once: the oldest due first, each marked sending with
 * its attempt counted, never one that is not due, then -ENOENT. */
static void test_claim_many(void **state)
{
	struct fixture *f = *state;
	struct store_change c[5] = {
		msg("m1@x.example", "a@x.example", 300), msg("m2@x.example", "b@x.example", 100),
		msg("m3@x.example", "c@x.example", 200), msg("m4@x.example", "d@x.example", 900),
		msg("m5@x.example", "e@x.example", 100),
	};
	struct store_entry e[4];
	struct store_counts n;
	size_t got = 99;

	assert_int_equal(store_apply(f->db, c, 5, 50), 0);
	assert_int_equal(store_outbox_claim_many(f->db, 500, 2, e, &got), 0);
	assert_int_equal(got, 2);
	assert_string_equal(e[0].message_id, "m2@x.example");
	assert_string_equal(e[1].message_id, "m5@x.example");
	assert_int_equal(e[0].attempts, 1);
	assert_memory_equal(e[1].message, c[4].message, c[4].message_len);
	store_entry_free(&e[0]);
	store_entry_free(&e[1]);
	/* more wanted than due: the two left that are due, not m4 */
	assert_int_equal(store_outbox_claim_many(f->db, 500, 4, e, &got), 0);
	assert_int_equal(got, 2);
	assert_string_equal(e[0].message_id, "m3@x.example");
	assert_string_equal(e[1].message_id, "m1@x.example");
	store_entry_free(&e[0]);
	store_entry_free(&e[1]);
	assert_int_equal(store_outbox_claim_many(f->db, 500, 4, e, &got), -ENOENT);
	assert_int_equal(got, 0);
	/* all four are sending, m4 still queued */
	assert_int_equal(store_outbox_sent(f->db, 1, 600), 0);
	assert_int_equal(store_counts(f->db, &n), 0);
	assert_int_equal(n.queued, 4);
	assert_int_equal(n.sent, 1);
}

/* Issue 12: the object versions are recorded and read back; a version
 * equal to the last one is not recorded twice; a database of schema 3 with
 * sent objects is migrated and keeps them (and their UIDs) as they were.
 * Rows of sent_occurrences (moved meetings sent as REQUESTs with
 * RECURRENCE-ID before they were objects of their own) are not read. */
static void test_occurrences_and_versions(void **state)
{
	struct fixture *f = *state;
	struct store_version v1 = { .uid = "online@x.example", .valid_from = 1000,
		.hash = "0000000000000001", .summary = "Sitzung", .location = "Video",
		.dtstart = { 2026, 1, 14, 10, 0 }, .duration = 120 };
	struct store_version v2 = v1, v3 = v1;
	struct store_object obj = { .recipient = "a@x.example", .name = "A", .uid = "online@x.example",
		.sequence = 3, .hash = "0000000000000001", .hash_base = "0000000000000002",
		.active = true, .series_id = "online", .summary = "Sitzung",
		.rrule = "FREQ=MONTHLY;BYDAY=2WE", .dtstart = { 2026, 1, 14, 10, 0 }, .duration = 120 };
	struct store_change c[4] = { { .object = &obj }, { .version = &v1 },
		                     { .version = &v2 }, { .version = &v3 } };
	struct store_state st;
	sqlite3 *raw;
	int v;

	v2.valid_from = 2000;           /* same content: not a new version */
	v3.valid_from = 3000;
	v3.hash[15] = '3';
	v3.location = "Bonn";
	assert_int_equal(store_apply(f->db, c, 4, 50), 0);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_versions, 2);
	assert_true(st.versions[0].valid_from == 1000);
	assert_string_equal(st.versions[0].location, "Video");
	assert_null(st.versions[0].description);
	assert_true(st.versions[1].valid_from == 3000);
	assert_string_equal(st.versions[1].location, "Bonn");
	assert_int_equal(st.versions[1].dtstart.day, 14);
	assert_int_equal(st.versions[1].duration, 120);
	store_state_free(&st);
	/* a row of the former design stays where it is, unread */
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "INSERT INTO sent_occurrences VALUES ('a@x.example', "
	                              "'online@x.example', '2027-01-13T10:00', 3, '00000000000000aa', 1, 50)",
	                              NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_objects, 1);
	assert_int_equal(st.n_versions, 2);
	store_state_free(&st);

	/* schema 3: the database of a gremiumd before issue 12 */
	store_close(f->db);
	f->db = NULL;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "DROP TABLE sent_occurrences; DROP TABLE object_versions;"
	                              "DROP TABLE answers; DROP TABLE topics; DROP TABLE inbox; DROP TABLE meta;"
	                              "PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	reopen(f);
	assert_int_equal(store_schema_version(f->db, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_objects, 1);
	assert_string_equal(st.objects[0].uid, "online@x.example");
	assert_int_equal(st.objects[0].sequence, 3);
	assert_int_equal(st.n_versions, 0);
	store_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_many, setup, teardown),
		cmocka_unit_test(test_open_bad_path),
		cmocka_unit_test_setup_teardown(test_one_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrenderable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_occurrences_and_versions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
