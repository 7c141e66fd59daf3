/* SPDX-License-Identifier: MIT */
/*
 * store - the SQLite state database.  See store.h.
 *
 * Every statement with data is prepared and bound; the only SQL run with
 * sqlite3_exec() are the constant pragmas and migration scripts below.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

/* How long a writer waits for another process's lock before -EBUSY. */
#define STORE_BUSY_MS 10000

/* Statements kept prepared: every distinct SQL text of this file fits. */
#define STORE_CACHE_SIZE 48

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

/*
 * migrations[v] brings a database from user_version v to v + 1, and sets
 * user_version itself so that the step and its version commit together.
 * Append new steps; never edit a released one.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" message_id TEXT NOT NULL UNIQUE,"
	" recipient TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" uid TEXT,"
	" occurrence TEXT,"
	" message BLOB NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'queued'"
	"  CHECK (status IN ('queued','sending','sent','failed')),"
	" last_answer TEXT,"
	" created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt);"
	"CREATE TABLE sent_objects ("
	" recipient TEXT NOT NULL,"
	" uid TEXT NOT NULL,"
	" name TEXT,"
	" sequence INTEGER NOT NULL,"
	" hash TEXT NOT NULL,"
	" hash_base TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('active','cancelled')),"
	" cancelled TEXT NOT NULL DEFAULT '',"
	" series_id TEXT NOT NULL,"
	" summary TEXT NOT NULL,"
	" location TEXT,"
	" rrule TEXT,"
	" dtstart TEXT NOT NULL,"
	" duration INTEGER NOT NULL,"
	" end_utc INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY (recipient, uid));"
	"CREATE TABLE notices ("
	" kind TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" uid TEXT NOT NULL,"
	" occurrence TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" PRIMARY KEY (kind, recipient, uid, occurrence));"
	"PRAGMA user_version = 1;",
	/* 1 -> 2: the message bytes move to a table of their own.  SQLite
	 * rewrites a whole row (overflow pages included) on every UPDATE, so
	 * with the bytes in `outbox` each claim and each outcome wrote the
	 * whole message again; now they write a row of ~200 bytes.  The old
	 * column stays, always X'' (DROP COLUMN needs SQLite 3.35). */
	"CREATE TABLE outbox_body ("
	" id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,"
	" message BLOB NOT NULL);"
	"INSERT INTO outbox_body (id, message) SELECT id, message FROM outbox"
	" WHERE length(message) > 0;"
	"UPDATE outbox SET message = X'' WHERE length(message) > 0;"
	"PRAGMA user_version = 2;",
	/* 2 -> 3: only queued entries are indexed by due time.  With
	 * (status, next_attempt) every claim and every outcome moved an index
	 * entry (a delete and an insert); now a claim only deletes one and an
	 * outcome touches none (a retry inserts one).  The claim reads the
	 * same order: next_attempt, then id (the rowid the index holds). */
	"DROP INDEX outbox_due;"
	"CREATE INDEX outbox_queued ON outbox(next_attempt) WHERE status = 'queued';"
	"PRAGMA user_version = 3;",
	/* 3 -> 4 (issue 12): the moved occurrences sent as REQUESTs of their
	 * own (sent_occurrences: no longer read nor written since moved
	 * meetings are objects of their own, see plan.h), and the versions of
	 * each object as published, so that the meetings before a change keep
	 * what they were. */
	"CREATE TABLE sent_occurrences ("
	" recipient TEXT NOT NULL,"
	" uid TEXT NOT NULL,"
	" recurrence_id TEXT NOT NULL,"
	" sequence INTEGER NOT NULL,"
	" hash TEXT NOT NULL,"
	" active INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY (recipient, uid, recurrence_id));"
	"CREATE TABLE object_versions ("
	" uid TEXT NOT NULL,"
	" valid_from INTEGER NOT NULL,"
	" hash TEXT NOT NULL,"
	" summary TEXT NOT NULL,"
	" description TEXT,"
	" location TEXT,"
	" url TEXT,"
	" dtstart TEXT NOT NULL,"
	" duration INTEGER NOT NULL,"
	" PRIMARY KEY (uid, valid_from));"
	"PRAGMA user_version = 4;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

