/* SPDX-License-Identifier: MIT */
/*
 * store-inbox.c - what came back (store.h, issue 15): the inbox (every
 * message received and what became of it), the look-up of what we sent
 * under a Message-ID, and the members' topics of each meeting with their
 * order.
 *
 * Positions: the active topics of a meeting are numbered 1..n without
 * gaps; a withdrawn topic has position 0.  Every function that changes
 * positions does it in one transaction (its own, or the caller's), so no
 * reader ever sees a gap or a double.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store-internal.h"
#include "util.h"

/* ---- transactions of these functions ---- */

/* Open a transaction unless the caller has one; *own tells which. */
static int tx_begin(struct store *db, bool *own)
{
	*own = sqlite3_get_autocommit(db->db) != 0;
	return *own ? store_begin(db) : 0;
}

/* Commit our own transaction when r == 0, else roll it back; the caller's
 * one is the caller's.  Returns r (or the commit's error). */
static int tx_end(struct store *db, bool own, int r)
{
	if (!own)
		return r;
	if (r == 0)
		r = store_commit(db);
	if (r < 0)
		(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int invalid(struct store *db, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s", what);
	return -EINVAL;
}

static int not_found(struct store *db, const char *what, int64_t id)
{
	snprintf(db->err, sizeof(db->err), "%s %lld does not exist", what, (long long)id);
	return -ENOENT;
}

/* Run a statement that returns one integer (or none: -ENOENT, *ret
 * untouched); st is released. */
static int one_int(struct store *db, sqlite3_stmt *st, const char *what, int64_t *ret)
{
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = store_fail(db, rc, what);
	store_stmt_release(db, st);
	return r;
}

int store_change_counter(struct store *db, int64_t *ret)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "SELECT value FROM meta WHERE key = 'changes'", "");

	if (r == 0)
		r = one_int(db, st, "read the change counter", ret);
	if (r == -ENOENT)
		r = invalid(db, "read the change counter: no row");
	return r;
}

/* ---- inbox ---- */

void store_inbox_clear(struct store_inbox *row)
{
	if (!row)
		return;
	free(row->source_id);
	free(row->message_id);
	free(row->sender);
	free(row->subject);
	free(row->class);
	free(row->outcome);
	free(row->text);
	memset(row, 0, sizeof(*row));
}

void store_inbox_free(struct store_inbox *rows, size_t n)
{
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		store_inbox_clear(&rows[i]);
	free(rows);
}

int store_inbox_seen(struct store *db, const char *source_id)
{
	sqlite3_stmt *st;
	int64_t one;
	int r;

	if (!source_id)
		return invalid(db, "inbox: no source id");
	r = store_prepare(db, &st, "SELECT 1 FROM inbox WHERE source_id = ?", "t", source_id);
	if (r == 0)
		r = one_int(db, st, "look up inbox", &one);
	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

int store_inbox_by_message_id(struct store *db, const char *message_id, const char *sender,
                              int64_t *ret_id)
{
	sqlite3_stmt *st;
	int r;

	if (!message_id)
		return invalid(db, "inbox: no message id");
	r = store_prepare(db, &st,
	                  "SELECT id FROM inbox WHERE message_id = ? AND sender IS ?"
	                  " ORDER BY id LIMIT 1", "tt", message_id, sender);
	if (r == 0)
		r = one_int(db, st, "look up inbox", ret_id);
	if (r == -ENOENT)
		snprintf(db->err, sizeof(db->err), "no inbox row with Message-ID <%s>", message_id);
	return r;
}

int store_inbox_add(struct store *db, const struct store_inbox *row, int64_t *ret_id)
{
	sqlite3_stmt *st;
	int r;

	if (!row->source_id || !row->class)
		return invalid(db, "inbox: no source id or class");
	r = store_prepare(db, &st,
	                  "INSERT INTO inbox (source_id, message_id, sender, subject, received,"
	                  " class, outcome, text, held) VALUES (?,?,?,?,?,?,?,?,?)",
	                  "ttttItttI", row->source_id, row->message_id, row->sender, row->subject,
	                  (int64_t)row->received, row->class, row->outcome ? row->outcome : "",
	                  row->text, (int64_t)row->held);
	if (r == 0)
		r = store_run(db, st, "record inbox row");
	if (r == 0 && ret_id)
		*ret_id = sqlite3_last_insert_rowid(db->db);
	if (r == -EEXIST)
		snprintf(db->err, sizeof(db->err), "inbox: %s is recorded already", row->source_id);
	return r;
}

int store_inbox_set_outcome(struct store *db, int64_t id, const char *class,
                            const char *outcome, bool held)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "UPDATE inbox SET class = coalesce(?, class), outcome = ?, held = ?"
	                      " WHERE id = ?", "ttII", class, outcome ? outcome : "",
	                      (int64_t)held, id);

	if (r == 0)
		r = store_run(db, st, "set inbox outcome");
	if (r == 0 && sqlite3_changes(db->db) == 0)
		r = not_found(db, "inbox row", id);
	return r;
}

