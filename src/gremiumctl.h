/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl's subcommands, one file each (gremiumctl-VERB.c), dispatched
 * from the table in gremiumctl.c.  Each gets the loaded config and its own
 * argv (argv[0] is the command name) and returns an exit code (sysexits.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "schedule.h"

struct store;
struct tmpl_set;

struct ctl {
	const char *config_path;
	struct gr_config *cfg;  /* loaded before the command runs */
};

/*
 * One error line on stderr (a newline is added), with the priority prefix
 * "<3>" when stderr is the journal (util_stderr_is_journal()): run as the
 * unit's ExecStartPre, `check` problems then show in `journalctl -p err`.
 */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Open the existing state database of ctl->cfg for reading, for commands
 * that only read it (status, preview).  A missing or unreadable database
 * is an error naming the path and the cause, never an empty state: returns
 * 0 and *ret, or EX_NOINPUT (missing, or not a database we can open),
 * EX_NOPERM (permission denied), after a line "gremiumctl: CMD: ...".
 */
int ctl_open_state(const struct ctl *ctl, const char *cmd, struct store **ret);

/*
 * --now YYYY-MM-DDTHH:MM (committee local time) of command cmd into *ret:
 * 0, or EX_USAGE after a line on stderr.
 */
int ctl_parse_now(const struct gr_config *cfg, const char *cmd, const char *arg, time_t *ret);

/*
 * One pass over the committee's mailbox into db at now (fetch, run-once):
 * a line per message on stdout, problems on stderr, then the counts.
 * Returns 0, EX_UNAVAILABLE (the mailbox: the reason on stderr) or
 * EX_IOERR (the state database).
 */
int ctl_fetch(const struct ctl *ctl, const char *cmd, const struct tmpl_set *tmpl,
              struct store *db, time_t now);

int cmd_check(struct ctl *ctl, int argc, char **argv);
int cmd_preview(struct ctl *ctl, int argc, char **argv);
int cmd_ics(struct ctl *ctl, int argc, char **argv);
int cmd_send_test(struct ctl *ctl, int argc, char **argv);
int cmd_run_once(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_fetch(struct ctl *ctl, int argc, char **argv);
int cmd_attendance(struct ctl *ctl, int argc, char **argv);
int cmd_topics(struct ctl *ctl, int argc, char **argv);
int cmd_topic(struct ctl *ctl, int argc, char **argv);
int cmd_inbox(struct ctl *ctl, int argc, char **argv);

/*
 * ---- shared by the commands (gremiumctl-meeting.c) ----
 * Functions returning int give 0 or a sysexits code after one error line
 * "gremiumctl: CMD: ...".
 */

/* s padded with spaces to width code points, then two spaces, to stdout;
 * control characters shown as '?'. */
void ctl_print_padded(const char *s, size_t width);
/* s to stdout, control characters shown as '?'. */
void ctl_print_text(const char *s);
/* Code points of the UTF-8 string s. */
size_t ctl_width(const char *s);

/* "YYYY-MM-DDTHH:MM" (WHEN, a meeting's local start) of lt. */
void ctl_when(const struct gr_localtime *lt, char *buf, size_t len);
/* The instant t as "YYYY-MM-DD HH:MM" in the committee's time zone. */
void ctl_local_time(const struct gr_config *cfg, time_t t, char *buf, size_t len);

/* JSON pieces to stdout: the key of an object's member (first: opens the
 * object with "{", else ", "); a member with a string value (NULL: null);
 * one with an instant as an ISO 8601 string with the committee zone's
 * offset. */
void ctl_json_key(bool first, const char *key);
void ctl_json_str(bool first, const char *key, const char *value);
void ctl_json_time(bool first, const char *key, const struct gr_config *cfg, time_t t);
/* Flush stdout: EX_OK, or EX_IOERR after an error line. */
int ctl_output_done(const char *cmd);

/* ctl_open_state() for a command that writes: a database the user may
 * not write is EX_NOPERM (77) before anything is done. */
int ctl_open_state_rw(const struct ctl *ctl, const char *cmd, struct store **ret);
/* A positive id given as s (what: "ID", ...): 0 and *ret, or EX_USAGE. */
int ctl_parse_id(const char *cmd, const char *what, const char *s, int64_t *ret);
/* One error line with store_errmsg(db) for the store's code r; the exit
 * code: EX_DATAERR for what the user named wrongly (no such id, a position
 * out of range, a withdrawn topic), EX_TEMPFAIL when the database stayed
 * locked, EX_NOPERM, else EX_IOERR. */
int ctl_store_error(const char *cmd, struct store *db, int r);

/* The configured member whose email or alias is addr (local part exact,
 * domain in any case), or NULL. */
const struct gr_member *ctl_member(const struct gr_config *cfg, const char *addr);

/* The meetings of the schedule as the topic commands see them. */
struct ctl_meetings {
	time_t now;
	struct sched_list occ;          /* service_occurrences() at now */
	struct gr_published *pub;       /* the UIDs in use (plan_published()) */
	size_t n_pub;
};
int ctl_meetings_load(const struct ctl *ctl, const char *cmd, struct store *db, time_t now,
                      struct ctl_meetings *ret);
void ctl_meetings_free(struct ctl_meetings *m);
/* Does occurrence o take place (confirmed or moved)? */
bool ctl_meeting_happens(const struct gr_occurrence *o);
/* The meeting that takes place at WHEN (its actual local start): 0 and
 * *ret (borrowed from m), or EX_DATAERR with an error that says why (not
 * YYYY-MM-DDTHH:MM, cancelled, skipped, moved) and lists the nearest
 * meetings. */
int ctl_meeting_find(const struct ctl *ctl, const struct ctl_meetings *m, const char *cmd,
                     const char *when, const struct gr_occurrence **ret);
/* The UID occurrence o's calendar object goes by: the one in use (pub,
 * from plan_published()), else ical_uid()'s.  0 or -EINVAL/-ENOSPC. */
int ctl_occurrence_uid(const struct gr_config *cfg, const struct gr_published *pub,
                       size_t n_pub, const struct gr_occurrence *o, char *buf, size_t len);
