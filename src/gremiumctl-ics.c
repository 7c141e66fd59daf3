/* SPDX-License-Identifier: MIT */
/* gremiumctl ics: the public feed on stdout or into a file */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>


#include "gremiumctl.h"
#include "service.h"
#include "store.h"
#include "util.h"

/* -o FILE: into an existing folder only.  Creating folders is the
 * service's, for the configured feed.file; a typo here must not leave a
 * tree of folders wherever the admin's shell happens to be. */
static int write_feed(const char *path, const char *data)
{
	return util_write_atomic(path, data, strlen(data), 0644);
}

static int ics_args(int argc, char **argv, const char **ret_out)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		if (c != 'o') {
			fprintf(stderr, "gremiumctl: ics: bad option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
		*ret_out = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: ics: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* The feed with what the state database recorded (UIDs, SEQUENCE,
 * LAST-MODIFIED, history), as gremiumd serves it; without a database yet,
 * from the config alone. */
static char *ics_feed(const struct gr_config *cfg, int *ret_err)
{
	struct store *db = NULL;
	char err[512], *feed;
	int r;

	if (access(cfg->state, F_OK) == 0) {
		r = store_open(cfg->state, 0, &db, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "gremiumctl: ics: reading the state: %s\n", err);
			*ret_err = r;
			return NULL;
		}
	}
	feed = service_feed(cfg, time(NULL), db, ret_err);
	store_close(db);
	return feed;
}

int cmd_ics(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	const char *out = NULL;
	char *feed;
	int r;

	if (ics_args(argc, argv, &out) < 0)
		return EX_USAGE;
	feed = ics_feed(cfg, &r);
	if (!feed) {
		fprintf(stderr, "gremiumctl: ics: building the calendar: %s\n", strerror(-r));
		return EX_SOFTWARE;
	}
	if (out) {
		r = write_feed(out, feed);
		if (r < 0)
			fprintf(stderr, "gremiumctl: ics: writing %s: %s\n", out, strerror(-r));
		r = r < 0 ? EX_CANTCREAT : EX_OK;
	} else if (fputs(feed, stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "gremiumctl: ics: writing: %s\n", strerror(errno));
		r = EX_IOERR;
	} else {
		r = EX_OK;
	}
	free(feed);
	return r;
}

