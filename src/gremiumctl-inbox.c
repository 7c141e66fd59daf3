/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl inbox [--held] [--json], inbox accept ID [--meeting WHEN]:
 * what came into the committee's mailbox and what became of it, and the
 * chair's decision on a held mail: it becomes a topic (DESIGN.md, phase 2).
 * Nothing is answered from here: a held mail came from a stranger or was
 * unclear, and strangers are never answered (no backscatter).
 */
#include "autoconfig.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "gremiumctl.h"
#include "letter.h"
#include "plan.h"
#include "store.h"
#include "topics.h"
#include "util.h"

/* A topic's title, as letter_title() caps it. */
#define INBOX_TITLE_MAX 200

/* ---- listing ---- */

static void print_json(const struct gr_config *cfg, const struct store_inbox *m, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n " : "", stdout);
		ctl_json_key(true, "id");
		printf("%lld", (long long)m[i].id);
		ctl_json_str(false, "message_id", m[i].message_id);
		ctl_json_str(false, "from", m[i].sender);
		ctl_json_str(false, "subject", m[i].subject);
		ctl_json_time(false, "received", cfg, m[i].received);
		ctl_json_str(false, "class", m[i].class);
		ctl_json_str(false, "outcome", m[i].outcome);
		putchar('}');
	}
	puts("]");
}

static void print_table(const struct gr_config *cfg, const struct store_inbox *m, size_t n)
{
	static const char *const head[] = { "ID", "RECEIVED", "FROM", "CLASS", "SUBJECT",
		                            "OUTCOME" };
	size_t w[5] = { 2, 16, 4, 5, 7 };
	char id[24], rec[32];

	if (n == 0) {
		puts("no mail");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t a = ctl_width(m[i].sender ? m[i].sender : "-");
		size_t b = ctl_width(m[i].class), c = ctl_width(m[i].subject ? m[i].subject : "-");

		snprintf(id, sizeof(id), "%lld", (long long)m[i].id);
		w[0] = strlen(id) > w[0] ? strlen(id) : w[0];
		w[2] = a > w[2] ? a : w[2];
		w[3] = b > w[3] ? b : w[3];
		w[4] = c > w[4] ? c : w[4];
	}
	/* a subject may be long: it does not push the outcome out of sight */
	w[4] = w[4] > 50 ? 50 : w[4];
	for (size_t k = 0; k < 5; k++)
		ctl_print_padded(head[k], w[k]);
	puts(head[5]);
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%*lld", (int)w[0], (long long)m[i].id);
		ctl_local_time(cfg, m[i].received, rec, sizeof(rec));
		ctl_print_padded(id, w[0]);
		ctl_print_padded(rec, w[1]);
		ctl_print_padded(m[i].sender ? m[i].sender : "-", w[2]);
		ctl_print_padded(m[i].class, w[3]);
		ctl_print_padded(m[i].subject && m[i].subject[0] ? m[i].subject : "-", w[4]);
		ctl_print_text(m[i].outcome[0] ? m[i].outcome : "-");
		putchar('\n');
	}
}

static int inbox_list(struct ctl *ctl, bool held, bool json)
{
	struct store_inbox *m = NULL;
	struct store *db = NULL;
	size_t n = 0;
	int r = ctl_open_state(ctl, "inbox", &db);

	if (r != 0)
		return r;
	r = store_inbox_list(db, held, &m, &n);
	if (r < 0)
		r = ctl_store_error("inbox", db, r);
	else if (json)
		print_json(ctl->cfg, m, n);
	else
		print_table(ctl->cfg, m, n);
	store_inbox_free(m, n);
	store_close(db);
	return r != 0 ? r : ctl_output_done("inbox");
}

/* ---- accept ---- */

/*
 * The title of a held mail's topic into buf: its subject without reply
 * prefixes, else the first line of its text, else "(no subject)"; one
 * line (control characters become spaces), at most INBOX_TITLE_MAX bytes
 * cut at a character boundary.
 */
