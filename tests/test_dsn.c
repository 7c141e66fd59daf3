/* SPDX-License-Identifier: MIT */
/* Unit tests for src/dsn.c and src/dsn-apply.c: delivery status
 * notifications as Postfix and Exchange write them (tests/fixtures/dsn),
 * matched to outbox rows of a temporary store by VERP token or by the
 * quoted Message-ID; forged tokens and garbage change nothing. */
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

#include "dsn.h"
#include "util.h"
#include "store_fixture.h"

#define BOUNCE "bounces@gremium.example"

static char *read_fixture(const char *name, size_t *len)
{
	char *path = util_asprintf("%s/tests/fixtures/dsn/%s", TEST_SRCDIR, name), *data;

	assert_non_null(path);
	assert_int_equal(util_read_file(path, 1 << 20, &data, len), 0);
	free(path);
	return data;
}

static void parse_bytes(const char *data, size_t len, struct dsn_report *d)
{
	struct gr_letter l;

	assert_int_equal(letter_parse(data, len, &l), 0);
	assert_int_equal(dsn_parse(data, len, &l, d), 0);
	letter_free(&l);
}

static void parse_file(const char *name, struct dsn_report *d)
{
	size_t len;
	char *data = read_fixture(name, &len);

	parse_bytes(data, len, d);
	free(data);
}

static bool has_address(const struct dsn_report *d, const char *a)
{
	for (size_t i = 0; i < d->n_addresses; i++)
		if (strcmp(d->addresses[i], a) == 0)
			return true;
	return false;
}

static void test_postfix_failed(void **state)
{
	struct dsn_report d;
	enum dsn_verdict v;
	const struct dsn_recipient *r;

	(void)state;
	parse_file("postfix-5.1.1.eml", &d);
	assert_string_equal(d.shape, "delivery-status");
	assert_int_equal(d.n_rcpt, 1);
	r = &d.rcpt[0];
	assert_string_equal(r->recipient, "juergen@partner.example");
	assert_string_equal(r->original, "juergen@partner.example");
	assert_string_equal(r->action, "failed");
	assert_string_equal(r->status, "5.1.1");
	assert_string_equal(r->remote_mta, "mx.partner.example");
	assert_string_equal(r->diagnostic, "550 5.1.1 <juergen@partner.example>: Recipient address"
	                    " rejected: User unknown in local recipient table");
	assert_true(has_address(&d, "bounces+1-81446478@gremium.example"));
	assert_string_equal(d.original_message_id, "inv-1.gremium@gremium.example");
	assert_ptr_equal(dsn_pick(&d, "JUERGEN@partner.example", &v), r);
	assert_int_equal(v, DSN_PERMANENT);
	dsn_free(&d);
}

static void test_postfix_delayed(void **state)
{
	struct dsn_report d;
	enum dsn_verdict v;

	(void)state;
	parse_file("postfix-delayed.eml", &d);
	assert_string_equal(d.shape, "delivery-status");
	assert_int_equal(d.n_rcpt, 1);
	assert_string_equal(d.rcpt[0].action, "delayed");
	assert_string_equal(d.rcpt[0].status, "4.4.1");
	assert_string_equal(d.rcpt[0].diagnostic,
	                    "connect to mx.slow.example[192.0.2.30]:25: Connection timed out");
	assert_null(d.rcpt[0].remote_mta);
	assert_non_null(dsn_pick(&d, "anna@slow.example", &v));
	assert_int_equal(v, DSN_TEMPORARY);
	dsn_free(&d);
}

static void test_exchange(void **state)
{
	struct dsn_report d;

	(void)state;
	parse_file("exchange-ndr.eml", &d);
	assert_string_equal(d.shape, "delivery-status");
	assert_int_equal(d.n_rcpt, 1);
	assert_string_equal(d.rcpt[0].status, "5.1.10");
	assert_string_equal(d.rcpt[0].diagnostic, "550 5.1.10 RESOLVER.ADR.RecipientNotFound;"
	                    " Recipient not found by SMTP address lookup");
	assert_true(has_address(&d, "bounces+3-dd088f59@gremium.example"));
	/* from the returned message/rfc822 */
	assert_string_equal(d.original_message_id, "inv-3.gremium@gremium.example");
	dsn_free(&d);

	parse_file("exchange-text.eml", &d);
	assert_string_equal(d.shape, "text");
	assert_int_equal(d.n_rcpt, 1);
	assert_string_equal(d.rcpt[0].status, "5.1.1");
	assert_string_equal(d.rcpt[0].action, "failed");
	assert_string_equal(d.rcpt[0].diagnostic, "<EXCH2003.legacy.example #5.1.1>");
	assert_int_equal(d.n_addresses, 0);
	assert_string_equal(d.original_message_id, "inv-5.gremium@gremium.example");
	dsn_free(&d);
}

