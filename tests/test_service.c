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
#include <sys/stat.h>

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
	free(info.failures);
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

	/* 14 members x (online series, the moved January meeting as an
	 * object of its own (issue 12), 2 in-person meetings of 2027) */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 0), 0);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 29, 9, 0), 0), 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 56);
	assert_int_equal(c.queued, 0);

	all = mails_with(f, "X-Gremium-Kind: invitation", &n);
	assert_int_equal(n, 56);
	assert_non_null(strstr(all, "METHOD:REQUEST"));
	assert_non_null(strstr(all, "Nächste Sitzung: Mittwoch, 20. Januar 2027, 14:00 Uhr"));
	assert_non_null(strstr(all, "X-Gremium-Occurrence: 2027-03-17T10:00"));
	assert_null(strstr(all, "{"));
	/* no override in a series invitation but an EXDATE for the moved
	 * meeting, which has a UID of its own; what members must read is in
	 * DESCRIPTION too, who uses invitations and who the feed */
	assert_null(strstr(all, "RECURRENCE-ID"));
	assert_non_null(strstr(all, "\r\nEXDATE;TZID=Europe/Berlin:20270113T100000\r\n"));
	assert_non_null(strstr(all, "UID:online+moved-20270113.kommunalgremium@fitko.example\r\n"));
	assert_non_null(strstr(all, "DTSTART;TZID=Europe/Berlin:20270120T140000"));
	unfold(all);
	/* the moved meeting says which regular one it replaces, and why */
	assert_non_null(strstr(all, "Die Sitzung am 13. Januar 2027 wird auf Mittwoch\\, 20. Januar "
	                            "2027\\, 14:00 Uhr verschoben."));
	assert_non_null(strstr(all, "Verschoben wegen der Sitzung des IT-Planungsrats"));
	assert_non_null(strstr(all, "\\n\\nThemen für die Tagesordnung bitte bis 7 Tage vor der Sitzung "
	                            "an themen@fitko.example."));
	assert_non_null(strstr(all, "Diese Einladung ist für die Mitglieder des Gremiums"));
	assert_non_null(strstr(all, "Abonnieren Sie bitte nicht zusätzlich"));
	free(all);
	free(mails_with(f, "X-Gremium-Kind: update", &n));
	assert_int_equal(n, 0);
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
	/* the series' update, and the moved meeting's (its object's SEQUENCE 1) */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 1, 12, 0), 28), 28);
	all = mails_with(f, "X-Gremium-Kind: update", &n);
	assert_int_equal(n, 28);
	assert_non_null(strstr(all, "Neuer Ort: Rathaus Bonn, Saal 2"));
	assert_non_null(strstr(all, "Die Sitzung am 13. Januar 2027 wird auf Donnerstag, 21. Januar 2027, "
	                            "10:00 Uhr verschoben."));
	assert_non_null(strstr(all, "UID:online+moved-20270113.kommunalgremium@fitko.example\r\n"));
	assert_non_null(strstr(all, "SEQUENCE:1"));
	assert_null(strstr(all, "SEQUENCE:2"));
	assert_null(strstr(all, "RECURRENCE-ID"));
	free(all);
}

/* Issue 12: the moved meeting cancelled (the exception now says cancel):
 * one CANCEL of its own object to each member, at the time they hold it,
 * with the reason; nothing for the series, which keeps the EXDATE. */
static void test_moved_meeting_cancelled(void **state)
{
	struct fixture *f = *state;
	struct gr_exception *move = &f->cfg->exceptions[1];
	char *all;
	int n;

	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	assert_true(move->move);
	move->move = false;
	move->cancel = true;
	free(move->note);
	move->note = strdup("Entfällt mangels Themen"); /* config_free() frees it */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 1, 9, 0), 14), 14);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 2, 9, 0), 0), 0);
	all = mails_with(f, "X-Gremium-Kind: cancellation", &n);
	assert_int_equal(n, 14);
	assert_non_null(strstr(all, "METHOD:CANCEL"));
	assert_non_null(strstr(all, "UID:online+moved-20270113.kommunalgremium@fitko.example\r\n"));
	assert_non_null(strstr(all, "DTSTART;TZID=Europe/Berlin:20270120T140000"));
	assert_null(strstr(all, "BYDAY=2WE")); /* no series rule, only the zone's */
	assert_null(strstr(all, "RECURRENCE-ID"));
	assert_non_null(strstr(all, "COMMENT:Entfällt mangels Themen"));
	assert_non_null(strstr(all, "Mittwoch, 20. Januar 2027"));
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
	/* one CANCEL per object still ahead (the moved meeting's too), then
	 * nothing more */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 1, 9, 0), 4), 4);
	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 12, 2, 9, 0), 0), 0);
	f->cfg->n_members++;
	all = mails_with(f, "X-Gremium-Kind: cancellation", &n);
	assert_int_equal(n, 4);
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

