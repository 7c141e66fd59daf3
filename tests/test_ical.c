/* SPDX-License-Identifier: MIT */
/* Unit tests for src/ical.c: our output parsed back with libical, property
 * by property, plus the byte-level rules (CRLF, folding, UTF-8). */
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

#include <libical/ical.h>

#include "ical.h"
#include "schedule.h"

#define TZ "Europe/Berlin"
#define DTSTAMP ((time_t)1790000000) /* 2026-09-21T14:13:20Z */

static struct gr_localtime praesenz_dates[] = {
	{ 2027, 3, 17, 10, 0 }, { 2027, 9, 22, 10, 0 },
};

struct fixture {
	struct gr_config cfg;
	struct gr_series series[2];
	struct gr_exception exc[3];
	struct gr_member member;
	struct sched_list occ;
};

/* The example committee in C: monthly online meeting on the 2nd Wednesday,
 * skipped in months with an in-person meeting; one cancel, one move. */
static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct gr_series *s = f->series;
	time_t from, to;

	assert_non_null(f);
	s[0] = (struct gr_series){ .id = "online", .summary = "Kommunalgremium (online)",
		.description = "Tagesordnung folgt; Themen bitte vorab.", .location = "Videokonferenz",
		.url = "https://meet.example.org/kg", .rrule = "FREQ=MONTHLY;BYDAY=2WE",
		.start = { 2026, 9, 9, 10, 0 }, .duration = 120, .skip_months_of = "praesenz" };
	s[1] = (struct gr_series){ .id = "praesenz", .summary = "Kommunalgremium in Präsenz",
		.location = "Berlin, Raum 1", .dates = praesenz_dates, .n_dates = 2, .duration = 360 };
	f->exc[0] = (struct gr_exception){ .series = "online", .year = 2026, .month = 12, .day = 9,
		.cancel = true, .note = "Weihnachtspause" };
	f->exc[1] = (struct gr_exception){ .series = "online", .year = 2027, .month = 1, .day = 13,
		.move = true, .move_to = { 2027, 1, 20, 14, 0 } };
	f->exc[2] = (struct gr_exception){ .series = "praesenz", .year = 2027, .month = 9, .day = 22,
		.cancel = true };
	f->cfg.committee = (struct gr_committee){ .name = "Kommunalgremium des IT-Planungsrats",
		.short_name = "Kommunalgremium", .domain = "fitko.example", .timezone = TZ,
		.language = "de", .organizer_name = "FITKO (Vorsitz)",
		.organizer_email = "kommunalgremium@fitko.example" };
	f->cfg.series = s;
	f->cfg.n_series = 2;
	f->cfg.exceptions = f->exc;
	f->cfg.n_exceptions = 3;
	f->member = (struct gr_member){ .name = "Dr. \"Max\" M^ller, Landrat", .email = "max@kreis.example",
		.group = "landkreise" };
	sched_horizon(&f->cfg, 0, &from, &to);
	assert_int_equal(sched_expand(&f->cfg, from, to, &f->occ), 0);
	return f;
}

static void fixture_free(struct fixture *f)
{
	sched_list_free(&f->occ);
	free(f);
}

/* CRLF only, no physical line over 75 octets, each line valid UTF-8 on
 * its own (so no fold split a sequence). */
static void check_bytes(const char *s)
{
	const char *line = s;

	assert_true(strlen(s) > 2);
	for (const char *p = s; *p; p++) {
		if (*p == '\r')
			assert_int_equal(p[1], '\n');
		if (*p != '\n')
			continue;
		assert_true(p > s && p[-1] == '\r');
		assert_true((size_t)(p - 1 - line) <= 75);
		for (const unsigned char *q = (const unsigned char *)line; q < (const unsigned char *)p - 1;) {
			size_t n = *q < 0x80 ? 1 : *q >= 0xf0 ? 4 : *q >= 0xe0 ? 3 : *q >= 0xc0 ? 2 : 0;

			assert_int_not_equal(n, 0); /* a line starting mid-sequence */
			assert_true(q + n <= (const unsigned char *)p - 1);
			for (size_t i = 1; i < n; i++)
				assert_int_equal(q[i] & 0xc0, 0x80);
			q += n;
		}
		line = p + 1;
	}
	assert_ptr_equal(line, s + strlen(s)); /* ends with CRLF */
}

