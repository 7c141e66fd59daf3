/* SPDX-License-Identifier: MIT */
/*
 * plan_objects - the calendar objects of the config as the planner sees
 * them: UID (new or old form), hashes, liveness, cancelled occurrences.
 * See plan.h and plan_internal.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"
#include "util.h"

void plan_format_local(const struct gr_localtime *lt, char buf[PLAN_LOCAL_LEN])
{
	/* the modulos only bound the widths for the compiler */
	snprintf(buf, PLAN_LOCAL_LEN, "%04u-%02u-%02uT%02u:%02u",
	         (unsigned)lt->year % 10000u, (unsigned)lt->month % 100u,
	         (unsigned)lt->day % 100u, (unsigned)lt->hour % 100u,
	         (unsigned)lt->minute % 100u);
}

void plan_format_hash(uint64_t h, char buf[STORE_HASH_LEN])
{
	snprintf(buf, STORE_HASH_LEN, "%016llx", (unsigned long long)h);
}

/* Tag, length, value: adjacent fields cannot run into each other, and a
 * missing field (NULL) differs from an empty one. */
uint64_t plan_hash_str(uint64_t h, char tag, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char len[5] = { (unsigned char)tag, (unsigned char)(n >> 24),
	                         (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	                         (unsigned char)n };

	if (!s)
		len[1] = 0xff; /* no real field is 4 GiB long */
	h = util_fnv1a(h, len, sizeof(len));
	return s ? util_fnv1a(h, s, n) : h;
}

uint64_t plan_hash_local(uint64_t h, char tag, const struct gr_localtime *lt)
{
	char buf[PLAN_LOCAL_LEN];

	plan_format_local(lt, buf);
	return plan_hash_str(h, tag, buf);
}

int plan_uid(const struct gr_config *cfg, const struct gr_series *s, int date_index,
             bool legacy, char *buf, size_t len)
{
	return util_object_uid(&cfg->committee, s->id, date_index < 0 ? NULL : &s->dates[date_index],
	                       legacy, buf, len);
}

bool plan_occ_of(const struct plan_ctx *c, const struct gr_occurrence *x, const struct plan_obj *o)
{
	bool owned = c->owned && c->owned[x - c->occ->items];

	if (x->series != o->series)
		return false;
	if (o->moved)
		return x->date_index < 0 && sched_compare(&x->original, &o->original) == 0;
	return o->date_index < 0 ? !owned : x->date_index == o->date_index;
}

bool plan_occ_happens(const struct gr_occurrence *x)
{
	return x->status == GR_OCC_CONFIRMED || x->status == GR_OCC_MOVED;
}

/* ---- the objects of the config ---- */

static int cmp_local(const void *a, const void *b)
{
	return sched_compare(a, b);
}

/* The sorted, comma-separated original starts of o's cancelled occurrences. */
static int build_cancelled(const struct plan_ctx *c, struct plan_obj *o)
{
	struct gr_localtime *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < c->occ->n; i++) {
		const struct gr_occurrence *x = &c->occ->items[i];
		if (!plan_occ_of(c, x, o) || x->status != GR_OCC_CANCELLED)
			continue;
		if (util_grow((void **)&v, n, &cap, sizeof(*v)) < 0) {
			free(v);
			return -ENOMEM;
		}
		v[n++] = x->original;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_local);
	o->cancelled = calloc(n * PLAN_LOCAL_LEN + 1, 1);
	if (!o->cancelled) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		/* each entry is exactly 16 characters, then ',' or the end */
		plan_format_local(&v[i], o->cancelled + i * PLAN_LOCAL_LEN);
		if (i + 1 < n)
			o->cancelled[i * PLAN_LOCAL_LEN + PLAN_LOCAL_LEN - 1] = ',';
	}
	free(v);
	return 0;
}

