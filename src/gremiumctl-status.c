/* SPDX-License-Identifier: MIT */
/* gremiumctl status: outbox and sent-log summary */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>


#include "gremiumctl.h"
#include "store.h"

int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct store *db = NULL;
	struct store_counts counts = { 0 };
	struct store_failure *f = NULL;
	size_t n = 0;
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: status takes no arguments\n");
		return EX_USAGE;
	}
	/* no database is no answer: "0 sent" would hide a wrong path */
	r = ctl_open_state(ctl, "status", &db);
	if (r != 0)
		return r;
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