static icalcomponent *parse(const char *s)
{
	icalcomponent *c = icalparser_parse_string(s);

	assert_non_null(c);
	assert_int_equal(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
	return c;
}

static size_t count_props(icalcomponent *c, icalproperty_kind k)
{
	size_t n = 0;

	for (icalproperty *p = icalcomponent_get_first_property(c, k); p;
	     p = icalcomponent_get_next_property(c, k))
		n++;
	return n;
}

static const char *tzid_of(icalproperty *p)
{
	icalparameter *t = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);

	return t ? icalparameter_get_tzid(t) : NULL;
}

/* "YYYYMMDDTHHMMSS" of a time property, TZID required to be ours. */
static void expect_local(icalproperty *p, const char *want)
{
	char *v;

	assert_non_null(p);
	assert_non_null(tzid_of(p));
	assert_string_equal(tzid_of(p), TZ);
	v = icalproperty_get_value_as_string_r(p);
	assert_string_equal(v, want);
	free(v);
}

static icalcomponent *event_by(icalcomponent *cal, const char *uid, bool override)
{
	for (icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e;
	     e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		bool is_override = icalcomponent_get_first_property(e, ICAL_RECURRENCEID_PROPERTY) != NULL;

		if (strcmp(icalcomponent_get_uid(e), uid) == 0 && is_override == override)
			return e;
	}
	fail_msg("no VEVENT %s%s", uid, override ? " override" : "");
	return NULL;
}

static size_t count_components(icalcomponent *c, icalcomponent_kind k)
{
	size_t n = 0;

	for (icalcomponent *x = icalcomponent_get_first_component(c, k); x;
	     x = icalcomponent_get_next_component(c, k))
		n++;
	return n;
}

static void check_vtimezone(icalcomponent *cal)
{
	icalcomponent *tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	icalproperty *p;

	assert_int_equal(count_components(cal, ICAL_VTIMEZONE_COMPONENT), 1);
	p = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);
	assert_string_equal(icalproperty_get_tzid(p), TZ);
	/* one open-ended rule pair, no RDATE lists (MS-STANOICAL 2.2.47) */
	assert_int_equal(count_components(tz, ICAL_XSTANDARD_COMPONENT), 1);
	assert_int_equal(count_components(tz, ICAL_XDAYLIGHT_COMPONENT), 1);
}

static void test_uid(void **state)
{
	struct fixture *f = fixture_new();
	struct ical_object o = { &f->series[0], -1, NULL, NULL, NULL };
	char buf[64];
	(void)state;

	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "online@fitko.example");
	o = (struct ical_object){ &f->series[1], 1, NULL, NULL, NULL };
	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20270922@fitko.example");
	assert_int_equal(ical_uid(&f->cfg, &o, buf, 10), -ENOSPC);
	o.date_index = 2;
	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), -EINVAL);
	/* with a committee id (issue 12): two committees under one domain */
	f->cfg.committee.id = "kommunalgremium";
	o = (struct ical_object){ &f->series[0], -1, NULL, NULL, NULL };
	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "online.kommunalgremium@fitko.example");
	o = (struct ical_object){ &f->series[1], 0, NULL, NULL, NULL };
	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20270317.kommunalgremium@fitko.example");
	f->cfg.committee.id = "ag-digital";
	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20270317.ag-digital@fitko.example");
	/* the UID an object goes by (a recorded old one) wins */
	o.uid = "praesenz-20270317@fitko.example";
	assert_int_equal(ical_uid(&f->cfg, &o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "praesenz-20270317@fitko.example");
	fixture_free(f);
}

