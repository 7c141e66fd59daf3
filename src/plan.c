/* SPDX-License-Identifier: MIT */
/*
 * plan - the pure planner.  See plan.h for the rules and what the recorded
 * state means.
 *
 * Order of the actions (deterministic, so tests can compare lists): per
 * member in config order and object in config order the calendar mails,
 * then cancellations for removed members and vanished objects in state
 * order, then notifications per occurrence, kind and member.
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_internal.h"
#include "util.h"


/* ---- small helpers ---- */

/* Is item one of the comma-separated tokens of list (NULL = empty)? */
static bool set_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, item, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}


static const struct plan_obj *find_obj(const struct plan_ctx *c, const char *uid)
{
	for (size_t i = 0; i < c->n_objs; i++)
		if (strcmp(c->objs[i].uid, uid) == 0)
			return &c->objs[i];
	return NULL;
}

static const struct plan_obj *obj_of_occ(const struct plan_ctx *c, const struct gr_occurrence *x)
{
	/* a moved meeting's notifications go by its series, as before it
	 * was an object of its own: notices already sent stay sent */
	for (size_t i = 0; i < c->n_objs; i++) {
		const struct plan_obj *o = &c->objs[i];
		if (!o->moved && x->series == o->series &&
		    (o->date_index < 0 || x->date_index == o->date_index))
			return o;
	}
	return NULL;
}

static int cmp_member(const void *a, const void *b)
{
	const struct gr_member *x = *(const struct gr_member *const *)a;
	const struct gr_member *y = *(const struct gr_member *const *)b;

	return strcmp(x->email, y->email);
}

/* The member with this address, or NULL: a binary search, since every
 * recorded object asks (a linear search made a plan of 11,000 members
 * take a third of a second, and 50,000 half a minute). */
static const struct gr_member *find_member(const struct plan_ctx *c, const char *email)
{
	struct gr_member key = { .email = (char *)email };
	const struct gr_member *k = &key, **p;

	p = bsearch(&k, c->members, c->cfg->n_members, sizeof(*c->members), cmp_member);
	return p ? *p : NULL;
}

/* ---- the recorded state, indexed ---- */

static int cmp_rec(const void *a, const void *b)
{
	const struct store_object *x = *(const struct store_object *const *)a;
	const struct store_object *y = *(const struct store_object *const *)b;
	int r = strcmp(x->recipient, y->recipient);

	return r ? r : strcmp(x->uid, y->uid);
}

static int cmp_notice(const void *a, const void *b)
{
	const struct store_notice *x = *(const struct store_notice *const *)a;
	const struct store_notice *y = *(const struct store_notice *const *)b;
	int r = strcmp(x->kind, y->kind);

	r = r ? r : strcmp(x->recipient, y->recipient);
	r = r ? r : strcmp(x->uid, y->uid);
	return r ? r : strcmp(x->occurrence, y->occurrence);
}

/* Index the state with sorted pointer arrays: the state may come in any
 * order (tests build it by hand), and lookups are per member and object. */
static int index_state(struct plan_ctx *c, const struct store_state *st)
{
	c->recs = calloc(st->n_objects ? st->n_objects : 1, sizeof(*c->recs));
	c->notices = calloc(st->n_notices ? st->n_notices : 1, sizeof(*c->notices));
	if (!c->recs || !c->notices)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_objects; i++)
		c->recs[i] = &st->objects[i];
	for (size_t i = 0; i < st->n_notices; i++)
		c->notices[i] = &st->notices[i];
	c->n_recs = st->n_objects;
	c->n_notices = st->n_notices;
	c->st = st;
	qsort(c->recs, c->n_recs, sizeof(*c->recs), cmp_rec);
	qsort(c->notices, c->n_notices, sizeof(*c->notices), cmp_notice);
	c->members = calloc(c->cfg->n_members ? c->cfg->n_members : 1, sizeof(*c->members));
	if (!c->members)
		return -ENOMEM;
	for (size_t i = 0; i < c->cfg->n_members; i++)
		c->members[i] = &c->cfg->members[i];
	qsort(c->members, c->cfg->n_members, sizeof(*c->members), cmp_member);
	return 0;
}

