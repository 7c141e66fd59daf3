/* SPDX-License-Identifier: MIT */
/*
 * config - the libconfig file -> a validated, immutable struct gr_config.
 *
 * Over one parsed libconfig tree:
 *   1. defaults: each group's optional keys get their default before the
 *      group is read, so no later step sees a half-initialised field;
 *   2. parse: table-driven (struct key below, one table per group), type,
 *      range and syntax checks per key, unknown keys rejected;
 *   3. validate: whatever needs more than one key (references, duplicates,
 *      recurrence rules, exceptions against their series).
 * Loading goes on after a problem so that the admin sees all of them in one
 * run; they are collected and printed sorted by line.  The libconfig tree
 * stays alive until the end so that step 3 can still ask for line numbers.
 *
 * This file: problem reporting, the table-driven key reader, load and free;
 * config-schema.c holds the tables, config-validate.c step 3 (see
 * config-internal.h).  Only config*.c include <libconfig.h>; recurrence
 * rules and time zones are judged by schedule, addresses by mail.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "config.h"
#include "config-internal.h"
#include "mail.h"
#include "schedule.h"
#include "util.h"

/*
 * Record a problem.  Problems are found pass by pass (syntax, keys, cross
 * checks), but an admin reads the file top to bottom: flush_problems()
 * prints them sorted by line.  Without memory, print at once, unsorted.
 */
void config_problem(struct loader *ld, int line, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int r;

	ld->n_errors++;
	if (!ld->errs)
		return;
	if (line <= 0)
		line = 1;
	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r >= 0 && ld->n_problems == ld->cap_problems) {
		size_t cap = ld->cap_problems ? 2 * ld->cap_problems : 16;
		struct problem *p = realloc(ld->problems, cap * sizeof(*p));
		if (p) {
			ld->problems = p;
			ld->cap_problems = cap;
		}
	}
	if (r < 0 || ld->n_problems == ld->cap_problems) {
		fprintf(ld->errs, "%s:%d: %s\n", ld->path, line, r >= 0 ? text : fmt);
		free(r >= 0 ? text : NULL);
		return;
	}
	ld->problems[ld->n_problems] = (struct problem){ line, ld->n_problems, text };
	ld->n_problems++;
}

static int cmp_problem(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_problems(struct loader *ld)
{
	if (ld->n_problems)
		qsort(ld->problems, ld->n_problems, sizeof(*ld->problems), cmp_problem);
	for (size_t i = 0; i < ld->n_problems; i++) {
		if (i < PROBLEMS_PRINT_MAX)
			fprintf(ld->errs, "%s:%d: %s\n", ld->path, ld->problems[i].line, ld->problems[i].text);
		free(ld->problems[i].text);
	}
	/* a runaway file must not flood the terminal or the journal */
	if (ld->n_problems > PROBLEMS_PRINT_MAX)
		fprintf(ld->errs, "%s: ... and %zu more problems\n", ld->path,
		        ld->n_problems - PROBLEMS_PRINT_MAX);
	free(ld->problems);
	ld->problems = NULL;
	ld->n_problems = ld->cap_problems = 0;
}

int config_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 1;
}

/* Line of key inside the group s, or of s itself when key is absent. */
int config_key_line(const config_setting_t *s, const char *key)
{
	const config_setting_t *m = s ? config_setting_get_member(s, key) : NULL;

	return config_line(m ? m : s);
}

/* Line of key inside element i of list (members[i].email and the like). */
int config_elem_line(const config_setting_t *list, size_t i, const char *key)
{
	const config_setting_t *e = list ? config_setting_get_elem(list, (unsigned)i) : NULL;

	return e ? config_key_line(e, key) : config_line(list);
}

static char *dup_or_oom(struct loader *ld, const char *s)
{
	char *d = strdup(s);

	if (!d)
		ld->oom = true;
	return d;
}

/* The local part of email with every character outside chk_id's
 * alphabet as '-' (lower case): "Kommunal.Gremium@x" -> "kommunal-gremium". */
