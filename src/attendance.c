/* SPDX-License-Identifier: MIT */
/*
 * attendance.c - the pure rules for members' answers (attendance.h).
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "attendance.h"
#include "topics.h"

static bool addr_eq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static void local_text(const struct gr_localtime *lt, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d", lt->year, lt->month, lt->day, lt->hour,
	         lt->minute);
}

/* The object uid as we last sent it to member m, or NULL. */
static const struct store_object *sent_object(const struct store_state *st,
                                              const struct gr_member *m, const char *uid)
{
	for (size_t i = 0; uid && i < st->n_objects; i++)
		if (addr_eq(st->objects[i].recipient, m->email) &&
		    strcmp(st->objects[i].uid, uid) == 0)
			return &st->objects[i];
	return NULL;
}

/* Does `when` ("YYYY-MM-DDTHH:MM", or a date "YYYY-MM-DD") name the local
 * time lt?  The full text of lt into full. */
static bool names(const char *when, const struct gr_localtime *lt, char *full, size_t len)
{
	local_text(lt, full, len);
	return strlen(when) == 10 ? strncmp(full, when, 10) == 0 : strcmp(full, when) == 0;
}

/* The occurrence of object o that `when` names, as its original start into
 * ret; false when o has no such meeting. */
static bool find_occurrence(const struct sched_list *occ, const struct store_object *o,
                            const char *when, char *ret, size_t len)
{
	char full[REPLY_LOCAL_LEN];

	if (!o->rrule) {
		/* a meeting of its own: a RECURRENCE-ID can only be its start */
		if (!names(when, &o->dtstart, full, sizeof(full)))
			return false;
		ret[0] = '\0';
		return true;
	}
	for (size_t i = 0; occ && i < occ->n; i++) {
		const struct gr_occurrence *x = &occ->items[i];

		if (x->date_index < 0 && o->series_id && strcmp(x->series->id, o->series_id) == 0 &&
		    names(when, &x->original, full, sizeof(full))) {
			snprintf(ret, len, "%s", full);
			return true;
		}
	}
	return false;
}

static void hold(struct attendance_item *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hold(struct attendance_item *a, const char *fmt, ...)
{
	va_list ap;

	a->apply = false;
	va_start(ap, fmt);
	(void)vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
}

static void decide_item(const struct gr_config *cfg, const struct sched_list *occ,
                        const struct store_state *st, const struct gr_member *m,
                        const struct gr_reply *r, const struct reply_item *it,
                        struct attendance_item *a)
{
	const struct store_object *o;
	char occurrence[REPLY_LOCAL_LEN];

	a->item = it;
	a->series = false;
	if (!it->attendee) {
		hold(a, "the answer names no attendee");
		return;
	}
	if (!m) {
		hold(a, "the sender is not a member (%s)", it->attendee);
		return;
	}
	/* one of m's addresses: the config never gives an address twice */
	if (topics_member(cfg, it->attendee) != m) {
		hold(a, "the answer claims another member's address (%s)", it->attendee);
		return;
	}
	o = sent_object(st, m, it->uid);
	if (!o) {
		hold(a, "an answer for an event we never sent to this member (UID %s)", it->uid);
		return;
	}
	local_text(&o->dtstart, a->object_start, sizeof(a->object_start));
	a->series = o->rrule != NULL;
	occurrence[0] = '\0';
	if (it->occurrence[0] &&
	    !find_occurrence(occ, o, it->occurrence, occurrence, sizeof(occurrence))) {
		hold(a, "an answer for a meeting we never sent (%s)", it->occurrence);
		return;
	}
	if (r->method == REPLY_METHOD_COUNTER) {
		char why[ATTENDANCE_WHY_LEN];

		snprintf(why, sizeof(why), "proposes a new time %s - %s for %s (counter)",
		         it->proposed_start[0] ? it->proposed_start : "?",
		         it->proposed_end[0] ? it->proposed_end : "?",
		         occurrence[0] ? occurrence : a->object_start);
		hold(a, "%s", why);
		return;
	}
	if (it->answer == GR_ANSWER_NONE) {
		hold(a, "no answer in it (PARTSTAT %s)", it->partstat ? it->partstat : "missing");
		return;
	}
	a->apply = true;
	a->answer = (struct store_answer){
		.member = m->email, .uid = it->uid, .answer = it->answer,
		.deputy = it->answer == GR_ANSWER_DELEGATED ? it->deputy : NULL,
		.comment = it->comment, .dtstamp = it->dtstamp,
	};
	snprintf(a->occurrence, sizeof(a->occurrence), "%s", occurrence);
	a->answer.occurrence = a->occurrence;
}

void attendance_decide(const struct gr_config *cfg, const struct sched_list *occ,
                       const struct store_state *st, const char *from, const struct gr_reply *r,
                       time_t received, int64_t inbox_id, struct attendance_decision *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->member = topics_member(cfg, from);
	for (size_t i = 0; i < r->n_items && i < REPLY_MAX_ITEMS; i++) {
		struct attendance_item *a = &ret->items[ret->n_items++];

		decide_item(cfg, occ, st, ret->member, r, &r->items[i], a);
		if (a->apply) {
			/* no DTSTAMP, or one from the future (a wrong clock would
			 * make it win over every later answer): the arrival */
			if (!a->answer.dtstamp || a->answer.dtstamp > received)
				a->answer.dtstamp = received;
			a->answer.received = received;
			a->answer.inbox_id = inbox_id;
		} else {
			ret->held = true;
		}
	}
	ret->held = ret->held || ret->n_items == 0;
}

/* Append to buf at *used, cut at its end. */
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = (size_t)n >= len - *used ? len - 1 : *used + (size_t)n;
}

void attendance_outcome(const struct attendance_decision *d, const bool *applied, char *buf,
                        size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (d->n_items == 0)
		add(buf, len, &used, "held: no answer in the calendar part");
	for (size_t i = 0; i < d->n_items; i++) {
		const struct attendance_item *a = &d->items[i];
		const struct store_answer *x = &a->answer;

		if (i > 0)
			add(buf, len, &used, "; ");
		if (!a->apply) {
			add(buf, len, &used, "held: %s", a->why);
			continue;
		}
		add(buf, len, &used, "%s %s", store_answer_name(x->answer),
		    x->occurrence[0] ? x->occurrence : a->object_start);
		if (!x->occurrence[0])
			add(buf, len, &used, "%s", a->series ? " (series)" : "");
		if (x->deputy)
			add(buf, len, &used, ", deputy %s", x->deputy);
		if (x->comment)
			add(buf, len, &used, ": \"%s\"", x->comment);
		if (applied && !applied[i])
			add(buf, len, &used, " (older than the answer recorded: not applied)");
	}
}

const struct store_answer *attendance_effective(const struct store_answer *a, size_t n,
                                                const char *member, const char *uid,
                                                const char *occurrence)
{
	const struct store_answer *series = NULL;

	for (size_t i = 0; member && uid && i < n; i++) {
		if (!addr_eq(a[i].member, member) || strcmp(a[i].uid, uid) != 0)
			continue;
		if (occurrence && *occurrence && strcmp(a[i].occurrence, occurrence) == 0)
			return &a[i];
		if (!a[i].occurrence[0])
			series = &a[i];
	}
	return series;
}
