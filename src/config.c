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
 * Only this file includes <libconfig.h>; recurrence rules and time zones are
 * judged by schedule, addresses by mail.
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
#include "mail.h"
#include "schedule.h"
#include "util.h"

/* Longest setting name we print, e.g. "series[12].dates[3]". */
#define NAME_MAX_LEN 128
/* Longest string value we accept: no header or property needs more. */
#define VALUE_MAX_LEN 4096
/* Caps on input, so that a runaway file cannot make check slow or eat
 * memory.  An information list of ~11,000 addresses must fit; members'
 * duplicate check sorts (the other lists' checks are quadratic, and those
 * lists are short in any real config). */
#define LIST_MAX_LEN 50000
#define FILE_MAX_BYTES (4 * 1024 * 1024)
/* Upper bound of a meeting: one week, in minutes. */
#define DURATION_MAX (7 * 24 * 60)

/* One reported problem, kept so that all of them print in file order. */
struct problem {
	int line;
	size_t seq;     /* report order: keeps the sort stable */
	char *text;
};

struct loader {
	const char *path;       /* as given by the caller, for messages */
	FILE *errs;
	unsigned n_errors;
	bool oom;
	struct gr_config *cfg;
	const config_setting_t *root; /* for line numbers in the validate pass */
	struct problem *problems;
	size_t n_problems, cap_problems;
};

static void problem(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Record a problem.  Problems are found pass by pass (syntax, keys, cross
 * checks), but an admin reads the file top to bottom: flush_problems()
 * prints them sorted by line.  Without memory, print at once, unsorted.
 */
static void problem(struct loader *ld, int line, const char *fmt, ...)
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
		fprintf(ld->errs, "%s:%d: %s\n", ld->path, ld->problems[i].line, ld->problems[i].text);
		free(ld->problems[i].text);
	}
	free(ld->problems);
	ld->problems = NULL;
	ld->n_problems = ld->cap_problems = 0;
}

static int line_of(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 1;
}

/* Line of key inside the group s, or of s itself when key is absent. */
static int key_line(const config_setting_t *s, const char *key)
{
	const config_setting_t *m = s ? config_setting_get_member(s, key) : NULL;

	return line_of(m ? m : s);
}

/* Line of key inside element i of list (members[i].email and the like). */
static int elem_line(const config_setting_t *list, size_t i, const char *key)
{
	const config_setting_t *e = list ? config_setting_get_elem(list, (unsigned)i) : NULL;

	return e ? key_line(e, key) : line_of(list);
}

static char *dup_or_oom(struct loader *ld, const char *s)
{
	char *d = strdup(s);

	if (!d)
		ld->oom = true;
	return d;
}

/* ---- the key tables ---- */

enum kind {
	K_STR,   /* string without control characters */
	K_TEXT,  /* string; LF allowed (multi-line DESCRIPTION) */
	K_PATH,  /* string, resolved against the config file's folder */
	K_INT,   /* integer in [min, max] */
	K_BOOL,
	K_FN,    /* anything else: fn parses and stores */
};

#define F_REQ   0x1     /* must be present */
#define F_OFF   0x2     /* "" means "not set" (stored as NULL) */
#define F_ABSENT 0x4    /* K_FN: called with s == NULL when absent (defaults) */

struct key;
struct list_spec;
typedef void (*key_fn)(struct loader *ld, const config_setting_t *s,
                       const char *name, const struct key *k, void *obj);
/* Value checks for strings: true when fine, else a reason in why. */
typedef bool (*check_fn)(const char *v, char *why, size_t len);

