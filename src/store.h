/* SPDX-License-Identifier: MIT */
/*
 * store - the state database (SQLite): schema and migrations, the durable
 * outbox, the per-recipient log of sent calendar objects and the log of
 * notifications; the messages received (inbox) and the members' topics of
 * each meeting (issue 15); the members' answers to invitations (issue 16).
 * The only module that includes sqlite3.h; everything it
 * hands out is plain C data.
 *
 * Conventions: functions return 0 or a negative errno-style code; on failure
 * a one-line English reason is available from store_errmsg() (and nothing
 * in ret_* parameters was touched).  Times are UTC seconds (time_t); local
 * times are stored as "YYYY-MM-DDTHH:MM" text.
 *
 * One process at a time may send from a database (the daemon, or run-once
 * when no daemon runs): it opens with STORE_OPEN_SENDER, which puts entries
 * left in `sending` by a crash back to `queued`.  Readers such as `status`
 * open without it, so they never disturb a sender's entries in flight.
 */
#ifndef GREMIUM_STORE_H
#define GREMIUM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "model.h"

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 6

/* 16 hex digits of a 64-bit content hash + NUL */
#define STORE_HASH_LEN 17

struct store;

/*
 * What one recipient was last sent about one calendar object (one row of
 * sent_objects).  Besides the bookkeeping (sequence, hashes, active) it keeps
 * enough of the object to render a CANCEL after the object has vanished from
 * the config.
 */
struct store_object {
	char *recipient;        /* e-mail address */
	char *name;             /* the recipient's name when last sent */
	char *uid;
	int sequence;
	char hash[STORE_HASH_LEN];      /* all significant fields */
	char hash_base[STORE_HASH_LEN]; /* the same without cancellations */
	bool active;            /* false: the object was cancelled for them */
	char *cancelled;        /* original starts of the occurrences told as
	                         * cancelled, "YYYY-MM-DDTHH:MM,..." sorted; "" */
	/* the object as last sent, for a CANCEL of a vanished object */
	char *series_id;
	char *summary;
	char *location;         /* may be NULL */
	char *rrule;            /* NULL for a meeting of a dated series */
	struct gr_localtime dtstart;
	int duration;           /* minutes */
	time_t end_utc;         /* end of its last occurrence; 0 = open-ended */
};

/* Deep copy of src into dst (strings duplicated; a NULL `cancelled`
 * becomes "").  0, or -ENOMEM with dst still safe to store_object_clear(). */
int store_object_copy(struct store_object *dst, const struct store_object *src);

/* Free the strings of o and zero it (o itself is the caller's). */
void store_object_clear(struct store_object *o);

/*
 * One notification or occurrence cancellation that has been enqueued; the
 * four fields together are unique, so each is enqueued at most once.
 * kind: "topic-call", "reminder-<days>" or "cancellation";
 * occurrence: local start "YYYY-MM-DDTHH:MM" (see plan.h for which start).
 */
struct store_notice {
	char *kind;
	char *recipient;
	char *uid;
	char *occurrence;
};

/*
 * One version of a calendar object as published (object_versions): the
 * content that holds for meetings from valid_from on, until the next
 * version.  The meetings before a change keep the version they took place
 * under (the feed renders them from it; see plan.h).
 */
struct store_version {
	char *uid;
	time_t valid_from;              /* the plan that first published it */
	char hash[STORE_HASH_LEN];      /* the object's full hash then */
	char *summary;
	char *description;              /* may be NULL */
	char *location;                 /* may be NULL */
	char *url;                      /* may be NULL */
	struct gr_localtime dtstart;    /* first start (rrule) or the date */
	int duration;                   /* minutes */
};

/* Deep copies and frees, as for store_object. */
int store_version_copy(struct store_version *dst, const struct store_version *src);
void store_version_clear(struct store_version *v);

/* One row of inbox: every message received, with what became of it. */
struct store_inbox {
	int64_t id;
	char *source_id;        /* unique: "imap:<UIDVALIDITY>:<UID>", "maildir:..." */
	char *message_id;       /* without <>, may be NULL */
	char *sender;           /* From addr-spec, may be NULL */
	char *subject;          /* may be NULL */
	time_t received;
	char *class;            /* topic|reply|dsn|auto|stranger|invalid|too-large */
	char *outcome;          /* one line: "topic 12 for 2027-01-14T18:00",
	                         * "held for the chair", ...; "" when none yet */
	char *text;             /* plain text kept for held mails, may be NULL */
	bool held;              /* waits for the chair (stranger, or unclear) */
};

