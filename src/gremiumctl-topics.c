/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl topics, topic add|withdraw|move|order: the chair's view of the
 * members' topics and the edits of each meeting's agenda (DESIGN.md, phase
 * 2).  They write the state database while gremiumd runs (opened without
 * STORE_OPEN_SENDER); the daemon notices through store_change_counter().
 */
#include "autoconfig.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "gremiumctl.h"
#include "plan.h"
#include "store.h"
#include "util.h"

/* A title is one line, as a mail's subject (letter_title()'s cap). */
#define TOPIC_TITLE_MAX 200
/* The text, as much as a letter keeps (LETTER_MAX_TEXT). */
#define TOPIC_TEXT_MAX (64 * 1024)

/* ---- listing ---- */

static void print_json(const struct gr_config *cfg, const struct store_topic *t, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n " : "", stdout);
		ctl_json_key(true, "id");
		printf("%lld", (long long)t[i].id);
		ctl_json_str(false, "meeting", t[i].meeting);
		ctl_json_str(false, "series", t[i].series);
		ctl_json_key(false, "position");
		/* a withdrawn topic has no place on the agenda */
		if (t[i].position > 0)
			printf("%d", t[i].position);
		else
			fputs("null", stdout);
		ctl_json_str(false, "title", t[i].title);
		ctl_json_str(false, "text", t[i].text);
		ctl_json_str(false, "member", t[i].member);
		ctl_json_str(false, "organisation", t[i].organisation);
		ctl_json_time(false, "received", cfg, t[i].received);
		ctl_json_str(false, "source", t[i].source);
		ctl_json_str(false, "state", t[i].state);
		putchar('}');
	}
	puts("]");
}

/* The member column: the name as recorded, else the address; "-" for the
 * chair's own topic. */
static const char *who(const struct store_topic *t)
{
	return t->name ? t->name : t->member ? t->member : "-";
}

static void print_table(const struct gr_config *cfg, const struct store_topic *t, size_t n)
{
	static const char *const head[] = { "MEETING", "TOP", "ID", "TITLE", "MEMBER",
		                            "ORGANISATION", "RECEIVED", "SOURCE" };
	size_t w[8] = { 16, 3, 2, 5, 6, 12, 16, 6 };
	char top[16], id[24], rec[32];

	if (n == 0) {
		puts("no topics");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t a = ctl_width(t[i].title), b = ctl_width(who(&t[i]));
		size_t c = t[i].organisation ? ctl_width(t[i].organisation) : 1;

		w[3] = a > w[3] ? a : w[3];
		w[4] = b > w[4] ? b : w[4];
		w[5] = c > w[5] ? c : w[5];
		snprintf(id, sizeof(id), "%lld", (long long)t[i].id);
		w[2] = strlen(id) > w[2] ? strlen(id) : w[2];
	}
	for (size_t k = 0; k < 7; k++)
		ctl_print_padded(head[k], w[k]);
	puts(head[7]);
	for (size_t i = 0; i < n; i++) {
		bool active = strcmp(t[i].state, "active") == 0;

		snprintf(top, sizeof(top), "%*d", (int)w[1], t[i].position);
		snprintf(id, sizeof(id), "%*lld", (int)w[2], (long long)t[i].id);
		ctl_local_time(cfg, t[i].received, rec, sizeof(rec));
		ctl_print_padded(t[i].meeting, w[0]);
		ctl_print_padded(active ? top : "  -", w[1]);
		ctl_print_padded(id, w[2]);
		ctl_print_padded(t[i].title, w[3]);
		ctl_print_padded(who(&t[i]), w[4]);
		ctl_print_padded(t[i].organisation ? t[i].organisation : "-", w[5]);
		ctl_print_padded(rec, w[6]);
		printf("%s%s\n", t[i].source, active ? "" : " (withdrawn)");
	}
}

/*
 * --meeting WHEN of `topics`: a meeting of the schedule, or one that has
 * topics recorded (a meeting cancelled after they came in: the chair must
 * still see them to move them).  0 or a sysexits code.
 */
static int listed_meeting(const struct ctl *ctl, struct store *db, const char *when,
                          size_t n_recorded)
{
	struct ctl_meetings m;
	const struct gr_occurrence *o;
	int r;

	if (n_recorded > 0)
		return 0;
	r = ctl_meetings_load(ctl, "topics", db, time(NULL), &m);
	if (r == 0)
		r = ctl_meeting_find(ctl, &m, "topics", when, &o);
	ctl_meetings_free(&m);
	return r;
}

