/* SPDX-License-Identifier: MIT */
/* Unit tests for src/reply.c: the iMIP answers of tests/fixtures/replies
 * (as Outlook/Exchange, Gmail, Apple Calendar and Thunderbird send them)
 * through letter_parse() and reply_parse(), and bad calendar text. */
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

#include "letter.h"
#include "reply.h"
#include "util.h"

#define TZ "Europe/Berlin"
#define UID "online@fitko.example"
#define DEPUTY "vertretung@kommune-beispiel.example"
#define COMMENT "komme 30 min später"
#define DTSTAMP 1796112900      /* 2026-12-01T08:15:00Z */

static void parse_fixture(const char *name, struct gr_reply *r)
{
	char *path = util_asprintf("%s/tests/fixtures/replies/%s", TEST_SRCDIR, name), *data;
	char err[256] = "";
	struct gr_letter l;
	size_t len;

	assert_non_null(path);
	assert_int_equal(util_read_file(path, 1 << 20, &data, &len), 0);
	assert_int_equal(letter_parse(data, len, &l), 0);
	assert_null(l.invalid);
	assert_non_null(l.calendar);
	if (reply_parse(l.calendar, strlen(l.calendar), TZ, r, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	letter_free(&l);
	free(data);
	free(path);
}

static const char *const clients[] = { "outlook", "gmail", "apple" };
static const char *const members[] = {
	"juergen.mueller@landkreis-musterstadt.example",
	"oezlem.yildiz@markt-bergdorf.example",
	"doerte.hansen@hansestadt-nordhafen.example",
};
static const char *const answers[] = { "accepted", "declined", "tentative", "delegated" };

/* Every client's shape, series and occurrence, each answer: the same data
 * whatever zone (Windows name, UTC, Olson) the client wrote. */
static void test_client_fixtures(void **state)
{
	(void)state;
	for (size_t c = 0; c < 3; c++)
		for (int occ = 0; occ < 2; occ++)
			for (size_t a = 0; a < 4; a++) {
				char name[128];
				struct gr_reply r;
				const struct reply_item *it;

				snprintf(name, sizeof(name), "%s-%s-%s.eml", clients[c],
				         occ ? "occurrence" : "series", answers[a]);
				parse_fixture(name, &r);
				assert_int_equal(r.method, REPLY_METHOD_REPLY);
				assert_int_equal(r.n_items, 1);
				it = &r.items[0];
				assert_string_equal(it->uid, UID);
				assert_string_equal(it->occurrence, occ ? "2027-02-10T10:00" : "");
				assert_string_equal(it->attendee, members[c]);
				assert_int_equal(it->answer, (enum gr_answer)(GR_ANSWER_ACCEPTED + a));
				assert_int_equal(it->dtstamp, DTSTAMP);
				assert_int_equal(it->sequence, 0);
				if (a == 3)
					assert_string_equal(it->deputy, DEPUTY);
				else
					assert_null(it->deputy);
				/* Outlook: COMMENT; Google: X-RESPONSE-COMMENT */
				if (c == 0 || (c == 1 && a != 3))
					assert_string_equal(it->comment, COMMENT);
				else
					assert_null(it->comment);
				if (c == 0)
					assert_null(r.organizer);       /* Outlook leaves it out */
				else
					assert_string_equal(r.organizer, "kommunalgremium@fitko.example");
				assert_non_null(r.prodid);
				reply_free(&r);
			}
}

/* What Thunderbird 153 itself sent (tests/thunderbird_replies.sh): the
 * series' REPLY from the invitation bar with a VTIMEZONE, the later ones
 * from the calendar; an occurrence's RECURRENCE-ID in UTC. */
static void test_thunderbird_fixtures(void **state)
{
	(void)state;
	for (int occ = 0; occ < 2; occ++)
		for (size_t a = 0; a < 4; a++) {
			char name[128];
			struct gr_reply r;
			const struct reply_item *it;

			snprintf(name, sizeof(name), "thunderbird-%s-%s.eml",
			         occ ? "occurrence" : "series", answers[a]);
			parse_fixture(name, &r);
			assert_int_equal(r.method, REPLY_METHOD_REPLY);
			assert_int_equal(r.n_items, 1);
			it = &r.items[0];
			assert_string_equal(it->uid, "online.kommunalgremium@fitko.example");
			assert_string_equal(it->occurrence, occ ? "2027-02-10T10:00" : "");
			assert_string_equal(it->attendee, "kaethe.weiss@kreis-beispielheim.example");
			assert_int_equal(it->answer, (enum gr_answer)(GR_ANSWER_ACCEPTED + a));
			if (a == 3)
				assert_string_equal(it->deputy, DEPUTY);
			else
				assert_null(it->deputy);
			assert_true(it->dtstamp > 1796000000);  /* 2026-11-30 */
			assert_string_equal(r.organizer, "kommunalgremium@fitko.example");
			assert_non_null(strstr(r.prodid, "Mozilla"));
			reply_free(&r);
		}
}

static void test_counter(void **state)
{
	struct gr_reply r;

	(void)state;
	parse_fixture("counter.eml", &r);
	assert_int_equal(r.method, REPLY_METHOD_COUNTER);
	assert_string_equal(reply_method_name(r.method), "COUNTER");
	assert_int_equal(r.n_items, 1);
	assert_string_equal(r.items[0].occurrence, "2027-02-10T10:00");
	assert_string_equal(r.items[0].proposed_start, "2027-02-10T14:00");
	assert_string_equal(r.items[0].proposed_end, "2027-02-10T16:00");
	reply_free(&r);
}

static int parse(const char *text, struct gr_reply *r, char *err, size_t errlen)
{
	return reply_parse(text, strlen(text), TZ, r, err, errlen);
}

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
#define EVENT(x) "BEGIN:VEVENT\r\nUID:u@x.example\r\n" x "END:VEVENT\r\n"
#define TAIL "END:VCALENDAR\r\n"

/* Zones as clients write them: floating (the committee's), UTC across a
 * DST change, a Windows name without a VTIMEZONE, a date only. */
static void test_zones(void **state)
{
	static const struct {
		const char *rid, *want;
	} t[] = {
		{ "RECURRENCE-ID:20270714T100000\r\n", "2027-07-14T10:00" },
		{ "RECURRENCE-ID:20270714T080000Z\r\n", "2027-07-14T10:00" },
		{ "RECURRENCE-ID:20271110T090000Z\r\n", "2027-11-10T10:00" },
		{ "RECURRENCE-ID;TZID=W. Europe Standard Time:20270714T100000\r\n", "2027-07-14T10:00" },
		{ "RECURRENCE-ID;TZID=America/New_York:20270714T040000\r\n", "2027-07-14T10:00" },
		{ "RECURRENCE-ID;TZID=Unknown/Zone:20270714T100000\r\n", "2027-07-14T10:00" },
		{ "RECURRENCE-ID;VALUE=DATE:20270714\r\n", "2027-07-14" },
	};
	char buf[512], err[128];
	struct gr_reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), HEAD "METHOD:REPLY\r\n" EVENT("%s"
		         "ATTENDEE;PARTSTAT=TENTATIVE:MAILTO:A@X.Example\r\n") TAIL, t[i].rid);
		assert_int_equal(parse(buf, &r, err, sizeof(err)), 0);
		assert_string_equal(r.items[0].occurrence, t[i].want);
		assert_string_equal(r.items[0].attendee, "a@x.example");
		assert_int_equal(r.items[0].answer, GR_ANSWER_TENTATIVE);
		assert_int_equal(r.items[0].dtstamp, 0);
		assert_int_equal(r.items[0].sequence, -1);
		reply_free(&r);
	}
}