/* The example with 40 members (160 invitations, the moved meeting's
 * among them, due on 28 November 2026)
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

/* A sender on a loop of d's own for big's store db, through *ret_tr (the
 * maildir); undo with stop_big_sender(). */
static void start_big_sender(struct gr_config *big, struct store *db, time_t now,
                             struct transport **ret_tr, struct drained *d)
{
	struct sender_ops ops = { drained_outcome, drained_idle, d };
	char err[512] = "";

	assert_int_equal(tr_new(big, ret_tr, err, sizeof(err), NULL), 0);
	assert_int_equal(sd_event_new(&d->ev), 0);
	assert_int_equal(sender_new(big, db, *ret_tr, d->ev, now, &ops, &d->sender), 0);
}

static void stop_big_sender(struct transport *tr, struct drained *d)
{
	sender_free(d->sender);
	sd_event_unref(d->ev);
	tr_free(tr);
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
	char err[512] = "", *all, *p;
	time_t now;
	int n;

	big_config(f, &big, &db);
	now = at(big, 2026, 11, 28, 9, 0);
	start_big_sender(big, db, now, &tr, &d);
	assert_int_equal(service_plan(big, f->tmpl, db, d.sender, now, &info, err, sizeof(err)), 0);
	assert_int_equal(info.enqueued, 160);
	free(mails_with(f, "X-Gremium-Kind: invitation", &n));
	assert_true(n > 0);
	assert_true(n < 160);
	sender_kick(d.sender);
	assert_int_equal(sd_event_loop(d.ev), 0);
	assert_int_equal(d.idle_r, 0);
	assert_int_equal(d.sent, 160);
	assert_int_equal(d.deferred + d.failed, 0);
	assert_int_equal(store_counts(db, &c), 0);
	assert_int_equal(c.sent, 160);
	assert_int_equal(c.queued, 0);
	all = mails_with(f, "X-Gremium-Kind: invitation", &n);
	assert_int_equal(n, 160);
	/* each member's four invitations, once each */
	for (int i = 0; i < 40; i++) {
		char to[64];
		int k = 0;

		snprintf(to, sizeof(to), "<m%02d@big.example>", i);
		for (p = strstr(all, to); p; p = strstr(p + 1, to))
			k++;
		assert_int_equal(k, 4);
	}
	free(all);
	stop_big_sender(tr, &d);
	store_close(db);
	config_free(big);
}

/* ---- one message that cannot be rendered stops no other ---- */

/* A string of n copies of c before suffix (freed by config_free()). */
static char *long_text(size_t n, char c, const char *suffix)
{
	char *t = malloc(n + strlen(suffix) + 1);

	assert_non_null(t);
	memset(t, c, n);
	strcpy(t + n, suffix);
	return t;
}

/* Plan at now; check the counts and return the new failures (caller
 * frees). */
static char *plan_failing(struct fixture *f, time_t now, size_t want_planned,
                          size_t want_unrenderable, size_t want_new)
{
	struct service_plan_info info;
	char err[512] = "";

	assert_int_equal(service_plan(f->cfg, f->tmpl, f->db, NULL, now, &info, err, sizeof(err)), 0);
	assert_int_equal(info.enqueued, want_planned);
	assert_int_equal(info.unrenderable, want_unrenderable);
	assert_int_equal(info.unrenderable_new, want_new);
	assert_true((info.failures != NULL) == (want_new > 0));
	return info.failures;
}

/* `status`: failed entries that say "cannot render: <why>" for address. */
static size_t listed_failures(struct fixture *f, const char *address, const char *why)
{
	struct store_failure *fl = NULL;
	size_t n_fl = 0, n = 0;

	assert_int_equal(store_failures(f->db, &fl, &n_fl), 0);
	for (size_t i = 0; i < n_fl; i++) {
		assert_true(strncmp(fl[i].answer, "cannot render: ", 15) == 0);
		if (strcmp(fl[i].recipient, address) == 0 && strstr(fl[i].answer, why))
			n++;
	}
	store_failures_free(fl, n_fl);
	return n;
}