/* One topic of a meeting. */
struct store_topic {
	int64_t id;
	char *uid;              /* the series/object UID of the meeting */
	char *meeting;          /* local start "YYYY-MM-DDTHH:MM" (the actual start) */
	char *series;           /* series id */
	int position;           /* 1..n among the meeting's active topics; 0 withdrawn */
	char *title;
	char *text;             /* may be NULL */
	char *member;           /* e-mail of the member, NULL for a chair's topic */
	char *name;             /* the member's name as recorded then, may be NULL */
	char *organisation;     /* as recorded then, may be NULL */
	time_t received;
	char *source;           /* "mail" | "chair" */
	char *state;            /* "active" | "withdrawn" */
	int64_t inbox_id;       /* the inbox row it came from; 0: none */
};

/* A member's answer to an invitation (iMIP REPLY PARTSTAT). */
enum gr_answer {
	GR_ANSWER_NONE,
	GR_ANSWER_ACCEPTED,
	GR_ANSWER_DECLINED,
	GR_ANSWER_TENTATIVE,
	GR_ANSWER_DELEGATED,
};

/* One recorded answer: the latest per member, uid and occurrence. */
struct store_answer {
	char *member;           /* the member's configured e-mail */
	char *uid;              /* the object UID we sent */
	char *occurrence;       /* "" = the whole series/object, else the local
	                         * start "YYYY-MM-DDTHH:MM" of the occurrence
	                         * (RECURRENCE-ID in the committee's zone: the
	                         * ORIGINAL start for a series occurrence) */
	enum gr_answer answer;
	char *deputy;           /* DELEGATED-TO address, or NULL */
	char *comment;          /* COMMENT, or NULL */
	time_t dtstamp;         /* of the REPLY */
	time_t received;        /* when we recorded it */
	int64_t inbox_id;       /* the inbox row it came from; 0: none */
};

/* The recorded state as the planner reads it.  Caller frees with
 * store_state_free(). */
struct store_state {
	struct store_object *objects;
	size_t n_objects;
	struct store_notice *notices;
	size_t n_notices;
	struct store_version *versions;         /* by uid, valid_from */
	size_t n_versions;
	struct store_topic *topics;             /* the active ones, by meeting, position */
	size_t n_topics;
	struct store_answer *answers;           /* by member, uid, occurrence */
	size_t n_answers;
	char **bounced;                         /* recipients with a permanent bounce, latest first */
	size_t n_bounced;
};

/*
 * One change to apply: an object row to insert or replace, a notice to
 * record, and/or a message to enqueue.  All pointers are borrowed.
 * message_id == NULL: nothing to enqueue.  When notice is set and already
 * recorded, the message is not enqueued either (that is what makes a
 * notification at-most-once even with two planners racing).  A message
 * whose Message-ID is recorded as unrenderable (store_outbox_unrenderable)
 * replaces that entry.
 */
struct store_change {
	const struct store_object *object;  /* or NULL */
	const struct store_notice *notice;  /* or NULL */
	const struct store_version *version; /* or NULL: recorded unless known */
	const char *message_id;  /* unique; an existing one is not enqueued again */
	const char *recipient;
	const char *kind;        /* X-Gremium-Kind value */
	const char *uid;         /* may be NULL */
	const char *occurrence;  /* local start or NULL */
	const void *message;     /* the rendered RFC 5322 message */
	size_t message_len;
	time_t due;              /* first attempt not before this */
};

enum store_status {
	STORE_QUEUED,
	STORE_SENDING,
	STORE_SENT,
	STORE_FAILED,
};

/* One outbox entry as claimed for sending.  Free with store_entry_free(). */
struct store_entry {
	int64_t id;
	char *message_id;
	char *recipient;
	char *kind;
	char *uid;              /* may be NULL */
	char *occurrence;       /* may be NULL */
	void *message;
	size_t message_len;
	int attempts;           /* including this one */
	time_t created;
};

struct store_counts {
	long sent, queued, failed; /* queued includes entries being sent */
	long unrenderable;         /* of failed: could not be rendered */
};