static void test_publish(void **state)
{
	struct fixture *f = fixture_new();
	char *a = ical_publish(&f->cfg, &f->occ, DTSTAMP, NULL, 0);
	char *b = ical_publish(&f->cfg, &f->occ, DTSTAMP, NULL, 0);
	icalcomponent *cal, *ev;
	icalproperty *p;
	(void)state;

	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b); /* deterministic */
	check_bytes(a);
	cal = parse(a);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_PUBLISH);
	assert_non_null(strstr(a, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
	assert_non_null(strstr(a, "\r\nX-PUBLISHED-TTL:PT1H\r\n"));
	assert_non_null(strstr(a, "\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"));
	assert_non_null(strstr(a, "\r\nX-WR-CALNAME:Kommunalgremium des IT-Planungsrats\r\n"));
	assert_non_null(strstr(a, "\r\nNAME:Kommunalgremium des IT-Planungsrats\r\n"));
	assert_null(strstr(a, "ATTENDEE"));
	assert_null(strstr(a, "ORGANIZER"));
	assert_null(strstr(a, "mailto:"));
	assert_null(strstr(a, "freeassociation"));
	check_vtimezone(cal);
	/* three objects and the moved meeting, an object of its own */
	assert_int_equal(count_components(cal, ICAL_VEVENT_COMPONENT), 4);

	ev = event_by(cal, "online@fitko.example", false);
	assert_int_equal(count_props(ev, ICAL_ATTENDEE_PROPERTY), 0);
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20260909T100000");
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY), "20260909T120000");
	assert_string_equal(icalproperty_get_value_as_string(
		icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY)), "FREQ=MONTHLY;BYDAY=2WE");
	/* the cancelled December, the moved January and March (in-person
	 * month); September's in-person meeting is cancelled, so September
	 * stays online */
	assert_int_equal(count_props(ev, ICAL_EXDATE_PROPERTY), 3);
	p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY);
	expect_local(p, "20261209T100000");
	expect_local(icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY), "20270113T100000");
	expect_local(icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY), "20270310T100000");
	assert_string_equal(icalcomponent_get_description(ev),
	                    "Tagesordnung folgt; Themen bitte vorab.\n\nhttps://meet.example.org/kg");
	assert_string_equal(icalcomponent_get_location(ev), "Videokonferenz");
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CONFIRMED);
	/* nothing recorded: SEQUENCE 0, LAST-MODIFIED = the config's change */
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 0);
	assert_non_null(strstr(a, "\r\nLAST-MODIFIED:20260921T141320Z\r\n"));
	assert_string_equal(icaltime_as_ical_string(icalcomponent_get_dtstamp(ev)), "20260921T141320Z");

	ev = event_by(cal, "online+moved-20270113@fitko.example", false);
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20270120T140000");
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY), "20270120T160000");
	assert_null(icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY));
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CONFIRMED);

	ev = event_by(cal, "praesenz-20270317@fitko.example", false);
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20270317T100000");
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY), "20270317T160000");
	assert_string_equal(icalcomponent_get_summary(ev), "Kommunalgremium in Präsenz");
	assert_null(icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY));
	ev = event_by(cal, "praesenz-20270922@fitko.example", false);
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);

	icalcomponent_free(cal);
	free(a);
	free(b);
	fixture_free(f);
}

/* RFC 5545 §3.1: long lines folded, never inside a UTF-8 sequence; the
 * text survives the round trip. */
static void test_folding_utf8(void **state)
{
	struct fixture *f = fixture_new();
	char summary[600] = "";
	char *out;
	icalcomponent *cal;
	(void)state;

	for (int i = 0; i < 40; i++)
		strncat(summary, i % 3 ? "Ä" : "ößü€", sizeof(summary) - strlen(summary) - 1);
	strncat(summary, ", Größenverhältnisse; Übersicht 🗓 äöü", sizeof(summary) - strlen(summary) - 1);
	f->series[1].summary = summary;
	out = ical_publish(&f->cfg, &f->occ, DTSTAMP, NULL, 0);
	assert_non_null(out);
	check_bytes(out);
	cal = parse(out);
	assert_string_equal(icalcomponent_get_summary(event_by(cal, "praesenz-20270317@fitko.example", false)),
	                    summary);
	icalcomponent_free(cal);
	free(out);
	fixture_free(f);
}

