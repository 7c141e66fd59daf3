/* SPDX-License-Identifier: MIT */
/*
 * topics - the pure rules for a received letter.  See topics.h.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "topics.h"
#include "util.h"

const char *topics_class_name(enum topics_class c)
{
	static const char *const names[TOPICS_CLASS_COUNT_] = {
		[TOPICS_TOPIC] = "topic",
		[TOPICS_REPLY] = "reply",
		[TOPICS_DSN] = "dsn",
		[TOPICS_AUTO] = "auto",
		[TOPICS_STRANGER] = "stranger",
		[TOPICS_INVALID] = "invalid",
		[TOPICS_TOO_LARGE] = "too-large",
	};

	return (unsigned)c < TOPICS_CLASS_COUNT_ ? names[c] : "invalid";
}

void topics_when(const struct gr_localtime *lt, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d", lt->year, lt->month, lt->day, lt->hour,
	         lt->minute);
}

/* Is a the same address as b, in any case?  RFC 5321 §2.4 makes only the
 * domain case-insensitive, but no mail system a member uses tells local
 * parts apart by case, and Outlook writes "Juergen.Mueller@..." for the
 * address configured as "juergen.mueller@...".  (Membership is not an
 * authentication: a From can be forged in any case.) */
static bool same_address(const char *a, const char *b)
{
	return a && b && strchr(a, '@') && strcasecmp(a, b) == 0;
}

const struct gr_member *topics_member(const struct gr_config *cfg, const char *addr)
{
	for (size_t i = 0; addr && i < cfg->n_members; i++) {
		const struct gr_member *m = &cfg->members[i];

		if (same_address(addr, m->email))
			return m;
		for (size_t j = 0; j < m->n_aliases; j++)
			if (same_address(addr, m->aliases[j]))
				return m;
	}
	return NULL;
}

time_t topics_deadline(const struct gr_config *cfg, const struct gr_occurrence *x)
{
	const struct gr_notifications *nt = &cfg->notifications;
	struct gr_localtime d = { x->start.year, x->start.month, x->start.day, nt->send_hour,
	                          nt->send_minute };
	time_t t;

	if (!nt->topic_call)
		return x->start_utc;
	d = sched_add_days(d, -nt->topic_deadline_days_before);
	t = sched_to_utc(&d, cfg->committee.timezone);
	return t < x->start_utc ? t : x->start_utc;
}

static bool happens(const struct gr_occurrence *x)
{
	return x->status == GR_OCC_CONFIRMED || x->status == GR_OCC_MOVED;
}

/* Does x belong to the calendar object uid (new or legacy form)?  The
 * notifications of a moved meeting go by its series' UID (plan.h). */
static bool occ_has_uid(const struct gr_config *cfg, const struct gr_occurrence *x,
                        const char *uid)
{
	const struct gr_series *s = x->series;
	const struct gr_localtime *date = x->date_index < 0 ? NULL : &s->dates[x->date_index];
	char buf[512];

	for (int legacy = 0; legacy < 2; legacy++)
		if (util_object_uid(&cfg->committee, s->id, date, legacy, buf, sizeof(buf)) == 0 &&
		    strcmp(buf, uid) == 0)
			return true;
	return false;
}

const struct gr_occurrence *topics_find(const struct gr_config *cfg, const struct sched_list *occ,
                                        const struct topics_ref *ref)
{
	const struct gr_occurrence *by_time = NULL;
	char when[32];

	if (!ref->occurrence)
		return NULL;
	for (size_t i = 0; i < occ->n; i++) {
		const struct gr_occurrence *x = &occ->items[i];

		topics_when(&x->start, when, sizeof(when));
		if (strcmp(when, ref->occurrence) != 0)
			continue;
		if (ref->uid && occ_has_uid(cfg, x, ref->uid))
			return x;
		if (!by_time)
			by_time = x;
	}
	return by_time;
}

const struct gr_occurrence *topics_next_open(const struct gr_config *cfg,
                                             const struct sched_list *occ,
                                             const struct gr_occurrence *after, time_t now)
{
	const struct gr_occurrence *best = NULL;

	for (size_t i = 0; i < occ->n; i++) {
		const struct gr_occurrence *x = &occ->items[i];

		if (!happens(x) || (after && x->start_utc <= after->start_utc) ||
		    now > topics_deadline(cfg, x))
			continue;
		if (!best || x->start_utc < best->start_utc)
			best = x;
	}
	return best;
}

/* Does the calendar text carry METHOD:REPLY or COUNTER (an iMIP answer)? */
static bool calendar_is_reply(const char *cal)
{
	for (const char *p = cal; p && *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "METHOD:REPLY", 12) == 0 &&
		    (p[12] == '\r' || p[12] == '\n' || p[12] == '\0' || p[12] == ' '))
			return true;
		/* a proposed new time (issue 16): for the chair, never a topic */
		if (strncasecmp(p, "METHOD:COUNTER", 14) == 0 &&
		    (p[14] == '\r' || p[14] == '\n' || p[14] == '\0' || p[14] == ' '))
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* The first reference to a call for topics, and whether any names a
 * mail of ours at all. */
