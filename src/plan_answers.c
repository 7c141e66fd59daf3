/* SPDX-License-Identifier: MIT */
/*
 * plan_answers.c - the planner's rules for members' answers (issue 16; the
 * rules are in plan.h): the chair's report of each meeting, one request to
 * answer for members who have not, and a deputy's invitation of the one
 * meeting a member delegated (with its agenda).  Pure like the rest of
 * plan: the answers and bounces come in with the state.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attendance.h"
#include "plan.h"
#include "plan_internal.h"

/* Notice kinds: one chair's report per meeting, one request to answer per
 * member and meeting, one invitation per deputy and meeting (the second
 * kind when the invitation carried the agenda: no agenda mail follows). */
#define NOTICE_REPORT "chair-report"
#define NOTICE_ANSWER "answer-reminder"
#define NOTICE_DEPUTY "deputy-invitation"
#define NOTICE_DEPUTY_AGENDA "deputy-invitation-agenda"
#define NOTICE_AGENDA "agenda"

/* What one meeting's rules share. */
struct meeting {
	const struct gr_occurrence *x;
	const struct plan_obj *o;       /* the object its notices go by (series) */
	size_t cal;                     /* index of the object that holds it for
	                                 * the members: a moved meeting's own */
	char occ[PLAN_LOCAL_LEN];       /* actual start: the notices' key */
	char rid[PLAN_LOCAL_LEN];       /* original start: the answers' key */
	bool agenda_due;                /* the agenda went out (or goes now) */
};

static void meeting_init(const struct plan_ctx *c, const struct plan_obj *o,
                         const struct gr_occurrence *x, struct meeting *m)
{
	const struct gr_notifications *nt = &c->cfg->notifications;

	m->x = x;
	m->o = o;
	m->cal = (size_t)(o - c->objs);
	for (size_t k = 0; k < c->n_objs; k++)
		if (c->objs[k].moved && c->objs[k].single == x)
			m->cal = k;
	plan_format_local(&x->start, m->occ);
	plan_format_local(&x->original, m->rid);
	m->agenda_due = false;
	if (nt->topic_call) {
		time_t due = plan_day_before(c, &x->start, nt->topic_deadline_days_before -
		                                           nt->agenda_days_after_deadline);
		m->agenda_due = due < x->start_utc && due <= c->now;
	}
}

/* The effective answer of address for meeting m: a moved meeting is an
 * object of its own, answered under its UID. */
static const struct store_answer *answer_of(const struct plan_ctx *c, const struct meeting *m,
                                            const char *address)
{
	return attendance_effective(c->st->answers, c->st->n_answers, address,
	                            c->objs[m->cal].uid, m->rid);
}

static int set_notice(struct plan_action *a, const char *kind, const char *email,
                      const char *uid, const char *occ)
{
	a->has_notice = true;
	a->notice.kind = strdup(kind);
	a->notice.recipient = strdup(email);
	a->notice.uid = strdup(uid);
	a->notice.occurrence = strdup(occ);
	if (!a->notice.kind || !a->notice.recipient || !a->notice.uid || !a->notice.occurrence)
		return -ENOMEM;
	return 0;
}

/* A notification due now about meeting m, with its notice. */
static struct plan_action *notification(struct plan_ctx *c, const struct meeting *m,
                                        enum gr_kind kind, const char *notice,
                                        const struct gr_member *member, const char *email,
                                        const char *name, size_t cal, int seq, time_t due)
{
	struct plan_action *a = plan_new_action(c, kind, member, email, name, &c->objs[cal], seq);

	if (!a)
		return NULL;
	plan_set_occ(a, m->x);
	a->due = due;
	if (set_notice(a, notice, email, m->o->uid, m->occ) < 0)
		return NULL;
	return a;
}

static void note_due(struct plan_ctx *c, time_t due)
{
	if (!c->res->next_due || due < c->res->next_due)
		c->res->next_due = due;
}

/* The meeting's active topics on action a (its agenda). */
static void attach_agenda(const struct plan_ctx *c, const struct meeting *m,
                          struct plan_action *a, int seq)
{
	a->has_agenda = true;
	a->topics = plan_topics_of(c, m->x, &a->n_topics);
	snprintf(a->cal_uid, sizeof(a->cal_uid), "%s", c->objs[m->cal].uid);
	a->cal_sequence = seq;
}

/* ---- the chair's report ---- */

static bool bounced(const struct store_state *st, const struct gr_member *mb)
{
	for (size_t i = 0; i < st->n_bounced; i++) {
		if (strcasecmp(st->bounced[i], mb->email) == 0)
			return true;
		for (size_t k = 0; k < mb->n_aliases; k++)
			if (strcasecmp(st->bounced[i], mb->aliases[k]) == 0)
				return true;
	}
	return false;
}

static struct plan_report *make_report(const struct plan_ctx *c, const struct meeting *m)
{
	struct plan_report *rep = calloc(1, sizeof(*rep));
	size_t n = c->cfg->n_members;

	if (!rep || !(rep->lines = calloc(n ? n : 1, sizeof(*rep->lines)))) {
		free(rep);
		return NULL;
	}
	rep->n_lines = n;
	rep->min_present = c->cfg->quorum.min_present;
	for (size_t i = 0; i < n; i++) {
		const struct gr_member *mb = &c->cfg->members[i];
		const struct store_answer *a = answer_of(c, m, mb->email);

		rep->lines[i] = (struct plan_report_line){ mb, a, bounced(c->st, mb) };
		/* a deputy is not a member: their own answer is not read (held
		 * for the chair), so a delegation counts as somebody there */
		if (a && (a->answer == GR_ANSWER_ACCEPTED ||
		          (a->answer == GR_ANSWER_DELEGATED && a->deputy && *a->deputy)))
			rep->present++;
	}
	return rep;
}