static void check_people(icalcomponent *ev)
{
	icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	icalparameter *cn;

	assert_non_null(p);
	assert_string_equal(icalproperty_get_organizer(p), "mailto:kommunalgremium@fitko.example");
	cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	assert_string_equal(icalparameter_get_cn(cn), "FITKO (Vorsitz)");
	assert_int_equal(count_props(ev, ICAL_ATTENDEE_PROPERTY), 1);
	p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	assert_string_equal(icalproperty_get_attendee(p), "mailto:max@kreis.example");
	cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	assert_string_equal(icalparameter_get_cn(cn), "Dr. 'Max' M'ller, Landrat");
	assert_int_equal(icalparameter_get_role(icalproperty_get_first_parameter(p, ICAL_ROLE_PARAMETER)),
	                 ICAL_ROLE_REQPARTICIPANT);
	assert_int_equal(icalparameter_get_partstat(icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER)),
	                 ICAL_PARTSTAT_NEEDSACTION);
	assert_int_equal(icalparameter_get_rsvp(icalproperty_get_first_parameter(p, ICAL_RSVP_PARAMETER)),
	                 ICAL_RSVP_TRUE);
}

/* icalrestriction_check() knows RFC 5546's tables; it adds X-LIC-ERROR
 * properties, so it runs on a parsed copy. */
static void check_restrictions(const char *s)
{
	icalcomponent *c = parse(s);

	if (!icalrestriction_check(c)) {
		char *dump = icalcomponent_as_ical_string_r(c);
		fail_msg("restriction check failed:\n%s", dump);
	}
	icalcomponent_free(c);
}

static void test_request(void **state)
{
	struct fixture *f = fixture_new();
	struct ical_object o = { &f->series[0], -1, NULL, NULL, NULL };
	char *s = ical_request(&f->cfg, &o, &f->occ, &f->member, 3, DTSTAMP);
	icalcomponent *cal, *ev;
	(void)state;

	assert_non_null(s);
	check_bytes(s);
	assert_null(strstr(s, "^"));
	cal = parse(s);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	check_vtimezone(cal);
	/* the master only: the moved meeting is an object of its own, the
	 * series has an EXDATE for it (issue 12) */
	assert_int_equal(count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	assert_null(strstr(s, "RECURRENCE-ID"));
	ev = event_by(cal, "online@fitko.example", false);
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 3);
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20260909T100000");
	assert_int_equal(count_props(ev, ICAL_EXDATE_PROPERTY), 3);
	assert_null(icalcomponent_get_first_property(ev, ICAL_LASTMODIFIED_PROPERTY));
	check_people(ev);
	icalcomponent_free(cal);
	check_restrictions(s);
	free(s);

	/* one date of the dated series */
	o = (struct ical_object){ &f->series[1], 0, NULL, NULL, NULL };
	s = ical_request(&f->cfg, &o, &f->occ, &f->member, 0, DTSTAMP);
	assert_non_null(s);
	cal = parse(s);
	assert_int_equal(count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	ev = event_by(cal, "praesenz-20270317@fitko.example", false);
	check_people(ev);
	icalcomponent_free(cal);
	check_restrictions(s);
	free(s);
	fixture_free(f);
}

static void test_cancel(void **state)
{
	struct fixture *f = fixture_new();
	struct ical_object o = { &f->series[0], -1, NULL, NULL, NULL };
	struct gr_localtime rid = { 2026, 12, 9, 10, 0 };
	char *s = ical_cancel(&f->cfg, &o, &rid, "Weihnachtspause", &f->member, 4, DTSTAMP);
	icalcomponent *cal, *ev;
	(void)state;

	assert_non_null(s);
	check_bytes(s);
	cal = parse(s);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
	check_vtimezone(cal);
	ev = event_by(cal, "online@fitko.example", true);
	expect_local(icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY), "20261209T100000");
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 4);
	/* RFC 5546 §3.2.5: the reason as COMMENT */
	assert_string_equal(icalcomponent_get_comment(ev), "Weihnachtspause");
	check_people(ev);
	icalcomponent_free(cal);
	check_restrictions(s);
	free(s);

	s = ical_cancel(&f->cfg, &o, NULL, NULL, &f->member, 5, DTSTAMP);
	assert_non_null(s);
	cal = parse(s);
	ev = event_by(cal, "online@fitko.example", false);
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	assert_null(icalcomponent_get_first_property(ev, ICAL_COMMENT_PROPERTY));
	check_people(ev);
	icalcomponent_free(cal);
	check_restrictions(s);
	free(s);
	fixture_free(f);
}

