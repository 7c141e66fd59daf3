/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/template-report.c and the texts of issue 16: the
 * chair's report ({attendance}, {bounced}, {quorum}) in German and
 * English, the built-in chair-report and answer-reminder texts, an
 * override of chair-report rendered and checked as `check` does, and the
 * caps `check` counts on.
 */
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
#include <unistd.h>

#include "template.h"
#include "util.h"

static const struct tmpl_attendee people[] = {
	{ "Anna Alt", "Landkreise", "Kreis A", "anna@x.example", TMPL_ANSWER_NONE, NULL, NULL, false },
	{ "Bert Bau", "Städte", "Stadt B", "bert@x.example", TMPL_ANSWER_DELEGATED,
	  "dora@y.example", "komme nicht", false },
	{ "Carl Cor", "KGSt", "KGSt", "carl@x.example", TMPL_ANSWER_ACCEPTED, NULL,
	  "komme 30 min später", true },
	{ "Dana Dor", NULL, NULL, "dana@x.example", TMPL_ANSWER_DECLINED, NULL, NULL, false },
	{ "Emil Eck", "Vitako", NULL, "emil@x.example", TMPL_ANSWER_TENTATIVE, NULL, NULL, false },
	{ "Fritz Fe", "Vitako", "Zentrum F", "fritz@x.example", TMPL_ANSWER_ACCEPTED, NULL, NULL, true },
};
#define N_PEOPLE (sizeof(people) / sizeof(people[0]))

/* Sections in the order accepted, deputy, tentative, declined, none;
 * names with group and organisation (once when the same), the deputy and
 * the comment. */
static void test_attendance(void **state)
{
	char *de, *en;
	(void)state;

	de = tmpl_format_attendance(TMPL_DE, people, N_PEOPLE);
	assert_non_null(de);
	assert_string_equal(de,
		"Zugesagt: 2, Vertretung: 1, mit Vorbehalt: 1, abgesagt: 1, ohne Antwort: 1\n\n"
		"Zugesagt:\n"
		"- Carl Cor (KGSt) – „komme 30 min später“\n"
		"- Fritz Fe (Vitako, Zentrum F)\n\n"
		"Vertretung geschickt:\n"
		"- Bert Bau (Städte, Stadt B): vertreten durch dora@y.example – „komme nicht“\n\n"
		"Mit Vorbehalt:\n"
		"- Emil Eck (Vitako)\n\n"
		"Abgesagt:\n"
		"- Dana Dor\n\n"
		"Keine Antwort:\n"
		"- Anna Alt (Landkreise, Kreis A)");
	en = tmpl_format_attendance(TMPL_EN, people, 1);
	assert_non_null(en);
	assert_string_equal(en, "Accepted: 0, deputy: 0, tentative: 0, declined: 0, no answer: 1\n\n"
	                        "No answer:\n- Anna Alt (Landkreise, Kreis A)");
	free(de);
	free(en);
	/* nobody at all */
	en = tmpl_format_attendance(TMPL_EN, NULL, 0);
	assert_string_equal(en, "Accepted: 0, deputy: 0, tentative: 0, declined: 0, no answer: 0");
	free(en);
}

static void test_bounced_and_quorum(void **state)
{
	char *b, buf[256];
	(void)state;

	b = tmpl_format_bounced(TMPL_DE, people, N_PEOPLE);
	assert_string_equal(b, "Nicht zustellbar (die Adresse wurde dauerhaft abgewiesen):\n"
	                       "- Carl Cor <carl@x.example>\n- Fritz Fe <fritz@x.example>");
	free(b);
	b = tmpl_format_bounced(TMPL_EN, people, 2);
	assert_string_equal(b, "");
	free(b);

	tmpl_format_quorum(TMPL_DE, 3, 3, buf, sizeof(buf));
	assert_string_equal(buf, "Beschlussfähigkeit erreicht – Zusagen: 3 (Mitglieder oder "
	                         "Vertretungen), nötig: 3.");
	tmpl_format_quorum(TMPL_DE, 2, 3, buf, sizeof(buf));
	assert_string_equal(buf, "Beschlussfähigkeit NICHT erreicht – Zusagen: 2 (Mitglieder oder "
	                         "Vertretungen), nötig: 3.");
	tmpl_format_quorum(TMPL_EN, 4, 0, buf, sizeof(buf));
	assert_string_equal(buf, "No quorum rule (quorum.min_present is 0) – accepted: 4 (members "
	                         "or deputies).");
	tmpl_format_quorum(TMPL_EN, 1, 2, buf, sizeof(buf));
	assert_string_equal(buf, "Quorum NOT reached – accepted: 1 (members or deputies), needed: 2.");
	assert_true(tmpl_quorum_longest() >= strlen(buf) + 20);
}