/* A VTIMEZONE whose rule repeats more often than yearly would keep
 * libical busy for hours: not used (the time is then read by its TZID's
 * name, or as local). */
static void test_hostile_zone(void **state)
{
	struct gr_reply r;
	char err[128];

	(void)state;
	assert_int_equal(parse(HEAD "METHOD:REPLY\r\nBEGIN:VTIMEZONE\r\nTZID:Evil\r\n"
		"BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0100\r\n"
		"TZOFFSETTO:+0200\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
		EVENT("RECURRENCE-ID;TZID=Evil:20270210T100000\r\n"
		      "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@x.example\r\n") TAIL, &r, err, sizeof(err)), 0);
	assert_string_equal(r.items[0].occurrence, "2027-02-10T10:00");
	reply_free(&r);
}

/* A delegation may carry the delegate's line (DELEGATED-FROM): not an
 * answer of its own; unknown PARTSTATs are kept as written. */
static void test_attendees(void **state)
{
	struct gr_reply r;
	char err[128];

	(void)state;
	assert_int_equal(parse(HEAD "METHOD:REPLY\r\n" EVENT(
		"ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:d@x.example\":mailto:a@x.example\r\n"
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM=\"mailto:a@x.example\":mailto:d@x.example\r\n")
		EVENT("ATTENDEE;PARTSTAT=X-MAYBE:mailto:b@x.example\r\n"
		      "ATTENDEE:mailto:c@x.example\r\n")
		EVENT("COMMENT:ohne Teilnehmer\r\n") TAIL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_items, 4);
	assert_string_equal(r.items[0].attendee, "a@x.example");
	assert_string_equal(r.items[0].deputy, "d@x.example");
	assert_int_equal(r.items[0].answer, GR_ANSWER_DELEGATED);
	assert_string_equal(r.items[1].attendee, "b@x.example");
	assert_int_equal(r.items[1].answer, GR_ANSWER_NONE);
	assert_string_equal(r.items[1].partstat, "X-MAYBE");
	assert_string_equal(r.items[2].attendee, "c@x.example");
	assert_null(r.items[2].partstat);
	assert_null(r.items[3].attendee);
	assert_string_equal(r.items[3].comment, "ohne Teilnehmer");
	reply_free(&r);
}

/* Bad input: an error with a reason, never a crash. */
static void test_bad(void **state)
{
	static const struct {
		const char *text, *why;
		int r;
	} t[] = {
		{ "", "not a calendar", -EINVAL },
		{ "hello\r\n", "not a calendar", -EINVAL },
		{ HEAD "METHOD:REQUEST\r\n" EVENT("") TAIL, "METHOD:REQUEST is not an answer", -EINVAL },
		{ HEAD EVENT("") TAIL, "no METHOD", -EINVAL },
		{ HEAD "METHOD:REPLY\r\n" TAIL, "no VEVENT with a UID", -EINVAL },
		{ HEAD "METHOD:REPLY\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n" TAIL, "no VEVENT with a UID", -EINVAL },
		{ "BEGIN:VCALENDAR\r\nBEGIN:A\r\nBEGIN:B\r\nBEGIN:C\r\nBEGIN:D\r\nBEGIN:E\r\nBEGIN:F\r\n"
		  "BEGIN:G\r\nBEGIN:H\r\nBEGIN:I\r\n", "nested deeper", -E2BIG },
		{ "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "not a calendar", -EINVAL },
	};
	struct gr_reply r;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(t[i].text, &r, err, sizeof(err)), t[i].r);
		if (!strstr(err, t[i].why))
			fail_msg("%zu: '%s' does not say '%s'", i, err, t[i].why);
		assert_int_equal(r.n_items, 0);
		reply_free(&r);
	}
	assert_int_equal(reply_parse("BEGIN:VCALENDAR\0", 16, TZ, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(reply_parse(NULL, 0, TZ, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(reply_parse("x", REPLY_MAX_TEXT + 1, TZ, &r, err, sizeof(err)), -E2BIG);
	reply_free(NULL);
}

/* Bounds: many components are refused; many attendees are cut; a long
 * comment is cut at a character boundary, control characters and bad
 * UTF-8 replaced. */
static void test_bounds(void **state)
{
	size_t cap = 64 * 1024, used;
	char *buf = malloc(cap), err[128];
	struct gr_reply r;

	(void)state;
	assert_non_null(buf);
	used = (size_t)snprintf(buf, cap, HEAD "METHOD:REPLY\r\n");
	for (int i = 0; i < REPLY_MAX_COMPONENTS; i++)
		used += (size_t)snprintf(buf + used, cap - used, EVENT("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@x.example\r\n"));
	snprintf(buf + used, cap - used, TAIL);
	assert_int_equal(parse(buf, &r, err, sizeof(err)), -E2BIG);

	used = (size_t)snprintf(buf, cap, HEAD "METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\nCOMMENT:");
	for (int i = 0; i < 600; i++)
		used += (size_t)snprintf(buf + used, cap - used, "ä");
	used += (size_t)snprintf(buf + used, cap - used, "\r\n");
	for (int i = 0; i < REPLY_MAX_ITEMS + 10; i++)
		used += (size_t)snprintf(buf + used, cap - used,
		                         "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a%d@x.example\r\n", i);
	snprintf(buf + used, cap - used, "END:VEVENT\r\n" TAIL);
	assert_int_equal(parse(buf, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_items, REPLY_MAX_ITEMS);
	assert_true(strlen(r.items[0].comment) <= REPLY_MAX_FIELD);
	assert_int_equal(strlen(r.items[0].comment) % 2, 0);       /* whole "ä"s */
	reply_free(&r);

	assert_int_equal(parse(HEAD "METHOD:REPLY\r\n" EVENT("COMMENT:a\\nb\xff" "c\r\n"
	                       "ATTENDEE;PARTSTAT=DECLINED:mailto:a@x.example\r\n") TAIL,
	                       &r, err, sizeof(err)), 0);
	assert_string_equal(r.items[0].comment, "a b?c");
	reply_free(&r);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_fixtures),
		cmocka_unit_test(test_thunderbird_fixtures),
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_hostile_zone),
		cmocka_unit_test(test_attendees),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
