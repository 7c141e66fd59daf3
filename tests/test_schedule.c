/* SPDX-License-Identifier: MIT */
/* Unit tests for src/schedule.c: expansion across DST, month and year ends,
 * leap days, exceptions and skip_months_of.  Configs are built in C. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "util.h"

#define TZ "Europe/Berlin"

static struct gr_localtime lt(const char *s)
{
	struct gr_localtime t = { 0 };

	assert_int_equal(util_parse_datetime(s, &t.year, &t.month, &t.day, &t.hour, &t.minute), 0);
	return t;
}

static time_t utc(const char *s)
{
	struct gr_localtime t = lt(s);

	return sched_to_utc(&t, TZ);
}

static void base_config(struct gr_config *cfg, struct gr_series *series, size_t n_series,
                        struct gr_exception *exc, size_t n_exc)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->committee.timezone = (char *)TZ;
	cfg->committee.domain = (char *)"example.org";
	cfg->series = series;
	cfg->n_series = n_series;
	cfg->exceptions = exc;
	cfg->n_exceptions = n_exc;
}

static const char *status_name(enum gr_occ_status s)
{
	switch (s) {
	case GR_OCC_CONFIRMED: return "confirmed";
	case GR_OCC_MOVED: return "moved";
	case GR_OCC_CANCELLED: return "cancelled";
	case GR_OCC_SKIPPED: return "skipped";
	}
	return "?";
}

/* "LOCAL-START UTC-START STATUS" of one occurrence, for table comparison. */
static void describe(const struct gr_occurrence *o, char *buf, size_t len)
{
	struct tm tm;
	char u[32];

	assert_non_null(gmtime_r(&o->start_utc, &tm));
	assert_true(strftime(u, sizeof(u), "%Y-%m-%dT%H:%MZ", &tm) > 0);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d %s %s", o->start.year, o->start.month,
	         o->start.day, o->start.hour, o->start.minute, u, status_name(o->status));
}

static void expect_list(const struct sched_list *l, const char *const *want)
{
	size_t n = 0;
	char buf[128];

	while (want[n])
		n++;
	for (size_t i = 0; i < l->n; i++) {
		describe(&l->items[i], buf, sizeof(buf));
		if (i >= n || strcmp(buf, want[i]) != 0)
			fail_msg("occurrence %zu: got \"%s\", want \"%s\"", i, buf, i < n ? want[i] : "(none)");
	}
	assert_int_equal(l->n, n);
}

struct rrule_case {
	const char *name;
	const char *rrule;
	const char *start;
	const char *from, *to;  /* local times, window [from, to) */
	const char *want[8];
};