struct key {
	const char *name;
	enum kind kind;
	unsigned flags;
	size_t off;             /* where the value goes in obj */
	long min, max;          /* K_INT */
	const char *def;        /* K_STR/K_PATH default (NULL: none) */
	long idef;              /* K_INT default */
	check_fn check;         /* K_STR extra check, or NULL */
	key_fn fn;              /* K_FN */
	const struct key *sub;  /* for fn that load a nested group */
	const struct list_spec *list; /* for fn_list */
};

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
static bool want_type(struct loader *ld, const config_setting_t *s, const char *name, int want)
{
	int t = config_setting_type(s);

	if (t == want || (want == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return true;
	problem(ld, line_of(s), "%s: must be %s, not %s", name, type_name(want), type_name(t));
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
static const char *get_string(struct loader *ld, const config_setting_t *s,
                              const char *name, const struct key *k)
{
	const char *v;

	if (!want_type(ld, s, name, CONFIG_TYPE_STRING))
		return NULL;
	v = config_setting_get_string(s);
	if (!*v) {
		problem(ld, line_of(s), "%s: must not be empty", name);
		return NULL;
	}
	if (strlen(v) > VALUE_MAX_LEN) {
		problem(ld, line_of(s), "%s: longer than %d bytes", name, VALUE_MAX_LEN);
		return NULL;
	}
	if (!util_utf8_valid((const unsigned char *)v)) {
		problem(ld, line_of(s), "%s: is not valid UTF-8 (save the file as UTF-8)", name);
		return NULL;
	}
	if (has_bad_control(v, k->kind == K_TEXT)) {
		problem(ld, line_of(s), "%s: contains a control character (%s)", name,
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
	char why[256];
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
		v = get_string(ld, s, name, k);
		if (v && k->check && !k->check(v, why, sizeof(why)))
			problem(ld, line_of(s), "%s: %s", name, why);
		else if (v)
			set_string(ld, k, obj, v);
		return;
	case K_INT: {
		long long n;
		if (!want_type(ld, s, name, CONFIG_TYPE_INT))
			return;
		n = config_setting_get_int64(s);
		if (n < k->min || n > k->max) {
			problem(ld, line_of(s), "%s: %lld is out of range (%ld..%ld)", name, n, k->min, k->max);
			return;
		}
		*(int *)((char *)obj + k->off) = (int)n;
		return;
	}
	case K_BOOL:
		if (want_type(ld, s, name, CONFIG_TYPE_BOOL))
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
			problem(ld, line_of(c), "%s%s: unknown setting (did you mean '%s'?)", prefix, n, best);
		else
			problem(ld, line_of(c), "%s%s: unknown setting", prefix, n);
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
static void load_group(struct loader *ld, const config_setting_t *grp, const char *prefix,
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
			problem(ld, grp ? line_of(grp) : parent_line, "%s: missing (required)", name);
	}
}

/*
 * A list of groups (groups, members, series, exceptions) into a new array of
 * n elements of size bytes each.  line_off is the offset of an int "line"
 * field, or SIZE_MAX.
 */
static void *load_list(struct loader *ld, const config_setting_t *list, const char *lname,
                       const struct key *keys, size_t size, size_t line_off, size_t *ret_n)
{
	char prefix[NAME_MAX_LEN];
	unsigned n;
	char *arr;

	*ret_n = 0;
	if (!list || !want_type(ld, list, lname, CONFIG_TYPE_LIST))
		return NULL;
	n = (unsigned)config_setting_length(list);
	if (n == 0)
		return NULL;
	if (n > LIST_MAX_LEN) {
		problem(ld, line_of(list), "%s: more than %d entries", lname, LIST_MAX_LEN);
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
			*(int *)((char *)obj + line_off) = line_of(e);
		if (!want_type(ld, e, prefix, CONFIG_TYPE_GROUP))
			continue;
		snprintf(prefix, sizeof(prefix), "%s[%u].", lname, i);
		load_group(ld, e, prefix, keys, obj, line_of(e));
	}
	return arr;
}

/* ---- string checks ---- */

static bool chk_email(const char *v, char *why, size_t len)
{
	return mail_address_check(v, why, len) == 0;
}

/* Names become CN parameters of ATTENDEE/ORGANIZER: libical escapes '"' and
 * '^' there per RFC 6868, which Outlook shows literally (INTEROP.md 8). */
static bool chk_cn(const char *v, char *why, size_t len)
{
	if (!strpbrk(v, "\"^"))
		return true;
	snprintf(why, len, "\"%s\": '\"' and '^' are not allowed in names (Outlook garbles them in calendar entries)", v);
	return false;
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

/* Ids end up in UIDs and file names: keep them to a safe alphabet. */
static bool chk_id(const char *v, char *why, size_t len)
{
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			snprintf(why, len, "\"%s\": only letters, digits, '-' and '_' are allowed in an id", v);
			return false;
		}
	}
	return true;
}

static bool chk_domain(const char *v, char *why, size_t len)
{
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
			snprintf(why, len, "\"%s\" is not a domain name (e.g. committee.example.org)", v);
			return false;
		}
	}
	if (!strchr(v, '.') || v[0] == '.' || v[strlen(v) - 1] == '.') {
		snprintf(why, len, "\"%s\" is not a domain name (e.g. committee.example.org)", v);
		return false;
	}
	return true;
}

static bool chk_timezone(const char *v, char *why, size_t len)
{
	if (sched_timezone_known(v))
		return true;
	snprintf(why, len, "unknown time zone \"%s\" (expected an Olson name such as Europe/Berlin)", v);
	return false;
}

static bool chk_language(const char *v, char *why, size_t len)
{
	if (strcmp(v, "de") == 0 || strcmp(v, "en") == 0)
		return true;
	snprintf(why, len, "\"%s\" is not a supported language (de or en)", v);
	return false;
}

/* Meeting links are clicked by members: nothing but the web. */
static bool chk_url(const char *v, char *why, size_t len)
{
	const char *host = NULL;

	if (strncasecmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncasecmp(v, "http://", 7) == 0)
		host = v + 7;
	if (host && *host && *host != '/' && !strchr(v, ' '))
		return true;
	snprintf(why, len, "\"%s\" is not an http:// or https:// address with a host", v);
	return false;
}

static bool chk_url_path(const char *v, char *why, size_t len)
{
	if (v[0] == '/' && !strpbrk(v, " ?#"))
		return true;
	snprintf(why, len, "\"%s\" must be a URL path starting with '/' (e.g. \"/calendar.ics\")", v);
	return false;
}

/* "host:port" or "[v6]:port"; the host is resolved by feed.  An IPv6
 * address needs its brackets, or the port would be ambiguous. */
static bool chk_listen(const char *v, char *why, size_t len)
{
	const char *colon = strrchr(v, ':');
	bool bracketed = v[0] == '[';
	char *end;
	long port = 0;

	if (colon && colon > v && !strchr(v, ' ') && isdigit((unsigned char)colon[1])) {
		size_t hostlen = (size_t)(colon - v);
		bool ok = bracketed ? colon[-1] == ']' && hostlen > 2 && !memchr(v + 1, '[', hostlen - 1)
		                    : !memchr(v, ':', hostlen) && !memchr(v, ']', hostlen);

		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (ok && *end == '\0' && errno == 0 && port >= 1 && port <= 65535)
			return true;
	}
	snprintf(why, len, "\"%s\" is not host:port (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")", v);
	return false;
}

/* ---- keys that need more than one type check ---- */

static bool parse_lt(struct loader *ld, const config_setting_t *s, const char *name,
                     const struct key *k, struct gr_localtime *ret)
{
	const char *v = get_string(ld, s, name, k);
	struct gr_localtime lt;

	if (!v)
		return false;
	if (util_parse_datetime(v, &lt.year, &lt.month, &lt.day, &lt.hour, &lt.minute) < 0) {
		problem(ld, line_of(s), "%s: \"%s\" is not a valid local date and time (YYYY-MM-DDTHH:MM, e.g. 2026-01-14T10:00)",
		        name, v);
		return false;
	}
	*ret = lt;
	return true;
}

static void fn_datetime(struct loader *ld, const config_setting_t *s, const char *name,
                        const struct key *k, void *obj)
{
	(void)parse_lt(ld, s, name, k, (struct gr_localtime *)((char *)obj + k->off));
}

static void fn_move_to(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	struct gr_exception *ex = obj;

	/* set even when invalid, so "cancel and move_to" is still reported */
	ex->move = true;
	(void)parse_lt(ld, s, name, k, &ex->move_to);
}

static void fn_exc_date(struct loader *ld, const config_setting_t *s, const char *name,
                        const struct key *k, void *obj)
{
	struct gr_exception *ex = obj;
	const char *v = get_string(ld, s, name, k);

	if (v && util_parse_date(v, &ex->year, &ex->month, &ex->day) < 0)
		problem(ld, line_of(s), "%s: \"%s\" is not a valid date (YYYY-MM-DD, e.g. 2026-12-09)", name, v);
}

static void fn_send_time(struct loader *ld, const config_setting_t *s, const char *name,
                         const struct key *k, void *obj)
{
	struct gr_notifications *n = obj;
	const char *v = get_string(ld, s, name, k);

	if (v && util_parse_hhmm(v, &n->send_hour, &n->send_minute) < 0)
		problem(ld, line_of(s), "%s: \"%s\" is not a time of day HH:MM (e.g. \"09:00\")", name, v);
}

static void fn_transport(struct loader *ld, const config_setting_t *s, const char *name,
                         const struct key *k, void *obj)
{
	struct gr_delivery *d = obj;
	const char *v = get_string(ld, s, name, k);

	if (!v)
		return;
	if (strcmp(v, "maildir") == 0)
		d->transport = GR_TRANSPORT_MAILDIR;
	else if (strcmp(v, "smtp") == 0)
		d->transport = GR_TRANSPORT_SMTP;
	else
		problem(ld, line_of(s), "%s: \"%s\" is not a transport (maildir or smtp)", name, v);
}

static void fn_starttls(struct loader *ld, const config_setting_t *s, const char *name,
                        const struct key *k, void *obj)
{
	struct gr_delivery *d = obj;
	const char *v = get_string(ld, s, name, k);

	if (!v)
		return;
	if (strcmp(v, "required") == 0)
		d->starttls_required = true;
	else if (strcmp(v, "off") == 0)
		d->starttls_required = false;
	else
		problem(ld, line_of(s), "%s: \"%s\" is not allowed (required or off)", name, v);
}

static int cmp_int_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

static void fn_reminders(struct loader *ld, const config_setting_t *s, const char *name,
                         const struct key *k, void *obj)
{
	struct gr_notifications *no = obj;
	unsigned n;
	int *days;
	bool ok = true;

	if (!want_type(ld, s, name, CONFIG_TYPE_ARRAY))
		return;
	n = (unsigned)config_setting_length(s);
	days = calloc(n ? n : 1, sizeof(*days));
	if (!days) {
		ld->oom = true;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char ename[NAME_MAX_LEN];
		long long v;

		snprintf(ename, sizeof(ename), "%s[%u]", name, i);
		if (!want_type(ld, e, ename, CONFIG_TYPE_INT)) {
			ok = false;
			continue;
		}
		v = config_setting_get_int64(e);
		if (v < 0 || v > k->max) {
			problem(ld, line_of(e), "%s: %lld is out of range (0..%ld days; 0 = on the day)", ename, v, k->max);
			ok = false;
			continue;
		}
		days[i] = (int)v;
		for (unsigned j = 0; j < i; j++) {
			if (days[j] == days[i]) {
				problem(ld, line_of(e), "%s: %d is listed twice", ename, days[i]);
				ok = false;
			}
		}
	}
	if (!ok) {
		free(days);
		return;
	}
	/* the planner walks reminders from the earliest one on */
	qsort(days, n, sizeof(*days), cmp_int_desc);
	free(no->reminders_days_before);
	no->reminders_days_before = days;
	no->n_reminders = n;
}

static int cmp_lt(const void *a, const void *b)
{
	return sched_compare(a, b);
}

static void fn_dates(struct loader *ld, const config_setting_t *s, const char *name,
                     const struct key *k, void *obj)
{
	struct gr_series *se = obj;
	unsigned n;

	if (!want_type(ld, s, name, CONFIG_TYPE_ARRAY))
		return;
	n = (unsigned)config_setting_length(s);
	if (n == 0) {
		problem(ld, line_of(s), "%s: must list at least one date", name);
		return;
	}
	se->dates = calloc(n, sizeof(*se->dates));
	if (!se->dates) {
		ld->oom = true;
		return;
	}
	se->n_dates = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char ename[NAME_MAX_LEN];

		snprintf(ename, sizeof(ename), "%s[%u]", name, i);
		if (!parse_lt(ld, e, ename, k, &se->dates[i]))
			continue;
		/* a meeting's UID is made of its day: two on one day would share it */
		for (unsigned j = 0; j < i; j++)
			if (se->dates[j].year == se->dates[i].year && se->dates[j].month == se->dates[i].month &&
			    se->dates[j].day == se->dates[i].day)
				problem(ld, line_of(e), "%s: the same date is listed twice "
				        "(one meeting per day and series)", ename);
	}
	qsort(se->dates, n, sizeof(*se->dates), cmp_lt);
}

/* A nested group (committee, organizer, delivery, ...) at obj + k->off.
 * s == NULL: the group is absent, only defaults apply. */
static void fn_section(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	char prefix[NAME_MAX_LEN];
	void *sub = (char *)obj + k->off;

	/* wrong type: reported; its keys would only add "missing" noise */
	if (s && !want_type(ld, s, name, CONFIG_TYPE_GROUP))
		return;
	snprintf(prefix, sizeof(prefix), "%s.", name);
	load_group(ld, s, prefix, k->sub, sub, s ? line_of(s) : 1);
}

static void fn_topic_call(struct loader *ld, const config_setting_t *s, const char *name,
                          const struct key *k, void *obj)
{
	struct gr_notifications *n = obj;

	if (!s)
		return; /* absent: no calls for topics */
	if (!want_type(ld, s, name, CONFIG_TYPE_GROUP))
		return;
	n->topic_call = true;
	fn_section(ld, s, name, k, obj);
}

/* The lists of the root: where the array and its length go. */
struct list_spec {
	const struct key *keys;
	size_t size, line_off, arr_off, n_off;
};

static void fn_list(struct loader *ld, const config_setting_t *s, const char *name,
                    const struct key *k, void *obj)
{
	const struct list_spec *ls = k->list;
	size_t n = 0;
	void *arr;

	if (!s)
		return;
	arr = load_list(ld, s, name, ls->keys, ls->size, ls->line_off, &n);
	/* memcpy: the field is a struct gr_member * (etc.), not a void *; POSIX
	 * guarantees that all object pointers share one representation */
	memcpy((char *)obj + ls->arr_off, &arr, sizeof(arr));
	*(size_t *)((char *)obj + ls->n_off) = n;
	if (n == 0 && (k->flags & F_REQ) && config_setting_type(s) == CONFIG_TYPE_LIST)
		problem(ld, line_of(s), "%s: must not be empty", name);
}

/* ---- the schema (DESIGN.md), one table per group ---- */

#define STR(n, f, T, fl, chk) { .name = n, .kind = K_STR, .flags = fl, .off = offsetof(T, f), .check = chk }
#define PATH(n, f, T, fl, d) { .name = n, .kind = K_PATH, .flags = fl, .off = offsetof(T, f), .def = d }
#define INT(n, f, T, fl, lo, hi, d) \
	{ .name = n, .kind = K_INT, .flags = fl, .off = offsetof(T, f), .min = lo, .max = hi, .idef = d }
#define FN(n, fl, f) { .name = n, .kind = K_FN, .flags = fl, .fn = f }

static const struct key organizer_keys[] = {
	STR("name", organizer_name, struct gr_committee, F_REQ, chk_cn),
	STR("email", organizer_email, struct gr_committee, F_REQ, chk_email),
	{ 0 }
};

static const struct key committee_keys[] = {
	STR("id", id, struct gr_committee, 0, chk_id),
	STR("name", name, struct gr_committee, F_REQ, NULL),
	STR("short_name", short_name, struct gr_committee, F_REQ, NULL),
	STR("domain", domain, struct gr_committee, F_REQ, chk_domain),
	STR("timezone", timezone, struct gr_committee, F_REQ, chk_timezone),
	{ .name = "language", .kind = K_STR, .off = offsetof(struct gr_committee, language),
	  .def = "de", .check = chk_language },
	{ .name = "organizer", .kind = K_FN, .flags = F_REQ, .fn = fn_section, .off = 0, .sub = organizer_keys },
	STR("topics_address", topics_address, struct gr_committee, 0, chk_email),
	{ 0 }
};

static const struct key group_keys[] = {
	STR("id", id, struct gr_group, F_REQ, chk_id),
	STR("name", name, struct gr_group, F_REQ, NULL),
	{ 0 }
};

static const struct key member_keys[] = {
	STR("name", name, struct gr_member, F_REQ, chk_cn),
	STR("email", email, struct gr_member, F_REQ, chk_email),
	STR("group", group, struct gr_member, F_REQ, NULL),
	STR("organisation", organisation, struct gr_member, 0, NULL),
	{ 0 }
};

static const struct key series_keys[] = {
	STR("id", id, struct gr_series, F_REQ, chk_id),
	STR("summary", summary, struct gr_series, F_REQ, NULL),
	{ .name = "description", .kind = K_TEXT, .off = offsetof(struct gr_series, description) },
	STR("location", location, struct gr_series, 0, NULL),
	STR("url", url, struct gr_series, 0, chk_url),
	STR("rrule", rrule, struct gr_series, 0, NULL),
	{ .name = "start", .kind = K_FN, .fn = fn_datetime, .off = offsetof(struct gr_series, start) },
	FN("dates", 0, fn_dates),
	INT("duration", duration, struct gr_series, F_REQ, 1, DURATION_MAX, 0),
	STR("skip_months_of", skip_months_of, struct gr_series, 0, chk_id),
	{ 0 }
};

static const struct key exception_keys[] = {
	STR("series", series, struct gr_exception, F_REQ, NULL),
	FN("date", F_REQ, fn_exc_date),
	{ .name = "cancel", .kind = K_BOOL, .off = offsetof(struct gr_exception, cancel) },
	FN("move_to", 0, fn_move_to),
	STR("note", note, struct gr_exception, 0, NULL),
	{ 0 }
};

static const struct key topic_keys[] = {
	INT("days_before", topic_days_before, struct gr_notifications, F_REQ, 1, 365, 0),
	INT("deadline_days_before", topic_deadline_days_before, struct gr_notifications, F_REQ, 0, 365, 0),
	{ 0 }
};

static const struct key notification_keys[] = {
	FN("send_time", 0, fn_send_time),
	{ .name = "topic_call", .kind = K_FN, .flags = F_ABSENT, .fn = fn_topic_call, .sub = topic_keys },
	{ .name = "reminders_days_before", .kind = K_FN, .fn = fn_reminders, .max = 365 },
	{ 0 }
};

static const struct key delivery_keys[] = {
	FN("transport", 0, fn_transport),
	PATH("maildir", maildir, struct gr_delivery, 0, "var/outbox"),
	STR("smtp_url", smtp_url, struct gr_delivery, 0, NULL),
	FN("starttls", 0, fn_starttls),
	STR("username", username, struct gr_delivery, 0, NULL),
	PATH("password_file", password_file, struct gr_delivery, 0, NULL),
	PATH("ca_file", ca_file, struct gr_delivery, 0, NULL),
	INT("connections", connections, struct gr_delivery, 0, 1, 64, 4),
	INT("retry_for_hours", retry_for_hours, struct gr_delivery, 0, 1, 720, 48),
	INT("rate_per_minute", rate_per_minute, struct gr_delivery, 0, 0, 100000, 0),
	INT("timeout", timeout, struct gr_delivery, 0, 1, 600, 30),
	{ 0 }
};

static const struct key feed_keys[] = {
	STR("listen", listen, struct gr_feed, F_OFF, chk_listen),
	{ .name = "path", .kind = K_STR, .off = offsetof(struct gr_feed, path), .def = "/calendar.ics",
	  .check = chk_url_path },
	PATH("file", file, struct gr_feed, F_OFF, "var/calendar.ics"),
	{ 0 }
};

#define LIST(T, keys, arr, n) \
	{ keys, sizeof(T), offsetof(T, line), offsetof(struct gr_config, arr), offsetof(struct gr_config, n) }

static const struct list_spec groups_list = {
	group_keys, sizeof(struct gr_group), SIZE_MAX,
	offsetof(struct gr_config, groups), offsetof(struct gr_config, n_groups)
};
static const struct list_spec members_list = LIST(struct gr_member, member_keys, members, n_members);
static const struct list_spec series_list = LIST(struct gr_series, series_keys, series, n_series);
static const struct list_spec exceptions_list =
	LIST(struct gr_exception, exception_keys, exceptions, n_exceptions);

#define SECTION(n, fl, f, keys) \
	{ .name = n, .kind = K_FN, .flags = (fl) | F_ABSENT, .fn = fn_section, \
	  .off = offsetof(struct gr_config, f), .sub = keys }
#define LISTKEY(n, fl, l) { .name = n, .kind = K_FN, .flags = (fl) | F_ABSENT, .fn = fn_list, .list = &l }

static const struct key root_keys[] = {
	SECTION("committee", F_REQ, committee, committee_keys),
	LISTKEY("groups", F_REQ, groups_list),
	LISTKEY("members", F_REQ, members_list),
	LISTKEY("series", F_REQ, series_list),
	LISTKEY("exceptions", 0, exceptions_list),
	SECTION("notifications", 0, notifications, notification_keys),
	SECTION("delivery", 0, delivery, delivery_keys),
	SECTION("feed", 0, feed, feed_keys),
	PATH("templates", templates, struct gr_config, 0, NULL),
	PATH("state", state, struct gr_config, 0, "var/state.db"),
	{ 0 }
};

/* ---- validate: what needs more than one key ---- */

static const config_setting_t *root_member(struct loader *ld, const char *name)
{
	return config_setting_get_member(ld->root, name);
}

static bool group_known(const struct gr_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (cfg->groups[i].id && strcmp(cfg->groups[i].id, id) == 0)
			return true;
	return false;
}

static void validate_groups(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "groups");

	for (size_t i = 0; i < cfg->n_groups; i++)
		for (size_t j = 0; j < i && cfg->groups[i].id; j++)
			if (cfg->groups[j].id && strcmp(cfg->groups[i].id, cfg->groups[j].id) == 0)
				problem(ld, elem_line(l, i, "id"), "groups[%zu].id: \"%s\" is already used by groups[%zu]",
				        i, cfg->groups[i].id, j);
}

