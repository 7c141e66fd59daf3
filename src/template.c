/* SPDX-License-Identifier: MIT */
/*
 * template - built-in texts and admin overrides.  See template.h.
 *
 * No third-party library: a template is plain UTF-8 text with {name}
 * placeholders, rendered line by line.  A line whose placeholders all render
 * empty is left out, so "Ort: {location}" disappears when there is no
 * location; runs of blank lines that this leaves collapse to one.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

/* Caps: an override file, a placeholder name, a rendered text. */
#define TMPL_MAX_FILE   (64 * 1024)
#define TMPL_MAX_NAME   32
#define TMPL_MAX_OUTPUT (256 * 1024)

static const char *const names[TMPL_COUNT_] = {
	[TMPL_INVITATION_SERIES] = "invitation-series",
	[TMPL_INVITATION_SINGLE] = "invitation-single",
	[TMPL_UPDATE] = "update",
	[TMPL_CANCELLATION] = "cancellation",
	[TMPL_CANCELLATION_SERIES] = "cancellation-series",
	[TMPL_TOPIC_CALL] = "topic-call",
	[TMPL_REMINDER] = "reminder",
	[TMPL_TEST] = "test",
};

static const char *const lang_names[TMPL_LANG_COUNT_] = { "de", "en" };

static const char *const placeholders[] = {
	"member_name", "committee", "short_name", "summary", "date", "time",
	"end_time", "location", "url", "deadline", "days", "in_days",
	"topics_address", "organizer", "old_date", "note", "description", "changes",
};

struct text {
	const char *subject;
	const char *body;
};

/*
 * The built-in texts.  German as a public office writes it (formal "Sie",
 * DIN 5008 dates); English as the same office would write it in English.
 * The calendar attachment carries the machine-readable facts; the texts
 * repeat date, time and place for readers whose client shows no buttons.
 */