static const struct rrule_case rrule_cases[] = {
	/* last Sunday of March 2027 is the 28th: 10:00 local is 09:00Z before, 08:00Z after */
	{ "dst-march", "FREQ=DAILY", "2027-03-26T10:00", "2027-03-26T00:00", "2027-03-30T00:00",
	  { "2027-03-26T10:00 2027-03-26T09:00Z confirmed", "2027-03-27T10:00 2027-03-27T09:00Z confirmed",
	    "2027-03-28T10:00 2027-03-28T08:00Z confirmed", "2027-03-29T10:00 2027-03-29T08:00Z confirmed" } },
	/* last Sunday of October 2027 is the 31st: back to 09:00Z */
	{ "dst-october", "FREQ=DAILY", "2027-10-29T10:00", "2027-10-29T00:00", "2027-11-02T00:00",
	  { "2027-10-29T10:00 2027-10-29T08:00Z confirmed", "2027-10-30T10:00 2027-10-30T08:00Z confirmed",
	    "2027-10-31T10:00 2027-10-31T09:00Z confirmed", "2027-11-01T10:00 2027-11-01T09:00Z confirmed" } },
	/* the week of the switch, weekly: Wed 24 Mar (CET) and Wed 31 Mar (CEST) */
	{ "dst-weekly", "FREQ=WEEKLY;BYDAY=WE", "2027-03-17T10:00", "2027-03-20T00:00", "2027-04-05T00:00",
	  { "2027-03-24T10:00 2027-03-24T09:00Z confirmed", "2027-03-31T10:00 2027-03-31T08:00Z confirmed" } },
	/* only months with five Wednesdays have a 5WE */
	{ "five-wednesdays", "FREQ=MONTHLY;BYDAY=5WE", "2026-09-30T10:00", "2026-09-01T00:00", "2027-07-01T00:00",
	  { "2026-09-30T10:00 2026-09-30T08:00Z confirmed", "2026-12-30T10:00 2026-12-30T09:00Z confirmed",
	    "2027-03-31T10:00 2027-03-31T08:00Z confirmed", "2027-06-30T10:00 2027-06-30T08:00Z confirmed" } },
	/* September 2026 has five Wednesdays; the 2nd is still the 9th */
	{ "second-of-five", "FREQ=MONTHLY;BYDAY=2WE", "2026-09-09T10:00", "2026-09-01T00:00", "2026-11-01T00:00",
	  { "2026-09-09T10:00 2026-09-09T08:00Z confirmed", "2026-10-14T10:00 2026-10-14T08:00Z confirmed" } },
	{ "year-end", "FREQ=MONTHLY;BYDAY=2WE", "2026-09-09T10:00", "2026-12-01T00:00", "2027-02-01T00:00",
	  { "2026-12-09T10:00 2026-12-09T09:00Z confirmed", "2027-01-13T10:00 2027-01-13T09:00Z confirmed" } },
	{ "new-years-eve", "FREQ=YEARLY", "2026-12-31T23:30", "2026-01-01T00:00", "2029-01-01T00:00",
	  { "2026-12-31T23:30 2026-12-31T22:30Z confirmed", "2027-12-31T23:30 2027-12-31T22:30Z confirmed",
	    "2028-12-31T23:30 2028-12-31T22:30Z confirmed" } },
	/* a yearly meeting on 29 February happens only in leap years */
	{ "leap-yearly", "FREQ=YEARLY", "2028-02-29T10:00", "2028-01-01T00:00", "2033-01-01T00:00",
	  { "2028-02-29T10:00 2028-02-29T09:00Z confirmed", "2032-02-29T10:00 2032-02-29T09:00Z confirmed" } },
	{ "leap-monthday", "FREQ=MONTHLY;BYMONTHDAY=29", "2027-12-29T10:00", "2027-12-01T00:00", "2028-04-01T00:00",
	  { "2027-12-29T10:00 2027-12-29T09:00Z confirmed", "2028-01-29T10:00 2028-01-29T09:00Z confirmed",
	    "2028-02-29T10:00 2028-02-29T09:00Z confirmed", "2028-03-29T10:00 2028-03-29T08:00Z confirmed" } },
	{ "no-29-feb-2027", "FREQ=MONTHLY;BYMONTHDAY=29", "2027-01-29T10:00", "2027-01-01T00:00", "2027-04-01T00:00",
	  { "2027-01-29T10:00 2027-01-29T09:00Z confirmed", "2027-03-29T10:00 2027-03-29T08:00Z confirmed" } },
	{ "count", "FREQ=MONTHLY;BYDAY=2WE;COUNT=2", "2026-09-09T10:00", "2026-01-01T00:00", "2028-01-01T00:00",
	  { "2026-09-09T10:00 2026-09-09T08:00Z confirmed", "2026-10-14T10:00 2026-10-14T08:00Z confirmed" } },
	/* UNTIL is inclusive and in UTC: 10:00 CEST on 14 October is 08:00Z */
	{ "until-utc", "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20261014T080000Z", "2026-09-09T10:00", "2026-01-01T00:00",
	  "2028-01-01T00:00",
	  { "2026-09-09T10:00 2026-09-09T08:00Z confirmed", "2026-10-14T10:00 2026-10-14T08:00Z confirmed" } },
	{ "until-utc-before", "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20261014T075900Z", "2026-09-09T10:00",
	  "2026-01-01T00:00", "2028-01-01T00:00", { "2026-09-09T10:00 2026-09-09T08:00Z confirmed" } },
	{ "until-date", "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20261014", "2026-09-09T10:00", "2026-01-01T00:00",
	  "2028-01-01T00:00",
	  { "2026-09-09T10:00 2026-09-09T08:00Z confirmed", "2026-10-14T10:00 2026-10-14T08:00Z confirmed" } },
	{ "window-before-start", "FREQ=MONTHLY;BYDAY=2WE", "2026-09-09T10:00", "2020-01-01T00:00", "2026-09-09T10:00",
	  { NULL } },
};

static void test_rrule_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rrule_cases) / sizeof(rrule_cases[0]); i++) {
		const struct rrule_case *c = &rrule_cases[i];
		struct gr_series s = { .id = (char *)"s", .summary = (char *)"S", .rrule = (char *)c->rrule,
		                       .start = lt(c->start), .duration = 60 };
		struct gr_config cfg;
		struct sched_list l = { 0 };

		print_message("case %s\n", c->name);
		base_config(&cfg, &s, 1, NULL, 0);
		assert_int_equal(sched_expand(&cfg, utc(c->from), utc(c->to), &l), 0);
		expect_list(&l, c->want);
		for (size_t j = 0; j < l.n; j++) {
			assert_int_equal(l.items[j].date_index, -1);
			assert_ptr_equal(l.items[j].series, &s);
			assert_int_equal(l.items[j].end_utc - l.items[j].start_utc, 3600);
		}
		sched_list_free(&l);
	}
}