/* qsort order of member indexes: by address ignoring case, then by index */
static const struct gr_member *sort_members;

static int cmp_member_email(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcasecmp(sort_members[i].email, sort_members[j].email);

	return c ? c : (i > j) - (i < j);
}

/*
 * The same person twice would get every mail twice.  Sorted, not pairwise:
 * a list of 10,000 addresses would take 50 million comparisons.  Each
 * repeat is reported against the address's first entry.
 */
static void check_member_duplicates(struct loader *ld, const config_setting_t *l)
{
	const struct gr_config *cfg = ld->cfg;
	size_t *idx = calloc(cfg->n_members + 1, sizeof(*idx)), n = 0;

	if (!idx) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < cfg->n_members; i++)
		if (cfg->members[i].email)
			idx[n++] = i;
	/* single-threaded: the comparison's context in a static is safe */
	sort_members = cfg->members;
	qsort(idx, n, sizeof(*idx), cmp_member_email);
	for (size_t k = 1, first = 0; k < n; k++) {
		const struct gr_member *m = &cfg->members[idx[k]];

		if (strcasecmp(m->email, cfg->members[idx[first]].email) != 0) {
			first = k;
			continue;
		}
		problem(ld, elem_line(l, idx[k], "email"),
		        "members[%zu].email: \"%s\" is already the address of members[%zu]",
		        idx[k], m->email, idx[first]);
	}
	free(idx);
}

