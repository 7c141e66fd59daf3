/* SPDX-License-Identifier: MIT */
/*
 * reply.c - iMIP REPLY/COUNTER calendar text -> struct gr_reply (reply.h),
 * with libical.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "reply.h"

/* BEGIN: nesting deeper than this is refused before libical sees it (a
 * VCALENDAR > VTIMEZONE > STANDARD is 3; VALARM in a VEVENT 3) */
#define MAX_DEPTH 8

/* Windows zone names Outlook/Exchange write, for a TZID without a VTIMEZONE
 * (CLDR windowsZones, the zones of the committees we serve). */
static const struct {
	const char *windows, *olson;
} windows_zones[] = {
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "UTC", "Etc/UTC" },
};

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

const char *reply_method_name(enum reply_method m)
{
	return m == REPLY_METHOD_COUNTER ? "COUNTER" : "REPLY";
}

/* Count BEGIN: lines and their nesting before libical parses (its tree
 * is recursive: a deep one would be a deep recursion when freed). */
static int check_shape(const char *text, char *err, size_t errlen)
{
	size_t n = 0;
	int depth = 0;

	for (const char *p = text; p && *p;) {
		if (strncasecmp(p, "BEGIN:", 6) == 0) {
			if (++n > REPLY_MAX_COMPONENTS)
				return fail(err, errlen, -E2BIG, "more than %d components",
				            REPLY_MAX_COMPONENTS);
			if (++depth > MAX_DEPTH)
				return fail(err, errlen, -E2BIG, "components nested deeper than %d",
				            MAX_DEPTH);
		} else if (strncasecmp(p, "END:", 4) == 0 && depth > 0) {
			depth--;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n ? 0 : fail(err, errlen, -EINVAL, "not a calendar (no BEGIN:VCALENDAR)");
}

/* A copy of s cut at REPLY_MAX_FIELD bytes (at a character boundary),
 * invalid UTF-8 and control characters replaced, so that it is one line
 * of valid UTF-8.  NULL for NULL or "" (and on ENOMEM: *oom set). */
static char *field(const char *s, bool *oom)
{
	size_t len, i = 0, o = 0;
	char *d;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	len = strnlen(s, REPLY_MAX_FIELD);
	/* trailing white space (Outlook ends its COMMENT in "\n") */
	while (len > 0 && strchr(" \t\r\n", s[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	d = malloc(len + 1);
	if (!d) {
		*oom = true;
		return NULL;
	}
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		           (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = k > 0 && i + k <= len && !(k == 2 && c < 0xc2);

		for (size_t j = 1; ok && j < k; j++)
			ok = ((unsigned char)s[i + j] & 0xc0) == 0x80;
		if (!ok) {
			if (k > 1 && i + k > len && len == REPLY_MAX_FIELD)
				break;  /* cut inside a character: drop its rest */
			d[o++] = '?';
			i++;
			continue;
		}
		if (k == 1 && (c < 0x20 || c == 0x7f)) {
			d[o++] = ' ';
			i++;
			continue;
		}
		memcpy(d + o, s + i, k);
		o += k;
		i += k;
	}
	d[o] = '\0';
	return d;
}

/* An address: "mailto:" dropped (any case), quotes and what follows a
 * second value dropped, lower-cased. */
static char *address(const char *v, bool *oom)
{
	char *a, *q;

	if (!v)
		return NULL;
	while (*v == '"' || *v == ' ')
		v++;
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	a = field(v, oom);
	if (!a)
		return NULL;
	q = strpbrk(a, "\",");
	if (q)
		*q = '\0';
	for (q = a; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	if (!*a || !strchr(a, '@')) {
		free(a);
		return NULL;
	}
	return a;
}

/* Is the VTIMEZONE of z one libical expands in bounded time?  Its
 * observances repeat at most yearly (libical expands every rule from its
 * DTSTART on: a FREQ=SECONDLY from 1601 would take hours). */
static bool zone_sane(icaltimezone *z)
{
	icalcomponent *c = icaltimezone_get_component(z), *sub;
	icalproperty *p;

	if (!c)
		return false;
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		size_t n = 0;

		for (p = icalcomponent_get_first_property(sub, ICAL_RRULE_PROPERTY); p;
		     p = icalcomponent_get_next_property(sub, ICAL_RRULE_PROPERTY)) {
			struct icalrecurrencetype rule = icalproperty_get_rrule(p);

			if (rule.freq != ICAL_YEARLY_RECURRENCE || rule.interval < 1 || ++n > 4)
				return false;
		}
	}
	return true;
}

/* The zone a TZID names: the calendar's own VTIMEZONE, an Olson name, a
 * Windows name; NULL when unknown (the time is then read as local). */
static icaltimezone *zone_of(icalcomponent *cal, const char *tzid)
{
	icaltimezone *z;

	if (!tzid)
		return NULL;
	z = icalcomponent_get_timezone(cal, tzid);
	if (z && !zone_sane(z))
		z = NULL;
	if (!z)
		z = icaltimezone_get_builtin_timezone(tzid);
	for (size_t i = 0; !z && i < sizeof(windows_zones) / sizeof(windows_zones[0]); i++)
		if (strcasecmp(tzid, windows_zones[i].windows) == 0)
			z = icaltimezone_get_builtin_timezone(windows_zones[i].olson);
	icalerror_clear_errno();
	return z;
}

/* The date-time of property p (of kind) in the committee's zone `local`;
 * false when p is missing or not a valid time. */
static bool local_time(icalcomponent *cal, icalproperty *p, icaltimezone *local,
                       struct icaltimetype *ret)
{
	icalparameter *tzp;
	struct icaltimetype t;
	icaltimezone *z = NULL;

	if (!p)
		return false;
	t = icalproperty_get_datetime_with_component(p, NULL);
	icalerror_clear_errno();
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t) || t.year < 1900 ||
	    t.year > 9999)
		return false;
	if (t.is_date) {
		*ret = t;
		return true;
	}
	if (icaltime_is_utc(t)) {
		z = icaltimezone_get_utc_timezone();
	} else {
		tzp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
		z = tzp ? zone_of(cal, icalparameter_get_tzid(tzp)) : NULL;
	}
	/* whatever zone libical attached itself (it would take the
	 * calendar's VTIMEZONE unchecked), only z counts */
	t.zone = NULL;
	if (z) {
		t = icaltime_set_timezone(&t, z);
		t = icaltime_convert_to_zone(t, local);
	}
	*ret = t;
	return true;
}

static void local_text(struct icaltimetype t, char *buf, size_t len)
{
	if (t.is_date)
		snprintf(buf, len, "%04d-%02d-%02d", t.year, t.month, t.day);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d", t.year, t.month, t.day, t.hour,
		         t.minute);
}

static enum gr_answer answer_of(icalparameter_partstat ps)
{
	switch (ps) {
	case ICAL_PARTSTAT_ACCEPTED:
		return GR_ANSWER_ACCEPTED;
	case ICAL_PARTSTAT_DECLINED:
		return GR_ANSWER_DECLINED;
	case ICAL_PARTSTAT_TENTATIVE:
		return GR_ANSWER_TENTATIVE;
	case ICAL_PARTSTAT_DELEGATED:
		return GR_ANSWER_DELEGATED;
	default:
		return GR_ANSWER_NONE;
	}
}

/* The value of X-parameter name of p, or NULL. */
static const char *x_param(icalproperty *p, const char *name)
{
	for (icalparameter *x = icalproperty_get_first_parameter(p, ICAL_X_PARAMETER); x;
	     x = icalproperty_get_next_parameter(p, ICAL_X_PARAMETER))
		if (icalparameter_get_xname(x) && strcasecmp(icalparameter_get_xname(x), name) == 0)
			return icalparameter_get_xvalue(x);
	return NULL;
}

/* The answer's comment: COMMENT (RFC 5545; Outlook, Thunderbird), Google's
 * X-RESPONSE-COMMENT on the ATTENDEE, Apple's CalendarServer property. */
static const char *comment_of(icalcomponent *ev, icalproperty *att)
{
	icalproperty *p = icalcomponent_get_first_property(ev, ICAL_COMMENT_PROPERTY);
	const char *v = p ? icalproperty_get_comment(p) : NULL;

	if (!v && att)
		v = x_param(att, "X-RESPONSE-COMMENT");
	for (p = icalcomponent_get_first_property(ev, ICAL_X_PROPERTY); !v && p;
	     p = icalcomponent_get_next_property(ev, ICAL_X_PROPERTY)) {
		const char *n = icalproperty_get_x_name(p);

		if (n && (strcasecmp(n, "X-CALENDARSERVER-ATTENDEE-COMMENT") == 0 ||
		          strcasecmp(n, "X-CALENDARSERVER-PRIVATE-COMMENT") == 0))
			v = icalproperty_get_x(p);
	}
	return v;
}

/* Fill item from attendee att (may be NULL) of event ev; the event's
 * fields (uid, occurrence, dtstamp, ...) are already in base. */
static int add_item(struct gr_reply *r, const struct reply_item *base, icalcomponent *ev,
                    icalproperty *att)
{
	struct reply_item *it;
	icalparameter *ps = att ? icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER)
	                        : NULL;
	icalparameter *to = att ? icalproperty_get_first_parameter(att, ICAL_DELEGATEDTO_PARAMETER)
	                        : NULL;
	bool oom = false;

	if (r->n_items >= REPLY_MAX_ITEMS)
		return 0;       /* the rest is left out: bounded */
	it = &r->items[r->n_items];
	*it = *base;
	it->uid = field(base->uid, &oom);
	it->attendee = att ? address(icalproperty_get_attendee(att), &oom) : NULL;
	if (ps) {
		const char *raw = icalparameter_as_ical_string(ps);

		it->answer = answer_of(icalparameter_get_partstat(ps));
		if (raw && strncasecmp(raw, "PARTSTAT=", 9) == 0)
			raw += 9;
		it->partstat = field(raw, &oom);
	}
	/* only with DELEGATED: Thunderbird leaves a DELEGATED-TO behind when
	 * the member answers again */
	it->deputy = to && it->answer == GR_ANSWER_DELEGATED ?
	             address(icalparameter_get_delegatedto(to), &oom) : NULL;
	it->comment = field(comment_of(ev, att), &oom);
	r->n_items++;
	icalerror_clear_errno();
	return oom ? -ENOMEM : 0;
}

/* The items of one VEVENT: one per ATTENDEE that is not a delegate's line
 * (DELEGATED-FROM), or one without an attendee. */
static int add_event(struct gr_reply *r, icalcomponent *cal, icalcomponent *ev,
                     icaltimezone *local)
{
	struct reply_item base = { .sequence = -1 };
	struct icaltimetype t;
	icalproperty *p;
	size_t before = r->n_items;
	int rc = 0;

	base.uid = (char *)icalcomponent_get_uid(ev);
	if (!base.uid || !*base.uid)
		return 0;
	if (local_time(cal, icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY), local,
	               &t))
		local_text(t, base.occurrence, sizeof(base.occurrence));
	if (local_time(cal, icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY), local, &t) &&
	    !t.is_date)
		base.dtstamp = icaltime_as_timet_with_zone(t, t.zone ? t.zone : local);
	p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
	if (p)
		base.sequence = icalproperty_get_sequence(p);
	if (r->method == REPLY_METHOD_COUNTER) {
		struct icaltimetype end;

		if (local_time(cal, icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY),
		               local, &t)) {
			local_text(t, base.proposed_start, sizeof(base.proposed_start));
			p = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
			if (local_time(cal, icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY),
			               local, &end))
				local_text(end, base.proposed_end, sizeof(base.proposed_end));
			else if (p)
				local_text(icaltime_add(t, icalproperty_get_duration(p)),
				           base.proposed_end, sizeof(base.proposed_end));
		}
	}
	/* collected first: libical has one property iterator per component,
	 * and add_item() looks at other properties of ev */
	icalproperty *att[REPLY_MAX_ITEMS];
	size_t n_att = 0;

	for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	     p && n_att < REPLY_MAX_ITEMS; p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY))
		if (!icalproperty_get_first_parameter(p, ICAL_DELEGATEDFROM_PARAMETER))
			att[n_att++] = p;
	for (size_t i = 0; rc == 0 && i < n_att; i++)
		rc = add_item(r, &base, ev, att[i]);
	if (rc == 0 && r->n_items == before)
		rc = add_item(r, &base, ev, NULL);
	icalerror_clear_errno();
	return rc;
}

