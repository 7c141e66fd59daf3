/* SPDX-License-Identifier: MIT */
/*
 * template-report.c - the parts of the chair's report (template.h, issue
 * 16): who answered what ({attendance}), whose address bounced
 * ({bounced}) and the quorum ({quorum}), in German and English, with
 * caps on every field so that `check` knows the longest report.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template-internal.h"

#define MAX_ADDRESS 254         /* RFC 5321 §4.5.3.1.3 */

struct report_words {
	const char *counts[5];      /* "Zugesagt: " ... per answer, in order */
	const char *heading[5];     /* per answer */
	const char *deputy;         /* ": vertreten durch " */
	const char *more, *more_tail; /* "… und " N " weitere ..." */
	const char *bounced;        /* heading of {bounced} */
	/* {quorum}: no rule, reached, not reached, each as text, the number
	 * present, text, the number needed, text */
	const char *quorum[3][3];
};

/* The order of the report: who comes first, who said nothing last. */
static const enum tmpl_answer order[5] = {
	TMPL_ANSWER_ACCEPTED, TMPL_ANSWER_DELEGATED, TMPL_ANSWER_TENTATIVE,
	TMPL_ANSWER_DECLINED, TMPL_ANSWER_NONE,
};

static const struct report_words report_words[TMPL_LANG_COUNT_] = {
	[TMPL_DE] = {
		{ "Zugesagt: ", ", Vertretung: ", ", mit Vorbehalt: ", ", abgesagt: ",
		  ", ohne Antwort: " },
		{ "Zugesagt:", "Vertretung geschickt:", "Mit Vorbehalt:", "Abgesagt:",
		  "Keine Antwort:" },
		": vertreten durch ",
		"… und ", " weitere (alle zeigt „gremiumctl attendance“)",
		"Nicht zustellbar (die Adresse wurde dauerhaft abgewiesen):",
		{ { "Keine Regel zur Beschlussfähigkeit (quorum.min_present ist 0) – Zusagen: ",
		    " (Mitglieder oder Vertretungen).", "" },
		  { "Beschlussfähigkeit erreicht – Zusagen: ",
		    " (Mitglieder oder Vertretungen), nötig: ", "." },
		  { "Beschlussfähigkeit NICHT erreicht – Zusagen: ",
		    " (Mitglieder oder Vertretungen), nötig: ", "." } },
	},
	[TMPL_EN] = {
		{ "Accepted: ", ", deputy: ", ", tentative: ", ", declined: ", ", no answer: " },
		{ "Accepted:", "Sending a deputy:", "Tentative:", "Declined:", "No answer:" },
		": represented by ",
		"… and ", " more (\"gremiumctl attendance\" shows all)",
		"Undeliverable (the address was rejected for good):",
		{ { "No quorum rule (quorum.min_present is 0) – accepted: ",
		    " (members or deputies).", "" },
		  { "Quorum reached – accepted: ", " (members or deputies), needed: ", "." },
		  { "Quorum NOT reached – accepted: ", " (members or deputies), needed: ", "." } },
	},
};

static const struct report_words *rwords(enum tmpl_lang lang)
{
	return &report_words[(unsigned)lang < TMPL_LANG_COUNT_ ? lang : TMPL_DE];
}

static bool has(const char *s)
{
	return s && *s;
}

/* "s" cut at max bytes, for "%.*s". */
#define CUT(s, max) tmpl_cut_len((s), (max)), (s)

/* "- NAME (GROUP, ORGANISATION)": the member, as the chair knows them. */
static void person(FILE *f, const struct tmpl_attendee *a)
{
	const size_t max = TMPL_AGENDA_MAX_FIELD;

	fprintf(f, "\n- %.*s", CUT(has(a->name) ? a->name : a->email ? a->email : "?", max));
	const char *org = has(a->organisation) ? a->organisation : NULL;
	const char *group = has(a->group) ? a->group : NULL;

	if (org && group && strcmp(org, group) == 0)
		group = NULL;   /* "(KGSt, KGSt)" says it once */
	if (group || org)
		fprintf(f, " (%.*s%s%.*s)", CUT(group ? group : "", max), group && org ? ", " : "",
		        CUT(org ? org : "", max));
}

/* The lines of one answer; the heading first.  How many; *listed counts
 * the lines written, *skipped those past TMPL_REPORT_MAX_LINES. */
static int section(FILE *f, const struct report_words *w, int k, const struct tmpl_attendee *a,
                   size_t n, size_t *listed, size_t *skipped)
{
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		if (a[i].answer != order[k])
			continue;
		count++;
		if (*listed >= TMPL_REPORT_MAX_LINES) {
			++*skipped;
			continue;
		}
		if (count == 1)
			fprintf(f, "\n\n%s", w->heading[k]);
		++*listed;
		person(f, &a[i]);
		if (a[i].answer == TMPL_ANSWER_DELEGATED && has(a[i].deputy))
			fprintf(f, "%s%.*s", w->deputy, CUT(a[i].deputy, MAX_ADDRESS));
		if (has(a[i].comment))
			fprintf(f, " – „%.*s“", CUT(a[i].comment, TMPL_REPORT_MAX_COMMENT));
	}
	return count;
}

