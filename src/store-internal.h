/* SPDX-License-Identifier: MIT */
/*
 * store-internal.h - what the files of the store module share: the
 * connection and the statement helpers.  It is one module (store.h) in
 * three files, so that none exceeds STYLE's 900 lines.  Not for other
 * modules.
 *
 *   store.c         schema and migrations, statement helpers, open, close,
 *                   transactions
 *   store-state.c   recorded objects, notices and versions; applying a
 *                   plan's changes (store_apply())
 *   store-outbox.c  claim, outcomes, prune, counts and failures
 *   store-inbox.c   messages received (inbox) and the members' topics
 *   store-answers.c the members' answers to invitations (attendance)
 */
#ifndef GREMIUM_STORE_INTERNAL_H
#define GREMIUM_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "store.h"

/* How long a writer waits for another process's lock before -EBUSY. */
#define STORE_BUSY_MS 10000

/* Statements kept prepared: every distinct SQL text of the
 * store's files fits. */
#define STORE_CACHE_SIZE 80

struct store {
	sqlite3 *db;
	int lock_fd;            /* flock()ed "<path>.lock" of a sender, or -1 */
	bool sync_full;         /* PRAGMA synchronous is FULL (else NORMAL) */
	char err[256];
	struct store_cached {   /* prepared statements, by their SQL text */
		const char *sql;        /* a string literal: compared by address */
		sqlite3_stmt *st;
		bool used;              /* handed out, not yet released */
	} cache[STORE_CACHE_SIZE];
	size_t n_cache;
};


/* Record "what: sqlite's reason" (or strerror(-r)) in db's message and
 * return the errno-style code. */
int store_fail(struct store *db, int rc, const char *what);
int store_fail_errno(struct store *db, int r, const char *what);
/* sqlite3_exec() of a constant sql. */
int store_exec(struct store *db, const char *sql, const char *what);
/*
 * Prepare sql (a string literal: cached by address) and bind the arguments
 * described by fmt: 't' const char * (NULL binds NULL), 'i' int, 'I'
 * int64_t, 'b' const void * + size_t.  Returns 0 and *ret (give it back
 * with store_stmt_release()), or a negative code (statement released).
 */
int store_prepare(struct store *db, sqlite3_stmt **ret, const char *sql,
                  const char *fmt, ...);
void store_stmt_release(struct store *db, sqlite3_stmt *st);
/* Run a statement that returns no rows and release it. */
int store_run(struct store *db, sqlite3_stmt *st, const char *what);
/* PRAGMA synchronous FULL or NORMAL (see store.c), when not already so. */
int store_set_sync(struct store *db, bool full);
/* Copy text column i (NULL stays NULL).  -ENOMEM on allocation failure. */
int store_col_text(sqlite3_stmt *st, int i, char **ret);

/* Read every row of sql (no parameters) into the growing array *items of
 * *n elem-byte items, each filled by row(); what names the table in errors.
 * On failure the items read so far stay in *items for the caller to free. */
int store_read_rows(struct store *db, const char *sql, const char *what, void **items,
                    size_t *n, size_t elem, int (*row)(sqlite3_stmt *st, void *item));
/* The same for a prepared statement with its parameters bound (st is
 * released).  *n items already in *items are kept (their capacity is *n). */
int store_read_stmt(struct store *db, sqlite3_stmt *st, const char *what, void **items,
                    size_t *n, size_t elem, int (*row)(sqlite3_stmt *st, void *item));

/* store-inbox.c: the active topics for store_read_state(), by meeting,
 * position. */
int store_read_topics(struct store *db, struct store_topic **ret, size_t *ret_n);

#endif