static const struct store_object *find_rec(const struct plan_ctx *c, const char *email,
                                           const char *uid)
{
	struct store_object key = { .recipient = (char *)email, .uid = (char *)uid };
	const struct store_object *k = &key, **p;

	p = bsearch(&k, c->recs, c->n_recs, sizeof(*c->recs), cmp_rec);
	return p ? *p : NULL;
}

static bool noticed(const struct plan_ctx *c, const char *kind, const char *email,
                    const char *uid, const char *occ)
{
	/* the key only borrows: the casts drop const for the struct's type */
	struct store_notice key = { (char *)kind, (char *)email, (char *)uid, (char *)occ };
	const struct store_notice *k = &key;

	return bsearch(&k, c->notices, c->n_notices, sizeof(*c->notices), cmp_notice) != NULL;
}

/* ---- building actions ---- */

/* The row that says "email was sent o at seq": built from borrowed strings
 * (hence the casts; store_object_copy() duplicates them) and copied into dst. */
static int object_row(struct store_object *dst, const struct plan_obj *o, const char *email,
                      const char *name, int seq, bool active)
{
	struct store_object row = {
		.recipient = (char *)email, .name = (char *)name, .uid = (char *)o->uid,
		.sequence = seq, .active = active, .cancelled = o->cancelled,
		.series_id = o->series->id, .summary = o->series->summary,
		.location = o->series->location, .rrule = o->moved ? NULL : o->series->rrule,
		.dtstart = o->dtstart, .duration = o->series->duration, .end_utc = o->end_utc,
	};

	memcpy(row.hash, o->hash, STORE_HASH_LEN);
	memcpy(row.hash_base, o->hash_base, STORE_HASH_LEN);
	return store_object_copy(dst, &row);
}

static struct plan_action *push(struct plan_ctx *c)
{
	struct plan_result *r = c->res;

	if (util_grow((void **)&r->actions, r->n_actions, &c->cap_actions, sizeof(*r->actions)) < 0)
		return NULL;
	return &r->actions[r->n_actions++];
}

/* Message-ID: stable for the same message, so a re-plan after a crash
 * produces the same ID and the outbox does not take it twice. */
static int make_message_id(const struct plan_ctx *c, struct plan_action *a)
{
	char seq[16], rid[PLAN_LOCAL_LEN] = "";
	uint64_t h = UTIL_FNV_INIT;
	int n;

	snprintf(seq, sizeof(seq), "%d", a->sequence);
	if (a->occ)
		plan_format_local(&a->recurrence_id, rid);
	h = plan_hash_str(h, 'k', util_kind_name(a->kind));
	h = plan_hash_str(h, 'n', a->has_notice ? a->notice.kind : NULL);
	h = plan_hash_str(h, 'u', a->uid);
	h = plan_hash_str(h, 'r', a->email);
	h = plan_hash_str(h, 's', seq);
	h = plan_hash_str(h, 'o', a->occurrence_text);
	h = plan_hash_str(h, 'i', rid);
	h = plan_hash_str(h, 'c', c->cfg->committee.id);
	/* the committee id keeps Message-IDs of committees under one domain
	 * apart (issue 12), also where an old database keeps its UIDs */
	if (c->cfg->committee.id)
		n = snprintf(a->message_id, sizeof(a->message_id), "gremium.%s.%s.%016llx@%s",
		             c->cfg->committee.id, util_kind_name(a->kind), (unsigned long long)h,
		             c->cfg->committee.domain);
	else
		n = snprintf(a->message_id, sizeof(a->message_id), "gremium.%s.%016llx@%s",
		             util_kind_name(a->kind), (unsigned long long)h, c->cfg->committee.domain);
	if (n < 0 || (size_t)n >= sizeof(a->message_id)) {
		/* still a unique key for the failure the service records */
		snprintf(a->message_id, sizeof(a->message_id), "gremium.%s.%016llx",
		         util_kind_name(a->kind), (unsigned long long)h);
		if (!a->unplannable)
			a->unplannable = "its Message-ID does not fit (committee.domain too long)";
	}
	return 0;
}

