/* SPDX-License-Identifier: MIT */
/* Unit tests for src/sender.c: backoff, rate limit, progress, and the
 * sender draining an outbox filled by hand (store_apply) through the
 * maildir transport, an SMTP port nobody listens on, and a server that
 * accepts connections but never answers. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sender.h"
#include "util.h"
#include "verp.h"
#include "drain.h"

struct fixture {
	char dir[64];
	char *maildir, *state;
	struct gr_config cfg;
	struct store *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_sender.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->maildir = util_asprintf("%s/outbox", f->dir);
	f->state = util_asprintf("%s/state.db", f->dir);
	f->cfg.committee.organizer_email = (char *)"vorsitz@fitko.example";
	f->cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	f->cfg.delivery.maildir = f->maildir;
	f->cfg.delivery.connections = 2;
	f->cfg.delivery.retry_for_hours = 1;
	f->cfg.delivery.timeout = 1;
	if (store_open(f->state, STORE_OPEN_SENDER, &f->db, err, sizeof(err)) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = util_asprintf("rm -rf '%s'", f->dir);

	store_close(f->db);
	if (cmd && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f->maildir);
	free(f->state);
	free(f);
	return 0;
}

/* n reminders due at `due`, to m0@x.example ... */
static void enqueue(struct fixture *f, int n, time_t due)
{
	for (int i = 0; i < n; i++) {
		char id[64], to[64];
		struct store_change c = {
			.message_id = id, .recipient = to, .kind = "reminder",
			.message = "Subject: hi\r\n\r\nbody\r\n", .message_len = 21, .due = due,
		};

		snprintf(id, sizeof(id), "gremium.test.%d@x.example", i);
		snprintf(to, sizeof(to), "m%d@x.example", i);
		assert_int_equal(store_apply(f->db, &c, 1, due), 0);
	}
}

static size_t files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_retry_at(void **state)
{
	unsigned seed = 1;
	(void)state;

	for (int attempts = 1; attempts <= 12; attempts++) {
		long full = attempts >= 7 ? 3600 : 60L << (attempts - 1);
		for (int i = 0; i < 50; i++) {
			time_t t = sender_retry_at(1000, attempts, &seed);
			/* at most a quarter earlier, never later, 1 min .. 1 h */
			assert_true(t - 1000 <= full);
			assert_true(t - 1000 >= full - full / 4);
		}
	}
}

static void test_bucket(void **state)
{
	struct sender_bucket b;
	uint64_t wait = 0;

	(void)state;
	/* 120 a minute: a burst of 2, then one every 0.5 s */
	sender_bucket_init(&b, 120, 1000);
	assert_true(sender_bucket_take(&b, 1000, &wait));
	assert_true(sender_bucket_take(&b, 1000, &wait));
	assert_false(sender_bucket_take(&b, 1000, &wait));
	assert_int_equal(wait, 500001);
	assert_false(sender_bucket_take(&b, 1000 + 499999, &wait));
	assert_true(wait >= 1 && wait <= 2);
	assert_true(sender_bucket_take(&b, 1000 + 500001, &wait));
	/* an idle hour refills only up to the burst */
	assert_true(sender_bucket_take(&b, 3600000000ULL, &wait));
	assert_true(sender_bucket_take(&b, 3600000000ULL, &wait));
	assert_false(sender_bucket_take(&b, 3600000000ULL, &wait));
	/* below one a second: a burst of one */
	sender_bucket_init(&b, 30, 0);
	assert_true(sender_bucket_take(&b, 0, &wait));
	assert_false(sender_bucket_take(&b, 0, &wait));
	assert_int_equal(wait, 2000001);
	/* 0: unlimited */
	sender_bucket_init(&b, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(sender_bucket_take(&b, 0, &wait));
}

static void test_progress_format(void **state)
{
	char buf[128];

	(void)state;
	sender_progress_format(1200, 0, 0, 10000, 1200 / 310.0, buf, sizeof(buf));
	assert_string_equal(buf, "1200/10000 sent, 310/s, ETA 0:28");
	sender_progress_format(0, 0, 0, 10, 0, buf, sizeof(buf));
	assert_string_equal(buf, "0/10 sent, 0/s, ETA -:--");
	sender_progress_format(90, 8, 2, 10000, 100, buf, sizeof(buf));
	assert_string_equal(buf, "90/10000 sent, 8 deferred, 2 failed, 1/s, ETA 2:45:00");
	/* a total that grew behind our back never goes below what is done */
	sender_progress_format(5, 0, 0, 3, 1, buf, sizeof(buf));
	assert_string_equal(buf, "5/5 sent, 5/s, ETA 0:00");
	/* a small buffer truncates, never overflows */
	sender_progress_format(1200, 0, 0, 10000, 1, buf, 8);
	assert_string_equal(buf, "1200/10");
}


/* Drain everything due at now through tr; with stop, sender_stop() once
 * the loop has run a little (everything claimed and handed out). */
static struct drained drain(struct fixture *f, struct transport *tr, time_t now, bool stop)
{
	struct drained d = { 0 };
	struct sender_ops ops = { drained_outcome, drained_idle, &d };

	assert_int_equal(sd_event_new(&d.ev), 0);
	assert_int_equal(sender_new(&f->cfg, f->db, tr, d.ev, now, &ops, &d.sender), 0);
	sender_kick(d.sender);
	if (stop) {
		for (int i = 0; i < 5; i++)
			assert_true(sd_event_run(d.ev, 100000) >= 0);
		assert_true(sender_in_flight(d.sender) > 0);
		sender_stop(d.sender);
	}
	assert_int_equal(sd_event_loop(d.ev), 0);
	sender_free(d.sender);
	sd_event_unref(d.ev);
	return d;
}

static void test_drain_maildir(void **state)
{
	struct fixture *f = *state;
	struct transport *tr = NULL;
	struct store_counts c;
	struct drained d;
	char err[256], *newdir = util_asprintf("%s/new", f->maildir);

	enqueue(f, 30, 1000);
	assert_int_equal(tr_new(&f->cfg, &tr, err, sizeof(err), NULL), 0);
	d = drain(f, tr, 1000, false);
	assert_int_equal(d.sent, 30);
	assert_int_equal(d.deferred + d.failed, 0);
	assert_int_equal(d.idles, 1);
	assert_int_equal(d.idle_r, 0);
	/* maildir takes one delivery per connection */
	assert_true(d.max_in_flight <= (size_t)f->cfg.delivery.connections);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 30);
	assert_int_equal(c.queued, 0);
	assert_int_equal(files_in(newdir), 30);
	/* nothing due: idle at once */
	d = drain(f, tr, 1000, false);
	assert_int_equal(d.sent + d.deferred + d.failed, 0);
	assert_int_equal(d.idles, 1);
	tr_free(tr);
	free(newdir);
}