/* The compact VTIMEZONE gives the same UTC instants as libical's full zone
 * for every year from the first one emitted on, around both switches, in
 * both hemispheres and without DST. */
static void check_zone_years(const char *tzid)
{
	struct fixture *f = fixture_new();
	char *s;
	icalcomponent *cal, *vtz;
	icaltimezone *ours = icaltimezone_new();
	static const int days[][2] = { { 1, 15 }, { 3, 8 }, { 3, 24 }, { 3, 31 }, { 4, 1 }, { 4, 7 },
		                       { 7, 15 }, { 10, 1 }, { 10, 7 }, { 10, 24 }, { 10, 31 },
		                       { 11, 1 }, { 11, 7 }, { 12, 31 } };

	print_message("zone %s\n", tzid);
	f->cfg.committee.timezone = (char *)tzid;
	s = ical_publish(&f->cfg, &f->occ, DTSTAMP, NULL, 0);
	assert_non_null(s);
	cal = parse(s);
	vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	assert_non_null(vtz);
	assert_string_equal(icalproperty_get_tzid(icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY)), tzid);
	assert_non_null(ours);
	assert_true(icaltimezone_set_component(ours, icalcomponent_new_clone(vtz)));
	for (int y = 2026; y <= 2060; y++) {
		for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
			struct gr_localtime lt = { y, days[i][0], days[i][1], 10, 0 };
			struct icaltimetype t = icaltime_null_time();

			t.year = y;
			t.month = days[i][0];
			t.day = days[i][1];
			t.hour = 10;
			if (icaltime_as_timet_with_zone(t, ours) != sched_to_utc(&lt, tzid))
				fail_msg("%s: %04d-%02d-%02d differs", tzid, y, days[i][0], days[i][1]);
		}
	}
	icaltimezone_free(ours, 1);
	icalcomponent_free(cal);
	free(s);
	fixture_free(f);
}

static void test_vtimezone_years(void **state)
{
	(void)state;
	check_zone_years("Europe/Berlin");
	check_zone_years("America/New_York");
	check_zone_years("Australia/Sydney");
	check_zone_years("Asia/Tokyo");
	check_zone_years("UTC");
}

