/* SPDX-License-Identifier: MIT */
/*
 * schedule - expansion of series into occurrences.  See schedule.h.
 *
 * Recurrence rules are iterated in local wall-clock time (floating
 * icaltimetypes) and each result is converted to UTC with the committee's
 * zone afterwards: "10:00 on the 2nd Wednesday" stays 10:00 local across
 * DST changes, which is what RFC 5545 §3.3.10 asks for a DTSTART with TZID.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "schedule.h"
#include "util.h"

/* Upper bound on iterations of one rule, so a DAILY rule since 1970 cannot
 * make a check take forever. */
#define SCHED_MAX_ITER 200000

static icaltimezone *zone(const char *tzid)
{
	if (!tzid || !*tzid)
		return NULL;
	return icaltimezone_get_builtin_timezone(tzid);
}

bool sched_timezone_known(const char *tzid)
{
	/* libical also accepts "UTC"; a real Olson name has a '/' or is UTC */
	return zone(tzid) != NULL;
}

static struct icaltimetype to_ical(const struct gr_localtime *lt)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = lt->year;
	t.month = lt->month;
	t.day = lt->day;
	t.hour = lt->hour;
	t.minute = lt->minute;
	t.second = 0;
	t.is_date = 0;
	return t;
}

static struct gr_localtime from_ical(struct icaltimetype t)
{
	struct gr_localtime lt = { t.year, t.month, t.day, t.hour, t.minute };
	return lt;
}

int sched_compare(const struct gr_localtime *a, const struct gr_localtime *b)
{
	const int av[] = { a->year, a->month, a->day, a->hour, a->minute };
	const int bv[] = { b->year, b->month, b->day, b->hour, b->minute };

	for (size_t i = 0; i < 5; i++)
		if (av[i] != bv[i])
			return av[i] < bv[i] ? -1 : 1;
	return 0;
}

static int parse_rule(const char *rrule, struct icalrecurrencetype *ret)
{
	struct icalrecurrencetype r;

	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return -EINVAL;
	}
	*ret = r;
	return 0;
}

