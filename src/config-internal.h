/* SPDX-License-Identifier: MIT */
/*
 * config-internal.h - what the files of the config module share: the
 * loader state, problem reporting and the key tables.  Only config*.c
 * include it; it keeps libconfig's types out of config.h (STYLE: only config
 * sees libconfig types).
 *
 *   config.c           problems, the table-driven key reader, load and free
 *   config-schema.c    value checks, keys with their own parser, the tables
 *   config-validate.c  what needs more than one key (references, duplicates,
 *                      recurrence rules, delivery)
 */
#ifndef GREMIUM_CONFIG_INTERNAL_H
#define GREMIUM_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libconfig.h>

#include "model.h"

/* Longest setting name we print, e.g. "series[12].dates[3]". */
#define NAME_MAX_LEN 128
/* Longest string value we accept: no header or property needs more. */
#define VALUE_MAX_LEN 4096
/* Longest id (groups, series): UIDs are "ID-YYYYMMDD@DOMAIN". */
#define ID_MAX_LEN 64
/* Caps on input, so that a runaway file cannot make check slow, eat memory
 * or flood the journal (gremiumd.conf(5) lists them).  An information list
 * of ~11,000 addresses must fit; members' duplicate check sorts, the other
 * lists' checks are quadratic within these caps. */
#define LIST_MAX_LEN 50000              /* members */
#define GROUPS_MAX 1000
#define SERIES_MAX 100
#define EXCEPTIONS_MAX 1000
#define DATES_MAX 1000                  /* dates of one series */
#define REMINDERS_MAX 366               /* 0..365 days, each once */
#define ALIASES_MAX 20                  /* more addresses of one member */
#define FILE_MAX_BYTES (4 * 1024 * 1024)
/* At most this many problems are printed, then "... and N more". */
#define PROBLEMS_PRINT_MAX 100
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

/* Record a problem at line of the file (printed sorted by line). */
void config_problem(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Line of the setting s (1 when NULL); of key inside the group s (or of s
 * when key is absent); of key inside element i of list. */
int config_line(const config_setting_t *s);
int config_key_line(const config_setting_t *s, const char *key);
int config_elem_line(const config_setting_t *list, size_t i, const char *key);

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

/* The lists of the root: where the array and its length go. */
struct list_spec {
	const struct key *keys;
	size_t size, line_off, arr_off, n_off;
	size_t max;             /* most entries allowed */
};

/* Report a type mismatch unless s has type want (INT64 counts as INT). */
bool config_want_type(struct loader *ld, const config_setting_t *s, const char *name, int want);

/* A string setting, checked (not empty, length, UTF-8, control
 * characters); NULL when it was reported. */
const char *config_get_string(struct loader *ld, const config_setting_t *s,
                              const char *name, const struct key *k);

/*
 * Load the group grp (may be NULL: absent) into obj by the table keys.
 * prefix is the setting's name with a trailing '.', e.g. "members[3].";
 * parent_line is where a missing required key is reported.
 */
void config_load_group(struct loader *ld, const config_setting_t *grp, const char *prefix,
                       const struct key *keys, void *obj, int parent_line);

/*
 * A list of groups (groups, members, series, exceptions) into a new array of
 * n elements of size bytes each, at most ls->max.  line_off is the offset
 * of an int "line" field, or SIZE_MAX.
 */
void *config_load_list(struct loader *ld, const config_setting_t *list, const char *lname,
                       const struct list_spec *ls, size_t *ret_n);

/* The schema's root table (config-schema.c). */
extern const struct key config_root_keys[];

/* The checks that need more than one key (config-validate.c). */
void config_validate(struct loader *ld);

#endif
