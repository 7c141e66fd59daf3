/* SPDX-License-Identifier: MIT */
/* gremiumctl status: outbox and sent-log summary */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>


#include "gremiumctl.h"
#include "store.h"

int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct store *db = NULL;
	struct store_counts counts = { 0 };
	struct store_failure *f = NULL;
	size_t n = 0;
	char err[512];
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: status takes no arguments\n");
		return EX_USAGE;
	}
	if (access(cfg->state, F_OK) < 0) {
		/* nothing sent yet: do not create a database just to say so */
		puts("0 sent, 0 queued, 0 failed");
		return EX_OK;
	}
	r = store_open(cfg->state, 0, &db, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "gremiumctl: status: opening the state: %s\n", err);
		return EX_NOINPUT;
	}
	if (store_counts(db, &counts) < 0 || store_failures(db, &f, &n) < 0) {
		fprintf(stderr, "gremiumctl: status: %s\n", store_errmsg(db));
		store_close(db);
		return EX_IOERR;
	}
	printf("%ld sent, %ld queued, %ld failed\n", counts.sent, counts.queued, counts.failed);
	for (size_t i = 0; i < n; i++)
		printf("failed: %s (%s%s%s): %s\n", f[i].recipient, f[i].kind,
		       f[i].occurrence ? " " : "", f[i].occurrence ? f[i].occurrence : "",
		       f[i].answer ? f[i].answer : "no answer");
	store_failures_free(f, n);
	store_close(db);
	return EX_OK;
}

