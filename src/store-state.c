/* SPDX-License-Identifier: MIT */
/*
 * store-state.c - the recorded state of the store (store.h): reading the
 * objects, notices and versions sent so far (store_read_state()), and
 * applying a plan's changes to them and to the outbox (store_apply(),
 * store_outbox_unrenderable()).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store-internal.h"
#include "util.h"

/* "YYYY-MM-DDTHH:MM"; the buffer has room for any int values */
static void format_local(const struct gr_localtime *lt, char buf[64])
{
	snprintf(buf, 64, "%04d-%02d-%02dT%02d:%02d", lt->year, lt->month, lt->day,
	         lt->hour, lt->minute);
}

/* ---- recorded state ---- */

int store_object_copy(struct store_object *dst, const struct store_object *src)
{
	*dst = *src;
	dst->recipient = util_strdup0(src->recipient);
	dst->name = util_strdup0(src->name);
	dst->uid = util_strdup0(src->uid);
	dst->series_id = util_strdup0(src->series_id);
	dst->summary = util_strdup0(src->summary);
	dst->location = util_strdup0(src->location);
	dst->rrule = util_strdup0(src->rrule);
	dst->cancelled = util_strdup0(src->cancelled ? src->cancelled : "");
	if ((src->recipient && !dst->recipient) || (src->name && !dst->name) ||
	    (src->uid && !dst->uid) || (src->series_id && !dst->series_id) ||
	    (src->summary && !dst->summary) || (src->location && !dst->location) ||
	    (src->rrule && !dst->rrule) || !dst->cancelled)
		return -ENOMEM;
	return 0;
}

void store_object_clear(struct store_object *o)
{
	free(o->recipient);
	free(o->name);
	free(o->uid);
	free(o->series_id);
	free(o->summary);
	free(o->location);
	free(o->rrule);
	free(o->cancelled);
	memset(o, 0, sizeof(*o));
}

int store_version_copy(struct store_version *dst, const struct store_version *src)
{
	*dst = *src;
	dst->uid = util_strdup0(src->uid);
	dst->summary = util_strdup0(src->summary);
	dst->description = util_strdup0(src->description);
	dst->location = util_strdup0(src->location);
	dst->url = util_strdup0(src->url);
	if ((src->uid && !dst->uid) || (src->summary && !dst->summary) ||
	    (src->description && !dst->description) || (src->location && !dst->location) ||
	    (src->url && !dst->url))
		return -ENOMEM;
	return 0;
}

void store_version_clear(struct store_version *v)
{
	free(v->uid);
	free(v->summary);
	free(v->description);
	free(v->location);
	free(v->url);
	memset(v, 0, sizeof(*v));
}

static void notice_clear(struct store_notice *n)
{
	free(n->kind);
	free(n->recipient);
	free(n->uid);
	free(n->occurrence);
	memset(n, 0, sizeof(*n));
}

void store_state_free(struct store_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_objects; i++)
		store_object_clear(&st->objects[i]);
	for (size_t i = 0; i < st->n_notices; i++)
		notice_clear(&st->notices[i]);
	for (size_t i = 0; i < st->n_versions; i++)
		store_version_clear(&st->versions[i]);
	store_topic_free(st->topics, st->n_topics);
	store_strv_free(st->bounced, st->n_bounced);
	store_answers_free(st->answers, st->n_answers);
	free(st->objects);
	free(st->notices);
	free(st->versions);
	memset(st, 0, sizeof(*st));
}


static void copy_hash(char dst[STORE_HASH_LEN], sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(dst, STORE_HASH_LEN, "%s", s ? (const char *)s : "");
}

