/* SPDX-License-Identifier: MIT */
/*
 * template - the texts of the mails: built-in German and English, and admin
 * overrides from the `templates` folder.
 *
 * Placeholders are {name}; "{{" is a literal "{".  Known placeholders:
 * {member_name} {committee} {short_name} {summary} {date} {time} {end_time}
 * {location} {url} {deadline} {days} {in_days} {topics_address} {organizer}
 * {old_date} {note} {description} {changes} {agenda} {title}
 * {attendance} {quorum} {bounced} (the chair's report: template-report.c)
 * The caller formats the values: dates with tmpl_format_date(), times with
 * tmpl_format_time(), {days} is the number of days before the meeting and
 * {in_days} the phrase tmpl_format_days() makes of it ("morgen", "in 7
 * Tagen"); {agenda} is tmpl_format_agenda()'s text (heading and one line
 * per topic), empty in a reminder sent before the agenda; {title} is a
 * topic's title (topic-confirmation, which uses {old_date} for the
 * meeting a late topic was meant for).  A line whose placeholders all render empty is left out (so
 * "Ort: {location}" disappears without a location); blank lines left
 * behind collapse to one.  Values lose CR and, in the subject, every
 * control character becomes a space: a value cannot add a header line.
 *
 * Override files: "<dir>/<name>.<lang>.txt", name from tmpl_name_str(),
 * lang "de" or "en" (e.g. "reminder.de.txt"), UTF-8, at most 64 KiB, LF or
 * CRLF line ends, an optional UTF-8 BOM.  Line 1 is the subject (without
 * the "[short_name]" prefix, which mail adds); if line 2 is empty it only
 * separates, and the body starts after it; otherwise the body starts at
 * line 2.  An override replaces one name and language; the others stay
 * built in.  Other "*.txt" files in the folder are reported as
 * "FILE: not a template name ..., ignoring" (a typo must not pass silently,
 * but must not stop the service either); files not ending in ".txt"
 * (README, editor backups) and hidden files are skipped silently.
 */
#ifndef GREMIUM_TEMPLATE_H
#define GREMIUM_TEMPLATE_H

#include <stdbool.h>
#include <stdio.h>
#include "model.h"

/* The texts: kinds with two variants (invitation for a series / a single
 * meeting) have two names. */