void reply_free(struct gr_reply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_items; i++) {
		free(r->items[i].uid);
		free(r->items[i].attendee);
		free(r->items[i].partstat);
		free(r->items[i].deputy);
		free(r->items[i].comment);
	}
	free(r->items);
	free(r->prodid);
	free(r->organizer);
	memset(r, 0, sizeof(*r));
}

/* The VCALENDAR of what libical parsed (a root of several: the first). */
static icalcomponent *vcalendar(icalcomponent *root)
{
	if (!root)
		return NULL;
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return root;
	return icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
}

static int parse_calendar(icalcomponent *cal, const char *tz, struct gr_reply *r, char *err,
                          size_t errlen)
{
	icaltimezone *local = icaltimezone_get_builtin_timezone(tz);
	icalproperty_method m = icalcomponent_get_method(cal);
	icalcomponent *ev;
	icalproperty *p;
	bool oom = false;
	int rc = 0;

	if (!local)
		return fail(err, errlen, -EINVAL, "unknown time zone %s", tz ? tz : "(none)");
	if (m == ICAL_METHOD_REPLY)
		r->method = REPLY_METHOD_REPLY;
	else if (m == ICAL_METHOD_COUNTER)
		r->method = REPLY_METHOD_COUNTER;
	else if (m == ICAL_METHOD_NONE)
		return fail(err, errlen, -EINVAL, "no METHOD: not an iMIP answer");
	else
		return fail(err, errlen, -EINVAL, "METHOD:%s is not an answer",
		            icalproperty_method_to_string(m));
	p = icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY);
	r->prodid = p ? field(icalproperty_get_prodid(p), &oom) : NULL;
	r->items = calloc(REPLY_MAX_ITEMS, sizeof(*r->items));
	if (!r->items || oom)
		return fail(err, errlen, -ENOMEM, "out of memory");
	/* collected first (one component iterator per component, see
	 * add_event()); check_shape() bounded their number */
	icalcomponent *events[REPLY_MAX_COMPONENTS];
	size_t n_events = 0;

	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev && n_events < REPLY_MAX_COMPONENTS;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		events[n_events++] = ev;
	for (size_t i = 0; rc == 0 && i < n_events; i++) {
		ev = events[i];
		if (!r->organizer) {
			p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
			r->organizer = p ? address(icalproperty_get_organizer(p), &oom) : NULL;
		}
		rc = oom ? -ENOMEM : add_event(r, cal, ev, local);
	}
	if (rc < 0)
		return fail(err, errlen, rc, "out of memory");
	if (r->n_items == 0)
		return fail(err, errlen, -EINVAL, "no VEVENT with a UID");
	return 0;
}