int cmd_topics(struct ctl *ctl, int argc, char **argv)
{
	static const struct option options[] = {
		{ "meeting", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *meeting = NULL;
	struct store_topic *t = NULL;
	struct store *db = NULL;
	bool json = false;
	size_t n = 0;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'm')
			meeting = optarg;
		else if (c == 'j')
			json = true;
		else {
			ctl_error("gremiumctl: topics: bad option '%s'", argv[optind - 1]);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		ctl_error("gremiumctl: topics: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	r = ctl_open_state(ctl, "topics", &db);
	if (r != 0)
		return r;
	r = store_topic_list(db, meeting, true, &t, &n);
	r = r < 0 ? ctl_store_error("topics", db, r) : 0;
	if (r == 0 && meeting)
		r = listed_meeting(ctl, db, meeting, n);
	if (r == 0 && json)
		print_json(ctl->cfg, t, n);
	else if (r == 0)
		print_table(ctl->cfg, t, n);
	store_topic_free(t, n);
	store_close(db);
	return r != 0 ? r : ctl_output_done("topics");
}

/* ---- edits ---- */

struct edit_opts {
	const char *meeting, *title, *member, *text, *to;
	char **args;            /* the operands (ID, N) */
	int n_args;
};

/* The options of `topic VERB`: argv[0] is VERB.  allowed: the option
 * letters VERB takes. */
static int edit_args(const char *cmd, const char *allowed, int argc, char **argv,
                     struct edit_opts *ret)
{
	static const struct option options[] = {
		{ "meeting", required_argument, NULL, 'm' },
		{ "title", required_argument, NULL, 't' },
		{ "member", required_argument, NULL, 'M' },
		{ "text", required_argument, NULL, 'x' },
		{ "to", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct edit_opts o = { 0 };
	int c, k = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, &k)) != -1) {
		if (c == '?' || !strchr(allowed, c)) {
			/* a known option of another verb took its argument: name it */
			ctl_error("gremiumctl: %s: bad option '%s%s'", cmd, c == '?' ? "" : "--",
			          c == '?' ? argv[optind - 1] : options[k].name);
			return EX_USAGE;
		}
		*(c == 'm' ? &o.meeting : c == 't' ? &o.title : c == 'M' ? &o.member
		  : c == 'x' ? &o.text : &o.to) = optarg;
	}
	o.args = argv + optind;
	o.n_args = argc - optind;
	*ret = o;
	return 0;
}

/* What a chair may type as a title or text: UTF-8, a title on one line. */
static int check_text(const char *cmd, const char *what, const char *s, size_t max,
                      bool one_line)
{
	if (!util_utf8_valid((const unsigned char *)s) ||
	    (one_line ? util_has_control(s, false) : false)) {
		ctl_error("gremiumctl: %s: %s must be UTF-8 text%s", cmd, what,
		          one_line ? " on one line" : "");
		return EX_DATAERR;
	}
	if (strlen(s) > max || (one_line && !s[strspn(s, " ")])) {
		ctl_error("gremiumctl: %s: %s must have 1..%zu bytes", cmd, what, max);
		return EX_DATAERR;
	}
	return 0;
}

/* Open the state and find the meeting at WHEN: 0 with *ret_db, *m, *ret_o
 * and uid (caller closes and frees), or a sysexits code. */
static int open_meeting(const struct ctl *ctl, const char *cmd, const char *when,
                        struct store **ret_db, struct ctl_meetings *m,
                        const struct gr_occurrence **ret_o, char *uid, size_t len)
{
	struct store *db = NULL;
	int r = ctl_open_state_rw(ctl, cmd, &db);

	if (r != 0)
		return r;
	r = ctl_meetings_load(ctl, cmd, db, time(NULL), m);
	if (r == 0 && (r = ctl_meeting_find(ctl, m, cmd, when, ret_o)) != 0)
		ctl_meetings_free(m);
	if (r == 0 && ctl_occurrence_uid(ctl->cfg, m->pub, m->n_pub, *ret_o, uid, len) < 0) {
		ctl_error("gremiumctl: %s: no UID for the meeting at %s", cmd, when);
		ctl_meetings_free(m);
		r = EX_SOFTWARE;
	}
	if (r != 0) {
		store_close(db);
		return r;
	}
	*ret_db = db;
	return 0;
}

static int topic_add(struct ctl *ctl, int argc, char **argv)
{
	const char *cmd = "topic add";
	const struct gr_member *member = NULL;
	const struct gr_occurrence *o;
	struct ctl_meetings m = { 0 };
	struct store *db = NULL;
	struct edit_opts a;
	char uid[512], when[PLAN_LOCAL_LEN];
	int r = edit_args(cmd, "mtMx", argc, argv, &a);

	if (r != 0)
		return r;
	if (!a.meeting || !a.title || a.n_args > 0) {
		ctl_error("gremiumctl: %s: wants --meeting WHEN --title TEXT [--member ADDRESS]"
		          " [--text TEXT]", cmd);
		return EX_USAGE;
	}
	r = check_text(cmd, "the title", a.title, TOPIC_TITLE_MAX, true);
	if (r == 0 && a.text)
		r = check_text(cmd, "the text", a.text, TOPIC_TEXT_MAX, false);
	if (r != 0)
		return r;
	if (a.member && !(member = ctl_member(ctl->cfg, a.member))) {
		ctl_error("gremiumctl: %s: %s is not the address of a member of the config", cmd,
		          a.member);
		return EX_DATAERR;
	}
	r = open_meeting(ctl, cmd, a.meeting, &db, &m, &o, uid, sizeof(uid));
	if (r != 0)
		return r;
	ctl_when(&o->start, when, sizeof(when));
	struct store_topic t = { .uid = uid, .meeting = when, .series = o->series->id,
		.title = (char *)a.title, .text = (char *)a.text,
		.member = member ? member->email : NULL, .name = member ? member->name : NULL,
		.organisation = member ? member->organisation : NULL, .received = m.now,
		.source = (char *)"chair" };
	r = store_topic_add(db, &t);
	if (r < 0)
		r = ctl_store_error(cmd, db, r);
	else
		printf("topic %lld added: TOP %d of %s (%s)\n", (long long)t.id, t.position, when,
		       o->series->id);
	ctl_meetings_free(&m);
	store_close(db);
	return r != 0 ? r : ctl_output_done(cmd);
}

/* Print where topic id is now: "topic ID VERB: TOP n of WHEN". */
static int report(const char *cmd, struct store *db, int64_t id, const char *verb)
{
	struct store_topic t = { 0 };
	int r = store_topic_get(db, id, &t);

	if (r < 0)
		return ctl_store_error(cmd, db, r);
	if (t.position > 0)
		printf("topic %lld %s: TOP %d of %s\n", (long long)id, verb, t.position, t.meeting);
	else
		printf("topic %lld %s from %s\n", (long long)id, verb, t.meeting);
	store_topic_clear(&t);
	return 0;
}

static int topic_withdraw(struct ctl *ctl, int argc, char **argv)
{
	const char *cmd = "topic withdraw";
	struct store *db = NULL;
	struct edit_opts a;
	int64_t id;
	int r = edit_args(cmd, "", argc, argv, &a);

	if (r == 0 && a.n_args != 1) {
		ctl_error("gremiumctl: %s: wants one ID", cmd);
		r = EX_USAGE;
	}
	if (r == 0)
		r = ctl_parse_id(cmd, "ID", a.args[0], &id);
	if (r == 0)
		r = ctl_open_state_rw(ctl, cmd, &db);
	if (r != 0)
		return r;
	r = store_topic_withdraw(db, id);
	r = r < 0 ? ctl_store_error(cmd, db, r) : report(cmd, db, id, "withdrawn");
	store_close(db);
	return r != 0 ? r : ctl_output_done(cmd);
}

static int topic_move(struct ctl *ctl, int argc, char **argv)
{
	const char *cmd = "topic move";
	const struct gr_occurrence *o;
	struct ctl_meetings m = { 0 };
	struct store *db = NULL;
	struct edit_opts a;
	char uid[512], when[PLAN_LOCAL_LEN];
	int64_t id;
	int r = edit_args(cmd, "T", argc, argv, &a);

	if (r == 0 && (a.n_args != 1 || !a.to)) {
		ctl_error("gremiumctl: %s: wants ID --to WHEN", cmd);
		r = EX_USAGE;
	}
	if (r == 0)
		r = ctl_parse_id(cmd, "ID", a.args[0], &id);
	if (r == 0)
		r = open_meeting(ctl, cmd, a.to, &db, &m, &o, uid, sizeof(uid));
	if (r != 0)
		return r;
	ctl_when(&o->start, when, sizeof(when));
	r = store_topic_move(db, id, uid, when, o->series->id);
	r = r < 0 ? ctl_store_error(cmd, db, r) : report(cmd, db, id, "moved");
	ctl_meetings_free(&m);
	store_close(db);
	return r != 0 ? r : ctl_output_done(cmd);
}

static int topic_order(struct ctl *ctl, int argc, char **argv)
{
	const char *cmd = "topic order";
	struct store *db = NULL;
	struct edit_opts a;
	int64_t id, pos;
	int r = edit_args(cmd, "", argc, argv, &a);

	if (r == 0 && a.n_args != 2) {
		ctl_error("gremiumctl: %s: wants ID N (N: the new position, 1 first)", cmd);
		r = EX_USAGE;
	}
	if (r == 0)
		r = ctl_parse_id(cmd, "ID", a.args[0], &id);
	if (r == 0)
		r = ctl_parse_id(cmd, "N", a.args[1], &pos);
	if (r == 0 && pos > INT32_MAX) /* out of range for the store all the same */
		pos = INT32_MAX;
	if (r == 0)
		r = ctl_open_state_rw(ctl, cmd, &db);
	if (r != 0)
		return r;
	r = store_topic_order(db, id, (int)pos);
	r = r < 0 ? ctl_store_error(cmd, db, r) : report(cmd, db, id, "ordered");
	store_close(db);
	return r != 0 ? r : ctl_output_done(cmd);
}

int cmd_topic(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char *verb;
		int (*run)(struct ctl *ctl, int argc, char **argv);
	} verbs[] = {
		{ "add", topic_add },
		{ "withdraw", topic_withdraw },
		{ "move", topic_move },
		{ "order", topic_order },
	};

	for (size_t i = 0; argc > 1 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].verb) == 0)
			return verbs[i].run(ctl, argc - 1, argv + 1);
	ctl_error("gremiumctl: topic: wants add, withdraw, move or order, got '%s'",
	          argc > 1 ? argv[1] : "nothing");
	return EX_USAGE;
}