/* A DSN the real Postfix of tests/e2e_bounces.sh wrote (the remote
 * server's 550 at RCPT, the whole original returned as message/rfc822). */
static void test_postfix_real(void **state)
{
	struct dsn_report d;

	(void)state;
	parse_file("postfix-relay-real.eml", &d);
	assert_string_equal(d.shape, "delivery-status");
	assert_int_equal(d.n_rcpt, 1);
	assert_string_equal(d.rcpt[0].recipient, "juergen@partner.test");
	assert_string_equal(d.rcpt[0].action, "failed");
	assert_string_equal(d.rcpt[0].status, "5.1.1");
	assert_string_equal(d.rcpt[0].remote_mta, "127.0.0.1");
	assert_string_equal(d.rcpt[0].diagnostic, "550 5.1.1 <juergen@partner.test>: Recipient"
	                    " address rejected: User unknown in relay recipient table");
	assert_int_equal(d.n_addresses, 1);
	assert_string_equal(d.addresses[0], "bounces+5-0198fd9e@gremium.test");
	assert_string_equal(d.original_message_id,
	                    "gremium.kommunalgremium.invitation.5c5b519d51d32ff9@fitko.example");
	dsn_free(&d);
}

/* Not reports: a human's mail, a calendar reply, garbage. */
static void test_not_reports(void **state)
{
	static const char *const mails[] = {
		"From: a@b.example\r\nTo: bounces+1-81446478@gremium.example\r\nSubject: hi\r\n\r\n"
		"Status: 5.1.1 and Action: failed in a human's words\r\n",
		"From: a@b.example\r\nSubject: x\r\nContent-Type: multipart/report;"
		" report-type=disposition-notification; boundary=b\r\n\r\n--b\r\nContent-Type:"
		" message/disposition-notification\r\n\r\nDisposition: manual-action/MDN-sent-manually;"
		" displayed\r\n--b--\r\n",
		/* an auto-reply with a date that looks like a status */
		"From: a@b.example\r\nAuto-Submitted: auto-replied\r\nSubject: Abwesend\r\n\r\n"
		"Ich bin ab 4.1.25 wieder da.\r\n",
		"",
		"\x01\x02\x03",
		"no header at all",
	};
	struct dsn_report d;

	(void)state;
	for (size_t i = 0; i < sizeof(mails) / sizeof(mails[0]); i++) {
		parse_bytes(mails[i], strlen(mails[i]), &d);
		assert_null(d.shape);
		assert_int_equal(d.n_rcpt, 0);
		dsn_free(&d);
	}
	dsn_free(NULL);
}

/* Every prefix of each fixture, and bytes flipped: a report or none, no
 * crash (ASan/valgrind runs watch the memory). */
static void test_truncated_and_flipped(void **state)
{
	static const char *const files[] = { "postfix-5.1.1.eml", "exchange-ndr.eml",
	                                     "exchange-text.eml", "headers-only.eml" };
	struct dsn_report d;

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t len;
		char *data = read_fixture(files[f], &len);

		for (size_t n = 0; n <= len; n += 13) {
			parse_bytes(data, n, &d);
			dsn_free(&d);
		}
		for (size_t i = 0; i < len; i += 17) {
			char c = data[i];

			data[i] = (char)(i % 3 == 0 ? '\n' : i % 3 == 1 ? ':' : ';');
			parse_bytes(data, len, &d);
			dsn_free(&d);
			data[i] = c;
		}
		free(data);
	}
}

/* ---- matched to the outbox ---- */

static int setup(void **state)
{
	return fixture_setup(state, STORE_OPEN_SENDER);
}

/* Rows 1..5 as the fixtures name them, all sent. */
static void five_rows(struct store *db)
{
	static const char *const rcpt[] = { "juergen@partner.example", "anna@slow.example",
	                                    "petra@behoerde.example", "karl@old.example",
	                                    "otto@legacy.example" };
	static const char *const mid[] = { "inv-1.gremium@gremium.example",
	                                   "rem-2.gremium@gremium.example",
	                                   "inv-3.gremium@gremium.example",
	                                   "inv-4.gremium@gremium.example",
	                                   "inv-5.gremium@gremium.example" };
	struct store_entry e;

	for (int i = 0; i < 5; i++) {
		struct store_change c = { .message_id = mid[i], .recipient = rcpt[i],
		                          .kind = "invitation", .message = "x", .message_len = 1,
		                          .due = 10 };

		assert_int_equal(store_apply(db, &c, 1, 5), 0);
	}
	for (int i = 0; i < 5; i++) {
		assert_int_equal(store_outbox_claim(db, 20, &e), 0);
		assert_int_equal(store_outbox_sent(db, e.id, 21), 0);
		store_entry_free(&e);
	}
}