void plan_report_free(struct plan_report *r)
{
	if (r)
		free(r->lines);
	free(r);
}

static int chair_report(struct plan_ctx *c, const struct meeting *m)
{
	const char *chair = c->cfg->committee.chair_address;
	time_t due = plan_day_before(c, &m->x->start, c->cfg->quorum.report_days_before);
	bool sent;
	struct plan_action *a;

	if (!chair || due >= m->x->start_utc)
		return 0;
	sent = plan_noticed(c, NOTICE_REPORT, chair, m->o->uid, m->occ);
	if (due > c->now) {
		if (!sent)
			note_due(c, due);
		return plan_add_upcoming(c, GR_KIND_CHAIR_REPORT, m->x, c->cfg->quorum.report_days_before,
		                         due, 1);
	}
	if (sent)
		return 0;
	a = notification(c, m, GR_KIND_CHAIR_REPORT, NOTICE_REPORT, NULL, chair, NULL, m->cal, 0, due);
	if (!a || !(a->report = make_report(c, m)))
		return -ENOMEM;
	a->days_before = c->cfg->quorum.report_days_before;
	/* the agenda as it stands (topics may come in by phone, without a call) */
	a->topics = plan_topics_of(c, m->x, &a->n_topics);
	a->has_agenda = c->cfg->notifications.topic_call || a->n_topics > 0;
	return plan_message_id(c, a);
}

/* ---- one request to answer ---- */

static int answer_reminders(struct plan_ctx *c, const struct meeting *m)
{
	int days = c->cfg->notifications.answer_reminder_days_before;
	time_t due = plan_day_before(c, &m->x->start, days);
	size_t waiting = 0;

	/* without an inbound mailbox nobody reads the answers: everybody
	 * would look as if they had not answered */
	if (c->cfg->inbound.source == GR_INBOUND_NONE || due >= m->x->start_utc)
		return 0;
	for (size_t i = 0; i < c->cfg->n_members; i++) {
		const struct gr_member *mb = &c->cfg->members[i];
		const struct store_answer *ans = answer_of(c, m, mb->email);
		const struct store_object *rec = plan_find_rec(c, mb->email, c->objs[m->cal].uid);
		struct plan_action *a;

		/* only who holds the invitation from an earlier plan is asked */
		if ((ans && ans->answer != GR_ANSWER_NONE) || !rec || !rec->active ||
		    plan_noticed(c, NOTICE_ANSWER, mb->email, m->o->uid, m->occ))
			continue;
		if (due > c->now) {
			waiting++;
			continue;
		}
		a = notification(c, m, GR_KIND_ANSWER_REMINDER, NOTICE_ANSWER, mb, mb->email,
		                 mb->name, m->cal, c->seqs[i * c->n_objs + m->cal], due);
		if (!a)
			return -ENOMEM;
		a->days_before = days;
		int r = plan_message_id(c, a);
		if (r < 0)
			return r;
	}
	if (waiting) {
		note_due(c, due);
		return plan_add_upcoming(c, GR_KIND_ANSWER_REMINDER, m->x, days, due, waiting);
	}
	return 0;
}

/* ---- deputies ---- */

static bool is_member_address(const struct plan_ctx *c, const char *addr)
{
	for (size_t i = 0; i < c->cfg->n_members; i++)
		if (strcasecmp(c->cfg->members[i].email, addr) == 0)
			return true;
	return false;
}

/* The deputy of member i for meeting m: an invitation of that meeting
 * once, and its agenda once it is due. */
static int deputy(struct plan_ctx *c, const struct meeting *m, size_t i)
{
	const struct gr_member *mb = &c->cfg->members[i];
	const struct store_answer *ans = answer_of(c, m, mb->email);
	int seq = c->seqs[i * c->n_objs + m->cal];
	const char *dep;
	struct plan_action *a;

	if (!ans || ans->answer != GR_ANSWER_DELEGATED || !ans->deputy || !*ans->deputy)
		return 0;
	dep = ans->deputy;
	/* a member holds the meeting already */
	if (is_member_address(c, dep) ||
	    plan_noticed(c, NOTICE_DEPUTY_AGENDA, dep, m->o->uid, m->occ))
		return 0;
	if (!plan_noticed(c, NOTICE_DEPUTY, dep, m->o->uid, m->occ)) {
		a = notification(c, m, GR_KIND_INVITATION, m->agenda_due ? NOTICE_DEPUTY_AGENDA :
		                 NOTICE_DEPUTY, NULL, dep, NULL, m->cal, seq, c->now);
		if (!a)
			return -ENOMEM;
		a->delegator = mb;
		if (m->agenda_due)
			attach_agenda(c, m, a, seq);
		return plan_message_id(c, a);
	}
	if (!m->agenda_due || plan_noticed(c, NOTICE_AGENDA, dep, m->o->uid, m->occ))
		return 0;
	a = notification(c, m, GR_KIND_AGENDA, NOTICE_AGENDA, NULL, dep, NULL, m->cal, seq, c->now);
	if (!a)
		return -ENOMEM;
	a->delegator = mb;
	attach_agenda(c, m, a, seq);
	return plan_message_id(c, a);
}

int plan_answers(struct plan_ctx *c, const struct gr_occurrence *x)
{
	const struct plan_obj *o = plan_obj_of_occ(c, x);
	struct meeting m;
	int r;

	if (!o || !plan_occ_happens(x) || x->start_utc <= c->now)
		return 0;
	meeting_init(c, o, x, &m);
	r = chair_report(c, &m);
	if (r == 0)
		r = answer_reminders(c, &m);
	for (size_t i = 0; r == 0 && i < c->cfg->n_members; i++)
		r = deputy(c, &m, i);
	return r;
}