/* A permanently failed entry for `status`.  Free with store_failures_free(). */
struct store_failure {
	char *recipient;
	char *kind;
	char *occurrence;       /* may be NULL */
	char *answer;           /* the server's answer, or "cannot render: REASON" */
};

/* store_open() flags */
#define STORE_OPEN_SENDER 0x1u  /* this process drains the outbox */

/*
 * Open (creating it and its schema when missing) the database at path:
 * WAL journal, busy_timeout, foreign_keys on, schema migrated to
 * STORE_SCHEMA_VERSION; with STORE_OPEN_SENDER, entries left in `sending`
 * put back to `queued`.
 * The folder of path is created (0700) when missing.  A sender also takes
 * an exclusive lock on "<path>.lock" for as long as the store is open.
 * Returns 0 and *ret (free with store_close()), or -ENOMEM, -EIO (SQLite
 * error), -EPROTO (the database is from a newer gremiumd), -EBUSY (another
 * sender has it open).  On failure a
 * reason is written to err (when not NULL).
 */
int store_open(const char *path, unsigned flags, struct store **ret, char *err,
               size_t errlen);

/* Close; NULL is a no-op.  An open transaction is rolled back. */
void store_close(struct store *db);

/* The last error of db, one line, never NULL. */
const char *store_errmsg(const struct store *db);

/* The schema version of an open database (PRAGMA user_version). */
int store_schema_version(struct store *db, int *ret);

/*
 * Explicit transactions.  store_begin() takes the write lock at once
 * (BEGIN IMMEDIATE), so state read inside it is still current when the
 * plan made from it is applied.
 */
int store_begin(struct store *db);
/* A transaction for outbox state changes only (claims and outcomes): its
 * commit survives a crash of the process, not necessarily a power loss
 * (synchronous=NORMAL; see store.c). */
int store_outbox_begin(struct store *db);
int store_commit(struct store *db);
int store_rollback(struct store *db);

/* Read the recorded state.  Returns 0 and fills *ret (caller frees with
 * store_state_free()).  Objects sorted by recipient, uid; notices by kind,
 * recipient, uid, occurrence; the active topics by meeting, position. */
int store_read_state(struct store *db, struct store_state *ret);
void store_state_free(struct store_state *st);

/*
 * Apply changes in order, all or nothing: inside the caller's transaction
 * when one is open (store_begin()), else in one of its own.  now is the
 * created/updated time of the rows.  Returns 0, or a negative code after
 * rolling back its own transaction (the caller's one: caller rolls back).
 */
int store_apply(struct store *db, const struct store_change *changes, size_t n,
                time_t now);

/*
 * Claim the next outbox entry due at now (queued, next_attempt <= now,
 * oldest first) and mark it `sending`.  Returns 0 with *ret filled (free
 * with store_entry_free()), -ENOENT when nothing is due, or an error.
 */
int store_outbox_claim(struct store *db, time_t now, struct store_entry *ret);

/* The same for up to max entries at once, into ret[0 .. *ret_n - 1]:
 * -ENOENT when none is due. */
int store_outbox_claim_many(struct store *db, time_t now, size_t max, struct store_entry *ret,
                            size_t *ret_n);
void store_entry_free(struct store_entry *e);

/* The earliest next_attempt of a queued entry: 0 and *ret, or -ENOENT. */
int store_outbox_next_due(struct store *db, time_t *ret);

/* How many queued entries are due at now (for progress: never loads them). */
int store_outbox_due_count(struct store *db, time_t now, long *ret);

/* Outcome of a claimed entry (status `sending`; else -ESTALE).  answer is the
 * server's reply (may be NULL for sent). */
int store_outbox_sent(struct store *db, int64_t id, time_t now);
int store_outbox_retry(struct store *db, int64_t id, time_t next_attempt,
                       const char *answer, time_t now);
int store_outbox_failed(struct store *db, int64_t id, const char *answer,
                        time_t now);

