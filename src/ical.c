/* SPDX-License-Identifier: MIT */
/*
 * ical - occurrences/series -> VCALENDAR text.  See ical.h.
 *
 * Every local time is written as a floating libical time plus a TZID
 * parameter with the plain Olson name: libical's own zones would write
 * "/freeassociation.sourceforge.net/Europe/Berlin", which Outlook does not
 * map to a zone of its own.  The matching VTIMEZONE is a clone of libical's
 * zone, cut to the years in use and renamed (RFC 5545 §3.2.19: every TZID
 * used needs its VTIMEZONE in the same object).
 *
 * Folding: libical 3.0.16 folds at 75 octets and kept UTF-8 sequences
 * whole in our checks, but it does not document that.  We unfold its output
 * and fold again on character boundaries ourselves, so the rule of RFC 5545
 * §3.1 (at most 75 octets a line, multi-octet characters not split) does
 * not depend on the libical release the daemon runs with (ical_fold.c).
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "ical.h"
#include "ical_internal.h"
#include "util.h"

#define ICAL_PRODID "-//gremiumd//gremiumd " PACKAGE_VERSION "//EN"
#define ICAL_MAX_SUBZONES 16    /* STANDARD/DAYLIGHT parts we look at */

/* State while one VCALENDAR is built. */
struct builder {
	const struct gr_config *cfg;
	const char *tzid;
	struct icaltimetype dtstamp;  /* UTC */
	int sequence;                 /* < 0: no SEQUENCE */
	time_t modified;              /* LAST-MODIFIED (the feed), 0 = none */
	const char *description;      /* the object's DESCRIPTION, or NULL */
	const struct gr_member *member; /* the invitee (REQUEST/CANCEL), or NULL */
	int first_year;               /* earliest local time written, 0 = none */
	bool failed;                  /* an allocation failed somewhere */
};

int ical_uid(const struct gr_config *cfg, const struct ical_object *obj,
             char *buf, size_t len)
{
	const struct gr_series *s = obj->series;

	if (obj->uid) {
		if ((size_t)snprintf(buf, len, "%s", obj->uid) >= len)
			return -ENOSPC;
		return 0;
	}
	if (obj->moved)
		return util_moved_uid(&cfg->committee, s->id, obj->moved, buf, len);
	if (obj->date_index >= 0 && (size_t)obj->date_index >= s->n_dates)
		return -EINVAL;
	return util_object_uid(&cfg->committee, s->id,
	                       obj->date_index < 0 ? NULL : &s->dates[obj->date_index], false,
	                       buf, len);
}

/* ---- small property helpers ---- */

static void put(struct builder *b, icalcomponent *c, icalproperty *p)
{
	if (!p) {
		b->failed = true;
		return;
	}
	icalcomponent_add_property(c, p);
}

static void put_text(struct builder *b, icalcomponent *c,
                     icalproperty *(*make)(const char *), const char *v)
{
	if (v && *v)
		put(b, c, make(v));
}

static struct icaltimetype floating(const struct gr_localtime *lt)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = lt->year;
	t.month = lt->month;
	t.day = lt->day;
	t.hour = lt->hour;
	t.minute = lt->minute;
	return t;
}

/* A local time property (DTSTART, DTEND, EXDATE, RECURRENCE-ID) with the
 * plain TZID.  The icalproperty_new_* constructors drop the zone of a
 * time, so the parameter is added by hand. */
static void put_local(struct builder *b, icalcomponent *c,
                      icalproperty *(*make)(struct icaltimetype),
                      const struct gr_localtime *lt)
{
	icalproperty *p = make(floating(lt));
	icalparameter *tz;

	if (!p) {
		b->failed = true;
		return;
	}
	tz = icalparameter_new_tzid(b->tzid);
	if (!tz)
		b->failed = true;
	else
		icalproperty_add_parameter(p, tz);
	icalcomponent_add_property(c, p);
	if (b->first_year == 0 || lt->year < b->first_year)
		b->first_year = lt->year;
}