enum tmpl_name {
	TMPL_INVITATION_SERIES,
	TMPL_INVITATION_SINGLE,
	TMPL_UPDATE,
	TMPL_CANCELLATION,
	TMPL_CANCELLATION_SERIES,
	TMPL_TOPIC_CALL,
	TMPL_REMINDER,
	TMPL_TEST,
	TMPL_AGENDA,
	TMPL_CHAIR_REPORT,
	TMPL_ANSWER_REMINDER,
	TMPL_TOPIC_CONFIRMATION,
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
 * Returns 0 and *ret (free with tmpl_free()), or -EINVAL after writing each
 * problem (unreadable file, not UTF-8, unknown or unterminated placeholder,
 * missing subject, control characters in the subject) as
 * "FILE:LINE: message\n" to errs (whole-file problems use line 1; a folder
 * that cannot be opened is "DIR: message"), or -ENOMEM.  Warnings (see
 * above) also go to errs and end in ", ignoring".  errs may be NULL.
 */
int tmpl_load(const char *dir, struct tmpl_set **ret, FILE *errs);
void tmpl_free(struct tmpl_set *set);

/*
 * Render one text.  *ret_subject (one line, no CR/LF) and *ret_body are
 * malloc'ed; caller frees.  set NULL renders the built-in text.
 * Returns 0, -EINVAL (n or lang out of range), -EMSGSIZE (the subject or
 * the body would exceed 256 KiB) or -ENOMEM.
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
/* {in_days}: "heute"/"morgen"/"in 7 Tagen" or "today"/"tomorrow"/"in 7 days". */
void tmpl_format_days(enum tmpl_lang lang, int days, char *buf, size_t len);

/*
 * {agenda}: the heading ("Tagesordnung:" / "Agenda:"), then per topic
 * "TOP 1: TITLE (eingebracht von NAME, ORGANISATION)" / "Item 1: TITLE
 * (submitted by NAME, ORGANISATION)" (the parenthesis only with a name or
 * organisation); without topics one line that none came in.  Each field
 * is cut at TMPL_AGENDA_MAX_FIELD bytes (on a character boundary) and lines
 * after TMPL_AGENDA_MAX_ITEMS topics become one "... and N more" line, so
 * the longest agenda is known to `check` (tmpl_agenda_longest()).
 * Returns a malloc'ed string, or NULL when out of memory.
 */
#define TMPL_AGENDA_MAX_ITEMS 100
#define TMPL_AGENDA_MAX_FIELD 200
struct tmpl_agenda_item {
	const char *title;
	const char *name;           /* who brought it in, or NULL */
	const char *organisation;   /* or NULL */
};
char *tmpl_format_agenda(enum tmpl_lang lang, const struct tmpl_agenda_item *items, size_t n);
/* The length of the longest text tmpl_format_agenda() can make. */
size_t tmpl_agenda_longest(void);

/*
 * The chair's report (template-report.c).  Each member's answer:
 */
enum tmpl_answer {
	TMPL_ANSWER_NONE, TMPL_ANSWER_ACCEPTED, TMPL_ANSWER_DECLINED, TMPL_ANSWER_TENTATIVE,
	TMPL_ANSWER_DELEGATED,
};
struct tmpl_attendee {
	const char *name, *group, *organisation;   /* group: its name; may be NULL */
	const char *email;
	enum tmpl_answer answer;
	const char *deputy;         /* delegated: the deputy's address, or NULL */
	const char *comment;        /* the answer's COMMENT, or NULL */
	bool bounced;               /* a mail to the member bounced for good */
};
/*
 * {attendance}: one line of counts, then per answer (accepted, deputy,
 * tentative, declined, none) a heading and one line per member "- NAME
 * (GROUP, ORGANISATION)", with the deputy and the comment („…“); empty
 * groups are left out.  Names, groups and organisations are cut at
 * TMPL_AGENDA_MAX_FIELD bytes, a comment at TMPL_REPORT_MAX_COMMENT, an
 * address at 254; after TMPL_REPORT_MAX_LINES members one line "… und N
 * weitere" (the counts stay whole), so that the longest report of a large
 * committee stays under the 256 KiB of a text.  malloc'ed, or NULL.
 */
#define TMPL_REPORT_MAX_COMMENT 160
#define TMPL_REPORT_MAX_LINES 200
#define TMPL_REPORT_MAX_BOUNCED 50
char *tmpl_format_attendance(enum tmpl_lang lang, const struct tmpl_attendee *a, size_t n);
/* {bounced}: a heading and "- NAME <EMAIL>" per member whose address
 * bounced (at most TMPL_REPORT_MAX_BOUNCED, then "… und N weitere"); ""
 * when none (then the line disappears).  malloc'ed, or NULL. */
char *tmpl_format_bounced(enum tmpl_lang lang, const struct tmpl_attendee *a, size_t n);
/* {quorum}: reached or not with the numbers, or that there is no quorum
 * rule (min_present 0), one line into buf. */
void tmpl_format_quorum(enum tmpl_lang lang, int present, int min_present, char *buf, size_t len);
/* The longest {attendance} and {bounced} for n members whose longest
 * name, group name and organisation have these lengths (comments, deputies
 * and addresses at their caps), and the longest {quorum}: for `check`. */
size_t tmpl_attendance_longest(size_t n, size_t name, size_t group, size_t organisation);
size_t tmpl_bounced_longest(size_t n, size_t name);
size_t tmpl_quorum_longest(void);

/*
 * One line of an update's {changes}: what happened to the meeting, in lang.
 * tmpl_describe_move: "Die Sitzung am 8. Juli 2026 wird auf Donnerstag,
 * 9. Juli 2026, 10:00 Uhr verschoben."
 */
void tmpl_describe_move(enum tmpl_lang lang, const struct gr_localtime *from,
                        const struct gr_localtime *to, char *buf, size_t len);

enum tmpl_change {
	TMPL_CHANGE_SUMMARY,   /* value: the new title */
	TMPL_CHANGE_LOCATION,  /* value: the new location ("" = none) */
	TMPL_CHANGE_TIME,      /* value: the new start, e.g. "Mittwoch, 9. Dezember 2026, 10:00 Uhr" */
	TMPL_CHANGE_DURATION,  /* value: the new end time, e.g. "12:00 Uhr" */
	TMPL_CHANGE_RULE,      /* value: unused; the series has new dates */
	TMPL_CHANGE_RESTORED,  /* value: date of a meeting that takes place again */
	TMPL_CHANGE_DETAILS,   /* value: unused; description or link changed */
	TMPL_CHANGE_REGULAR,   /* value: date and time of a meeting whose move was withdrawn */
	TMPL_CHANGE_DEPUTY,    /* value: the member a deputy stands in for */
};
/* "Neuer Ort: Bonn" etc.; one line without a trailing newline. */
void tmpl_describe_change(enum tmpl_lang lang, enum tmpl_change what, const char *value,
                          char *buf, size_t len);

/*
 * The DESCRIPTION of an invitation, update or cancellation: what a member
 * must read about the meeting, for clients that show the calendar part and
 * not the mail's text (Thunderbird: INTEROP).  Built in (de/en), in this
 * order: for a cancellation "will not take place"; change; the reason;
 * the agenda; then either how to remove it (cancellation) or the description, the
 * access link, where and until when topics go, and (member) that the
 * invitation is for members and the public feed for everyone else.
 * Empty parts are left out.  Returns a malloc'ed string, or NULL.
 */
struct tmpl_event_text {
	bool cancelled;
	bool whole_series;          /* cancelled: every meeting of a series */
	const char *change;         /* one line, e.g. tmpl_describe_move(), or NULL */
	const char *agenda;         /* tmpl_format_agenda()'s text, or NULL */
	const char *reason;         /* the exception's note, or NULL */
	const char *description;    /* the series' text, or NULL */
	const char *url;            /* the access link, or NULL */
	const char *topics_address; /* or NULL: no topics paragraph */
	const char *deadline;       /* a formatted date, or NULL ... */
	int deadline_days;          /* ... else "N days before the meeting" (> 0) */
	bool member;                /* an invitation: who uses which */
};
char *tmpl_event_description(enum tmpl_lang lang, const struct tmpl_event_text *t);

/*
 * Test-render, with tmpl_render() itself, every text of lang marked in
 * in_use, with longest: for each placeholder the longest value the
 * configuration can give it (a rendered text grows with its values'
 * lengths only, so these give the largest text that can be sent).  Each
 * text past the cap is written to errs as "FILE:1: renders to more than
 * 256 KiB with the longest values of the configuration ({description} of
 * N bytes, M times)", FILE the override's path or "built-in template
 * NAME.LANG".  Every known placeholder needs a non-empty value in longest
 * (else -EINVAL: a bug).  Returns 0, -EINVAL (problems written) or
 * -ENOMEM.  set may be NULL (built-in texts), errs too.
 */
int tmpl_check(const struct tmpl_set *set, enum tmpl_lang lang, const bool in_use[TMPL_COUNT_],
               const struct tmpl_var *longest, size_t n_longest, FILE *errs);

/* Check the built-in texts' placeholders (for the tests): 0 or -EINVAL. */
int tmpl_check_builtin(FILE *errs);

enum tmpl_lang tmpl_lang_from_str(const char *s); /* "en" -> EN, else DE */

#endif