int sched_rrule_check(const char *rrule, char *err, size_t errlen)
{
	struct icalrecurrencetype r;
	int ordinals = 0, plain_days = 0;

	if (!rrule || !*rrule || strncmp(rrule, "RRULE:", 6) == 0 || strstr(rrule, "FREQ=") == NULL) {
		snprintf(err, errlen, "not an RRULE value (expected e.g. \"FREQ=MONTHLY;BYDAY=2WE\")");
		return -EINVAL;
	}
	if (parse_rule(rrule, &r) < 0) {
		snprintf(err, errlen, "libical cannot parse this rule");
		return -EINVAL;
	}
	switch (r.freq) {
	case ICAL_DAILY_RECURRENCE:
	case ICAL_WEEKLY_RECURRENCE:
	case ICAL_MONTHLY_RECURRENCE:
	case ICAL_YEARLY_RECURRENCE:
		break;
	default:
		snprintf(err, errlen, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY");
		return -EINVAL;
	}
	if (r.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		snprintf(err, errlen, "BYHOUR, BYMINUTE and BYSECOND are not allowed: the time comes from `start`");
		return -EINVAL;
	}
	for (int i = 0; i < ICAL_BY_DAY_SIZE && r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		if (icalrecurrencetype_day_position(r.by_day[i]) != 0)
			ordinals++;
		else
			plain_days++;
	}
	if (ordinals > 1 || (ordinals == 1 && plain_days > 0)) {
		snprintf(err, errlen, "several weekday ordinals in BYDAY (e.g. 1WE,3WE): Outlook cannot show such a series; use two series");
		return -EINVAL;
	}
	for (int i = 0; i < ICAL_BY_SETPOS_SIZE && r.by_set_pos[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		if (r.by_set_pos[i] < 0) {
			snprintf(err, errlen, "negative BYSETPOS (e.g. BYSETPOS=-1): Outlook cannot show it");
			return -EINVAL;
		}
	}
	if (r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX && r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		snprintf(err, errlen, "BYMONTHDAY mixed with BYDAY: Outlook cannot show it");
		return -EINVAL;
	}
	for (int i = 0; i < ICAL_BY_MONTHDAY_SIZE && r.by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		if (r.by_month_day[i] < 0) {
			snprintf(err, errlen, "negative BYMONTHDAY: Outlook cannot show it");
			return -EINVAL;
		}
	}
	if (r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		snprintf(err, errlen, "BYYEARDAY and BYWEEKNO are not supported by Outlook");
		return -EINVAL;
	}
	return 0;
}

/* libical compares a UTC UNTIL with our floating local times as if they
 * were UTC, which moves the end by the zone's offset.  RFC 5545 §3.3.10
 * makes UNTIL inclusive, in UTC when DTSTART has a TZID: turn it into the
 * local wall time of tzid so the comparison is like for like.  A DATE
 * UNTIL (not allowed with a DATE-TIME start, but common) means the whole
 * day, as ical.c writes it: 23:59:59 local. */
static void localize_until(struct icalrecurrencetype *r, const char *tzid)
{
	struct gr_localtime lt;
	int second = r->until.second;

	if (icaltime_is_null_time(r->until))
		return;
	if (r->until.is_date) {
		r->until.is_date = 0;
		r->until.hour = 23;
		r->until.minute = 59;
		r->until.second = 59;
		return;
	}
	if (!tzid || !icaltime_is_utc(r->until))
		return;
	sched_from_utc(icaltime_as_timet(r->until), tzid, &lt);
	r->until = to_ical(&lt);
	r->until.second = second;
}

/* Call fn for each occurrence of rule from start until fn returns non-zero
 * or the rule ends.  tzid (may be NULL) is the zone of the wall times, for
 * a UTC UNTIL.  Returns fn's value, 0 at the end, -EINVAL on a bad rule. */
static int iterate(const char *rrule, const struct gr_localtime *start, const char *tzid,
                   int (*fn)(const struct gr_localtime *lt, void *data), void *data)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	int ret = 0;

	if (parse_rule(rrule, &r) < 0)
		return -EINVAL;
	localize_until(&r, tzid);
	it = icalrecur_iterator_new(r, to_ical(start));
	if (!it)
		return -EINVAL;
	for (int n = 0; n < SCHED_MAX_ITER; n++) {
		struct icaltimetype t = icalrecur_iterator_next(it);
		struct gr_localtime lt;

		if (icaltime_is_null_time(t))
			break;
		lt = from_ical(t);
		ret = fn(&lt, data);
		if (ret)
			break;
	}
	icalrecur_iterator_free(it);
	return ret;
}

static int first_is(const struct gr_localtime *lt, void *data)
{
	return sched_compare(lt, data) == 0 ? 1 : 2;
}

int sched_rrule_produces_start(const char *rrule, const struct gr_localtime *start)
{
	struct gr_localtime s = *start;
	int r = iterate(rrule, start, NULL, first_is, &s);

	if (r < 0)
		return r;
	return r == 1;
}

struct find_date {
	int y, m, d;
	struct gr_localtime found;
};

static int match_date(const struct gr_localtime *lt, void *data)
{
	struct find_date *f = data;
	struct gr_localtime want = { f->y, f->m, f->d, 0, 0 };
	struct gr_localtime day = { lt->year, lt->month, lt->day, 0, 0 };
	int c = sched_compare(&day, &want);

	if (c == 0) {
		f->found = *lt;
		return 1;
	}
	return c > 0 ? 2 : 0;
}

int sched_series_has_date(const struct gr_series *s, int y, int m, int d,
                          struct gr_localtime *ret_start)
{
	if (!s->rrule) {
		for (size_t i = 0; i < s->n_dates; i++) {
			const struct gr_localtime *lt = &s->dates[i];
			if (lt->year == y && lt->month == m && lt->day == d) {
				if (ret_start)
					*ret_start = *lt;
				return 1;
			}
		}
		return 0;
	}
	struct find_date f = { y, m, d, { 0 } };
	if (iterate(s->rrule, &s->start, NULL, match_date, &f) != 1)
		return 0;
	if (ret_start)
		*ret_start = f.found;
	return 1;
}

/* The wall time as if it were UTC: local = instant + offset. */
static time_t wall_seconds(struct icaltimetype t)
{
	t.zone = NULL;
	return icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
}

/* UTC offset (seconds east) of zone z at instant t. */
static time_t offset_at(icaltimezone *z, time_t t)
{
	return wall_seconds(icaltime_from_timet_with_zone(t, 0, z)) - t;
}

/*
 * RFC 5545 §3.3.5 decides what libical leaves open (it reads 02:30 in a
 * spring-forward gap as 00:30Z in Berlin, and a repeated autumn time as
 * the second one): a time that occurs twice is the first occurrence; a
 * time that does not exist is read with the offset before the gap, so
 * 02:30 becomes 03:30 CEST.  Transitions are months apart, so the offsets
 * a day before and after are the only candidates.
 */
time_t sched_to_utc(const struct gr_localtime *lt, const char *tzid)
{
	icaltimezone *z = zone(tzid);
	time_t wall = wall_seconds(to_ical(lt));
	time_t before, after, c1, c2;
	bool ok1, ok2;

	if (!z)
		return wall;
	before = offset_at(z, wall - 86400);
	after = offset_at(z, wall + 86400);
	c1 = wall - before;
	c2 = wall - after;
	ok1 = offset_at(z, c1) == before;
	ok2 = offset_at(z, c2) == after;
	if (ok1 && ok2)
		return c1 < c2 ? c1 : c2;
	if (ok2)
		return c2;
	return c1;  /* valid, or in a gap: the offset before it */
}

void sched_from_utc(time_t t, const char *tzid, struct gr_localtime *ret)
{
	icaltimezone *z = zone(tzid);

	if (!z)
		z = icaltimezone_get_utc_timezone();
	*ret = from_ical(icaltime_from_timet_with_zone(t, 0, z));
}

struct gr_localtime sched_add_days(struct gr_localtime lt, int days)
{
	struct icaltimetype t = to_ical(&lt);

	icaltime_adjust(&t, days, 0, 0, 0);
	return from_ical(t);
}

int sched_weekday(const struct gr_localtime *lt)
{
	int dow = icaltime_day_of_week(to_ical(lt)); /* 1 = Sunday */

	return dow == 1 ? 7 : dow - 1;
}

/* ---- expansion: below this line (sched_expand, sched_horizon, ...) ---- */

/* A growable array of occurrences; the result of an expansion. */
struct occ_vec {
	struct gr_occurrence *items;
	size_t n, cap;
};

static int vec_push(struct occ_vec *v, const struct gr_occurrence *o)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;
		struct gr_occurrence *p = realloc(v->items, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->items = p;
		v->cap = cap;
	}
	v->items[v->n++] = *o;
	return 0;
}

