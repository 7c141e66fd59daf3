/* SPDX-License-Identifier: MIT */
/*
 * schedule - series + exceptions -> sorted occurrences, in the committee's
 * time zone, DST-correct.  Pure: no clock, no I/O (time zone data excepted).
 * Also answers the questions config validation asks about time zones and
 * recurrence rules, so that only this module and ical see libical.
 */
#ifndef GREMIUM_SCHEDULE_H
#define GREMIUM_SCHEDULE_H

#include "model.h"

struct sched_list {
	struct gr_occurrence *items; /* sorted by actual start, then series id */
	size_t n;
};

/* true when libical knows the Olson zone tzid (e.g. "Europe/Berlin"). */
bool sched_timezone_known(const char *tzid);

/*
 * Check an RRULE value (without "RRULE:") for what libical can parse and what
 * Outlook can show: one ordinal per BYDAY, no negative BYSETPOS, no BYMONTHDAY
 * mixed with BYDAY, FREQ one of DAILY/WEEKLY/MONTHLY/YEARLY, no COUNT+UNTIL.
 * Returns 0 when fine, -EINVAL with a short English reason in err otherwise.
 */
int sched_rrule_check(const char *rrule, char *err, size_t errlen);

/*
 * Does the rule, started at start, produce start itself as its first
 * occurrence?  1 yes, 0 no, -EINVAL when the rule does not parse.
 */
int sched_rrule_produces_start(const char *rrule, const struct gr_localtime *start);

/*
 * Does series s have a regular occurrence on the local date y-m-d?
 * Returns 1 and fills *ret_start (when not NULL) with its start, or 0.
 */
int sched_series_has_date(const struct gr_series *s, int y, int m, int d,
                          struct gr_localtime *ret_start);

/* Local time in tzid -> UTC instant.  RFC 5545 §3.3.5: a time that occurs
 * twice (autumn) is the first one; a time in a gap (spring) is read with the
 * offset before the gap, so it lands after the gap (02:30 -> 03:30 CEST). */
time_t sched_to_utc(const struct gr_localtime *lt, const char *tzid);

/* UTC instant -> local time in tzid. */
void sched_from_utc(time_t t, const char *tzid, struct gr_localtime *ret);

/* Add days (may be negative) to a local date; hour and minute are kept. */
struct gr_localtime sched_add_days(struct gr_localtime lt, int days);

/* 1 = Monday .. 7 = Sunday */
int sched_weekday(const struct gr_localtime *lt);

/* <0, 0, >0 like strcmp */
int sched_compare(const struct gr_localtime *a, const struct gr_localtime *b);

/*
 * Expand every series of cfg into the occurrences whose original or actual
 * start lies in [from, to) (UTC instants).  Cancelled and skipped occurrences
 * are included with their status.  Returns 0 and fills *ret (caller frees
 * with sched_list_free()), or -ENOMEM, or -EINVAL when a series' rule does
 * not parse (config validation rules that out).
 */
int sched_expand(const struct gr_config *cfg, time_t from, time_t to,
                 struct sched_list *ret);

/*
 * The window that covers every fact of the config: from the earliest start
 * (of series, dates and exceptions) to one day after the latest of them, but
 * at least until `until`.  Deterministic for a given config.
 */
void sched_horizon(const struct gr_config *cfg, time_t until,
                   time_t *ret_from, time_t *ret_to);

void sched_list_free(struct sched_list *list);

#endif