static const char *const status_names[] = {
	[STORE_QUEUED] = "queued",
	[STORE_SENDING] = "sending",
	[STORE_SENT] = "sent",
	[STORE_FAILED] = "failed",
};

const char *store_status_name(enum store_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

const char *store_errmsg(const struct store *db)
{
	return db ? db->err : "no database";
}

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* Record "what: sqlite's reason" and return the errno-style code of rc. */
static int fail(struct store *db, int rc, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what,
	         db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
	return map_rc(rc) ? map_rc(rc) : -EIO;
}

static int fail_errno(struct store *db, int r, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what, strerror(-r));
	return r;
}

static int exec(struct store *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(db, rc, what);
}

/*
 * Statements are prepared once per connection and reused: parsing the SQL
 * again for every message took a fifth of the time of planning and sending
 * 10,000 mails.  A statement in use (a nested use of the same SQL) gets a
 * fresh one that is finalized when released.
 */
static int stmt_get(struct store *db, const char *sql, sqlite3_stmt **ret)
{
	struct store_cached *c = NULL;
	int rc;

	for (size_t i = 0; i < db->n_cache; i++)
		if (db->cache[i].sql == sql && !db->cache[i].used)
			c = &db->cache[i];
	if (c) {
		c->used = true;
		*ret = c->st;
		return SQLITE_OK;
	}
	rc = sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, ret, NULL);
	if (rc == SQLITE_OK && db->n_cache < STORE_CACHE_SIZE)
		db->cache[db->n_cache++] = (struct store_cached){ sql, *ret, true };
	return rc;
}

/* Give a statement back: reset for its next use (bindings cleared, as
 * they point at the caller's memory), or finalized when not cached. */
static void stmt_release(struct store *db, sqlite3_stmt *st)
{
	for (size_t i = 0; i < db->n_cache; i++)
		if (db->cache[i].st == st) {
			(void)sqlite3_reset(st);
			(void)sqlite3_clear_bindings(st);
			db->cache[i].used = false;
			return;
		}
	sqlite3_finalize(st);
}

/*
 * Prepare sql (a string literal) and bind the arguments described by fmt:
 * 't' const char * (NULL binds NULL), 'i' int, 'I' int64_t, 'b' const void
 * * + size_t.  Returns 0 and *ret (give it back with stmt_release()), or a
 * negative code (statement released).
 */
static int prepare(struct store *db, sqlite3_stmt **ret, const char *sql,
                   const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc = stmt_get(db, sql, &st);

	if (rc != SQLITE_OK)
		return fail(db, rc, "prepare");
	va_start(ap, fmt);
	for (int i = 1; rc == SQLITE_OK && fmt[i - 1]; i++) {
		switch (fmt[i - 1]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = n > (size_t)0x7fffffff ? SQLITE_TOOBIG
			     : sqlite3_bind_blob(st, i, p ? p : "", (int)n, SQLITE_STATIC);
			break;
		}
		default:
			rc = SQLITE_MISUSE;
		}
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		int r = fail(db, rc, "bind");
		stmt_release(db, st);
		return r;
	}
	*ret = st;
	return 0;
}

/* Run a statement that returns no rows and finalize it. */
static int run(struct store *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? 0 : fail(db, rc, what);

	stmt_release(db, st);
	return r;
}

/* Copy text column i (NULL stays NULL).  -ENOMEM on allocation failure. */
static int col_text(sqlite3_stmt *st, int i, char **ret)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	*ret = NULL;
	if (!s)
		return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? -ENOMEM : 0;
	*ret = strdup((const char *)s);
	return *ret ? 0 : -ENOMEM;
}

/* "YYYY-MM-DDTHH:MM"; the buffer has room for any int values */
static void format_local(const struct gr_localtime *lt, char buf[64])
{
	snprintf(buf, 64, "%04d-%02d-%02dT%02d:%02d", lt->year, lt->month, lt->day,
	         lt->hour, lt->minute);
}

/* ---- open, migrate, close ---- */