static void held_title(const struct store_inbox *m, char *buf, size_t len)
{
	const char *s = letter_skip_prefixes(m->subject ? m->subject : "");
	size_t n = 0;

	if (!*s && m->text)
		s = m->text + strspn(m->text, " \t\r\n");
	for (; *s && *s != '\n' && n + 1 < len && n < INBOX_TITLE_MAX; s++)
		buf[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	if (((unsigned char)*s & 0xc0) == 0x80) {
		/* cut inside a character: drop its first bytes too */
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, len, "(no subject)");
}

/* The topic of held mail m for meeting o, and m's new outcome (inside
 * the caller's transaction).  0 and *t (its id and position set), or a
 * store code. */
static int accept_row(const struct gr_config *cfg, struct store *db,
                      const struct store_inbox *m, struct store_topic *t)
{
	const struct gr_member *member = ctl_member(cfg, m->sender);
	char outcome[256];
	int r;

	/* a stranger's mail keeps the address it came from */
	t->member = member ? member->email : m->sender;
	t->name = member ? member->name : NULL;
	t->organisation = member ? member->organisation : NULL;
	t->text = m->text;
	t->received = m->received;
	t->source = (char *)"mail";
	t->inbox_id = m->id;
	r = store_topic_add(db, t);
	if (r == 0) {
		snprintf(outcome, sizeof(outcome), "topic %lld for %s (accepted by the chair)",
		         (long long)t->id, t->meeting);
		r = store_inbox_set_outcome(db, m->id, NULL, outcome, false);
	}
	return r;
}

/* The meeting of an accepted mail: WHEN, or the next one still open for
 * topics.  0 and *ret, or a sysexits code. */
static int accept_meeting(const struct ctl *ctl, const struct ctl_meetings *m,
                          const char *when, const struct gr_occurrence **ret)
{
	if (when)
		return ctl_meeting_find(ctl, m, "inbox accept", when, ret);
	*ret = topics_next_open(ctl->cfg, &m->occ, NULL, m->now);
	if (!*ret) {
		ctl_error("gremiumctl: inbox accept: no meeting ahead is open for topics;"
		          " name one with --meeting WHEN");
		return EX_DATAERR;
	}
	return 0;
}

static int inbox_accept(struct ctl *ctl, const char *id_arg, const char *when)
{
	const char *cmd = "inbox accept";
	const struct gr_occurrence *o = NULL;
	struct store_inbox row = { 0 };
	struct ctl_meetings m = { 0 };
	struct store *db = NULL;
	char uid[512], meeting[PLAN_LOCAL_LEN], title[INBOX_TITLE_MAX + 8];
	int64_t id;
	int r = ctl_parse_id(cmd, "ID", id_arg, &id);

	if (r == 0)
		r = ctl_open_state_rw(ctl, cmd, &db);
	if (r != 0)
		return r;
	/* one transaction from reading the row on: two chairs accepting the
	 * same mail make one topic, the second is told it is not held */
	r = store_begin(db);
	if (r == 0)
		r = store_inbox_get(db, id, &row);
	if (r < 0)
		r = ctl_store_error(cmd, db, r);
	else if (!row.held) {
		ctl_error("gremiumctl: %s: inbox %lld is not held for the chair (%s: %s)", cmd,
		          (long long)id, row.class, row.outcome[0] ? row.outcome : "no outcome");
		r = EX_DATAERR;
	}
	if (r == 0 && (r = ctl_meetings_load(ctl, cmd, db, time(NULL), &m)) == 0)
		r = accept_meeting(ctl, &m, when, &o);
	if (r == 0 && ctl_occurrence_uid(ctl->cfg, m.pub, m.n_pub, o, uid, sizeof(uid)) < 0) {
		ctl_error("gremiumctl: %s: no UID for the meeting", cmd);
		r = EX_SOFTWARE;
	}
	if (r == 0) {
		struct store_topic t = { .uid = uid, .meeting = meeting, .series = o->series->id,
			                 .title = title };

		ctl_when(&o->start, meeting, sizeof(meeting));
		held_title(&row, title, sizeof(title));
		r = accept_row(ctl->cfg, db, &row, &t);
		if (r == 0)
			r = store_commit(db);
		if (r < 0)
			r = ctl_store_error(cmd, db, r);
		else
			printf("inbox %lld accepted: topic %lld, TOP %d of %s (%s)\n", (long long)id,
			       (long long)t.id, t.position, meeting, o->series->id);
	}
	ctl_meetings_free(&m);
	store_inbox_clear(&row);
	store_close(db);
	return r != 0 ? r : ctl_output_done(cmd);
}

int cmd_inbox(struct ctl *ctl, int argc, char **argv)
{
	static const struct option options[] = {
		{ "held", no_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "meeting", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *meeting = NULL;
	bool held = false, json = false, accept;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'H')
			held = true;
		else if (c == 'j')
			json = true;
		else if (c == 'm')
			meeting = optarg;
		else {
			ctl_error("gremiumctl: inbox: bad option '%s'", argv[optind - 1]);
			return EX_USAGE;
		}
	}
	accept = optind < argc && strcmp(argv[optind], "accept") == 0;
	if (accept && optind + 2 == argc && !held && !json)
		return inbox_accept(ctl, argv[optind + 1], meeting);
	if (accept || optind < argc || meeting) {
		ctl_error("gremiumctl: inbox: wants [--held] [--json], or accept ID"
		          " [--meeting WHEN]");
		return EX_USAGE;
	}
	return inbox_list(ctl, held, json);
}
