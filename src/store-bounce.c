/* SPDX-License-Identifier: MIT */
/*
 * store-bounce.c - bounces (issue 16, store.h): the outbox row a delivery
 * status notification names, and what it said.  No schema change: a
 * permanent bounce is an outbox row with status `failed` whose answer
 * starts with "bounced: "; a delay only replaces the answer with
 * "delayed: ...".
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store-internal.h"
#include "util.h"

/* One row of outbox by a column: its id, message_id, recipient. */
static int outbox_row(struct store *db, sqlite3_stmt *st, const char *what, int64_t *ret_id,
                      char **ret_message_id, char **ret_recipient)
{
	char *mid = NULL, *rcpt = NULL;
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW) {
		r = store_col_text(st, 1, &mid);
		r = r ? r : store_col_text(st, 2, &rcpt);
		if (r < 0)
			r = store_fail_errno(db, r, what);
		else if (ret_id)
			*ret_id = sqlite3_column_int64(st, 0);
	} else if (rc == SQLITE_DONE) {
		snprintf(db->err, sizeof(db->err), "%s: no such outbox entry", what);
		r = -ENOENT;
	} else {
		r = store_fail(db, rc, what);
	}
	store_stmt_release(db, st);
	if (r == 0 && ret_message_id)
		*ret_message_id = mid, mid = NULL;
	if (r == 0 && ret_recipient)
		*ret_recipient = rcpt, rcpt = NULL;
	free(mid);
	free(rcpt);
	return r;
}

int store_outbox_ident(struct store *db, int64_t id, char **ret_message_id, char **ret_recipient)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "SELECT id, message_id, recipient FROM outbox WHERE id = ?",
	                      "I", id);

	return r < 0 ? r : outbox_row(db, st, "look up outbox entry", NULL, ret_message_id,
	                              ret_recipient);
}

int store_outbox_find(struct store *db, const char *message_id, int64_t *ret_id,
                      char **ret_recipient)
{
	sqlite3_stmt *st;
	int r;

	if (!message_id) {
		snprintf(db->err, sizeof(db->err), "outbox: no message id");
		return -EINVAL;
	}
	r = store_prepare(db, &st, "SELECT id, message_id, recipient FROM outbox WHERE message_id = ?",
	                  "t", message_id);
	return r < 0 ? r : outbox_row(db, st, "find outbox entry", ret_id, NULL, ret_recipient);
}

int store_outbox_bounced(struct store *db, int64_t id, bool permanent, const char *answer,
                         time_t now)
{
	char *text = util_asprintf("%s: %s", permanent ? "bounced" : "delayed",
	                           answer && *answer ? answer : "(no reason given)");
	sqlite3_stmt *st;
	int r;

	if (!text)
		return store_fail_errno(db, -ENOMEM, "record bounce");
	/* a row being sent right now is left alone (its outcome comes
	 * next); a permanent bounce beats `sent` and a delay's answer; a
	 * delay never overwrites a permanent bounce */
	if (permanent)
		r = store_prepare(db, &st, "UPDATE outbox SET status = 'failed', last_answer = ?,"
		                  " updated = ? WHERE id = ? AND status != 'sending'",
		                  "tII", text, (int64_t)now, id);
	else
		r = store_prepare(db, &st, "UPDATE outbox SET last_answer = ?, updated = ?"
		                  " WHERE id = ? AND status != 'sending' AND NOT (status = 'failed'"
		                  " AND last_answer LIKE 'bounced:%')",
		                  "tII", text, (int64_t)now, id);
	if (r == 0)   /* bound without a copy: text lives until the step */
		r = store_run(db, st, "record bounce");
	free(text);
	if (r < 0)
		return r;
	if (r == 0 && sqlite3_changes(db->db) == 0) {
		int e = store_outbox_ident(db, id, NULL, NULL);

		if (e < 0)
			return e;
		snprintf(db->err, sizeof(db->err), "outbox entry %lld is %s", (long long)id,
		         permanent ? "being sent" : "being sent or already bounced");
		return permanent ? -EBUSY : -EALREADY;
	}
	return r;
}

static int row_recipient(sqlite3_stmt *st, void *item)
{
	return store_col_text(st, 0, (char **)item);
}

int store_bounced_recipients(struct store *db, char ***ret, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0;
	int r = store_read_rows(db, "SELECT recipient FROM outbox WHERE status = 'failed'"
	                        " AND last_answer LIKE 'bounced:%' GROUP BY recipient"
	                        " ORDER BY max(updated) DESC, max(id) DESC",
	                        "list bounced recipients", (void **)&v, &n, sizeof(*v),
	                        row_recipient);

	if (r < 0) {
		store_strv_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void store_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