static const struct topics_ref *call_ref(const struct topics_input *in, const char **ret_other)
{
	*ret_other = NULL;
	for (size_t i = 0; i < in->n_refs; i++) {
		if (in->refs[i].kind && strcmp(in->refs[i].kind, "topic-call") == 0)
			return &in->refs[i];
		if (!*ret_other && in->refs[i].kind)
			*ret_other = in->refs[i].kind;
	}
	return NULL;
}

/* Class of a letter before membership: -1 when it is from a human. */
static int machine_class(const struct topics_input *in, struct topics_decision *d)
{
	const struct gr_letter *l = in->letter;

	if (in->too_large || !l) {
		snprintf(d->outcome, sizeof(d->outcome), "not fetched: too large");
		return TOPICS_TOO_LARGE;
	}
	if (l->invalid) {
		snprintf(d->outcome, sizeof(d->outcome), "not answered: cannot be parsed: %.180s",
		         l->invalid);
		return TOPICS_INVALID;
	}
	if (l->is_report) {
		snprintf(d->outcome, sizeof(d->outcome), "not answered: delivery report");
		return TOPICS_DSN;
	}
	if (l->automatic) {
		snprintf(d->outcome, sizeof(d->outcome), "not answered: auto-reply (%.180s)",
		         l->automatic);
		return TOPICS_AUTO;
	}
	if (calendar_is_reply(l->calendar)) {
		snprintf(d->outcome, sizeof(d->outcome), "calendar reply, not answered");
		return TOPICS_REPLY;
	}
	return -1;
}

/* The meeting of a topic from a member; false when there is none. */
static bool choose_meeting(const struct gr_config *cfg, const struct sched_list *occ,
                           const struct topics_ref *call, time_t now, struct topics_decision *d)
{
	const struct gr_occurrence *asked = call ? topics_find(cfg, occ, call) : NULL;

	if (asked && happens(asked) && now <= topics_deadline(cfg, asked)) {
		d->meeting = asked;
	} else if (asked) {
		d->asked = asked;
		d->asked_deadline = topics_deadline(cfg, asked);
		d->meeting = topics_next_open(cfg, occ, asked, now);
	} else {
		d->meeting = topics_next_open(cfg, occ, NULL, now);
	}
	if (!d->meeting)
		return false;
	d->deadline = topics_deadline(cfg, d->meeting);
	return true;
}

void topics_decide(const struct gr_config *cfg, const struct sched_list *occ,
                   const struct topics_input *in, time_t now, struct topics_decision *ret)
{
	struct topics_decision d = { .class = TOPICS_TOPIC };
	const struct gr_letter *l = in->letter;
	const struct topics_ref *call;
	const char *other;
	char when[32];
	int c = machine_class(in, &d);

	if (c >= 0) {
		d.class = (enum topics_class)c;
	} else if (!(d.member = topics_member(cfg, l->from))) {
		d.class = TOPICS_STRANGER;
		d.held = true;
		snprintf(d.outcome, sizeof(d.outcome), "held for the chair: not a member");
	} else if (!(call = call_ref(in, &other)) && other) {
		d.class = TOPICS_REPLY;
		d.held = true;
		snprintf(d.outcome, sizeof(d.outcome), "held for the chair: a reply to our %.40s",
		         other);
	} else if ((!in->title || !in->title[0]) && (!l->text || !l->text[0])) {
		d.held = true;
		snprintf(d.outcome, sizeof(d.outcome), "held for the chair: no subject and no text");
	} else if (!choose_meeting(cfg, occ, call, now, &d)) {
		d.held = true;
		snprintf(d.outcome, sizeof(d.outcome),
		         "held for the chair: no meeting ahead whose deadline is open");
	} else {
		d.topic = true;
		d.title = in->title && in->title[0] ? in->title :
		          strcmp(cfg->committee.language, "en") == 0 ? "(untitled)" : "(ohne Titel)";
		d.text = l->text ? l->text : "";
		topics_when(&d.meeting->start, when, sizeof(when));
		if (d.asked) {
			char asked[32];

			topics_when(&d.asked->start, asked, sizeof(asked));
			snprintf(d.outcome, sizeof(d.outcome), "topic for %s (too late for %s)", when,
			         asked);
		} else {
			snprintf(d.outcome, sizeof(d.outcome), "topic for %s", when);
		}
	}
	if (in->duplicate_of > 0) {
		d.topic = false;
		d.held = false;
		d.meeting = d.asked = NULL;
		snprintf(d.outcome, sizeof(d.outcome), "duplicate of inbox %lld",
		         (long long)in->duplicate_of);
	}
	*ret = d;
}
