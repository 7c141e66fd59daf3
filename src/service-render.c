/* SPDX-License-Identifier: MIT */
/*
 * service-render.c - rendering one message of the service module
 * (service.h): the placeholder values of an action (fill_vars()), the
 * DESCRIPTION and calendar part, the address checks, and the whole mail
 * (service_render()).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"
#include "mail.h"
#include "service-internal.h"
#include "util.h"

/* At most this many moved meetings are listed in one update's {changes}. */
#define MAX_MOVES_LISTED 6

static void var(struct vars *v, const char *name, const char *value)
{
	if (value && v->n < sizeof(v->v) / sizeof(v->v[0]))
		v->v[v->n++] = (struct tmpl_var){ name, value };
}

/* {date}, {time}, {end_time} of a meeting from start to end. */
static void set_when(struct vars *v, const struct gr_localtime *start,
                     const struct gr_localtime *end)
{
	tmpl_format_date(v->lang, start, v->date, sizeof(v->date));
	tmpl_format_time(v->lang, start, v->time, sizeof(v->time));
	if (end)
		tmpl_format_time(v->lang, end, v->end_time, sizeof(v->end_time));
}

static bool same_object(const struct gr_occurrence *o, const struct gr_series *s, int date_index)
{
	return o->series == s && (s->rrule || o->date_index == date_index);
}

/* The object's next meeting that takes place (ends after now), or NULL. */
static const struct gr_occurrence *next_meeting(const struct sched_list *occ,
                                                const struct gr_series *s, int date_index,
                                                time_t now)
{
	for (size_t i = 0; i < occ->n; i++) {
		const struct gr_occurrence *o = &occ->items[i];

		if (same_object(o, s, date_index) && o->end_utc > now &&
		    (o->status == GR_OCC_CONFIRMED || o->status == GR_OCC_MOVED))
			return o;
	}
	return NULL;
}

static void add_line(char *buf, size_t len, const char *line)
{
	size_t used = strlen(buf);

	if (used + strlen(line) + 2 < len)
		snprintf(buf + used, len - used, "%s%s", used ? "\n" : "", line);
}

static bool differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Is the original start lt listed in the comma-separated list? */
static bool listed(const char *list, const struct gr_localtime *lt)
{
	char key[32];

	snprintf(key, sizeof(key), "%04d-%02d-%02dT%02d:%02d", lt->year, lt->month, lt->day,
	         lt->hour, lt->minute);
	return list && strstr(list, key) != NULL;
}

/*
 * {changes} of an update: what differs from what the recipient was last
 * sent (the recorded row), plus the upcoming moved meetings.  Returns the
 * first moved meeting, which the subject names, or NULL.
 */