/* Hashes, liveness and end of one object from the series and the list. */
static void derive(const struct plan_ctx *c, struct plan_obj *o)
{
	const struct gr_series *s = o->series;
	uint64_t h = UTIL_FNV_INIT;
	char num[16];

	h = plan_hash_str(h, 'S', s->summary);
	h = plan_hash_str(h, 'D', s->description);
	h = plan_hash_str(h, 'L', s->location);
	h = plan_hash_str(h, 'U', s->url);
	/* a moved meeting is one date: the rule is none of its business */
	h = plan_hash_str(h, 'R', o->moved ? NULL : s->rrule);
	h = plan_hash_local(h, 'T', &o->dtstart);
	/* numbers as text: the hash must not depend on the byte order */
	snprintf(num, sizeof(num), "%d", s->duration);
	h = plan_hash_str(h, 'N', num);
	if (o->moved) {
		/* its DESCRIPTION names the regular date and the reason */
		h = plan_hash_local(h, 'O', &o->original);
		h = plan_hash_str(h, 'n', o->single->note);
	}
	for (size_t i = 0; i < c->occ->n; i++) {
		const struct gr_occurrence *x = &c->occ->items[i];
		if (o->date_index < 0 && !o->moved && x->series == s && c->owned[i]) {
			/* a moved meeting of the series: an EXDATE of it */
			h = plan_hash_local(h, 'X', &x->original);
			continue;
		}
		if (!plan_occ_of(c, x, o))
			continue;
		/* a moved dated meeting is its object's new DTSTART */
		if (x->status == GR_OCC_MOVED && o->date_index >= 0) {
			h = plan_hash_local(h, 'M', &x->original);
			h = plan_hash_local(h, 'm', &x->start);
		} else if (x->status == GR_OCC_SKIPPED) {
			h = plan_hash_local(h, 'K', &x->original);
		}
		if (plan_occ_happens(x) && x->end_utc > c->now)
			o->live = true;
		if (o->date_index >= 0)
			o->single = x;
	}
	plan_format_hash(h, o->hash_base);
	h = plan_hash_str(h, 'C', o->cancelled);
	plan_format_hash(h, o->hash);
	for (size_t i = 0; o->date_index >= 0 && i < c->occ->n; i++) {
		const struct gr_occurrence *x = &c->occ->items[i];
		if (plan_occ_of(c, x, o) && x->status == GR_OCC_MOVED)
			h = plan_hash_str(h, 'n', x->note);
	}
	plan_format_hash(h, o->hash_version);
	if (o->date_index < 0 && !o->moved)
		o->end_utc = 0;
	else if (o->single)
		o->end_utc = o->single->end_utc;
	else
		o->end_utc = sched_to_utc(&o->dtstart, c->cfg->committee.timezone) +
		             (time_t)s->duration * 60;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool uid_recorded(const struct plan_ctx *c, const char *uid)
{
	return bsearch(&uid, c->uids, c->n_uids, sizeof(*c->uids), cmp_str) != NULL;
}

/* The new UID, or the old one when only that is recorded (plan.h). */
static int object_uid(const struct plan_ctx *c, struct plan_obj *o)
{
	char old[sizeof(o->uid)];
	int r = plan_uid(c->cfg, o->series, o->date_index, false, o->uid, sizeof(o->uid));

	if (r == 0 && !uid_recorded(c, o->uid) &&
	    plan_uid(c->cfg, o->series, o->date_index, true, old, sizeof(old)) == 0 &&
	    uid_recorded(c, old))
		memcpy(o->uid, old, sizeof(old));
	return r;
}

/* One object whose UID does not fit stops no other: its messages are
 * planned and fail alone (service.c).  r: what making the UID returned. */
static int uid_made(struct plan_obj *o, int r)
{
	if (r != -ENOSPC)
		return r;
	o->unplannable = "its UID (series id and committee.domain) is longer than 511 octets";
	return 0;
}

/* Cancelled occurrences and hashes of an object. */
static int finish_object(const struct plan_ctx *c, struct plan_obj *o)
{
	int r = build_cancelled(c, o);

	if (r < 0)
		return r;
	derive(c, o);
	return 0;
}

/* Moved meeting x as an object of its own in *o: 1, or 0 when x is no
 * moved meeting (a cancelled one still is when its object was sent: it
 * needs its CANCEL), or -ENOSPC. */
static int moved_object(const struct plan_ctx *c, const struct gr_occurrence *x,
                        struct plan_obj *o)
{
	int r;

	if (x->status != GR_OCC_MOVED && x->status != GR_OCC_CANCELLED)
		return 0;
	r = uid_made(o, util_moved_uid(&c->cfg->committee, x->series->id, &x->original,
	                               o->uid, sizeof(o->uid)));
	if (r < 0 || (x->status == GR_OCC_CANCELLED && (o->unplannable || !uid_recorded(c, o->uid)))) {
		memset(o, 0, sizeof(*o));
		return r;
	}
	o->series = x->series;
	o->date_index = -1;
	o->moved = true;
	o->original = x->original;
	o->dtstart = x->start;
	o->single = x;
	return 1;
}

int plan_build_objects(struct plan_ctx *c)
{
	const struct gr_config *cfg = c->cfg;
	const struct store_state *st = c->st;
	size_t n = 0, k = 0;

	/* the recorded UIDs, for the old form (plan.h) */
	c->uids = calloc(st->n_objects ? st->n_objects : 1, sizeof(*c->uids));
	if (!c->uids)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_objects; i++)
		c->uids[i] = st->objects[i].uid;
	c->n_uids = st->n_objects;
	qsort(c->uids, c->n_uids, sizeof(*c->uids), cmp_str);

	for (size_t i = 0; i < cfg->n_series; i++)
		n += cfg->series[i].rrule ? 1 : cfg->series[i].n_dates;
	/* and at most one object per moved meeting */
	c->objs = calloc(n + c->occ->n + 1, sizeof(*c->objs));
	c->owned = calloc(c->occ->n + 1, sizeof(*c->owned));
	if (!c->objs || !c->owned)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_series; i++) {
		const struct gr_series *s = &cfg->series[i];
		size_t m = s->rrule ? 1 : s->n_dates;
		size_t series_obj = k;
		int r = 0;

		for (size_t d = 0; r == 0 && d < m; d++, k++) {
			c->n_objs = k + 1;
			c->objs[k].series = s;
			c->objs[k].date_index = s->rrule ? -1 : (int)d;
			c->objs[k].dtstart = s->rrule ? s->start : s->dates[d];
			r = uid_made(&c->objs[k], object_uid(c, &c->objs[k]));
		}
		/* the moved meetings of an rrule series right after it */
		for (size_t j = 0; r == 0 && s->rrule && j < c->occ->n; j++) {
			const struct gr_occurrence *x = &c->occ->items[j];
			if (x->series == s && (r = moved_object(c, x, &c->objs[k])) > 0) {
				c->owned[j] = true;
				c->n_objs = ++k;
			}
		}
		/* the series' hashes need to know its moved meetings */
		for (size_t q = series_obj; r >= 0 && q < k; q++)
			r = finish_object(c, &c->objs[q]);
		if (r < 0)
			return r;
	}
	return 0;
}
