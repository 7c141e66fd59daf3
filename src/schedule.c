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

/* Call fn for each occurrence of rule from start until fn returns non-zero
 * or the rule ends.  Returns fn's value, 0 at the end, -EINVAL on a bad rule. */
static int iterate(const char *rrule, const struct gr_localtime *start,
                   int (*fn)(const struct gr_localtime *lt, void *data), void *data)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	int ret = 0;

	if (parse_rule(rrule, &r) < 0)
		return -EINVAL;
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
	int r = iterate(rrule, start, first_is, &s);

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
	if (iterate(s->rrule, &s->start, match_date, &f) != 1)
		return 0;
	if (ret_start)
		*ret_start = f.found;
	return 1;
}

time_t sched_to_utc(const struct gr_localtime *lt, const char *tzid)
{
	struct icaltimetype t = to_ical(lt);
	icaltimezone *z = zone(tzid);

	if (!z)
		z = icaltimezone_get_utc_timezone();
	return icaltime_as_timet_with_zone(t, z);
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
