/* SPDX-License-Identifier: MIT */
/*
 * plan_history - the versions of each calendar object as published, and the
 * feed's view of them (plan_published()).  See plan.h ("History") and
 * plan_internal.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"
#include "util.h"

/* The recorded versions of uid: [*ret_first, *ret_first + count). */
static size_t versions_of(const struct store_state *st, const char *uid, size_t *ret_first)
{
	size_t i = 0, n = 0;

	while (i < st->n_versions && strcmp(st->versions[i].uid, uid) != 0)
		i++;
	*ret_first = i;
	while (i + n < st->n_versions && strcmp(st->versions[i + n].uid, uid) == 0)
		n++;
	return n;
}

/* A new version of o when its content differs from the last recorded. */
int plan_record_version(struct plan_ctx *c, const struct plan_obj *o)
{
	struct plan_result *r = c->res;
	size_t first, n = versions_of(c->st, o->uid, &first);
	const struct gr_series *s = o->series;
	struct store_version v = {
		.uid = (char *)o->uid, .valid_from = c->now, .summary = s->summary,
		.description = s->description, .location = s->location, .url = s->url,
		.dtstart = o->dtstart, .duration = s->duration,
	};

	if (n && strcmp(c->st->versions[first + n - 1].hash, o->hash_version) == 0)
		return 0;
	memcpy(v.hash, o->hash_version, STORE_HASH_LEN);
	if (util_grow((void **)&r->versions, r->n_versions, &c->cap_versions, sizeof(*r->versions)) < 0)
		return -ENOMEM;
	return store_version_copy(&r->versions[r->n_versions++], &v);
}

/* ---- what the feed shows (plan_published) ---- */

/* The version in force at t among the n versions from v: the latest that
 * was valid from t or earlier, else the earliest (the first recorded
 * version also covers what went before). */
static const struct store_version *version_at(const struct store_version *v, size_t n, time_t t)
{
	const struct store_version *in_force = n ? &v[0] : NULL;

	for (size_t i = 1; i < n; i++)
		if (v[i].valid_from <= t)
			in_force = &v[i];
	return in_force;
}

static bool differs_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Does version v give a meeting other content than object o has now? */
static bool version_differs(const struct store_version *v, const struct plan_obj *o)
{
	const struct gr_series *s = o->series;

	return differs_str(v->summary, s->summary) || differs_str(v->description, s->description) ||
	       differs_str(v->location, s->location) || differs_str(v->url, s->url) ||
	       v->duration != s->duration || v->dtstart.hour != o->dtstart.hour ||
	       v->dtstart.minute != o->dtstart.minute;
}

/* Meeting x as it took place under version v: its texts, its time of day
 * (a moved one keeps the time it was moved to) and its length. */
static void past_meeting(const struct plan_ctx *c, const struct gr_occurrence *x,
                         const struct store_version *v, struct gr_past_occurrence *p)
{
	const char *tz = c->cfg->committee.timezone;

	p->original = x->original;
	p->start = x->start;
	if (x->status != GR_OCC_MOVED) {
		p->start.hour = v->dtstart.hour;
		p->start.minute = v->dtstart.minute;
	}
	sched_from_utc(sched_to_utc(&p->start, tz) + (time_t)v->duration * 60, tz, &p->end);
	p->summary = v->summary;
	p->description = v->description;
	p->location = v->location;
	p->url = v->url;
}

static int cmp_sent_agenda(const void *a, const void *b)
{
	const struct store_notice *x = *(const struct store_notice *const *)a;
	const struct store_notice *y = *(const struct store_notice *const *)b;
	int r = strcmp(x->uid, y->uid);

	return r ? r : strcmp(x->occurrence, y->occurrence);
}

/* feed.agenda: the agenda notices of the state, by uid and occurrence
 * (one look-up per meeting; a large state has many notices). */
static int index_sent_agendas(const struct store_state *st, const struct store_notice ***ret,
                              size_t *ret_n)
{
	const struct store_notice **a = calloc(st->n_notices ? st->n_notices : 1, sizeof(*a));
	size_t n = 0;

	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_notices; i++)
		if (strcmp(st->notices[i].kind, "agenda") == 0)
			a[n++] = &st->notices[i];
	qsort(a, n, sizeof(*a), cmp_sent_agenda);
	*ret = a;
	*ret_n = n;
	return 0;
}

/* Did any member get the agenda of uid's meeting at when? */
static bool agenda_sent(const struct store_notice *const *sent, size_t n, const char *uid,
                        const char *when)
{
	struct store_notice key = { .uid = (char *)uid, .occurrence = (char *)when };
	const struct store_notice *k = &key;

	return n && bsearch(&k, sent, n, sizeof(*sent), cmp_sent_agenda) != NULL;
}

/* feed.agenda: the meetings of o whose agenda went out (an agenda notice
 * is recorded, keyed by the series' UID as every notification), with
 * their topics' titles. */