static const struct gr_series *find_series(const struct gr_config *cfg, const char *id)
{
	for (size_t i = 0; id && i < cfg->n_series; i++)
		if (strcmp(cfg->series[i].id, id) == 0)
			return &cfg->series[i];
	return NULL;
}

/* The exception for the regular occurrence of s on the local date of lt. */
static const struct gr_exception *find_exception(const struct gr_config *cfg,
                                                 const struct gr_series *s,
                                                 const struct gr_localtime *lt)
{
	for (size_t i = 0; i < cfg->n_exceptions; i++) {
		const struct gr_exception *e = &cfg->exceptions[i];

		if (e->year == lt->year && e->month == lt->month && e->day == lt->day &&
		    strcmp(e->series, s->id) == 0)
			return e;
	}
	return NULL;
}

/* One occurrence of s at its regular start orig, with its exception applied.
 * The end is start + duration in real time (UTC), so a meeting across a DST
 * switch lasts as long as configured; its local end follows from that. */
static struct gr_occurrence make_occurrence(const struct gr_config *cfg,
                                            const struct gr_series *s, int date_index,
                                            const struct gr_localtime *orig)
{
	const char *tz = cfg->committee.timezone;
	const struct gr_exception *e = find_exception(cfg, s, orig);
	struct gr_occurrence o = {
		.series = s, .date_index = date_index,
		.original = *orig, .start = *orig, .status = GR_OCC_CONFIRMED,
	};

	if (e && e->cancel) {
		o.status = GR_OCC_CANCELLED;
		o.note = e->note;
	} else if (e && e->move) {
		o.status = GR_OCC_MOVED;
		o.start = e->move_to;
		o.note = e->note;
	}
	o.start_utc = sched_to_utc(&o.start, tz);
	o.end_utc = o.start_utc + (time_t)s->duration * 60;
	sched_from_utc(o.end_utc, tz, &o.end);
	return o;
}

