/* SPDX-License-Identifier: MIT */
/*
 * store_fixture.h - a fresh state database in a temporary folder for the
 * store's unit tests (test_store, test_store_inbox): setup opens it with
 * the flags given, teardown closes it and removes its files.
 */
#ifndef GREMIUM_TEST_STORE_FIXTURE_H
#define GREMIUM_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *db;
};

static int fixture_setup(void **state, unsigned flags)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/state.db", f->dir);
	if (store_open(f->path, flags, &f->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];
	/* the database, its WAL side files and a sender's lock */
	const char *const suffix[] = { "", "-wal", "-shm", ".lock" };

	store_close(f->db);
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		(void)unlink(p);
	}
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

#endif
