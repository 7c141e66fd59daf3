/* SPDX-License-Identifier: MIT */
/*
 * template - the texts of the mails: built-in German and English, and admin
 * overrides from the `templates` folder (one file per kind and language,
 * "<name>.<lang>.txt", subject on the first line, body after it).
 *
 * Placeholders are {name}; "{{" is a literal "{".  Known placeholders:
 * {member_name} {committee} {short_name} {summary} {date} {time} {end_time}
 * {location} {url} {deadline} {days} {topics_address} {organizer}
 * {old_date} {note} {description}
 */
#ifndef GREMIUM_TEMPLATE_H
#define GREMIUM_TEMPLATE_H

#include <stdio.h>
#include "model.h"

/* The texts: kinds with two variants (invitation for a series / a single
 * meeting) have two names. */
enum tmpl_name {
	TMPL_INVITATION_SERIES,
	TMPL_INVITATION_SINGLE,
	TMPL_UPDATE,
	TMPL_CANCELLATION,
	TMPL_TOPIC_CALL,
	TMPL_REMINDER,
	TMPL_TEST,
	TMPL_COUNT_
};

enum tmpl_lang { TMPL_DE, TMPL_EN, TMPL_LANG_COUNT_ };

struct tmpl_set; /* opaque: built-ins plus overrides */

/* A value for one placeholder; unset placeholders render as "". */
struct tmpl_var {
	const char *name;  /* without braces */
	const char *value;
};

/* File name stem of a template ("invitation-series", "reminder", ...). */
const char *tmpl_name_str(enum tmpl_name n);

/*
 * Load the built-in texts, then the overrides in dir (NULL: none).
 * Returns 0 and *ret, or -EINVAL after writing each problem (unreadable
 * file, unknown placeholder, missing subject, control characters in the
 * subject) as "FILE:LINE: message\n" to errs, or -ENOMEM.
 */
int tmpl_load(const char *dir, struct tmpl_set **ret, FILE *errs);
void tmpl_free(struct tmpl_set *set);

/*
 * Render one text.  *ret_subject (one line, no CR/LF) and *ret_body are
 * malloc'ed; caller frees.  Returns 0 or -ENOMEM.
 */
int tmpl_render(const struct tmpl_set *set, enum tmpl_name n, enum tmpl_lang lang,
                const struct tmpl_var *vars, size_t n_vars,
                char **ret_subject, char **ret_body);

/* "Mittwoch, 9. Dezember 2026" / "Wednesday, 9 December 2026" into buf. */
void tmpl_format_date(enum tmpl_lang lang, const struct gr_localtime *lt,
                      char *buf, size_t len);
/* "10:00 Uhr" / "10:00" into buf. */
void tmpl_format_time(enum tmpl_lang lang, const struct gr_localtime *lt,
                      char *buf, size_t len);

enum tmpl_lang tmpl_lang_from_str(const char *s); /* "en" -> EN, else DE */

#endif
