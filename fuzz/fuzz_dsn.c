/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a received mail through letter_parse(),
 * dsn_parse(), dsn_pick() and dsn_apply() against a small state database
 * (one outbox row, each run inside a transaction rolled back): no crash,
 * no leak, always a report and a one-line outcome.  Seeds: the DSN
 * fixtures (fuzz/corpus/fuzz_dsn).
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsn.h"
#include "letter.h"
#include "store.h"

static struct store *db;
static char dir[] = "/tmp/fuzz_dsn.XXXXXX";

static void db_close(void)
{
	const char *const files[] = { "state.db", "state.db-wal", "state.db-shm" };
	char path[64];

	store_close(db);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

static struct store *state_db(void)
{
	struct store_change c = { .message_id = "inv-1.gremium@gremium.example",
	                          .recipient = "juergen@partner.example", .kind = "invitation",
	                          .message = "x", .message_len = 1, .due = 1 };
	char path[64], err[256];

	if (db)
		return db;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/state.db", dir);
	if (store_open(path, 0, &db, err, sizeof(err)) < 0 || store_apply(db, &c, 1, 1) < 0)
		abort();
	atexit(db_close);
	return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *s = state_db();
	struct gr_letter l;
	struct dsn_report d;
	enum dsn_verdict v;
	char outcome[512];

	if (letter_parse(data, size, &l) < 0)
		return 0;
	if (dsn_parse(data, size, &l, &d) == 0) {
		for (size_t i = 0; i < d.n_rcpt; i++)
			if (d.rcpt[i].recipient && strlen(d.rcpt[i].recipient) > DSN_MAX_FIELD)
				abort();
		(void)dsn_pick(&d, "juergen@partner.example", &v);
		if (d.shape && store_begin(s) == 0) {
			outcome[0] = '\0';
			if (dsn_apply(s, "bounces@gremium.example", &d, 2, outcome, sizeof(outcome)) == 0 &&
			    (!outcome[0] || strchr(outcome, '\n')))
				abort();
			(void)store_rollback(s);
		}
		dsn_free(&d);
	}
	letter_free(&l);
	return 0;
}