static const struct text builtin[TMPL_COUNT_][TMPL_LANG_COUNT_] = {
	[TMPL_INVITATION_SERIES] = {
		[TMPL_DE] = { "Einladung: {summary}",
			"Guten Tag {member_name},\n\n"
			"hiermit laden wir Sie zur Sitzungsreihe „{summary}“ des Gremiums "
			"„{committee}“ ein.\n\n"
			"Nächste Sitzung: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{description}\n\n"
			"Alle Termine der Reihe sind dieser E-Mail als Kalendereinladung beigefügt. "
			"Ihr Kalenderprogramm zeigt sie als Einladung mit den Knöpfen „Zusagen“ "
			"und „Absagen“; eine Zusage gilt für alle Termine der Reihe.\n\n"
			"Wird ein einzelner Termin verschoben, erhalten Sie dazu eine eigene "
			"Nachricht, die Ihr Kalenderprogramm als Aktualisierung dieses Termins "
			"zeigt; sagen Sie dort erneut zu. Fällt ein Termin aus, bietet Ihr "
			"Kalenderprogramm an, ihn zu entfernen.\n\n"
			"Diese Einladungen sind für die Mitglieder des Gremiums. Abonnieren Sie "
			"bitte nicht zusätzlich den öffentlichen Kalender des Gremiums: sonst "
			"stehen die Sitzungen doppelt in Ihrem Kalender. Das Abonnement ist für "
			"alle anderen gedacht.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Invitation: {summary}",
			"Dear {member_name},\n\n"
			"we hereby invite you to the meeting series \"{summary}\" of "
			"the {committee}.\n\n"
			"Next meeting: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{description}\n\n"
			"All meetings of the series are attached to this email as a calendar "
			"invitation. Your calendar program shows it as an invitation with the "
			"buttons \"Accept\" and \"Decline\"; accepting accepts every meeting of "
			"the series.\n\n"
			"If a single meeting is moved, you get a message of its own, which your "
			"calendar program shows as an update of that meeting; please accept it "
			"there again. If a meeting is cancelled, your calendar program offers to "
			"remove it.\n\n"
			"These invitations are for the members of the committee. Please do not "
			"also subscribe to the committee's public calendar, or the meetings show "
			"twice in your calendar. The subscription is meant for everyone else.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_INVITATION_SINGLE] = {
		[TMPL_DE] = { "Einladung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"hiermit laden wir Sie zur Sitzung „{summary}“ des Gremiums "
			"„{committee}“ ein.\n\n"
			"{changes}\n\n"
			"{note}\n\n"
			"Termin: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{description}\n\n"
			"Der Termin ist dieser E-Mail als Kalendereinladung beigefügt. Ihr "
			"Kalenderprogramm zeigt ihn als Einladung mit den Knöpfen „Zusagen“ und "
			"„Absagen“.\n\n"
			"Diese Einladung ist für die Mitglieder des Gremiums. Abonnieren Sie "
			"bitte nicht zusätzlich den öffentlichen Kalender des Gremiums: sonst "
			"steht die Sitzung doppelt in Ihrem Kalender.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Invitation: {summary} on {date}",
			"Dear {member_name},\n\n"
			"we hereby invite you to the meeting \"{summary}\" of the {committee}.\n\n"
			"{changes}\n\n"
			"{note}\n\n"
			"Date: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{description}\n\n"
			"The meeting is attached to this email as a calendar invitation. Your "
			"calendar program shows it as an invitation with the buttons \"Accept\" "
			"and \"Decline\".\n\n"
			"This invitation is for the members of the committee. Please do not also "
			"subscribe to the committee's public calendar, or the meeting shows twice "
			"in your calendar.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_UPDATE] = {
		[TMPL_DE] = { "Geändert: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"bei „{summary}“ des Gremiums „{committee}“ hat sich Folgendes geändert:\n\n"
			"{changes}\n\n"
			"Nächste Sitzung: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{note}\n\n"
			"Die geänderte Kalendereinladung ist beigefügt. Ihr Kalenderprogramm zeigt "
			"sie als Aktualisierung des Termins, den Sie schon haben; mit „Zusagen“ "
			"übernehmen Sie die Änderung in Ihren Kalender.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Changed: {summary} on {date}",
			"Dear {member_name},\n\n"
			"the following has changed for \"{summary}\" of the {committee}:\n\n"
			"{changes}\n\n"
			"Next meeting: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{note}\n\n"
			"The updated calendar invitation is attached. Your calendar program shows "
			"it as an update of the meeting you already have; \"Accept\" puts the "
			"change into your calendar.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_CANCELLATION] = {
		[TMPL_DE] = { "Abgesagt: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"die Sitzung „{summary}“ am {date}, {time}, findet nicht statt.\n\n"
			"{note}\n\n"
			"Ihr Kalenderprogramm zeigt diese Nachricht als Absage und bietet an, den "
			"Termin aus Ihrem Kalender zu entfernen (Thunderbird: „Löschen“, Outlook: "
			"„Aus Kalender entfernen“).\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Cancelled: {summary} on {date}",
			"Dear {member_name},\n\n"
			"the meeting \"{summary}\" on {date}, {time}, will not take place.\n\n"
			"{note}\n\n"
			"Your calendar program shows this message as a cancellation and offers to "
			"remove the meeting from your calendar (Thunderbird: \"Delete\", Outlook: "
			"\"Remove from Calendar\").\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_CANCELLATION_SERIES] = {
		[TMPL_DE] = { "Abgesagt: {summary}",
			"Guten Tag {member_name},\n\n"
			"die Termine von „{summary}“ des Gremiums „{committee}“ entfallen für Sie. "
			"Ihr Kalenderprogramm zeigt diese Nachricht als Absage und bietet an, die "
			"Termine aus Ihrem Kalender zu entfernen (Thunderbird: „Löschen“, Outlook: "
			"„Aus Kalender entfernen“).\n\n"
			"{note}\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Cancelled: {summary}",
			"Dear {member_name},\n\n"
			"the meetings of \"{summary}\" of the {committee} are cancelled for you. "
			"Your calendar program shows this message as a cancellation and offers to "
			"remove the meetings from your calendar (Thunderbird: \"Delete\", Outlook: "
			"\"Remove from Calendar\").\n\n"
			"{note}\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_TOPIC_CALL] = {
		[TMPL_DE] = { "Themenanmeldung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"für die Sitzung „{summary}“ am {date}, {time}, können Sie ab sofort "
			"Themen anmelden.\n\n"
			"Bitte senden Sie Ihre Themenvorschläge bis {deadline} als Antwort auf "
			"diese E-Mail an {topics_address}. Nennen Sie zu jedem Thema bitte einen "
			"kurzen Titel, ein bis zwei Sätze zum Inhalt und den voraussichtlichen "
			"Zeitbedarf.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Call for topics: {summary} on {date}",
			"Dear {member_name},\n\n"
			"you are welcome to propose topics for the meeting \"{summary}\" on "
			"{date}, {time}.\n\n"
			"Please send your proposals by {deadline} as a reply to this email, to "
			"{topics_address}. For each topic, please give a short title, one or two "
			"sentences on its content and the time it needs.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_REMINDER] = {
		[TMPL_DE] = { "Erinnerung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"wir erinnern Sie an die Sitzung „{summary}“ {in_days}:\n\n"
			"Termin: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Reminder: {summary} on {date}",
			"Dear {member_name},\n\n"
			"this is a reminder of the meeting \"{summary}\" {in_days}:\n\n"
			"Date: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_TEST] = {
		[TMPL_DE] = { "Testnachricht",
			"Guten Tag {member_name},\n\n"
			"dies ist eine Testnachricht des Terminversands für das Gremium "
			"„{committee}“. Wenn Sie sie lesen, funktioniert die Zustellung. "
			"Sie müssen nichts weiter tun.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Test message",
			"Dear {member_name},\n\n"
			"this is a test message from the meeting mailer of the {committee}. If "
			"you can read it, delivery works. There is nothing else you need to do.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
};

struct tmpl_set {
	/* overrides; NULL where the built-in text applies */
	char *subject[TMPL_COUNT_][TMPL_LANG_COUNT_];
	char *body[TMPL_COUNT_][TMPL_LANG_COUNT_];
	char *file[TMPL_COUNT_][TMPL_LANG_COUNT_];    /* the override's path */
};

const char *tmpl_name_str(enum tmpl_name n)
{
	return (unsigned)n < TMPL_COUNT_ ? names[n] : "?";
}

enum tmpl_lang tmpl_lang_from_str(const char *s)
{
	return s && strcmp(s, "en") == 0 ? TMPL_EN : TMPL_DE;
}

/* ---- dates ---- */

/* 1 = Monday .. 7 = Sunday (Sakamoto's method; Gregorian calendar). */
static int weekday(int y, int m, int d)
{
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int w;

	if (m < 3)
		y -= 1;
	w = (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7; /* 0 = Sunday */
	return w == 0 ? 7 : w;
}

void tmpl_format_date(enum tmpl_lang lang, const struct gr_localtime *lt,
                      char *buf, size_t len)
{
	static const char *const days[TMPL_LANG_COUNT_][7] = {
		{ "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag" },
		{ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" },
	};
	static const char *const months[TMPL_LANG_COUNT_][12] = {
		{ "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
		  "August", "September", "Oktober", "November", "Dezember" },
		{ "January", "February", "March", "April", "May", "June", "July",
		  "August", "September", "October", "November", "December" },
	};
	int l = (unsigned)lang < TMPL_LANG_COUNT_ ? (int)lang : TMPL_DE;

	if (len == 0)
		return;
	if (lt->month < 1 || lt->month > 12 || lt->day < 1 || lt->day > 31) {
		buf[0] = '\0';
		return;
	}
	/* DIN 5008 writes "9. Dezember 2026"; British style "9 December 2026" */
	snprintf(buf, len, l == TMPL_DE ? "%s, %d. %s %d" : "%s, %d %s %d",
	         days[l][weekday(lt->year, lt->month, lt->day) - 1],
	         lt->day, months[l][lt->month - 1], lt->year);
}

void tmpl_format_time(enum tmpl_lang lang, const struct gr_localtime *lt,
                      char *buf, size_t len)
{
	if (len == 0)
		return;
	snprintf(buf, len, lang == TMPL_EN ? "%02d:%02d" : "%02d:%02d Uhr",
	         lt->hour, lt->minute);
}

void tmpl_format_days(enum tmpl_lang lang, int days, char *buf, size_t len)
{
	bool en = lang == TMPL_EN;

	if (len == 0)
		return;
	if (days <= 0)
		snprintf(buf, len, "%s", en ? "today" : "heute");
	else if (days == 1)
		snprintf(buf, len, "%s", en ? "tomorrow" : "morgen");
	else
		snprintf(buf, len, en ? "in %d days" : "in %d Tagen", days);
}

void tmpl_describe_move(enum tmpl_lang lang, const struct gr_localtime *from,
                        const struct gr_localtime *to, char *buf, size_t len)
{
	char old[64], date[64], time[32];
	const char *comma;

	/* the old date without its weekday: "am 8. Juli 2026" reads naturally */
	tmpl_format_date(lang, from, date, sizeof(date));
	comma = strstr(date, ", ");
	snprintf(old, sizeof(old), "%s", comma ? comma + 2 : date);
	tmpl_format_date(lang, to, date, sizeof(date));
	tmpl_format_time(lang, to, time, sizeof(time));
	snprintf(buf, len, lang == TMPL_EN ? "The meeting on %s is moved to %s, %s." :
	         "Die Sitzung am %s wird auf %s, %s verschoben.", old, date, time);
}

void tmpl_describe_change(enum tmpl_lang lang, enum tmpl_change what, const char *value,
                          char *buf, size_t len)
{
	/* text before and after the value, per language */
	static const char *const text[][TMPL_LANG_COUNT_][2] = {
		[TMPL_CHANGE_SUMMARY] = { { "Neuer Titel: ", "" }, { "New title: ", "" } },
		[TMPL_CHANGE_LOCATION] = { { "Neuer Ort: ", "" }, { "New location: ", "" } },
		[TMPL_CHANGE_TIME] = { { "Neuer Beginn der Reihe: ", "" },
		                       { "The series now starts: ", "" } },
		[TMPL_CHANGE_DURATION] = { { "Neues Ende: ", "" }, { "New end time: ", "" } },
		[TMPL_CHANGE_RULE] = { { "Die Termine der Reihe haben sich geändert.", "" },
		                       { "The dates of the series have changed.", "" } },
		[TMPL_CHANGE_RESTORED] = { { "Die Sitzung am ", " findet doch statt." },
		                           { "The meeting on ", " takes place after all." } },
		[TMPL_CHANGE_DETAILS] = { { "Beschreibung oder Zugangslink wurden aktualisiert.", "" },
		                          { "The description or the access link was updated.", "" } },
		[TMPL_CHANGE_REGULAR] = { { "Die Verschiebung ist aufgehoben: die Sitzung findet zur "
		                            "gewohnten Zeit statt, ", "." },
		                          { "The move is withdrawn: the meeting takes place at its "
		                            "regular time, ", "." } },
	};
	int l = lang == TMPL_EN ? TMPL_EN : TMPL_DE;

	if ((unsigned)what >= sizeof(text) / sizeof(text[0])) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (what == TMPL_CHANGE_LOCATION && (!value || !*value))
		value = l == TMPL_EN ? "none" : "keiner";
	if (what == TMPL_CHANGE_RULE || what == TMPL_CHANGE_DETAILS || !value)
		value = "";
	snprintf(buf, len, "%s%s%s", text[what][l][0], value, text[what][l][1]);
}

/* ---- growing output buffer with a cap ---- */

struct buf {
	char *p;
	size_t len, cap;
	bool failed;    /* out of memory or over TMPL_MAX_OUTPUT */
	bool too_big;   /* over TMPL_MAX_OUTPUT */
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > TMPL_MAX_OUTPUT) {
		b->failed = b->too_big = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* ---- placeholders ---- */

static bool placeholder_known(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i]) == n && memcmp(placeholders[i], name, n) == 0)
			return true;
	return false;
}

/*
 * Check every placeholder of text; report problems as FILE:LINE (line is
 * the line number of text's first line).  Returns the number of problems.
 */
static int check_text(const char *text, const char *file, int line, FILE *errs)
{
	int problems = 0;

	for (const char *p = text; *p; p++) {
		const char *close;

		if (*p == '\n') {
			line++;
			continue;
		}
		if (*p != '{')
			continue;
		if (p[1] == '{') {
			p++;
			continue;
		}
		close = strpbrk(p + 1, "}\n");
		if (!close || *close != '}') {
			if (errs)
				fprintf(errs, "%s:%d: unterminated placeholder (write \"{{\" for a literal \"{\")\n",
				        file, line);
			problems++;
			continue;
		}
		if (!placeholder_known(p + 1, (size_t)(close - p - 1))) {
			if (errs)
				fprintf(errs, "%s:%d: unknown placeholder {%.*s}\n", file, line,
				        (int)(close - p - 1 > TMPL_MAX_NAME ? TMPL_MAX_NAME : close - p - 1), p + 1);
			problems++;
		}
		p = close;
	}
	return problems;
}

static const char *lookup(const struct tmpl_var *vars, size_t n_vars,
                          const char *name, size_t n)
{
	for (size_t i = 0; i < n_vars; i++)
		if (vars[i].name && strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, name, n) == 0)
			return vars[i].value ? vars[i].value : "";
	return "";
}

/*
 * Append a value.  In a subject every control character becomes a space (a
 * value must not start a new header line); in a body newlines and tabs stay,
 * CR is dropped (mail makes the line ends CRLF) and other controls become
 * spaces.
 */
static void add_value(struct buf *b, const char *v, bool subject)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		char c = (char)*p;

		if (*p < 0x20 || *p == 0x7f) {
			if (!subject && *p == '\r')
				continue;
			if (subject || (*p != '\n' && *p != '\t'))
				c = ' ';
		}
		buf_add(b, &c, 1);
	}
}

/*
 * Render one line (up to but excluding '\n' or NUL) of text.  Returns the
 * end of the line.  *ret_drop is true when the line had placeholders and
 * all of them rendered empty.
 */
static const char *render_line(struct buf *b, const char *p,
                               const struct tmpl_var *vars, size_t n_vars,
                               bool subject, bool *ret_drop)
{
	int n_ph = 0, n_full = 0;

	while (*p && *p != '\n') {
		const char *close;

		if (p[0] == '{' && p[1] == '{') {
			buf_add(b, "{", 1);
			p += 2;
			continue;
		}
		if (p[0] != '{' || !(close = strchr(p + 1, '}'))) {
			buf_add(b, p, 1);
			p++;
			continue;
		}
		{
			const char *v = lookup(vars, n_vars, p + 1, (size_t)(close - p - 1));

			n_ph++;
			if (*v)
				n_full++;
			add_value(b, v, subject);
		}
		p = close + 1;
	}
	*ret_drop = n_ph > 0 && n_full == 0;
	return p;
}

/* Render a whole text; drop lines of empty placeholders, collapse blank
 * lines, no trailing blank lines. */
static void render_text(struct buf *b, const char *text,
                        const struct tmpl_var *vars, size_t n_vars, bool subject)
{
	const char *p = text;
	bool last_blank = true; /* no blank lines at the start either */

	while (*p) {
		size_t start = b->len;
		bool drop, blank;

		p = render_line(b, p, vars, n_vars, subject, &drop);
		if (b->failed)
			return;
		blank = b->len == start;
		if (drop || (blank && last_blank)) {
			b->len = start;
			if (b->p)       /* NULL while nothing was written */
				b->p[start] = '\0';
		} else {
			last_blank = blank;
			if (*p == '\n' && !subject)
				buf_add(b, "\n", 1);
		}
		if (*p == '\n')
			p++;
	}
	/* one final newline at most */
	while (b->p && b->len >= 2 && b->p[b->len - 1] == '\n' && b->p[b->len - 2] == '\n')
		b->p[--b->len] = '\0';
}

int tmpl_render(const struct tmpl_set *set, enum tmpl_name n, enum tmpl_lang lang,
                const struct tmpl_var *vars, size_t n_vars,
                char **ret_subject, char **ret_body)
{
	struct buf s = { 0 }, b = { 0 };
	const char *subject, *body;

	if ((unsigned)n >= TMPL_COUNT_ || (unsigned)lang >= TMPL_LANG_COUNT_)
		return -EINVAL;
	subject = set && set->subject[n][lang] ? set->subject[n][lang] : builtin[n][lang].subject;
	body = set && set->body[n][lang] ? set->body[n][lang] : builtin[n][lang].body;
	render_text(&s, subject, vars, n_vars, true);
	render_text(&b, body, vars, n_vars, false);
	buf_add(&s, "", 0);     /* an empty text still gets a buffer */
	buf_add(&b, "", 0);
	if (s.failed || b.failed || !s.p || !b.p) {
		free(s.p);
		free(b.p);
		return s.too_big || b.too_big ? -EMSGSIZE : -ENOMEM;
	}
	*ret_subject = s.p;
	*ret_body = b.p;
	return 0;
}

/* ---- overrides ---- */


/* Remove a UTF-8 byte order mark and turn CRLF into LF, in place. */
static void normalize(char *s)
{
	char *w = s;

	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf)
		memmove(s, s + 3, strlen(s + 3) + 1);
	for (char *r = s; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
}

/*
 * Split an override file into subject (first line) and body (the rest,
 * after one optional blank line) and check both.  Returns the number of
 * problems; on 0, *ret_subject and *ret_body are malloc'ed.
 */
static int parse_override(char *text, const char *file, FILE *errs,
                          char **ret_subject, char **ret_body)
{
	char *nl = strchr(text, '\n');
	char *body = nl ? nl + 1 : text + strlen(text);
	int body_line = 2, problems;

	if (nl)
		*nl = '\0';
	if (*text == '\0') {
		if (errs)
			fprintf(errs, "%s:1: missing subject on the first line\n", file);
		return 1;
	}
	if (util_has_control(text, false)) {
		if (errs)
			fprintf(errs, "%s:1: control character in the subject\n", file);
		return 1;
	}
	if (*body == '\n') {    /* the blank line between subject and body */
		body++;
		body_line = 3;
	}
	problems = check_text(text, file, 1, errs) + check_text(body, file, body_line, errs);
	if (problems)
		return problems;
	*ret_subject = strdup(text);
	*ret_body = strdup(body);
	if (!*ret_subject || !*ret_body) {
		free(*ret_subject);
		free(*ret_body);
		*ret_subject = *ret_body = NULL;
		return -1;
	}
	return 0;
}

/* Load one override file into set.  Returns problems (>= 0) or -ENOMEM. */
static int load_file(struct tmpl_set *set, const char *path, enum tmpl_name n,
                     enum tmpl_lang lang, FILE *errs)
{
	char *text = NULL, *subject = NULL, *body = NULL;
	size_t len = 0;
	int r;

	r = util_read_file(path, TMPL_MAX_FILE, &text, &len);
	if (r < 0) {
		if (r == -ENOMEM)
			return -ENOMEM;
		if (errs)
			fprintf(errs, "%s:1: cannot read template: %s\n", path,
			        r == -EFBIG ? "larger than 64 KiB" : util_file_strerror(r));
		return 1;
	}
	if (strlen(text) != len || !util_utf8_valid((unsigned char *)text)) {
		if (errs)
			fprintf(errs, "%s:1: not a UTF-8 text file\n", path);
		free(text);
		return 1;
	}
	normalize(text);
	r = parse_override(text, path, errs, &subject, &body);
	free(text);
	if (r < 0)
		return -ENOMEM;
	if (r == 0) {
		set->file[n][lang] = strdup(path);
		if (!set->file[n][lang]) {
			free(subject);
			free(body);
			return -ENOMEM;
		}
		set->subject[n][lang] = subject;
		set->body[n][lang] = body;
	}
	return r;
}

/* "reminder.de.txt" -> name and language; false when not a template name. */
static bool parse_file_name(const char *fn, enum tmpl_name *ret_n, enum tmpl_lang *ret_l)
{
	for (int n = 0; n < TMPL_COUNT_; n++) {
		size_t nl = strlen(names[n]);

		if (strncmp(fn, names[n], nl) != 0 || fn[nl] != '.')
			continue;
		for (int l = 0; l < TMPL_LANG_COUNT_; l++)
			if (strncmp(fn + nl + 1, lang_names[l], 2) == 0 &&
			    strcmp(fn + nl + 3, ".txt") == 0) {
				*ret_n = (enum tmpl_name)n;
				*ret_l = (enum tmpl_lang)l;
				return true;
			}
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Read every "<name>.<lang>.txt" of dir.  Returns problems or -ENOMEM. */
static int load_dir(struct tmpl_set *set, const char *dir, FILE *errs)
{
	struct dirent **ents = NULL;
	int n_ents, problems = 0;

	/* sorted, so that messages come in a stable order */
	n_ents = scandir(dir, &ents, NULL, alphasort);
	if (n_ents < 0) {
		if (errs)
			fprintf(errs, "%s: cannot open the templates folder: %s\n", dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n_ents; i++) {
		const char *fn = ents[i]->d_name;
		enum tmpl_name n;
		enum tmpl_lang l;
		char *path;
		int r;

		if (fn[0] == '.' || !ends_with(fn, ".txt"))
			continue;   /* README, editor backups, hidden files */
		path = util_asprintf("%s/%s", dir, fn);
		if (!path) {
			problems = -ENOMEM;
			break;
		}
		if (!parse_file_name(fn, &n, &l)) {
			if (errs) {
				/* the list from names[]: it cannot miss one */
				fprintf(errs, "%s: not a template name (NAME.de.txt or NAME.en.txt, "
				        "NAME one of", path);
				for (int k = 0; k < TMPL_COUNT_; k++)
					fprintf(errs, "%s %s", k ? "," : "", names[k]);
				fprintf(errs, "), ignoring\n");
			}
			free(path);
			continue;
		}
		r = load_file(set, path, n, l, errs);
		free(path);
		if (r < 0) {
			problems = r;
			break;
		}
		problems += r;
	}
	for (int i = 0; i < n_ents; i++)
		free(ents[i]);
	free(ents);
	return problems;
}

int tmpl_load(const char *dir, struct tmpl_set **ret, FILE *errs)
{
	struct tmpl_set *set = calloc(1, sizeof(*set));
	int r = 0;

	if (!set)
		return -ENOMEM;
	if (dir)
		r = load_dir(set, dir, errs);
	if (r != 0) {
		tmpl_free(set);
		return r < 0 ? r : -EINVAL;
	}
	*ret = set;
	return 0;
}

void tmpl_free(struct tmpl_set *set)
{
	if (!set)
		return;
	for (int n = 0; n < TMPL_COUNT_; n++)
		for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
			free(set->subject[n][l]);
			free(set->body[n][l]);
			free(set->file[n][l]);
		}
	free(set);
}

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
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (!*lookup(longest, n_longest, placeholders[i], strlen(placeholders[i]))) {
			if (errs)
				fprintf(errs, "templates: no longest value for {%s} (a bug)\n", placeholders[i]);
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
		snprintf(builtin_name, sizeof(builtin_name), "built-in template %s.%s", names[n],
		         lang_names[lang]);
		file = set && set->file[n][lang] ? set->file[n][lang] : builtin_name;
		if (errs)
			report_too_big(file, set && set->subject[n][lang] ? set->subject[n][lang] :
			               builtin[n][lang].subject, set && set->body[n][lang] ?
			               set->body[n][lang] : builtin[n][lang].body, longest, n_longest, errs);
	}
	return problems ? -EINVAL : 0;
}

int tmpl_check_builtin(FILE *errs)
{
	int problems = 0;

	for (int n = 0; n < TMPL_COUNT_; n++)
		for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
			problems += check_text(builtin[n][l].subject, "builtin", 1, errs);
			problems += check_text(builtin[n][l].body, "builtin", 2, errs);
		}
	return problems ? -EINVAL : 0;
}

/* ---- the DESCRIPTION of a calendar part ---- */

static const struct event_words {
	const char *reason, *cancelled, *cancelled_series, *remove, *access;
	/* topics: lead + deadline + days + to + address + tail */
	const char *topics_lead, *topics_by, *topics_days, *topics_to, *topics_tail;
	const char *members;
} event_words[TMPL_LANG_COUNT_] = {
	[TMPL_DE] = {
		"Grund: ", "Diese Sitzung findet nicht statt.",
		"Die Sitzungen dieser Reihe finden für Sie nicht mehr statt.",
		"Ihr Kalenderprogramm bietet an, den Termin zu entfernen (Thunderbird: "
		"„Löschen“, Outlook: „Aus Kalender entfernen“).",
		"Zugang: ",
		"Themen für die Tagesordnung bitte", " bis ", " Tage vor der Sitzung", " an ", ".",
		"Diese Einladung ist für die Mitglieder des Gremiums: bitte zusagen oder "
		"absagen. Den öffentlichen Kalender des Gremiums bitte nicht zusätzlich "
		"abonnieren, sonst stehen die Sitzungen doppelt im Kalender; er ist für "
		"alle anderen gedacht.",
	},
	[TMPL_EN] = {
		"Reason: ", "This meeting will not take place.",
		"The meetings of this series no longer take place for you.",
		"Your calendar program offers to remove the meeting (Thunderbird: "
		"\"Delete\", Outlook: \"Remove from Calendar\").",
		"Access: ",
		"Topics for the agenda", " by ", " days before the meeting", " to ", ", please.",
		"This invitation is for the members of the committee: please accept or "
		"decline. Please do not also subscribe to the committee's public calendar, "
		"or the meetings show twice in your calendar; it is meant for everyone else.",
	},
};

static void paragraph(FILE *f, bool *first, const char *text)
{
	if (!text || !*text)
		return;
	fprintf(f, "%s%s", *first ? "" : "\n\n", text);
	*first = false;
}

char *tmpl_event_description(enum tmpl_lang lang, const struct tmpl_event_text *t)
{
	const struct event_words *w = &event_words[(unsigned)lang < TMPL_LANG_COUNT_ ? lang : TMPL_DE];
	char *out = NULL, line[1024];
	size_t len = 0;
	bool first = true;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	if (t->cancelled)
		paragraph(f, &first, t->whole_series ? w->cancelled_series : w->cancelled);
	paragraph(f, &first, t->change);
	if (t->reason && *t->reason) {
		snprintf(line, sizeof(line), "%s%s", w->reason, t->reason);
		paragraph(f, &first, line);
	}
	if (t->cancelled) {
		paragraph(f, &first, w->remove);
	} else {
		paragraph(f, &first, t->description);
		if (t->url) {
			snprintf(line, sizeof(line), "%s%s", w->access, t->url);
			paragraph(f, &first, line);
		}
		if (t->topics_address) {
			char by[96] = "";

			if (t->deadline)
				snprintf(by, sizeof(by), "%s%s", w->topics_by, t->deadline);
			else if (t->deadline_days > 0)
				snprintf(by, sizeof(by), "%s%d%s", w->topics_by, t->deadline_days,
				         w->topics_days);
			snprintf(line, sizeof(line), "%s%s%s%s%s", w->topics_lead, by, w->topics_to,
			         t->topics_address, w->topics_tail);
			paragraph(f, &first, line);
		}
		if (t->member)
			paragraph(f, &first, w->members);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