/* Issue 16: with an inbound mailbox the envelope sender is the row's VERP
 * address (maildir: the Return-Path: line on top), without one the
 * organizer. */
static void test_envelope_verp(void **state)
{
	struct fixture *f = *state;
	struct transport *tr = NULL;
	struct sender_sent sent;
	char err[256], want[128], *newdir = util_asprintf("%s/new", f->maildir);
	unsigned seed = 1;

	enqueue(f, 2, 1000);
	assert_int_equal(tr_new(&f->cfg, &tr, err, sizeof(err), NULL), 0);
	assert_int_equal(sender_send_one(&f->cfg, f->db, tr, 1000, &seed, &sent, err, sizeof(err)), 1);
	f->cfg.inbound.source = GR_INBOUND_MAILDIR;
	f->cfg.delivery.bounce_address = (char *)"bounces@x.example";
	assert_int_equal(sender_send_one(&f->cfg, f->db, tr, 1000, &seed, &sent, err, sizeof(err)), 1);
	assert_int_equal(verp_address("bounces@x.example", 2, "gremium.test.1@x.example", want,
	                              sizeof(want)), 0);
	assert_int_equal(files_in(newdir), 2);
	/* the two files, whichever name sorts first */
	DIR *d = opendir(newdir);
	struct dirent *e;
	int organizer = 0, verp = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *path, *data;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		path = util_asprintf("%s/%s", newdir, e->d_name);
		assert_int_equal(util_read_file(path, 4096, &data, &len), 0);
		organizer += strncmp(data, "Return-Path: <vorsitz@fitko.example>\r\n", 38) == 0;
		if (strncmp(data, "Return-Path: <", 14) == 0 && strncmp(data + 14, want, strlen(want)) == 0)
			verp++;
		free(data);
		free(path);
	}
	closedir(d);
	assert_int_equal(organizer, 1);
	assert_int_equal(verp, 1);
	tr_free(tr);
	free(newdir);
}

/* One entry that cannot be sent (no message bytes, as a damaged database
 * may hold; an envelope address the transport refuses) fails alone, as
 * permanent, with its reason; the others go out, on the loop and one by
 * one. */
