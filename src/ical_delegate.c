/* SPDX-License-Identifier: MIT */
/*
 * ical_delegate.c - the ical module's REQUEST for a deputy (ical.h,
 * ical_request_delegated()): the meeting's REQUEST made for the deputy as
 * for a member, then each VEVENT's ATTENDEE says who delegated to whom
 * (RFC 5545 §3.2.4/§3.2.5, RFC 5546 §4.2.5).  A file of its own so that
 * ical.c stays under STYLE's 900 lines.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "ical.h"
#include "ical_internal.h"
#include "util.h"

/* The delegator's ATTENDEE, made from the deputy's (same CUTYPE and
 * ROLE): the member's address and name, PARTSTAT=DELEGATED, DELEGATED-TO
 * the deputy, no RSVP.  NULL when out of memory. */
static icalproperty *delegator_attendee(icalproperty *deputy, const struct gr_member *m,
                                        const char *to)
{
	icalproperty *p = icalproperty_new_clone(deputy);
	char *uri = util_asprintf("mailto:%s", m->email), *cn = util_strdup0(m->name);
	icalparameter *dt = icalparameter_new_delegatedto(to);

	if (!p || !uri || (m->name && !cn) || !dt) {
		if (p)
			icalproperty_free(p);
		if (dt)
			icalparameter_free(dt);
		p = NULL;
		goto out;
	}
	icalproperty_set_attendee(p, uri);
	icalproperty_remove_parameter_by_kind(p, ICAL_CN_PARAMETER);
	icalproperty_remove_parameter_by_kind(p, ICAL_RSVP_PARAMETER);
	icalproperty_remove_parameter_by_kind(p, ICAL_PARTSTAT_PARAMETER);
	/* as ical.c writes CN: no '"' or '^' (libical's RFC 6868 escapes
	 * show literally in Outlook), no control characters */
	for (char *q = cn; q && *q; q++) {
		if (*q == '"' || *q == '^')
			*q = '\'';
		else if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	}
	if (cn && *cn)
		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
	icalproperty_add_parameter(p, icalparameter_new_partstat(ICAL_PARTSTAT_DELEGATED));
	icalproperty_add_parameter(p, dt);
out:
	free(uri);
	free(cn);
	return p;
}

/* Both ATTENDEEs in ev.  0, or -1 when out of memory. */
static int delegate_event(icalcomponent *ev, const struct gr_member *m)
{
	icalproperty *dep = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	char *from = util_asprintf("mailto:%s", m->email);
	char *to = dep ? util_strdup0(icalproperty_get_attendee(dep)) : NULL;
	icalproperty *p = dep && to ? delegator_attendee(dep, m, to) : NULL;
	icalparameter *df = from ? icalparameter_new_delegatedfrom(from) : NULL;
	int r = -1;

	if (p && df) {
		/* the delegator first, as RFC 5546 §4.2.5's examples */
		icalcomponent_remove_property(ev, dep);
		icalproperty_add_parameter(dep, df);
		icalcomponent_add_property(ev, p);
		icalcomponent_add_property(ev, dep);
		p = NULL;
		df = NULL;
		r = 0;
	}
	if (p)
		icalproperty_free(p);
	if (df)
		icalparameter_free(df);
	free(from);
	free(to);
	return r;
}

char *ical_request_delegated(const struct gr_config *cfg, const struct ical_object *obj,
                             const struct sched_list *occ, const struct gr_occurrence *x,
                             const struct gr_member *deputy, const struct gr_member *delegator,
                             int sequence, time_t dtstamp)
{
	char *text, *raw = NULL, *out = NULL;
	icalcomponent *cal;
	int r = 0;

	if (obj->series->rrule && !obj->moved)
		text = ical_request_occurrence(cfg, obj, x, deputy, sequence, dtstamp);
	else
		text = ical_request(cfg, obj, occ, deputy, sequence, dtstamp);
	cal = text ? icalparser_parse_string(text) : NULL;
	free(text);
	if (!cal)
		return NULL;
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev && r == 0; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		r = delegate_event(ev, delegator);
	if (r == 0)
		raw = icalcomponent_as_ical_string_r(cal);
	if (raw)
		out = ical_refold(raw);
	free(raw);
	icalcomponent_free(cal);
	return out;
}
