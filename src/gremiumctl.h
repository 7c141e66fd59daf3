/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl's subcommands, one file each (gremiumctl-VERB.c), dispatched
 * from the table in gremiumctl.c.  Each gets the loaded config and its own
 * argv (argv[0] is the command name) and returns an exit code (sysexits.h).
 */
#pragma once

#include "config.h"

struct store;

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

int cmd_check(struct ctl *ctl, int argc, char **argv);
int cmd_preview(struct ctl *ctl, int argc, char **argv);
int cmd_ics(struct ctl *ctl, int argc, char **argv);
int cmd_send_test(struct ctl *ctl, int argc, char **argv);
int cmd_run_once(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
