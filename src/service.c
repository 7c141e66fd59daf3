/* SPDX-License-Identifier: MIT */
/*
 * service - plan + render + enqueue, and send.  See service.h.
 *
 * Rendering happens before the transaction commits, so an outbox entry
 * always holds the exact bytes that will go out (and go out again, with the
 * same Message-ID, after a crash): DESIGN.md "delivery semantics".
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ical.h"
#include "mail.h"
#include "service.h"
#include "util.h"

/* At most this many moved meetings are listed in one update's {changes}. */
#define MAX_MOVES_LISTED 6

int service_occurrences(const struct gr_config *cfg, time_t now, struct sched_list *ret)
{
	time_t from, to;

	sched_horizon(cfg, now + SERVICE_AHEAD_SECONDS, &from, &to);
	return sched_expand(cfg, from, to, ret);
}

char *service_feed(const struct gr_config *cfg, time_t now, struct store *db, int *ret_err)
{
	struct sched_list occ = { 0 };
	struct store_state st = { 0 };
	struct gr_published *pub = NULL;
	size_t n_pub = 0;
	char *feed = NULL;
	int r;

	r = service_occurrences(cfg, now, &occ);
	if (r == 0 && db)
		r = store_read_state(db, &st);
	/* UIDs, SEQUENCEs, LAST-MODIFIED and history as recorded (plan.h) */
	if (r == 0)
		r = plan_published(cfg, &occ, db ? &st : NULL, now, &pub, &n_pub);
	if (r == 0) {
		feed = ical_publish(cfg, &occ, cfg->mtime, pub, n_pub);
		r = feed ? 0 : -ENOMEM;
	}
	plan_published_free(pub, n_pub);
	store_state_free(&st);
	sched_list_free(&occ);
	*ret_err = r;
	return feed;
}

/* ---- rendering ---- */

