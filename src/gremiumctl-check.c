/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl check: validate the configuration and its templates.
 *
 * The templates are loaded by tmpl_load() and test-rendered by
 * service_check_templates(), the functions the service uses: what check
 * accepts, the service loads and renders (the unit's ExecStartPre runs
 * check, so a bad template stops the start there, with FILE:LINE, instead
 * of gremiumd exiting 78 later or failing every mail).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "gremiumctl.h"
#include "service.h"
#include "template.h"

int cmd_check(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct tmpl_set *tmpl = NULL;
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: check takes no arguments\n");
		return EX_USAGE;
	}
	r = tmpl_load(cfg->templates, &tmpl, stderr);
	if (r == 0)
		r = service_check_templates(cfg, tmpl, stderr);
	tmpl_free(tmpl);
	if (r == -ENOMEM) {
		fprintf(stderr, "gremiumctl: check: %s\n", strerror(-r));
		return EX_OSERR;
	}
	if (r < 0)
		return EX_CONFIG;
	printf("configuration OK: %zu members, %zu series\n", cfg->n_members, cfg->n_series);
	return EX_OK;
}