/* A new action about object o (or the vanished object of rec) for a
 * member (or the removed recipient of rec). */
static struct plan_action *new_action(struct plan_ctx *c, enum gr_kind kind,
                                      const struct gr_member *m, const struct plan_obj *o,
                                      const struct store_object *rec, int seq)
{
	struct plan_action *a = push(c);

	if (!a)
		return NULL;
	a->kind = kind;
	a->member = m;
	a->email = m ? m->email : rec->recipient;
	a->name = m ? m->name : rec->name;
	a->series = o ? o->series : NULL;
	a->date_index = o ? o->date_index : -1;
	a->recorded = rec;
	snprintf(a->uid, sizeof(a->uid), "%s", o ? o->uid : rec->uid);
	a->unplannable = o ? o->unplannable : NULL;
	a->sequence = seq;
	a->due = c->now;
	a->moved = o && o->moved;
	return a;
}

/* Attach the occurrence x to a. */
static void set_occ(struct plan_action *a, const struct gr_occurrence *x)
{
	a->occ = x;
	a->occurrence = x->start;
	a->recurrence_id = x->original;
	plan_format_local(&x->start, a->occurrence_text);
}

static int add_record(struct plan_ctx *c, const struct plan_obj *o, const char *email,
                      const char *name, int seq)
{
	struct plan_result *r = c->res;

	if (util_grow((void **)&r->records, r->n_records, &c->cap_records, sizeof(*r->records)) < 0)
		return -ENOMEM;
	return object_row(&r->records[r->n_records++], o, email, name, seq, true);
}

/* ---- calendar objects ---- */

/* A whole-object CANCEL: for a removed member, a vanished object, or a
 * cancelled meeting of a dated series.  rec is the active row. */
static int cancel_object(struct plan_ctx *c, const struct gr_member *m, const struct plan_obj *o,
                         const struct store_object *rec)
{
	struct plan_action *a = new_action(c, GR_KIND_CANCELLATION, m, o, rec, rec->sequence + 1);
	int r;

	if (!a)
		return -ENOMEM;
	a->whole_object = true;
	if (o && o->single)
		set_occ(a, o->single);
	a->has_object = true;
	r = store_object_copy(&a->object, rec);
	a->object.sequence = a->sequence;
	a->object.active = false;
	return r < 0 ? r : make_message_id(c, a);
}

static int invite(struct plan_ctx *c, const struct gr_member *m, const struct plan_obj *o,
                  const struct store_object *rec, int *seq)
{
	/* after a CANCEL the same UID needs a higher SEQUENCE to come back */
	struct plan_action *a;

	*seq = rec ? rec->sequence + 1 : 0;
	a = new_action(c, GR_KIND_INVITATION, m, o, rec, *seq);
	if (a && o->moved)
		set_occ(a, o->single);
	return a ? make_message_id(c, a) : -ENOMEM;
}

/* CANCELs with RECURRENCE-ID for occurrences cancelled since rec was
 * recorded and still ahead; *seq is raised for each. */