/* A member whose address the mail cannot carry (260 octets, past the 254
 * of RFC 5321): the 13 others get their invitations; the three of theirs
 * are recorded as failed with the reason, logged once, and tried again
 * silently; a new address gets them. */
static void test_bad_member_alone(void **state)
{
	struct fixture *f = *state;
	struct gr_member *m = &f->cfg->members[5];
	time_t now = at(f->cfg, 2026, 11, 28, 9, 0);
	struct store_counts c;
	struct store_state st;
	char *lines, *good;
	int n = 0;

	free(m->email);
	m->email = long_text(248, 'a', "@x.example");
	lines = plan_failing(f, now, 52, 4, 4);
	assert_int_equal(plan_and_send(f, now, 0), 52);
	assert_non_null(strstr(lines, m->email));
	assert_non_null(strstr(lines, " (invitation): cannot render: the recipient's address is "
	                              "258 octets long, at most 254 fit (RFC 5321)\n"));
	assert_non_null(strstr(lines, " (invitation 2027-03-17T10:00): cannot render: "));
	assert_non_null(strstr(lines, " (invitation 2027-09-22T10:00): cannot render: "));
	free(lines);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.sent, 52);
	assert_int_equal(c.failed, 4);
	assert_int_equal(c.unrenderable, 4);
	assert_int_equal(listed_failures(f, m->email, "258 octets long"), 4);
	/* nothing recorded as sent to it: it is planned again, silently */
	assert_int_equal(store_read_state(f->db, &st), 0);
	for (size_t i = 0; i < st.n_objects; i++)
		assert_string_not_equal(st.objects[i].recipient, m->email);
	assert_int_equal(st.n_objects, 52);
	store_state_free(&st);
	assert_null(plan_failing(f, now + 60, 0, 4, 0));
	assert_null(plan_failing(f, now + 3600, 0, 4, 0));

	/* the admin fixes the address: the four go out */
	free(m->email);
	m->email = strdup("neu@kreis.example");
	assert_int_equal(plan_and_send(f, now + 7200, 4), 4);
	good = mails_with(f, "<neu@kreis.example>", &n);
	assert_int_equal(n, 4);
	free(good);
}

/* topics_address the mail cannot carry: the calls for topics fail, for
 * every member, and block nothing (the reminders go out); once it is
 * fixed, the calls go out and replace their failed entries. */
static void test_topics_address_fixed(void **state)
{
	struct fixture *f = *state;
	struct gr_committee *cm = &f->cfg->committee;
	char *old = cm->topics_address, *lines;
	struct store_counts c;
	int n;

	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	cm->topics_address = long_text(255, 't', "@fitko.example");
	lines = plan_failing(f, at(f->cfg, 2026, 12, 30, 9, 0), 0, 14, 14);
	assert_non_null(strstr(lines, "(topic-call 2027-01-20T14:00): cannot render: topics_address "
	                              "is 269 octets long"));
	free(lines);
	assert_null(plan_failing(f, at(f->cfg, 2026, 12, 31, 9, 0), 0, 14, 0));
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 14);
	assert_int_equal(c.unrenderable, 14);
	assert_int_equal(listed_failures(f, f->cfg->members[0].email, "topics_address"), 1);

	free(cm->topics_address);
	cm->topics_address = old;
	assert_int_equal(plan_and_send(f, at(f->cfg, 2027, 1, 2, 9, 0), 14), 14);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.unrenderable, 0);
	assert_int_equal(c.sent, 56 + 14);
	free(mails_with(f, "X-Gremium-Kind: topic-call", &n));
	assert_int_equal(n, 14);
}

static void test_topics_address_blocks_nothing(void **state)
{
	struct fixture *f = *state;
	struct gr_committee *cm = &f->cfg->committee;
	struct store_counts c;
	int n;

	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	free(cm->topics_address);
	cm->topics_address = long_text(255, 't', "@fitko.example");
	free(plan_failing(f, at(f->cfg, 2026, 12, 30, 9, 0), 0, 14, 14));
	/* the reminders a week before go out; the call's deadline is past */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2027, 1, 13, 9, 0), 14), 14);
	free(mails_with(f, "X-Gremium-Kind: reminder", &n));
	assert_int_equal(n, 14);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.failed, 14);
	assert_int_equal(c.sent, 56 + 14);
}