static int row_inbox(sqlite3_stmt *st, void *item)
{
	struct store_inbox *m = item;
	int r = 0;

	m->id = sqlite3_column_int64(st, 0);
	r = r ? r : store_col_text(st, 1, &m->source_id);
	r = r ? r : store_col_text(st, 2, &m->message_id);
	r = r ? r : store_col_text(st, 3, &m->sender);
	r = r ? r : store_col_text(st, 4, &m->subject);
	m->received = (time_t)sqlite3_column_int64(st, 5);
	r = r ? r : store_col_text(st, 6, &m->class);
	r = r ? r : store_col_text(st, 7, &m->outcome);
	r = r ? r : store_col_text(st, 8, &m->text);
	m->held = sqlite3_column_int(st, 9) != 0;
	return r;
}

#define INBOX_COLUMNS "id, source_id, message_id, sender, subject, received, class, outcome," \
                      " text, held"

int store_inbox_list(struct store *db, bool held_only, struct store_inbox **ret,
                     size_t *ret_n)
{
	struct store_inbox *rows = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "SELECT " INBOX_COLUMNS " FROM inbox"
	                      " WHERE held OR NOT ? ORDER BY id", "i", (int)held_only);

	if (r == 0)
		r = store_read_stmt(db, st, "read inbox", (void **)&rows, &n, sizeof(*rows),
		                    row_inbox);
	if (r < 0) {
		store_inbox_free(rows, n);
		return r;
	}
	*ret = rows;
	*ret_n = n;
	return 0;
}

int store_inbox_get(struct store *db, int64_t id, struct store_inbox *ret)
{
	struct store_inbox *rows = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "SELECT " INBOX_COLUMNS " FROM inbox WHERE id = ?", "I",
	                      id);

	if (r == 0)
		r = store_read_stmt(db, st, "read inbox", (void **)&rows, &n, sizeof(*rows),
		                    row_inbox);
	if (r == 0 && n == 0)
		r = not_found(db, "inbox row", id);
	if (r == 0) {
		*ret = rows[0];
		free(rows);
	} else {
		store_inbox_free(rows, n);
	}
	return r;
}

/* ---- what we sent ---- */

int store_outbox_lookup(struct store *db, const char *message_id, char **ret_kind,
                        char **ret_uid, char **ret_occurrence)
{
	char *kind = NULL, *uid = NULL, *occurrence = NULL;
	sqlite3_stmt *st;
	int rc, r;

	if (!message_id)
		return invalid(db, "outbox: no message id");
	r = store_prepare(db, &st, "SELECT kind, uid, occurrence FROM outbox WHERE message_id = ?",
	                  "t", message_id);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r = store_col_text(st, 0, &kind);
		r = r ? r : store_col_text(st, 1, &uid);
		r = r ? r : store_col_text(st, 2, &occurrence);
		if (r < 0)
			r = store_fail_errno(db, r, "look up outbox");
	} else if (rc == SQLITE_DONE) {
		snprintf(db->err, sizeof(db->err), "nothing sent with Message-ID <%s>", message_id);
		r = -ENOENT;
	} else {
		r = store_fail(db, rc, "look up outbox");
	}
	store_stmt_release(db, st);
	if (r == 0 && ret_kind)
		*ret_kind = kind, kind = NULL;
	if (r == 0 && ret_uid)
		*ret_uid = uid, uid = NULL;
	if (r == 0 && ret_occurrence)
		*ret_occurrence = occurrence, occurrence = NULL;
	free(kind);
	free(uid);
	free(occurrence);
	return r;
}

/* ---- topics ---- */

void store_topic_clear(struct store_topic *t)
{
	if (!t)
		return;
	free(t->uid);
	free(t->meeting);
	free(t->series);
	free(t->title);
	free(t->text);
	free(t->member);
	free(t->name);
	free(t->organisation);
	free(t->source);
	free(t->state);
	memset(t, 0, sizeof(*t));
}

void store_topic_free(struct store_topic *t, size_t n)
{
	if (!t)
		return;
	for (size_t i = 0; i < n; i++)
		store_topic_clear(&t[i]);
	free(t);
}