/*
 * Record that c's message could not be rendered: an outbox entry with
 * status `failed`, no message, attempts 0 (what tells it from a mail a
 * server refused) and reason as its answer, so `status` lists and counts it
 * with the other failures.  c's notice and object row are NOT recorded:
 * the planner plans the message again each time, and once it renders (a
 * fixed config) store_apply() replaces this entry with the queued message.
 * A known entry stays as it is (*ret_new false) unless it is such a failure
 * with another reason (then updated, *ret_new true): the caller logs only
 * what is new.  Returns 0, or a negative code.
 */
int store_outbox_unrenderable(struct store *db, const struct store_change *c,
                              const char *reason, time_t now, bool *ret_new);

/* Drop the message bytes of entries sent before `before` (the rows stay
 * for counts and de-duplication). */
int store_outbox_prune(struct store *db, time_t before, time_t now);

/* Counts for `status`. */
int store_counts(struct store *db, struct store_counts *ret);

/* Permanently failed entries, oldest first.  Caller frees with
 * store_failures_free(*ret, *ret_n). */
int store_failures(struct store *db, struct store_failure **ret, size_t *ret_n);
void store_failures_free(struct store_failure *f, size_t n);

/*
 * ---- bounces (store-bounce.c, issue 16) ----
 *
 * A delivery status notification names an outbox row (VERP token or the
 * quoted Message-ID).  No schema change: a permanent bounce turns the row
 * `failed` (also after `sent`) with answer "bounced: " + answer (the
 * status and the remote server's words); a temporary one (a delay) only
 * sets the answer to "delayed: " + answer, status unchanged, and never
 * overwrites a permanent bounce (-EALREADY).  A row being sent is left
 * alone (-EBUSY).  -ENOENT for an unknown id.
 */
int store_outbox_bounced(struct store *db, int64_t id, bool permanent, const char *answer,
                         time_t now);
/* Recipients with a permanently bounced row, latest bounce first (caller
 * frees with store_strv_free()). */
int store_bounced_recipients(struct store *db, char ***ret, size_t *ret_n);
void store_strv_free(char **v, size_t n);
/* The Message-ID (without <>) and recipient of outbox row id (each ret_*
 * may be NULL; caller frees): 0, -ENOENT. */
int store_outbox_ident(struct store *db, int64_t id, char **ret_message_id, char **ret_recipient);
/* The outbox row sent under message_id (without <>): 0, -ENOENT. */
int store_outbox_find(struct store *db, const char *message_id, int64_t *ret_id,
                      char **ret_recipient);

/* Status names as stored ("queued", ...). */
const char *store_status_name(enum store_status s);

/*
 * ---- inbox and topics (store-inbox.c) ----
 *
 * Each writing function below runs inside the caller's transaction when
 * one is open (store_begin(): e.g. an inbox row, its topic and the
 * confirmation's store_apply() together), else in one of its own, so a
 * renumbering is never seen half done.  Bad ids give -ENOENT, bad
 * arguments -EINVAL; store_errmsg() says which.
 *
 * Every write to inbox or topics (by these functions or anyone else:
 * SQL triggers do it) bumps a counter in the database.  The daemon reads
 * it with store_change_counter() (one indexed row) on its timer and
 * re-plans when it moved, so what gremiumctl changes while gremiumd runs
 * is picked up without a restart.
 */
int store_change_counter(struct store *db, int64_t *ret);

/* Has source_id been recorded?  1 yes, 0 no, <0 error. */
int store_inbox_seen(struct store *db, const char *source_id);

/* The first inbox row with this Message-ID from this sender (sender NULL
 * matches rows without a sender): 0 and *ret_id, or -ENOENT. */
int store_inbox_by_message_id(struct store *db, const char *message_id, const char *sender,
                              int64_t *ret_id);

/* Record a message (row->id ignored; source_id and class required, outcome
 * NULL stored as "").  0 and *ret_id (may be NULL), -EEXIST for a known
 * source_id, -EINVAL. */
int store_inbox_add(struct store *db, const struct store_inbox *row, int64_t *ret_id);

/* Set the outcome of row id (class NULL: unchanged; outcome NULL: "").
 * 0, -ENOENT. */
int store_inbox_set_outcome(struct store *db, int64_t id, const char *class,
                            const char *outcome, bool held);

/* All rows, or the held ones, in the order received (by id).  Caller frees
 * with store_inbox_free(*ret, *ret_n); no rows: 0, *ret NULL, *ret_n 0. */
int store_inbox_list(struct store *db, bool held_only, struct store_inbox **ret,
                     size_t *ret_n);