/* RFC 5545 §3.3.10: UNTIL in UTC when DTSTART has a TZID. */
static void test_until_utc(void **state)
{
	static const char *const cases[][2] = {
		{ "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20271231", "UNTIL=20271231T225959Z" },
		{ "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20270714T100000", "UNTIL=20270714T080000Z" },
		{ "FREQ=MONTHLY;BYDAY=2WE;UNTIL=20270714T080000Z", "UNTIL=20270714T080000Z" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *f = fixture_new();
		struct ical_object o = { &f->series[0], -1, NULL, NULL, NULL };
		char *s;

		f->series[0].rrule = (char *)cases[i][0];
		s = ical_request(&f->cfg, &o, &f->occ, &f->member, 1, DTSTAMP);
		assert_non_null(s);
		if (!strstr(s, cases[i][1]))
			fail_msg("%s: no %s in\n%s", cases[i][0], cases[i][1], s);
		free(s);
		fixture_free(f);
	}
}

/*
 * The cached REQUEST is byte for byte ical_request()'s, for a series with a
 * moved occurrence (two VEVENTs, two ATTENDEE lines) and a dated meeting,
 * for members whose ATTENDEE line folds (a long name with umlauts, a
 * quote, a comma) or has no CN, in any order, from one cache.
 */
static void test_request_cached(void **state)
{
	struct fixture *f = fixture_new();
	struct ical_cache *c = ical_cache_new();
	struct gr_member people[] = {
		{ .name = (char *)"Mitglied", .email = (char *)"m@example.org" },
		{ .name = (char *)"Dr. Änne Müller-Lüdenscheidt, Kreisverwaltung \"Süd\" (Büro für Digitalisierung)",
		  .email = (char *)"aenne.mueller-luedenscheidt@kreis-sued.example.org" },
		{ .name = NULL, .email = (char *)"x@y.example" },
		f->member,
	};
	struct gr_localtime jan = { 2027, 1, 13, 10, 0 };
	struct ical_object objs[] = { { &f->series[0], -1, NULL, NULL, NULL },
	                              { &f->series[1], 0, NULL, NULL, NULL },
	                              { &f->series[0], -1, NULL, NULL, &jan } };
	(void)state;

	assert_non_null(c);
	for (int round = 0; round < 2; round++)
		for (size_t k = 0; k < 3; k++)
			for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
				int seq = (int)k + round;
				char *plain = ical_request(&f->cfg, &objs[k], &f->occ, &people[i], seq, DTSTAMP);
				char *cached = ical_request_cached(c, &f->cfg, &objs[k], &f->occ, &people[i],
				                                   seq, DTSTAMP);

				assert_non_null(plain);
				assert_non_null(cached);
				assert_string_equal(cached, plain);
				check_bytes(cached);
				free(plain);
				free(cached);
			}
	/* NULL: no cache, the plain function */
	{
		char *a = ical_request_cached(NULL, &f->cfg, &objs[0], &f->occ, &f->member, 1, DTSTAMP);
		char *b = ical_request(&f->cfg, &objs[0], &f->occ, &f->member, 1, DTSTAMP);

		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	ical_cache_free(c);
	fixture_free(f);
}

/* A moved meeting's REQUEST: an object of its own, one VEVENT with its
 * own UID (the series id, '+moved' and the regular date), no
 * RECURRENCE-ID, the new times, the given DESCRIPTION and the ATTENDEE;
 * the series' REQUEST has an EXDATE for its regular start. */
static void test_request_moved(void **state)
{
	struct fixture *f = fixture_new();
	const struct gr_occurrence *moved = NULL;
	struct ical_object o = { &f->series[0], -1, NULL, "Verschoben wegen Feiertag.", NULL };
	icalcomponent *cal, *ev;
	char *s, uid[512];
	(void)state;

	for (size_t i = 0; i < f->occ.n; i++)
		if (f->occ.items[i].status == GR_OCC_MOVED)
			moved = &f->occ.items[i];
	assert_non_null(moved);
	o.moved = &moved->original;
	assert_int_equal(ical_uid(&f->cfg, &o, uid, sizeof(uid)), 0);
	assert_string_equal(uid, "online+moved-20270113@fitko.example");
	f->cfg.committee.id = "kg";
	assert_int_equal(ical_uid(&f->cfg, &o, uid, sizeof(uid)), 0);
	assert_string_equal(uid, "online+moved-20270113.kg@fitko.example");
	s = ical_request(&f->cfg, &o, &f->occ, &f->member, 4, DTSTAMP);
	assert_non_null(s);
	check_bytes(s);
	cal = parse(s);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	check_vtimezone(cal);
	assert_int_equal(count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	ev = event_by(cal, "online+moved-20270113.kg@fitko.example", false);
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20270120T140000");
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY), "20270120T160000");
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 4);
	assert_null(icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY));
	assert_null(icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY));
	assert_string_equal(icalcomponent_get_description(ev), "Verschoben wegen Feiertag.");
	check_people(ev);
	icalcomponent_free(cal);
	check_restrictions(s);
	free(s);
	/* the series: EXDATE of the regular start, exactly as it was */
	o.moved = NULL;
	o.description = NULL;
	s = ical_request(&f->cfg, &o, &f->occ, &f->member, 5, DTSTAMP);
	assert_non_null(s);
	assert_non_null(strstr(s, "\r\nEXDATE;TZID=Europe/Berlin:20270113T100000\r\n"));
	assert_null(strstr(s, "RECURRENCE-ID"));
	free(s);
	fixture_free(f);
}

/* The feed with recorded state: the UID, SEQUENCE and LAST-MODIFIED given,
 * the moved occurrence's own SEQUENCE, and a past meeting as it was. */