/* The example committee: monthly online on the 2nd Wednesday, in person twice. */
static struct gr_localtime praesenz_dates[] = {
	{ 2027, 3, 17, 10, 0 }, { 2027, 9, 22, 10, 0 },
};

static void committee(struct gr_config *cfg, struct gr_series s[2],
                      struct gr_exception *exc, size_t n_exc)
{
	memset(s, 0, 2 * sizeof(*s));
	s[0].id = (char *)"online";
	s[0].summary = (char *)"Online";
	s[0].rrule = (char *)"FREQ=MONTHLY;BYDAY=2WE";
	s[0].start = lt("2026-09-09T10:00");
	s[0].duration = 120;
	s[0].skip_months_of = (char *)"praesenz";
	s[1].id = (char *)"praesenz";
	s[1].summary = (char *)"Präsenz";
	s[1].dates = praesenz_dates;
	s[1].n_dates = 2;
	s[1].duration = 360;
	base_config(cfg, s, 2, exc, n_exc);
}

static void test_dates_and_skip(void **state)
{
	struct gr_series s[2];
	struct gr_config cfg;
	struct sched_list l = { 0 };
	static const char *const want[] = {
		"2027-02-10T10:00 2027-02-10T09:00Z confirmed",
		"2027-03-10T10:00 2027-03-10T09:00Z skipped",
		"2027-03-17T10:00 2027-03-17T09:00Z confirmed",
		"2027-04-14T10:00 2027-04-14T08:00Z confirmed",
		NULL,
	};
	(void)state;

	committee(&cfg, s, NULL, 0);
	assert_int_equal(sched_expand(&cfg, utc("2027-02-01T00:00"), utc("2027-05-01T00:00"), &l), 0);
	expect_list(&l, want);
	/* the dated meeting: its index, a UTC end 6 hours later */
	assert_ptr_equal(l.items[2].series, &s[1]);
	assert_int_equal(l.items[2].date_index, 0);
	assert_int_equal(l.items[2].end_utc, utc("2027-03-17T16:00"));
	assert_int_equal(l.items[2].end.hour, 16);
	assert_int_equal(l.items[1].date_index, -1);
	sched_list_free(&l);
	assert_null(l.items);
	sched_list_free(NULL);
}

/* A cancelled in-person meeting no longer displaces the online one. */
static void test_skip_needs_uncancelled(void **state)
{
	struct gr_series s[2];
	struct gr_exception e = { .series = (char *)"praesenz", .year = 2027, .month = 9, .day = 22,
	                          .cancel = true, .note = (char *)"Raum fehlt" };
	struct gr_config cfg;
	struct sched_list l = { 0 };
	static const char *const want[] = {
		"2027-09-08T10:00 2027-09-08T08:00Z confirmed",
		"2027-09-22T10:00 2027-09-22T08:00Z cancelled",
		NULL,
	};
	(void)state;

	committee(&cfg, s, &e, 1);
	assert_int_equal(sched_expand(&cfg, utc("2027-09-01T00:00"), utc("2027-10-01T00:00"), &l), 0);
	expect_list(&l, want);
	assert_string_equal(l.items[1].note, "Raum fehlt");
	sched_list_free(&l);
}

static void test_cancel(void **state)
{
	struct gr_series s[2];
	struct gr_exception e = { .series = (char *)"online", .year = 2026, .month = 12, .day = 9,
	                          .cancel = true, .note = (char *)"Weihnachtspause" };
	struct gr_config cfg;
	struct sched_list l = { 0 };
	static const char *const want[] = {
		"2026-11-11T10:00 2026-11-11T09:00Z confirmed",
		"2026-12-09T10:00 2026-12-09T09:00Z cancelled",
		"2027-01-13T10:00 2027-01-13T09:00Z confirmed",
		NULL,
	};
	(void)state;

	committee(&cfg, s, &e, 1);
	assert_int_equal(sched_expand(&cfg, utc("2026-11-01T00:00"), utc("2027-02-01T00:00"), &l), 0);
	expect_list(&l, want);
	assert_string_equal(l.items[1].note, "Weihnachtspause");
	assert_null(l.items[0].note);
	sched_list_free(&l);
}