/* One row into the caller's *ret (free its strings with
 * store_inbox_clear()).  0, -ENOENT. */
int store_inbox_get(struct store *db, int64_t id, struct store_inbox *ret);

/* Free the strings of rows[0 .. n-1] and the array rows (as
 * store_inbox_list() returns it).  NULL is a no-op. */
void store_inbox_free(struct store_inbox *rows, size_t n);
/* Free the strings of one row and zero it (the struct is the caller's). */
void store_inbox_clear(struct store_inbox *row);

/* What we sent under a Message-ID (without <>): its kind, uid and
 * occurrence (each ret_* may be NULL if not wanted; uid and occurrence may
 * come back NULL; caller frees).  0, -ENOENT. */
int store_outbox_lookup(struct store *db, const char *message_id, char **ret_kind,
                        char **ret_uid, char **ret_occurrence);

/*
 * Add a topic.  Required: uid, meeting ("YYYY-MM-DDTHH:MM"), series, title,
 * source ("mail" | "chair"); state must be NULL or "active".  position 0
 * puts it at the end; 1..n+1 (n: the meeting's active topics) inserts it
 * there and shifts the others down.  A position outside 0..n+1 is -ERANGE
 * (not clamped: the chair asked for something that does not exist).
 * On success t->id and t->position are set.  inbox_id 0: none, else it
 * must name an inbox row (-ENOENT).
 */
int store_topic_add(struct store *db, struct store_topic *t);

/* The topics of meeting (NULL: all), active ones only or with the
 * withdrawn ones, by meeting, then the active by position, then the
 * withdrawn by id.  Caller frees with store_topic_free(*ret, *ret_n). */
int store_topic_list(struct store *db, const char *meeting, bool with_withdrawn,
                     struct store_topic **ret, size_t *ret_n);

/* One topic into the caller's *ret (free with store_topic_clear()).
 * 0, -ENOENT. */
int store_topic_get(struct store *db, int64_t id, struct store_topic *ret);

/* Withdraw a topic; the active ones after it move up.  0, -ENOENT,
 * -EALREADY (already withdrawn). */
int store_topic_withdraw(struct store *db, int64_t id);

/* Move an active topic to the end of another meeting (meeting as in
 * store_topic_add(); the same meeting moves it to its end); the old
 * meeting's topics after it move up.  0, -ENOENT, -EINVAL (withdrawn or
 * bad arguments). */
int store_topic_move(struct store *db, int64_t id, const char *uid, const char *meeting,
                     const char *series);

/* Put an active topic at position 1..n of its meeting; the others shift.
 * 0, -ENOENT, -EINVAL (withdrawn), -ERANGE (position outside 1..n). */
int store_topic_order(struct store *db, int64_t id, int position);

/* Free the strings of t[0 .. n-1] and the array t (as store_topic_list()
 * returns it).  NULL is a no-op. */
void store_topic_free(struct store_topic *t, size_t n);
/* Free the strings of one topic and zero it (the struct is the caller's). */
void store_topic_clear(struct store_topic *t);

/*
 * ---- answers (store-answers.c) ----
 */

/* "accepted", "declined", "tentative", "delegated", "none". */
const char *store_answer_name(enum gr_answer a);
/* The reverse: 0 and *ret, or -EINVAL for an unknown name. */
int store_answer_from_name(const char *name, enum gr_answer *ret);

/*
 * Record a's answer (member, uid, answer required; occurrence NULL is "";
 * inbox_id 0: none) unless a later one is recorded for the same member,
 * uid and occurrence: later means a greater dtstamp, then (equal dtstamp)
 * a received time not earlier.  *ret_applied (may be NULL) false when an
 * older answer arrived late and was not recorded.  0, -EINVAL.
 */
int store_answer_record(struct store *db, const struct store_answer *a, bool *ret_applied);

/* All recorded answers by member, uid, occurrence.  Caller frees with
 * store_answers_free(*ret, *ret_n); none: 0, *ret NULL, *ret_n 0. */
int store_answers_list(struct store *db, struct store_answer **ret, size_t *ret_n);

/* Free the strings of a[0 .. n-1] and the array.  NULL is a no-op. */
void store_answers_free(struct store_answer *a, size_t n);

#endif
