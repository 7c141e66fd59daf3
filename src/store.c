/* SPDX-License-Identifier: MIT */
/*
 * store - the SQLite state database.  See store.h; the module is three
 * files (store-internal.h lists them).  This one: the schema and its
 * migrations, the statement helpers the other files share, open, close
 * and transactions.
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

#include "store-internal.h"
#include "util.h"


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
	/* 4 -> 5 (issue 15): every message received (inbox) and the members'
	 * topics of each meeting.  class is not CHECKed: issue 16 adds
	 * classes, and SQLite cannot change a CHECK without copying the table.
	 * Positions are dense 1..n among a meeting's active topics (kept so by
	 * store-inbox.c, no UNIQUE index: SQLite checks one per row during an
	 * UPDATE that shifts them); a withdrawn topic has position 0.
	 * meta.changes counts every write to inbox or topics (the triggers
	 * bump it, whoever writes): the daemon reads it to notice that
	 * gremiumctl changed something. */
	"CREATE TABLE inbox ("
	" id INTEGER PRIMARY KEY,"
	" source_id TEXT NOT NULL UNIQUE,"
	" message_id TEXT,"
	" sender TEXT,"
	" subject TEXT,"
	" received INTEGER NOT NULL,"
	" class TEXT NOT NULL,"
	" outcome TEXT NOT NULL DEFAULT '',"
	" text TEXT,"
	" held INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX inbox_message_id ON inbox(message_id) WHERE message_id IS NOT NULL;"
	"CREATE INDEX inbox_held ON inbox(id) WHERE held;"
	"CREATE TABLE topics ("
	" id INTEGER PRIMARY KEY,"
	" uid TEXT NOT NULL,"
	" meeting TEXT NOT NULL,"
	" series TEXT NOT NULL,"
	" position INTEGER NOT NULL,"
	" title TEXT NOT NULL,"
	" text TEXT,"
	" member TEXT,"
	" name TEXT,"
	" organisation TEXT,"
	" received INTEGER NOT NULL,"
	" source TEXT NOT NULL CHECK (source IN ('mail','chair')),"
	" state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','withdrawn')),"
	" inbox_id INTEGER REFERENCES inbox(id));"
	"CREATE INDEX topics_meeting ON topics(meeting, position);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('changes', 0);"
	"CREATE TRIGGER inbox_ins AFTER INSERT ON inbox BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER inbox_upd AFTER UPDATE ON inbox BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER inbox_del AFTER DELETE ON inbox BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER topics_ins AFTER INSERT ON topics BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER topics_upd AFTER UPDATE ON topics BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER topics_del AFTER DELETE ON topics BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"PRAGMA user_version = 5;",
	/* 5 -> 6 (issue 16): the members' answers to invitations (iMIP
	 * REPLY), the latest one per member, object and occurrence
	 * (occurrence '' = the whole series/object).  answer is not CHECKed
	 * for the same reason as inbox.class.  Writes bump meta.changes like
	 * the inbox's, so the daemon re-plans (chair's report, reminders). */
	"CREATE TABLE answers ("
	" member TEXT NOT NULL,"
	" uid TEXT NOT NULL,"
	" occurrence TEXT NOT NULL DEFAULT '',"
	" answer TEXT NOT NULL,"
	" deputy TEXT,"
	" comment TEXT,"
	" dtstamp INTEGER NOT NULL,"
	" received INTEGER NOT NULL,"
	" inbox_id INTEGER REFERENCES inbox(id),"
	" PRIMARY KEY (member, uid, occurrence));"
	"CREATE TRIGGER answers_ins AFTER INSERT ON answers BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER answers_upd AFTER UPDATE ON answers BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"CREATE TRIGGER answers_del AFTER DELETE ON answers BEGIN"
	" UPDATE meta SET value = value + 1 WHERE key = 'changes'; END;"
	"PRAGMA user_version = 6;",
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
int store_fail(struct store *db, int rc, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what,
	         db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
	return map_rc(rc) ? map_rc(rc) : -EIO;
}

int store_fail_errno(struct store *db, int r, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what, strerror(-r));
	return r;
}

int store_exec(struct store *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(db, rc, what);
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
void store_stmt_release(struct store *db, sqlite3_stmt *st)
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
 * * + size_t.  Returns 0 and *ret (give it back with
 * store_stmt_release()), or a negative code (statement released).
 */
int store_prepare(struct store *db, sqlite3_stmt **ret, const char *sql,
                  const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc = stmt_get(db, sql, &st);

	if (rc != SQLITE_OK)
		return store_fail(db, rc, "prepare");
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
		int r = store_fail(db, rc, "bind");
		store_stmt_release(db, st);
		return r;
	}
	*ret = st;
	return 0;
}