/* A reminder template that renders past 256 KiB with this config's
 * description: the reminders fail, nothing else; a shorter description
 * (and the updates it brings) lets them out. */
static void test_text_too_large(void **state)
{
	struct fixture *f = *state;
	struct gr_series *online = &f->cfg->series[0];
	struct tmpl_set *big_tmpl = NULL;
	char *dir = util_asprintf("%s/templates", f->dir), *file, *text, *lines, *old;
	struct tmpl_set *builtin = f->tmpl;
	size_t len = 0;
	int n;

	/* "Erinnerung\n\n" and 100 x {description}: 100 x 4 KB */
	assert_int_equal(mkdir(dir, 0700), 0);
	file = util_asprintf("%s/reminder.de.txt", dir);
	text = malloc(20 + 100 * 14);
	assert_non_null(text);
	len = (size_t)sprintf(text, "Erinnerung\n\n");
	for (int i = 0; i < 100; i++)
		len += (size_t)sprintf(text + len, "{description}\n");
	assert_int_equal(util_write_atomic(file, text, len, 0644), 0);
	assert_int_equal(tmpl_load(dir, &big_tmpl, stderr), 0);
	f->tmpl = big_tmpl;
	old = online->description;
	online->description = long_text(4000, 'x', "");

	assert_int_equal(plan_and_send(f, at(f->cfg, 2026, 11, 28, 9, 0), 56), 56);
	lines = plan_failing(f, at(f->cfg, 2027, 1, 13, 9, 0), 0, 14, 14);
	assert_non_null(strstr(lines, "(reminder 2027-01-20T14:00): cannot render: the text: longer "
	                              "than 256 KiB once filled in"));
	free(lines);
	free(online->description);
	online->description = old;
	/* each member: the series' update (the description changed), the
	 * moved meeting's update (its object has the description too) and
	 * the reminder */
	assert_int_equal(plan_and_send(f, at(f->cfg, 2027, 1, 13, 10, 0), 42), 42);
	free(mails_with(f, "X-Gremium-Kind: reminder", &n));
	assert_int_equal(n, 14);
	f->tmpl = builtin;
	tmpl_free(big_tmpl);
	free(text);
	free(file);
	free(dir);
}

/* A meeting whose UID does not fit (the dated series' id and the domain
 * together past 511 octets) fails for every member; the online series'
 * invitations go out. */
static void test_object_fails_alone(void **state)
{
	struct fixture *f = *state;
	struct gr_series *dated = &f->cfg->series[1];
	time_t now = at(f->cfg, 2026, 11, 28, 9, 0);
	char *lines;
	int n;

	assert_null(dated->rrule);
	free(dated->id);
	dated->id = long_text(500, 'p', "");
	lines = plan_failing(f, now, 28, 28, 28);
	assert_non_null(strstr(lines, " (invitation 2027-03-17T10:00): cannot render: its UID "));
	assert_non_null(strstr(lines, "... and 8 more\n"));
	free(lines);
	assert_int_equal(plan_and_send(f, now, 0), 28);
	free(mails_with(f, "X-Gremium-Kind: invitation", &n));
	assert_int_equal(n, 28); /* the series and its moved meeting */
	assert_int_equal(listed_failures(f, f->cfg->members[0].email, "UID"), 2);
}

/* A domain so long that no UID or Message-ID fits: every message fails,
 * with the reason; the plan itself does not (it used to, every minute). */
static void test_domain_too_long(void **state)
{
	struct fixture *f = *state;
	struct gr_committee *cm = &f->cfg->committee;
	char *lines;

	free(cm->domain);
	cm->domain = long_text(520, 'd', ".example");
	lines = plan_failing(f, at(f->cfg, 2026, 11, 28, 9, 0), 0, 56, 56);
	assert_non_null(strstr(lines, "cannot render: its UID (series id and committee.domain) is "
	                              "longer than 511 octets\n"));
	free(lines);
	assert_int_equal(listed_failures(f, f->cfg->members[0].email, "UID"), 4);
	assert_null(plan_failing(f, at(f->cfg, 2026, 11, 28, 10, 0), 0, 56, 0));
}

/* The same on the threaded path with a sender: 40 members, one of them
 * with an address the mail cannot carry; the 156 others are sent. */