/* TEXT escaping of RFC 5545 §3.3.11 for the X- properties, whose values
 * libical writes verbatim. */
static char *escape_text(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			*o++ = '\\';
			*o++ = *s;
		} else if (*s == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*s != '\r') {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static void put_x(struct builder *b, icalcomponent *c, const char *name, const char *value)
{
	char *v = escape_text(value);
	icalproperty *p = v ? icalproperty_new_x(v) : NULL;

	free(v);
	if (p)
		icalproperty_set_x_name(p, name);
	put(b, c, p);
}

/* A CN parameter without '"' and '^': libical 3.0.16 escapes them as
 * RFC 6868 ^' and ^^, which Outlook shows literally. */
static icalparameter *cn_param(const char *name)
{
	char *v = util_strdup0(name);
	icalparameter *p;

	if (!v)
		return NULL;
	for (char *q = v; *q; q++) {
		if (*q == '"' || *q == '^')
			*q = '\'';
		else if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	}
	p = icalparameter_new_cn(v);
	free(v);
	return p;
}

/* ORGANIZER or ATTENDEE with mailto: address and CN. */
static icalproperty *person(icalproperty *(*make)(const char *), const char *name,
                            const char *email)
{
	char *uri = util_asprintf("mailto:%s", email);
	icalproperty *p = uri ? make(uri) : NULL;
	icalparameter *cn;

	free(uri);
	if (!p)
		return NULL;
	if (!name || !*name)
		return p;       /* no CN rather than an empty one */
	cn = cn_param(name);
	if (!cn) {
		icalproperty_free(p);
		return NULL;
	}
	icalproperty_add_parameter(p, cn);
	return p;
}

/* RFC 5546 §3.2.2: the invitee, who is asked to answer (RSVP). */
static icalproperty *attendee(const struct gr_member *m)
{
	icalproperty *p = person(icalproperty_new_attendee, m->name, m->email);
	icalparameter *params[4];

	if (!p)
		return NULL;
	params[0] = icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL);
	params[1] = icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT);
	params[2] = icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION);
	params[3] = icalparameter_new_rsvp(ICAL_RSVP_TRUE);
	for (size_t i = 0; i < 4; i++) {
		if (!params[i]) {
			for (size_t j = i + 1; j < 4; j++)
				if (params[j])
					icalparameter_free(params[j]);
			icalproperty_free(p);
			return NULL;
		}
		icalproperty_add_parameter(p, params[i]);
	}
	return p;
}

/* Only the one recipient's ATTENDEE: no member sees the others' addresses. */
static void put_people(struct builder *b, icalcomponent *ev, const struct gr_member *m)
{
	const struct gr_committee *c = &b->cfg->committee;

	put(b, ev, person(icalproperty_new_organizer, c->organizer_name, c->organizer_email));
	put(b, ev, attendee(m));
}

/* ---- events ---- */

static struct gr_localtime local_end(const struct builder *b, const struct gr_series *s,
                                     const struct gr_localtime *start)
{
	struct gr_localtime end;
	time_t t = sched_to_utc(start, b->tzid) + (time_t)s->duration * 60;

	sched_from_utc(t, b->tzid, &end);
	return end;
}

/* DESCRIPTION: the series' text, then the meeting link on its own line, so
 * clients that hide URL still show it. */
static void put_description(struct builder *b, icalcomponent *ev, const struct gr_series *s)
{
	char *d;

	if (b->description) {
		put_text(b, ev, icalproperty_new_description, b->description);
		return;
	}
	if (s->description && s->url)
		d = util_asprintf("%s\n\n%s", s->description, s->url);
	else if (s->description || s->url)
		d = util_strdup0(s->description ? s->description : s->url);
	else
		return;
	if (!d) {
		b->failed = true;
		return;
	}
	put(b, ev, icalproperty_new_description(d));
	free(d);
}

/* A VEVENT with what every variant shares: UID, DTSTAMP, SEQUENCE, times,
 * texts.  NULL on allocation failure. */