static void test_bad_entry_alone(void **state)
{
	struct fixture *f = *state;
	struct transport *tr = NULL;
	struct store_counts c;
	struct store_failure *fl = NULL;
	struct sender_sent sent;
	struct drained d;
	size_t n_fl = 0;
	unsigned seed = 1;
	char err[256], *newdir = util_asprintf("%s/new", f->maildir);
	struct store_change bad[] = {
		{ .message_id = "empty.1@x.example", .recipient = "e1@x.example", .kind = "reminder",
		  .message = "", .message_len = 0, .due = 1000 },
		{ .message_id = "space@x.example", .recipient = "sp ace@x.example", .kind = "reminder",
		  .message = "Subject: hi\r\n\r\nbody\r\n", .message_len = 21, .due = 1000 },
		{ .message_id = "empty.2@x.example", .recipient = "e2@x.example", .kind = "reminder",
		  .message = "", .message_len = 0, .due = 2000 },
	};

	enqueue(f, 3, 1000);
	assert_int_equal(store_apply(f->db, bad, 3, 1000), 0);
	enqueue(f, 6, 1000);    /* 3 more after the bad ones (the first 3 are known) */
	assert_int_equal(tr_new(&f->cfg, &tr, err, sizeof(err), NULL), 0);
	d = drain(f, tr, 1000, false);
	assert_int_equal(d.sent, 6);
	assert_int_equal(d.failed, 2);
	assert_int_equal(d.idle_r, 0);
	assert_int_equal(files_in(newdir), 6);
	assert_int_equal(sender_send_one(&f->cfg, f->db, tr, 2000, &seed, &sent, err, sizeof(err)), 1);
	assert_int_equal(sent.result, TR_PERMANENT);
	assert_string_equal(sent.reply, "the outbox entry holds no message");
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 6);
	assert_int_equal(c.failed, 3);
	assert_int_equal(c.unrenderable, 0);
	assert_int_equal(store_failures(f->db, &fl, &n_fl), 0);
	assert_int_equal(n_fl, 3);
	assert_string_equal(fl[0].answer, "the outbox entry holds no message");
	assert_string_equal(fl[1].answer, "invalid envelope address");
	assert_string_equal(fl[2].recipient, "e2@x.example");
	store_failures_free(fl, n_fl);
	tr_free(tr);
	free(newdir);
}

/* smtp to `url` with starttls off (loopback) */
static struct transport *smtp_to(struct fixture *f, const char *url)
{
	struct transport *tr = NULL;
	char err[256];

	f->cfg.delivery.transport = GR_TRANSPORT_SMTP;
	f->cfg.delivery.smtp_url = (char *)url;
	f->cfg.delivery.starttls_required = false;
	assert_int_equal(tr_new(&f->cfg, &tr, err, sizeof(err), NULL), 0);
	return tr;
}

/* A refused connection is temporary, retried no earlier than the backoff
 * says, and permanent once retry_for_hours are over. */
static void test_refused_then_gave_up(void **state)
{
	struct fixture *f = *state;
	struct transport *tr = smtp_to(f, "smtp://127.0.0.1:1");
	struct store_counts c;
	struct drained d;

	enqueue(f, 10, 1000);
	d = drain(f, tr, 1000, false);
	assert_int_equal(d.deferred, 10);
	assert_int_equal(d.sent + d.failed, 0);
	d = drain(f, tr, 1001, false);
	assert_int_equal(d.deferred + d.sent + d.failed, 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 10);
	d = drain(f, tr, 1000 + 3600 + 1, false);
	assert_int_equal(d.failed, 10);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 10);
	assert_int_equal(c.queued, 0);
	tr_free(tr);
}

/*
 * A stop waits only for the mail each connection is sending: the ones
 * queued behind it go back to the outbox unsent, due at once and not
 * counted as an outcome.  The server accepts connections and never
 * answers, so every session hangs in its first mail until the timeout.
 */
static void test_stop_gives_back_queued(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	char url[64];
	struct transport *tr;
	struct drained d;
	struct store_entry e;
	size_t due_again = 0;

	assert_true(srv >= 0);
	assert_int_equal(bind(srv, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(srv, 16), 0);
	assert_int_equal(getsockname(srv, (struct sockaddr *)&a, &len), 0);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", ntohs(a.sin_port));
	tr = smtp_to(f, url);
	enqueue(f, 20, 1000);
	d = drain(f, tr, 1000, true);
	/* the two hanging mails time out: temporary failures, retried later;
	 * the queued ones are no outcome at all */
	assert_int_equal(d.deferred, (size_t)f->cfg.delivery.connections);
	assert_int_equal(d.sent + d.failed, 0);
	/* due again at once: the 18 never started (14 queued behind the two
	 * hanging ones, 4 never claimed) */
	while (store_outbox_claim(f->db, 1000, &e) == 0) {
		due_again++;
		store_entry_free(&e);
	}
	assert_int_equal(due_again, 20 - (size_t)f->cfg.delivery.connections);
	tr_free(tr);
	close(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_at),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_progress_format),
		cmocka_unit_test_setup_teardown(test_drain_maildir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_envelope_verp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entry_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_gave_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_gives_back_queued, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