int reply_parse(const char *text, size_t len, const char *tz, struct gr_reply *ret, char *err,
                size_t errlen)
{
	struct gr_reply r = { .method = REPLY_METHOD_REPLY };
	icalcomponent *root, *cal;
	char *copy;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (!text)
		return fail(err, errlen, -EINVAL, "no calendar part");
	if (len > REPLY_MAX_TEXT)
		return fail(err, errlen, -E2BIG, "calendar part of %zu bytes, more than %d", len,
		            REPLY_MAX_TEXT);
	if (memchr(text, '\0', len))
		return fail(err, errlen, -EINVAL, "a NUL byte in the calendar part");
	copy = strndup(text, len);
	if (!copy)
		return fail(err, errlen, -ENOMEM, "out of memory");
	rc = check_shape(copy, err, errlen);
	if (rc < 0) {
		free(copy);
		return rc;
	}
	root = icalparser_parse_string(copy);
	free(copy);
	icalerror_clear_errno();
	cal = vcalendar(root);
	if (!cal)
		rc = fail(err, errlen, -EINVAL, "not a calendar (no VCALENDAR)");
	else
		rc = parse_calendar(cal, tz, &r, err, errlen);
	if (root)
		icalcomponent_free(root);
	icalerror_clear_errno();
	if (rc < 0) {
		reply_free(&r);
		return rc;
	}
	*ret = r;
	return 0;
}
