/* SPDX-License-Identifier: MIT */
/*
 * What the chair's commands (topics, topic, inbox; gremiumctl-topics.c and
 * gremiumctl-inbox.c) share: naming a meeting by WHEN and finding it in the
 * schedule, members by address, ids, errors of the store, and the pieces
 * of their output (aligned columns, JSON values, times).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "gremiumctl.h"
#include "ical.h"
#include "plan.h"
#include "service.h"
#include "store.h"
#include "util.h"

/* How many meetings an error about WHEN lists before and after it. */
#define NEAREST_BEFORE 2
#define NEAREST_AFTER 3

/* Code points, not octets: printf's %-*s would misalign umlauts. */
size_t ctl_width(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			n++;
	return n;
}

/* Control characters (a mail's subject may hold any) are shown as '?' so a
 * listing stays one line per row. */
void ctl_print_text(const char *s)
{
	for (const char *p = s; *p; p++)
		putchar((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
}

void ctl_print_padded(const char *s, size_t width)
{
	ctl_print_text(s);
	for (size_t n = ctl_width(s); n < width; n++)
		putchar(' ');
	fputs("  ", stdout);
}

void ctl_when(const struct gr_localtime *lt, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d", lt->year, lt->month, lt->day, lt->hour,
	         lt->minute);
}

void ctl_local_time(const struct gr_config *cfg, time_t t, char *buf, size_t len)
{
	struct gr_localtime lt;

	sched_from_utc(t, cfg->committee.timezone, &lt);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", lt.year, lt.month, lt.day, lt.hour,
	         lt.minute);
}

void ctl_json_str(bool first, const char *key, const char *value)
{
	ctl_json_key(first, key);
	util_json_string(stdout, value);
}

void ctl_json_time(bool first, const char *key, const struct gr_config *cfg, time_t t)
{
	struct gr_localtime lt;
	char buf[UTIL_ISO8601_MAX];

	sched_from_utc(t, cfg->committee.timezone, &lt);
	util_format_iso8601(t, &lt, buf);
	ctl_json_str(first, key, buf);
}

void ctl_json_key(bool first, const char *key)
{
	fputs(first ? "{" : ", ", stdout);
	util_json_string(stdout, key);
	fputs(": ", stdout);
}