struct expand_ctx {
	const struct gr_config *cfg;
	const struct gr_series *s;
	time_t from, to;
	time_t limit;           /* stop iterating at regular starts >= limit */
	struct occ_vec *out;
	int err;
};

static bool in_window(time_t t, time_t from, time_t to)
{
	return t >= from && t < to;
}

/* Keep the occurrence when its original or its actual start is in the
 * window: a moved meeting shows up both where it was and where it is. */
static int add_occurrence(struct expand_ctx *ctx, int date_index,
                          const struct gr_localtime *orig)
{
	struct gr_occurrence o = make_occurrence(ctx->cfg, ctx->s, date_index, orig);
	time_t orig_utc = sched_to_utc(orig, ctx->cfg->committee.timezone);

	if (!in_window(orig_utc, ctx->from, ctx->to) && !in_window(o.start_utc, ctx->from, ctx->to))
		return 0;
	return vec_push(ctx->out, &o);
}

static int rrule_step(const struct gr_localtime *lt, void *data)
{
	struct expand_ctx *ctx = data;

	if (sched_to_utc(lt, ctx->cfg->committee.timezone) >= ctx->limit)
		return 1;
	ctx->err = add_occurrence(ctx, -1, lt);
	return ctx->err ? 1 : 0;
}

/* Regular starts after `to` matter when an exception moves them into the
 * window: iterate up to the latest such exception (plus a day). */
static time_t iteration_limit(const struct gr_config *cfg, const struct gr_series *s, time_t to)
{
	time_t limit = to;

	for (size_t i = 0; i < cfg->n_exceptions; i++) {
		const struct gr_exception *e = &cfg->exceptions[i];
		struct gr_localtime day = { e->year, e->month, e->day, 0, 0 };
		time_t t;

		if (!e->move || strcmp(e->series, s->id) != 0)
			continue;
		t = sched_to_utc(&day, cfg->committee.timezone) + 2 * 86400;
		if (t > limit)
			limit = t;
	}
	return limit;
}

/* Occurrences of one series in [from, to), skip_months_of not applied. */
static int expand_series(const struct gr_config *cfg, const struct gr_series *s,
                         time_t from, time_t to, struct occ_vec *out)
{
	struct expand_ctx ctx = { cfg, s, from, to, iteration_limit(cfg, s, to), out, 0 };
	int r;

	if (!s->rrule) {
		for (size_t i = 0; i < s->n_dates; i++) {
			r = add_occurrence(&ctx, (int)i, &s->dates[i]);
			if (r < 0)
				return r;
		}
		return 0;
	}
	r = iterate(s->rrule, &s->start, cfg->committee.timezone, rrule_step, &ctx);
	if (ctx.err)
		return ctx.err;
	return r < 0 ? r : 0;
}

/* Does s hold a meeting that is not cancelled in local month y-m?  The
 * meeting counts where it actually takes place (after a move). */
