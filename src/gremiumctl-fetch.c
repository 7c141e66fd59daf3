/* SPDX-License-Identifier: MIT */
/* gremiumctl fetch: one pass over the committee's mailbox (run-once does one too) */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>

#include "gremiumctl.h"
#include "service.h"
#include "store.h"
#include "template.h"

/* A message's line on stdout, a problem on stderr. */
static void fetch_line(void *userdata, int priority, const char *line)
{
	const char *cmd = userdata;

	if (priority <= LOG_ERR)
		ctl_error("gremiumctl: %s: %s", cmd, line);
	else
		printf("%s\n", line);
	fflush(stdout);
}

int ctl_fetch(const struct ctl *ctl, const char *cmd, const struct tmpl_set *tmpl,
              struct store *db, time_t now)
{
	const struct gr_config *cfg = ctl->cfg;
	struct service_inbound_info info;
	char err[1024];
	int r;

	r = service_inbound(cfg, tmpl, db, now, fetch_line, (void *)cmd, &info, err, sizeof(err));
	printf("fetched %u new message%s (%u topic%s, %u held for the chair, %u duplicate%s), "
	       "%u seen before, %u too large\n", info.recorded, info.recorded == 1 ? "" : "s",
	       info.topics, info.topics == 1 ? "" : "s", info.held, info.duplicates,
	       info.duplicates == 1 ? "" : "s", info.already_seen, info.too_large);
	fflush(stdout);
	if (r == 0)
		return 0;
	if (info.store_failed) {
		ctl_error("gremiumctl: %s: state database: %s", cmd, err);
		return EX_IOERR;
	}
	ctl_error("gremiumctl: %s: mailbox: %s", cmd, err);
	return r == -ENOMEM ? EX_OSERR : EX_UNAVAILABLE;
}

int cmd_fetch(struct ctl *ctl, int argc, char **argv)
{
	static const struct option options[] = {
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct gr_config *cfg = ctl->cfg;
	struct tmpl_set *tmpl = NULL;
	struct store *db = NULL;
	time_t now = time(NULL);
	char err[512];
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'n') {
			fprintf(stderr, "gremiumctl: fetch: bad option '%s'\n", argv[optind - 1]);
			return EX_USAGE;
		}
		r = ctl_parse_now(cfg, "fetch", optarg, &now);
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: fetch: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	if (cfg->inbound.source == GR_INBOUND_NONE) {
		ctl_error("gremiumctl: fetch: %s has no inbound group: no mailbox to read",
		          cfg->path);
		return EX_CONFIG;
	}
	/* confirmations are rendered as check validated the templates */
	if (tmpl_load(cfg->templates, &tmpl, stderr) < 0 ||
	    service_check_templates(cfg, tmpl, stderr) < 0) {
		ctl_error("gremiumctl: fetch: loading templates: see the problems above");
		tmpl_free(tmpl);
		return EX_CONFIG;
	}
	r = store_open(cfg->state, 0, &db, err, sizeof(err));
	if (r < 0) {
		ctl_error("gremiumctl: fetch: opening the state: %s", err);
		tmpl_free(tmpl);
		return r == -EBUSY ? EX_TEMPFAIL : EX_CANTCREAT;
	}
	r = ctl_fetch(ctl, "fetch", tmpl, db, now);
	store_close(db);
	tmpl_free(tmpl);
	return r;
}