static int row_object(sqlite3_stmt *st, void *item)
{
	struct store_object *o = item;
	const unsigned char *dt;
	int r = 0;

	r = r ? r : store_col_text(st, 0, &o->recipient);
	r = r ? r : store_col_text(st, 1, &o->uid);
	r = r ? r : store_col_text(st, 2, &o->name);
	r = r ? r : store_col_text(st, 8, &o->series_id);
	r = r ? r : store_col_text(st, 9, &o->summary);
	r = r ? r : store_col_text(st, 10, &o->location);
	r = r ? r : store_col_text(st, 11, &o->rrule);
	r = r ? r : store_col_text(st, 14, &o->cancelled);
	if (r < 0)
		return r;
	o->sequence = sqlite3_column_int(st, 3);
	copy_hash(o->hash, st, 4);
	copy_hash(o->hash_base, st, 5);
	const unsigned char *state = sqlite3_column_text(st, 6);
	if (!state)
		return -ENOMEM; /* NOT NULL column: only a failed conversion */
	o->active = strcmp((const char *)state, "active") == 0;
	dt = sqlite3_column_text(st, 7);
	if (!dt || util_parse_datetime((const char *)dt, &o->dtstart.year, &o->dtstart.month,
	                               &o->dtstart.day, &o->dtstart.hour, &o->dtstart.minute) < 0)
		return -EBADMSG;
	o->duration = sqlite3_column_int(st, 12);
	o->end_utc = (time_t)sqlite3_column_int64(st, 13);
	return 0;
}

static int read_objects(struct store *db, struct store_state *s)
{
	return store_read_rows(db, "SELECT recipient, uid, name, sequence, hash, hash_base, state,"
	                 " dtstart, series_id, summary, location, rrule, duration, end_utc,"
	                 " cancelled FROM sent_objects ORDER BY recipient, uid",
	                 "read sent_objects", (void **)&s->objects, &s->n_objects,
	                 sizeof(*s->objects), row_object);
}

static int row_notice(sqlite3_stmt *st, void *item)
{
	struct store_notice *n = item;
	int r = store_col_text(st, 0, &n->kind);

	r = r ? r : store_col_text(st, 1, &n->recipient);
	r = r ? r : store_col_text(st, 2, &n->uid);
	return r ? r : store_col_text(st, 3, &n->occurrence);
}

static int read_notices(struct store *db, struct store_state *s)
{
	return store_read_rows(db, "SELECT kind, recipient, uid, occurrence FROM notices"
	                       " ORDER BY kind, recipient, uid, occurrence",
	                       "read notices", (void **)&s->notices, &s->n_notices,
	                       sizeof(*s->notices), row_notice);
}

static int row_version(sqlite3_stmt *st, void *item)
{
	struct store_version *v = item;
	const unsigned char *dt;
	int r = store_col_text(st, 0, &v->uid);

	r = r ? r : store_col_text(st, 3, &v->summary);
	r = r ? r : store_col_text(st, 4, &v->description);
	r = r ? r : store_col_text(st, 5, &v->location);
	r = r ? r : store_col_text(st, 6, &v->url);
	if (r < 0)
		return r;
	v->valid_from = (time_t)sqlite3_column_int64(st, 1);
	copy_hash(v->hash, st, 2);
	dt = sqlite3_column_text(st, 7);
	if (!dt || util_parse_datetime((const char *)dt, &v->dtstart.year, &v->dtstart.month,
	                               &v->dtstart.day, &v->dtstart.hour, &v->dtstart.minute) < 0)
		return -EBADMSG;
	v->duration = sqlite3_column_int(st, 8);
	return 0;
}

static int read_versions(struct store *db, struct store_state *s)
{
	return store_read_rows(db, "SELECT uid, valid_from, hash, summary, description, location, url,"
	                 " dtstart, duration FROM object_versions ORDER BY uid, valid_from",
	                 "read object_versions", (void **)&s->versions, &s->n_versions,
	                 sizeof(*s->versions), row_version);
}