static char *default_committee_id(struct loader *ld, const char *email)
{
	const char *at = strrchr(email, '@');
	char *id = dup_or_oom(ld, email);

	if (!id)
		return NULL;
	id[at && at > email ? (size_t)(at - email) : strlen(id)] = '\0';
	for (char *p = id; *p; p++)
		*p = isalnum((unsigned char)*p) || *p == '_' ? (char)tolower((unsigned char)*p) : '-';
	return id;
}

/* ---- the table-driven key reader ---- */

static const char *type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number with a fraction";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "true or false";
	case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
	case CONFIG_TYPE_LIST: return "a list ( ... )";
	default: return "unknown";
	}
}

/* Report a type mismatch unless s has type want (INT64 counts as INT). */
bool config_want_type(struct loader *ld, const config_setting_t *s, const char *name, int want)
{
	int t = config_setting_type(s);

	if (t == want || (want == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return true;
	config_problem(ld, config_line(s), "%s: must be %s, not %s", name, type_name(want), type_name(t));
	return false;
}

/* Control characters are how header injection starts: a CR/LF in a name or
 * summary would end the Subject: or SUMMARY: line early.  A description may
 * span lines (LF only; ical folds and escapes it). */
static bool has_bad_control(const char *v, bool allow_lf)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p < 0x20 && !(allow_lf && *p == '\n')) || *p == 0x7f)
			return true;
	return false;
}


/* A string setting, checked; NULL when it was reported. */
const char *config_get_string(struct loader *ld, const config_setting_t *s,
                              const char *name, const struct key *k)
{
	const char *v;

	if (!config_want_type(ld, s, name, CONFIG_TYPE_STRING))
		return NULL;
	v = config_setting_get_string(s);
	if (!*v) {
		config_problem(ld, config_line(s), "%s: must not be empty", name);
		return NULL;
	}
	if (strlen(v) > VALUE_MAX_LEN) {
		config_problem(ld, config_line(s), "%s: longer than %d bytes", name, VALUE_MAX_LEN);
		return NULL;
	}
	if (!util_utf8_valid((const unsigned char *)v)) {
		config_problem(ld, config_line(s), "%s: is not valid UTF-8 (save the file as UTF-8)", name);
		return NULL;
	}
	if (has_bad_control(v, k->kind == K_TEXT)) {
		config_problem(ld, config_line(s), "%s: contains a control character (%s)", name,
		        k->kind == K_TEXT ? "only line breaks \\n are allowed here"
		                          : "no line breaks or tabs: it ends up in a mail header or calendar property");
		return NULL;
	}
	return v;
}

static void set_string(struct loader *ld, const struct key *k, void *obj, const char *v)
{
	char **dst = (char **)((char *)obj + k->off);

	free(*dst);
	*dst = NULL;
	if (!v)
		return;
	*dst = k->kind == K_PATH ? util_resolve_path(ld->cfg->path, v) : strdup(v);
	if (!*dst)
		ld->oom = true;
}

static void load_value(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	char why[512];
	const char *v;

	switch (k->kind) {
	case K_STR:
	case K_TEXT:
	case K_PATH:
		/* "" switches an F_OFF default off (feed.listen, feed.file) */
		if ((k->flags & F_OFF) && config_setting_type(s) == CONFIG_TYPE_STRING &&
		    !*config_setting_get_string(s)) {
			set_string(ld, k, obj, NULL);
			return;
		}
		v = config_get_string(ld, s, name, k);
		if (v && k->check && !k->check(v, why, sizeof(why)))
			config_problem(ld, config_line(s), "%s: %s", name, why);
		else if (v)
			set_string(ld, k, obj, v);
		return;
	case K_INT: {
		long long n;
		if (!config_want_type(ld, s, name, CONFIG_TYPE_INT))
			return;
		n = config_setting_get_int64(s);
		if (n < k->min || n > k->max) {
			config_problem(ld, config_line(s), "%s: %lld is out of range (%ld..%ld)", name, n, k->min, k->max);
			return;
		}
		*(int *)((char *)obj + k->off) = (int)n;
		return;
	}
	case K_BOOL:
		if (config_want_type(ld, s, name, CONFIG_TYPE_BOOL))
			*(bool *)((char *)obj + k->off) = config_setting_get_bool(s) != 0;
		return;
	case K_FN:
		k->fn(ld, s, name, k, obj);
		return;
	}
}