static void validate_members(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "members");

	for (size_t i = 0; i < cfg->n_members; i++) {
		const struct gr_member *m = &cfg->members[i];

		if (m->group && !group_known(cfg, m->group))
			problem(ld, elem_line(l, i, "group"), "members[%zu].group: unknown group \"%s\" (not in groups)",
			        i, m->group);
	}
	check_member_duplicates(ld, l);
}

/* rrule xor dates; start exactly with rrule; the rule must produce start. */
static void validate_recurrence(struct loader *ld, const config_setting_t *l, size_t i)
{
	const struct gr_series *s = &ld->cfg->series[i];
	const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
	bool has_rrule = config_setting_get_member(e, "rrule") != NULL;
	bool has_dates = config_setting_get_member(e, "dates") != NULL;
	bool has_start = config_setting_get_member(e, "start") != NULL;
	char why[256];

	if (has_rrule == has_dates) {
		problem(ld, line_of(e), "series[%zu]: needs either rrule (with start) or dates, %s", i,
		        has_rrule ? "not both" : "neither is set");
		return;
	}
	if (has_dates) {
		if (has_start)
			problem(ld, key_line(e, "start"),
			        "series[%zu].start: only for an rrule series; a dates series takes its times from dates", i);
		return;
	}
	if (!has_start) {
		problem(ld, line_of(e), "series[%zu].start: missing (required with rrule)", i);
		return;
	}
	if (!s->rrule || s->start.year == 0)
		return; /* reported already */
	if (sched_rrule_check(s->rrule, why, sizeof(why)) < 0) {
		problem(ld, key_line(e, "rrule"), "series[%zu].rrule: \"%s\": %s", i, s->rrule, why);
		return;
	}
	/* libical silently skips a DTSTART that its rule does not produce, while
	 * other clients show it (INTEROP.md, Recurrence 3) */
	if (sched_rrule_produces_start(s->rrule, &s->start) != 1)
		problem(ld, key_line(e, "start"),
		        "series[%zu].start: %04d-%02d-%02dT%02d:%02d is not an occurrence of its rrule \"%s\"", i,
		        s->start.year, s->start.month, s->start.day, s->start.hour, s->start.minute, s->rrule);
}

