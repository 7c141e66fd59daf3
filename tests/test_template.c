/* SPDX-License-Identifier: MIT */
/* Unit tests for src/template.c */
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
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"
#include "util.h"

static void test_dates(void **state)
{
	struct gr_localtime t = { 2026, 12, 9, 10, 0 };
	char buf[64];
	(void)state;

	tmpl_format_date(TMPL_DE, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Mittwoch, 9. Dezember 2026");
	tmpl_format_date(TMPL_EN, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Wednesday, 9 December 2026");
	tmpl_format_time(TMPL_DE, &t, buf, sizeof(buf));
	assert_string_equal(buf, "10:00 Uhr");
	tmpl_format_time(TMPL_EN, &t, buf, sizeof(buf));
	assert_string_equal(buf, "10:00");

	t = (struct gr_localtime){ 2027, 3, 17, 9, 5 };
	tmpl_format_date(TMPL_DE, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Mittwoch, 17. März 2027");
	tmpl_format_time(TMPL_DE, &t, buf, sizeof(buf));
	assert_string_equal(buf, "09:05 Uhr");
	t = (struct gr_localtime){ 2026, 7, 9, 10, 0 };
	tmpl_format_date(TMPL_DE, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Donnerstag, 9. Juli 2026");
	t = (struct gr_localtime){ 2028, 2, 29, 0, 0 };   /* leap day */
	tmpl_format_date(TMPL_EN, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Tuesday, 29 February 2028");
	t = (struct gr_localtime){ 2026, 1, 4, 0, 0 };
	tmpl_format_date(TMPL_DE, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Sonntag, 4. Januar 2026");
	/* truncation stays NUL-terminated */
	tmpl_format_date(TMPL_DE, &t, buf, 5);
	assert_string_equal(buf, "Sonn");

	tmpl_format_days(TMPL_DE, 1, buf, sizeof(buf));
	assert_string_equal(buf, "morgen");
	tmpl_format_days(TMPL_DE, 7, buf, sizeof(buf));
	assert_string_equal(buf, "in 7 Tagen");
	tmpl_format_days(TMPL_EN, 0, buf, sizeof(buf));
	assert_string_equal(buf, "today");
	assert_int_equal(tmpl_lang_from_str("en"), TMPL_EN);
	assert_int_equal(tmpl_lang_from_str("de"), TMPL_DE);
	assert_int_equal(tmpl_lang_from_str(NULL), TMPL_DE);
	assert_string_equal(tmpl_name_str(TMPL_TOPIC_CALL), "topic-call");
	assert_string_equal(tmpl_name_str(TMPL_CANCELLATION_SERIES), "cancellation-series");
}

static void test_describe(void **state)
{
	struct gr_localtime from = { 2026, 7, 8, 10, 0 }, to = { 2026, 7, 9, 10, 0 };
	char buf[256];
	(void)state;

	/* the issue's own example sentence */
	tmpl_describe_move(TMPL_DE, &from, &to, buf, sizeof(buf));
	assert_string_equal(buf, "Die Sitzung am 8. Juli 2026 wird auf Donnerstag, 9. Juli 2026, 10:00 Uhr verschoben.");
	tmpl_describe_move(TMPL_EN, &from, &to, buf, sizeof(buf));
	assert_string_equal(buf, "The meeting on 8 July 2026 is moved to Thursday, 9 July 2026, 10:00.");
	tmpl_describe_change(TMPL_DE, TMPL_CHANGE_LOCATION, "Bonn, Rathaus", buf, sizeof(buf));
	assert_string_equal(buf, "Neuer Ort: Bonn, Rathaus");
	tmpl_describe_change(TMPL_EN, TMPL_CHANGE_LOCATION, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "New location: none");
	tmpl_describe_change(TMPL_DE, TMPL_CHANGE_RESTORED, "9. Dezember 2026", buf, sizeof(buf));
	assert_string_equal(buf, "Die Sitzung am 9. Dezember 2026 findet doch statt.");
	tmpl_describe_change(TMPL_DE, TMPL_CHANGE_RULE, "ignored", buf, sizeof(buf));
	assert_string_equal(buf, "Die Termine der Reihe haben sich geändert.");
	tmpl_describe_change(TMPL_EN, (enum tmpl_change)99, "x", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static const struct tmpl_var vars[] = {
	{ "member_name", "Dr. Jürgen Müller" },
	{ "committee", "Kommunalgremium des IT-Planungsrats" },
	{ "summary", "Sitzung des Kommunalgremiums" },
	{ "date", "Donnerstag, 9. Juli 2026" },
	{ "old_date", "8. Juli 2026" },
	{ "time", "10:00 Uhr" },
	{ "end_time", "12:00 Uhr" },
	{ "location", "Videokonferenz" },
	{ "deadline", "Mittwoch, 1. Juli 2026" },
	{ "topics_address", "themen@fitko.example" },
	{ "organizer", "FITKO (Vorsitz)" },
	{ "in_days", "morgen" },
	{ "title", "Breitbandausbau im ländlichen Raum" },
	{ "changes", "Die Sitzung am 8. Juli 2026 wird auf Donnerstag, 9. Juli 2026, 10:00 Uhr verschoben." },
};
#define N_VARS (sizeof(vars) / sizeof(vars[0]))

static void test_builtin(void **state)
{
	char *subject, *body;
	(void)state;

	assert_int_equal(tmpl_check_builtin(stderr), 0);
	assert_int_equal(tmpl_render(NULL, TMPL_UPDATE, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Geändert: Sitzung des Kommunalgremiums am Donnerstag, 9. Juli 2026");
	assert_non_null(strstr(body, "Guten Tag Dr. Jürgen Müller,\n"));
	assert_non_null(strstr(body, "am 8. Juli 2026 wird auf Donnerstag, 9. Juli 2026, 10:00 Uhr verschoben"));
	assert_non_null(strstr(body, "Ort: Videokonferenz\n"));
	/* no url, no note: their lines are gone and no double blank line stays */
	assert_null(strstr(body, "Zugang:"));
	assert_null(strstr(body, "\n\n\n"));
	assert_non_null(strstr(body, "Mit freundlichen Grüßen\nFITKO (Vorsitz)\n"));
	assert_null(strchr(body, '{'));
	free(subject);
	free(body);

	assert_int_equal(tmpl_render(NULL, TMPL_CANCELLATION, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_non_null(strstr(body, "am Donnerstag, 9. Juli 2026, 10:00 Uhr, findet nicht statt"));
	assert_null(strstr(body, "zusagen"));
	assert_null(strstr(body, "sagen Sie"));
	free(subject);
	free(body);

	assert_int_equal(tmpl_render(NULL, TMPL_TOPIC_CALL, TMPL_EN, vars, N_VARS, &subject, &body), 0);
	assert_non_null(strstr(subject, "Call for topics: "));
	assert_non_null(strstr(body, "by Mittwoch, 1. Juli 2026 as a reply to this email, to themen@fitko.example."));
	free(subject);
	free(body);

	/* a topic's confirmation: late (old_date set) and in time */
	assert_int_equal(tmpl_render(NULL, TMPL_TOPIC_CONFIRMATION, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Thema eingegangen: Breitbandausbau im ländlichen Raum");
	assert_non_null(strstr(body, "Ihr Thema „Breitbandausbau im ländlichen Raum“ ist für die Sitzung "
	                             "„Sitzung des Kommunalgremiums“ am Donnerstag, 9. Juli 2026, 10:00 Uhr, "
	                             "eingegangen."));
	assert_non_null(strstr(body, "zur Sitzung am 8. Juli 2026 war bereits abgelaufen"));
	assert_non_null(strstr(body, "bis Mittwoch, 1. Juli 2026 entgegen"));
	free(subject);
	free(body);
	{
		struct tmpl_var in_time[N_VARS];
		size_t k = 0;

		for (size_t i = 0; i < N_VARS; i++)
			if (strcmp(vars[i].name, "old_date") != 0)
				in_time[k++] = vars[i];
		assert_int_equal(tmpl_render(NULL, TMPL_TOPIC_CONFIRMATION, TMPL_EN, in_time, k, &subject,
		                             &body), 0);
		assert_string_equal(subject, "Topic received: Breitbandausbau im ländlichen Raum");
		assert_null(strstr(body, "already passed"));
		assert_null(strstr(body, "\n\n\n"));
		assert_non_null(strstr(body, "accepted until Mittwoch, 1. Juli 2026."));
		free(subject);
		free(body);
	}

	/* every name and language renders */
	for (int n = 0; n < TMPL_COUNT_; n++)
		for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
			assert_int_equal(tmpl_render(NULL, (enum tmpl_name)n, (enum tmpl_lang)l,
			                             vars, N_VARS, &subject, &body), 0);
			assert_true(*subject && *body);
			assert_false(util_has_control(subject, false));
			free(subject);
			free(body);
		}
	assert_int_equal(tmpl_render(NULL, TMPL_COUNT_, TMPL_DE, vars, N_VARS, &subject, &body), -EINVAL);
}

static void test_subject_controls(void **state)
{
	const struct tmpl_var evil[] = {
		{ "summary", "Evil\r\nBcc: x@y.example\tz" },
		{ "date", "heute" },
		{ "member_name", "A\rB\nC\x01" },
	};
	char *subject, *body;
	(void)state;

	assert_int_equal(tmpl_render(NULL, TMPL_REMINDER, TMPL_EN, evil, 3, &subject, &body), 0);
	assert_string_equal(subject, "Reminder: Evil  Bcc: x@y.example z on heute");
	assert_false(util_has_control(subject, false));
	/* in the body newlines stay, CR goes, other controls become spaces */
	assert_non_null(strstr(body, "Dear AB\nC ,\n"));
	free(subject);
	free(body);
}

/* A scratch folder with files; removed by teardown. */
static char tdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/gremium-tmpl-XXXXXX");
	return mkdtemp(tdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char *cmd = util_asprintf("rm -rf '%s'", tdir);
	(void)state;
	if (cmd)
		(void)system(cmd);
	free(cmd);
	return 0;
}

static void put(const char *name, const char *text, unsigned mode)
{
	char *p = util_asprintf("%s/%s", tdir, name);
	assert_non_null(p);
	assert_int_equal(util_write_atomic(p, text, strlen(text), mode), 0);
	free(p);
}

/* Run tmpl_load on tdir and return what it wrote to errs. */
static char *load_errors(int want, struct tmpl_set **ret)
{
	char *out = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&out, &len);
	struct tmpl_set *set = NULL;

	assert_non_null(errs);
	assert_int_equal(tmpl_load(tdir, &set, errs), want);
	fclose(errs);
	if (ret)
		*ret = set;
	else
		tmpl_free(set);
	return out;
}

static void test_override(void **state)
{
	struct tmpl_set *set;
	char *subject, *body, *errs;
	(void)state;

	put("reminder.de.txt", "\xef\xbb\xbf" "Bald: {summary}\r\n\r\nHallo {member_name},\r\n"
	    "{{nicht ersetzt} {date}\r\n", 0644);
	put("test.en.txt", "Just a test\nLine one\n", 0644);
	put("cancellation.en.txt", "{note}\n\n{note}\n\nGone: {date}\n", 0644);
	put("README", "not a template {oops}", 0644);
	put("reminder.de.txt~", "backup {oops}", 0644);
	put("reminder.fr.txt", "Rappel\n\n{summary}", 0644);
	errs = load_errors(0, &set);
	assert_non_null(strstr(errs, "/reminder.fr.txt: not a template name"));
	/* every valid name listed */
	for (int n = 0; n < TMPL_COUNT_; n++) {
		char *name = util_asprintf(" %s%s", tmpl_name_str((enum tmpl_name)n),
		                           n + 1 < TMPL_COUNT_ ? "," : ")");
		assert_non_null(strstr(errs, name));
		free(name);
	}
	assert_non_null(strstr(errs, " cancellation-series,"));
	assert_non_null(strstr(errs, ", ignoring\n"));
	assert_null(strstr(errs, "README"));
	free(errs);

	assert_int_equal(tmpl_render(set, TMPL_REMINDER, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Bald: Sitzung des Kommunalgremiums");
	assert_string_equal(body, "Hallo Dr. Jürgen Müller,\n{nicht ersetzt} Donnerstag, 9. Juli 2026\n");
	free(subject);
	free(body);
	/* without the blank line, the body starts on line 2 */
	assert_int_equal(tmpl_render(set, TMPL_TEST, TMPL_EN, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Just a test");
	assert_string_equal(body, "Line one\n");
	free(subject);
	free(body);
	/* leading lines of empty placeholders go, without a blank line */
	assert_int_equal(tmpl_render(set, TMPL_CANCELLATION, TMPL_EN, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "");
	assert_string_equal(body, "Gone: Donnerstag, 9. Juli 2026\n");
	free(subject);
	free(body);
	/* the English reminder is still built in */
	assert_int_equal(tmpl_render(set, TMPL_REMINDER, TMPL_EN, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Reminder: Sitzung des Kommunalgremiums on Donnerstag, 9. Juli 2026");
	free(subject);
	free(body);
	tmpl_free(set);
	tmpl_free(NULL);
}

static void test_override_errors(void **state)
{
	char *errs, *want;
	(void)state;

	put("reminder.de.txt", "Erinnerung\n\nZeile drei\nZeile {vier}\n", 0644);
	put("update.en.txt", "Changed {summary\n\nbody\n", 0644);
	put("cancellation.de.txt", "\nno subject\n", 0644);
	put("topic-call.de.txt", "Themen\n\n\xff\xfe kaputt\n", 0644);
	errs = load_errors(-EINVAL, NULL);
	want = util_asprintf("%s/reminder.de.txt:4: unknown placeholder {vier}\n", tdir);
	assert_non_null(strstr(errs, want));
	free(want);
	want = util_asprintf("%s/update.en.txt:1: unterminated placeholder", tdir);
	assert_non_null(strstr(errs, want));
	free(want);
	want = util_asprintf("%s/cancellation.de.txt:1: missing subject", tdir);
	assert_non_null(strstr(errs, want));
	free(want);
	want = util_asprintf("%s/topic-call.de.txt:1: not a UTF-8 text file", tdir);
	assert_non_null(strstr(errs, want));
	free(want);
	free(errs);
}

static void test_override_unreadable(void **state)
{
	char *errs, *want;
	(void)state;

	put("test.de.txt", "Test\n\nText\n", 0000);
	if (geteuid() == 0) {
		/* root reads anything: use a folder in place of the file */
		char *p = util_asprintf("%s/test.de.txt", tdir);
		assert_int_equal(unlink(p), 0);
		assert_int_equal(mkdir(p, 0755), 0);
		free(p);
	}
	errs = load_errors(-EINVAL, NULL);
	want = util_asprintf("%s/test.de.txt:1: cannot read template: ", tdir);
	assert_non_null(strstr(errs, want));
	free(want);
	free(errs);

	/* a missing folder is an error too */
	{
		struct tmpl_set *set = NULL;
		FILE *devnull = fopen("/dev/null", "w");
		assert_int_equal(tmpl_load("/nonexistent/templates", &set, devnull), -EINVAL);
		assert_null(set);
		fclose(devnull);
	}
}

/* Issue 12, points 1, 3, 6: the DESCRIPTION texts, and mail texts that
 * describe what the member sees and does. */
static void test_event_description(void **state)
{
	struct tmpl_event_text t = {
		.change = "Die Sitzung am 13. Januar 2027 wird auf Mittwoch, 20. Januar 2027, 14:00 Uhr verschoben.",
		.reason = "Verschoben wegen der Sitzung des IT-Planungsrats",
		.description = "Monatliche Sitzung.", .url = "https://video.example/kg",
		.topics_address = "themen@fitko.example", .deadline = "Mittwoch, 13. Januar 2027",
		.member = true,
	};
	char *d, *subject, *body;
	(void)state;

	d = tmpl_event_description(TMPL_DE, &t);
	assert_non_null(d);
	assert_string_equal(d,
		"Die Sitzung am 13. Januar 2027 wird auf Mittwoch, 20. Januar 2027, 14:00 Uhr verschoben.\n\n"
		"Grund: Verschoben wegen der Sitzung des IT-Planungsrats\n\n"
		"Monatliche Sitzung.\n\n"
		"Zugang: https://video.example/kg\n\n"
		"Themen für die Tagesordnung bitte bis Mittwoch, 13. Januar 2027 an themen@fitko.example.\n\n"
		"Diese Einladung ist für die Mitglieder des Gremiums: bitte zusagen oder absagen. Den "
		"öffentlichen Kalender des Gremiums bitte nicht zusätzlich abonnieren, sonst stehen die "
		"Sitzungen doppelt im Kalender; er ist für alle anderen gedacht.");
	free(d);
	/* a series: "N days before"; English */
	t = (struct tmpl_event_text){ .topics_address = "topics@x.example", .deadline_days = 7,
		.member = true };
	d = tmpl_event_description(TMPL_EN, &t);
	assert_non_null(strstr(d, "Topics for the agenda by 7 days before the meeting to topics@x.example, please."));
	assert_non_null(strstr(d, "This invitation is for the members of the committee"));
	free(d);
	/* a cancellation: the reason, and what the client offers; no access */
	t = (struct tmpl_event_text){ .cancelled = true, .reason = "Entfällt mangels Themen",
		.url = "https://video.example/kg", .topics_address = "t@x.example" };
	d = tmpl_event_description(TMPL_DE, &t);
	assert_string_equal(d, "Diese Sitzung findet nicht statt.\n\nGrund: Entfällt mangels Themen\n\n"
	                       "Ihr Kalenderprogramm bietet an, den Termin zu entfernen (Thunderbird: "
	                       "„Löschen“, Outlook: „Aus Kalender entfernen“).");
	free(d);
	t.whole_series = true;
	t.reason = NULL;
	d = tmpl_event_description(TMPL_EN, &t);
	assert_non_null(strstr(d, "The meetings of this series no longer take place for you.\n\n"));
	assert_non_null(strstr(d, "\"Delete\""));
	free(d);
	/* nothing at all: an empty text */
	t = (struct tmpl_event_text){ 0 };
	d = tmpl_event_description(TMPL_DE, &t);
	assert_string_equal(d, "");
	free(d);

	/* mails: no "marked as cancelled", the buttons clients show */
	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		static const enum tmpl_name cancels[] = { TMPL_CANCELLATION, TMPL_CANCELLATION_SERIES };
		for (size_t i = 0; i < 2; i++) {
			assert_int_equal(tmpl_render(NULL, cancels[i], (enum tmpl_lang)l, vars, N_VARS,
			                             &subject, &body), 0);
			assert_null(strstr(body, "gekennzeichnet"));
			assert_null(strstr(body, "marked as cancelled"));
			assert_non_null(strstr(body, l == TMPL_DE ? "„Löschen“" : "\"Delete\""));
			free(subject);
			free(body);
		}
		assert_int_equal(tmpl_render(NULL, TMPL_INVITATION_SERIES, (enum tmpl_lang)l, vars,
		                             N_VARS, &subject, &body), 0);
		/* who uses which, and what a moved meeting looks like */
		assert_non_null(strstr(body, l == TMPL_DE ? "öffentlichen Kalender" : "public calendar"));
		assert_non_null(strstr(body, l == TMPL_DE ? "als Aktualisierung dieses Termins" :
		                                            "as an update of that meeting"));
		free(subject);
		free(body);
	}
	{
		char line[256];

		tmpl_describe_change(TMPL_DE, TMPL_CHANGE_REGULAR, "Mittwoch, 13. Januar 2027, 10:00 Uhr",
		                     line, sizeof(line));
		assert_string_equal(line, "Die Verschiebung ist aufgehoben: die Sitzung findet zur "
		                          "gewohnten Zeit statt, Mittwoch, 13. Januar 2027, 10:00 Uhr.");
	}
}

/* Every known placeholder with a value of len bytes (description: dlen). */
static struct tmpl_var *longest_vars(size_t len, size_t dlen, size_t *ret_n)
{
	static const char *const names[] = {
		"member_name", "committee", "short_name", "summary", "date", "time",
		"end_time", "location", "url", "deadline", "days", "in_days",
		"topics_address", "organizer", "old_date", "note", "description", "title",
		"changes", "attendance", "quorum", "bounced", "agenda",
	};
	size_t n = sizeof(names) / sizeof(names[0]);
	struct tmpl_var *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		size_t l = strcmp(names[i], "description") == 0 ? dlen : len;
		char *value = malloc(l + 1);

		assert_non_null(value);
		memset(value, 'x', l);
		value[l] = '\0';
		v[i] = (struct tmpl_var){ names[i], value };
	}
	*ret_n = n;
	return v;
}

static void free_vars(struct tmpl_var *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].value);
	free(v);
}

static char *check_errors(const struct tmpl_set *set, const bool *in_use,
                          const struct tmpl_var *v, size_t n, int want)
{
	char *out = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&out, &len);

	assert_non_null(errs);
	assert_int_equal(tmpl_check(set, TMPL_DE, in_use, v, n, errs), want);
	fclose(errs);
	return out;
}

/* The cap of a rendered text, reported as what it is, for the texts in use. */
static void test_check_limits(void **state)
{
	bool all[TMPL_COUNT_], reminder_only[TMPL_COUNT_] = { false };
	struct tmpl_set *set;
	struct tmpl_var *v;
	char *errs, *want, *subject, *body, *big;
	size_t n, len;
	(void)state;

	for (int i = 0; i < TMPL_COUNT_; i++)
		all[i] = true;
	reminder_only[TMPL_REMINDER] = true;
	/* the built-in texts with long values: fine */
	v = longest_vars(200, 4096, &n);
	errs = check_errors(NULL, all, v, n, 0);
	assert_int_equal(strlen(errs), 0);
	free(errs);
	/* a value missing from the longest ones would be measured as "" */
	errs = check_errors(NULL, all, v, n - 1, -EINVAL);
	assert_non_null(strstr(errs, "no longest value for {agenda}"));
	free(errs);
	free_vars(v, n);

	/* a description of 300 KB in a built-in text */
	v = longest_vars(10, 300000, &n);
	errs = check_errors(NULL, all, v, n, -EINVAL);
	assert_non_null(strstr(errs, "built-in template invitation-series.de:1: renders to more "
	                             "than 256 KiB with the longest values of the configuration "
	                             "({description} of 300000 bytes, 1 times)\n"));
	free(errs);
	assert_int_equal(tmpl_render(NULL, TMPL_INVITATION_SERIES, TMPL_DE, v, n, &subject, &body),
	                 -EMSGSIZE);
	free_vars(v, n);

	/* 62 KB of {description}: 4,000 copies of 100 bytes, in an override */
	len = 0;
	big = malloc(64 * 1024);
	assert_non_null(big);
	len += (size_t)sprintf(big, "Erinnerung\n\n");
	while (len < 62 * 1024)
		len += (size_t)sprintf(big + len, "{description}\n");
	put("reminder.de.txt", big, 0644);
	free(big);
	errs = load_errors(0, &set);
	free(errs);
	v = longest_vars(10, 100, &n);
	errs = check_errors(set, reminder_only, v, n, -EINVAL);
	want = util_asprintf("%s/reminder.de.txt:1: renders to more than 256 KiB with the longest "
	                     "values of the configuration ({description} of 100 bytes, %zu times)\n",
	                     tdir, (size_t)((62 * 1024 - 12 + 13) / 14));
	assert_string_equal(errs, want);
	free(want);
	free(errs);
	/* not in use: not rendered */
	reminder_only[TMPL_REMINDER] = false;
	errs = check_errors(set, reminder_only, v, n, 0);
	free(errs);
	free_vars(v, n);
	tmpl_free(set);
}

/* {agenda}: TOP 1..n with title, member and organisation (de), Item (en);
 * none; fields cut on a character boundary; more than the cap summed up;
 * the agenda mail, the reminder with and without it, DESCRIPTION; an
 * override of agenda.de.txt rendered as `check` does. */
static void test_agenda(void **state)
{
	const struct tmpl_agenda_item items[] = {
		{ "Haushalt 2027", "Jürgen Müller", "Landkreis Musterstadt" },
		{ "Digitalisierung", NULL, "KGSt" },
		{ "Vom Vorsitz", NULL, NULL },
	};
	struct tmpl_agenda_item many[TMPL_AGENDA_MAX_ITEMS + 3], big = { NULL, "Ä", NULL };
	struct tmpl_var v[N_VARS + 1];
	struct tmpl_event_text ev = { .description = "Beschreibung", .agenda = NULL };
	char *text, *subject, *body, title[TMPL_AGENDA_MAX_FIELD + 2], *errs;
	struct tmpl_set *set;
	bool in_use[TMPL_COUNT_] = { false };
	(void)state;

	text = tmpl_format_agenda(TMPL_DE, items, 3);
	assert_string_equal(text, "Tagesordnung:\n"
	                          "TOP 1: Haushalt 2027 (eingebracht von Jürgen Müller, Landkreis Musterstadt)\n"
	                          "TOP 2: Digitalisierung (eingebracht von KGSt)\n"
	                          "TOP 3: Vom Vorsitz");
	free(text);
	text = tmpl_format_agenda(TMPL_EN, items, 1);
	assert_string_equal(text, "Agenda:\nItem 1: Haushalt 2027 (submitted by Jürgen Müller, "
	                          "Landkreis Musterstadt)");
	free(text);
	text = tmpl_format_agenda(TMPL_DE, NULL, 0);
	assert_string_equal(text, "Tagesordnung:\nZu dieser Sitzung sind keine Themen eingegangen.");
	free(text);
	/* 199 x "a" then "ü" (2 bytes): cut before the ü, not inside it */
	memset(title, 'a', TMPL_AGENDA_MAX_FIELD - 1);
	strcpy(title + TMPL_AGENDA_MAX_FIELD - 1, "ü");
	big.title = title;
	text = tmpl_format_agenda(TMPL_DE, &big, 1);
	assert_non_null(strstr(text, "aaa (eingebracht von Ä)"));
	assert_true(util_utf8_valid((const unsigned char *)text));
	free(text);
	for (size_t i = 0; i < TMPL_AGENDA_MAX_ITEMS + 3; i++)
		many[i] = (struct tmpl_agenda_item){ title, title, title };
	text = tmpl_format_agenda(TMPL_DE, many, TMPL_AGENDA_MAX_ITEMS + 3);
	assert_non_null(strstr(text, "\nTOP 100: "));
	assert_null(strstr(text, "TOP 101"));
	assert_non_null(strstr(text, "\n… und 3 weitere Themen"));
	assert_true(strlen(text) <= tmpl_agenda_longest());
	free(text);

	/* the agenda mail (German by default) and the reminder carry it */
	text = tmpl_format_agenda(TMPL_DE, items, 2);
	memcpy(v, vars, sizeof(vars));
	v[N_VARS] = (struct tmpl_var){ "agenda", text };
	assert_int_equal(tmpl_render(NULL, TMPL_AGENDA, TMPL_DE, v, N_VARS + 1, &subject, &body), 0);
	assert_string_equal(subject, "Tagesordnung: Sitzung des Kommunalgremiums am Donnerstag, 9. Juli 2026");
	assert_non_null(strstr(body, "Die Tagesordnung:\n\nTagesordnung:\nTOP 1: Haushalt 2027 "
	                             "(eingebracht von Jürgen Müller, Landkreis Musterstadt)\nTOP 2: "));
	free(subject);
	free(body);
	assert_int_equal(tmpl_render(NULL, TMPL_REMINDER, TMPL_EN, v, N_VARS + 1, &subject, &body), 0);
	assert_non_null(strstr(body, "\n\nTagesordnung:\nTOP 1: Haushalt 2027"));
	free(subject);
	free(body);
	/* a reminder before the agenda: no empty paragraph */
	assert_int_equal(tmpl_render(NULL, TMPL_REMINDER, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_null(strstr(body, "Tagesordnung"));
	assert_null(strstr(body, "\n\n\n"));
	free(subject);
	free(body);
	/* DESCRIPTION: the agenda after the reason, before the description */
	ev.agenda = text;
	ev.reason = "Grund";
	body = tmpl_event_description(TMPL_DE, &ev);
	assert_non_null(strstr(body, "Grund: Grund\n\nTagesordnung:\nTOP 1: Haushalt 2027"));
	assert_non_null(strstr(body, "Musterstadt)\nTOP 2: Digitalisierung (eingebracht von KGSt)"
	                             "\n\nBeschreibung"));
	free(body);
	free(text);

	/* an override: loaded, rendered, and checked with the longest agenda */
	put("agenda.de.txt", "TO {summary}\n\n{agenda}\n{agenda}\n", 0644);
	errs = load_errors(0, &set);
	free(errs);
	text = tmpl_format_agenda(TMPL_DE, items, 1);
	v[N_VARS] = (struct tmpl_var){ "agenda", text };
	assert_int_equal(tmpl_render(set, TMPL_AGENDA, TMPL_DE, v, N_VARS + 1, &subject, &body), 0);
	assert_string_equal(subject, "TO Sitzung des Kommunalgremiums");
	assert_non_null(strstr(body, "TOP 1: Haushalt 2027 (eingebracht von Jürgen Müller, Landkreis "
	                             "Musterstadt)\nTagesordnung:"));
	free(subject);
	free(body);
	free(text);
	in_use[TMPL_AGENDA] = true;
	{
		size_t n;
		struct tmpl_var *lv = longest_vars(10, 10, &n);
		char *big_agenda = malloc(tmpl_agenda_longest() + 1);

		assert_non_null(big_agenda);
		memset(big_agenda, 'x', tmpl_agenda_longest());
		big_agenda[tmpl_agenda_longest()] = '\0';
		free((char *)lv[n - 1].value);
		lv[n - 1].value = big_agenda;
		errs = check_errors(set, in_use, lv, n, 0);
		assert_int_equal(strlen(errs), 0);
		free(errs);
		free_vars(lv, n);
	}
	tmpl_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_event_description),
		cmocka_unit_test_setup_teardown(test_agenda, setup_dir, teardown_dir),
		cmocka_unit_test(test_subject_controls),
		cmocka_unit_test_setup_teardown(test_override, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_override_errors, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_override_unreadable, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_check_limits, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