static icalcomponent *event_new(struct builder *b, const struct gr_series *s, const char *uid,
                                const struct gr_localtime *start, const struct gr_localtime *end)
{
	icalcomponent *ev = icalcomponent_new_vevent();

	if (!ev) {
		b->failed = true;
		return NULL;
	}
	put(b, ev, icalproperty_new_uid(uid));
	put(b, ev, icalproperty_new_dtstamp(b->dtstamp));
	if (b->sequence >= 0)
		put(b, ev, icalproperty_new_sequence(b->sequence));
	if (b->modified > 0)
		put(b, ev, icalproperty_new_lastmodified(icaltime_from_timet_with_zone(
		                b->modified, 0, icaltimezone_get_utc_timezone())));
	put_local(b, ev, icalproperty_new_dtstart, start);
	put_local(b, ev, icalproperty_new_dtend, end);
	put_text(b, ev, icalproperty_new_summary, s->summary);
	put_text(b, ev, icalproperty_new_location, s->location);
	put_text(b, ev, icalproperty_new_url, s->url);
	put_description(b, ev, s);
	/* RFC 5546 §3.2.2: ORGANIZER and ATTENDEE in every VEVENT of a REQUEST,
	 * the override VEVENTs included */
	if (b->member)
		put_people(b, ev, b->member);
	return ev;
}

/* RFC 5545 §3.3.10: with a DTSTART that has a TZID, UNTIL "MUST be
 * specified in UTC time".  A date or local UNTIL of the config is taken
 * as the end of that day / that local time in the committee's zone. */
static icalproperty *rrule_property(const struct builder *b, const char *rrule)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);

	if (r.freq == ICAL_NO_RECURRENCE)
		return NULL;
	if (!icaltime_is_null_time(r.until) && !icaltime_is_utc(r.until)) {
		struct gr_localtime lt = { r.until.year, r.until.month, r.until.day,
		                           r.until.is_date ? 23 : r.until.hour,
		                           r.until.is_date ? 59 : r.until.minute };
		time_t t = sched_to_utc(&lt, b->tzid) + (r.until.is_date ? 59 : r.until.second);

		r.until = icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
	}
	return icalproperty_new_rrule(r);
}

static bool occ_of(const struct gr_occurrence *o, const struct ical_object *obj)
{
	return o->series == obj->series && o->date_index == obj->date_index &&
	       (!obj->moved || sched_compare(&o->original, obj->moved) == 0);
}