/* Edit distance, to suggest the key an admin probably meant. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The key an admin probably meant by the unknown name n, or NULL; *known
 * tells whether n is a key of the table after all. */
static const char *suggest(const char *n, const struct key *keys, bool *known)
{
	const char *best = NULL;
	size_t best_d = 3; /* suggest only close matches */

	*known = false;
	for (const struct key *k = keys; k->name; k++) {
		size_t d = distance(n, k->name);
		if (d == 0) {
			*known = true;
			return NULL;
		}
		if (d < best_d && d <= strlen(k->name) / 2) {
			best_d = d;
			best = k->name;
		}
	}
	return best;
}

static void unknown_keys(struct loader *ld, const config_setting_t *grp, const char *prefix,
                         const struct key *keys)
{
	for (unsigned i = 0; i < (unsigned)config_setting_length(grp); i++) {
		const config_setting_t *c = config_setting_get_elem(grp, i);
		const char *n = config_setting_name(c) ? config_setting_name(c) : "";
		bool known;
		const char *best = suggest(n, keys, &known);

		if (known)
			continue;
		if (best)
			config_problem(ld, config_line(c), "%s%s: unknown setting (did you mean '%s'?)", prefix, n, best);
		else
			config_problem(ld, config_line(c), "%s%s: unknown setting", prefix, n);
	}
}

/* Is the missing key k explained by a misspelling in grp already reported
 * with "did you mean"?  Then "missing" would only be noise. */
static bool misspelled(const config_setting_t *grp, const struct key *keys, const struct key *k)
{
	for (unsigned i = 0; grp && i < (unsigned)config_setting_length(grp); i++) {
		const char *n = config_setting_name(config_setting_get_elem(grp, i));
		bool known;

		if (n && suggest(n, keys, &known) == k->name)
			return true;
	}
	return false;
}

static void apply_default(struct loader *ld, const struct key *k, void *obj)
{
	if ((k->kind == K_STR || k->kind == K_PATH) && k->def)
		set_string(ld, k, obj, k->def);
	else if (k->kind == K_INT)
		*(int *)((char *)obj + k->off) = (int)k->idef;
}

/*
 * Load the group grp (may be NULL: absent) into obj by the table keys.
 * prefix is the setting's name with a trailing '.', e.g. "members[3].";
 * parent_line is where a missing required key is reported.
 */
void config_load_group(struct loader *ld, const config_setting_t *grp, const char *prefix,
                       const struct key *keys, void *obj, int parent_line)
{
	char name[NAME_MAX_LEN];

	for (const struct key *k = keys; k->name; k++)
		apply_default(ld, k, obj);
	if (grp)
		unknown_keys(ld, grp, prefix, keys);
	for (const struct key *k = keys; k->name; k++) {
		const config_setting_t *s = grp ? config_setting_get_member(grp, k->name) : NULL;

		snprintf(name, sizeof(name), "%s%s", prefix, k->name);
		if (s)
			load_value(ld, s, name, k, obj);
		else if (k->flags & F_ABSENT && !(k->flags & F_REQ))
			k->fn(ld, NULL, name, k, obj);
		else if ((k->flags & F_REQ) && !misspelled(grp, keys, k))
			config_problem(ld, grp ? config_line(grp) : parent_line, "%s: missing (required)", name);
	}
}

/*
 * A list of groups (groups, members, series, exceptions) into a new array of
 * n elements of size bytes each.  line_off is the offset of an int "line"
 * field, or SIZE_MAX.
 */
