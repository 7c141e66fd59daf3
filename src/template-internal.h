/* SPDX-License-Identifier: MIT */
/*
 * template-internal.h - what the files of the template module share: the
 * caps, the built-in tables and the override set.  It is one module
 * (template.h) in three files, so that none exceeds STYLE's 900 lines.
 * Not for other modules.
 *
 *   template.c         dates, rendering, loading overrides, DESCRIPTION
 *   template-texts.c   the built-in texts (de, en), names, placeholders
 *   template-check.c   tmpl_check(), tmpl_check_builtin()
 *   template-report.c  the chair's report: {attendance}, {quorum}, {bounced}
 */
#ifndef GREMIUM_TEMPLATE_INTERNAL_H
#define GREMIUM_TEMPLATE_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "template.h"

/* Caps: an override file, a placeholder name, a rendered text. */
#define TMPL_MAX_FILE   (64 * 1024)
#define TMPL_MAX_NAME   32
#define TMPL_MAX_OUTPUT (256 * 1024)

/* template-texts.c: file names of the templates, of the languages; the
 * known placeholders; the built-in texts. */
extern const char *const tmpl_names[TMPL_COUNT_];
extern const char *const tmpl_lang_names[TMPL_LANG_COUNT_];
extern const char *const tmpl_placeholders[];
extern const size_t tmpl_n_placeholders;

struct tmpl_text {
	const char *subject;
	const char *body;
};

extern const struct tmpl_text tmpl_builtin[TMPL_COUNT_][TMPL_LANG_COUNT_];

/* The words of tmpl_event_description(), per language. */
struct tmpl_event_words {
	const char *reason, *cancelled, *cancelled_series, *remove, *access;
	/* topics: lead + deadline + days + to + address + tail */
	const char *topics_lead, *topics_by, *topics_days, *topics_to, *topics_tail;
	const char *members;
	/* agenda: heading, "TOP ", " (eingebracht von ", none, "... and " N " more" */
	const char *agenda, *agenda_item, *agenda_by, *agenda_none, *agenda_more, *agenda_more_tail;
};

extern const struct tmpl_event_words tmpl_event_words[TMPL_LANG_COUNT_];

struct tmpl_set {
	/* overrides; NULL where the built-in text applies */
	char *subject[TMPL_COUNT_][TMPL_LANG_COUNT_];
	char *body[TMPL_COUNT_][TMPL_LANG_COUNT_];
	char *file[TMPL_COUNT_][TMPL_LANG_COUNT_];    /* the override's path */
};

/* template.c: check every placeholder of text; report problems as
 * FILE:LINE (line is the line number of text's first line).  Returns the
 * number of problems. */
int tmpl_check_text(const char *text, const char *file, int line, FILE *errs);
/* template.c: bytes of s cut at max, on a character boundary. */
int tmpl_cut_len(const char *s, size_t max);
/* The value of placeholder name (n bytes) in vars; "" when it has none. */
const char *tmpl_lookup(const struct tmpl_var *vars, size_t n_vars,
                        const char *name, size_t n);

#endif
