/* SPDX-License-Identifier: MIT */
/* gremiumctl check: validate the configuration */
#include "autoconfig.h"

#include <stdio.h>
#include <sysexits.h>


#include "gremiumctl.h"

int cmd_check(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: check takes no arguments\n");
		return EX_USAGE;
	}
	printf("configuration OK: %zu members, %zu series\n", cfg->n_members, cfg->n_series);
	return EX_OK;
}