int store_schema_version(struct store *db, int *ret)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st, "PRAGMA user_version", "");

	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int(st, 0);
	else
		r = fail(db, rc, "read schema version");
	stmt_release(db, st);
	return r;
}

/* Bring the schema up to date, one committed step per version, so that a
 * crash during a migration leaves a database at a well-defined version. */
static int migrate(struct store *db)
{
	int v, r = store_schema_version(db, &v);

	if (r < 0)
		return r;
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(db->err, sizeof(db->err),
		         "schema version %d is newer than this gremiumd knows (%d)",
		         v, STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		r = exec(db, "BEGIN IMMEDIATE", "begin migration");
		if (r < 0)
			return r;
		r = exec(db, migrations[v], "migrate schema");
		if (r == 0)
			r = exec(db, "COMMIT", "commit migration");
		if (r < 0) {
			(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
	}
	return 0;
}

static int configure(struct store *db)
{
	int rc = sqlite3_busy_timeout(db->db, STORE_BUSY_MS);
	int r;

	if (rc != SQLITE_OK)
		return fail(db, rc, "busy_timeout");
	/* WAL lets `gremiumctl status` read while the daemon writes;
	 * synchronous=FULL because an enqueued mail must survive power loss */
	r = exec(db, "PRAGMA journal_mode = WAL", "journal_mode");
	/* a checkpoint copies every page changed since the last one back into
	 * the database; sending rewrites the same outbox pages again and
	 * again, so one every 32 MiB of log (default 4) writes each of them
	 * back less often: 3-5 % off sending 10,000 mails */
	if (r == 0)
		r = exec(db, "PRAGMA wal_autocheckpoint = 8192", "wal_autocheckpoint");
	if (r == 0)
		r = exec(db, "PRAGMA synchronous = FULL", "synchronous");
	db->sync_full = r == 0;
	if (r == 0)
		r = exec(db, "PRAGMA foreign_keys = ON", "foreign_keys");
	return r;
}

/* A crash between claim and outcome leaves entries in `sending`: send them
 * again (at-least-once; the stable Message-ID lets receivers dedupe). */
static int recover_sending(struct store *db)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
	                "UPDATE outbox SET status = 'queued' WHERE status = 'sending'", "");

	return r < 0 ? r : run(db, st, "recover sending entries");
}

/*
 * state.db holds every address and every full mail: the database, its
 * -wal and -shm and the lock are 0600 whatever the umask (issue 13.8:
 * created 0644 under umask 022).  SQLite creates -wal and -shm with the
 * database's mode, so the database is created here first, 0600; a file an
 * older version left wider is narrowed.  Side files are only narrowed,
 * never created (SQLite makes them when it needs them).
 */
static int narrow_mode(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) < 0)
		return -errno;
	return 0;
}

static int make_private(struct store *db, const char *path, const char *suffix, bool create)
{
	char *p = util_asprintf("%s%s", path, suffix);
	int fd, r;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		r = !create && errno == ENOENT ? 0 : -errno;
	else
		r = narrow_mode(fd);
	if (fd >= 0)
		(void)close(fd);
	if (r < 0)
		snprintf(db->err, sizeof(db->err), "%s: %s", p,
		         r == -EINVAL ? "not a regular file" : strerror(-r));
	free(p);
	return r;
}

/*
 * One sender per database: an exclusive flock() on "<path>.lock", held
 * while the store is open.  A second daemon or a run-once next to a running
 * daemon would otherwise both claim and send (SQLite's own locks only
 * serialize the claims, not the SMTP sessions between them).
 */