static const struct gr_occurrence *describe_update(struct vars *v, const struct plan_action *a,
                                                   const struct sched_list *occ, time_t now)
{
	const struct store_object *rec = a->recorded;
	const struct gr_series *s = a->series;
	const struct gr_occurrence *first_move = NULL;
	char line[512];
	int moves = 0;

	/* a moved meeting of a series, an object of its own: which regular
	 * meeting it replaces, then what else changed */
	if (a->moved && a->occ) {
		tmpl_describe_move(v->lang, &a->occ->original, &a->occ->start, line, sizeof(line));
		add_line(v->changes, sizeof(v->changes), line);
		first_move = a->occ;
	}
	/* moved meetings of a series have messages of their own */
	for (size_t i = 0; s->rrule == NULL && i < occ->n; i++) {
		const struct gr_occurrence *o = &occ->items[i];

		if (!same_object(o, s, a->date_index) || o->end_utc <= now)
			continue;
		if (o->status == GR_OCC_MOVED && moves++ < MAX_MOVES_LISTED) {
			tmpl_describe_move(v->lang, &o->original, &o->start, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
			if (!first_move)
				first_move = o;
		}
	}
	for (size_t i = 0; !a->moved && i < occ->n; i++) {
		const struct gr_occurrence *o = &occ->items[i];

		if (!same_object(o, s, a->date_index) || o->end_utc <= now)
			continue;
		if (o->status == GR_OCC_CONFIRMED && rec && listed(rec->cancelled, &o->original)) {
			char date[64];
			tmpl_format_date(v->lang, &o->start, date, sizeof(date));
			tmpl_describe_change(v->lang, TMPL_CHANGE_RESTORED, date, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
		}
	}
	if (rec) {
		if (differs(rec->summary, s->summary)) {
			tmpl_describe_change(v->lang, TMPL_CHANGE_SUMMARY, s->summary, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
		}
		if (differs(rec->location, s->location)) {
			tmpl_describe_change(v->lang, TMPL_CHANGE_LOCATION, s->location, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
		}
		if (!a->moved && differs(rec->rrule, s->rrule)) {
			tmpl_describe_change(v->lang, TMPL_CHANGE_RULE, NULL, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
		}
		const struct gr_localtime *start = s->rrule ? &s->start : &s->dates[a->date_index];
		if (!a->moved && sched_compare(&rec->dtstart, start) != 0) {
			char when[128], date[64], time[32];
			tmpl_format_date(v->lang, start, date, sizeof(date));
			tmpl_format_time(v->lang, start, time, sizeof(time));
			snprintf(when, sizeof(when), "%s, %s", date, time);
			if (s->rrule)
				tmpl_describe_change(v->lang, TMPL_CHANGE_TIME, when, line, sizeof(line));
			else
				tmpl_describe_move(v->lang, &rec->dtstart, start, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
		}
		if (rec->duration != s->duration && v->end_time[0]) {
			tmpl_describe_change(v->lang, TMPL_CHANGE_DURATION, v->end_time, line, sizeof(line));
			add_line(v->changes, sizeof(v->changes), line);
		}
	}
	if (!v->changes[0]) {
		tmpl_describe_change(v->lang, TMPL_CHANGE_DETAILS, NULL, line, sizeof(line));
		add_line(v->changes, sizeof(v->changes), line);
	}
	return first_move;
}

/* Everything a message about a current object needs; which template. */
static enum tmpl_name object_vars(struct vars *v, const struct plan_action *a,
                                  const struct sched_list *occ, time_t now)
{
	const struct gr_series *s = a->series;
	const struct gr_occurrence *shown = a->occ;

	if (!shown)
		shown = next_meeting(occ, s, a->date_index, now);
	if (a->kind == GR_KIND_UPDATE) {
		const struct gr_occurrence *moved;

		if (shown)
			set_when(v, &shown->start, &shown->end);
		moved = describe_update(v, a, occ, now);
		if (moved) {
			shown = moved;
			tmpl_format_date(v->lang, &moved->original, v->old_date, sizeof(v->old_date));
		}
	}
	if (a->moved && a->kind == GR_KIND_INVITATION && a->occ)
		describe_update(v, a, occ, now);
	if (shown) {
		set_when(v, &shown->start, &shown->end);
		var(v, "note", shown->note);
	}
	var(v, "summary", s->summary);
	var(v, "location", s->location);
	var(v, "url", s->url);
	var(v, "description", s->description);
	switch (a->kind) {
	case GR_KIND_INVITATION:
		/* a deputy is invited to one meeting */
		return s->rrule && !a->moved && !a->delegator ? TMPL_INVITATION_SERIES :
		                                                TMPL_INVITATION_SINGLE;
	case GR_KIND_CHAIR_REPORT:
		return TMPL_CHAIR_REPORT;
	case GR_KIND_ANSWER_REMINDER:
		return TMPL_ANSWER_REMINDER;
	case GR_KIND_UPDATE:
		return TMPL_UPDATE;
	case GR_KIND_TOPIC_CALL:
		return TMPL_TOPIC_CALL;
	case GR_KIND_REMINDER:
		return TMPL_REMINDER;
	case GR_KIND_AGENDA:
		return TMPL_AGENDA;
	default:
		return a->whole_object && s->rrule && !a->moved ? TMPL_CANCELLATION_SERIES :
		                                                  TMPL_CANCELLATION;
	}
}

/* A stand-in series for an object that vanished from the config, from
 * what was last sent about it. */
static void recorded_series(const struct store_object *rec, struct gr_series *s,
                            struct gr_localtime *date)
{
	memset(s, 0, sizeof(*s));
	s->id = rec->series_id;
	s->summary = rec->summary;
	s->location = rec->location;
	s->rrule = rec->rrule;
	s->start = rec->dtstart;
	s->duration = rec->duration > 0 ? rec->duration : 60;
	*date = rec->dtstart;
	if (!rec->rrule) {
		s->dates = date;
		s->n_dates = 1;
	}
}

static void fill_vars(struct vars *v, const struct gr_config *cfg, const struct plan_action *a,
                      const struct gr_member *to)
{
	/* a deputy is known by their address only */
	var(v, "member_name", to->name ? to->name : a->delegator ? to->email : NULL);
	var(v, "committee", cfg->committee.name);
	var(v, "short_name", cfg->committee.short_name);
	var(v, "organizer", cfg->committee.organizer_name);
	var(v, "topics_address", cfg->committee.topics_address);
	if (a->kind == GR_KIND_REMINDER || a->kind == GR_KIND_CHAIR_REPORT ||
	    a->kind == GR_KIND_ANSWER_REMINDER) {
		snprintf(v->days, sizeof(v->days), "%d", a->days_before);
		tmpl_format_days(v->lang, a->days_before, v->in_days, sizeof(v->in_days));
	}
	if (a->kind == GR_KIND_TOPIC_CALL && a->deadline) {
		struct gr_localtime dl;
		sched_from_utc(a->deadline, cfg->committee.timezone, &dl);
		tmpl_format_date(v->lang, &dl, v->deadline, sizeof(v->deadline));
	}
	var(v, "date", v->date);
	var(v, "time", v->time);
	var(v, "end_time", v->end_time);
	var(v, "deadline", v->deadline);
	var(v, "days", v->days);
	var(v, "in_days", v->in_days);
	var(v, "old_date", v->old_date);
	var(v, "changes", v->changes);
}

/* The name of group id, or id. */
static const char *group_name(const struct gr_config *cfg, const char *id)
{
	for (size_t i = 0; id && i < cfg->n_groups; i++)
		if (strcmp(cfg->groups[i].id, id) == 0)
			return cfg->groups[i].name ? cfg->groups[i].name : id;
	return id;
}

/* {changes} of a deputy's invitation: whom they stand in for. */
static void deputy_line(const struct gr_config *cfg, struct vars *v, const struct gr_member *m)
{
	char who[512], line[640];
	const char *org = m->organisation && *m->organisation ? m->organisation :
	                  group_name(cfg, m->group);

	snprintf(who, sizeof(who), "%.200s%s%.200s%s", m->name, org ? " (" : "", org ? org : "",
	         org ? ")" : "");
	tmpl_describe_change(v->lang, TMPL_CHANGE_DEPUTY, who, line, sizeof(line));
	/* fill_vars() set {changes} to this buffer already */
	add_line(v->changes, sizeof(v->changes), line);
}

/* {attendance} and {bounced} of the chair's report (*ret_* malloc'ed). */
static int report_vars(const struct gr_config *cfg, struct vars *v, const struct plan_report *rep,
                       char **ret_attendance, char **ret_bounced)
{
	static const enum tmpl_answer answers[] = {
		[GR_ANSWER_NONE] = TMPL_ANSWER_NONE, [GR_ANSWER_ACCEPTED] = TMPL_ANSWER_ACCEPTED,
		[GR_ANSWER_DECLINED] = TMPL_ANSWER_DECLINED,
		[GR_ANSWER_TENTATIVE] = TMPL_ANSWER_TENTATIVE,
		[GR_ANSWER_DELEGATED] = TMPL_ANSWER_DELEGATED,
	};
	struct tmpl_attendee *t = calloc(rep->n_lines ? rep->n_lines : 1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n_lines; i++) {
		const struct gr_member *m = rep->lines[i].member;
		const struct store_answer *a = rep->lines[i].answer;

		t[i] = (struct tmpl_attendee){
			.name = m->name, .group = group_name(cfg, m->group),
			.organisation = m->organisation, .email = m->email,
			.answer = a && (unsigned)a->answer < sizeof(answers) / sizeof(answers[0]) ?
			          answers[a->answer] : TMPL_ANSWER_NONE,
			.deputy = a ? a->deputy : NULL, .comment = a ? a->comment : NULL,
			.bounced = rep->lines[i].bounced,
		};
	}
	*ret_attendance = tmpl_format_attendance(v->lang, t, rep->n_lines);
	*ret_bounced = tmpl_format_bounced(v->lang, t, rep->n_lines);
	free(t);
	if (!*ret_attendance || !*ret_bounced)
		return -ENOMEM;
	var(v, "attendance", *ret_attendance);
	var(v, "bounced", *ret_bounced);
	return 0;
}

/* {agenda} of an action that carries the agenda: its topics in order. */
static char *agenda_text(enum tmpl_lang lang, const struct plan_action *a)
{
	struct tmpl_agenda_item *items = calloc(a->n_topics ? a->n_topics : 1, sizeof(*items));
	char *text;

	if (!items)
		return NULL;
	for (size_t i = 0; i < a->n_topics; i++)
		items[i] = (struct tmpl_agenda_item){ a->topics[i]->title, a->topics[i]->name,
		                                      a->topics[i]->organisation };
	text = tmpl_format_agenda(lang, items, a->n_topics);
	free(items);
	return text;
}

/*
 * The DESCRIPTION of the calendar part: everything a member must read about
 * the meeting, for Thunderbird, which shows the calendar part and not the
 * text (INTEROP): what changed and why, the access link, where and until
 * when topics go, and who uses invitations and who the feed.
 */
static char *event_description(const struct gr_config *cfg, const struct vars *v,
                               const struct plan_action *a, const struct ical_object *obj,
                               const struct sched_list *occ, time_t now, const char *agenda)
{
	const struct gr_notifications *nt = &cfg->notifications;
	const struct gr_series *s = obj->series;
	const struct gr_occurrence *x = a->occ;
	char deadline[64];
	struct tmpl_event_text t = {
		.cancelled = a->kind == GR_KIND_CANCELLATION,
		.whole_series = a->kind == GR_KIND_CANCELLATION && a->whole_object && s->rrule &&
		                !a->moved,
		/* a moved meeting always says which regular one it replaces */
		.change = (a->kind == GR_KIND_UPDATE || a->delegator ||
		           (a->moved && a->kind != GR_KIND_CANCELLATION)) &&
		          v->changes[0] ? v->changes : NULL,
		.description = s->description, .url = s->url,
		/* with the agenda the deadline for topics is past */
		.topics_address = nt->topic_call && !agenda ? cfg->committee.topics_address : NULL,
		.member = a->kind != GR_KIND_CANCELLATION,
		.agenda = agenda,
	};

	/* one meeting: its own deadline; a series: "N days before" */
	if (!x && !s->rrule && a->series)
		x = next_meeting(occ, s, obj->date_index, now);
	t.reason = x ? x->note : NULL;
	if (nt->topic_call && x && (!s->rrule || a->moved)) {
		struct gr_localtime d = sched_add_days(x->start, -nt->topic_deadline_days_before);

		tmpl_format_date(v->lang, &d, deadline, sizeof(deadline));
		t.deadline = deadline;
	} else if (nt->topic_call) {
		t.deadline_days = nt->topic_deadline_days_before;
	}
	return tmpl_event_description(v->lang, &t);
}

/*
 * The calendar part of an agenda, or of a reminder that carries it: a
 * REQUEST of that one meeting with the agenda in its DESCRIPTION, under
 * the object and SEQUENCE the member holds (a minor update: the answer
 * stays).  A meeting of an rrule series is one VEVENT with RECURRENCE-ID;
 * a moved or dated meeting is an object of its own, sent whole.
 */
static char *agenda_calendar(const struct gr_config *cfg, const struct sched_list *occ,
                             const struct plan_action *a, const char *description,
                             const struct gr_member *to, time_t now)
{
	const struct gr_occurrence *x = a->occ;
	bool moved = a->series->rrule && x->status == GR_OCC_MOVED;
	struct ical_object o = { a->series, a->series->rrule ? -1 : x->date_index, a->cal_uid,
	                         description, moved ? &x->original : NULL };

	/* DTSTAMP one second after the plan's own REQUESTs: Thunderbird takes
	 * a REQUEST with the SEQUENCE and DTSTAMP of one it has processed
	 * (an invitation of the same run) as "already processed" and ignores
	 * it (INTEROP; seen in tests/e2e_agenda_thunderbird.sh) */
	if (a->delegator)
		return ical_request_delegated(cfg, &o, occ, x, to, a->delegator, a->cal_sequence,
		                              now + 1);
	if (a->series->rrule && !moved)
		return ical_request_occurrence(cfg, &o, x, to, a->cal_sequence, now + 1);
	return ical_request(cfg, &o, occ, to, a->cal_sequence, now + 1);
}

/* The calendar part: REQUEST for invitations/updates, CANCEL for cancellations (the reason as COMMENT
 * too), the meeting's REQUEST for an agenda (and a reminder with it), none for other
 * notifications.  *ret NULL means none. */
static int calendar_part(const struct gr_config *cfg, const struct sched_list *occ,
                         struct ical_cache *cache, const struct plan_action *a,
                         const struct ical_object *obj, const struct gr_member *to, time_t now,
                         char **ret)
{
	*ret = NULL;
	if (a->has_agenda && a->occ && a->series &&
	    (a->kind == GR_KIND_AGENDA || a->kind == GR_KIND_REMINDER)) {
		*ret = agenda_calendar(cfg, occ, a, obj->description, to, now);
		return *ret ? 0 : -ENOMEM;
	}
	if (a->kind == GR_KIND_INVITATION && a->delegator && a->occ) {
		/* a deputy: that one meeting, under the object that holds it */
		*ret = ical_request_delegated(cfg, obj, occ, a->occ, to, a->delegator, a->sequence, now);
		return *ret ? 0 : -ENOMEM;
	}
	switch (a->kind) {
	case GR_KIND_INVITATION:
	case GR_KIND_UPDATE:
		/* a vanished object's series is made up per call: not cached */
		*ret = ical_request_cached(a->series ? cache : NULL, cfg, obj, occ, to, a->sequence,
		                           now);
		break;
	case GR_KIND_CANCELLATION:
		*ret = ical_cancel(cfg, obj, a->whole_object ? NULL : &a->recurrence_id,
		                   a->occ ? a->occ->note : NULL, to, a->sequence, now);
		break;
	default:
		return 0;
	}
	return *ret ? 0 : -ENOMEM;
}

/* X-Gremium-Occurrence: the meeting a mail is about; for invitations and
 * updates of a dated meeting its start; none for a whole series. */
static const struct gr_localtime *occurrence_of(const struct plan_action *a,
                                               const struct ical_object *obj)
{
	if (a->occurrence_text[0])
		return &a->occurrence;
	if (!obj->series->rrule && obj->date_index >= 0 &&
	    (size_t)obj->date_index < obj->series->n_dates)
		return &obj->series->dates[obj->date_index];
	return NULL;
}

/* Is addr one the renderer takes (RFC 5321 §4.5.3.1.3: at most 254
 * octets)?  Else why not, in reason. */
static bool address_renders(const char *what, const char *addr, char *reason, size_t len)
{
	char why[256];

	if (!addr)
		return true;
	if (strlen(addr) > 254) {
		snprintf(reason, len, "%s is %zu octets long, at most 254 fit (RFC 5321)", what,
		         strlen(addr));
		return false;
	}
	if (mail_address_check(addr, why, sizeof(why)) < 0) {
		snprintf(reason, len, "%s: %s", what, why);
		return false;
	}
	return true;
}

/* Why the renderer said -EINVAL: the address that it refused when one of
 * the message's is, else the fields it checks. */
static void explain_invalid(const struct gr_config *cfg, const struct plan_action *a,
                            char *reason, size_t len)
{
	const struct gr_committee *c = &cfg->committee;

	if (address_renders("the recipient's address", a->email, reason, len) &&
	    address_renders("the organizer's address", c->organizer_email, reason, len) &&
	    (a->kind != GR_KIND_TOPIC_CALL ||
	     address_renders("topics_address", c->topics_address, reason, len)))
		snprintf(reason, len, "a field the mail cannot carry (address, name, domain, "
		         "Message-ID or calendar)");
}

/*
 * service_render() with the bare reason in err (no recipient or kind: the
 * failure records of a plan carry those themselves).
 */
int service_render_bare(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                        const struct sched_list *occ, struct ical_cache *cache,
                        const struct plan_action *a, time_t now, char **ret, size_t *ret_len,
                        char *err, size_t errlen)
{
	struct vars v = { .lang = tmpl_lang_from_str(cfg->committee.language) };
	struct gr_member to = { .name = (char *)a->name, .email = (char *)a->email };
	struct gr_series gone;
	struct gr_localtime gone_date;
	/* the UID the planner chose (an old database's old one); none: derived */
	struct ical_object obj = { a->series, a->date_index, a->uid[0] ? a->uid : NULL, NULL,
	                           a->moved && a->occ ? &a->occ->original : NULL };
	char *subject = NULL, *body = NULL, *ical = NULL, *description = NULL, id[384], *at;
	char *agenda = NULL, *attendance = NULL, *bounced = NULL, quorum[256];
	enum tmpl_name name;
	int r;

	if (a->unplannable) {
		snprintf(err, errlen, "%s", a->unplannable);
		return -ENOSPC;
	}
	/* a vanished object, or a cancelled moved meeting (the config no
	 * longer has its time): what the recipient was last sent */
	bool from_record = !a->series || (a->moved && a->kind == GR_KIND_CANCELLATION);
	if (from_record) {
		if (!a->recorded) {
			snprintf(err, errlen, "no data for the vanished object %.300s", a->uid);
			return -EINVAL;
		}
		recorded_series(a->recorded, &gone, &gone_date);
		obj = (struct ical_object){ &gone, gone.rrule ? -1 : 0, obj.uid, NULL, NULL };
	}
	struct plan_action act = *a;
	act.series = obj.series;
	act.date_index = obj.date_index;
	name = object_vars(&v, &act, occ, now);
	if (from_record) {
		struct gr_localtime end;
		time_t t = sched_to_utc(&gone_date, cfg->committee.timezone);

		sched_from_utc(t + (time_t)gone.duration * 60, cfg->committee.timezone, &end);
		set_when(&v, &gone_date, &end);
	}
	fill_vars(&v, cfg, a, &to);
	enum { TEXT, CALENDAR, MAIL } stage = TEXT;
	r = 0;
	if (a->has_agenda) {
		agenda = agenda_text(v.lang, a);
		var(&v, "agenda", agenda);
		r = agenda ? 0 : -ENOMEM;
	}
	if (r == 0 && a->delegator)
		deputy_line(cfg, &v, a->delegator);
	if (r == 0 && a->report) {
		r = report_vars(cfg, &v, a->report, &attendance, &bounced);
		tmpl_format_quorum(v.lang, a->report->present, a->report->min_present, quorum,
		                   sizeof(quorum));
		var(&v, "quorum", quorum);
	}
	if (r == 0)
		r = tmpl_render(tmpl, name, v.lang, v.v, v.n, &subject, &body);
	/* the chair's report and the request to answer are text only */
	if (r == 0 && a->kind != GR_KIND_CHAIR_REPORT && a->kind != GR_KIND_ANSWER_REMINDER &&
	    (a->kind == GR_KIND_INVITATION || a->kind == GR_KIND_UPDATE ||
	     a->kind == GR_KIND_CANCELLATION || (a->has_agenda && a->occ))) {
		description = event_description(cfg, &v, &act, &obj, occ, now, agenda);
		obj.description = description;
		r = description ? 0 : -ENOMEM;
	}
	if (r == 0) {
		stage = CALENDAR;
		r = calendar_part(cfg, occ, cache, a, &obj, &to, now, &ical);
	}
	if (r == 0) {
		stage = MAIL;
		/* plan gives "local@domain"; mail adds the domain itself */
		snprintf(id, sizeof(id), "%s", a->message_id);
		at = strchr(id, '@');
		if (at)
			*at = '\0';
		struct mail_spec spec = {
			.kind = a->kind, .to = &to, .subject = subject, .body = body,
			.ical = ical,
			.ical_method = !ical ? NULL : a->kind == GR_KIND_CANCELLATION ? "CANCEL" : "REQUEST",
			.occurrence = occurrence_of(a, &obj),
			.message_id = id, .date = now,
			.reply_to_topics = a->kind == GR_KIND_TOPIC_CALL,
		};
		r = mail_render(cfg, &spec, ret, ret_len);
	}
	/* libical and GMime say -ENOMEM for a field they cannot take, too */
	if (r == -EINVAL && stage == MAIL)
		explain_invalid(cfg, a, err, errlen);
	else if (stage == TEXT && (r == -ENOMEM || r == -E2BIG || r == -EFBIG || r == -EMSGSIZE))
		snprintf(err, errlen, "the text: longer than 256 KiB once filled in, or out of memory");
	else if (r < 0)
		snprintf(err, errlen, "%s: %s", stage == MAIL ? "the mail" : stage == CALENDAR ?
		         "the calendar part" : "the text", r == -ENOMEM ?
		         "a field it cannot carry, too large, or out of memory" : strerror(-r));
	free(subject);
	free(body);
	free(ical);
	free(description);
	free(agenda);
	free(attendance);
	free(bounced);
	return r;
}

int service_render(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                   const struct sched_list *occ, struct ical_cache *cache,
                   const struct plan_action *a, time_t now, char **ret, size_t *ret_len,
                   char *err, size_t errlen)
{
	char reason[384];
	int r = service_render_bare(cfg, tmpl, occ, cache, a, now, ret, ret_len, reason, sizeof(reason));

	if (r < 0)
		snprintf(err, errlen, "rendering the %s to %s: %s", util_kind_name(a->kind), a->email,
		         reason);
	return r;
}