static int cancel_new_occurrences(struct plan_ctx *c, const struct gr_member *m,
                                  const struct plan_obj *o, const struct store_object *rec,
                                  int *seq)
{
	for (size_t i = 0; i < c->occ->n; i++) {
		const struct gr_occurrence *x = &c->occ->items[i];
		char rid[PLAN_LOCAL_LEN];
		struct plan_action *a;

		if (!plan_occ_of(c, x, o) || x->status != GR_OCC_CANCELLED || x->end_utc <= c->now)
			continue;
		plan_format_local(&x->original, rid);
		if (set_has(rec->cancelled, rid))
			continue;
		a = new_action(c, GR_KIND_CANCELLATION, m, o, rec, ++*seq);
		if (!a)
			return -ENOMEM;
		set_occ(a, x);
		int r = make_message_id(c, a);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A cancellation the recipient was told of is no longer in the config. */
static bool withdrawn_cancel(const struct plan_obj *o, const struct store_object *rec)
{
	char tok[PLAN_LOCAL_LEN];

	for (const char *p = rec->cancelled; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		snprintf(tok, sizeof(tok), "%.*s", (int)(len < sizeof(tok) ? len : sizeof(tok) - 1), p);
		if (!set_has(o->cancelled, tok))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* The object changed since rec (hashes differ): CANCELs for new
 * cancellations, one REQUEST for anything else. */
static int change(struct plan_ctx *c, const struct gr_member *m, const struct plan_obj *o,
                  const struct store_object *rec, int *seq)
{
	int r = cancel_new_occurrences(c, m, o, rec, seq);

	if (r < 0)
		return r;
	if (strcmp(rec->hash_base, o->hash_base) != 0 || withdrawn_cancel(o, rec)) {
		struct plan_action *a = new_action(c, GR_KIND_UPDATE, m, o, rec, ++*seq);
		if (!a)
			return -ENOMEM;
		if (o->moved)
			set_occ(a, o->single);
		return make_message_id(c, a);
	}
	return 0;
}

/* A dated meeting cancelled in the config while it is still ahead: its
 * recipients need a CANCEL of the whole object. */
static bool cancelled_ahead(const struct plan_ctx *c, const struct plan_obj *o)
{
	return o->single && o->single->status == GR_OCC_CANCELLED && o->single->end_utc > c->now;
}

/* The last action of a member and object carries the object row with the
 * final SEQUENCE: a plan cut short before it (service.c commits in parts)
 * is planned again with the same SEQUENCEs and Message-IDs, which the
 * outbox takes once. */
static int plan_member_object(struct plan_ctx *c, const struct gr_member *m, const struct plan_obj *o)
{
	const struct store_object *rec = find_rec(c, m->email, o->uid);
	bool active = rec && rec->active;
	size_t first = c->res->n_actions;
	int seq = rec ? rec->sequence : 0, r = 0;

	if (!o->live)
		return active && cancelled_ahead(c, o) ? cancel_object(c, m, o, rec) : 0;
	if (!active)
		r = invite(c, m, o, rec, &seq);
	else if (strcmp(rec->hash, o->hash) != 0)
		r = change(c, m, o, rec, &seq);
	if (r < 0)
		return r;
	if (c->res->n_actions > first) {
		struct plan_action *last = &c->res->actions[c->res->n_actions - 1];
		last->has_object = true;
		return object_row(&last->object, o, m->email, m->name, seq, true);
	}
	/* only cancellations of past occurrences: absorb them silently */
	return strcmp(rec->hash, o->hash) != 0 ? add_record(c, o, m->email, m->name, seq) : 0;
}

/* Active rows whose recipient left or whose object vanished. */
static int plan_leftovers(struct plan_ctx *c)
{
	for (size_t i = 0; i < c->n_recs; i++) {
		const struct store_object *rec = c->recs[i];
		const struct gr_member *m = find_member(c, rec->recipient);
		const struct plan_obj *o = find_obj(c, rec->uid);
		bool ahead;

		if (!rec->active || (m && o))
			continue;
		/* an rrule series has no known end: cancel it whenever it goes */
		ahead = o ? o->live || cancelled_ahead(c, o)
		          : rec->rrule != NULL || rec->end_utc > c->now;
		if (!ahead)
			continue;
		int r = cancel_object(c, m, o, rec);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- notifications ---- */

/* ---- agenda ---- */

/* What an agenda (or a reminder that carries it) of one meeting needs. */
struct agenda {
	const struct store_topic *const *topics;
	size_t n_topics;
	size_t cal;             /* index of the object that holds the meeting */
};

static int cmp_topic(const void *a, const void *b)
{
	const struct store_topic *x = *(const struct store_topic *const *)a;
	const struct store_topic *y = *(const struct store_topic *const *)b;
	int r = strcmp(x->series, y->series);

	r = r ? r : strcmp(x->meeting, y->meeting);
	if (r == 0 && x->position != y->position)
		r = x->position < y->position ? -1 : 1;
	if (r == 0 && x->id != y->id)
		r = x->id < y->id ? -1 : 1;
	return r;
}

int plan_index_topics(struct plan_ctx *c, const struct store_state *st)
{
	struct plan_result *r = c->res;

	r->topics = calloc(st->n_topics ? st->n_topics : 1, sizeof(*r->topics));
	if (!r->topics)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_topics; i++) {
		const struct store_topic *t = &st->topics[i];

		if (t->series && t->meeting && t->title && (!t->state || strcmp(t->state, "active") == 0))
			r->topics[r->n_topics++] = t;
	}
	qsort(r->topics, r->n_topics, sizeof(*r->topics), cmp_topic);
	return 0;
}

const struct store_topic *const *plan_topics_of(const struct plan_ctx *c,
                                                const struct gr_occurrence *x, size_t *ret_n)
{
	const struct plan_result *r = c->res;
	char when[PLAN_LOCAL_LEN];
	struct store_topic key = { .id = INT64_MIN, .series = x->series->id, .meeting = when,
	                           .position = INT_MIN };
	const struct store_topic *k = &key;
	size_t lo = 0, hi = r->n_topics, end;

	plan_format_local(&x->start, when);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_topic(&r->topics[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->n_topics && strcmp(r->topics[end]->series, key.series) == 0 &&
	               strcmp(r->topics[end]->meeting, when) == 0; end++)
		;
	*ret_n = end - lo;
	return r->topics + lo;
}

/* The agenda of meeting x (whose series' object is o): its topics and the
 * object that holds it for the members (a moved meeting's own, else o). */
static struct agenda agenda_of(const struct plan_ctx *c, const struct plan_obj *o,
                               const struct gr_occurrence *x)
{
	struct agenda ag = { .cal = (size_t)(o - c->objs) };

	ag.topics = plan_topics_of(c, x, &ag.n_topics);
	for (size_t k = 0; k < c->n_objs; k++)
		if (c->objs[k].moved && c->objs[k].single == x)
			ag.cal = k;
	return ag;
}

/* UTC instant of send_time on the day `days` before local date lt. */
static time_t day_before(const struct plan_ctx *c, const struct gr_localtime *lt, int days)
{
	struct gr_localtime d = { lt->year, lt->month, lt->day,
	                          c->cfg->notifications.send_hour,
	                          c->cfg->notifications.send_minute };

	d = sched_add_days(d, -days);
	return sched_to_utc(&d, c->cfg->committee.timezone);
}

static int add_upcoming(struct plan_ctx *c, enum gr_kind kind, const struct gr_occurrence *x,
                        int days, time_t due, time_t deadline)
{
	struct plan_result *r = c->res;

	if (util_grow((void **)&r->upcoming, r->n_upcoming, &c->cap_upcoming, sizeof(*r->upcoming)) < 0)
		return -ENOMEM;
	r->upcoming[r->n_upcoming++] = (struct plan_upcoming){ kind, x, days, due, deadline, 0 };
	return 0;
}

/* A meeting that is an object of its own (dated, or moved) whose agenda
 * is due: its invitations and updates from first on carry the agenda in
 * their DESCRIPTION, so that an update does not take it out of the
 * member's calendar. */
static void single_agenda(struct plan_ctx *c, const struct plan_obj *o, size_t first)
{
	const struct gr_notifications *nt = &c->cfg->notifications;
	const struct gr_occurrence *x = o->single;
	time_t due;

	if (!x || !nt->topic_call || !plan_occ_happens(x) || x->start_utc <= c->now)
		return;
	due = day_before(c, &x->start, nt->topic_deadline_days_before - nt->agenda_days_after_deadline);
	if (due > c->now || due >= x->start_utc)
		return;
	for (size_t i = first; i < c->res->n_actions; i++) {
		struct plan_action *a = &c->res->actions[i];

		if (a->kind == GR_KIND_INVITATION || a->kind == GR_KIND_UPDATE) {
			a->has_agenda = true;
			a->topics = plan_topics_of(c, x, &a->n_topics);
		}
	}
}

/* One notification of occurrence x: send it to each member who has not had
 * it when sendable, or note it as upcoming. */
static int notify(struct plan_ctx *c, const struct plan_obj *o, const struct gr_occurrence *x,
                  enum gr_kind kind, int days, time_t due, time_t limit, time_t deadline,
                  bool superseded, const struct agenda *ag)
{
	char key[32], occ[PLAN_LOCAL_LEN];
	bool upcoming = due > c->now && due < limit;

	if (kind == GR_KIND_AGENDA)
		snprintf(key, sizeof(key), "agenda");
	else
		snprintf(key, sizeof(key), kind == GR_KIND_TOPIC_CALL ? "topic-call" : "reminder-%d", days);
	plan_format_local(&x->start, occ);
	if (upcoming && add_upcoming(c, kind, x, days, due, deadline) < 0)
		return -ENOMEM;
	/* neither due now nor ahead (or superseded): nothing for anybody,
	 * no need to look up a notice per member */
	if (!upcoming && (due > c->now || c->now >= limit || superseded))
		return 0;
	for (size_t i = 0; i < c->cfg->n_members; i++) {
		const struct gr_member *m = &c->cfg->members[i];

		if (noticed(c, key, m->email, o->uid, occ))
			continue;
		if (upcoming) {
			/* one member still to notify is enough to be due then */
			if (!c->res->next_due || due < c->res->next_due)
				c->res->next_due = due;
			break;
		}
		const struct store_object *rec = find_rec(c, m->email, o->uid);
		struct plan_action *a = new_action(c, kind, m, o, rec, rec ? rec->sequence : 0);
		if (!a)
			return -ENOMEM;
		set_occ(a, x);
		a->days_before = days;
		a->deadline = deadline;
		a->due = due;
		if (ag) {
			a->has_agenda = true;
			a->topics = ag->topics;
			a->n_topics = ag->n_topics;
			snprintf(a->cal_uid, sizeof(a->cal_uid), "%s", c->objs[ag->cal].uid);
			a->cal_sequence = c->seqs[i * c->n_objs + ag->cal];
		}
		a->has_notice = true;
		a->notice.kind = strdup(key);
		a->notice.recipient = strdup(m->email);
		a->notice.uid = strdup(o->uid);
		a->notice.occurrence = strdup(occ);
		if (!a->notice.kind || !a->notice.recipient || !a->notice.uid || !a->notice.occurrence)
			return -ENOMEM;
		int r = make_message_id(c, a);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Call for topics and reminders of one occurrence.  A late one is still
 * sent while the meeting is ahead (a call for topics only before its
 * deadline); of several missed reminders only the latest goes out. */
static int plan_occurrence(struct plan_ctx *c, const struct gr_occurrence *x)
{
	const struct gr_notifications *nt = &c->cfg->notifications;
	const struct plan_obj *o = obj_of_occ(c, x);
	int r = 0;

	struct agenda ag;
	bool agenda_due = false;

	if (!o || !plan_occ_happens(x))
		return 0;
	if (nt->topic_call) {
		time_t due = day_before(c, &x->start, nt->topic_days_before);
		time_t deadline = day_before(c, &x->start, nt->topic_deadline_days_before);
		time_t limit = deadline < x->start_utc ? deadline : x->start_utc;
		time_t agenda = day_before(c, &x->start, nt->topic_deadline_days_before -
		                                         nt->agenda_days_after_deadline);

		r = notify(c, o, x, GR_KIND_TOPIC_CALL, nt->topic_days_before, due, limit,
		           deadline, false, NULL);
		/* the agenda: after the deadline, while the meeting is ahead */
		ag = agenda_of(c, o, x);
		if (r == 0 && agenda < x->start_utc)
			r = notify(c, o, x, GR_KIND_AGENDA, 0, agenda, x->start_utc, deadline, false, &ag);
		agenda_due = agenda < x->start_utc && agenda <= c->now;
	}
	for (size_t i = 0; r == 0 && i < nt->n_reminders; i++) {
		time_t due = day_before(c, &x->start, nt->reminders_days_before[i]);
		bool superseded = false;

		/* a later reminder (fewer days before) that is due too makes
		 * this one pointless: send only the latest of missed ones */
		for (size_t j = 0; j < nt->n_reminders; j++)
			if (nt->reminders_days_before[j] < nt->reminders_days_before[i] &&
			    day_before(c, &x->start, nt->reminders_days_before[j]) <= c->now)
				superseded = true;
		r = notify(c, o, x, GR_KIND_REMINDER, nt->reminders_days_before[i], due,
		           x->start_utc, 0, superseded, agenda_due ? &ag : NULL);
	}
	return r;
}

/* ---- entry points ---- */

static int cmp_upcoming(const void *a, const void *b)
{
	const struct plan_upcoming *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if (x->occ->start_utc != y->occ->start_utc)
		return x->occ->start_utc < y->occ->start_utc ? -1 : 1;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return y->days_before - x->days_before;
}

int plan_ctx_build(struct plan_ctx *c, const struct store_state *st)
{
	int r = index_state(c, st);

	return r < 0 ? r : plan_build_objects(c);
}

/* The SEQUENCE m holds of o once the actions from first on are sent. */
static int held_sequence(const struct plan_ctx *c, const struct gr_member *m,
                         const struct plan_obj *o, size_t first)
{
	const struct store_object *rec;

	if (c->res->n_actions > first)
		return c->res->actions[c->res->n_actions - 1].sequence;
	rec = find_rec(c, m->email, o->uid);
	return rec ? rec->sequence : 0;
}

static int run(struct plan_ctx *c, const struct store_state *st)
{
	int r = plan_ctx_build(c, st);

	if (r == 0)
		r = plan_index_topics(c, st);
	if (r == 0) {
		c->seqs = calloc(c->cfg->n_members * c->n_objs + 1, sizeof(*c->seqs));
		r = c->seqs ? 0 : -ENOMEM;
	}
	for (size_t k = 0; r == 0 && k < c->n_objs; k++)
		r = plan_record_version(c, &c->objs[k]);
	for (size_t i = 0; r == 0 && i < c->cfg->n_members; i++)
		for (size_t k = 0; r == 0 && k < c->n_objs; k++) {
			const struct gr_member *m = &c->cfg->members[i];
			size_t first = c->res->n_actions;

			r = plan_member_object(c, m, &c->objs[k]);
			c->seqs[i * c->n_objs + k] = held_sequence(c, m, &c->objs[k], first);
			single_agenda(c, &c->objs[k], first);
		}
	if (r == 0)
		r = plan_leftovers(c);
	for (size_t i = 0; r == 0 && i < c->occ->n; i++)
		r = plan_occurrence(c, &c->occ->items[i]);
	for (size_t i = 0; r == 0 && i < c->occ->n; i++)
		r = plan_answers(c, &c->occ->items[i]);
	if (r == 0 && c->res->n_upcoming)
		qsort(c->res->upcoming, c->res->n_upcoming, sizeof(*c->res->upcoming), cmp_upcoming);
	return r;
}

void plan_ctx_free(struct plan_ctx *c)
{
	for (size_t i = 0; i < c->n_objs; i++)
		free(c->objs[i].cancelled);
	free(c->objs);
	free(c->recs);
	free(c->members);
	free(c->notices);
	free(c->uids);
	free(c->owned);
	free(c->seqs);
}

int plan_run(const struct gr_config *cfg, const struct sched_list *occ,
             const struct store_state *state, time_t now, struct plan_result *ret)
{
	static const struct store_state empty;
	struct plan_result res = { 0 };
	struct plan_ctx c = { .cfg = cfg, .occ = occ, .now = now, .res = &res };
	int r = run(&c, state ? state : &empty);

	plan_ctx_free(&c);
	if (r < 0) {
		plan_result_free(&res);
		return r;
	}
	*ret = res;
	return 0;
}

void plan_result_free(struct plan_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_actions; i++) {
		struct store_notice *n = &r->actions[i].notice;
		store_object_clear(&r->actions[i].object);
		plan_report_free(r->actions[i].report);
		free(n->kind);
		free(n->recipient);
		free(n->uid);
		free(n->occurrence);
	}
	for (size_t i = 0; i < r->n_records; i++)
		store_object_clear(&r->records[i]);
	for (size_t i = 0; i < r->n_versions; i++)
		store_version_clear(&r->versions[i]);
	free(r->actions);
	free(r->records);
	free(r->versions);
	free(r->upcoming);
	free(r->topics);
	memset(r, 0, sizeof(*r));
}

void plan_change(const struct plan_action *a, struct store_change *ret)
{
	*ret = (struct store_change){
		.object = a->has_object ? &a->object : NULL,
		.notice = a->has_notice ? &a->notice : NULL,
		.message_id = a->message_id,
		.recipient = a->email,
		.kind = util_kind_name(a->kind),
		.uid = a->uid,
		.occurrence = a->occurrence_text[0] ? a->occurrence_text : NULL,
		.due = a->due,
	};
}

int plan_changes(const struct plan_result *r, struct store_change **ret, size_t *ret_n)
{
	size_t n = r->n_actions + r->n_records + r->n_versions;
	struct store_change *c = calloc(n ? n : 1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_actions; i++)
		plan_change(&r->actions[i], &c[i]);
	for (size_t i = 0; i < r->n_records; i++)
		c[r->n_actions + i].object = &r->records[i];
	for (size_t i = 0; i < r->n_versions; i++)
		c[r->n_actions + r->n_records + i].version = &r->versions[i];
	*ret = c;
	*ret_n = n;
	return 0;
}

/* ---- for plan_answers.c (plan_internal.h) ---- */

struct plan_action *plan_new_action(struct plan_ctx *c, enum gr_kind kind,
                                    const struct gr_member *m, const char *email,
                                    const char *name, const struct plan_obj *o, int seq)
{
	struct store_object to = { .recipient = (char *)email, .name = (char *)name };
	struct plan_action *a = new_action(c, kind, m, o, m ? NULL : &to, seq);

	if (a) {
		a->recorded = m ? find_rec(c, m->email, o->uid) : NULL;
		a->email = email;
		a->name = name;
	}
	return a;
}

void plan_set_occ(struct plan_action *a, const struct gr_occurrence *x)
{
	set_occ(a, x);
}

int plan_message_id(const struct plan_ctx *c, struct plan_action *a)
{
	return make_message_id(c, a);
}

bool plan_noticed(const struct plan_ctx *c, const char *kind, const char *email,
                  const char *uid, const char *occ)
{
	return noticed(c, kind, email, uid, occ);
}

time_t plan_day_before(const struct plan_ctx *c, const struct gr_localtime *lt, int days)
{
	return day_before(c, lt, days);
}

int plan_add_upcoming(struct plan_ctx *c, enum gr_kind kind, const struct gr_occurrence *x,
                      int days, time_t due, size_t n_recipients)
{
	int r = add_upcoming(c, kind, x, days, due, 0);

	if (r == 0)
		c->res->upcoming[c->res->n_upcoming - 1].n_recipients = n_recipients;
	return r;
}

const struct plan_obj *plan_obj_of_occ(const struct plan_ctx *c, const struct gr_occurrence *x)
{
	return obj_of_occ(c, x);
}

const struct store_object *plan_find_rec(const struct plan_ctx *c, const char *email,
                                         const char *uid)
{
	return find_rec(c, email, uid);
}
