/* SPDX-License-Identifier: MIT */
/* Unit tests for src/service.c: plan -> render -> enqueue -> send, on the
 * example config in a temporary folder, with the maildir transport and an
 * SMTP port nobody listens on. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "mail.h"
#include "plan.h"
#include "schedule.h"
#include "service.h"
#include "util.h"
#include "drain.h"

struct fixture {
	char dir[64];
	struct gr_config *cfg;
	struct tmpl_set *tmpl;
	struct store *db;
	struct transport *tr;
	unsigned seed;
};

static time_t at(const struct gr_config *cfg, int y, int m, int d, int hh, int mm)
{
	struct gr_localtime lt = { y, m, d, hh, mm };
	return sched_to_utc(&lt, cfg->committee.timezone);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *conf, *text = NULL, err[512];
	size_t len;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_service.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	conf = util_asprintf("%s/gremiumd.conf", f->dir);
	if (util_read_file(TEST_SRCDIR "/etc/gremiumd.conf", 1 << 20, &text, &len) < 0 ||
	    util_write_atomic(conf, text, len, 0644) < 0 ||
	    config_load(conf, &f->cfg, stderr) < 0 || tmpl_load(NULL, &f->tmpl, stderr) < 0 ||
	    store_open(f->cfg->state, STORE_OPEN_SENDER, &f->db, err, sizeof(err)) < 0 ||
	    tr_new(f->cfg, &f->tr, err, sizeof(err), NULL) < 0)
		return -1;
	free(text);
	free(conf);
	f->seed = 42;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = util_asprintf("rm -rf '%s'", f->dir);

	tr_free(f->tr);
	store_close(f->db);
	tmpl_free(f->tmpl);
	config_free(f->cfg);
	if (cmd && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f);
	return 0;
}

/* Plan at now and send everything due; returns how many were sent. */
static size_t plan_and_send(struct fixture *f, time_t now, size_t want_planned)
{
	struct service_plan_info info;
	struct sender_sent sent;
	char err[512] = "";
	size_t n = 0;
	int r;

	r = service_plan(f->cfg, f->tmpl, f->db, NULL, now, &info, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(r, 0);
	assert_int_equal(info.enqueued, want_planned);
	while ((r = sender_send_one(f->cfg, f->db, f->tr, now, &f->seed, &sent, err, sizeof(err))) > 0) {
		assert_int_equal(sent.result, TR_SENT);
		n++;
	}
	assert_int_equal(r, 0);
	return n;
}

/* Decode quoted-printable soft breaks and =XX so texts can be searched. */
static char *qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	for (const char *p = s; out && *p; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (p[0] == '=' && p[1] && p[2] && strchr("0123456789ABCDEF", p[1]) &&
		           strchr("0123456789ABCDEF", p[2])) {
			char hex[3] = { p[1], p[2], 0 };
			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	if (out)
		*o = '\0';
	return out;
}

/* The decoded text of every mail in the maildir whose headers contain
 * `header`, concatenated; and how many there were. */
static char *mails_with(struct fixture *f, const char *header, int *ret_n)
{
	char *dir = util_asprintf("%s/var/outbox/new", f->dir), *all = strdup("");
	DIR *d = opendir(dir);
	struct dirent *e;

	*ret_n = 0;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char *path, *text = NULL, *dec, *joined;
		if (e->d_name[0] == '.')
			continue;
		path = util_asprintf("%s/%s", dir, e->d_name);
		assert_int_equal(util_read_file(path, 1 << 20, &text, NULL), 0);
		if (strstr(text, header)) {
			(*ret_n)++;
			dec = qp_decode(text);
			joined = util_asprintf("%s%s", all, dec);
			free(all);
			free(dec);
			all = joined;
		}
		free(text);
		free(path);
	}
	closedir(d);
	free(dir);
	return all;
}

/* Join iCalendar's folded lines (CRLF + space) in place. */
static void unfold(char *s)
{
	char *o = s;

	for (const char *p = s; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 2;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
}

static void test_invitations_once(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	char *all;
	int n;

	/* 14 members x (online series + 2 in-person meetings of 2027), and
	 * the moved January meeting as a REQUEST of its own (issue 12) */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 0), 0);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 29, 9, 0), 0), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 56);
	assert_int_equal(c.queued, 0);

	all = mails_with(f, "X-Gremium-Kind: invitation", &n);
	assert_int_equal(n, 42);
	assert_non_null(strstr(all, "METHOD:REQUEST"));
	assert_non_null(strstr(all, "Nächste Sitzung: Mittwoch, 20. Januar 2027, 14:00 Uhr"));
	assert_non_null(strstr(all, "X-Gremium-Occurrence: 2027-03-17T10:00"));
	assert_null(strstr(all, "{"));
	/* no override in a series invitation; what members must read is in
	 * DESCRIPTION too, who uses invitations and who the feed */
	assert_null(strstr(all, "RECURRENCE-ID"));
	unfold(all);
	assert_non_null(strstr(all, "\\n\\nThemen für die Tagesordnung bitte bis 7 Tage vor der Sitzung "
	                            "an themen@fitko.example."));
	assert_non_null(strstr(all, "Diese Einladung ist für die Mitglieder des Gremiums"));
	assert_non_null(strstr(all, "Abonnieren Sie bitte nicht zusätzlich"));
	free(all);
	all = mails_with(f, "X-Gremium-Kind: update", &n);
	assert_int_equal(n, 14);
	assert_non_null(strstr(all, "RECURRENCE-ID;TZID=Europe/Berlin:20270113T100000"));
	assert_non_null(strstr(all, "DTSTART;TZID=Europe/Berlin:20270120T140000"));
	assert_non_null(strstr(all, "SEQUENCE:1"));
	free(all);
}

