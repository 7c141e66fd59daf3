/* SPDX-License-Identifier: MIT */
/*
 * template - mail texts: built-in and admin overrides.  See template.h; the
 * module is three files (template-internal.h lists them).  This one: dates,
 * rendering, loading the overrides, a calendar part's DESCRIPTION.
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

#include "template-internal.h"
#include "util.h"

const char *tmpl_name_str(enum tmpl_name n)
{
	return (unsigned)n < TMPL_COUNT_ ? tmpl_names[n] : "?";
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
		[TMPL_CHANGE_DEPUTY] = { { "Sie sind für diese Sitzung als Vertretung von ",
		                           " eingeladen." },
		                         { "You are invited to this meeting as the deputy of ", "." } },
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
	for (size_t i = 0; i < tmpl_n_placeholders; i++)
		if (strlen(tmpl_placeholders[i]) == n && memcmp(tmpl_placeholders[i], name, n) == 0)
			return true;
	return false;
}

/*
 * Check every placeholder of text; report problems as FILE:LINE (line is
 * the line number of text's first line).  Returns the number of problems.
 */
int tmpl_check_text(const char *text, const char *file, int line, FILE *errs)
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

const char *tmpl_lookup(const struct tmpl_var *vars, size_t n_vars,
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
			const char *v = tmpl_lookup(vars, n_vars, p + 1, (size_t)(close - p - 1));

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
	subject = set && set->subject[n][lang] ? set->subject[n][lang]
	                                       : tmpl_builtin[n][lang].subject;
	body = set && set->body[n][lang] ? set->body[n][lang] : tmpl_builtin[n][lang].body;
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
	problems = tmpl_check_text(text, file, 1, errs) +
	           tmpl_check_text(body, file, body_line, errs);
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
		size_t nl = strlen(tmpl_names[n]);

		if (strncmp(fn, tmpl_names[n], nl) != 0 || fn[nl] != '.')
			continue;
		for (int l = 0; l < TMPL_LANG_COUNT_; l++)
			if (strncmp(fn + nl + 1, tmpl_lang_names[l], 2) == 0 &&
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
				/* the list from tmpl_names[]: it cannot miss one */
				fprintf(errs, "%s: not a template name (NAME.de.txt or NAME.en.txt, "
				        "NAME one of", path);
				for (int k = 0; k < TMPL_COUNT_; k++)
					fprintf(errs, "%s %s", k ? "," : "", tmpl_names[k]);
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


/* ---- the DESCRIPTION of a calendar part ---- */

static void paragraph(FILE *f, bool *first, const char *text)
{
	if (!text || !*text)
		return;
	fprintf(f, "%s%s", *first ? "" : "\n\n", text);
	*first = false;
}

/* s cut at max bytes, on a character boundary (a continuation byte
 * 10xxxxxx never starts the cut). */
static int cut_len(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

static const struct tmpl_event_words *words(enum tmpl_lang lang)
{
	return &tmpl_event_words[(unsigned)lang < TMPL_LANG_COUNT_ ? lang : TMPL_DE];
}

char *tmpl_format_agenda(enum tmpl_lang lang, const struct tmpl_agenda_item *items, size_t n)
{
	const struct tmpl_event_words *w = words(lang);
	const int max = TMPL_AGENDA_MAX_FIELD;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	fprintf(f, "%s", w->agenda);
	if (!n)
		fprintf(f, "\n%s", w->agenda_none);
	for (size_t i = 0; i < n && i < TMPL_AGENDA_MAX_ITEMS; i++) {
		const struct tmpl_agenda_item *it = &items[i];
		const char *name = it->name && *it->name ? it->name : NULL;
		const char *org = it->organisation && *it->organisation ? it->organisation : NULL;

		fprintf(f, "\n%s%zu: %.*s", w->agenda_item, i + 1, cut_len(it->title, max), it->title);
		if (name || org)
			fprintf(f, "%s%.*s%s%.*s)", w->agenda_by, name ? cut_len(name, max) : 0,
			        name ? name : "", name && org ? ", " : "", org ? cut_len(org, max) : 0,
			        org ? org : "");
	}
	if (n > TMPL_AGENDA_MAX_ITEMS)
		fprintf(f, "\n%s%zu%s", w->agenda_more, n - TMPL_AGENDA_MAX_ITEMS, w->agenda_more_tail);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

size_t tmpl_agenda_longest(void)
{
	size_t most = 0;

	/* per item: prefix, number, the fields, by, ", ", ")" and the newline */
	for (int l = 0; l < TMPL_LANG_COUNT_; l++) {
		const struct tmpl_event_words *w = &tmpl_event_words[l];
		size_t item = 1 + strlen(w->agenda_item) + 3 + 2 + 3 * TMPL_AGENDA_MAX_FIELD +
		              strlen(w->agenda_by) + 3;
		size_t all = strlen(w->agenda) + TMPL_AGENDA_MAX_ITEMS * item + 1 +
		             strlen(w->agenda_more) + 20 + strlen(w->agenda_more_tail);

		if (all > most)
			most = all;
	}
	return most;
}

char *tmpl_event_description(enum tmpl_lang lang, const struct tmpl_event_text *t)
{
	const struct tmpl_event_words *w = words(lang);
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
	if (!t->cancelled)
		paragraph(f, &first, t->agenda);
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

int tmpl_cut_len(const char *s, size_t max)
{
	return cut_len(s, max);
}