static void test_publish_state(void **state)
{
	struct fixture *f = fixture_new();
	struct gr_past_occurrence past = { { 2026, 10, 14, 10, 0 }, { 2026, 10, 14, 9, 0 },
		{ 2026, 10, 14, 10, 30 }, "Alter Titel", NULL, "Bonn, Raum 2", NULL };
	struct gr_published pub[3] = {
		{ .series = &f->series[0], .date_index = -1, .uid = "online@fitko.example",
		  .sequence = 6, .modified = DTSTAMP + 60, .past = &past, .n_past = 1 },
		{ .series = &f->series[0], .date_index = -1, .moved = true,
		  .original = { 2027, 1, 13, 10, 0 }, .uid = "online+moved-20270113@fitko.example",
		  .sequence = 7 },
		{ .series = &f->series[1], .date_index = 0, .uid = "praesenz-20270317.kg@fitko.example",
		  .sequence = 2, .modified = 0 },
	};
	icalcomponent *cal, *ev;
	char *s;
	(void)state;

	f->cfg.committee.id = "kg";
	s = ical_publish(&f->cfg, &f->occ, DTSTAMP, pub, 3);
	assert_non_null(s);
	check_bytes(s);
	assert_null(strstr(s, "ATTENDEE"));
	cal = parse(s);
	assert_int_equal(count_components(cal, ICAL_VEVENT_COMPONENT), 5);
	ev = event_by(cal, "online@fitko.example", false);
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 6);
	assert_string_equal(icaltime_as_ical_string(icalproperty_get_lastmodified(
		icalcomponent_get_first_property(ev, ICAL_LASTMODIFIED_PROPERTY))), "20260921T141420Z");
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *rid = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
		const char *r = rid ? icalproperty_get_value_as_string(rid) : "";
		int seq = icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY));

		assert_string_not_equal(r, "20270113T100000");
		if (strcmp(r, "20261014T100000") == 0) {
			/* the meeting as it took place */
			assert_int_equal(seq, 6);
			expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20261014T090000");
			expect_local(icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY), "20261014T103000");
			assert_string_equal(icalcomponent_get_location(ev), "Bonn, Raum 2");
			assert_string_equal(icalcomponent_get_summary(ev), "Alter Titel");
			assert_null(icalcomponent_get_first_property(ev, ICAL_DESCRIPTION_PROPERTY));
		}
	}
	/* the moved meeting: its own UID and SEQUENCE, as invited */
	ev = event_by(cal, "online+moved-20270113@fitko.example", false);
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 7);
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20270120T140000");
	ev = event_by(cal, "praesenz-20270317.kg@fitko.example", false);
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 2);
	/* not recorded: the config's change */
	assert_string_equal(icaltime_as_ical_string(icalproperty_get_lastmodified(
		icalcomponent_get_first_property(ev, ICAL_LASTMODIFIED_PROPERTY))), "20260921T141320Z");
	/* no entry: the UID with the committee id, SEQUENCE 0 */
	ev = event_by(cal, "praesenz-20270922.kg@fitko.example", false);
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 0);
	icalcomponent_free(cal);
	free(s);
	fixture_free(f);
}

/* The meeting of Oct 14 in the series' occurrences. */
static const struct gr_occurrence *meeting(const struct fixture *f, int m, int d)
{
	for (size_t i = 0; i < f->occ.n; i++)
		if (f->occ.items[i].series == &f->series[0] && f->occ.items[i].original.month == m &&
		    f->occ.items[i].original.day == d)
			return &f->occ.items[i];
	fail_msg("no meeting %d-%d", m, d);
	return NULL;
}

/* The agenda's calendar part (issue 15): one VEVENT under the series'
 * UID with RECURRENCE-ID in the zone, the meeting's times, the SEQUENCE
 * given, the DESCRIPTION with the agenda, the member's ATTENDEE. */