/* An override VEVENT (RECURRENCE-ID = original) of the texts of s. */
static void override_event(struct builder *b, const struct gr_series *s, const char *uid,
                           const struct gr_localtime *original, const struct gr_localtime *start,
                           const struct gr_localtime *end, icalcomponent *evs)
{
	icalcomponent *ev = event_new(b, s, uid, start, end);

	if (!ev)
		return;
	put_local(b, ev, icalproperty_new_recurrenceid, original);
	put(b, ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	put(b, ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalcomponent_add_component(evs, ev);
}

/* s with the texts of a past meeting (shallow: borrows both). */
static struct gr_series as_it_was(const struct gr_series *s, const struct gr_past_occurrence *p)
{
	struct gr_series v = *s;

	v.summary = (char *)p->summary;
	v.description = (char *)p->description;
	v.location = (char *)p->location;
	v.url = (char *)p->url;
	return v;
}

/* feed.agenda: pub's agenda text of the meeting with this original
 * start, or NULL. */
static const char *agenda_of(const struct gr_published *pub, const struct gr_localtime *original)
{
	for (size_t i = 0; pub && i < pub->n_agendas; i++)
		if (pub->agendas[i].text && sched_compare(&pub->agendas[i].occ->original, original) == 0)
			return pub->agendas[i].text;
	return NULL;
}

/* The DESCRIPTION of a meeting with its agenda: the agenda, then what
 * put_description() writes (set in b->description; the caller frees). */
static char *with_agenda(struct builder *b, const struct gr_series *s, const char *agenda)
{
	char *d = util_asprintf("%s%s%s%s%s", agenda, s->description ? "\n\n" : "",
	                        s->description ? s->description : "", s->url ? "\n\n" : "",
	                        s->url ? s->url : "");

	if (!d)
		b->failed = true;
	b->description = d;
	return d;
}

/* An override VEVENT in the feed (no member): with the agenda of that
 * meeting, if any, in its DESCRIPTION. */
static void feed_override(struct builder *b, const struct gr_series *s, const char *uid,
                          const struct gr_localtime *original, const struct gr_localtime *start,
                          const struct gr_localtime *end, const char *agenda, icalcomponent *evs)
{
	char *d = agenda ? with_agenda(b, s, agenda) : NULL;

	override_event(b, s, uid, original, start, end, evs);
	free(d);
	b->description = NULL;
}

/* An rrule series: the master VEVENT with RRULE and EXDATEs (moved
 * meetings are objects of their own).  In the feed (pub != NULL or no
 * member) also one VEVENT per meeting that took place under an earlier
 * version (RFC 5545 §3.8.4.4, MS-OXCICAL: same UID, RECURRENCE-ID = the
 * original start in the same TZID).  Appended to evs. */
static void recurring_events(struct builder *b, const struct ical_object *obj, const char *uid,
                             const struct sched_list *occ, const struct gr_published *pub,
                             icalcomponent *evs)
{
	const struct gr_series *s = obj->series;
	struct gr_localtime end = local_end(b, s, &s->start);
	icalcomponent *master = event_new(b, s, uid, &s->start, &end);

	if (!master)
		return;
	put(b, master, rrule_property(b, s->rrule));
	for (size_t i = 0; occ && i < occ->n; i++) {
		const struct gr_occurrence *o = &occ->items[i];

		/* exactly the regular local start, or clients keep the meeting */
		if (occ_of(o, obj) && o->status != GR_OCC_CONFIRMED)
			put_local(b, master, icalproperty_new_exdate, &o->original);
	}
	put(b, master, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	put(b, master, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalcomponent_add_component(evs, master);
	if (b->member)
		return;
	for (size_t i = 0; pub && i < pub->n_past; i++) {
		const struct gr_past_occurrence *p = &pub->past[i];
		struct gr_series was = as_it_was(s, p);

		feed_override(b, &was, uid, &p->original, &p->start, &p->end,
		              agenda_of(pub, &p->original), evs);
	}
	/* feed.agenda: the other meetings with an agenda, as they are now */
	for (size_t i = 0; pub && i < pub->n_agendas; i++) {
		const struct gr_occurrence *x = pub->agendas[i].occ;
		bool past = false;

		for (size_t j = 0; j < pub->n_past; j++)
			past = past || sched_compare(&pub->past[j].original, &x->original) == 0;
		if (!past)
			feed_override(b, s, uid, &x->original, &x->start, &x->end,
			              pub->agendas[i].text, evs);
	}
}

/* One date of a dated series, or a moved meeting of an rrule series: a
 * plain VEVENT; moved means a new DTSTART under the same UID, cancelled or
 * skipped means STATUS:CANCELLED. */
static void single_event(struct builder *b, const struct ical_object *obj, const char *uid,
                         const struct sched_list *occ, const struct gr_published *pub,
                         icalcomponent *evs)
{
	const struct gr_series *s = obj->series;
	struct gr_localtime start = obj->moved ? *obj->moved : s->dates[obj->date_index];
	struct gr_localtime end = local_end(b, s, &start);
	struct gr_series was;
	enum icalproperty_status status = ICAL_STATUS_CONFIRMED;
	icalcomponent *ev;

	for (size_t i = 0; occ && i < occ->n; i++) {
		const struct gr_occurrence *o = &occ->items[i];

		if (!occ_of(o, obj))
			continue;
		start = o->start;
		end = o->end;
		if (o->status == GR_OCC_CANCELLED || o->status == GR_OCC_SKIPPED)
			status = ICAL_STATUS_CANCELLED;
	}
	/* a meeting that took place under an earlier version: as it was */
	if (pub && pub->n_past) {
		was = as_it_was(s, &pub->past[0]);
		s = &was;
		start = pub->past[0].start;
		end = pub->past[0].end;
	}
	/* feed.agenda: a meeting of its own with its agenda */
	char *d = pub && pub->n_agendas && pub->agendas[0].text ?
	          with_agenda(b, s, pub->agendas[0].text) : NULL;
	ev = event_new(b, s, uid, &start, &end);
	if (d)
		b->description = NULL;
	free(d);
	if (!ev)
		return;
	put(b, ev, icalproperty_new_status(status));
	put(b, ev, icalproperty_new_transp(status == ICAL_STATUS_CANCELLED ?
	                                   ICAL_TRANSP_TRANSPARENT : ICAL_TRANSP_OPAQUE));
	icalcomponent_add_component(evs, ev);
}

/* The object's VEVENTs, appended to evs. */
static void object_events(struct builder *b, const struct ical_object *obj,
                          const struct sched_list *occ, const struct gr_published *pub,
                          icalcomponent *evs)
{
	char uid[512];

	b->description = obj->description;
	if (ical_uid(b->cfg, obj, uid, sizeof(uid)) < 0) {
		b->failed = true;
		return;
	}
	if (obj->date_index < 0 && !obj->moved)
		recurring_events(b, obj, uid, occ, pub, evs);
	else
		single_event(b, obj, uid, occ, pub, evs);
}

/* ---- time zone ---- */

static bool same_prop(icalcomponent *a, icalcomponent *b, icalproperty_kind kind)
{
	icalproperty *pa = icalcomponent_get_first_property(a, kind);
	icalproperty *pb = icalcomponent_get_first_property(b, kind);
	char *sa, *sb;
	bool eq;

	if (!pa || !pb)
		return pa == pb;
	sa = icalproperty_get_value_as_string_r(pa);
	sb = icalproperty_get_value_as_string_r(pb);
	eq = sa && sb && strcmp(sa, sb) == 0;
	free(sa);
	free(sb);
	return eq;
}

/* Is b the same yearly rule as a, continued after a's UNTIL?  The system
 * zoneinfo ends its explicit transitions in 2037, so libical's VTIMEZONE
 * has each rule twice: once until 2037, once open-ended from then. */
static bool continues(icalcomponent *a, icalcomponent *b)
{
	icalproperty *ra = icalcomponent_get_first_property(a, ICAL_RRULE_PROPERTY);
	icalproperty *rb = icalcomponent_get_first_property(b, ICAL_RRULE_PROPERTY);
	struct icalrecurrencetype x, y;
	char *sx, *sy;
	bool eq;

	if (icalcomponent_isa(a) != icalcomponent_isa(b) || !ra || !rb ||
	    !same_prop(a, b, ICAL_TZOFFSETFROM_PROPERTY) || !same_prop(a, b, ICAL_TZOFFSETTO_PROPERTY) ||
	    !same_prop(a, b, ICAL_TZNAME_PROPERTY))
		return false;
	x = icalproperty_get_rrule(ra);
	y = icalproperty_get_rrule(rb);
	if (icaltime_is_null_time(x.until) || !icaltime_is_null_time(y.until) ||
	    icalcomponent_get_dtstart(a).hour != icalcomponent_get_dtstart(b).hour)
		return false;
	x.until = icaltime_null_time();
	sx = icalrecurrencetype_as_string_r(&x);
	sy = icalrecurrencetype_as_string_r(&y);
	eq = sx && sy && strcmp(sx, sy) == 0;
	free(sx);
	free(sy);
	return eq;
}

/* Merge such pairs into one open-ended rule: Outlook reduces a VTIMEZONE
 * to one STANDARD/DAYLIGHT pair anyway (MS-STANOICAL 2.2.47). */
static void merge_continued_rules(icalcomponent *vtz)
{
	icalcomponent *sub[ICAL_MAX_SUBZONES];
	size_t n = 0;

	for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c && n < ICAL_MAX_SUBZONES; c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT))
		sub[n++] = c;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; sub[i] && j < n; j++) {
			icalproperty *ra;
			struct icalrecurrencetype r;

			if (!sub[j] || !continues(sub[i], sub[j]))
				continue;
			ra = icalcomponent_get_first_property(sub[i], ICAL_RRULE_PROPERTY);
			r = icalproperty_get_rrule(ra);
			r.until = icaltime_null_time();
			icalproperty_set_rrule(ra, r);
			icalcomponent_remove_component(vtz, sub[j]);
			icalcomponent_free(sub[j]);
			sub[j] = NULL;
		}
	}
}

