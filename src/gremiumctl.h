/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl's subcommands, one file each (gremiumctl-VERB.c), dispatched
 * from the table in gremiumctl.c.  Each gets the loaded config and its own
 * argv (argv[0] is the command name) and returns an exit code (sysexits.h).
 */
#pragma once

#include "config.h"

struct ctl {
	const char *config_path;
	struct gr_config *cfg;  /* loaded before the command runs */
};

int cmd_check(struct ctl *ctl, int argc, char **argv);
int cmd_preview(struct ctl *ctl, int argc, char **argv);
int cmd_ics(struct ctl *ctl, int argc, char **argv);
int cmd_send_test(struct ctl *ctl, int argc, char **argv);
int cmd_run_once(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