void *config_load_list(struct loader *ld, const config_setting_t *list, const char *lname,
                       const struct list_spec *ls, size_t *ret_n)
{
	const struct key *keys = ls->keys;
	size_t size = ls->size, line_off = ls->line_off;
	char prefix[NAME_MAX_LEN];
	unsigned n;
	char *arr;

	*ret_n = 0;
	if (!list || !config_want_type(ld, list, lname, CONFIG_TYPE_LIST))
		return NULL;
	n = (unsigned)config_setting_length(list);
	if (n == 0)
		return NULL;
	if (n > ls->max) {
		config_problem(ld, config_line(list), "%s: %u entries, more than the %zu allowed", lname, n, ls->max);
		return NULL;
	}
	arr = calloc(n, size);
	if (!arr) {
		ld->oom = true;
		return NULL;
	}
	*ret_n = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		void *obj = arr + (size_t)i * size;

		snprintf(prefix, sizeof(prefix), "%s[%u]", lname, i);
		if (line_off != SIZE_MAX)
			*(int *)((char *)obj + line_off) = config_line(e);
		if (!config_want_type(ld, e, prefix, CONFIG_TYPE_GROUP))
			continue;
		snprintf(prefix, sizeof(prefix), "%s[%u].", lname, i);
		config_load_group(ld, e, prefix, keys, obj, config_line(e));
	}
	return arr;
}

/* ---- load and free ---- */

static void free_series(struct gr_series *s)
{
	free(s->id);
	free(s->summary);
	free(s->description);
	free(s->location);
	free(s->url);
	free(s->rrule);
	free(s->dates);
	free(s->skip_months_of);
}

void config_free(struct gr_config *cfg)
{
	struct gr_committee *c;

	if (!cfg)
		return;
	c = &cfg->committee;
	free(c->id), free(c->name), free(c->short_name), free(c->domain), free(c->timezone), free(c->language);
	free(c->organizer_name), free(c->organizer_email), free(c->topics_address);
	free(c->chair_address);
	for (size_t i = 0; cfg->groups && i < cfg->n_groups; i++)
		free(cfg->groups[i].id), free(cfg->groups[i].name);
	free(cfg->groups);
	for (size_t i = 0; cfg->members && i < cfg->n_members; i++) {
		struct gr_member *m = &cfg->members[i];
		free(m->name), free(m->email), free(m->group), free(m->organisation);
		for (size_t j = 0; j < m->n_aliases; j++)
			free(m->aliases[j]);
		free(m->aliases);
	}
	free(cfg->members);
	for (size_t i = 0; cfg->series && i < cfg->n_series; i++)
		free_series(&cfg->series[i]);
	free(cfg->series);
	for (size_t i = 0; cfg->exceptions && i < cfg->n_exceptions; i++)
		free(cfg->exceptions[i].series), free(cfg->exceptions[i].note);
	free(cfg->exceptions);
	free(cfg->notifications.reminders_days_before);
	free(cfg->delivery.maildir), free(cfg->delivery.smtp_url), free(cfg->delivery.username);
	free(cfg->delivery.password_file), free(cfg->delivery.ca_file);
	free(cfg->delivery.password_credential), free(cfg->delivery.bounce_address);
	free(cfg->feed.listen), free(cfg->feed.path), free(cfg->feed.file);
	free(cfg->inbound.imap_url), free(cfg->inbound.username), free(cfg->inbound.password_file);
	free(cfg->inbound.password_credential), free(cfg->inbound.ca_file), free(cfg->inbound.done_folder);
	free(cfg->inbound.maildir);
	free(cfg->templates), free(cfg->state), free(cfg->path);
	free(cfg);
}