int ctl_output_done(const char *cmd)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_error("gremiumctl: %s: writing the output: %s", cmd, strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

int ctl_open_state_rw(const struct ctl *ctl, const char *cmd, struct store **ret)
{
	int e;

	/* store_open() would open a file it may only read, and the first
	 * write fail after the work; ENOENT: ctl_open_state() explains it */
	if (access(ctl->cfg->state, W_OK) < 0 && errno != ENOENT) {
		e = errno;
		ctl_error("gremiumctl: %s: state database %s: %s%s", cmd, ctl->cfg->state,
		          strerror(e), e == EACCES ? " (the service's state: run this as root)" : "");
		return e == EACCES || e == EPERM || e == EROFS ? EX_NOPERM : EX_NOINPUT;
	}
	return ctl_open_state(ctl, cmd, ret);
}

int ctl_parse_id(const char *cmd, const char *what, const char *s, int64_t *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = s ? strtoll(s, &end, 10) : 0;
	if (!s || errno || end == s || *end || v < 1) {
		ctl_error("gremiumctl: %s: %s wants a number (as listed), got '%s'", cmd, what,
		          s ? s : "nothing");
		return EX_USAGE;
	}
	*ret = v;
	return 0;
}

int ctl_store_error(const char *cmd, struct store *db, int r)
{
	ctl_error("gremiumctl: %s: %s", cmd, store_errmsg(db));
	switch (r) {
	case -ENOENT:
	case -EINVAL:
	case -ERANGE:
	case -EALREADY:
		return EX_DATAERR;
	case -EBUSY:
		return EX_TEMPFAIL;
	case -EACCES:
		return EX_NOPERM;
	default:
		return EX_IOERR;
	}
}

/* Same address: the local part exactly, the domain without regard to case
 * (RFC 5321 section 2.4). */
static bool same_address(const char *a, const char *b)
{
	const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');

	if (!at_a || !at_b)
		return strcmp(a, b) == 0;
	return at_a - a == at_b - b && strncmp(a, b, (size_t)(at_a - a)) == 0 &&
	       strcasecmp(at_a, at_b) == 0;
}

/* By members[].email or one of its aliases (the config refuses an
 * address given twice, so the first match is the only one). */
const struct gr_member *ctl_member(const struct gr_config *cfg, const char *addr)
{
	for (size_t i = 0; addr && i < cfg->n_members; i++) {
		const struct gr_member *m = &cfg->members[i];

		if (same_address(m->email, addr))
			return m;
		for (size_t k = 0; k < m->n_aliases; k++)
			if (same_address(m->aliases[k], addr))
				return m;
	}
	return NULL;
}

bool ctl_meeting_happens(const struct gr_occurrence *o)
{
	return o->status == GR_OCC_CONFIRMED || o->status == GR_OCC_MOVED;
}

int ctl_meetings_load(const struct ctl *ctl, const char *cmd, struct store *db, time_t now,
                      struct ctl_meetings *ret)
{
	struct store_state st = { 0 };
	struct ctl_meetings m = { .now = now };
	int r = store_read_state(db, &st);

	if (r < 0)
		return ctl_store_error(cmd, db, r);
	r = service_occurrences(ctl->cfg, now, &m.occ);
	/* the UIDs in use: an old database keeps its old ones */
	if (r == 0)
		r = plan_published(ctl->cfg, &m.occ, &st, now, &m.pub, &m.n_pub);
	store_state_free(&st);
	if (r < 0) {
		ctl_error("gremiumctl: %s: the schedule: %s", cmd, strerror(-r));
		ctl_meetings_free(&m);
		return EX_SOFTWARE;
	}
	*ret = m;
	return 0;
}

void ctl_meetings_free(struct ctl_meetings *m)
{
	sched_list_free(&m->occ);
	plan_published_free(m->pub, m->n_pub);
	memset(m, 0, sizeof(*m));
}

int ctl_occurrence_uid(const struct gr_config *cfg, const struct gr_published *pub,
                       size_t n_pub, const struct gr_occurrence *o, char *buf, size_t len)
{
	/* a moved meeting of a series is an object of its own */
	bool mv = o->status == GR_OCC_MOVED && o->series->rrule;
	struct ical_object obj = { o->series, o->date_index, NULL, NULL, mv ? &o->original : NULL };

	for (size_t k = 0; k < n_pub; k++)
		if (pub[k].series == o->series && pub[k].date_index == o->date_index &&
		    pub[k].moved == mv && (!mv || sched_compare(&pub[k].original, &o->original) == 0))
			obj.uid = pub[k].uid;
	return ical_uid(cfg, &obj, buf, len);
}

/* Why WHEN names no meeting, when the schedule knows that date: cancelled,
 * skipped or moved away.  "" otherwise. */
static void why_not(const struct ctl_meetings *m, const struct gr_localtime *lt, char *buf,
                    size_t len)
{
	char when[PLAN_LOCAL_LEN];

	buf[0] = '\0';
	for (size_t i = 0; i < m->occ.n; i++) {
		const struct gr_occurrence *o = &m->occ.items[i];

		if (sched_compare(&o->original, lt) != 0 && sched_compare(&o->start, lt) != 0)
			continue;
		if (o->status == GR_OCC_CANCELLED)
			snprintf(buf, len, " (cancelled%s%s)", o->note ? ": " : "", o->note ? o->note : "");
		else if (o->status == GR_OCC_SKIPPED)
			snprintf(buf, len, " (skipped: %s meets that month)", o->series->skip_months_of);
		else if (o->status == GR_OCC_MOVED && sched_compare(&o->start, lt) != 0) {
			ctl_when(&o->start, when, sizeof(when));
			snprintf(buf, len, " (moved to %s)", when);
		}
	}
}

/* The meetings around instant t, for an error: "A, B, C" into buf. */
static void nearest(const struct ctl_meetings *m, time_t t, char *buf, size_t len)
{
	size_t first = 0, after = 0, n = 0;
	char when[PLAN_LOCAL_LEN];

	buf[0] = '\0';
	for (size_t i = 0; i < m->occ.n; i++)
		if (ctl_meeting_happens(&m->occ.items[i]) && m->occ.items[i].start_utc < t)
			after = i + 1;
	/* go back NEAREST_BEFORE meetings that take place */
	first = after;
	for (size_t k = 0; k < NEAREST_BEFORE && first > 0;) {
		first--;
		if (ctl_meeting_happens(&m->occ.items[first]))
			k++;
	}
	for (size_t i = first; i < m->occ.n && n < NEAREST_BEFORE + NEAREST_AFTER; i++) {
		if (!ctl_meeting_happens(&m->occ.items[i]))
			continue;
		ctl_when(&m->occ.items[i].start, when, sizeof(when));
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", n ? ", " : "", when);
		n++;
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

int ctl_meeting_find(const struct ctl *ctl, const struct ctl_meetings *m, const char *cmd,
                     const char *when, const struct gr_occurrence **ret)
{
	struct gr_localtime lt = { 0 };
	char why[512], near[256];

	if (strlen(when) != PLAN_LOCAL_LEN - 1 ||
	    util_parse_datetime(when, &lt.year, &lt.month, &lt.day, &lt.hour, &lt.minute) < 0) {
		ctl_error("gremiumctl: %s: a meeting is named by its local start YYYY-MM-DDTHH:MM,"
		          " got '%s'", cmd, when);
		return EX_DATAERR;
	}
	for (size_t i = 0; i < m->occ.n; i++)
		if (ctl_meeting_happens(&m->occ.items[i]) &&
		    sched_compare(&m->occ.items[i].start, &lt) == 0) {
			*ret = &m->occ.items[i];
			return 0;
		}
	why_not(m, &lt, why, sizeof(why));
	nearest(m, sched_to_utc(&lt, ctl->cfg->committee.timezone), near, sizeof(near));
	ctl_error("gremiumctl: %s: there is no meeting at %s%s; the nearest: %s", cmd, when, why,
	          near);
	return EX_DATAERR;
}
