/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/config.c.
 *
 * Most cases are one edit of a valid base config (BASE below, one setting per
 * line so that line numbers are easy to state) and the exact FILE:LINE and a
 * piece of the message the loader must print for it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"
#include "mail.h"
#include "util.h"

#include "test_config-fixture.h"

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- broken configurations ---- */

struct broken {
	const char *name;
	const char *from, *to;          /* edit of BASE */
	const char *from2, *to2;        /* optional second edit */
	int line;                       /* exact line of the message */
	const char *want;               /* part of the message */
};

static const struct broken broken[] = {
	/* unknown keys, at every level */
	{ "unknown root key", "state =", "stat =", NULL, NULL, 55, "stat: unknown setting (did you mean 'state'?)" },
	{ "unknown committee key", "timezone =", "time_zone =", NULL, NULL, 5, "committee.time_zone: unknown setting" },
	{ "unknown organizer key", "email = \"vorsitz", "mail = \"vorsitz", NULL, NULL, 7, "committee.organizer.mail: unknown" },
	{ "committee id with a dot", "  organizer = {", "  id = \"kg.1\"; organizer = {", NULL, NULL, 7, "committee.id: \"kg.1\": only letters" },
	{ "unknown group key", "name = \"Gruppe B\"", "nom = \"Gruppe B\"", NULL, NULL, 12, "groups[1].nom: unknown" },
	{ "unknown member key", "organisation =", "organization =", NULL, NULL, 15, "members[0].organization: unknown" },
	{ "unknown series key", "location = \"Video\"", "locaton = \"Video\"", NULL, NULL, 25, "series[0].locaton: unknown" },
	{ "unknown exception key", "note = \"Pause\"", "notes = \"Pause\"", NULL, NULL, 34, "exceptions[0].notes: unknown" },
	{ "unknown notifications key", "send_time =", "sendtime =", NULL, NULL, 38, "notifications.sendtime: unknown" },
	{ "unknown topic_call key", "deadline_days_before = 7", "deadline = 7", NULL, NULL, 39, "notifications.topic_call.deadline: unknown" },
	{ "unknown delivery key", "username =", "user =", NULL, NULL, 46, "delivery.user: unknown" },
	{ "unknown feed key", "path = \"/tg.ics\"", "url = \"/tg.ics\"", NULL, NULL, 53, "feed.url: unknown" },
	/* types and ranges */
	{ "string for integer", "duration = 120;", "duration = \"120\";", NULL, NULL, 24, "series[0].duration: must be an integer, not a string" },
	{ "float for integer", "connections = 8;", "connections = 8.5;", NULL, NULL, 48, "delivery.connections: must be an integer" },
	{ "string for bool", "cancel = true", "cancel = \"yes\"", NULL, NULL, 34, "exceptions[0].cancel: must be true or false" },
	{ "integer for array", "[ 1, 7, 0 ]", "7", NULL, NULL, 40, "reminders_days_before: must be an array" },
	{ "connections too high", "connections = 8;", "connections = 65;", NULL, NULL, 48, "delivery.connections: 65 is out of range (1..64)" },
	{ "retry 0 hours", "retry_for_hours = 24;", "retry_for_hours = 0;", NULL, NULL, 49, "delivery.retry_for_hours: 0 is out of range" },
	{ "duration 0", "duration = 360;", "duration = 0;", NULL, NULL, 31, "series[1].duration: 0 is out of range" },
	{ "negative duration", "duration = 120;", "duration = -30;", NULL, NULL, 24, "series[0].duration: -30 is out of range" },
	/* addresses */
	{ "member email without domain", "juergen@a.example", "juergen@a", NULL, NULL, 15, "members[0].email" },
	{ "organizer email with space", "vorsitz@test.example", "vorsitz test.example", NULL, NULL, 7, "committee.organizer.email" },
	{ "topics_address without domain", "themen@test.example", "themen@", NULL, NULL, 8, "committee.topics_address" },
	{ "duplicate email, other case", "kaethe@b.example", "JUERGEN@A.example", NULL, NULL, 16, "members[1].email: \"JUERGEN@A.example\" is already the address of members[0]" },
	/* references and ids */
	{ "unknown group", "group = \"b\"", "group = \"c\"", NULL, NULL, 16, "members[1].group: unknown group \"c\"" },
	{ "exception for unknown series", "series = \"online\"; date = \"2026-12-09\"", "series = \"onlin\"; date = \"2026-12-09\"", NULL, NULL, 34, "exceptions[0].series: unknown series \"onlin\"" },
	{ "skip_months_of unknown", "skip_months_of = \"praesenz\"", "skip_months_of = \"praesens\"", NULL, NULL, 27, "series[0].skip_months_of: unknown series \"praesens\"" },
	{ "skip_months_of itself", "skip_months_of = \"praesenz\"", "skip_months_of = \"online\"", NULL, NULL, 27, "is the series itself" },
	{ "duplicate group id", "{ id = \"b\"", "{ id = \"a\"", NULL, NULL, 12, "groups[1].id: \"a\" is already used by groups[0]" },
	{ "duplicate series id", "{ id = \"praesenz\"", "{ id = \"online\"", NULL, NULL, 28, "series[1].id: \"online\" is already used by series[0]" },
	{ "id with a slash", "{ id = \"b\"", "{ id = \"b/c\"", NULL, NULL, 12, "groups[1].id: \"b/c\": only letters" },
	/* time zone and recurrence */
	{ "unknown time zone", "Europe/Berlin", "Europe/Bonn", NULL, NULL, 5, "committee.timezone: unknown time zone \"Europe/Bonn\"" },
	{ "two ordinals", "BYDAY=2WE", "BYDAY=1WE,3WE", NULL, NULL, 22, "series[0].rrule: \"FREQ=MONTHLY;BYDAY=1WE,3WE\": several weekday ordinals" },
	{ "negative BYSETPOS", "BYDAY=2WE", "BYDAY=WE;BYSETPOS=-1", NULL, NULL, 22, "negative BYSETPOS" },
	{ "BYMONTHDAY with BYDAY", "BYDAY=2WE", "BYMONTHDAY=14;BYDAY=WE", NULL, NULL, 22, "BYMONTHDAY mixed with BYDAY" },
	{ "start not produced by rrule", "2026-01-14T10:00", "2026-01-15T10:00", NULL, NULL, 23, "series[0].start: 2026-01-15T10:00 is not an occurrence of its rrule" },
	{ "rrule and dates", "location = \"Video\";", "dates = [ \"2026-01-14T10:00\" ];", NULL, NULL, 19, "series[0]: needs either rrule (with start) or dates, not both" },
	{ "neither rrule nor dates", "dates = [ \"2027-03-17T10:00\", \"2026-03-18T10:00\" ];", "location = \"Bonn\";", NULL, NULL, 28, "series[1]: needs either rrule (with start) or dates, neither is set" },
	{ "rrule without start", "start = \"2026-01-14T10:00\";", "", NULL, NULL, 19, "series[0].start: missing (required with rrule)" },
	{ "start on a dates series", "duration = 360;", "duration = 360; start = \"2026-03-18T10:00\";", NULL, NULL, 31, "series[1].start: only for an rrule series" },
	/* dates and times */
	{ "30th of February", "date = \"2026-12-09\"", "date = \"2026-02-30\"", NULL, NULL, 34, "exceptions[0].date: \"2026-02-30\" is not a valid date" },
	{ "hour 25", "2027-01-20T14:00", "2027-01-20T25:00", NULL, NULL, 35, "exceptions[1].move_to: \"2027-01-20T25:00\" is not a valid local date and time" },
	{ "29th of February 2026", "\"2026-03-18T10:00\" ]", "\"2026-02-29T10:00\" ]", NULL, NULL, 30, "series[1].dates[1]: \"2026-02-29T10:00\"" },
	{ "date listed twice", "\"2026-03-18T10:00\" ]", "\"2027-03-17T10:00\" ]", NULL, NULL, 30, "series[1].dates[1]: the same date is listed twice" },
	{ "two meetings on one day", "\"2026-03-18T10:00\" ]", "\"2027-03-17T15:00\" ]", NULL, NULL, 30, "series[1].dates[1]: the same date is listed twice (one meeting per day and series)" },
	/* exceptions */
	{ "exception not an occurrence", "date = \"2026-12-09\"", "date = \"2026-12-10\"", NULL, NULL, 34, "exceptions[0].date: series \"online\" has no meeting on 2026-12-10" },
	{ "exception for a non-date", "date = \"2027-01-13\"", "date = \"2027-03-18\"", "series = \"online\"; date = \"2027-03-18\"", "series = \"praesenz\"; date = \"2027-03-18\"", 35, "series \"praesenz\" has no meeting on 2027-03-18" },
	{ "exception neither cancel nor move", "cancel = true; ", "", NULL, NULL, 34, "exceptions[0]: needs either cancel = true or move_to, neither is set" },
	{ "exception cancel and move", "move_to = \"2027-01-20T14:00\";", "move_to = \"2027-01-20T14:00\"; cancel = true;", NULL, NULL, 35, "exceptions[1]: needs either cancel = true or move_to, not both" },
	{ "two exceptions, one meeting", "date = \"2027-01-13\"", "date = \"2026-12-09\"", NULL, NULL, 35, "already has an exception (exceptions[0])" },
	/* notifications */
	{ "deadline not before call", "deadline_days_before = 7", "deadline_days_before = 21", NULL, NULL, 39, "deadline_days_before: 21 must be less than days_before (21)" },
	{ "negative reminder", "[ 1, 7, 0 ]", "[ 1, -7, 0 ]", NULL, NULL, 40, "notifications.reminders_days_before[1]: -7 is out of range" },
	{ "reminder twice", "[ 1, 7, 0 ]", "[ 1, 7, 1 ]", NULL, NULL, 40, "reminders_days_before[2]: 1 is listed twice" },
	{ "send_time without leading zero", "\"08:30\"", "\"8:30\"", NULL, NULL, 38, "notifications.send_time: \"8:30\" is not a time of day HH:MM" },
	{ "send_time 24:00", "\"08:30\"", "\"24:00\"", NULL, NULL, 38, "notifications.send_time: \"24:00\"" },
	/* committee */
	{ "language fr", "language = \"de\"", "language = \"fr\"", NULL, NULL, 6, "committee.language: \"fr\" is not a supported language (de or en)" },
	{ "domain with @", "\"test.example\"", "\"@test.example\"", NULL, NULL, 4, "committee.domain: \"@test.example\" is not a domain name" },
	/* delivery */
	{ "unknown transport", "\"smtp\"", "\"sendmail\"", NULL, NULL, 43, "delivery.transport: \"sendmail\" is not a transport (maildir or smtp)" },
	{ "smtp without smtp_url", "smtp_url =", "# smtp_url =", NULL, NULL, 43, "delivery.smtp_url: missing (required with transport = \"smtp\")" },
	{ "smtp_url http", "smtps://mail.test.example:465", "http://mail.test.example", NULL, NULL, 44, "delivery.smtp_url: \"http://mail.test.example\" is not smtp://HOST" },
	{ "smtp_url without host", "smtps://mail.test.example:465", "smtps://:465", NULL, NULL, 44, "delivery.smtp_url: \"smtps://:465\" has no host" },
	{ "smtp_url with password", "smtps://mail.test.example:465", "smtps://u:pw@mail.test.example", NULL, NULL, 44, "credentials go in username and password_file" },
	{ "starttls off, remote host", "smtps://mail.test.example:465", "smtp://mail.test.example:587", "\"required\"", "\"off\"", 45, "delivery.starttls: \"off\" is only allowed for a loopback host" },
	{ "starttls off, a name starting with 127.", "smtps://mail.test.example:465", "smtp://127.0.0.1.attacker.example:25", "\"required\"", "\"off\"", 45, "delivery.starttls: \"off\" is only allowed for a loopback host (127.0.0.1, ::1, localhost), not \"127.0.0.1.attacker.example\"" },
	{ "starttls off, 127.1 (a name to inet_pton)", "smtps://mail.test.example:465", "smtp://127.1:25", "\"required\"", "\"off\"", 45, "not \"127.1\"" },
	{ "starttls off, a subdomain of localhost", "smtps://mail.test.example:465", "smtp://localhost.attacker.example", "\"required\"", "\"off\"", 45, "not \"localhost.attacker.example\"" },
	{ "starttls off, v4-mapped", "smtps://mail.test.example:465", "smtp://[::ffff:10.0.0.1]:25", "\"required\"", "\"off\"", 45, "not \"::ffff:10.0.0.1\"" },
	{ "starttls optional", "\"required\"", "\"optional\"", NULL, NULL, 45, "delivery.starttls: \"optional\" is not allowed (required or off)" },
	/* urls and feed */
	{ "meeting url ftp", "https://video.test.example/raum", "ftp://video.test.example/raum", NULL, NULL, 26, "series[0].url: \"ftp://video.test.example/raum\" is not an http:// or https:// address" },
	{ "meeting url javascript", "https://video.test.example/raum", "javascript:alert(1)", NULL, NULL, 26, "series[0].url" },
	{ "feed path without slash", "\"/tg.ics\"", "\"tg.ics\"", NULL, NULL, 53, "feed.path: \"tg.ics\" must be a URL path starting with '/'" },
	{ "feed listen without port", "\"127.0.0.1:8080\"", "\"127.0.0.1\"", NULL, NULL, 52, "feed.listen: \"127.0.0.1\" is not host:port" },
	{ "feed listen v6 without brackets", "\"127.0.0.1:8080\"", "\"::1:8080\"", NULL, NULL, 52, "feed.listen: \"::1:8080\" is not host:port" },
	{ "feed listen without host", "\"127.0.0.1:8080\"", "\":8080\"", NULL, NULL, 52, "feed.listen: \":8080\"" },
	{ "series skipping each other", "duration = 360; }", "duration = 360; skip_months_of = \"online\"; }", NULL, NULL, 31, "series[1].skip_months_of: \"online\" skips the months of \"praesenz\" in turn" },
	{ "feed listen port 0", "\"127.0.0.1:8080\"", "\"127.0.0.1:0\"", NULL, NULL, 52, "feed.listen" },
	/* empty and missing */
	{ "empty summary", "summary = \"Online\"", "summary = \"\"", NULL, NULL, 20, "series[0].summary: must not be empty" },
	{ "empty member name", "name = \"Käthe Weiß\"", "name = \"\"", NULL, NULL, 16, "members[1].name: must not be empty" },
	{ "missing short_name", "short_name = \"TG\";", "", NULL, NULL, 1, "committee.short_name: missing (required)" },
	{ "member without email", "email = \"kaethe@b.example\"; ", "", NULL, NULL, 16, "members[1].email: missing (required)" },
	{ "no series", "series = (", "meetings = (", NULL, NULL, 1, "series: missing (required)" },
	{ "misspelled list", "series = (", "serie = (", NULL, NULL, 18, "serie: unknown setting (did you mean 'series'?)" },
	{ "no members", "members = (", "members = ();\nold_members = (", NULL, NULL, 14, "members: must not be empty" },
	/* header injection: control characters */
	{ "LF in member name", "Jürgen Müller", "Jürgen\\nMüller", NULL, NULL, 15, "members[0].name: contains a control character" },
	{ "CRLF in summary", "summary = \"Online\"", "summary = \"Online\\r\\nBcc: all@evil.example\"", NULL, NULL, 20, "series[0].summary: contains a control character" },
	{ "TAB in location", "\"Video\"", "\"Vi\\tdeo\"", NULL, NULL, 25, "series[0].location: contains a control character" },
	{ "CR in description", "Zeile 1\\nZeile 2", "Zeile 1\\r\\nZeile 2", NULL, NULL, 21, "series[0].description: contains a control character" },
	{ "LF in organizer name", "name = \"Vorsitz\"", "name = \"Vorsitz\\nBcc: x@evil.example\"", NULL, NULL, 7, "committee.organizer.name: contains a control character" },
	{ "Latin-1 umlaut", "Käthe Weiß", "K\xe4the", NULL, NULL, 16, "members[1].name: is not valid UTF-8" },
	{ "quote in a name", "Käthe Weiß", "Käthe \\\"Kat\\\" Weiß", NULL, NULL, 16, "members[1].name: \"Käthe \"Kat\" Weiß\": '\"' and '^' are not allowed" },
	/* what libconfig 1.5 gets wrong, caught in the raw text (issue 13) */
	{ "NUL escape in a name", "Jürgen Müller", "Jürgen\\x00Bcc: x@evil.example", NULL, NULL, 15, "\"\\x00\" in a string: a NUL character would cut it there" },
	{ "number beyond 32 bits", "connections = 8;", "connections = 99999999999999999999;", NULL, NULL, 48, "99999999999999999999: too large a number (at most 2147483647)" },
	{ "negative beyond 32 bits", "duration = 120;", "duration = -4294967297;", NULL, NULL, 24, "4294967297: too large a number" },
	{ "hex beyond 31 bits", "connections = 8;", "connections = 0xffffffff;", NULL, NULL, 48, "0xffffffff: too large a number" },
	{ "@include of a folder", "state =", "@include \"/\"\nstate =", NULL, NULL, 55, "@include is not supported" },
	{ "@include indented", "feed = {", "  @include \"/proc/self/mem\"\nfeed = {", NULL, NULL, 51, "@include is not supported" },
	/* listen, state and feed.file */
	{ "listen on 999.1.1.1", "\"127.0.0.1:8080\"", "\"999.1.1.1:8080\"", NULL, NULL, 52, "feed.listen: \"999.1.1.1:8080\" is not host:port" },
	{ "listen on a bad v6", "\"127.0.0.1:8080\"", "\"[::g]:8080\"", NULL, NULL, 52, "feed.listen: \"[::g]:8080\" is not host:port" },
	{ "listen on 1.2.3", "\"127.0.0.1:8080\"", "\"1.2.3:8080\"", NULL, NULL, 52, "feed.listen: \"1.2.3:8080\"" },
	{ "state is /", "state = \"/var/lib/gremiumd/state.db\"", "state = \"/\"", NULL, NULL, 55, "state: \"/\" is a folder: a file name is needed here" },
	{ "state ends in /", "state = \"/var/lib/gremiumd/state.db\"", "state = \"var/\"", NULL, NULL, 55, "is a folder" },
	{ "feed.file is /", "path = \"/tg.ics\";", "path = \"/tg.ics\"; file = \"/\";", NULL, NULL, 53, "feed.file: \"/\" is a folder" },
	{ "feed.file is a folder", "path = \"/tg.ics\";", "path = \"/tg.ics\"; file = \"/tmp\";", NULL, NULL, 53, "feed.file: \"/tmp\" is a folder" },
	{ "password_file is a folder", "\"secret/pw\"", "\"/tmp\"", NULL, NULL, 47, "delivery.password_file: \"/tmp\" is a folder" },
	{ "ca_file is a device", "connections = 8;", "connections = 8; ca_file = \"/dev/zero\";", NULL, NULL, 48, "delivery.ca_file: \"/dev/zero\" not a regular file (a FIFO, device or socket)" },
	{ "escape byte in note", "note = \"Pause\"", "note = \"Pa\\x1buse\"", NULL, NULL, 34, "exceptions[0].note: contains a control character" },
};