/* The placeholder values of one message; strings live in the buffers. */
struct vars {
	enum tmpl_lang lang;
	char date[64], time[32], end_time[32], deadline[64], days[16], in_days[32];
	char old_date[64], changes[2048];
	struct tmpl_var v[24];
	size_t n;
};

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
		return s->rrule && !a->moved ? TMPL_INVITATION_SERIES : TMPL_INVITATION_SINGLE;
	case GR_KIND_UPDATE:
		return TMPL_UPDATE;
	case GR_KIND_TOPIC_CALL:
		return TMPL_TOPIC_CALL;
	case GR_KIND_REMINDER:
		return TMPL_REMINDER;
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
	var(v, "member_name", to->name);
	var(v, "committee", cfg->committee.name);
	var(v, "short_name", cfg->committee.short_name);
	var(v, "organizer", cfg->committee.organizer_name);
	var(v, "topics_address", cfg->committee.topics_address);
	if (a->kind == GR_KIND_REMINDER) {
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

/*
 * The DESCRIPTION of the calendar part: everything a member must read about
 * the meeting, for Thunderbird, which shows the calendar part and not the
 * text (INTEROP): what changed and why, the access link, where and until
 * when topics go, and who uses invitations and who the feed.
 */
static char *event_description(const struct gr_config *cfg, const struct vars *v,
                               const struct plan_action *a, const struct ical_object *obj,
                               const struct sched_list *occ, time_t now)
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
		.change = (a->kind == GR_KIND_UPDATE || (a->moved && a->kind != GR_KIND_CANCELLATION)) &&
		          v->changes[0] ? v->changes : NULL,
		.description = s->description, .url = s->url,
		.topics_address = nt->topic_call ? cfg->committee.topics_address : NULL,
		.member = a->kind != GR_KIND_CANCELLATION,
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

/* The calendar part: REQUEST for invitations/updates, CANCEL for cancellations (the reason as COMMENT
 * too), none for notifications.  *ret NULL means none. */
static int calendar_part(const struct gr_config *cfg, const struct sched_list *occ,
                         struct ical_cache *cache, const struct plan_action *a,
                         const struct ical_object *obj, const struct gr_member *to, time_t now,
                         char **ret)
{
	*ret = NULL;
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
static int render(const struct gr_config *cfg, const struct tmpl_set *tmpl,
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
	r = tmpl_render(tmpl, name, v.lang, v.v, v.n, &subject, &body);
	if (r == 0 && (a->kind == GR_KIND_INVITATION || a->kind == GR_KIND_UPDATE ||
	               a->kind == GR_KIND_CANCELLATION)) {
		description = event_description(cfg, &v, &act, &obj, occ, now);
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
	return r;
}

int service_render(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                   const struct sched_list *occ, struct ical_cache *cache,
                   const struct plan_action *a, time_t now, char **ret, size_t *ret_len,
                   char *err, size_t errlen)
{
	char reason[384];
	int r = render(cfg, tmpl, occ, cache, a, now, ret, ret_len, reason, sizeof(reason));

	if (r < 0)
		snprintf(err, errlen, "rendering the %s to %s: %s", util_kind_name(a->kind), a->email,
		         reason);
	return r;
}

/* ---- what check tests ---- */

/* The longer of *max and s. */
static void longest_of(size_t *max, const char *s)
{
	if (s && strlen(s) > *max)
		*max = strlen(s);
}

/* Which texts cfg can send. */
static void texts_in_use(const struct gr_config *cfg, bool in_use[TMPL_COUNT_])
{
	for (size_t i = 0; i < cfg->n_series; i++) {
		if (cfg->series[i].rrule)
			in_use[TMPL_INVITATION_SERIES] = in_use[TMPL_CANCELLATION_SERIES] = true;
		else
			in_use[TMPL_INVITATION_SINGLE] = true;
	}
	in_use[TMPL_UPDATE] = in_use[TMPL_CANCELLATION] = in_use[TMPL_TEST] = true;
	in_use[TMPL_TOPIC_CALL] = cfg->notifications.topic_call;
	in_use[TMPL_REMINDER] = cfg->notifications.n_reminders > 0;
}

int service_check_templates(const struct gr_config *cfg, const struct tmpl_set *tmpl, FILE *errs)
{
	/* the longest value of each placeholder: the config's longest string,
	 * or what fill_vars()'s buffers can hold */
	struct vars v;
	struct { const char *name; size_t len; } lim[] = {
		{ "member_name", 1 }, { "committee", 1 }, { "short_name", 1 }, { "organizer", 1 },
		{ "topics_address", 1 }, { "summary", 1 }, { "location", 1 }, { "url", 1 },
		{ "description", 1 }, { "note", 1 },
		{ "date", sizeof(v.date) - 1 }, { "time", sizeof(v.time) - 1 },
		{ "end_time", sizeof(v.end_time) - 1 }, { "deadline", sizeof(v.deadline) - 1 },
		{ "days", sizeof(v.days) - 1 }, { "in_days", sizeof(v.in_days) - 1 },
		{ "old_date", sizeof(v.old_date) - 1 }, { "changes", sizeof(v.changes) - 1 },
	};
	enum { N = sizeof(lim) / sizeof(lim[0]) };
	struct tmpl_var longest[N] = { { NULL, NULL } };
	bool in_use[TMPL_COUNT_] = { false };
	int r = 0;

	for (size_t i = 0; i < cfg->n_members; i++)
		longest_of(&lim[0].len, cfg->members[i].name);
	longest_of(&lim[1].len, cfg->committee.name);
	longest_of(&lim[2].len, cfg->committee.short_name);
	longest_of(&lim[3].len, cfg->committee.organizer_name);
	longest_of(&lim[4].len, cfg->committee.topics_address);
	for (size_t i = 0; i < cfg->n_series; i++) {
		longest_of(&lim[5].len, cfg->series[i].summary);
		longest_of(&lim[6].len, cfg->series[i].location);
		longest_of(&lim[7].len, cfg->series[i].url);
		longest_of(&lim[8].len, cfg->series[i].description);
	}
	for (size_t i = 0; i < cfg->n_exceptions; i++)
		longest_of(&lim[9].len, cfg->exceptions[i].note);
	for (size_t i = 0; i < N && r == 0; i++) {
		char *value = malloc(lim[i].len + 1);

		if (!value) {
			r = -ENOMEM;
			break;
		}
		memset(value, 'x', lim[i].len);
		value[lim[i].len] = '\0';
		longest[i] = (struct tmpl_var){ lim[i].name, value };
	}
	texts_in_use(cfg, in_use);
	if (r == 0)
		r = tmpl_check(tmpl, tmpl_lang_from_str(cfg->committee.language), in_use, longest, N,
		               errs);
	for (size_t i = 0; i < N; i++)
		free((char *)longest[i].value);
	return r;
}

/* ---- planning ---- */

/*
 * Rendering is most of a plan's work (GMime and libical: ~200 us a mail),
 * and every action renders on its own: with many actions (an information
 * list of thousands), threads render them while this thread records them,
 * in plan order, in the caller's one transaction.  A window of
 * RENDER_WINDOW rendered messages bounds the memory whatever the number of
 * members.  cfg, tmpl, occ and the actions are only read; GMime is set up
 * before the threads start (mail_init), libical's zone data and ical.c's
 * VTIMEZONE cache are locked.
 */
#define RENDER_THREADS_MAX 4
#define RENDER_WINDOW 256
#define RENDER_MIN_ACTIONS 64   /* below: render inline, no threads */

struct rendered {
	char *msg;
	size_t len;
	int r;                      /* 0, or failed with err */
	bool done;
	char err[384];
};

struct render_pool {
	const struct gr_config *cfg;
	const struct tmpl_set *tmpl;
	const struct sched_list *occ;
	struct ical_cache *cache;   /* shared by the renderers; may be NULL */
	const struct plan_result *res;
	time_t now;
	struct rendered *ring;      /* action i in ring[i % RENDER_WINDOW] */
	pthread_mutex_t lock;
	pthread_cond_t space;       /* the recorder freed a ring entry */
	pthread_cond_t ready;       /* a renderer finished one */
	size_t next;                /* the next action to render */
	size_t recorded;            /* actions recorded (their entries free) */
	bool quit, waiting_space, waiting_ready;
	pthread_t threads[RENDER_THREADS_MAX];
	size_t n_threads;
};

static void *render_thread(void *data)
{
	struct render_pool *p = data;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		size_t i;
		struct rendered out = { 0 };

		while (!p->quit && p->next < p->res->n_actions &&
		       p->next >= p->recorded + RENDER_WINDOW) {
			p->waiting_space = true;
			pthread_cond_wait(&p->space, &p->lock);
		}
		if (p->quit || p->next >= p->res->n_actions)
			break;
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		out.r = render(p->cfg, p->tmpl, p->occ, p->cache, &p->res->actions[i], p->now, &out.msg,
		               &out.len, out.err, sizeof(out.err));
		out.done = true;
		pthread_mutex_lock(&p->lock);
		p->ring[i % RENDER_WINDOW] = out;
		if (p->waiting_ready) {
			p->waiting_ready = false;
			pthread_cond_broadcast(&p->ready);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Is action i's message rendered? */
static bool render_ready(struct render_pool *p, size_t i)
{
	bool done;

	pthread_mutex_lock(&p->lock);
	done = p->ring[i % RENDER_WINDOW].done;
	pthread_mutex_unlock(&p->lock);
	return done;
}

/* Wait for action i's message and take it out of the ring. */
static struct rendered render_take(struct render_pool *p, size_t i)
{
	struct rendered *slot = &p->ring[i % RENDER_WINDOW], out;

	pthread_mutex_lock(&p->lock);
	while (!slot->done) {
		p->waiting_ready = true;
		pthread_cond_wait(&p->ready, &p->lock);
	}
	out = *slot;
	*slot = (struct rendered){ 0 };
	p->recorded = i + 1;
	if (p->waiting_space) {
		p->waiting_space = false;
		pthread_cond_broadcast(&p->space);
	}
	pthread_mutex_unlock(&p->lock);
	return out;
}

static size_t render_threads(size_t n_actions)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n_actions < RENDER_MIN_ACTIONS || cpus < 2)
		return 0;
	return cpus > RENDER_THREADS_MAX ? RENDER_THREADS_MAX : (size_t)cpus;
}

/* Start the threads; 0, or a negative errno with nothing left running
 * (render_pool_stop() then frees what was made). */
static int render_pool_start(struct render_pool *p, size_t n_threads)
{
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->space, NULL);
	pthread_cond_init(&p->ready, NULL);
	p->ring = calloc(RENDER_WINDOW, sizeof(*p->ring));
	if (!p->ring)
		return -ENOMEM;
	mail_init();
	for (size_t i = 0; i < n_threads; i++) {
		if (pthread_create(&p->threads[i], NULL, render_thread, p) != 0)
			break;
		p->n_threads++;
	}
	return p->n_threads > 0 ? 0 : -EAGAIN;
}

/* Stop the threads and free what they rendered ahead. */
static void render_pool_stop(struct render_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->space);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	for (size_t i = 0; p->ring && i < RENDER_WINDOW; i++)
		free(p->ring[i].msg);
	free(p->ring);
	pthread_cond_destroy(&p->space);
	pthread_cond_destroy(&p->ready);
	pthread_mutex_destroy(&p->lock);
}

/* Append line (with its "\n") to *text; out of memory: it is left out. */
static void append_line(char **text, char *line)
{
	size_t len = *text ? strlen(*text) : 0;
	char *grown = line ? realloc(*text, len + strlen(line) + 1) : NULL;

	if (grown) {
		memcpy(grown + len, line, strlen(line) + 1);
		*text = grown;
	}
	free(line);
}

/* Add a line for a newly recorded failure to info->failures (the first
 * SERVICE_FAILURES_LISTED; the rest are counted in info->unrenderable_new). */
static void note_failure(struct service_plan_info *info, const struct store_change *c,
                         const char *answer)
{
	if (++info->unrenderable_new > SERVICE_FAILURES_LISTED)
		return;
	append_line(&info->failures,
	            util_asprintf("%s (%s%s%s): %s\n", c->recipient, c->kind,
	                          c->occurrence ? " " : "", c->occurrence ? c->occurrence : "", answer));
}

/*
 * An action that cannot be rendered does not stop the others: it is
 * recorded as a failed outbox entry with the reason, and its notice and
 * object row are not (store_outbox_unrenderable()), so the next plan tries
 * it again: silently while it still fails the same way, and it goes out
 * once the config is fixed.
 */
static int record_unrenderable(struct store *db, const struct plan_action *a,
                               const struct store_change *change, const char *reason,
                               time_t now, struct service_plan_info *info, char *err,
                               size_t errlen)
{
	struct store_change c = *change;
	char answer[448], start[32];
	bool fresh = false;
	int r;

	/* `status` names the meeting of a dated series' invitation, too */
	if (!c.occurrence && a->series && !a->series->rrule && a->date_index >= 0 &&
	    (size_t)a->date_index < a->series->n_dates) {
		const struct gr_localtime *d = &a->series->dates[a->date_index];
		snprintf(start, sizeof(start), "%04d-%02d-%02dT%02d:%02d", d->year, d->month, d->day,
		         d->hour, d->minute);
		c.occurrence = start;
	}
	snprintf(answer, sizeof(answer), "cannot render: %s", reason);
	r = store_outbox_unrenderable(db, &c, answer, now, &fresh);
	if (r < 0) {
		snprintf(err, errlen, "recording a failure: %s", store_errmsg(db));
		return r;
	}
	info->unrenderable++;
	if (fresh)
		note_failure(info, &c, answer);
	return 0;
}

/* Record one rendered action (changes[i] belongs to actions[i]). */
static int apply_rendered(struct store *db, const struct plan_action *a,
                          struct store_change *change, struct rendered *m, time_t now,
                          struct service_plan_info *info, char *err, size_t errlen)
{
	int r;

	if (m->r < 0) {
		r = record_unrenderable(db, a, change, m->err, now, info, err, errlen);
	} else {
		change->message = m->msg;
		change->message_len = m->len;
		if ((r = store_apply(db, change, 1, now)) < 0)
			snprintf(err, errlen, "recording the plan: %s", store_errmsg(db));
		change->message = NULL;
	}
	free(m->msg);
	m->msg = NULL;
	return r;
}

/*
 * With a sender, a plan commits every PLAN_CHUNK actions (or as soon as
 * PLAN_CHUNK_MIN are recorded and the next message is not rendered yet:
 * the commit's fsync then overlaps the rendering) and lets the sender
 * record what its connections finished and hand them what was just
 * committed: the first mails of a long list go out while the rest is
 * rendered, instead of after all of it.  Each action's outbox entry,
 * object row and notice commit together, so a crash or an error
 * mid-plan leaves whole actions recorded, and the next plan (a difference
 * from what is recorded) does the rest.
 */
#define PLAN_CHUNK 64
#define PLAN_CHUNK_MIN 8        /* ... or fewer when the renderers lag behind */

static int next_chunk(struct store *db, struct sender *sender, char *err, size_t errlen)
{
	if (store_commit(db) < 0) {
		snprintf(err, errlen, "committing the plan: %s", store_errmsg(db));
		return -EIO;
	}
	sender_pump(sender);
	if (store_begin(db) < 0) {
		snprintf(err, errlen, "starting a transaction: %s", store_errmsg(db));
		return -EIO;
	}
	return 0;
}

/*
 * Render each action and record it, in order, then the remaining changes:
 * at most RENDER_WINDOW rendered messages are in memory at a time,
 * whatever the number of members; it is one transaction of the caller (or
 * one per PLAN_CHUNK actions, see above).
 */
static int render_and_apply(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                            struct store *db, struct sender *sender,
                            const struct sched_list *occ, const struct plan_result *res,
                            struct store_change *changes, size_t n, time_t now,
                            struct service_plan_info *info, char *err, size_t errlen)
{
	struct render_pool pool = { .cfg = cfg, .tmpl = tmpl, .occ = occ, .res = res, .now = now };
	size_t n_threads = render_threads(res->n_actions), committed = 0;
	int r = 0;

	/* out of memory for it: every calendar is made in full instead */
	pool.cache = res->n_actions > 1 ? ical_cache_new() : NULL;
	if (n_threads > 0 && render_pool_start(&pool, n_threads) < 0) {
		render_pool_stop(&pool);
		n_threads = 0;
	}
	for (size_t i = 0; r == 0 && i < res->n_actions; i++) {
		struct rendered m = { 0 };

		if (n_threads > 0)
			m = render_take(&pool, i);
		else
			m.r = render(cfg, tmpl, occ, pool.cache, &res->actions[i], now, &m.msg, &m.len,
			             m.err, sizeof(m.err));
		r = apply_rendered(db, &res->actions[i], &changes[i], &m, now, info, err, errlen);
		if (r == 0 && sender && i + 1 < res->n_actions &&
		    (i + 1 - committed >= PLAN_CHUNK ||
		     (i + 1 - committed >= PLAN_CHUNK_MIN && n_threads > 0 &&
		      !render_ready(&pool, i + 1)))) {
			r = next_chunk(db, sender, err, errlen);
			committed = i + 1;
		}
	}
	if (n_threads > 0)
		render_pool_stop(&pool);
	ical_cache_free(pool.cache);
	if (r == 0 && n > res->n_actions &&
	    (r = store_apply(db, changes + res->n_actions, n - res->n_actions, now)) < 0)
		snprintf(err, errlen, "recording the plan: %s", store_errmsg(db));
	return r;
}

static int plan_in_transaction(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                               struct store *db, struct sender *sender,
                               const struct sched_list *occ, time_t now,
                               struct service_plan_info *ret, char *err, size_t errlen)
{
	struct store_state state = { 0 };
	struct plan_result res = { 0 };
	struct store_change *changes = NULL;
	size_t n = 0;
	int r;

	r = store_read_state(db, &state);
	if (r == 0)
		r = plan_run(cfg, occ, &state, now, &res);
	else
		snprintf(err, errlen, "reading the state: %s", store_errmsg(db));
	if (r == 0 && sender && res.n_actions >= PLAN_CHUNK)
		sender_expect(sender, res.n_actions);    /* its progress total */
	if (r == 0 && (r = plan_changes(&res, &changes, &n)) == 0)
		r = render_and_apply(cfg, tmpl, db, sender, occ, &res, changes, n, now, ret, err,
		                     errlen);
	if (r == 0) {
		ret->enqueued = res.n_actions - ret->unrenderable;
		ret->next_due = res.next_due;
		if (ret->unrenderable_new > SERVICE_FAILURES_LISTED)
			append_line(&ret->failures,
			            util_asprintf("... and %zu more\n",
			                          ret->unrenderable_new - SERVICE_FAILURES_LISTED));
	} else if (!err[0]) {
		snprintf(err, errlen, "planning: %s", strerror(-r));
	}
	free(changes);
	plan_result_free(&res);
	store_state_free(&state);
	return r;
}

int service_plan(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                 struct store *db, struct sender *sender, time_t now,
                 struct service_plan_info *ret, char *err, size_t errlen)
{
	struct sched_list occ = { 0 };
	struct service_plan_info info = { 0 };
	int r;

	err[0] = '\0';
	r = service_occurrences(cfg, now, &occ);
	if (r < 0) {
		snprintf(err, errlen, "expanding the meetings: %s", strerror(-r));
		return r;
	}
	r = store_begin(db);
	if (r < 0) {
		snprintf(err, errlen, "starting a transaction: %s", store_errmsg(db));
		sched_list_free(&occ);
		return r;
	}
	r = plan_in_transaction(cfg, tmpl, db, sender, &occ, now, &info, err, errlen);
	if (r == 0 && (r = store_commit(db)) < 0)
		snprintf(err, errlen, "committing the plan: %s", store_errmsg(db));
	if (r < 0) {
		(void)store_rollback(db);
		free(info.failures);
	} else {
		*ret = info;
	}
	sched_list_free(&occ);
	return r;
}