static int row_topic(sqlite3_stmt *st, void *item)
{
	struct store_topic *t = item;
	int r = 0;

	t->id = sqlite3_column_int64(st, 0);
	r = r ? r : store_col_text(st, 1, &t->uid);
	r = r ? r : store_col_text(st, 2, &t->meeting);
	r = r ? r : store_col_text(st, 3, &t->series);
	t->position = sqlite3_column_int(st, 4);
	r = r ? r : store_col_text(st, 5, &t->title);
	r = r ? r : store_col_text(st, 6, &t->text);
	r = r ? r : store_col_text(st, 7, &t->member);
	r = r ? r : store_col_text(st, 8, &t->name);
	r = r ? r : store_col_text(st, 9, &t->organisation);
	t->received = (time_t)sqlite3_column_int64(st, 10);
	r = r ? r : store_col_text(st, 11, &t->source);
	r = r ? r : store_col_text(st, 12, &t->state);
	t->inbox_id = sqlite3_column_int64(st, 13);
	return r;
}

#define TOPIC_COLUMNS "id, uid, meeting, series, position, title, text, member, name," \
                      " organisation, received, source, state, coalesce(inbox_id, 0)"
/* by meeting; the active ones first, by position; then the withdrawn */
#define TOPIC_ORDER " ORDER BY meeting, state = 'withdrawn', position, id"

/* st (bound) read into a fresh array for *ret, *ret_n. */
static int read_topics(struct store *db, sqlite3_stmt *st, struct store_topic **ret,
                       size_t *ret_n)
{
	struct store_topic *t = NULL;
	size_t n = 0;
	int r = store_read_stmt(db, st, "read topics", (void **)&t, &n, sizeof(*t), row_topic);

	if (r < 0) {
		store_topic_free(t, n);
		return r;
	}
	*ret = t;
	*ret_n = n;
	return 0;
}

int store_read_topics(struct store *db, struct store_topic **ret, size_t *ret_n)
{
	return store_topic_list(db, NULL, false, ret, ret_n);
}

int store_topic_list(struct store *db, const char *meeting, bool with_withdrawn,
                     struct store_topic **ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "SELECT " TOPIC_COLUMNS " FROM topics"
	                      " WHERE (?1 IS NULL OR meeting = ?1) AND (?2 OR state = 'active')"
	                      TOPIC_ORDER, "ti", meeting, (int)with_withdrawn);

	return r < 0 ? r : read_topics(db, st, ret, ret_n);
}

int store_topic_get(struct store *db, int64_t id, struct store_topic *ret)
{
	struct store_topic *t = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "SELECT " TOPIC_COLUMNS " FROM topics WHERE id = ?", "I",
	                      id);

	if (r == 0)
		r = read_topics(db, st, &t, &n);
	if (r == 0 && n == 0)
		r = not_found(db, "topic", id);
	if (r == 0) {
		*ret = t[0];
		free(t);
	} else {
		store_topic_free(t, n);
	}
	return r;
}

/* How many active topics meeting has, not counting topic `except`. */
static int count_active(struct store *db, const char *meeting, int64_t except, int *ret)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int r = store_prepare(db, &st, "SELECT count(*) FROM topics WHERE meeting = ?"
	                      " AND state = 'active' AND id != ?", "tI", meeting, except);

	if (r == 0)
		r = one_int(db, st, "count topics", &n);
	if (r == 0)
		*ret = (int)n;
	return r;
}

/* Add delta to the positions from..to (inclusive) of meeting's active
 * topics other than `except`. */
static int shift(struct store *db, const char *meeting, int from, int to, int delta,
                 int64_t except)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "UPDATE topics SET position = position + ?"
	                      " WHERE meeting = ? AND state = 'active' AND position BETWEEN ? AND ?"
	                      " AND id != ?", "itiiI", delta, meeting, from, to, except);

	return r < 0 ? r : store_run(db, st, "renumber topics");
}

static bool valid_meeting(const char *s)
{
	int y, m, d, hh, mm;

	return s && strlen(s) == 16 && util_parse_datetime(s, &y, &m, &d, &hh, &mm) == 0;
}

static int check_topic(struct store *db, const struct store_topic *t)
{
	if (!t->uid || !t->series || !t->title || !t->source)
		return invalid(db, "topic: no uid, series, title or source");
	if (!valid_meeting(t->meeting))
		return invalid(db, "topic: the meeting is not YYYY-MM-DDTHH:MM");
	if (strcmp(t->source, "mail") && strcmp(t->source, "chair"))
		return invalid(db, "topic: source is neither \"mail\" nor \"chair\"");
	if (t->state && strcmp(t->state, "active"))
		return invalid(db, "topic: a new topic is active");
	return 0;
}

static int insert_topic(struct store *db, struct store_topic *t, int position)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "INSERT INTO topics (uid, meeting, series, position, title, text,"
	                      " member, name, organisation, received, source, state, inbox_id)"
	                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,'active',nullif(?, 0))",
	                      "tttitttttItI", t->uid, t->meeting, t->series, position, t->title,
	                      t->text, t->member, t->name, t->organisation, (int64_t)t->received,
	                      t->source, t->inbox_id);

	if (r == 0)
		r = store_run(db, st, "add topic");
	if (r == -EEXIST) /* the foreign key: the only constraint left to fail */
		r = not_found(db, "inbox row", t->inbox_id);
	if (r == 0) {
		t->id = sqlite3_last_insert_rowid(db->db);
		t->position = position;
	}
	return r;
}