static void test_broken(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		const struct broken *b = &broken[i];
		char *text = edit(BASE, b->from, b->to, b->from2, b->to2);
		struct gr_config *cfg = NULL;
		char *errs = NULL;
		int r;

		if (!text) {
			print_error("case '%s': edit does not apply to BASE\n", b->name);
			failed++;
			continue;
		}
		r = load_text(text, &cfg, &errs);
		if (r != -EINVAL || cfg || !has_message(errs, b->line, b->want)) {
			print_error("case '%s': r=%d, want line %d \"%s\", got:\n%s", b->name, r, b->line,
			            b->want, errs);
			failed++;
		}
		config_free(cfg);
		free(errs);
		free(text);
	}
	print_message("%zu broken configurations checked\n", sizeof(broken) / sizeof(broken[0]));
	assert_int_equal(failed, 0);
}

/* ---- whole-file cases ---- */

static void test_three_problems(void **state)
{
	char *text = edit(BASE, "connections = 8;", "connections = 0;", "\"08:30\"", "\"8:30\"");
	char *text2 = edit(text, "group = \"b\"", "group = \"x\"", NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_non_null(text2);
	assert_int_equal(load_text(text2, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	assert_int_equal(count_lines(errs), 3);
	assert_true(has_message(errs, 48, "delivery.connections"));
	assert_true(has_message(errs, 38, "notifications.send_time"));
	assert_true(has_message(errs, 16, "members[1].group"));
	free(errs);
	free(text);
	free(text2);
}

/* A misspelled required key is one problem, not two ("missing" too). */
static void test_misspelling_reported_once(void **state)
{
	char *text = edit(BASE, "short_name =", "shortname =", NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	assert_int_equal(count_lines(errs), 1);
	assert_true(has_message(errs, 3, "committee.shortname: unknown setting (did you mean 'short_name'?)"));
	free(errs);
	free(text);
}

/* A section of the wrong type is one problem, not one per missing key. */
static void test_wrong_section_type(void **state)
{
	char *text = edit(BASE, "feed = {\n  listen = \"127.0.0.1:8080\";\n  path = \"/tg.ics\";\n};",
	                  "feed = \"/tg.ics\";", "committee = {", "committee = 5; old = {");
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_non_null(text);
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	assert_true(has_message(errs, 1, "committee: must be a group { ... }, not an integer"));
	assert_true(has_message(errs, 1, "old: unknown setting"));
	assert_true(has_message(errs, 51, "feed: must be a group { ... }, not a string"));
	if (count_lines(errs) != 3)
		fail_msg("got: %s", errs);
	free(errs);
	free(text);
}

static void test_syntax_error(void **state)
{
	char *text = edit(BASE, "duration = 120;", "duration = = 120;", NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	assert_int_equal(count_lines(errs), 1);
	if (!has_message(errs, 24, "syntax error") || strstr(errs, "syntax error: syntax error"))
		fail_msg("got: %s", errs);
	free(errs);
	free(text);
}

static void test_missing_file(void **state)
{
	char path[300], *errs = NULL;
	size_t len = 0;
	struct gr_config *cfg = NULL;
	FILE *f = open_memstream(&errs, &len);

	(void)state;
	snprintf(path, sizeof(path), "%s/nonexistent.conf", tmpdir);
	assert_int_equal(config_load(path, &cfg, f), -ENOENT);
	assert_int_equal(fclose(f), 0);
	assert_null(cfg);
	assert_non_null(strstr(errs, "nonexistent.conf: cannot read: No such file or directory\n"));
	free(errs);
	/* errs == NULL is allowed */
	assert_int_equal(config_load(path, &cfg, NULL), -ENOENT);
	/* a folder is not a config file */
	assert_int_equal(config_load(tmpdir, &cfg, NULL), -EISDIR);
	assert_null(cfg);
	config_free(NULL);
}

static void check_committee_and_members(const struct gr_config *cfg)
{
	assert_string_equal(cfg->committee.name, "Testgremium");
	assert_string_equal(cfg->committee.short_name, "TG");
	assert_string_equal(cfg->committee.domain, "test.example");
	assert_string_equal(cfg->committee.timezone, "Europe/Berlin");
	assert_string_equal(cfg->committee.language, "de");
	assert_string_equal(cfg->committee.organizer_name, "Vorsitz");
	assert_string_equal(cfg->committee.organizer_email, "vorsitz@test.example");
	assert_string_equal(cfg->committee.topics_address, "themen@test.example");
	assert_int_equal(cfg->n_groups, 2);
	assert_string_equal(cfg->groups[1].id, "b");
	assert_string_equal(cfg->groups[1].name, "Gruppe B");
	assert_int_equal(cfg->n_members, 2);
	assert_string_equal(cfg->members[0].name, "J\xc3\xbcrgen M\xc3\xbcller");
	assert_string_equal(cfg->members[0].email, "juergen@a.example");
	assert_string_equal(cfg->members[0].group, "a");
	assert_string_equal(cfg->members[0].organisation, "Landkreis A");
	assert_int_equal(cfg->members[0].line, 15);
	assert_string_equal(cfg->members[1].name, "K\xc3\xa4the Wei\xc3\x9f");
	assert_null(cfg->members[1].organisation);
}

static void check_series(const struct gr_config *cfg)
{
	const struct gr_series *on = &cfg->series[0], *pr = &cfg->series[1];

	assert_int_equal(cfg->n_series, 2);
	assert_int_equal(config_series_index(cfg, "praesenz"), 1);
	assert_int_equal(config_series_index(cfg, "nope"), -1);
	assert_string_equal(on->id, "online");
	assert_string_equal(on->description, "Zeile 1\nZeile 2");
	assert_string_equal(on->rrule, "FREQ=MONTHLY;BYDAY=2WE");
	assert_int_equal(on->start.year, 2026);
	assert_int_equal(on->start.month, 1);
	assert_int_equal(on->start.day, 14);
	assert_int_equal(on->start.hour, 10);
	assert_int_equal(on->duration, 120);
	assert_string_equal(on->location, "Video");
	assert_string_equal(on->url, "https://video.test.example/raum");
	assert_string_equal(on->skip_months_of, "praesenz");
	assert_int_equal(on->n_dates, 0);
	assert_int_equal(on->line, 19);
	assert_null(pr->rrule);
	assert_null(pr->url);
	assert_int_equal(pr->n_dates, 2);
	/* sorted, although the file lists 2027 first */
	assert_int_equal(pr->dates[0].year, 2026);
	assert_int_equal(pr->dates[0].month, 3);
	assert_int_equal(pr->dates[0].day, 18);
	assert_int_equal(pr->dates[1].year, 2027);
	assert_int_equal(pr->duration, 360);
	assert_int_equal(cfg->n_exceptions, 2);
	assert_string_equal(cfg->exceptions[0].series, "online");
	assert_true(cfg->exceptions[0].cancel);
	assert_false(cfg->exceptions[0].move);
	assert_string_equal(cfg->exceptions[0].note, "Pause");
	assert_int_equal(cfg->exceptions[0].day, 9);
	assert_true(cfg->exceptions[1].move);
	assert_int_equal(cfg->exceptions[1].move_to.day, 20);
	assert_int_equal(cfg->exceptions[1].move_to.hour, 14);
	assert_null(cfg->exceptions[1].note);
	assert_int_equal(cfg->exceptions[1].line, 35);
}

/* Write len bytes (NULs included) to conf_path and load it. */
static int load_bytes(const char *bytes, size_t len, struct gr_config **ret_cfg, char **ret_errs)
{
	size_t elen = 0;
	FILE *f = fopen(conf_path, "w"), *errs;
	int r;

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	errs = open_memstream(ret_errs, &elen);
	assert_non_null(errs);
	r = config_load(conf_path, ret_cfg, errs);
	assert_int_equal(fclose(errs), 0);
	return r;
}

/* libconfig 1.5 cuts a string at a raw NUL ("Jürgen\0Bcc: ..." became
 * "Jürgen"); a UTF-8 byte order mark is skipped, not a syntax error; an
 * @include in a block comment is no include to libconfig, and none to us. */
static void test_raw_bytes(void **state)
{
	char *text = edit(BASE, "Jürgen Müller", "Jürgen#Bcc: x@evil.example", NULL, NULL), *bom, *errs = NULL;
	struct gr_config *cfg = NULL;
	size_t len;
	(void)state;

	assert_non_null(text);
	len = strlen(text);
	*strchr(text, '#') = '\0';
	assert_int_equal(load_bytes(text, len, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	if (!has_message(errs, 15, "a NUL byte: libconfig would cut the text there"))
		fail_msg("got: %s", errs);
	free(errs);
	free(text);

	bom = util_asprintf("\xef\xbb\xbf%s", BASE);
	assert_int_equal(load_bytes(bom, strlen(bom), &cfg, &errs), 0);
	assert_string_equal(errs, "");
	assert_string_equal(cfg->committee.name, "Testgremium");
	config_free(cfg);
	free(errs);
	free(bom);

	text = util_asprintf("%s/*\n@include \"/\"\n*/\n# @include \"/\"\n", BASE);
	assert_int_equal(load_bytes(text, strlen(text), &cfg, &errs), 0);
	config_free(cfg);
	free(errs);
	free(text);
}

/* A FIFO as password_file, or as the config itself: reported at once
 * (opened blocking, the test would hang here). */
static void test_fifo(void **state)
{
	char *errs = NULL, fifo[300], dir[300];
	struct gr_config *cfg = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/secret", tmpdir);
	snprintf(fifo, sizeof(fifo), "%s/secret/pw", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(load_text(BASE, &cfg, &errs), -EINVAL);
	if (!has_message(errs, 47, "delivery.password_file: ") || !strstr(errs, "not a regular file (a FIFO, device or socket)"))
		fail_msg("got: %s", errs);
	free(errs);

	f = open_memstream(&errs, &len);
	assert_non_null(f);
	assert_int_equal(config_load(fifo, &cfg, f), -EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_null(cfg);
	assert_non_null(strstr(errs, "/secret/pw: cannot read: not a regular file (a FIFO, device or socket)\n"));
	free(errs);
	(void)unlink(fifo);
	(void)rmdir(dir);
}

/* n times c; caller frees. */
static char *fill(size_t n, char c)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* n copies of fmt (one %d: the index), joined by ", "; caller frees. */
static char *repeat(int n, const char *fmt)
{
	size_t cap = (size_t)n * (strlen(fmt) + 16) + 1, len = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			len += (size_t)snprintf(out + len, cap - len, ", ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		len += (size_t)snprintf(out + len, cap - len, fmt, i);
#pragma GCC diagnostic pop
	}
	return out;
}

/* Issue 13.7: 50,000 reminders gave 3.39 million lines (each repeat
 * against every earlier one).  Lists are capped where they are read, a
 * repeat is reported once, and at most 100 problems are printed. */
static void test_bounded_reports(void **state)
{
	char *list = repeat(50000, "1"), *text, *errs = NULL, want[400];
	struct gr_config *cfg = NULL;
	(void)state;

	text = edit(BASE, "1, 7, 0", list, NULL, NULL);
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	assert_int_equal(count_lines(errs), 1);
	assert_true(has_message(errs, 40, "notifications.reminders_days_before: 50000 entries, more than the 366 allowed"));
	free(errs), free(text), free(list);

	/* a value three times: two lines, each repeat against the first */
	text = edit(BASE, "1, 7, 0", "1, 7, 1, 0, 1", NULL, NULL);
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	assert_int_equal(count_lines(errs), 2);
	assert_true(has_message(errs, 40, "reminders_days_before[2]: 1 is listed twice"));
	assert_true(has_message(errs, 40, "reminders_days_before[4]: 1 is listed twice"));
	free(errs), free(text);

	/* an id three times: two lines */
	text = edit(BASE, "{ id = \"b\"; name = \"Gruppe B\"; }", "{ id = \"a\"; name = \"B\"; }, { id = \"a\"; name = \"C\"; }", NULL, NULL);
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	if (count_lines(errs) != 3) /* and member[1]'s group "b" is unknown now */
		fail_msg("got: %s", errs);
	assert_true(has_message(errs, 12, "groups[1].id: \"a\" is already used by groups[0]"));
	assert_true(has_message(errs, 12, "groups[2].id: \"a\" is already used by groups[0]"));
	free(errs), free(text);

	/* 500 problems: 100 printed, then how many more */
	list = repeat(500, "{ name = \"M\"; email = \"m%d@x.example\"; group = \"zz\"; }\n");
	text = edit(BASE, "{ name = \"Käthe Weiß\"; email = \"kaethe@b.example\"; group = \"b\"; }", list, NULL, NULL);
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	assert_int_equal(count_lines(errs), 101);
	snprintf(want, sizeof(want), "\n%s: ... and 400 more problems\n", conf_path);
	assert_non_null(strstr(errs, want));
	free(errs), free(text), free(list);

	/* 101 series: one line */
	list = repeat(101, "{ id = \"s%d\"; summary = \"S\"; dates = [ \"2027-01-01T10:00\" ]; duration = 60; }");
	text = util_asprintf("%s\nseries = ( %s );\n", MINIMAL, list);
	assert_non_null(text);
	*strstr(text, "series = ( { id = \"s\"") = '#'; /* MINIMAL's own series */
	assert_int_equal(load_text(text, &cfg, &errs), -EINVAL);
	if (count_lines(errs) != 1 || !strstr(errs, "series: 101 entries, more than the 100 allowed"))
		fail_msg("got: %s", errs);
	free(errs), free(text), free(list);
}

/* Issue 13.3: what the renderer refuses, check refuses, with FILE:LINE:
 * a 260-byte member address, 265-byte organizer and topics addresses, a
 * 3.6 KB domain, a label of 64, an id of 65. */
static void test_rfc_limits(void **state)
{
	char *l = fill(64, 'l'), *d = fill(120, 'd'), *long_id = fill(65, 'i');
	struct {
		const char *from;
		char *to;
		int line;
		const char *want;
	} cases[] = {
		{ "juergen@a.example", NULL, 15, "members[0].email: address of 260 bytes: at most 254 (RFC 5321)" },
		{ "vorsitz@test.example", NULL, 7, "committee.organizer.email: address of 265 bytes: at most 254" },
		{ "themen@test.example", NULL, 8, "committee.topics_address: address of 265 bytes: at most 254" },
		{ "\"test.example\"", NULL, 4, "committee.domain: domain of 3600 bytes: at most 253 (RFC 1035)" },
		{ "kaethe@b.example", NULL, 16, "a label (between dots) longer than 63 bytes (RFC 1035)" },
		{ "{ id = \"b\"", NULL, 12, "groups[1].id: an id of 65 bytes: at most 64" },
	};
	(void)state;

	/* a 260-byte address: "l" x 64 wouldn't pass, so a long domain */
	cases[0].to = util_asprintf("juergen@%.63s.%.63s.%.63s.%.52s.example", d, d, d, d);
	cases[1].to = util_asprintf("vorsitz@%.63s.%.63s.%.63s.%.57s.example", d, d, d, d);
	cases[2].to = util_asprintf("themen@%.63s.%.63s.%.63s.%.58s.example", d, d, d, d);
	free(d);
	d = fill(3600, 'd');
	d[100] = '.'; /* a dot, so that only the length is wrong */
	cases[3].to = util_asprintf("\"%.*s\"", 3600, d);
	cases[4].to = util_asprintf("kaethe@b%.63s.example", l);
	cases[5].to = util_asprintf("{ id = \"%s\"", long_id);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = edit(BASE, cases[i].from, cases[i].to, NULL, NULL), *errs = NULL;
		struct gr_config *cfg = NULL;

		assert_non_null(text);
		if (load_text(text, &cfg, &errs) != -EINVAL || !has_message(errs, cases[i].line, cases[i].want))
			fail_msg("case %zu: want line %d \"%s\", got:\n%s", i, cases[i].line, cases[i].want, errs);
		free(errs), free(text), free(cases[i].to);
	}
	/* at the limits: accepted (and mail renders it, see test_mail) */
	{
		char *at_limit = util_asprintf("\"%.64s@%.63s.%.63s.%.53s.example\"", l, l, l, l);
		char *text = edit(BASE, "\"juergen@a.example\"", at_limit, NULL, NULL), *errs = NULL;
		struct gr_config *cfg = NULL;

		if (load_text(text, &cfg, &errs) != 0)
			fail_msg("254 bytes: %s", errs);
		assert_int_equal(strlen(cfg->members[0].email), 254);
		config_free(cfg);
		free(errs), free(text), free(at_limit);
	}
	free(l), free(d), free(long_id);
}

static void test_valid_base(void **state)
{
	struct gr_config *cfg = NULL;
	char *errs = NULL;
	const struct gr_notifications *n;
	const struct gr_delivery *d;

	(void)state;
	assert_int_equal(load_text(BASE, &cfg, &errs), 0);
	assert_string_equal(errs, "");
	assert_non_null(cfg);
	assert_string_equal(cfg->path, conf_path);
	assert_true(cfg->mtime > 0);
	check_committee_and_members(cfg);
	check_series(cfg);
	n = &cfg->notifications;
	assert_int_equal(n->send_hour, 8);
	assert_int_equal(n->send_minute, 30);
	assert_true(n->topic_call);
	assert_int_equal(n->topic_days_before, 21);
	assert_int_equal(n->topic_deadline_days_before, 7);
	assert_int_equal(n->n_reminders, 3);
	assert_int_equal(n->reminders_days_before[0], 7);
	assert_int_equal(n->reminders_days_before[1], 1);
	assert_int_equal(n->reminders_days_before[2], 0);
	d = &cfg->delivery;
	assert_int_equal(d->transport, GR_TRANSPORT_SMTP);
	assert_string_equal(d->smtp_url, "smtps://mail.test.example:465");
	assert_true(d->starttls_required);
	assert_string_equal(d->username, "gremiumd");
	assert_string_equal(d->password_file, in_tmp("secret/pw"));
	assert_null(d->ca_file);
	assert_string_equal(d->maildir, in_tmp("var/outbox"));
	assert_int_equal(d->connections, 8);
	assert_int_equal(d->retry_for_hours, 24);
	assert_int_equal(d->rate_per_minute, 0);
	assert_int_equal(d->timeout, 30);
	assert_string_equal(cfg->feed.listen, "127.0.0.1:8080");
	assert_string_equal(cfg->feed.path, "/tg.ics");
	assert_string_equal(cfg->feed.file, in_tmp("var/calendar.ics"));
	assert_null(cfg->templates);
	assert_string_equal(cfg->state, "/var/lib/gremiumd/state.db");
	config_free(cfg);
	free(errs);
}

static void test_defaults(void **state)
{
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_int_equal(load_text(MINIMAL, &cfg, &errs), 0);
	assert_string_equal(errs, "");
	assert_string_equal(cfg->committee.language, "de");
	/* calls for topics are answered to the organizer by default */
	assert_string_equal(cfg->committee.topics_address, "o@m.example");
	/* committee.id: the organizer mailbox's local part (issue 12) */
	assert_string_equal(cfg->committee.id, "o");
	assert_null(cfg->members[0].organisation);
	assert_int_equal(cfg->n_exceptions, 0);
	assert_int_equal(cfg->notifications.send_hour, 9);
	assert_int_equal(cfg->notifications.send_minute, 0);
	assert_false(cfg->notifications.topic_call);
	assert_int_equal(cfg->notifications.n_reminders, 2);
	assert_int_equal(cfg->notifications.reminders_days_before[0], 7);
	assert_int_equal(cfg->notifications.reminders_days_before[1], 1);
	assert_int_equal(cfg->delivery.transport, GR_TRANSPORT_MAILDIR);
	assert_string_equal(cfg->delivery.maildir, in_tmp("var/outbox"));
	assert_null(cfg->delivery.smtp_url);
	assert_true(cfg->delivery.starttls_required);
	assert_int_equal(cfg->delivery.connections, 4);
	assert_int_equal(cfg->delivery.retry_for_hours, 48);
	assert_int_equal(cfg->delivery.rate_per_minute, 0);
	assert_int_equal(cfg->delivery.timeout, 30);
	assert_null(cfg->feed.listen);
	assert_string_equal(cfg->feed.path, "/calendar.ics");
	assert_string_equal(cfg->feed.file, in_tmp("var/calendar.ics"));
	assert_null(cfg->templates);
	assert_string_equal(cfg->state, in_tmp("var/state.db"));
	config_free(cfg);
	free(errs);
}

/* Edits that must stay valid: loopback plain SMTP, "" switches off, UTC. */
static void test_valid_variants(void **state)
{
	static const struct { const char *from, *to, *from2, *to2; } ok[] = {
		{ "smtps://mail.test.example:465", "smtp://127.0.0.1:25", "\"required\"", "\"off\"" },
		{ "smtps://mail.test.example:465", "smtp://[::1]:25", "\"required\"", "\"off\"" },
		{ "smtps://mail.test.example:465", "smtp://localhost", "\"required\"", "\"off\"" },
		{ "smtps://mail.test.example:465", "smtp://127.0.0.2:2525", "\"required\"", "\"off\"" },
		{ "smtps://mail.test.example:465", "smtp://LocalHost:25", "\"required\"", "\"off\"" },
		{ "\"127.0.0.1:8080\"", "\"\"", "path = \"/tg.ics\";", "path = \"/tg.ics\"; file = \"\";" },
		{ "[ 1, 7, 0 ]", "[]", "language = \"de\"", "language = \"en\"" },
		{ "\"127.0.0.1:8080\"", "\"[::1]:8080\"", NULL, NULL },
		{ "\"127.0.0.1:8080\"", "\"localhost:80\"", NULL, NULL },
		{ "topic_call = { days_before = 21; deadline_days_before = 7; };", "", NULL, NULL },
		{ "BYDAY=2WE", "BYDAY=WE;BYSETPOS=2", NULL, NULL },
		{ "state = \"/var/lib/gremiumd/state.db\";", "templates = \"tpl\";", NULL, NULL },
		{ "  organizer = {", "  id = \"ag-digital_2\"; organizer = {", NULL, NULL },
		{ "vorsitz@test.example", "Vor.Sitz+kg@test.example", NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *text = edit(BASE, ok[i].from, ok[i].to, ok[i].from2, ok[i].to2);
		struct gr_config *cfg = NULL;
		char *errs = NULL;

		assert_non_null(text);
		if (load_text(text, &cfg, &errs) != 0)
			fail_msg("variant %zu: %s", i, errs);
		if (i == 5) {
			assert_null(cfg->feed.listen);
			assert_null(cfg->feed.file);
		}
		if (i == 6)
			assert_int_equal(cfg->notifications.n_reminders, 0);
		if (i == 9)
			assert_false(cfg->notifications.topic_call);
		if (i == 11)
			assert_string_equal(cfg->templates, in_tmp("tpl"));
		if (i == 12)
			assert_string_equal(cfg->committee.id, "ag-digital_2");
		if (i == 13) /* the default from the organizer's local part */
			assert_string_equal(cfg->committee.id, "vor-sitz-kg");
		config_free(cfg);
		free(errs);
		free(text);
	}
}

/* The shipped example must load: gremiumctl check relies on it. */
static void test_example(void **state)
{
	struct gr_config *cfg = NULL;
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);

	(void)state;
	assert_int_equal(config_load(TEST_SRCDIR "/etc/gremiumd.conf", &cfg, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(errs, "");
	assert_int_equal(cfg->n_members, 14);
	assert_int_equal(cfg->n_series, 2);
	assert_int_equal(cfg->n_groups, 5);
	assert_int_equal(cfg->n_exceptions, 2);
	config_free(cfg);
	free(errs);
}

/* delivery.password_credential (issue 14.3): a systemd credential name,
 * resolved to the file the service or the admin's shell reads. */
static void test_password_credential(void **state)
{
	char *text = edit(BASE, "password_file = \"secret/pw\";", "password_credential = \"gremiumd.smtp-password\";",
	                  NULL, NULL);
	char *both = edit(BASE, "password_file = \"secret/pw\";",
	                  "password_file = \"secret/pw\"; password_credential = \"pw\";", NULL, NULL);
	char *bad = edit(BASE, "password_file = \"secret/pw\";", "password_credential = \"../pw\";", NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_non_null(text);
	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "/run/credentials/gremiumd.service", 1), 0);
	if (load_text(text, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_string_equal(cfg->delivery.password_credential, "gremiumd.smtp-password");
	assert_string_equal(cfg->delivery.password_file, "/run/credentials/gremiumd.service/gremiumd.smtp-password");
	assert_int_equal(cfg->delivery.password_line, 47);
	config_free(cfg);
	free(errs);
	/* outside the service: the credential store LoadCredential=NAME reads */
	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	assert_int_equal(load_text(text, &cfg, &errs), 0);
	assert_true(strcmp(cfg->delivery.password_file, "/etc/credstore/gremiumd.smtp-password") == 0 ||
	            strcmp(cfg->delivery.password_file, "/run/credstore/gremiumd.smtp-password") == 0 ||
	            strcmp(cfg->delivery.password_file, "/usr/lib/credstore/gremiumd.smtp-password") == 0);
	config_free(cfg);
	free(errs);
	/* an absolute password_file stays as it was */
	assert_int_equal(load_text(BASE, &cfg, &errs), 0);
	assert_string_equal(cfg->delivery.password_file, in_tmp("secret/pw"));
	assert_null(cfg->delivery.password_credential);
	assert_int_equal(cfg->delivery.password_line, 47);
	config_free(cfg);
	free(errs);
	assert_int_equal(load_text(both, &cfg, &errs), -EINVAL);
	assert_true(has_message(errs, 47, "password_file and password_credential exclude each other"));
	free(errs);
	assert_int_equal(load_text(bad, &cfg, &errs), -EINVAL);
	assert_true(has_message(errs, 47, "delivery.password_credential: \"../pw\" is no credential name"));
	free(errs);
	free(text), free(both), free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_three_problems),
		cmocka_unit_test(test_misspelling_reported_once),
		cmocka_unit_test(test_wrong_section_type),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_raw_bytes),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_bounded_reports),
		cmocka_unit_test(test_rfc_limits),
		cmocka_unit_test(test_valid_base),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_valid_variants),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_password_credential),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
