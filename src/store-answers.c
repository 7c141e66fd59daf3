/* SPDX-License-Identifier: MIT */
/*
 * store-answers.c - the members' answers to invitations (table answers,
 * schema 6): the latest answer per member, object and occurrence.  Which
 * answer counts for a meeting (the occurrence's over the series') is
 * attendance_effective()'s rule (attendance.h); here only "later wins".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char *const answer_names[] = {
	[GR_ANSWER_NONE] = "none",
	[GR_ANSWER_ACCEPTED] = "accepted",
	[GR_ANSWER_DECLINED] = "declined",
	[GR_ANSWER_TENTATIVE] = "tentative",
	[GR_ANSWER_DELEGATED] = "delegated",
};

const char *store_answer_name(enum gr_answer a)
{
	if ((size_t)a >= sizeof(answer_names) / sizeof(answer_names[0]))
		return "none";
	return answer_names[a];
}

int store_answer_from_name(const char *name, enum gr_answer *ret)
{
	for (size_t i = 0; name && i < sizeof(answer_names) / sizeof(answer_names[0]); i++)
		if (strcmp(name, answer_names[i]) == 0) {
			*ret = (enum gr_answer)i;
			return 0;
		}
	return -EINVAL;
}

int store_answer_record(struct store *db, const struct store_answer *a, bool *ret_applied)
{
	sqlite3_stmt *st;
	int r;

	if (!a || !a->member || !a->uid || !*a->member || !*a->uid ||
	    a->answer == GR_ANSWER_NONE || (size_t)a->answer >= sizeof(answer_names) /
	    sizeof(answer_names[0]))
		return store_fail_errno(db, -EINVAL, "record answer: member, uid and answer required");
	/* One statement: atomic in or out of the caller's transaction.  The
	 * WHERE of the upsert keeps a later answer that is already there. */
	r = store_prepare(db, &st, "INSERT INTO answers (member, uid, occurrence, answer, deputy,"
	                  " comment, dtstamp, received, inbox_id)"
	                  " VALUES (?1, ?2, coalesce(?3, ''), ?4, ?5, ?6, ?7, ?8, nullif(?9, 0))"
	                  " ON CONFLICT (member, uid, occurrence) DO UPDATE SET"
	                  " answer = excluded.answer, deputy = excluded.deputy,"
	                  " comment = excluded.comment, dtstamp = excluded.dtstamp,"
	                  " received = excluded.received, inbox_id = excluded.inbox_id"
	                  " WHERE excluded.dtstamp > answers.dtstamp OR"
	                  " (excluded.dtstamp = answers.dtstamp AND"
	                  "  excluded.received >= answers.received)",
	                  "ttttttIII", a->member, a->uid, a->occurrence,
	                  store_answer_name(a->answer), a->deputy, a->comment,
	                  (int64_t)a->dtstamp, (int64_t)a->received, a->inbox_id);
	if (r < 0)
		return r;
	r = store_run(db, st, "record answer");
	if (r < 0)
		return r;
	if (ret_applied)
		*ret_applied = sqlite3_changes(db->db) > 0;
	return 0;
}

void store_answers_free(struct store_answer *a, size_t n)
{
	if (!a)
		return;
	for (size_t i = 0; i < n; i++) {
		free(a[i].member);
		free(a[i].uid);
		free(a[i].occurrence);
		free(a[i].deputy);
		free(a[i].comment);
	}
	free(a);
}

static int row_answer(sqlite3_stmt *st, void *item)
{
	struct store_answer *a = item;
	int r = 0;

	r = r ? r : store_col_text(st, 0, &a->member);
	r = r ? r : store_col_text(st, 1, &a->uid);
	r = r ? r : store_col_text(st, 2, &a->occurrence);
	if (r == 0 && store_answer_from_name((const char *)sqlite3_column_text(st, 3),
	                                     &a->answer) < 0)
		a->answer = GR_ANSWER_NONE;  /* a name of a newer gremiumd */
	r = r ? r : store_col_text(st, 4, &a->deputy);
	r = r ? r : store_col_text(st, 5, &a->comment);
	a->dtstamp = (time_t)sqlite3_column_int64(st, 6);
	a->received = (time_t)sqlite3_column_int64(st, 7);
	a->inbox_id = sqlite3_column_int64(st, 8);
	return r;
}

int store_answers_list(struct store *db, struct store_answer **ret, size_t *ret_n)
{
	struct store_answer *a = NULL;
	size_t n = 0;
	int r = store_read_rows(db, "SELECT member, uid, occurrence, answer, deputy, comment,"
	                        " dtstamp, received, coalesce(inbox_id, 0) FROM answers"
	                        " ORDER BY member, uid, occurrence",
	                        "read answers", (void **)&a, &n, sizeof(*a), row_answer);

	if (r < 0) {
		store_answers_free(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}