/* Does the series s skips the months of also skip the months of s?  Then
 * in a month both meet, neither would. */
static bool skips_back(const struct gr_config *cfg, const struct gr_series *s)
{
	int j = config_series_index(cfg, s->skip_months_of);
	const char *back = j >= 0 ? cfg->series[j].skip_months_of : NULL;

	return back && s->id && strcmp(back, s->id) == 0;
}

static void validate_series(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "series");

	for (size_t i = 0; i < cfg->n_series; i++) {
		const struct gr_series *s = &cfg->series[i];

		if (!config_setting_get_elem(l, (unsigned)i) ||
		    config_setting_type(config_setting_get_elem(l, (unsigned)i)) != CONFIG_TYPE_GROUP)
			continue;
		for (size_t j = 0; j < i && s->id; j++)
			if (cfg->series[j].id && strcmp(s->id, cfg->series[j].id) == 0)
				problem(ld, elem_line(l, i, "id"), "series[%zu].id: \"%s\" is already used by series[%zu]",
				        i, s->id, j);
		validate_recurrence(ld, l, i);
		if (!s->skip_months_of)
			continue;
		if (s->id && strcmp(s->skip_months_of, s->id) == 0)
			problem(ld, elem_line(l, i, "skip_months_of"),
			        "series[%zu].skip_months_of: \"%s\" is the series itself", i, s->id);
		else if (config_series_index(cfg, s->skip_months_of) < 0)
			problem(ld, elem_line(l, i, "skip_months_of"),
			        "series[%zu].skip_months_of: unknown series \"%s\"", i, s->skip_months_of);
		else if (skips_back(cfg, s))
			problem(ld, elem_line(l, i, "skip_months_of"),
			        "series[%zu].skip_months_of: \"%s\" skips the months of \"%s\" in turn: in a month both meet, neither would",
			        i, s->skip_months_of, s->id);
	}
}