int store_topic_add(struct store *db, struct store_topic *t)
{
	bool own;
	int n = 0, r = check_topic(db, t);

	if (r < 0)
		return r;
	r = tx_begin(db, &own);
	if (r < 0)
		return r;
	r = count_active(db, t->meeting, 0, &n);
	if (r == 0 && (t->position < 0 || t->position > n + 1)) {
		snprintf(db->err, sizeof(db->err), "position %d is outside 1..%d of %s", t->position,
		         n + 1, t->meeting);
		r = -ERANGE;
	}
	if (r == 0 && t->position > 0)
		r = shift(db, t->meeting, t->position, n, 1, 0);
	if (r == 0)
		r = insert_topic(db, t, t->position > 0 ? t->position : n + 1);
	return tx_end(db, own, r);
}

/* Topic id into *ret (free with store_topic_clear()) when it is active;
 * -ENOENT, or withdrawn_code when it is withdrawn. */
static int get_active(struct store *db, int64_t id, int withdrawn_code, struct store_topic *ret)
{
	int r = store_topic_get(db, id, ret);

	if (r == 0 && strcmp(ret->state, "active")) {
		snprintf(db->err, sizeof(db->err), "topic %lld is %swithdrawn", (long long)id,
		         withdrawn_code == -EALREADY ? "already " : "");
		store_topic_clear(ret);
		r = withdrawn_code;
	}
	return r;
}

int store_topic_withdraw(struct store *db, int64_t id)
{
	struct store_topic t = { 0 };
	sqlite3_stmt *st;
	bool own;
	int r = tx_begin(db, &own);

	if (r < 0)
		return r;
	r = get_active(db, id, -EALREADY, &t);
	if (r == 0)
		r = store_prepare(db, &st, "UPDATE topics SET state = 'withdrawn', position = 0"
		                  " WHERE id = ?", "I", id);
	if (r == 0)
		r = store_run(db, st, "withdraw topic");
	if (r == 0)
		r = shift(db, t.meeting, t.position + 1, INT32_MAX, -1, id);
	store_topic_clear(&t);
	return tx_end(db, own, r);
}

int store_topic_move(struct store *db, int64_t id, const char *uid, const char *meeting,
                     const char *series)
{
	struct store_topic t = { 0 };
	sqlite3_stmt *st;
	bool own;
	int n = 0, r;

	if (!uid || !series || !valid_meeting(meeting))
		return invalid(db, "move topic: no uid or series, or the meeting is not "
		               "YYYY-MM-DDTHH:MM");
	r = tx_begin(db, &own);
	if (r < 0)
		return r;
	r = get_active(db, id, -EINVAL, &t);
	if (r == 0)
		r = shift(db, t.meeting, t.position + 1, INT32_MAX, -1, id);
	if (r == 0)
		r = count_active(db, meeting, id, &n);
	if (r == 0)
		r = store_prepare(db, &st, "UPDATE topics SET uid = ?, meeting = ?, series = ?,"
		                  " position = ? WHERE id = ?", "tttiI", uid, meeting, series, n + 1,
		                  id);
	if (r == 0)
		r = store_run(db, st, "move topic");
	store_topic_clear(&t);
	return tx_end(db, own, r);
}

int store_topic_order(struct store *db, int64_t id, int position)
{
	struct store_topic t = { 0 };
	sqlite3_stmt *st;
	bool own;
	int n = 0, r = tx_begin(db, &own);

	if (r < 0)
		return r;
	r = get_active(db, id, -EINVAL, &t);
	if (r == 0)
		r = count_active(db, t.meeting, 0, &n);
	if (r == 0 && (position < 1 || position > n)) {
		snprintf(db->err, sizeof(db->err), "position %d is outside 1..%d of %s", position, n,
		         t.meeting);
		r = -ERANGE;
	}
	/* the ones between the old and the new place make room or close up */
	if (r == 0 && position < t.position)
		r = shift(db, t.meeting, position, t.position - 1, 1, id);
	else if (r == 0 && position > t.position)
		r = shift(db, t.meeting, t.position + 1, position, -1, id);
	if (r == 0)
		r = store_prepare(db, &st, "UPDATE topics SET position = ? WHERE id = ?", "iI",
		                  position, id);
	if (r == 0)
		r = store_run(db, st, "order topic");
	store_topic_clear(&t);
	return tx_end(db, own, r);
}