int config_series_index(const struct gr_config *cfg, const char *id)
{
	for (size_t i = 0; cfg && id && i < cfg->n_series; i++)
		if (cfg->series[i].id && strcmp(cfg->series[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Defaults that are not a plain string or number of a key table. */
static int set_defaults(struct gr_config *cfg)
{
	static const int reminders[] = { 7, 1 };

	cfg->notifications.send_hour = 9;
	cfg->notifications.send_minute = 0;
	cfg->notifications.reminders_days_before = malloc(sizeof(reminders));
	if (!cfg->notifications.reminders_days_before)
		return -ENOMEM;
	memcpy(cfg->notifications.reminders_days_before, reminders, sizeof(reminders));
	cfg->notifications.n_reminders = sizeof(reminders) / sizeof(reminders[0]);
	cfg->delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg->delivery.starttls_required = true;
	return 0;
}

/* ---- the raw text, before libconfig sees it ---- */

struct scan {
	struct loader *ld;
	const char *p, *end;
	int line;
	unsigned found;
};

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '*';
}

/*
 * libconfig 1.5 keeps an integer without L in 32 bits and parses with
 * atoll(): 4294967295 became -1 and 99999999999999999999 -1 too, which
 * was then reported as "-1 is out of range".  No key takes more than
 * 2147483647: say so at the number itself.
 */
static void scan_number(struct scan *sc)
{
	const char *q = sc->p;
	bool hex = q + 1 < sc->end && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
	unsigned long long v = 0;
	bool big = false;

	q += hex ? 2 : 0;
	for (; q < sc->end && (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q)); q++) {
		unsigned d = isdigit((unsigned char)*q) ? (unsigned)(*q - '0') : (unsigned)(tolower(*q) - 'a' + 10);
		v = v * (hex ? 16 : 10) + d;
		big = big || v > INT32_MAX;
	}
	/* a float (1.5, 1e3) is reported as one by the type check */
	if (!hex && q < sc->end && (*q == '.' || *q == 'e' || *q == 'E')) {
		sc->p = q;
		return;
	}
	if (big) {
		config_problem(sc->ld, sc->line, "%.*s: too large a number (at most 2147483647)",
		               (int)(q - sc->p < 40 ? q - sc->p : 40), sc->p);
		sc->found++;
	}
	sc->p = q;
}

/* Inside a string: a "\x00" escape would cut the string there. */
static void scan_string(struct scan *sc)
{
	for (sc->p++; sc->p < sc->end && *sc->p != '"'; sc->p++) {
		if (*sc->p == '\n')
			sc->line++;
		if (*sc->p != '\\' || sc->p + 1 >= sc->end)
			continue;
		if (sc->end - sc->p >= 4 && sc->p[1] == 'x' && sc->p[2] == '0' && sc->p[3] == '0') {
			config_problem(sc->ld, sc->line, "\"\\x00\" in a string: a NUL character would cut it there");
			sc->found++;
		}
		sc->p++; /* the escaped character */
		if (*sc->p == '\n')
			sc->line++;
	}
	if (sc->p < sc->end)
		sc->p++;
}

/* Skip a comment: to the end of the line, or of the block. */
static void scan_comment(struct scan *sc, bool block)
{
	for (sc->p += block ? 2 : 1; sc->p < sc->end; sc->p++) {
		if (block && sc->p + 1 < sc->end && sc->p[0] == '*' && sc->p[1] == '/') {
			sc->p += 2;
			return;
		}
		if (*sc->p == '\n') {
			if (!block)
				return;
			sc->line++;
		}
	}
}

/*
 * "@include" at the start of a line (blanks before it allowed, outside
 * comments), as libconfig's scanner takes it: its scanner calls exit(2) on
 * a folder (a reload ended the daemon), resolves the name against the
 * working folder and bypasses FILE_MAX_BYTES.  libconfig 1.5 has no include
 * hook (config_set_include_func() came with 1.7), so includes are refused
 * before libconfig sees them.  true when reported (sc->p past it).
 */
static bool scan_include(struct scan *sc)
{
	const char *q = sc->p + strspn(sc->p, " \t");

	if (sc->end - q < 8 || memcmp(q, "@include", 8) != 0)
		return false;
	config_problem(sc->ld, sc->line, "@include is not supported: keep the configuration in one file");
	sc->found++;
	sc->p = q + 8;
	return true;
}

/*
 * What libconfig 1.5 gets wrong, found in the raw text (len bytes, NULs
 * included) before it parses; returns the number of problems reported.
 *   - a NUL byte, or "\x00" in a string: libconfig cuts the text there
 *     ("J\x00Bcc: ..." silently became "J");
 *   - "@include" (scan_include());
 *   - integers beyond 32 bits (scan_number()).
 * Strings and comments are tracked as libconfig's scanner does.
 */
static unsigned prescan(struct loader *ld, const char *text, size_t len)
{
	struct scan sc = { ld, text, text + len, 1, 0 };
	const char *counted = text;
	int line = 1;

	for (const char *q = memchr(text, '\0', len); q; q = memchr(q + 1, '\0', (size_t)(sc.end - q - 1))) {
		for (; counted < q; counted++)
			line += *counted == '\n';
		config_problem(ld, line, "a NUL byte: libconfig would cut the text there (is this a text file?)");
		sc.found++;
	}
	while (sc.p < sc.end) {
		char c = *sc.p;

		if (c == '\n')
			sc.line++;
		if ((sc.p == text || sc.p[-1] == '\n') && scan_include(&sc))
			continue;
		if (c == '"')
			scan_string(&sc);
		else if (c == '#' || (c == '/' && sc.p + 1 < sc.end && sc.p[1] == '/'))
			scan_comment(&sc, false);
		else if (c == '/' && sc.p + 1 < sc.end && sc.p[1] == '*')
			scan_comment(&sc, true);
		else if (isdigit((unsigned char)c) && (sc.p == text || !ident_char(sc.p[-1]) ||
		                                       (sc.p[-1] == '-' && (sc.p - 1 == text || !ident_char(sc.p[-2])))))
			scan_number(&sc);
		else
			sc.p++;
	}
	return sc.found;
}

/* Read path and parse it; on failure report and return -errno or -EINVAL. */
static int read_tree(struct loader *ld, config_t *tree)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0, skip = 0;
	int r = util_read_regular(ld->path, FILE_MAX_BYTES, &text, &len, &st);

	if (r < 0) {
		if (ld->errs)
			fprintf(ld->errs, "%s: cannot read: %s\n", ld->path,
			        r == -EFBIG ? "larger than 4 MiB" : util_file_strerror(r));
		return r;
	}
	ld->cfg->mtime = st.st_mtime;
	/* a UTF-8 byte order mark (Windows editors write one) is no setting */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	if (prescan(ld, text + skip, len - skip) > 0) {
		r = -EINVAL;
	} else if (config_read_string(tree, text + skip) != CONFIG_TRUE) {
		const char *why = config_error_text(tree);

		/* libconfig's own text is mostly "syntax error" already */
		config_problem(ld, config_error_line(tree), "%s%s",
		               why && strncmp(why, "syntax error", 12) == 0 ? "" : "syntax error: ",
		               why ? why : "");
		r = -EINVAL;
	}
	free(text);
	return r;
}

int config_load(const char *path, struct gr_config **ret_cfg, FILE *errs)
{
	struct loader ld = { .path = path, .errs = errs };
	config_t tree;
	int r;

	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (!ld.cfg)
		return -ENOMEM;
	/* a bare file name as base: a relative path is taken from the working folder */
	ld.cfg->path = util_resolve_path("gremiumd.conf", path);
	r = ld.cfg->path ? set_defaults(ld.cfg) : -ENOMEM;
	if (r < 0) {
		config_free(ld.cfg);
		return r;
	}
	config_init(&tree);
	r = read_tree(&ld, &tree);
	if (r == 0) {
		ld.root = config_root_setting(&tree);
		config_load_group(&ld, ld.root, "", config_root_keys, ld.cfg, 1);
		/* calls for topics are answered to the organizer unless told otherwise */
		if (!ld.cfg->committee.topics_address && ld.cfg->committee.organizer_email)
			ld.cfg->committee.topics_address = dup_or_oom(&ld, ld.cfg->committee.organizer_email);
		/* committee.id defaults to the organizer mailbox's local part: each
		 * committee has a functional mailbox of its own */
		if (!ld.cfg->committee.id && ld.cfg->committee.organizer_email)
			ld.cfg->committee.id = default_committee_id(&ld, ld.cfg->committee.organizer_email);
		if (!ld.oom)
			config_validate(&ld);
		r = ld.oom ? -ENOMEM : ld.n_errors ? -EINVAL : 0;
	}
	config_destroy(&tree);
	flush_problems(&ld);
	if (r < 0) {
		config_free(ld.cfg);
		return r;
	}
	*ret_cfg = ld.cfg;
	return 0;
}