/* Is the series usable for asking about its dates (no problem reported)? */
static bool series_sound(const struct gr_series *s)
{
	if (s->rrule)
		return s->start.year != 0 && sched_rrule_check(s->rrule, NULL, 0) == 0 &&
		       sched_rrule_produces_start(s->rrule, &s->start) == 1;
	return s->n_dates > 0;
}

static void validate_exception(struct loader *ld, const config_setting_t *l, size_t i)
{
	const struct gr_config *cfg = ld->cfg;
	const struct gr_exception *x = &cfg->exceptions[i];
	const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
	int si;

	if (!e || config_setting_type(e) != CONFIG_TYPE_GROUP)
		return; /* reported by the parse pass */
	if (x->cancel == x->move)
		problem(ld, line_of(e), "exceptions[%zu]: needs either cancel = true or move_to, %s", i,
		        x->move ? "not both" : "neither is set");
	if (!x->series || x->year == 0)
		return;
	si = config_series_index(cfg, x->series);
	if (si < 0) {
		problem(ld, elem_line(l, i, "series"), "exceptions[%zu].series: unknown series \"%s\"", i, x->series);
		return;
	}
	if (series_sound(&cfg->series[si]) &&
	    sched_series_has_date(&cfg->series[si], x->year, x->month, x->day, NULL) != 1)
		problem(ld, elem_line(l, i, "date"),
		        "exceptions[%zu].date: series \"%s\" has no meeting on %04d-%02d-%02d", i, x->series,
		        x->year, x->month, x->day);
	for (size_t j = 0; j < i; j++) {
		const struct gr_exception *y = &cfg->exceptions[j];
		if (y->series && strcmp(y->series, x->series) == 0 && y->year == x->year &&
		    y->month == x->month && y->day == x->day)
			problem(ld, elem_line(l, i, "date"),
			        "exceptions[%zu]: the meeting of \"%s\" on %04d-%02d-%02d already has an exception (exceptions[%zu])",
			        i, x->series, x->year, x->month, x->day, j);
	}
}