/* Moved from 13 January to 3 February: listed in both months' windows,
 * sorted by the actual start, original kept for RECURRENCE-ID. */
static void test_move_across_month_end(void **state)
{
	struct gr_series s[2];
	struct gr_exception e = { .series = (char *)"online", .year = 2027, .month = 1, .day = 13,
	                          .move = true, .move_to = { 2027, 2, 3, 14, 0 } };
	struct gr_config cfg;
	struct sched_list l = { 0 };
	static const char *const want_feb[] = {
		"2027-02-03T14:00 2027-02-03T13:00Z moved",
		"2027-02-10T10:00 2027-02-10T09:00Z confirmed",
		NULL,
	};
	static const char *const want_jan[] = {
		"2027-02-03T14:00 2027-02-03T13:00Z moved",
		NULL,
	};
	(void)state;

	committee(&cfg, s, &e, 1);
	assert_int_equal(sched_expand(&cfg, utc("2027-02-01T00:00"), utc("2027-03-01T00:00"), &l), 0);
	expect_list(&l, want_feb);
	assert_int_equal(sched_compare(&l.items[0].original, &(struct gr_localtime){ 2027, 1, 13, 10, 0 }), 0);
	assert_int_equal(l.items[0].end.hour, 16);
	sched_list_free(&l);
	assert_int_equal(sched_expand(&cfg, utc("2027-01-01T00:00"), utc("2027-02-01T00:00"), &l), 0);
	expect_list(&l, want_jan);
	sched_list_free(&l);
}

/* A meeting moved from far after the window into it is still found. */
static void test_move_into_window_from_later(void **state)
{
	struct gr_series s[2];
	struct gr_exception e = { .series = (char *)"online", .year = 2027, .month = 6, .day = 9,
	                          .move = true, .move_to = { 2026, 12, 16, 10, 0 } };
	struct gr_config cfg;
	struct sched_list l = { 0 };
	static const char *const want[] = {
		"2026-12-09T10:00 2026-12-09T09:00Z confirmed",
		"2026-12-16T10:00 2026-12-16T09:00Z moved",
		NULL,
	};
	(void)state;

	committee(&cfg, s, &e, 1);
	assert_int_equal(sched_expand(&cfg, utc("2026-12-01T00:00"), utc("2027-01-01T00:00"), &l), 0);
	expect_list(&l, want);
	sched_list_free(&l);
}