static void test_update_says_what_changed(void **state)
{
	struct fixture *f = *state;
	struct gr_series *online = &f->cfg->series[0];
	struct gr_exception *move = &f->cfg->exceptions[1];
	char *all;
	int n;

	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	/* the admin moves the room and the January meeting once more */
	free(online->location);
	online->location = strdup("Rathaus Bonn, Saal 2"); /* config_free() frees it */
	move->move_to = (struct gr_localtime){ 2027, 1, 21, 10, 0 };
	/* the series' update, then the moved meeting's again (SEQUENCE 2) */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 1, 12, 0), 28), 28);
	all = mails_with(f, "X-Gremium-Kind: update", &n);
	assert_int_equal(n, 42);
	assert_non_null(strstr(all, "Neuer Ort: Rathaus Bonn, Saal 2"));
	assert_non_null(strstr(all, "Die Sitzung am 13. Januar 2027 wird auf Donnerstag, 21. Januar 2027, "
	                            "10:00 Uhr verschoben."));
	assert_non_null(strstr(all, "SEQUENCE:1"));
	assert_non_null(strstr(all, "SEQUENCE:2"));
	free(all);
}

static void test_removed_member_gets_cancellations(void **state)
{
	struct fixture *f = *state;
	const struct gr_member *leaver = &f->cfg->members[f->cfg->n_members - 1];
	char *all, header[256];
	int n;

	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	f->cfg->n_members--;
	/* one CANCEL per object still ahead, then nothing more */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 1, 9, 0), 3), 3);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 2, 9, 0), 0), 0);
	f->cfg->n_members++;
	all = mails_with(f, "X-Gremium-Kind: cancellation", &n);
	assert_int_equal(n, 3);
	snprintf(header, sizeof(header), "<%s>", leaver->email);
	assert_non_null(strstr(all, header));
	assert_non_null(strstr(all, "METHOD:CANCEL"));
	assert_non_null(strstr(all, "STATUS:CANCELLED"));
	assert_non_null(strstr(all, "entfallen für Sie"));
	assert_null(strstr(all, "sagen Sie"));
	free(all);
}

/* An smtp transport to port 1 on loopback: connection refused, a
 * temporary failure.  Caller frees. */
static struct transport *refused_smtp(struct fixture *f)
{
	struct gr_delivery *dl = &f->cfg->delivery;
	struct transport *smtp = NULL;
	char err[512];