static int series_meets_in_month(const struct gr_config *cfg, const struct gr_series *s,
                                 int y, int m)
{
	const char *tz = cfg->committee.timezone;
	struct gr_localtime first = { y, m, 1, 0, 0 };
	struct gr_localtime next = { m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, 0, 0 };
	struct occ_vec v = { 0 };
	int r = expand_series(cfg, s, sched_to_utc(&first, tz), sched_to_utc(&next, tz), &v);

	for (size_t i = 0; r == 0 && i < v.n; i++) {
		const struct gr_occurrence *o = &v.items[i];

		if (o->status != GR_OCC_CANCELLED && o->start.year == y && o->start.month == m)
			r = 1;
	}
	free(v.items);
	return r;
}

/* skip_months_of: a regular (confirmed) occurrence whose month holds a
 * meeting of the named series becomes GR_OCC_SKIPPED.  Cancelled and moved
 * ones keep their status: an explicit exception is the admin's last word. */
static int apply_skips(const struct gr_config *cfg, struct occ_vec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		struct gr_occurrence *o = &v->items[i];
		const struct gr_series *other = find_series(cfg, o->series->skip_months_of);
		int r;

		if (!other || other == o->series || o->status != GR_OCC_CONFIRMED)
			continue;
		r = series_meets_in_month(cfg, other, o->original.year, o->original.month);
		if (r < 0)
			return r;
		if (r)
			o->status = GR_OCC_SKIPPED;
	}
	return 0;
}

static int occ_cmp(const void *pa, const void *pb)
{
	const struct gr_occurrence *a = pa, *b = pb;
	int c;

	if (a->start_utc != b->start_utc)
		return a->start_utc < b->start_utc ? -1 : 1;
	c = strcmp(a->series->id, b->series->id);
	if (c)
		return c;
	c = sched_compare(&a->original, &b->original);
	if (c)
		return c;
	return (a->date_index > b->date_index) - (a->date_index < b->date_index);
}

int sched_expand(const struct gr_config *cfg, time_t from, time_t to,
                 struct sched_list *ret)
{
	struct occ_vec v = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < cfg->n_series; i++)
		r = expand_series(cfg, &cfg->series[i], from, to, &v);
	if (r == 0)
		r = apply_skips(cfg, &v);
	if (r < 0) {
		free(v.items);
		return r;
	}
	if (v.n > 1)
		qsort(v.items, v.n, sizeof(v.items[0]), occ_cmp);
	ret->items = v.items;
	ret->n = v.n;
	return 0;
}

static void widen(const struct gr_localtime *lt, bool *any,
                  struct gr_localtime *lo, struct gr_localtime *hi)
{
	if (!*any || sched_compare(lt, lo) < 0)
		*lo = *lt;
	if (!*any || sched_compare(lt, hi) > 0)
		*hi = *lt;
	*any = true;
}

void sched_horizon(const struct gr_config *cfg, time_t until,
                   time_t *ret_from, time_t *ret_to)
{
	const char *tz = cfg->committee.timezone;
	struct gr_localtime lo = { 0 }, hi = { 0 };
	bool any = false;
	time_t from, to;

	for (size_t i = 0; i < cfg->n_series; i++) {
		const struct gr_series *s = &cfg->series[i];

		if (s->rrule)
			widen(&s->start, &any, &lo, &hi);
		for (size_t j = 0; j < s->n_dates; j++)
			widen(&s->dates[j], &any, &lo, &hi);
	}
	for (size_t i = 0; i < cfg->n_exceptions; i++) {
		const struct gr_exception *e = &cfg->exceptions[i];
		struct gr_localtime day = { e->year, e->month, e->day, 0, 0 };

		widen(&day, &any, &lo, &hi);
		if (e->move)
			widen(&e->move_to, &any, &lo, &hi);
	}
	if (!any) {
		*ret_from = *ret_to = until;
		return;
	}
	from = sched_to_utc(&lo, tz);
	hi = sched_add_days(hi, 1);
	to = sched_to_utc(&hi, tz);
	*ret_from = from;
	*ret_to = to > until ? to : until;
}

void sched_list_free(struct sched_list *list)
{
	if (!list)
		return;
	free(list->items);
	list->items = NULL;
	list->n = 0;
}
