/* SPDX-License-Identifier: MIT */
/*
 * ical - occurrences/series -> VCALENDAR text (RFC 5545/5546) for PUBLISH
 * (the feed), REQUEST and CANCEL (iMIP invitations), built with libical.
 *
 * Output: CRLF line endings, folded at 75 octets without splitting UTF-8,
 * one compact VTIMEZONE per zone with the plain Olson TZID.  All returned
 * strings are NUL-terminated and malloc'ed: caller frees.
 */
#ifndef GREMIUM_ICAL_H
#define GREMIUM_ICAL_H

#include "model.h"
#include "schedule.h"

/*
 * A calendar object: what one UID names.  An rrule series is one object
 * (date_index = -1); each date of a dated series is an object of its own.
 */
struct ical_object {
	const struct gr_series *series;
	int date_index;
};

/* The object's stable UID: "<series id>@<domain>" or
 * "<series id>-YYYYMMDD@<domain>".  Returns 0, or -ENOSPC. */
int ical_uid(const struct gr_config *cfg, const struct ical_object *obj,
             char *buf, size_t len);

/*
 * The public feed: METHOD:PUBLISH, every series and dated meeting, no
 * ATTENDEE.  occ must hold every occurrence in sched_horizon() (the
 * cancelled, skipped and moved ones become EXDATE / RECURRENCE-ID).
 * dtstamp is the config's last change, so equal input gives equal bytes.
 * Returns NULL on allocation failure.
 */
char *ical_publish(const struct gr_config *cfg, const struct sched_list *occ,
                   time_t dtstamp);

/*
 * METHOD:REQUEST for one member and one object: ORGANIZER, that member's
 * ATTENDEE only, EXDATE for cancelled/skipped and RECURRENCE-ID overrides
 * for moved occurrences found in occ.
 */
char *ical_request(const struct gr_config *cfg, const struct ical_object *obj,
                   const struct sched_list *occ, const struct gr_member *member,
                   int sequence, time_t dtstamp);

/*
 * The REQUESTs of one plan (same cfg and occ) for many members: made once
 * per object, sequence and dtstamp, then per member only its ATTENDEE
 * (see ical.c).  ical_request_cached() returns the same bytes as
 * ical_request(); with a NULL cache it is ical_request().  A cache may be
 * used by several threads at once.  ical_cache_new() returns NULL when out
 * of memory.
 */
struct ical_cache;
struct ical_cache *ical_cache_new(void);
void ical_cache_free(struct ical_cache *c);
char *ical_request_cached(struct ical_cache *c, const struct gr_config *cfg,
                          const struct ical_object *obj, const struct sched_list *occ,
                          const struct gr_member *member, int sequence, time_t dtstamp);

/*
 * METHOD:CANCEL for one member: of the whole object (recurrence_id NULL) or
 * of one occurrence (recurrence_id = its original local start).
 */
char *ical_cancel(const struct gr_config *cfg, const struct ical_object *obj,
                  const struct gr_localtime *recurrence_id,
                  const struct gr_member *member, int sequence, time_t dtstamp);

#endif