	dl->transport = GR_TRANSPORT_SMTP;
	free(dl->smtp_url);
	dl->smtp_url = strdup("smtp://127.0.0.1:1");
	free(dl->username);
	dl->starttls_required = false;
	dl->username = NULL;
	dl->timeout = 5;
	assert_int_equal(tr_new(f->cfg, &smtp, err, sizeof(err), NULL), 0);
	return smtp;
}

static void test_temporary_then_gave_up(void **state)
{
	struct fixture *f = *state;
	struct gr_delivery *dl = &f->cfg->delivery;
	struct transport *smtp = NULL;
	struct service_plan_info info;
	struct sender_sent sent;
	struct store_counts c;
	struct store_failure *fl = NULL;
	size_t n_fl = 0;
	char err[512];
	time_t now = at(f->cfg, 2026, 11, 28, 9, 0);

	smtp = refused_smtp(f);
	assert_int_equal(service_plan(f->cfg, f->tmpl, f->db, NULL, now, &info, err, sizeof(err)), 0);
	assert_int_equal(sender_send_one(f->cfg, f->db, smtp, now, &f->seed, &sent, err, sizeof(err)), 1);
	assert_int_equal(sent.result, TR_TEMPORARY);
	assert_false(sent.gave_up);
	assert_true(sent.retry_at > now && sent.retry_at <= now + 60);
	assert_true(sent.reply[0] != '\0');
	/* within retry_for_hours it stays queued ... */
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.queued, 56);
	/* ... after them it counts as permanent, with the reason kept */
	now += (time_t)dl->retry_for_hours * 3600 + 1;
	assert_int_equal(sender_send_one(f->cfg, f->db, smtp, now, &f->seed, &sent, err, sizeof(err)), 1);
	assert_true(sent.gave_up);
	assert_int_equal(store_failures(f->db, &fl, &n_fl), 0);
	assert_int_equal(n_fl, 1);
	assert_string_equal(fl[0].recipient, sent.recipient);
	assert_true(fl[0].answer && fl[0].answer[0]);
	store_failures_free(fl, n_fl);
	tr_free(smtp);
}

/* The example with 40 members (120 invitations and 40 updates of the moved
 * meeting due on 28 November 2026)
 * and a state of its own; *ret_db is a sender's store. */
static void big_config(struct fixture *f, struct gr_config **ret_cfg, struct store **ret_db)
{
	char *text = NULL, *members = NULL, *conf, *state_db, *start, *end, *st, *body;
	char err[512] = "";
	size_t len;

	assert_int_equal(util_read_file(TEST_SRCDIR "/etc/gremiumd.conf", 1 << 20, &text, &len), 0);
	start = strstr(text, "\nmembers = (");
	assert_non_null(start);
	end = strstr(start, "\n);");
	assert_non_null(end);
	st = strstr(end, "\nstate = ");
	assert_non_null(st);
	for (int i = 0; i < 40; i++) {
		char *more = util_asprintf("%s%s  { name = \"Mitglied %d\"; email = \"m%02d@big.example\";"
		                           " group = \"kgst\"; }", members ? members : "",
		                           members ? ",\n" : "", i, i);
		free(members);
		members = more;
	}
	state_db = util_asprintf("%s/big.db", f->dir);
	conf = util_asprintf("%s/big.conf", f->dir);
	body = util_asprintf("%.*s\nmembers = (\n%s%.*s\nstate = \"%s\";%s", (int)(start - text), text,
	                     members, (int)(st - end), end, state_db, strchr(st + 1, '\n'));
	assert_int_equal(util_write_atomic(conf, body, strlen(body), 0644), 0);
	assert_int_equal(config_load(conf, ret_cfg, stderr), 0);
	assert_int_equal(store_open((*ret_cfg)->state, STORE_OPEN_SENDER, ret_db, err, sizeof(err)), 0);
	free(body);
	free(text);
	free(members);
	free(conf);
	free(state_db);
}

/*
 * A plan of 160 mails is rendered by threads: every outbox entry
 * holds exactly the bytes service_render() gives for its action on this
 * thread (rendering is deterministic: the MIME boundaries come from the
 * Message-ID), none is missing or in another's place.
 */