/* Host part of an smtp URL into buf ("" when there is none). */
static void url_host(const char *rest, char *buf, size_t len)
{
	size_t n;

	if (rest[0] == '[') {
		n = strcspn(rest + 1, "]");
		rest++;
	} else {
		n = strcspn(rest, ":/");
	}
	if (n >= len)
		n = len - 1;
	memcpy(buf, rest, n);
	buf[n] = '\0';
}

static bool is_loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	       strncmp(host, "127.", 4) == 0;
}

static void validate_delivery(struct loader *ld)
{
	const struct gr_delivery *d = &ld->cfg->delivery;
	const config_setting_t *g = root_member(ld, "delivery");
	const char *rest = NULL;
	char host[256];
	bool plain = false;

	if (!d->smtp_url) {
		if (d->transport == GR_TRANSPORT_SMTP && !(g && config_setting_get_member(g, "smtp_url")))
			problem(ld, key_line(g, "transport"), "delivery.smtp_url: missing (required with transport = \"smtp\")");
		return;
	}
	if (strncasecmp(d->smtp_url, "smtps://", 8) == 0) {
		rest = d->smtp_url + 8;
	} else if (strncasecmp(d->smtp_url, "smtp://", 7) == 0) {
		rest = d->smtp_url + 7;
		plain = true;
	}
	if (!rest || strchr(rest, '@') || strchr(rest, ' ')) {
		problem(ld, key_line(g, "smtp_url"),
		        "delivery.smtp_url: \"%s\" is not smtp://HOST[:PORT] or smtps://HOST[:PORT] (credentials go in username and password_file)",
		        d->smtp_url);
		return;
	}
	url_host(rest, host, sizeof(host));
	if (!host[0]) {
		problem(ld, key_line(g, "smtp_url"), "delivery.smtp_url: \"%s\" has no host", d->smtp_url);
		return;
	}
	/* a password in clear over the network is the one thing we refuse */
	if (plain && !d->starttls_required && !is_loopback(host))
		problem(ld, key_line(g, "starttls"),
		        "delivery.starttls: \"off\" is only allowed for a loopback host (127.0.0.1, ::1, localhost), not \"%s\"",
		        host);
}

