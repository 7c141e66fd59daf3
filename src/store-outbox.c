/* SPDX-License-Identifier: MIT */
/*
 * store-outbox.c - the outbox of the store (store.h): claiming due
 * entries, recording their outcome (sent, retry, failed), pruning, and
 * the counts and failures `gremiumctl status` shows.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store-internal.h"
#include "util.h"

/* ---- outbox ---- */

void store_entry_free(struct store_entry *e)
{
	if (!e)
		return;
	free(e->message_id);
	free(e->recipient);
	free(e->kind);
	free(e->uid);
	free(e->occurrence);
	free(e->message);
	memset(e, 0, sizeof(*e));
}

static int row_entry(sqlite3_stmt *st, struct store_entry *e)
{
	const void *blob;
	int r = 0;

	e->id = sqlite3_column_int64(st, 0);
	r = r ? r : store_col_text(st, 1, &e->message_id);
	r = r ? r : store_col_text(st, 2, &e->recipient);
	r = r ? r : store_col_text(st, 3, &e->kind);
	r = r ? r : store_col_text(st, 4, &e->uid);
	r = r ? r : store_col_text(st, 5, &e->occurrence);
	if (r < 0)
		return r;
	blob = sqlite3_column_blob(st, 6);
	e->message_len = (size_t)sqlite3_column_bytes(st, 6);
	/* one spare byte so a caller may treat the message as a string */
	e->message = malloc(e->message_len + 1);
	if (!e->message)
		return -ENOMEM;
	if (e->message_len)
		memcpy(e->message, blob, e->message_len);
	((char *)e->message)[e->message_len] = '\0';
	e->attempts = sqlite3_column_int(st, 7) + 1;
	e->created = (time_t)sqlite3_column_int64(st, 8);
	return 0;
}

/* Find up to max due entries (oldest first) and mark them; inside a
 * transaction.  One SELECT and one UPDATE for all of them: the UPDATE
 * picks the same rows, since nothing else writes in between. */
static int claim(struct store *db, time_t now, size_t max, struct store_entry *ret,
                 size_t *ret_n)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc = SQLITE_DONE, r = store_prepare(db, &st,
	                          "SELECT o.id, message_id, recipient, kind, uid, occurrence,"
	                          " coalesce(b.message, X''), attempts, created FROM outbox o"
	                          " LEFT JOIN outbox_body b ON b.id = o.id"
	                          " WHERE status = 'queued' AND next_attempt <= ?"
	                          " ORDER BY next_attempt, o.id LIMIT ?",
	                          "II", (int64_t)now, (int64_t)max);

	if (r < 0)
		return r;
	while (r == 0 && n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret[n] = (struct store_entry){ 0 };
		if (row_entry(st, &ret[n]) < 0) {
			store_entry_free(&ret[n]);
			r = store_fail_errno(db, -ENOMEM, "claim");
		} else {
			n++;
		}
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = store_fail(db, rc, "claim");
	store_stmt_release(db, st);
	if (r == 0 && n == 0)
		r = -ENOENT;
	if (r == 0)
		r = store_prepare(db, &st,
		                  "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
		                  " updated = ? WHERE id IN (SELECT id FROM outbox"
		                  " WHERE status = 'queued' AND next_attempt <= ?"
		                  " ORDER BY next_attempt, id LIMIT ?)",
		                  "III", (int64_t)now, (int64_t)now, (int64_t)n);
	if (r == 0)
		r = store_run(db, st, "claim");
	if (r == 0 && sqlite3_changes(db->db) != (int)n)
		r = store_fail_errno(db, -EIO, "claim: the entries changed under the claim");
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			store_entry_free(&ret[i]);
		return r;
	}
	*ret_n = n;
	return 0;
}

int store_outbox_claim_many(struct store *db, time_t now, size_t max, struct store_entry *ret,
                            size_t *ret_n)
{
	bool own = sqlite3_get_autocommit(db->db) != 0;
	int r = own ? store_set_sync(db, false) : 0;

	*ret_n = 0;
	if (max == 0)
		return -ENOENT;
	if (r == 0 && own)
		r = store_exec(db, "BEGIN IMMEDIATE", "begin");
	if (r < 0)
		return r;
	r = claim(db, now, max, ret, ret_n);
	if (own && r == 0)
		r = store_commit(db);
	if (r < 0) {
		if (own)
			(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		for (size_t i = 0; i < *ret_n; i++)
			store_entry_free(&ret[i]);
		*ret_n = 0;
		return r;
	}
	return 0;
}

int store_outbox_claim(struct store *db, time_t now, struct store_entry *ret)
{
	size_t n = 0;

	return store_outbox_claim_many(db, now, 1, ret, &n);
}

int store_outbox_prune(struct store *db, time_t before, time_t now)
{
	sqlite3_stmt *st;
	/* keep the row: it still counts for `status`, and its Message-ID
	 * still stops the same message from being enqueued again */
	int r = store_prepare(db, &st,
	                      "DELETE FROM outbox_body WHERE id IN"
	                      " (SELECT id FROM outbox WHERE status = 'sent' AND updated < ?)",
	                      "I", (int64_t)before);

	(void)now;
	return r < 0 ? r : store_run(db, st, "prune outbox");
}

int store_outbox_next_due(struct store *db, time_t *ret)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "SELECT min(next_attempt) FROM outbox WHERE status = 'queued'", "");

	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		r = store_fail(db, rc, "next due");
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		r = -ENOENT;
	else
		*ret = (time_t)sqlite3_column_int64(st, 0);
	store_stmt_release(db, st);
	return r;
}