/* Equal starts sort by series id; the dated series is interleaved. */
static void test_sorting(void **state)
{
	static struct gr_localtime d[] = { { 2026, 10, 14, 10, 0 }, { 2026, 11, 1, 9, 0 } };
	struct gr_series s[2] = {
		{ .id = (char *)"zeta", .summary = (char *)"Z", .rrule = (char *)"FREQ=MONTHLY;BYDAY=2WE",
		  .start = { 2026, 9, 9, 10, 0 }, .duration = 30 },
		{ .id = (char *)"alpha", .summary = (char *)"A", .dates = d, .n_dates = 2, .duration = 30 },
	};
	struct gr_config cfg;
	struct sched_list l = { 0 };
	(void)state;

	base_config(&cfg, s, 2, NULL, 0);
	assert_int_equal(sched_expand(&cfg, utc("2026-09-01T00:00"), utc("2026-12-01T00:00"), &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.items[0].series->id, "zeta");   /* 09-09 */
	assert_string_equal(l.items[1].series->id, "alpha");  /* 10-14, same start */
	assert_string_equal(l.items[2].series->id, "zeta");
	assert_string_equal(l.items[3].series->id, "alpha");  /* 11-01 */
	assert_int_equal(l.items[3].date_index, 1);
	assert_string_equal(l.items[4].series->id, "zeta");   /* 11-11 */
	for (size_t i = 1; i < l.n; i++)
		assert_true(l.items[i - 1].start_utc <= l.items[i].start_utc);
	sched_list_free(&l);
}

static void test_horizon(void **state)
{
	struct gr_series s[2];
	struct gr_exception e = { .series = (char *)"online", .year = 2027, .month = 11, .day = 10,
	                          .move = true, .move_to = { 2027, 12, 1, 10, 0 } };
	struct gr_config cfg;
	time_t from, to;
	(void)state;

	committee(&cfg, s, &e, 1);
	sched_horizon(&cfg, 0, &from, &to);
	assert_int_equal(from, utc("2026-09-09T10:00"));
	assert_int_equal(to, utc("2027-12-02T10:00"));
	sched_horizon(&cfg, utc("2030-01-01T00:00"), &from, &to);
	assert_int_equal(to, utc("2030-01-01T00:00"));
}

/* libical 3.0.16 skips a DTSTART the rule does not produce (it does not
 * return it as the first instance), so the first instance tells. */
static void test_produces_start(void **state)
{
	struct gr_localtime wed = { 2026, 9, 9, 10, 0 }, thu = { 2026, 9, 10, 10, 0 };
	struct gr_localtime sat = { 2026, 1, 10, 10, 0 };
	(void)state;

	assert_int_equal(sched_rrule_produces_start("FREQ=MONTHLY;BYDAY=2WE", &wed), 1);
	assert_int_equal(sched_rrule_produces_start("FREQ=MONTHLY;BYDAY=2WE", &thu), 0);
	assert_int_equal(sched_rrule_produces_start("FREQ=WEEKLY;BYDAY=WE", &thu), 0);
	assert_int_equal(sched_rrule_produces_start("FREQ=MONTHLY;BYMONTHDAY=15", &sat), 0);
	assert_int_equal(sched_rrule_produces_start("FREQ=WEEKLY", &sat), 1);
	assert_int_equal(sched_rrule_produces_start("FREQ=MONTHLY;BYDAY=2WE;UNTIL=20260101T000000Z", &wed), 0);
	assert_int_equal(sched_rrule_produces_start("FREQ=BOGUS", &wed), -EINVAL);
}

/* RFC 5545 §3.3.5 for the hours that do not exist or exist twice. */
static void test_to_utc_gap_overlap(void **state)
{
	static const struct { struct gr_localtime lt; const char *tz; time_t want; } cases[] = {
		/* 2027-03-28 02:30 Berlin does not exist: +01:00 -> 01:30Z (03:30 CEST) */
		{ { 2027, 3, 28, 2, 30 }, "Europe/Berlin", 1806197400 },
		/* 2027-10-31 02:30 Berlin exists twice: the first, CEST -> 00:30Z */
		{ { 2027, 10, 31, 2, 30 }, "Europe/Berlin", 1824942600 },
		{ { 2027, 10, 31, 3, 0 }, "Europe/Berlin", 1824948000 },   /* 02:00Z */
		{ { 2027, 3, 28, 1, 59 }, "Europe/Berlin", 1806195540 },   /* 00:59Z */
		{ { 2027, 3, 28, 3, 0 }, "Europe/Berlin", 1806195600 },    /* 01:00Z */
		/* New York, 2007-03-11 02:30 -> 03:30 EDT, the RFC's own example */
		{ { 2007, 3, 11, 2, 30 }, "America/New_York", 1173598200 },
		/* 2007-11-04 01:30 -> 01:30 EDT = 05:30Z, the RFC's other example */
		{ { 2007, 11, 4, 1, 30 }, "America/New_York", 1194154200 },
		{ { 2026, 6, 1, 12, 0 }, "UTC", 1780315200 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t got = sched_to_utc(&cases[i].lt, cases[i].tz);

		if (got != cases[i].want)
			fail_msg("case %zu: got %lld, want %lld", i, (long long)got, (long long)cases[i].want);
	}
}

static void test_helpers(void **state)
{
	struct gr_series s[2];
	struct gr_config cfg;
	struct gr_localtime got;
	struct gr_localtime t = { 2028, 2, 28, 10, 0 };
	(void)state;

	committee(&cfg, s, NULL, 0);
	assert_int_equal(sched_series_has_date(&s[0], 2027, 1, 13, &got), 1);
	assert_int_equal(got.hour, 10);
	assert_int_equal(sched_series_has_date(&s[0], 2027, 1, 14, NULL), 0);
	assert_int_equal(sched_series_has_date(&s[1], 2027, 9, 22, NULL), 1);
	t = sched_add_days(t, 1);
	assert_int_equal(t.day, 29);
	t = sched_add_days(t, 1);
	assert_int_equal(t.month, 3);
	assert_int_equal(sched_weekday(&t), 3); /* 2028-03-01 is a Wednesday */
	assert_true(sched_timezone_known("Europe/Berlin"));
	assert_false(sched_timezone_known("Europe/Nowhere"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rrule_table),
		cmocka_unit_test(test_dates_and_skip),
		cmocka_unit_test(test_skip_needs_uncancelled),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_move_across_month_end),
		cmocka_unit_test(test_move_into_window_from_later),
		cmocka_unit_test(test_sorting),
		cmocka_unit_test(test_horizon),
		cmocka_unit_test(test_produces_start),
		cmocka_unit_test(test_to_utc_gap_overlap),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