/* Close the stream whose buffer is *out: its text, or NULL. */
static char *finish(FILE *f, char **out)
{
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
	}
	return *out;
}

char *tmpl_format_attendance(enum tmpl_lang lang, const struct tmpl_attendee *a, size_t n)
{
	const struct report_words *w = rwords(lang);
	char *out = NULL, *lists = NULL;
	size_t len = 0, lists_len = 0, listed = 0, skipped = 0;
	int counts[5];
	FILE *f = open_memstream(&lists, &lists_len), *g;

	if (!f)
		return NULL;
	for (int k = 0; k < 5; k++)
		counts[k] = section(f, w, k, a, n, &listed, &skipped);
	if (skipped)
		fprintf(f, "\n\n%s%zu%s", w->more, skipped, w->more_tail);
	if (!finish(f, &lists))
		return NULL;
	g = open_memstream(&out, &len);
	if (g) {
		for (int k = 0; k < 5; k++)
			fprintf(g, "%s%d", w->counts[k], counts[k]);
		/* the lists after one newline: section() starts each with two */
		fprintf(g, "%s", lists);
		finish(g, &out);
	}
	free(lists);
	return out;
}

char *tmpl_format_bounced(enum tmpl_lang lang, const struct tmpl_attendee *a, size_t n)
{
	const struct report_words *w = rwords(lang);
	char *out = NULL;
	size_t len = 0;
	bool any = false;
	size_t listed = 0, skipped = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!a[i].bounced)
			continue;
		if (!any)
			fprintf(f, "%s", w->bounced);
		any = true;
		if (listed++ >= TMPL_REPORT_MAX_BOUNCED) {
			skipped++;
			continue;
		}
		fprintf(f, "\n- %.*s <%.*s>", CUT(has(a[i].name) ? a[i].name : "", TMPL_AGENDA_MAX_FIELD),
		        CUT(a[i].email ? a[i].email : "", MAX_ADDRESS));
	}
	if (skipped)
		fprintf(f, "\n%s%zu%s", w->more, skipped, w->more_tail);
	return finish(f, &out);
}

void tmpl_format_quorum(enum tmpl_lang lang, int present, int min_present, char *buf, size_t len)
{
	const struct report_words *w = rwords(lang);

	const char *const *q = w->quorum[min_present <= 0 ? 0 : present >= min_present ? 1 : 2];

	if (min_present <= 0)
		snprintf(buf, len, "%s%d%s", q[0], present, q[1]);
	else
		snprintf(buf, len, "%s%d%s%d%s", q[0], present, q[1], min_present, q[2]);
}

static size_t at_most(size_t v, size_t max)
{
	return v < max ? v : max;
}

size_t tmpl_attendance_longest(size_t n, size_t name, size_t group, size_t organisation)
{
	size_t most = 0;

	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		const struct report_words *w = &report_words[l];
		size_t all = 0, line = 0;

		for (int k = 0; k < 5; k++) {
			all += strlen(w->counts[k]) + 20 + 2 + strlen(w->heading[k]);
			line = at_most(name, TMPL_AGENDA_MAX_FIELD) + at_most(group, TMPL_AGENDA_MAX_FIELD) +
			       at_most(organisation, TMPL_AGENDA_MAX_FIELD) + strlen(w->deputy) +
			       MAX_ADDRESS + TMPL_REPORT_MAX_COMMENT + 32;
		}
		all += at_most(n, TMPL_REPORT_MAX_LINES) * line + strlen(w->more) + 20 +
		       strlen(w->more_tail);
		if (all > most)
			most = all;
	}
	return most;
}

size_t tmpl_bounced_longest(size_t n, size_t name)
{
	size_t most = 0;

	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		const struct report_words *w = &report_words[l];
		size_t all = strlen(w->bounced) + strlen(w->more) + 20 + strlen(w->more_tail) +
		             at_most(n, TMPL_REPORT_MAX_BOUNCED) *
		             (at_most(name, TMPL_AGENDA_MAX_FIELD) + MAX_ADDRESS + 8);
		if (all > most)
			most = all;
	}
	return most;
}

size_t tmpl_quorum_longest(void)
{
	size_t most = 0;

	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		const struct report_words *w = &report_words[l];

		for (int k = 0; k < 3; k++) {
			size_t n = strlen(w->quorum[k][0]) + strlen(w->quorum[k][1]) +
			           strlen(w->quorum[k][2]) + 2 * 11;
			if (n > most)
				most = n;
		}
	}
	return most;
}