/* The VTIMEZONE for tzid from first_year on, with the plain Olson TZID.
 * ms_compatible=1 keeps one yearly RRULE pair instead of a list of RDATEs,
 * which Outlook cannot read.  NULL on failure. */
static icalcomponent *make_vtimezone(const char *tzid, int first_year)
{
	icaltimezone *z = icaltimezone_get_builtin_timezone(tzid);
	icalcomponent *own = z ? icaltimezone_get_component(z) : NULL;
	icalcomponent *c;
	struct icaltimetype from = icaltime_null_time();
	icalproperty *p;

	/* libical's "UTC" is built in without a component; Etc/UTC has one */
	if (!own && strcmp(tzid, "UTC") == 0) {
		z = icaltimezone_get_builtin_timezone("Etc/UTC");
		own = z ? icaltimezone_get_component(z) : NULL;
	}
	c = own ? icalcomponent_new_clone(own) : NULL;
	if (!c)
		return NULL;
	from.year = first_year;
	from.month = 1;
	from.day = 1;
	/* end = null: open-ended, an rrule series has no last year */
	icaltimezone_truncate_vtimezone(c, from, icaltime_null_time(), 1);
	merge_continued_rules(c);
	p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
	if (!p) {
		icalcomponent_free(c);
		return NULL;
	}
	icalproperty_set_tzid(p, tzid);
	return c;
}