static int lock_sender(struct store *db, const char *path)
{
	char *lock = util_asprintf("%s.lock", path);
	int r = 0;

	if (!lock)
		return -ENOMEM;
	db->lock_fd = open(lock, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600);
	if (db->lock_fd < 0 || (r = narrow_mode(db->lock_fd)) < 0) {
		r = r < 0 ? r : -errno;
		snprintf(db->err, sizeof(db->err), "cannot open %s: %s", lock,
		         r == -EINVAL ? "not a regular file" : strerror(-r));
	} else if (flock(db->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(db->err, sizeof(db->err), "%s",
		         r == -EBUSY ? "another gremiumd or run-once is sending from this database"
		                     : strerror(-r));
	}
	free(lock);
	return r;
}

/* Create the folder of path (mode 0700) when it is missing. */
static int make_parent(struct store *db, const char *path)
{
	int r = util_mkdir_parent(path, 0700);

	if (r < 0)
		snprintf(db->err, sizeof(db->err), "cannot create the folder of %s: %s", path,
		         strerror(-r));
	return r;
}

int store_open(const char *path, unsigned flags, struct store **ret, char *err,
               size_t errlen)
{
	struct store *db = calloc(1, sizeof(*db));
	int r;

	if (!db) {
		if (err)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	db->lock_fd = -1;
	r = make_parent(db, path);
	for (size_t i = 0; r == 0 && i < 3; i++)
		r = make_private(db, path, (const char *const[]){ "", "-wal", "-shm" }[i], i == 0);
	if (r == 0 && (flags & STORE_OPEN_SENDER))
		r = lock_sender(db, path);
	if (r < 0) {
		if (err)
			snprintf(err, errlen, "%s: %s", path, db->err);
		store_close(db);
		return r;
	}
	int rc = sqlite3_open_v2(path, &db->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	r = rc == SQLITE_OK ? 0 : fail(db, rc, "open");
	if (r == 0)
		r = configure(db);
	if (r == 0)
		r = migrate(db);
	if (r == 0 && (flags & STORE_OPEN_SENDER))
		r = recover_sending(db);
	if (r < 0) {
		if (err)
			snprintf(err, errlen, "%s: %s", path, db->err);
		store_close(db);
		return r;
	}
	*ret = db;
	return 0;
}

void store_close(struct store *db)
{
	if (!db)
		return;
	if (db->db && !sqlite3_get_autocommit(db->db))
		(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	for (size_t i = 0; i < db->n_cache; i++)
		sqlite3_finalize(db->cache[i].st);
	/* close_v2 never fails for lack of finalized statements: every other
	 * statement is finalized where it is used */
	(void)sqlite3_close_v2(db->db);
	if (db->lock_fd >= 0)
		close(db->lock_fd); /* releases the flock */
	free(db);
}

/* ---- transactions ---- */

/*
 * How durable a commit is.  FULL (fsync of the WAL at each commit) for
 * everything that records what was planned: an enqueued mail must survive a
 * power loss.  NORMAL for the outbox's state changes (claim, sent, retry,
 * failed): in WAL mode such a commit survives a crash of the process (kill
 * -9), it only may be lost with a power loss, and then an entry is merely
 * sent again (at-least-once, same Message-ID).  An fsync per state change
 * would otherwise cap delivery at a few hundred mails a second.  The next
 * FULL commit makes the NORMAL ones before it durable too.
 */
static int set_sync(struct store *db, bool full)
{
	int r;

	if (db->sync_full == full)
		return 0;
	r = exec(db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	         "synchronous");
	if (r == 0)
		db->sync_full = full;
	return r;
}

int store_begin(struct store *db)
{
	int r = set_sync(db, true);

	return r < 0 ? r : exec(db, "BEGIN IMMEDIATE", "begin");
}

int store_outbox_begin(struct store *db)
{
	int r = set_sync(db, false);

	return r < 0 ? r : exec(db, "BEGIN IMMEDIATE", "begin");
}

int store_commit(struct store *db)
{
	return exec(db, "COMMIT", "commit");
}

int store_rollback(struct store *db)
{
	return exec(db, "ROLLBACK", "rollback");
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

	r = r ? r : col_text(st, 0, &o->recipient);
	r = r ? r : col_text(st, 1, &o->uid);
	r = r ? r : col_text(st, 2, &o->name);
	r = r ? r : col_text(st, 8, &o->series_id);
	r = r ? r : col_text(st, 9, &o->summary);
	r = r ? r : col_text(st, 10, &o->location);
	r = r ? r : col_text(st, 11, &o->rrule);
	r = r ? r : col_text(st, 14, &o->cancelled);
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

/* Read every row of sql (no parameters) into a growing array of elem-byte
 * items with row(); what names the table in errors. */
static int read_rows(struct store *db, const char *sql, const char *what, void **items,
                     size_t *n, size_t elem, int (*row)(sqlite3_stmt *st, void *item))
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = SQLITE_DONE, r = prepare(db, &st, sql, "");

	if (r < 0)
		return r;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = util_grow(items, *n, &cap, elem);
		if (r == 0)
			r = row(st, (char *)*items + (*n)++ * elem);
		if (r < 0)
			r = fail_errno(db, r, what);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(db, rc, what);
	stmt_release(db, st);
	return r;
}

static int read_objects(struct store *db, struct store_state *s)
{
	return read_rows(db, "SELECT recipient, uid, name, sequence, hash, hash_base, state,"
	                 " dtstart, series_id, summary, location, rrule, duration, end_utc,"
	                 " cancelled FROM sent_objects ORDER BY recipient, uid",
	                 "read sent_objects", (void **)&s->objects, &s->n_objects,
	                 sizeof(*s->objects), row_object);
}

static int read_notices(struct store *db, struct store_state *s)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = SQLITE_DONE, r = prepare(db, &st,
	                    "SELECT kind, recipient, uid, occurrence FROM notices"
	                    " ORDER BY kind, recipient, uid, occurrence", "");

	if (r < 0)
		return r;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = util_grow((void **)&s->notices, s->n_notices, &cap, sizeof(*s->notices));
		if (r == 0) {
			struct store_notice *n = &s->notices[s->n_notices++];
			r = r ? r : col_text(st, 0, &n->kind);
			r = r ? r : col_text(st, 1, &n->recipient);
			r = r ? r : col_text(st, 2, &n->uid);
			r = r ? r : col_text(st, 3, &n->occurrence);
		}
		if (r < 0)
			r = fail_errno(db, r, "read notices");
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(db, rc, "read notices");
	stmt_release(db, st);
	return r;
}

static int row_version(sqlite3_stmt *st, void *item)
{
	struct store_version *v = item;
	const unsigned char *dt;
	int r = col_text(st, 0, &v->uid);

	r = r ? r : col_text(st, 3, &v->summary);
	r = r ? r : col_text(st, 4, &v->description);
	r = r ? r : col_text(st, 5, &v->location);
	r = r ? r : col_text(st, 6, &v->url);
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
	return read_rows(db, "SELECT uid, valid_from, hash, summary, description, location, url,"
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
	r = prepare(db, &st,
	            "INSERT OR REPLACE INTO sent_objects (recipient, uid, name, sequence,"
	            " hash, hash_base, state, series_id, summary, location, rrule, dtstart,"
	            " duration, end_utc, updated, cancelled)"
	            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	            "tttittttttttiIIt", o->recipient, o->uid, o->name, o->sequence,
	            o->hash, o->hash_base, o->active ? "active" : "cancelled",
	            o->series_id, o->summary ? o->summary : "", o->location, o->rrule, dt,
	            o->duration, (int64_t)o->end_utc, (int64_t)now,
	            o->cancelled ? o->cancelled : "");
	return r < 0 ? r : run(db, st, "record sent object");
}

/* A version is recorded once: a later plan with the same content (or two
 * planners racing) keeps the first valid_from. */
static int put_version(struct store *db, const struct store_version *v)
{
	sqlite3_stmt *st;
	char dt[64];
	int r;

	format_local(&v->dtstart, dt);
	r = prepare(db, &st,
	            "INSERT OR IGNORE INTO object_versions (uid, valid_from, hash, summary,"
	            " description, location, url, dtstart, duration)"
	            " SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9 WHERE NOT EXISTS (SELECT 1 FROM"
	            " object_versions WHERE uid = ?1 AND valid_from = (SELECT max(valid_from)"
	            " FROM object_versions WHERE uid = ?1) AND hash = ?3)",
	            "tItttttti", v->uid, (int64_t)v->valid_from, v->hash,
	            v->summary ? v->summary : "", v->description, v->location, v->url, dt,
	            v->duration);
	return r < 0 ? r : run(db, st, "record object version");
}

/* Insert a notice; *ret_new tells whether it was not recorded before. */
static int put_notice(struct store *db, const struct store_notice *n, time_t now,
                      bool *ret_new)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
	                "INSERT OR IGNORE INTO notices (kind, recipient, uid, occurrence, created)"
	                " VALUES (?,?,?,?,?)",
	                "ttttI", n->kind, n->recipient, n->uid, n->occurrence, (int64_t)now);

	if (r < 0)
		return r;
	r = run(db, st, "record notice");
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
	int r = prepare(db, &st,
	                "INSERT INTO outbox (message_id, recipient, kind, uid, occurrence,"
	                " message, next_attempt, created, updated)"
	                " VALUES (?,?,?,?,?,X'',?,?,?) ON CONFLICT(message_id) DO NOTHING",
	                "tttttIII", c->message_id, c->recipient, c->kind, c->uid,
	                c->occurrence, (int64_t)c->due, (int64_t)now, (int64_t)now);

	if (r == 0)
		r = run(db, st, "enqueue message");
	if (r == 0)
		*ret_new = sqlite3_changes(db->db) > 0;
	return r;
}

/* Drop the unrenderable entry of message_id, if there is one; *ret_gone
 * tells whether there was. */
static int drop_unrenderable(struct store *db, const char *message_id, bool *ret_gone)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
	                "DELETE FROM outbox WHERE message_id = ? AND status = 'failed'"
	                " AND attempts = 0", "t", message_id);

	if (r == 0)
		r = run(db, st, "enqueue message");
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
	r = prepare(db, &st, "INSERT INTO outbox_body (id, message) VALUES (?,?)", "Ib",
	            (int64_t)sqlite3_last_insert_rowid(db->db), c->message, c->message_len);
	return r < 0 ? r : run(db, st, "enqueue message");
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
	r = prepare(db, &st,
	            "INSERT INTO outbox (message_id, recipient, kind, uid, occurrence,"
	            " message, next_attempt, status, last_answer, created, updated)"
	            " VALUES (?,?,?,?,?,X'',?,'failed',?,?,?) ON CONFLICT(message_id)"
	            " DO UPDATE SET last_answer = excluded.last_answer,"
	            " updated = excluded.updated WHERE status = 'failed' AND attempts = 0"
	            " AND last_answer IS NOT excluded.last_answer",
	            "tttttItII", c->message_id, c->recipient, c->kind, c->uid,
	            c->occurrence, (int64_t)c->due, reason, (int64_t)now, (int64_t)now);
	if (r == 0)
		r = run(db, st, "record a failure");
	if (r == 0)
		*ret_new = sqlite3_changes(db->db) > 0;
	return r;
}

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
	r = r ? r : col_text(st, 1, &e->message_id);
	r = r ? r : col_text(st, 2, &e->recipient);
	r = r ? r : col_text(st, 3, &e->kind);
	r = r ? r : col_text(st, 4, &e->uid);
	r = r ? r : col_text(st, 5, &e->occurrence);
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
	int rc = SQLITE_DONE, r = prepare(db, &st,
	                    "SELECT o.id, message_id, recipient, kind, uid, occurrence,"
	                    " coalesce(b.message, X''), attempts, created FROM outbox o"
	                    " LEFT JOIN outbox_body b ON b.id = o.id"
	                    " WHERE status = 'queued' AND next_attempt <= ?"
	                    " ORDER BY next_attempt, o.id LIMIT ?", "II", (int64_t)now, (int64_t)max);

	if (r < 0)
		return r;
	while (r == 0 && n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret[n] = (struct store_entry){ 0 };
		if (row_entry(st, &ret[n]) < 0) {
			store_entry_free(&ret[n]);
			r = fail_errno(db, -ENOMEM, "claim");
		} else {
			n++;
		}
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = fail(db, rc, "claim");
	stmt_release(db, st);
	if (r == 0 && n == 0)
		r = -ENOENT;
	if (r == 0)
		r = prepare(db, &st,
		            "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
		            " updated = ? WHERE id IN (SELECT id FROM outbox"
		            " WHERE status = 'queued' AND next_attempt <= ?"
		            " ORDER BY next_attempt, id LIMIT ?)",
		            "III", (int64_t)now, (int64_t)now, (int64_t)n);
	if (r == 0)
		r = run(db, st, "claim");
	if (r == 0 && sqlite3_changes(db->db) != (int)n)
		r = fail_errno(db, -EIO, "claim: the entries changed under the claim");
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
	int r = own ? set_sync(db, false) : 0;

	*ret_n = 0;
	if (max == 0)
		return -ENOENT;
	if (r == 0 && own)
		r = exec(db, "BEGIN IMMEDIATE", "begin");
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
	int r = prepare(db, &st,
	                "DELETE FROM outbox_body WHERE id IN"
	                " (SELECT id FROM outbox WHERE status = 'sent' AND updated < ?)",
	                "I", (int64_t)before);

	(void)now;
	return r < 0 ? r : run(db, st, "prune outbox");
}