int store_read_state(struct store *db, struct store_state *ret)
{
	struct store_state s = { 0 };
	int r = read_objects(db, &s);

	if (r == 0)
		r = read_notices(db, &s);
	if (r == 0)
		r = read_versions(db, &s);
	if (r == 0)
		r = store_read_topics(db, &s.topics, &s.n_topics);
	if (r == 0)
		r = store_bounced_recipients(db, &s.bounced, &s.n_bounced);
	if (r == 0)
		r = store_answers_list(db, &s.answers, &s.n_answers);
	if (r < 0) {
		store_state_free(&s);
		return r;
	}
	*ret = s;
	return 0;
}

/* ---- apply ---- */

static int put_object(struct store *db, const struct store_object *o, time_t now)
{
	sqlite3_stmt *st;
	char dt[64];
	int r;

	format_local(&o->dtstart, dt);
	r = store_prepare(db, &st,
	                  "INSERT OR REPLACE INTO sent_objects (recipient, uid, name, sequence,"
	                  " hash, hash_base, state, series_id, summary, location, rrule, dtstart,"
	                  " duration, end_utc, updated, cancelled)"
	                  " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	                  "tttittttttttiIIt", o->recipient, o->uid, o->name, o->sequence,
	                  o->hash, o->hash_base, o->active ? "active" : "cancelled",
	                  o->series_id, o->summary ? o->summary : "", o->location, o->rrule, dt,
	                  o->duration, (int64_t)o->end_utc, (int64_t)now,
	                  o->cancelled ? o->cancelled : "");
	return r < 0 ? r : store_run(db, st, "record sent object");
}

/* A version is recorded once: a later plan with the same content (or two
 * planners racing) keeps the first valid_from. */
static int put_version(struct store *db, const struct store_version *v)
{
	sqlite3_stmt *st;
	char dt[64];
	int r;

	format_local(&v->dtstart, dt);
	r = store_prepare(db, &st,
	                  "INSERT OR IGNORE INTO object_versions (uid, valid_from, hash, summary,"
	                  " description, location, url, dtstart, duration)"
	                  " SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9 WHERE NOT EXISTS (SELECT 1 FROM"
	                  " object_versions WHERE uid = ?1 AND valid_from = (SELECT max(valid_from)"
	                  " FROM object_versions WHERE uid = ?1) AND hash = ?3)",
	                  "tItttttti", v->uid, (int64_t)v->valid_from, v->hash,
	                  v->summary ? v->summary : "", v->description, v->location, v->url, dt,
	                  v->duration);
	return r < 0 ? r : store_run(db, st, "record object version");
}

/* Insert a notice; *ret_new tells whether it was not recorded before. */
static int put_notice(struct store *db, const struct store_notice *n, time_t now,
                      bool *ret_new)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "INSERT OR IGNORE INTO notices (kind, recipient, uid, occurrence, created)"
	                      " VALUES (?,?,?,?,?)",
	                      "ttttI", n->kind, n->recipient, n->uid, n->occurrence, (int64_t)now);

	if (r < 0)
		return r;
	r = store_run(db, st, "record notice");
	if (r == 0)
		*ret_new = sqlite3_changes(db->db) > 0;
	return r;
}

/* Insert c's outbox row (no body); *ret_new tells whether it was new. */
static int put_outbox_row(struct store *db, const struct store_change *c, time_t now,
                          bool *ret_new)
{
	sqlite3_stmt *st;
	/* DO NOTHING on a known Message-ID: the message is in the outbox
	 * already, and enqueueing it twice would send it twice */
	int r = store_prepare(db, &st,
	                      "INSERT INTO outbox (message_id, recipient, kind, uid, occurrence,"
	                      " message, next_attempt, created, updated)"
	                      " VALUES (?,?,?,?,?,X'',?,?,?) ON CONFLICT(message_id) DO NOTHING",
	                      "tttttIII", c->message_id, c->recipient, c->kind, c->uid,
	                      c->occurrence, (int64_t)c->due, (int64_t)now, (int64_t)now);

	if (r == 0)
		r = store_run(db, st, "enqueue message");
	if (r == 0)
		*ret_new = sqlite3_changes(db->db) > 0;
	return r;
}