/*
 * The same VTIMEZONE goes into every invitation of a run: made once, then
 * cloned.  Truncating libical's zone took a third of the time to render an
 * invitation (10,000 of them in the benchmark).  service.c renders with
 * several threads, so the cache has a lock; it stays reachable until exit.
 */
static struct {
	pthread_mutex_t lock;
	char tzid[128];
	int first_year;
	icalcomponent *c;
} tz_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static icalcomponent *vtimezone(const char *tzid, int first_year)
{
	icalcomponent *c;

	pthread_mutex_lock(&tz_cache.lock);
	if (tz_cache.c && tz_cache.first_year == first_year && strcmp(tz_cache.tzid, tzid) == 0) {
		c = icalcomponent_new_clone(tz_cache.c);
		pthread_mutex_unlock(&tz_cache.lock);
		return c;
	}
	c = make_vtimezone(tzid, first_year);
	if (c && strlen(tzid) < sizeof(tz_cache.tzid)) {
		if (tz_cache.c)
			icalcomponent_free(tz_cache.c);
		tz_cache.c = icalcomponent_new_clone(c);
		tz_cache.first_year = first_year;
		snprintf(tz_cache.tzid, sizeof(tz_cache.tzid), "%s", tzid);
	}
	pthread_mutex_unlock(&tz_cache.lock);
	return c;
}

/* ---- output ---- */

static icalcomponent *calendar_new(struct builder *b, icalproperty_method method)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();

	if (!cal) {
		b->failed = true;
		return NULL;
	}
	put(b, cal, icalproperty_new_version("2.0"));
	put(b, cal, icalproperty_new_prodid(ICAL_PRODID));
	put(b, cal, icalproperty_new_calscale("GREGORIAN"));
	put(b, cal, icalproperty_new_method(method));
	return cal;
}

/* Move the VTIMEZONE and then the VEVENTs of evs into cal and serialize.
 * Frees cal and evs; NULL on any failure recorded in b. */