int store_outbox_next_due(struct store *db, time_t *ret)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
	                "SELECT min(next_attempt) FROM outbox WHERE status = 'queued'", "");

	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		r = fail(db, rc, "next due");
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		r = -ENOENT;
	else
		*ret = (time_t)sqlite3_column_int64(st, 0);
	stmt_release(db, st);
	return r;
}

int store_outbox_due_count(struct store *db, time_t now, long *ret)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
	                "SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt <= ?",
	                "I", (int64_t)now);

	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = (long)sqlite3_column_int64(st, 0);
	else
		r = fail(db, rc, "count due entries");
	stmt_release(db, st);
	return r;
}

/* Change a `sending` entry; -ESTALE when it is not (or no longer) sending. */
static int finish(struct store *db, sqlite3_stmt *st, int64_t id)
{
	int r = sqlite3_get_autocommit(db->db) ? set_sync(db, false) : 0;

	if (r < 0) {
		stmt_release(db, st);
		return r;
	}
	r = run(db, st, "update outbox entry");

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
	int r = prepare(db, &st,
	                "UPDATE outbox SET status = 'sent', updated = ?"
	                " WHERE id = ? AND status = 'sending'", "II", (int64_t)now, id);

	return r < 0 ? r : finish(db, st, id);
}

int store_outbox_retry(struct store *db, int64_t id, time_t next_attempt,
                       const char *answer, time_t now)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
	                "UPDATE outbox SET status = 'queued', next_attempt = ?,"
	                " last_answer = ?, updated = ? WHERE id = ? AND status = 'sending'",
	                "ItII", (int64_t)next_attempt, answer, (int64_t)now, id);

	return r < 0 ? r : finish(db, st, id);
}