/* Long untrusted fields are cut, and the longest `check` assumes holds. */
static void test_caps(void **state)
{
	char *name = malloc(5000), *comment = malloc(5000), *deputy = malloc(5000), *text;
	struct tmpl_attendee a[50];
	(void)state;

	assert_non_null(name);
	assert_non_null(comment);
	assert_non_null(deputy);
	memset(name, 'n', 4999);
	memset(comment, 'c', 4999);
	memset(deputy, 'd', 4999);
	name[4999] = comment[4999] = deputy[4999] = '\0';
	for (size_t i = 0; i < 50; i++)
		a[i] = (struct tmpl_attendee){ name, name, name, deputy, TMPL_ANSWER_DELEGATED, deputy,
		                               comment, true };
	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		text = tmpl_format_attendance((enum tmpl_lang)l, a, 50);
		assert_non_null(text);
		assert_non_null(strstr(text, "„" "cccc"));
		assert_true(strlen(text) <= tmpl_attendance_longest(50, 5000, 5000, 5000));
		assert_true(strlen(text) < 50 * (3 * TMPL_AGENDA_MAX_FIELD + 254 + TMPL_REPORT_MAX_COMMENT + 64));
		free(text);
		text = tmpl_format_bounced((enum tmpl_lang)l, a, 50);
		assert_non_null(text);
		assert_true(strlen(text) <= tmpl_bounced_longest(50, 5000));
		free(text);
	}
	free(name);
	free(comment);
	free(deputy);
}

/* A large committee: after TMPL_REPORT_MAX_LINES members one line for the
 * rest (the counts stay whole), after TMPL_REPORT_MAX_BOUNCED bounces too. */
static void test_many(void **state)
{
	struct tmpl_attendee *a = calloc(250, sizeof(*a));
	char *text;
	(void)state;

	assert_non_null(a);
	for (size_t i = 0; i < 250; i++)
		a[i] = (struct tmpl_attendee){ "M", NULL, NULL, "m@x.example",
		                               i < 10 ? TMPL_ANSWER_ACCEPTED : TMPL_ANSWER_NONE,
		                               NULL, NULL, true };
	text = tmpl_format_attendance(TMPL_DE, a, 250);
	assert_non_null(text);
	assert_true(strncmp(text, "Zugesagt: 10, Vertretung: 0, mit Vorbehalt: 0, abgesagt: 0, "
	                          "ohne Antwort: 240\n\nZugesagt:\n- M\n", 90) == 0);
	assert_non_null(strstr(text, "\n- M\n\n… und 50 weitere (alle zeigt „gremiumctl attendance“)"));
	assert_true(strlen(text) <= tmpl_attendance_longest(250, 1, 0, 0));
	free(text);
	text = tmpl_format_bounced(TMPL_EN, a, 250);
	assert_non_null(strstr(text, "\n- M <m@x.example>\n… and 200 more (\"gremiumctl attendance\" shows all)"));
	assert_true(strlen(text) <= tmpl_bounced_longest(250, 1));
	free(text);
	free(a);
}

static const struct tmpl_var vars[] = {
	{ "member_name", "Anna Alt" }, { "committee", "Kommunalgremium" },
	{ "summary", "Online-Sitzung" }, { "date", "Mittwoch, 10. Februar 2027" },
	{ "time", "10:00 Uhr" }, { "end_time", "12:00 Uhr" }, { "in_days", "in 3 Tagen" },
	{ "location", "Videokonferenz" }, { "organizer", "FITKO (Vorsitz)" },
	{ "quorum", "Beschlussfähigkeit erreicht – Zusagen: 3 (Mitglieder oder Vertretungen), nötig: 3." },
	{ "attendance", "Zugesagt: 3" }, { "agenda", "Tagesordnung:\nTOP 1: Haushalt" },
};
#define N_VARS (sizeof(vars) / sizeof(vars[0]))

/* The built-in texts: the report with the quorum, the answers and the
 * agenda, and without {bounced} no empty line for it; the request to
 * answer in both languages. */
