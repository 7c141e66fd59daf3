/* SPDX-License-Identifier: MIT */
/*
 * template-check.c - the template module's check of limits (template.h):
 * tmpl_check() renders each template in use with the longest values of a
 * configuration and reports one that renders too big, naming the value
 * that adds most; tmpl_check_builtin() checks the built-in texts'
 * placeholders.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template-internal.h"

/* How often placeholder name occurs in text. */
static size_t occurrences(const char *text, const char *name)
{
	size_t n = 0, len = strlen(name);

	for (const char *p = text; (p = strchr(p, '{')); p++) {
		if (p[1] == '{') {
			p++;
			continue;
		}
		if (strncmp(p + 1, name, len) == 0 && p[1 + len] == '}')
			n++;
	}
	return n;
}

/* The value that adds most to a text that rendered too big, for the message. */
static void report_too_big(const char *file, const char *subject, const char *body,
                           const struct tmpl_var *longest, size_t n_longest, FILE *errs)
{
	const struct tmpl_var *most = NULL;
	size_t most_bytes = 0, most_times = 0;

	for (size_t i = 0; i < n_longest; i++) {
		size_t times = occurrences(subject, longest[i].name) + occurrences(body, longest[i].name);
		size_t bytes = longest[i].value ? strlen(longest[i].value) : 0;

		if (times * bytes > most_times * most_bytes)
			most = &longest[i], most_bytes = bytes, most_times = times;
	}
	fprintf(errs, "%s:1: renders to more than %d KiB with the longest values of the "
	        "configuration", file, TMPL_MAX_OUTPUT / 1024);
	if (most)
		fprintf(errs, " ({%s} of %zu bytes, %zu times)", most->name, most_bytes, most_times);
	fprintf(errs, "\n");
}

int tmpl_check(const struct tmpl_set *set, enum tmpl_lang lang, const bool in_use[TMPL_COUNT_],
               const struct tmpl_var *longest, size_t n_longest, FILE *errs)
{
	int problems = 0;

	if ((unsigned)lang >= TMPL_LANG_COUNT_)
		return -EINVAL;
	/* a placeholder without its longest value would be measured as "" */
	for (size_t i = 0; i < tmpl_n_placeholders; i++)
		if (!*tmpl_lookup(longest, n_longest, tmpl_placeholders[i],
		                  strlen(tmpl_placeholders[i]))) {
			if (errs)
				fprintf(errs, "templates: no longest value for {%s} (a bug)\n",
				        tmpl_placeholders[i]);
			problems++;
		}
	for (int n = 0; n < TMPL_COUNT_ && problems == 0; n++) {
		char *subject = NULL, *body = NULL, builtin_name[64];
		const char *file;
		int r;

		if (!in_use[n])
			continue;
		/* the very function every mail is rendered with */
		r = tmpl_render(set, (enum tmpl_name)n, lang, longest, n_longest, &subject, &body);
		free(subject);
		free(body);
		if (r == -ENOMEM)
			return r;
		if (r == 0)
			continue;
		problems++;
		snprintf(builtin_name, sizeof(builtin_name), "built-in template %s.%s", tmpl_names[n],
		         tmpl_lang_names[lang]);
		file = set && set->file[n][lang] ? set->file[n][lang] : builtin_name;
		if (errs)
			report_too_big(file, set && set->subject[n][lang] ? set->subject[n][lang] :
			               tmpl_builtin[n][lang].subject, set && set->body[n][lang] ?
			               set->body[n][lang] : tmpl_builtin[n][lang].body, longest,
			               n_longest, errs);
	}
	return problems ? -EINVAL : 0;
}

int tmpl_check_builtin(FILE *errs)
{
	int problems = 0;

	for (int n = 0; n < TMPL_COUNT_; n++)
		for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
			problems += tmpl_check_text(tmpl_builtin[n][l].subject, "builtin", 1, errs);
			problems += tmpl_check_text(tmpl_builtin[n][l].body, "builtin", 2, errs);
		}
	return problems ? -EINVAL : 0;
}