static char *finish(struct builder *b, icalcomponent *cal, icalcomponent *evs)
{
	icalcomponent *c, *tz = NULL;
	char *raw = NULL, *out = NULL;

	if (cal && b->first_year > 0) {
		tz = vtimezone(b->tzid, b->first_year);
		if (tz)
			icalcomponent_add_component(cal, tz);
		else
			b->failed = true;
	}
	while (cal && evs && (c = icalcomponent_get_first_component(evs, ICAL_ANY_COMPONENT))) {
		icalcomponent_remove_component(evs, c);
		icalcomponent_add_component(cal, c);
	}
	if (cal && evs && !b->failed)
		raw = icalcomponent_as_ical_string_r(cal);
	if (raw)
		out = ical_refold(raw);
	free(raw);
	if (cal)
		icalcomponent_free(cal);
	if (evs)
		icalcomponent_free(evs);
	return out;
}

static void builder_init(struct builder *b, const struct gr_config *cfg,
                         const struct gr_member *member, int sequence, time_t dtstamp)
{
	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->tzid = cfg->committee.timezone;
	b->member = member;
	b->sequence = sequence;
	/* DTSTAMP "MUST be specified in the UTC time format" (RFC 5545 §3.8.7.2) */
	b->dtstamp = icaltime_from_timet_with_zone(dtstamp, 0, icaltimezone_get_utc_timezone());
}

/* RFC 7986 §5: NAME and REFRESH-INTERVAL, plus the X-WR-/X-PUBLISHED-TTL
 * names that Outlook and Apple Calendar read instead. */
static void feed_header(struct builder *b, icalcomponent *cal)
{
	const struct gr_committee *c = &b->cfg->committee;

	put(b, cal, icalproperty_new_name(c->name));
	put_x(b, cal, "X-WR-CALNAME", c->name);
	put_x(b, cal, "X-WR-TIMEZONE", c->timezone);
	put(b, cal, icalproperty_new_refreshinterval(icaldurationtype_from_int(3600)));
	put_x(b, cal, "X-PUBLISHED-TTL", "PT1H");
}

/* pub's entry for (series, date_index), or NULL. */
static const struct gr_published *published_of(const struct gr_published *pub, size_t n,
                                               const struct ical_object *obj)
{
	for (size_t i = 0; pub && i < n; i++)
		if (pub[i].series == obj->series && pub[i].date_index == obj->date_index &&
		    pub[i].moved == (obj->moved != NULL) &&
		    (!obj->moved || sched_compare(&pub[i].original, obj->moved) == 0))
			return &pub[i];
	return NULL;
}

/* One object of the feed, with what the state says of it. */
static void feed_object(struct builder *b, struct ical_object *obj, const struct sched_list *occ,
                        const struct gr_published *pub, size_t n_pub, time_t dtstamp,
                        icalcomponent *evs)
{
	const struct gr_published *p = published_of(pub, n_pub, obj);

	obj->uid = p && p->uid[0] ? p->uid : NULL;
	/* RFC 5545 §3.8.7.4: the same SEQUENCE as the invitations */
	b->sequence = p && p->sequence > 0 ? p->sequence : 0;
	b->modified = p && p->modified > 0 ? p->modified : dtstamp;
	object_events(b, obj, occ, p, evs);
}

char *ical_publish(const struct gr_config *cfg, const struct sched_list *occ,
                   time_t dtstamp, const struct gr_published *pub, size_t n_pub)
{
	struct builder b;
	icalcomponent *cal, *evs;

	builder_init(&b, cfg, NULL, -1, dtstamp);
	cal = calendar_new(&b, ICAL_METHOD_PUBLISH);
	evs = icalcomponent_new_vcalendar();
	if (cal)
		feed_header(&b, cal);
	for (size_t i = 0; cal && evs && i < cfg->n_series; i++) {
		const struct gr_series *s = &cfg->series[i];
		struct ical_object obj = { s, -1, NULL, NULL, NULL };

		if (s->rrule)
			feed_object(&b, &obj, occ, pub, n_pub, dtstamp, evs);
		/* its moved meetings: objects of their own, as invited */
		for (size_t j = 0; s->rrule && occ && j < occ->n; j++) {
			struct ical_object mv = { s, -1, NULL, NULL, &occ->items[j].original };
			if (occ->items[j].series == s && occ->items[j].status == GR_OCC_MOVED)
				feed_object(&b, &mv, occ, pub, n_pub, dtstamp, evs);
		}
		for (size_t j = 0; !s->rrule && j < s->n_dates; j++) {
			obj.date_index = (int)j;
			feed_object(&b, &obj, occ, pub, n_pub, dtstamp, evs);
		}
	}
	return finish(&b, cal, evs);
}