static void test_request_occurrence(void **state)
{
	struct fixture *f = fixture_new();
	const char *desc = "Tagesordnung:\nTOP 1: Haushalt (eingebracht von Jürgen Müller, Kreis)";
	struct ical_object o = { &f->series[0], -1, NULL, desc, NULL };
	char *s = ical_request_occurrence(&f->cfg, &o, meeting(f, 10, 14), &f->member, 4, DTSTAMP);
	icalcomponent *cal, *ev;
	(void)state;

	assert_non_null(s);
	check_bytes(s);
	cal = parse(s);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	check_vtimezone(cal);
	assert_int_equal(count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	ev = event_by(cal, "online@fitko.example", true);
	expect_local(icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY), "20261014T100000");
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20261014T100000");
	expect_local(icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY), "20261014T120000");
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY)), 4);
	assert_string_equal(icalcomponent_get_description(ev), desc);
	assert_null(icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY));
	assert_int_equal(count_props(ev, ICAL_ATTENDEE_PROPERTY), 1);
	check_people(ev);
	icalcomponent_free(cal);
	check_restrictions(s);
	free(s);
	fixture_free(f);
}

/* feed.agenda: a meeting with its agenda is an override with the agenda
 * before the series' text; one that took place under an earlier version
 * keeps one override (as it was, with its agenda); a dated meeting has it
 * in its DESCRIPTION. */
static void test_publish_agenda(void **state)
{
	struct fixture *f = fixture_new();
	struct gr_past_occurrence past = { { 2026, 10, 14, 10, 0 }, { 2026, 10, 14, 9, 0 },
		{ 2026, 10, 14, 10, 30 }, "Alter Titel", NULL, "Bonn, Raum 2", NULL };
	struct gr_localtime dated = praesenz_dates[0];
	struct gr_occurrence praesenz = { .series = &f->series[1], .date_index = 0,
	                                  .original = dated, .start = dated };
	struct gr_published_agenda ag[3] = {
		{ .occ = meeting(f, 10, 14), .text = (char *)"Tagesordnung:\nTOP 1: Alt" },
		{ .occ = meeting(f, 11, 11), .text = (char *)"Tagesordnung:\nTOP 1: Neu" },
		{ .occ = &praesenz, .text = (char *)"Tagesordnung:\nTOP 1: Vor Ort" },
	};
	struct gr_published pub[2] = {
		{ .series = &f->series[0], .date_index = -1, .uid = "online@fitko.example",
		  .sequence = 1, .past = &past, .n_past = 1, .agendas = ag, .n_agendas = 2 },
		{ .series = &f->series[1], .date_index = 0, .uid = "praesenz-20270317@fitko.example",
		  .agendas = &ag[2], .n_agendas = 1 },
	};
	icalcomponent *cal, *ev;
	int overrides = 0;
	char *s;
	(void)state;

	s = ical_publish(&f->cfg, &f->occ, DTSTAMP, pub, 2);
	assert_non_null(s);
	check_bytes(s);
	assert_null(strstr(s, "ATTENDEE"));
	cal = parse(s);
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *rid = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
		const char *r = rid ? icalproperty_get_value_as_string(rid) : "";

		if (!rid)
			continue;
		overrides++;
		if (strcmp(r, "20261014T100000") == 0) {
			assert_string_equal(icalcomponent_get_location(ev), "Bonn, Raum 2");
			assert_string_equal(icalcomponent_get_description(ev), "Tagesordnung:\nTOP 1: Alt");
		} else {
			assert_string_equal(r, "20261111T100000");
			expect_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), "20261111T100000");
			assert_string_equal(icalcomponent_get_description(ev), "Tagesordnung:\nTOP 1: Neu\n\n"
			                    "Tagesordnung folgt; Themen bitte vorab.\n\nhttps://meet.example.org/kg");
		}
	}
	assert_int_equal(overrides, 2);
	ev = event_by(cal, "online@fitko.example", false);
	assert_string_equal(icalcomponent_get_description(ev),
	                    "Tagesordnung folgt; Themen bitte vorab.\n\nhttps://meet.example.org/kg");
	ev = event_by(cal, "praesenz-20270317@fitko.example", false);
	assert_string_equal(icalcomponent_get_description(ev), "Tagesordnung:\nTOP 1: Vor Ort");
	icalcomponent_free(cal);
	free(s);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid),
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_folding_utf8),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_request_cached),
		cmocka_unit_test(test_request_moved),
		cmocka_unit_test(test_publish_state),
		cmocka_unit_test(test_request_occurrence),
		cmocka_unit_test(test_publish_agenda),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_vtimezone_years),
		cmocka_unit_test(test_until_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