int store_outbox_due_count(struct store *db, time_t now, long *ret)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt <= ?",
	                      "I", (int64_t)now);

	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = (long)sqlite3_column_int64(st, 0);
	else
		r = store_fail(db, rc, "count due entries");
	store_stmt_release(db, st);
	return r;
}

/* Change a `sending` entry; -ESTALE when it is not (or no longer) sending. */
static int finish(struct store *db, sqlite3_stmt *st, int64_t id)
{
	int r = sqlite3_get_autocommit(db->db) ? store_set_sync(db, false) : 0;

	if (r < 0) {
		store_stmt_release(db, st);
		return r;
	}
	r = store_run(db, st, "update outbox entry");

	if (r == 0 && sqlite3_changes(db->db) == 0) {
		snprintf(db->err, sizeof(db->err), "outbox entry %lld is not being sent",
		         (long long)id);
		r = -ESTALE;
	}
	return r;
}

int store_outbox_sent(struct store *db, int64_t id, time_t now)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "UPDATE outbox SET status = 'sent', updated = ?"
	                      " WHERE id = ? AND status = 'sending'", "II", (int64_t)now, id);

	return r < 0 ? r : finish(db, st, id);
}

int store_outbox_retry(struct store *db, int64_t id, time_t next_attempt,
                       const char *answer, time_t now)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "UPDATE outbox SET status = 'queued', next_attempt = ?,"
	                      " last_answer = ?, updated = ? WHERE id = ? AND status = 'sending'",
	                      "ItII", (int64_t)next_attempt, answer, (int64_t)now, id);

	return r < 0 ? r : finish(db, st, id);
}

int store_outbox_failed(struct store *db, int64_t id, const char *answer, time_t now)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "UPDATE outbox SET status = 'failed', last_answer = ?, updated = ?"
	                      " WHERE id = ? AND status = 'sending'",
	                      "tII", answer, (int64_t)now, id);

	return r < 0 ? r : finish(db, st, id);
}

/* ---- status ---- */

int store_counts(struct store *db, struct store_counts *ret)
{
	struct store_counts c = { 0 };
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, r = store_prepare(db, &st,
	                          "SELECT status, count(*), sum(attempts = 0) FROM outbox GROUP BY status",
	                          "");

	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		long n = (long)sqlite3_column_int64(st, 1);

		if (!s)
			continue;
		if (strcmp(s, "sent") == 0)
			c.sent += n;
		else if (strcmp(s, "failed") == 0) {
			c.failed += n;
			c.unrenderable += (long)sqlite3_column_int64(st, 2);
		}
		else
			c.queued += n;
	}
	if (rc != SQLITE_DONE)
		r = store_fail(db, rc, "count outbox");
	store_stmt_release(db, st);
	if (r == 0)
		*ret = c;
	return r;
}

void store_failures_free(struct store_failure *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].recipient);
		free(f[i].kind);
		free(f[i].occurrence);
		free(f[i].answer);
	}
	free(f);
}

static int row_failure(sqlite3_stmt *st, void *item)
{
	struct store_failure *x = item;
	int r = store_col_text(st, 0, &x->recipient);

	r = r ? r : store_col_text(st, 1, &x->kind);
	r = r ? r : store_col_text(st, 2, &x->occurrence);
	return r ? r : store_col_text(st, 3, &x->answer);
}

int store_failures(struct store *db, struct store_failure **ret, size_t *ret_n)
{
	struct store_failure *f = NULL;
	size_t n = 0;
	int r = store_read_rows(db, "SELECT recipient, kind, occurrence, last_answer FROM outbox"
	                        " WHERE status = 'failed' ORDER BY updated, id",
	                        "list failures", (void **)&f, &n, sizeof(*f), row_failure);

	if (r < 0) {
		store_failures_free(f, n);
		return r;
	}
	*ret = f;
	*ret_n = n;
	return 0;
}