/* Drop the unrenderable entry of message_id, if there is one; *ret_gone
 * tells whether there was. */
static int drop_unrenderable(struct store *db, const char *message_id, bool *ret_gone)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "DELETE FROM outbox WHERE message_id = ? AND status = 'failed'"
	                      " AND attempts = 0", "t", message_id);

	if (r == 0)
		r = store_run(db, st, "enqueue message");
	if (r == 0)
		*ret_gone = sqlite3_changes(db->db) > 0;
	return r;
}

static int put_outbox(struct store *db, const struct store_change *c, time_t now)
{
	sqlite3_stmt *st;
	bool fresh = false, gone = false;
	int r = put_outbox_row(db, c, now, &fresh);

	/* a message that could not be rendered before (and now could, after
	 * a config change) replaces its failed entry: only the conflict path
	 * pays for the look-up */
	if (r == 0 && !fresh && (r = drop_unrenderable(db, c->message_id, &gone)) == 0 && gone)
		r = put_outbox_row(db, c, now, &fresh);
	if (r < 0 || !fresh)
		return r;
	r = store_prepare(db, &st, "INSERT INTO outbox_body (id, message) VALUES (?,?)", "Ib",
	                  (int64_t)sqlite3_last_insert_rowid(db->db), c->message, c->message_len);
	return r < 0 ? r : store_run(db, st, "enqueue message");
}

static int apply_one(struct store *db, const struct store_change *c, time_t now)
{
	bool fresh = true;
	int r = 0;

	if (c->notice)
		r = put_notice(db, c->notice, now, &fresh);
	if (r == 0 && c->object)
		r = put_object(db, c->object, now);
	if (r == 0 && c->version)
		r = put_version(db, c->version);
	if (r == 0 && fresh && c->message_id) {
		if (!c->recipient || !c->kind) {
			snprintf(db->err, sizeof(db->err), "enqueue message: no recipient or kind");
			return -EINVAL;
		}
		r = put_outbox(db, c, now);
	}
	return r;
}

int store_apply(struct store *db, const struct store_change *changes, size_t n,
                time_t now)
{
	bool own = sqlite3_get_autocommit(db->db) != 0;
	int r = own ? store_begin(db) : 0;

	for (size_t i = 0; r == 0 && i < n; i++)
		r = apply_one(db, &changes[i], now);
	if (own) {
		if (r == 0)
			r = store_commit(db);
		if (r < 0)
			(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return r;
}

int store_outbox_unrenderable(struct store *db, const struct store_change *c,
                              const char *reason, time_t now, bool *ret_new)
{
	sqlite3_stmt *st;
	int r;

	if (!c->message_id || !c->recipient || !c->kind) {
		snprintf(db->err, sizeof(db->err), "record a failure: no message id, recipient or kind");
		return -EINVAL;
	}
	/* a row already there is left alone, unless it is this kind of failure
	 * with another reason (the config changed, the message still cannot
	 * be made); attempts = 0 marks it: the sender never had it */
	r = store_prepare(db, &st,
	                  "INSERT INTO outbox (message_id, recipient, kind, uid, occurrence,"
	                  " message, next_attempt, status, last_answer, created, updated)"
	                  " VALUES (?,?,?,?,?,X'',?,'failed',?,?,?) ON CONFLICT(message_id)"
	                  " DO UPDATE SET last_answer = excluded.last_answer,"
	                  " updated = excluded.updated WHERE status = 'failed' AND attempts = 0"
	                  " AND last_answer IS NOT excluded.last_answer",
	                  "tttttItII", c->message_id, c->recipient, c->kind, c->uid,
	                  c->occurrence, (int64_t)c->due, reason, (int64_t)now, (int64_t)now);
	if (r == 0)
		r = store_run(db, st, "record a failure");
	if (r == 0)
		*ret_new = sqlite3_changes(db->db) > 0;
	return r;
}