static void validate(struct loader *ld)
{
	struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "exceptions");
	const config_setting_t *n = root_member(ld, "notifications");

	validate_groups(ld);
	validate_members(ld);
	validate_series(ld);
	for (size_t i = 0; i < cfg->n_exceptions; i++)
		validate_exception(ld, l, i);
	if (cfg->notifications.topic_call &&
	    cfg->notifications.topic_deadline_days_before >= cfg->notifications.topic_days_before &&
	    cfg->notifications.topic_days_before > 0)
		problem(ld, key_line(n ? config_setting_get_member(n, "topic_call") : NULL, "deadline_days_before"),
		        "notifications.topic_call.deadline_days_before: %d must be less than days_before (%d)",
		        cfg->notifications.topic_deadline_days_before, cfg->notifications.topic_days_before);
	validate_delivery(ld);
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
	for (size_t i = 0; cfg->groups && i < cfg->n_groups; i++)
		free(cfg->groups[i].id), free(cfg->groups[i].name);
	free(cfg->groups);
	for (size_t i = 0; cfg->members && i < cfg->n_members; i++) {
		struct gr_member *m = &cfg->members[i];
		free(m->name), free(m->email), free(m->group), free(m->organisation);
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
	free(cfg->feed.listen), free(cfg->feed.path), free(cfg->feed.file);
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

/* Open and parse path; on failure report and return -errno or -EINVAL. */
static int read_tree(struct loader *ld, config_t *tree)
{
	struct stat st;
	FILE *f = fopen(ld->path, "re");
	int r = 0;

	if (!f || fstat(fileno(f), &st) < 0) {
		r = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
	} else if (st.st_size > FILE_MAX_BYTES) {
		r = -EFBIG;
	}
	if (r < 0) {
		if (ld->errs)
			fprintf(ld->errs, "%s: cannot read: %s\n", ld->path, strerror(-r));
		if (f)
			fclose(f);
		return r;
	}
	ld->cfg->mtime = st.st_mtime;
	if (config_read(tree, f) != CONFIG_TRUE) {
		if (config_error_type(tree) == CONFIG_ERR_FILE_IO) {
			r = -EIO;
			if (ld->errs)
				fprintf(ld->errs, "%s: cannot read: %s\n", ld->path, strerror(EIO));
		} else {
			r = -EINVAL;
			problem(ld, config_error_line(tree), "syntax error: %s", config_error_text(tree));
		}
	}
	fclose(f);
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
		load_group(&ld, ld.root, "", root_keys, ld.cfg, 1);
		/* calls for topics are answered to the organizer unless told otherwise */
		if (!ld.cfg->committee.topics_address && ld.cfg->committee.organizer_email)
			ld.cfg->committee.topics_address = dup_or_oom(&ld, ld.cfg->committee.organizer_email);
		/* committee.id defaults to the organizer mailbox's local part: each
		 * committee has a functional mailbox of its own */
		if (!ld.cfg->committee.id && ld.cfg->committee.organizer_email)
			ld.cfg->committee.id = default_committee_id(&ld, ld.cfg->committee.organizer_email);
		if (!ld.oom)
			validate(&ld);
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
