/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl attendance - who comes: each member's answer (iMIP REPLY) per
 * meeting, the occurrence's own answer over the series' (attendance.h).
 */
#include "autoconfig.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "attendance.h"
#include "gremiumctl.h"
#include "plan.h"
#include "store.h"

/* One line of the listing. */
struct row {
	const struct gr_occurrence *o;
	const struct gr_member *m;
	const struct store_answer *a;   /* NULL: no answer */
	char when[PLAN_LOCAL_LEN];
};

/* The answer of m for meeting o: a moved meeting's own object first, then
 * the series' occurrence (its original start), then the series. */
static const struct store_answer *answer_of(const struct gr_config *cfg,
                                            const struct ctl_meetings *mt,
                                            const struct store_state *st,
                                            const struct gr_member *m,
                                            const struct gr_occurrence *o)
{
	struct gr_occurrence series = *o;
	const struct store_answer *a = NULL;
	char uid[512], orig[PLAN_LOCAL_LEN];

	ctl_when(&o->original, orig, sizeof(orig));
	if (ctl_occurrence_uid(cfg, mt->pub, mt->n_pub, o, uid, sizeof(uid)) == 0)
		a = attendance_effective(st->answers, st->n_answers, m->email, uid, orig);
	if (!a && o->status == GR_OCC_MOVED) {
		series.status = GR_OCC_CONFIRMED;
		if (ctl_occurrence_uid(cfg, mt->pub, mt->n_pub, &series, uid, sizeof(uid)) == 0)
			a = attendance_effective(st->answers, st->n_answers, m->email, uid, orig);
	}
	return a;
}

static void print_json(const struct gr_config *cfg, const struct row *r, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		const struct store_answer *a = r[i].a;

		fputs(i ? ",\n " : "", stdout);
		ctl_json_str(true, "meeting", r[i].when);
		ctl_json_str(false, "series", r[i].o->series->id);
		ctl_json_str(false, "member", r[i].m->email);
		ctl_json_str(false, "name", r[i].m->name);
		ctl_json_str(false, "group", r[i].m->group);
		ctl_json_str(false, "organisation", r[i].m->organisation);
		ctl_json_str(false, "answer", store_answer_name(a ? a->answer : GR_ANSWER_NONE));
		ctl_json_str(false, "deputy", a ? a->deputy : NULL);
		ctl_json_str(false, "comment", a ? a->comment : NULL);
		if (a) {
			ctl_json_time(false, "answered", cfg, a->dtstamp);
		} else {
			ctl_json_key(false, "answered");
			fputs("null", stdout);
		}
		putchar('}');
	}
	puts("]");
}

static void print_table(const struct row *r, size_t n)
{
	static const char *const head[] = { "MEETING", "MEMBER", "NAME", "ANSWER", "DEPUTY",
		                            "COMMENT" };
	size_t w[5] = { 16, 6, 4, 9, 6 };

	if (n == 0) {
		puts("no meetings");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t a = ctl_width(r[i].m->email), b = ctl_width(r[i].m->name);
		size_t c = r[i].a && r[i].a->deputy ? ctl_width(r[i].a->deputy) : 1;

		w[1] = a > w[1] ? a : w[1];
		w[2] = b > w[2] ? b : w[2];
		w[4] = c > w[4] ? c : w[4];
	}
	for (size_t k = 0; k < 5; k++)
		ctl_print_padded(head[k], w[k]);
	puts(head[5]);
	for (size_t i = 0; i < n; i++) {
		const struct store_answer *a = r[i].a;

		ctl_print_padded(r[i].when, w[0]);
		ctl_print_padded(r[i].m->email, w[1]);
		ctl_print_padded(r[i].m->name, w[2]);
		ctl_print_padded(store_answer_name(a ? a->answer : GR_ANSWER_NONE), w[3]);
		ctl_print_padded(a && a->deputy ? a->deputy : "-", w[4]);
		ctl_print_text(a && a->comment ? a->comment : "-");
		putchar('\n');
	}
}

/* The rows: each meeting that takes place (WHEN's, or the upcoming ones)
 * times each member (or the one). */
static int collect(const struct ctl *ctl, const struct ctl_meetings *mt,
                   const struct store_state *st, const struct gr_occurrence *only,
                   const struct gr_member *member, struct row **ret, size_t *ret_n)
{
	const struct gr_config *cfg = ctl->cfg;
	struct row *rows = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < mt->occ.n; i++) {
		const struct gr_occurrence *o = &mt->occ.items[i];

		if (only ? o != only : !ctl_meeting_happens(o) || o->end_utc <= mt->now)
			continue;
		for (size_t k = 0; k < cfg->n_members; k++) {
			const struct gr_member *m = &cfg->members[k];

			if (member && m != member)
				continue;
			if (n == cap) {
				struct row *g = realloc(rows, (cap = cap ? 2 * cap : 64) * sizeof(*g));

				if (!g) {
					free(rows);
					ctl_error("gremiumctl: attendance: out of memory");
					return EX_OSERR;
				}
				rows = g;
			}
			rows[n] = (struct row){ .o = o, .m = m, .a = answer_of(cfg, mt, st, m, o) };
			ctl_when(&o->start, rows[n].when, sizeof(rows[n].when));
			n++;
		}
	}
	*ret = rows;
	*ret_n = n;
	return 0;
}

int cmd_attendance(struct ctl *ctl, int argc, char **argv)
{
	static const struct option options[] = {
		{ "meeting", required_argument, NULL, 'm' },
		{ "member", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *meeting = NULL, *address = NULL;
	const struct gr_occurrence *only = NULL;
	const struct gr_member *member = NULL;
	struct ctl_meetings mt = { 0 };
	struct store_state st = { 0 };
	struct store *db = NULL;
	struct row *rows = NULL;
	bool json = false;
	size_t n = 0;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'm')
			meeting = optarg;
		else if (c == 'M')
			address = optarg;
		else if (c == 'j')
			json = true;
		else {
			ctl_error("gremiumctl: attendance: bad option '%s'", argv[optind - 1]);
			return EX_USAGE;
		}
	}
	if (optind < argc || (meeting && address)) {
		ctl_error("gremiumctl: attendance: %s%s", optind < argc ? "unexpected argument " :
		          "--meeting and --member exclude each other", optind < argc ? argv[optind] : "");
		return EX_USAGE;
	}
	if (address) {
		member = ctl_member(ctl->cfg, address);
		if (!member) {
			ctl_error("gremiumctl: attendance: %s is not a member", address);
			return EX_DATAERR;
		}
	}
	r = ctl_open_state(ctl, "attendance", &db);
	if (r != 0)
		return r;
	r = ctl_meetings_load(ctl, "attendance", db, time(NULL), &mt);
	if (r == 0 && meeting)
		r = ctl_meeting_find(ctl, &mt, "attendance", meeting, &only);
	if (r == 0) {
		r = store_read_state(db, &st);
		r = r < 0 ? ctl_store_error("attendance", db, r) : 0;
	}
	if (r == 0)
		r = collect(ctl, &mt, &st, only, member, &rows, &n);
	if (r == 0 && json)
		print_json(ctl->cfg, rows, n);
	else if (r == 0)
		print_table(rows, n);
	free(rows);
	store_state_free(&st);
	ctl_meetings_free(&mt);
	store_close(db);
	return r != 0 ? r : ctl_output_done("attendance");
}