static void test_builtin_texts(void **state)
{
	char *subject, *body;
	(void)state;

	assert_string_equal(tmpl_name_str(TMPL_CHAIR_REPORT), "chair-report");
	assert_string_equal(tmpl_name_str(TMPL_ANSWER_REMINDER), "answer-reminder");
	assert_int_equal(tmpl_render(NULL, TMPL_CHAIR_REPORT, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Rückmeldungen: Online-Sitzung am Mittwoch, 10. Februar 2027");
	assert_non_null(strstr(body, "(in 3 Tagen).\n\nBeschlussfähigkeit erreicht – Zusagen: 3"));
	assert_non_null(strstr(body, "nötig: 3.\n\nZugesagt: 3\n\nTagesordnung:\nTOP 1: Haushalt\n\n"
	                             "Ort: Videokonferenz\n"));
	assert_null(strstr(body, "\n\n\n"));
	assert_null(strstr(body, "Zugang:"));
	free(subject);
	free(body);
	assert_int_equal(tmpl_render(NULL, TMPL_CHAIR_REPORT, TMPL_EN, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Answers: Online-Sitzung on Mittwoch, 10. Februar 2027");
	assert_non_null(strstr(body, "not a vote"));
	free(subject);
	free(body);
	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		assert_int_equal(tmpl_render(NULL, TMPL_ANSWER_REMINDER, (enum tmpl_lang)l, vars, N_VARS,
		                             &subject, &body), 0);
		assert_non_null(strstr(body, "Anna Alt,\n\n"));
		assert_non_null(strstr(body, "Online-Sitzung"));
		assert_non_null(strstr(body, l == TMPL_DE ? "Termin: Mittwoch, 10. Februar 2027, 10:00 Uhr bis 12:00 Uhr\n"
		                                          : "Date: Mittwoch, 10. Februar 2027, 10:00 Uhr to 12:00 Uhr\n"));
		assert_non_null(strstr(subject, l == TMPL_DE ? "Bitte um Rückmeldung" : "Please answer"));
		free(subject);
		free(body);
	}
	assert_int_equal(tmpl_check_builtin(NULL), 0);
}

/* An admin's chair-report.de.txt: loaded, rendered, and measured by
 * tmpl_check() like every other text; an unknown placeholder refused. */
static void test_override(void **state)
{
	char dir[] = "/tmp/gremium-tmpl-report.XXXXXX", *path, *errs = NULL;
	struct tmpl_set *set = NULL;
	char *subject, *body;
	bool in_use[TMPL_COUNT_] = { false };
	struct tmpl_var longest[64];
	size_t n = 0, len = 0;
	FILE *f, *e;
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = util_asprintf("%s/chair-report.de.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Bericht {date}\n\n{quorum}\n{bounced}\n{attendance}\n", f);
	fclose(f);
	assert_int_equal(tmpl_load(dir, &set, NULL), 0);
	assert_int_equal(tmpl_render(set, TMPL_CHAIR_REPORT, TMPL_DE, vars, N_VARS, &subject, &body), 0);
	assert_string_equal(subject, "Bericht Mittwoch, 10. Februar 2027");
	assert_string_equal(body, "Beschlussfähigkeit erreicht – Zusagen: 3 (Mitglieder oder "
	                          "Vertretungen), nötig: 3.\nZugesagt: 3\n");
	free(subject);
	free(body);
	/* check: {attendance} of 300 KB makes it too big */
	in_use[TMPL_CHAIR_REPORT] = true;
	static const char *const names[] = {
		"member_name", "committee", "short_name", "summary", "date", "time", "end_time",
		"location", "url", "deadline", "days", "in_days", "topics_address", "organizer",
		"old_date", "note", "description", "changes", "agenda", "attendance", "quorum",
		"bounced", "title",
	};
	for (n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		size_t l = strcmp(names[n], "attendance") == 0 ? 300000 : 10;
		char *v = malloc(l + 1);
		assert_non_null(v);
		memset(v, 'x', l);
		v[l] = '\0';
		longest[n] = (struct tmpl_var){ names[n], v };
	}
	e = open_memstream(&errs, &len);
	assert_int_equal(tmpl_check(set, TMPL_DE, in_use, longest, n, e), -EINVAL);
	fclose(e);
	assert_non_null(strstr(errs, "chair-report.de.txt:1: renders to more than 256 KiB"));
	assert_non_null(strstr(errs, "({attendance} of 300000 bytes, 1 times)"));
	free(errs);
	for (size_t i = 0; i < n; i++)
		free((char *)longest[i].value);
	tmpl_free(set);
	/* a typo in a placeholder is refused with its line */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Bericht\n\n{quorum}\n{attendence}\n", f);
	fclose(f);
	e = open_memstream(&errs, &len);
	assert_int_equal(tmpl_load(dir, &set, e), -EINVAL);
	fclose(e);
	assert_non_null(strstr(errs, "chair-report.de.txt:4: unknown placeholder {attendence}"));
	free(errs);
	unlink(path);
	free(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attendance),
		cmocka_unit_test(test_bounced_and_quorum),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_builtin_texts),
		cmocka_unit_test(test_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
