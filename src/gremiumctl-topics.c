/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl inbox, inbox accept, topics, topic add|withdraw|move|order:
 * what came into the committee's mailbox, and the chair's control of the
 * topics (DESIGN.md, phase 2).  They write the state database while
 * gremiumd runs; the daemon notices (store_change_counter()).
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "gremiumctl.h"
#include "schedule.h"
#include "service.h"
#include "store.h"
#include "util.h"

/* ---- JSON (one array of objects on stdout) ---- */

/* s as a JSON string (RFC 8259 §7); NULL as null. */
static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_field(bool first, const char *name, const char *value)
{
	printf("%s\"%s\": ", first ? "" : ", ", name);
	json_string(value);
}

/* t as ISO 8601 with the committee's offset into buf. */
static void iso(const struct gr_config *cfg, time_t t, char buf[UTIL_ISO8601_MAX])
{
	struct gr_localtime lt;

	sched_from_utc(t, cfg->committee.timezone, &lt);
	util_format_iso8601(t, &lt, buf);
}

/* ---- options ---- */

struct args {
	bool held, json;
	const char *meeting, *title, *member, *to;
	const char *pos[3];     /* the positional arguments */
	int n_pos;
};

/* Parse argv (argv[0] the command) into a; 0 or EX_USAGE. */
static int parse(const char *cmd, int argc, char **argv, struct args *a)
{
	static const struct option options[] = {
		{ "held", no_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "meeting", required_argument, NULL, 'm' },
		{ "title", required_argument, NULL, 't' },
		{ "member", required_argument, NULL, 'M' },
		{ "to", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'H': a->held = true; break;
		case 'j': a->json = true; break;
		case 'm': a->meeting = optarg; break;
		case 't': a->title = optarg; break;
		case 'M': a->member = optarg; break;
		case 'T': a->to = optarg; break;
		default:
			fprintf(stderr, "gremiumctl: %s: bad option '%s'\n", cmd, argv[optind - 1]);
			return EX_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (a->n_pos == 3) {
			fprintf(stderr, "gremiumctl: %s: unexpected argument '%s'\n", cmd, argv[i]);
			return EX_USAGE;
		}
		a->pos[a->n_pos++] = argv[i];
	}
	return 0;
}

/* A positive id or number from s; 0 if it is none. */
static int64_t number(const char *s)
{
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end || v <= 0 ? 0 : v;
}

/* ---- inbox ---- */

static void inbox_print(const struct gr_config *cfg, const struct store_inbox *r, size_t n, bool json)
{
	char when[UTIL_ISO8601_MAX];

	if (json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		iso(cfg, r[i].received, when);
		if (!json) {
			printf("%lld  %s  %-10s %s%s  %s\n    %s\n", (long long)r[i].id, when, r[i].class,
			       r[i].sender ? r[i].sender : "(unknown)", r[i].held ? " (held)" : "",
			       r[i].subject ? r[i].subject : "", r[i].outcome);
			continue;
		}
		printf("%s\n  {\"id\": %lld", i ? "," : "", (long long)r[i].id);
		json_field(false, "message_id", r[i].message_id);
		json_field(false, "from", r[i].sender);
		json_field(false, "subject", r[i].subject);
		json_field(false, "received", when);
		json_field(false, "class", r[i].class);
		json_field(false, "outcome", r[i].outcome);
		printf(", \"held\": %s}", r[i].held ? "true" : "false");
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
}

static int inbox_accept(struct ctl *ctl, struct store *db, const struct args *a)
{
	int64_t id = number(a->pos[1]), topic = 0;
	char err[512];
	int r;

	if (!id || a->n_pos != 2) {
		fprintf(stderr, "gremiumctl: inbox accept: wants the inbox row's ID\n");
		return EX_USAGE;
	}
	r = service_inbox_accept(ctl->cfg, db, id, a->meeting, time(NULL), &topic, err, sizeof(err));
	if (r < 0) {
		ctl_error("gremiumctl: inbox accept: %s", err);
		return r == -ENOENT || r == -EALREADY ? EX_DATAERR : EX_IOERR;
	}
	printf("inbox %lld is topic %lld\n", (long long)id, (long long)topic);
	return 0;
}

int cmd_inbox(struct ctl *ctl, int argc, char **argv)
{
	struct store *db = NULL;
	struct store_inbox *rows = NULL;
	struct args a;
	size_t n = 0;
	int r = parse("inbox", argc, argv, &a);

	if (r)
		return r;
	if (a.n_pos > 0 && strcmp(a.pos[0], "accept") != 0) {
		fprintf(stderr, "gremiumctl: inbox: unknown subcommand '%s'\n", a.pos[0]);
		return EX_USAGE;
	}
	r = ctl_open_state(ctl, "inbox", &db);
	if (r)
		return r;
	if (a.n_pos > 0) {
		r = inbox_accept(ctl, db, &a);
	} else if (store_inbox_list(db, a.held, &rows, &n) < 0) {
		ctl_error("gremiumctl: inbox: %s", store_errmsg(db));
		r = EX_IOERR;
	} else {
		inbox_print(ctl->cfg, rows, n, a.json);
		store_inbox_free(rows, n);
	}
	store_close(db);
	return r;
}

/* ---- topics ---- */

static void topics_print(const struct gr_config *cfg, const struct store_topic *t, size_t n,
                         bool json)
{
	char when[UTIL_ISO8601_MAX], pos[16];

	if (json)
		putchar('[');
	for (size_t i = 0; i < n; i++) {
		iso(cfg, t[i].received, when);
		if (!json) {
			if (i == 0 || strcmp(t[i].meeting, t[i - 1].meeting) != 0)
				printf("%s%s (%s)\n", i ? "\n" : "", t[i].meeting, t[i].series);
			snprintf(pos, sizeof(pos), "%d.", t[i].position);
			printf("  %-4s %s  [%lld, %s%s%s%s%s]\n", strcmp(t[i].state, "active") ? "-" : pos,
			       t[i].title, (long long)t[i].id, t[i].name ? t[i].name :
			       t[i].member ? t[i].member : "chair",
			       t[i].organisation ? ", " : "", t[i].organisation ? t[i].organisation : "",
			       strcmp(t[i].state, "active") ? ", " : "",
			       strcmp(t[i].state, "active") ? t[i].state : "");
			continue;
		}
		printf("%s\n  {\"id\": %lld", i ? "," : "", (long long)t[i].id);
		json_field(false, "meeting", t[i].meeting);
		json_field(false, "series", t[i].series);
		printf(", \"position\": %d", t[i].position);
		json_field(false, "title", t[i].title);
		json_field(false, "text", t[i].text);
		json_field(false, "member", t[i].member);
		json_field(false, "organisation", t[i].organisation);
		json_field(false, "received", when);
		json_field(false, "source", t[i].source);
		json_field(false, "state", t[i].state);
		printf(", \"inbox_id\": %lld}", (long long)t[i].inbox_id);
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
}

int cmd_topics(struct ctl *ctl, int argc, char **argv)
{
	struct store *db = NULL;
	struct store_topic *t = NULL;
	struct args a;
	size_t n = 0;
	int r = parse("topics", argc, argv, &a);

	if (r)
		return r;
	if (a.n_pos) {
		fprintf(stderr, "gremiumctl: topics: unexpected argument '%s'\n", a.pos[0]);
		return EX_USAGE;
	}
	r = ctl_open_state(ctl, "topics", &db);
	if (r)
		return r;
	if (store_topic_list(db, a.meeting, true, &t, &n) < 0) {
		ctl_error("gremiumctl: topics: %s", store_errmsg(db));
		r = EX_IOERR;
	} else {
		topics_print(ctl->cfg, t, n, a.json);
		store_topic_free(t, n);
	}
	store_close(db);
	return r;
}

/* The meeting at when: its series and UID, or a message and EX_DATAERR. */
static int meeting_of(const struct ctl *ctl, const char *cmd, const char *when,
                      const char **series, char *uid, size_t len)
{
	int r = when ? service_meeting(ctl->cfg, time(NULL), when, series, uid, len) : -EINVAL;

	if (r == -EINVAL)
		fprintf(stderr, "gremiumctl: %s: wants the meeting's local start YYYY-MM-DDTHH:MM\n", cmd);
	else if (r < 0)
		ctl_error("gremiumctl: %s: no meeting takes place at %s (gremiumctl preview lists them)",
		          cmd, when);
	return r == -EINVAL ? EX_USAGE : r < 0 ? EX_DATAERR : 0;
}

static int topic_add(struct ctl *ctl, struct store *db, const struct args *a)
{
	const struct gr_member *m = NULL;
	const char *series = NULL;
	char uid[512];
	int r;

	if (!a->title || !*a->title || a->n_pos != 1) {
		fprintf(stderr, "gremiumctl: topic add: wants --meeting WHEN --title TEXT [--member ADDRESS]\n");
		return EX_USAGE;
	}
	for (size_t i = 0; a->member && i < ctl->cfg->n_members; i++)
		if (strcmp(ctl->cfg->members[i].email, a->member) == 0)
			m = &ctl->cfg->members[i];
	if (a->member && !m) {
		ctl_error("gremiumctl: topic add: %s is not a member's address", a->member);
		return EX_DATAERR;
	}
	r = meeting_of(ctl, "topic add", a->meeting, &series, uid, sizeof(uid));
	if (r)
		return r;
	struct store_topic t = {
		.uid = uid, .meeting = (char *)a->meeting, .series = (char *)series,
		.title = (char *)a->title, .member = m ? m->email : NULL, .name = m ? m->name : NULL,
		.organisation = m ? m->organisation : NULL, .received = time(NULL), .source = "chair",
	};
	if (store_topic_add(db, &t) < 0) {
		ctl_error("gremiumctl: topic add: %s", store_errmsg(db));
		return EX_IOERR;
	}
	printf("topic %lld: position %d of %s\n", (long long)t.id, t.position, a->meeting);
	return 0;
}

/* withdraw ID | move ID --to WHEN | order ID N */
static int topic_change(struct ctl *ctl, struct store *db, const char *verb, const struct args *a)
{
	int64_t id = number(a->pos[1]);
	const char *series = NULL;
	char uid[512], cmd[32];
	int r;

	snprintf(cmd, sizeof(cmd), "topic %s", verb);
	if (!id || a->n_pos != (strcmp(verb, "order") == 0 ? 3 : 2)) {
		fprintf(stderr, "gremiumctl: %s: wants ID%s\n", cmd, strcmp(verb, "order") == 0 ?
		        " N" : strcmp(verb, "move") == 0 ? " --to WHEN" : "");
		return EX_USAGE;
	}
	if (strcmp(verb, "withdraw") == 0) {
		r = store_topic_withdraw(db, id);
	} else if (strcmp(verb, "move") == 0) {
		r = meeting_of(ctl, cmd, a->to, &series, uid, sizeof(uid));
		if (r)
			return r;
		r = store_topic_move(db, id, uid, a->to, series);
	} else {
		int64_t n = number(a->pos[2]);

		r = n > 0 && n < 100000 ? store_topic_order(db, id, (int)n) : -ERANGE;
	}
	if (r < 0) {
		ctl_error("gremiumctl: %s: %s", cmd, r == -ERANGE && strcmp(verb, "order") == 0 ?
		          "no such position in its meeting" : store_errmsg(db));
		return r == -ENOENT || r == -EALREADY || r == -ERANGE || r == -EINVAL ? EX_DATAERR :
		       EX_IOERR;
	}
	printf("topic %lld: %s\n", (long long)id, strcmp(verb, "withdraw") == 0 ? "withdrawn" :
	       strcmp(verb, "move") == 0 ? "moved" : "ordered");
	return 0;
}

int cmd_topic(struct ctl *ctl, int argc, char **argv)
{
	static const char *const verbs[] = { "add", "withdraw", "move", "order" };
	struct store *db = NULL;
	struct args a;
	int r = parse("topic", argc, argv, &a);
	const char *verb = NULL;

	if (r)
		return r;
	for (size_t i = 0; a.n_pos > 0 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(a.pos[0], verbs[i]) == 0)
			verb = verbs[i];
	if (!verb) {
		fprintf(stderr, "gremiumctl: topic: wants add, withdraw, move or order\n");
		return EX_USAGE;
	}
	r = ctl_open_state(ctl, "topic", &db);
	if (r)
		return r;
	r = strcmp(verb, "add") == 0 ? topic_add(ctl, db, &a) : topic_change(ctl, db, verb, &a);
	store_close(db);
	return r;
}