static void apply_file(struct store *db, const char *name, char *outcome, size_t len)
{
	struct dsn_report d;

	parse_file(name, &d);
	assert_int_equal(dsn_apply(db, BOUNCE, &d, 100, outcome, len), 0);
	dsn_free(&d);
}

static const char *answer_of(struct store *db, const char *rcpt, char *buf, size_t len)
{
	struct store_failure *f = NULL;
	size_t n = 0;

	buf[0] = '\0';
	assert_int_equal(store_failures(db, &f, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].recipient, rcpt) == 0)
			snprintf(buf, len, "%s", f[i].answer);
	store_failures_free(f, n);
	return buf;
}

static void test_apply(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	char out[512], a[512];
	char **b = NULL;
	size_t n = 0;

	five_rows(f->db);

	apply_file(f->db, "postfix-5.1.1.eml", out, sizeof(out));
	assert_string_equal(out, "bounce: juergen@partner.example 5.1.1 550 5.1.1"
	                    " <juergen@partner.example>: Recipient address rejected: User unknown"
	                    " in local recipient table (mx.partner.example) (permanent): outbox 1"
	                    " failed");
	assert_string_equal(answer_of(f->db, "juergen@partner.example", a, sizeof(a)),
	                    "bounced: 5.1.1 550 5.1.1 <juergen@partner.example>: Recipient address"
	                    " rejected: User unknown in local recipient table (mx.partner.example)");

	apply_file(f->db, "postfix-delayed.eml", out, sizeof(out));
	assert_non_null(strstr(out, "(delayed): outbox 2 recorded, not failed"));
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 1);

	apply_file(f->db, "exchange-ndr.eml", out, sizeof(out));
	assert_non_null(strstr(out, "bounce: petra@behoerde.example 5.1.10 "));
	assert_non_null(strstr(out, "outbox 3 failed"));

	/* no VERP (sent to the organizer): the quoted Message-ID; the final
	 * recipient differs (a forward), Original-Recipient is the member */
	apply_file(f->db, "headers-only.eml", out, sizeof(out));
	assert_non_null(strstr(out, "bounce: karl@old.example 5.2.2 "));
	assert_non_null(strstr(out, "outbox 4 failed"));

	apply_file(f->db, "exchange-text.eml", out, sizeof(out));
	assert_string_equal(out, "bounce: otto@legacy.example 5.1.1 <EXCH2003.legacy.example"
	                    " #5.1.1> (permanent): outbox 5 failed");

	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 4);
	assert_int_equal(c.sent, 1);
	assert_int_equal(store_bounced_recipients(f->db, &b, &n), 0);
	assert_int_equal(n, 4);
	store_strv_free(b, n);

	/* the same DSN again: already bounced, kept */
	apply_file(f->db, "postfix-5.1.1.eml", out, sizeof(out));
	assert_non_null(strstr(out, "outbox 1 failed"));
}

static void test_forged(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	struct dsn_report d;
	char out[512];
	size_t len;
	char *data, *p;

	five_rows(f->db);
	apply_file(f->db, "forged.eml", out, sizeof(out));
	assert_string_equal(out, "bounce for nothing we sent (its VERP token matches no mail we"
	                    " sent): ignored");
	/* a token of row 1 on row 2 */
	data = read_fixture("postfix-5.1.1.eml", &len);
	while ((p = strstr(data, "bounces+1-")))
		p[8] = '2';
	while ((p = strstr(data, "<inv-1.gremium")))
		memcpy(p, "<xxx-1", 6);
	parse_bytes(data, len, &d);
	assert_int_equal(dsn_apply(f->db, BOUNCE, &d, 100, out, sizeof(out)), 0);
	assert_string_equal(out, "bounce for nothing we sent (its VERP token matches no mail we"
	                    " sent): ignored");
	dsn_free(&d);
	free(data);
	/* a report that names someone else */
	data = read_fixture("headers-only.eml", &len);
	assert_non_null(p = strstr(data, "inv-4.gremium"));
	p[4] = '9';
	parse_bytes(data, len, &d);
	assert_int_equal(dsn_apply(f->db, BOUNCE, &d, 100, out, sizeof(out)), 0);
	assert_string_equal(out, "bounce for nothing we sent (the quoted Message-ID is not one we"
	                    " sent): ignored");
	dsn_free(&d);
	free(data);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.sent, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix_failed),
		cmocka_unit_test(test_postfix_delayed),
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_postfix_real),
		cmocka_unit_test(test_not_reports),
		cmocka_unit_test(test_truncated_and_flipped),
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