char *ical_request(const struct gr_config *cfg, const struct ical_object *obj,
                   const struct sched_list *occ, const struct gr_member *member,
                   int sequence, time_t dtstamp)
{
	struct builder b;
	icalcomponent *cal, *evs;

	builder_init(&b, cfg, member, sequence, dtstamp);
	cal = calendar_new(&b, ICAL_METHOD_REQUEST);
	evs = icalcomponent_new_vcalendar();
	if (cal && evs)
		object_events(&b, obj, occ, NULL, evs);
	return finish(&b, cal, evs);
}

char *ical_request_occurrence(const struct gr_config *cfg, const struct ical_object *obj,
                              const struct gr_occurrence *x, const struct gr_member *member,
                              int sequence, time_t dtstamp)
{
	struct builder b;
	icalcomponent *cal, *evs;
	char uid[512];

	builder_init(&b, cfg, member, sequence, dtstamp);
	b.description = obj->description;
	if (ical_uid(cfg, obj, uid, sizeof(uid)) < 0)
		return NULL;
	cal = calendar_new(&b, ICAL_METHOD_REQUEST);
	evs = icalcomponent_new_vcalendar();
	if (cal && evs)
		override_event(&b, obj->series, uid, &x->original, &x->start, &x->end, evs);
	return finish(&b, cal, evs);
}

/* ---- for ical_cache.c (ical_internal.h) ---- */

/* The member's ATTENDEE line as libical writes it, unfolded, or NULL. */
char *ical_attendee_line(const struct gr_member *m)
{
	icalproperty *p = attendee(m);
	char *raw = p ? icalproperty_as_ical_string_r(p) : NULL, *line = raw ? ical_unfold(raw) : NULL;

	if (p)
		icalproperty_free(p);
	free(raw);
	return line;
}

/* RFC 5546 §3.2.5: CANCEL carries UID, SEQUENCE, ORGANIZER, the ATTENDEE
 * and, for one occurrence, its RECURRENCE-ID; STATUS:CANCELLED. */
char *ical_cancel(const struct gr_config *cfg, const struct ical_object *obj,
                  const struct gr_localtime *recurrence_id, const char *comment,
                  const struct gr_member *member, int sequence, time_t dtstamp)
{
	const struct gr_series *s = obj->series;
	struct builder b;
	struct gr_localtime start, end;
	icalcomponent *cal, *evs, *ev = NULL;
	char uid[512];

	builder_init(&b, cfg, member, sequence, dtstamp);
	b.description = obj->description;
	if (ical_uid(cfg, obj, uid, sizeof(uid)) < 0)
		return NULL;
	if (recurrence_id)
		start = *recurrence_id;
	else
		start = obj->date_index < 0 ? s->start : s->dates[obj->date_index];
	end = local_end(&b, s, &start);
	cal = calendar_new(&b, ICAL_METHOD_CANCEL);
	evs = icalcomponent_new_vcalendar();
	if (cal && evs)
		ev = event_new(&b, s, uid, &start, &end);
	if (ev) {
		if (recurrence_id)
			put_local(&b, ev, icalproperty_new_recurrenceid, recurrence_id);
		else if (s->rrule)
			put(&b, ev, rrule_property(&b, s->rrule));
		put(&b, ev, icalproperty_new_status(ICAL_STATUS_CANCELLED));
		put_text(&b, ev, icalproperty_new_comment, comment);
		icalcomponent_add_component(evs, ev);
	}
	return finish(&b, cal, evs);
}