static void test_threaded_bad_member(void **state)
{
	struct fixture *f = *state;
	struct gr_config *big = NULL;
	struct store *db = NULL;
	struct transport *tr = NULL;
	struct service_plan_info info;
	struct store_counts c;
	struct drained d = { 0 };
	char err[512] = "";
	time_t now;

	big_config(f, &big, &db);
	free(big->members[17].email);
	big->members[17].email = long_text(250, 'b', "@big.example");
	now = at(big, 2026, 11, 28, 9, 0);
	start_big_sender(big, db, now, &tr, &d);
	assert_int_equal(service_plan(big, f->tmpl, db, d.sender, now, &info, err, sizeof(err)), 0);
	assert_int_equal(info.enqueued, 156);
	assert_int_equal(info.unrenderable, 4);
	assert_int_equal(info.unrenderable_new, 4);
	free(info.failures);
	sender_kick(d.sender);
	assert_int_equal(sd_event_loop(d.ev), 0);
	assert_int_equal(d.sent, 156);
	assert_int_equal(d.deferred + d.failed, 0);
	assert_int_equal(store_counts(db, &c), 0);
	assert_int_equal(c.sent, 156);
	assert_int_equal(c.failed, 4);
	assert_int_equal(c.unrenderable, 4);
	assert_int_equal(c.queued, 0);
	stop_big_sender(tr, &d);
	store_close(db);
	config_free(big);
}

/* Issue 12: the feed from the state: the invitations' SEQUENCE, LAST-
 * MODIFIED, the same bytes until something changes, and after a change of
 * the room the meetings before it as they were. */
static void test_feed_from_state(void **state)
{
	struct fixture *f = *state;
	struct gr_series *online = &f->cfg->series[0];
	time_t now = at(f->cfg, 2026, 11, 28, 9, 0);
	char *a, *b;
	int r;

	a = service_feed(f->cfg, now, NULL, &r);
	assert_non_null(a);
	assert_non_null(strstr(a, "\r\nSEQUENCE:0\r\n"));
	assert_null(strstr(a, "\r\nSEQUENCE:1\r\n"));
	free(a);
	assert_int_equal(plan_and_send(f, now, 56), 56);
	a = service_feed(f->cfg, now, f->db, &r);
	b = service_feed(f->cfg, now + 3600, f->db, &r);
	assert_non_null(a);
	assert_string_equal(a, b); /* stable: the ETag too */
	/* the series and the moved meeting, an object of its own: each
	 * invited at SEQUENCE 0; the UIDs with the committee id */
	assert_non_null(strstr(a, "UID:online.kommunalgremium@fitko.example\r\nDTSTAMP:"));
	assert_non_null(strstr(a, "UID:online+moved-20270113.kommunalgremium@fitko.example\r\n"
	                          "DTSTAMP:"));
	assert_non_null(strstr(a, "\r\nEXDATE;TZID=Europe/Berlin:20270113T100000\r\n"));
	assert_null(strstr(a, "RECURRENCE-ID"));
	assert_null(strstr(a, "\r\nSEQUENCE:1\r\n"));
	assert_null(strstr(a, "ATTENDEE"));
	free(a);
	free(b);
	/* the room changes on 1 March 2027 */
	free(online->location);
	online->location = strdup("Rathaus Bonn, Saal 2"); /* config_free() frees it */
	now = at(f->cfg, 2027, 3, 1, 9, 0);
	/* the series' update, and the late call for topics of 17 March */
	plan_and_send(f, now, 28);
	a = service_feed(f->cfg, now, f->db, &r);
	assert_non_null(a);
	assert_non_null(strstr(a, "LAST-MODIFIED:20270301T080000Z"));
	assert_non_null(strstr(a, "LOCATION:Rathaus Bonn\\, Saal 2"));
	/* February's meeting as it was */
	assert_non_null(strstr(a, "LOCATION:Videokonferenz\r\n"));
	assert_non_null(strstr(a, "RECURRENCE-ID;TZID=Europe/Berlin:20270210T100000"));
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invitations_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_from_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threaded_render_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_while_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_says_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_member_gets_cancellations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_meeting_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temporary_then_gave_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_member_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topics_address_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topics_address_blocks_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_fails_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threaded_bad_member, setup, teardown),
	};
	int r;

	mail_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	mail_shutdown();
	return r;
}