static int published_agendas(const struct plan_ctx *c, const struct plan_obj *o,
                             const struct store_notice *const *sent, size_t n_sent,
                             struct gr_published *p)
{
	const char *uid = o->uid;
	size_t cap = 0;

	for (size_t k = 0; o->moved && k < c->n_objs; k++)
		if (!c->objs[k].moved && c->objs[k].series == o->series)
			uid = c->objs[k].uid;
	for (size_t i = 0; c->cfg->feed.agenda && i < c->occ->n; i++) {
		const struct gr_occurrence *x = &c->occ->items[i];
		const struct store_topic *const *t;
		struct gr_published_agenda *a;
		char when[PLAN_LOCAL_LEN];
		size_t n;

		if (!(o->moved ? o->single == x : plan_occ_of(c, x, o)) || !plan_occ_happens(x))
			continue;
		plan_format_local(&x->start, when);
		if (!agenda_sent(sent, n_sent, uid, when))
			continue;
		if (util_grow((void **)&p->agendas, p->n_agendas, &cap, sizeof(*p->agendas)) < 0)
			return -ENOMEM;
		a = &p->agendas[p->n_agendas++];
		*a = (struct gr_published_agenda){ .occ = x };
		t = plan_topics_of(c, x, &n);
		a->titles = calloc(n ? n : 1, sizeof(*a->titles));
		if (!a->titles)
			return -ENOMEM;
		for (size_t j = 0; j < n; j++)
			a->titles[a->n_titles++] = t[j]->title;
	}
	return 0;
}

/* The feed's view of one object: see plan_published() in plan.h. */
static int published_object(const struct plan_ctx *c, const struct plan_obj *o,
                            const struct store_notice *const *sent, size_t n_sent,
                            struct gr_published *p)
{
	const struct store_state *st = c->st;
	size_t first, n = versions_of(st, o->uid, &first);
	const struct store_version *v = st->versions + first;
	/* the current content: recorded, or (not yet planned) from now */
	bool recorded = n && strcmp(v[n - 1].hash, o->hash_version) == 0;
	time_t current_from = recorded ? v[n - 1].valid_from : c->now;
	size_t cap = 0;

	p->series = o->series;
	p->date_index = o->date_index;
	p->moved = o->moved;
	p->original = o->original;
	memcpy(p->uid, o->uid, sizeof(p->uid));
	p->sequence = -1;
	/* the first version is what the config said from the start: its
	 * LAST-MODIFIED is the config's (0), so the feed a daemon serves
	 * before its first plan is the one it serves after it */
	p->modified = recorded && n > 1 ? current_from : 0;
	for (size_t i = 0; i < st->n_objects; i++)
		if (strcmp(st->objects[i].uid, o->uid) == 0 && st->objects[i].sequence > p->sequence)
			p->sequence = st->objects[i].sequence;
	for (size_t i = 0; i < c->occ->n; i++) {
		const struct gr_occurrence *x = &c->occ->items[i];
		const struct store_version *was;

		if (!plan_occ_of(c, x, o) || !plan_occ_happens(x) || x->start_utc >= current_from)
			continue;
		was = version_at(v, recorded ? n - 1 : n, x->start_utc);
		if (!was || !version_differs(was, o))
			continue;
		if (util_grow((void **)&p->past, p->n_past, &cap, sizeof(*p->past)) < 0)
			return -ENOMEM;
		past_meeting(c, x, was, &p->past[p->n_past++]);
	}
	return published_agendas(c, o, sent, n_sent, p);
}

int plan_published(const struct gr_config *cfg, const struct sched_list *occ,
                   const struct store_state *state, time_t now,
                   struct gr_published **ret, size_t *ret_n)
{
	static const struct store_state empty;
	struct plan_result res = { 0 };
	struct plan_ctx c = { .cfg = cfg, .occ = occ, .now = now, .res = &res };
	struct gr_published *p = NULL;
	const struct store_notice **sent = NULL;
	size_t n_sent = 0;
	int r = plan_ctx_build(&c, state ? state : &empty);

	if (r == 0)
		r = plan_index_topics(&c, state ? state : &empty);
	if (r == 0 && cfg->feed.agenda)
		r = index_sent_agendas(state ? state : &empty, &sent, &n_sent);

	if (r == 0 && !(p = calloc(c.n_objs ? c.n_objs : 1, sizeof(*p))))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < c.n_objs; i++)
		r = published_object(&c, &c.objs[i], sent, n_sent, &p[i]);
	plan_ctx_free(&c);
	free(res.topics);
	free(sent);
	if (r < 0) {
		plan_published_free(p, p ? c.n_objs : 0);
		return r;
	}
	*ret = p;
	*ret_n = c.n_objs;
	return 0;
}

void plan_published_free(struct gr_published *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].past);
		for (size_t j = 0; j < p[i].n_agendas; j++) {
			free(p[i].agendas[j].titles);
			free(p[i].agendas[j].text);
		}
		free(p[i].agendas);
	}
	free(p);
}
