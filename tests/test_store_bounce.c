/* SPDX-License-Identifier: MIT */
/* Unit tests for src/store-bounce.c: bounces recorded on outbox rows, the
 * bounced recipients in the state, finding rows by id and Message-ID. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"

static int setup(void **state)
{
	return fixture_setup(state, STORE_OPEN_SENDER);
}

/* Three rows: 1 a@ sent, 2 b@ sent, 3 c@ still queued. */
static void three_rows(struct store *db)
{
	struct store_change c[3] = {
		{ .message_id = "m1@x.example", .recipient = "a@x.example", .kind = "invitation",
		  .message = "x", .message_len = 1, .due = 10 },
		{ .message_id = "m2@x.example", .recipient = "b@x.example", .kind = "invitation",
		  .message = "x", .message_len = 1, .due = 10 },
		{ .message_id = "m3@x.example", .recipient = "c@x.example", .kind = "invitation",
		  .message = "x", .message_len = 1, .due = 1000 },
	};
	struct store_entry e;

	assert_int_equal(store_apply(db, c, 3, 5), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_outbox_claim(db, 20, &e), 0);
		assert_int_equal(store_outbox_sent(db, e.id, 21), 0);
		store_entry_free(&e);
	}
}

static char *answer_of(struct store *db, const char *rcpt)
{
	struct store_failure *f = NULL;
	size_t n = 0;
	char *a = NULL;

	assert_int_equal(store_failures(db, &f, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].recipient, rcpt) == 0)
			a = strdup(f[i].answer);
	store_failures_free(f, n);
	return a;
}

static void test_ident_find(void **state)
{
	struct fixture *f = *state;
	char *mid = NULL, *rcpt = NULL;
	int64_t id = 0;

	three_rows(f->db);
	assert_int_equal(store_outbox_ident(f->db, 2, &mid, &rcpt), 0);
	assert_string_equal(mid, "m2@x.example");
	assert_string_equal(rcpt, "b@x.example");
	free(mid);
	free(rcpt);
	rcpt = NULL;
	assert_int_equal(store_outbox_find(f->db, "m3@x.example", &id, &rcpt), 0);
	assert_int_equal(id, 3);
	assert_string_equal(rcpt, "c@x.example");
	free(rcpt);
	assert_int_equal(store_outbox_ident(f->db, 99, NULL, NULL), -ENOENT);
	assert_int_equal(store_outbox_find(f->db, "nope@x", &id, NULL), -ENOENT);
	assert_int_equal(store_outbox_find(f->db, NULL, &id, NULL), -EINVAL);
}

static void test_bounced(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	struct store_state st;
	char **v = NULL, *a;
	size_t n = 9;

	three_rows(f->db);
	assert_int_equal(store_bounced_recipients(f->db, &v, &n), 0);
	assert_int_equal(n, 0);
	store_strv_free(v, n);

	/* a delay: recorded, not failed */
	assert_int_equal(store_outbox_bounced(f->db, 1, false, "4.4.1 connection timed out", 30), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.sent, 2);

	/* permanent: failed with the server's answer, also after sent */
	assert_int_equal(store_outbox_bounced(f->db, 1, true, "5.1.1 user unknown", 40), 0);
	assert_int_equal(store_outbox_bounced(f->db, 2, true, "5.2.2 mailbox full", 50), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 2);
	assert_int_equal(c.sent, 0);
	a = answer_of(f->db, "a@x.example");
	assert_string_equal(a, "bounced: 5.1.1 user unknown");
	free(a);

	/* a late delay does not undo it */
	assert_int_equal(store_outbox_bounced(f->db, 1, false, "4.4.1 later", 60), -EALREADY);
	a = answer_of(f->db, "a@x.example");
	assert_string_equal(a, "bounced: 5.1.1 user unknown");
	free(a);
	assert_int_equal(store_outbox_bounced(f->db, 77, true, "5.1.1", 60), -ENOENT);

	assert_int_equal(store_bounced_recipients(f->db, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "b@x.example");     /* latest first */
	assert_string_equal(v[1], "a@x.example");
	store_strv_free(v, n);

	assert_int_equal(store_read_state(f->db, &st), 0);
	assert_int_equal(st.n_bounced, 2);
	assert_string_equal(st.bounced[0], "b@x.example");
	store_state_free(&st);
}

static void test_sending_left_alone(void **state)
{
	struct fixture *f = *state;
	struct store_entry e;
	struct store_change c = { .message_id = "m9@x.example", .recipient = "z@x.example",
	                          .kind = "test", .message = "x", .message_len = 1, .due = 1 };

	assert_int_equal(store_apply(f->db, &c, 1, 1), 0);
	assert_int_equal(store_outbox_claim(f->db, 5, &e), 0);
	assert_int_equal(store_outbox_bounced(f->db, e.id, true, "5.1.1", 6), -EBUSY);
	assert_int_equal(store_outbox_sent(f->db, e.id, 7), 0);
	assert_int_equal(store_outbox_bounced(f->db, e.id, true, NULL, 8), 0);
	store_entry_free(&e);
	char *a = answer_of(f->db, "z@x.example");
	assert_string_equal(a, "bounced: (no reason given)");
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ident_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sending_left_alone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
