/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl's subcommands, one file each (gremiumctl-VERB.c), dispatched
 * from the table in gremiumctl.c.  Each gets the loaded config and its own
 * argv (argv[0] is the command name) and returns an exit code (sysexits.h).
 */
#pragma once

#include <time.h>

#include "config.h"

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
int cmd_inbox(struct ctl *ctl, int argc, char **argv);
int cmd_topics(struct ctl *ctl, int argc, char **argv);
int cmd_topic(struct ctl *ctl, int argc, char **argv);