/* Run a statement that returns no rows and finalize it. */
int store_run(struct store *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? 0 : store_fail(db, rc, what);

	store_stmt_release(db, st);
	return r;
}

/* Copy text column i (NULL stays NULL).  -ENOMEM on allocation failure. */
int store_col_text(sqlite3_stmt *st, int i, char **ret)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	*ret = NULL;
	if (!s)
		return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? -ENOMEM : 0;
	*ret = strdup((const char *)s);
	return *ret ? 0 : -ENOMEM;
}


/* ---- open, migrate, close ---- */

int store_schema_version(struct store *db, int *ret)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, "PRAGMA user_version", "");

	if (r < 0)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int(st, 0);
	else
		r = store_fail(db, rc, "read schema version");
	store_stmt_release(db, st);
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
		r = store_exec(db, "BEGIN IMMEDIATE", "begin migration");
		if (r < 0)
			return r;
		r = store_exec(db, migrations[v], "migrate schema");
		if (r == 0)
			r = store_exec(db, "COMMIT", "commit migration");
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
		return store_fail(db, rc, "busy_timeout");
	/* WAL lets `gremiumctl status` read while the daemon writes;
	 * synchronous=FULL because an enqueued mail must survive power loss */
	r = store_exec(db, "PRAGMA journal_mode = WAL", "journal_mode");
	/* a checkpoint copies every page changed since the last one back into
	 * the database; sending rewrites the same outbox pages again and
	 * again, so one every 32 MiB of log (default 4) writes each of them
	 * back less often: 3-5 % off sending 10,000 mails */
	if (r == 0)
		r = store_exec(db, "PRAGMA wal_autocheckpoint = 8192", "wal_autocheckpoint");
	if (r == 0)
		r = store_exec(db, "PRAGMA synchronous = FULL", "synchronous");
	db->sync_full = r == 0;
	if (r == 0)
		r = store_exec(db, "PRAGMA foreign_keys = ON", "foreign_keys");
	return r;
}

/* A crash between claim and outcome leaves entries in `sending`: send them
 * again (at-least-once; the stable Message-ID lets receivers dedupe). */
static int recover_sending(struct store *db)
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st,
	                      "UPDATE outbox SET status = 'queued' WHERE status = 'sending'", "");

	return r < 0 ? r : store_run(db, st, "recover sending entries");
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
	r = rc == SQLITE_OK ? 0 : store_fail(db, rc, "open");
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
int store_set_sync(struct store *db, bool full)
{
	int r;

	if (db->sync_full == full)
		return 0;
	r = store_exec(db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	               "synchronous");
	if (r == 0)
		db->sync_full = full;
	return r;
}

int store_begin(struct store *db)
{
	int r = store_set_sync(db, true);

	return r < 0 ? r : store_exec(db, "BEGIN IMMEDIATE", "begin");
}

int store_outbox_begin(struct store *db)
{
	int r = store_set_sync(db, false);

	return r < 0 ? r : store_exec(db, "BEGIN IMMEDIATE", "begin");
}

int store_commit(struct store *db)
{
	return store_exec(db, "COMMIT", "commit");
}

int store_rollback(struct store *db)
{
	return store_exec(db, "ROLLBACK", "rollback");
}

/* store-internal.h: the one loop that reads a table into an array. */
int store_read_rows(struct store *db, const char *sql, const char *what, void **items,
                    size_t *n, size_t elem, int (*row)(sqlite3_stmt *st, void *item))
{
	sqlite3_stmt *st;
	int r = store_prepare(db, &st, sql, "");

	return r < 0 ? r : store_read_stmt(db, st, what, items, n, elem, row);
}

int store_read_stmt(struct store *db, sqlite3_stmt *st, const char *what, void **items,
                    size_t *n, size_t elem, int (*row)(sqlite3_stmt *st, void *item))
{
	size_t cap = *n;
	int rc = SQLITE_DONE, r = 0;

	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = util_grow(items, *n, &cap, elem);
		if (r == 0)
			r = row(st, (char *)*items + (*n)++ * elem);
		if (r < 0)
			r = store_fail_errno(db, r, what);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(db, rc, what);
	store_stmt_release(db, st);
	return r;
}