int store_outbox_failed(struct store *db, int64_t id, const char *answer, time_t now)
{
	sqlite3_stmt *st;
	int r = prepare(db, &st,
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
	int rc = SQLITE_DONE, r = prepare(db, &st,
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
		r = fail(db, rc, "count outbox");
	stmt_release(db, st);
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

int store_failures(struct store *db, struct store_failure **ret, size_t *ret_n)
{
	struct store_failure *f = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, r = prepare(db, &st,
	                    "SELECT recipient, kind, occurrence, last_answer FROM outbox"
	                    " WHERE status = 'failed' ORDER BY updated, id", "");

	if (r < 0)
		return r;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = util_grow((void **)&f, n, &cap, sizeof(*f));
		if (r == 0) {
			struct store_failure *x = &f[n++];
			r = r ? r : col_text(st, 0, &x->recipient);
			r = r ? r : col_text(st, 1, &x->kind);
			r = r ? r : col_text(st, 2, &x->occurrence);
			r = r ? r : col_text(st, 3, &x->answer);
		}
		if (r < 0)
			r = fail_errno(db, r, "list failures");
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(db, rc, "list failures");
	stmt_release(db, st);
	if (r < 0) {
		store_failures_free(f, n);
		return r;
	}
	*ret = f;
	*ret_n = n;
	return 0;
}