static void test_threaded_render_matches(void **state)
{
	struct fixture *f = *state;
	struct gr_config *big = NULL;
	struct store *db = NULL;
	struct service_plan_info info;
	struct sched_list occ = { 0 };
	struct store_state empty = { 0 };
	struct plan_result res = { 0 };
	struct store_entry e;
	char err[512] = "";
	size_t matched = 0;
	time_t now;

	big_config(f, &big, &db);
	now = at(big, 2026, 11, 28, 9, 0);
	assert_int_equal(service_plan(big, f->tmpl, db, NULL, now, &info, err, sizeof(err)), 0);
	assert_int_equal(info.enqueued, 160);
	assert_int_equal(service_occurrences(big, now, &occ), 0);
	assert_int_equal(plan_run(big, &occ, &empty, now, &res), 0);
	assert_int_equal(res.n_actions, 160);
	while (store_outbox_claim(db, now, &e) == 0) {
		for (size_t i = 0; i < res.n_actions; i++) {
			char *msg = NULL;
			size_t msg_len = 0;

			if (strcmp(res.actions[i].message_id, e.message_id) != 0)
				continue;
			assert_int_equal(service_render(big, f->tmpl, &occ, NULL, &res.actions[i], now, &msg,
			                                &msg_len, err, sizeof(err)), 0);
			assert_int_equal(msg_len, e.message_len);
			assert_memory_equal(msg, e.message, msg_len);
			matched++;
			free(msg);
		}
		store_entry_free(&e);
	}
	assert_int_equal(matched, 160);

	plan_result_free(&res);
	sched_list_free(&occ);
	store_close(db);
	config_free(big);
}

/*
 * Planning with a sender: the plan commits in chunks and the sender sends
 * what is committed while the rest is rendered.  The first mails are in the
 * maildir before the plan returns; in the end every one of the 120 is
 * there exactly once, and the outbox says sent for all.
 */
static void test_plan_while_sending(void **state)
{
	struct fixture *f = *state;
	struct gr_config *big = NULL;
	struct store *db = NULL;
	struct transport *tr = NULL;
	struct service_plan_info info;
	struct store_counts c;
	struct drained d = { 0 };
	struct sender_ops ops = { drained_outcome, drained_idle, &d };
	char err[512] = "", *all, *p;
	time_t now;
	int n;

	big_config(f, &big, &db);
	now = at(big, 2026, 11, 28, 9, 0);
	assert_int_equal(tr_new(big, &tr, err, sizeof(err), NULL), 0);
	assert_int_equal(sd_event_new(&d.ev), 0);
	assert_int_equal(sender_new(big, db, tr, d.ev, now, &ops, &d.sender), 0);
	assert_int_equal(service_plan(big, f->tmpl, db, d.sender, now, &info, err, sizeof(err)), 0);
	assert_int_equal(info.enqueued, 160);
	free(mails_with(f, "X-Gremium-Kind: invitation", &n));
	assert_true(n > 0);
	assert_true(n < 120);
	sender_kick(d.sender);
	assert_int_equal(sd_event_loop(d.ev), 0);
	assert_int_equal(d.idle_r, 0);
	assert_int_equal(d.sent, 160);
	assert_int_equal(d.deferred + d.failed, 0);
	assert_int_equal(store_counts(db, &c), 0);
	assert_int_equal(c.sent, 160);
	assert_int_equal(c.queued, 0);
	all = mails_with(f, "X-Gremium-Kind: invitation", &n);
	assert_int_equal(n, 120);
	/* each member's three invitations, once each */
	for (int i = 0; i < 40; i++) {
		char to[64];
		int k = 0;

		snprintf(to, sizeof(to), "<m%02d@big.example>", i);
		for (p = strstr(all, to); p; p = strstr(p + 1, to))
			k++;
		assert_int_equal(k, 3);
	}
	free(all);
	sender_free(d.sender);
	sd_event_unref(d.ev);
	tr_free(tr);
	store_close(db);
	config_free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invitations_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threaded_render_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_while_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_says_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_member_gets_cancellations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temporary_then_gave_up, setup, teardown),
	};
	int r;

	mail_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	mail_shutdown();
	return r;
}
