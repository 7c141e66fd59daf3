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
	const char *uid;          /* the UID it goes by, or NULL: ical_uid()'s */
	const char *description;  /* DESCRIPTION, or NULL: the series' text and url */
	/* the regular start of a moved meeting of the rrule series, which is
	 * then the object (util_moved_uid(), one VEVENT at the moved times),
	 * or NULL */
	const struct gr_localtime *moved;
};

/* The object's UID: obj->uid, else util_object_uid()'s (with the committee
 * id).  Returns 0, -EINVAL (no such date) or -ENOSPC. */
int ical_uid(const struct gr_config *cfg, const struct ical_object *obj,
             char *buf, size_t len);

/*
 * The public feed: METHOD:PUBLISH, every series and dated meeting, no
 * ATTENDEE.  occ must hold every occurrence in sched_horizon() (the
 * cancelled, skipped and moved ones become EXDATE; each moved one is
 * also a VEVENT of its own UID, as in the invitations).  dtstamp is the config's last change, so equal input
 * gives equal bytes.  pub (n_pub entries, may be NULL) is what the state
 * database says of each object (plan_published()): its UID, SEQUENCE,
 * LAST-MODIFIED, and the meetings
 * that took place under an earlier version, written as overrides with what
 * they were.  Without an entry: the derived UID, SEQUENCE:0 and
 * LAST-MODIFIED = dtstamp.  Returns NULL on allocation failure.
 */
char *ical_publish(const struct gr_config *cfg, const struct sched_list *occ,
                   time_t dtstamp, const struct gr_published *pub, size_t n_pub);

/*
 * METHOD:REQUEST for one member and one object: ORGANIZER, that member's
 * ATTENDEE only, EXDATE for cancelled/skipped occurrences found in occ.
 * EXDATE for moved ones too: a moved meeting is an object of its own
 * (obj->moved), so that no client depends on the order of the mails.
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
 * METHOD:REQUEST of one meeting x of an rrule series for one member: one
 * VEVENT under the series' UID with RECURRENCE-ID = x's original start, at
 * x's times, DESCRIPTION obj->description, the member's ATTENDEE.  With the
 * SEQUENCE the member holds it is a minor update (RFC 5546 §2.1.4): the
 * agenda of that meeting goes into its DESCRIPTION, and Thunderbird keeps
 * the member's answer (tests/e2e_agenda_thunderbird.sh).
 */
char *ical_request_occurrence(const struct gr_config *cfg, const struct ical_object *obj,
                              const struct gr_occurrence *x, const struct gr_member *member,
                              int sequence, time_t dtstamp);

/*
 * METHOD:REQUEST of one meeting x for a member's deputy (RFC 5546 §4.2.5:
 * the delegate is invited): a meeting of an rrule series as one VEVENT
 * under the series' UID with RECURRENCE-ID (as ical_request_occurrence()),
 * a dated or moved meeting as its own object (as ical_request()).  Two
 * ATTENDEEs: the delegator with PARTSTAT=DELEGATED and DELEGATED-TO the
 * deputy, and the deputy (NEEDS-ACTION, RSVP) with DELEGATED-FROM the
 * delegator.
 */
char *ical_request_delegated(const struct gr_config *cfg, const struct ical_object *obj,
                             const struct sched_list *occ, const struct gr_occurrence *x,
                             const struct gr_member *deputy, const struct gr_member *delegator,
                             int sequence, time_t dtstamp);

/*
 * METHOD:REQUEST of one meeting x for a member's deputy (RFC 5546 §4.2.5:
 * the delegate is invited; ical_delegate.c): a meeting of an rrule series
 * as ical_request_occurrence() makes it (one VEVENT under the series' UID
 * with RECURRENCE-ID), a dated or moved meeting (obj->moved) as
 * ical_request() makes its object.  Two ATTENDEEs in each VEVENT: the
 * delegator with PARTSTAT=DELEGATED and DELEGATED-TO the deputy, and the
 * deputy (NEEDS-ACTION, RSVP) with DELEGATED-FROM the delegator.  NULL
 * when out of memory.
 */
char *ical_request_delegated(const struct gr_config *cfg, const struct ical_object *obj,
                             const struct sched_list *occ, const struct gr_occurrence *x,
                             const struct gr_member *deputy, const struct gr_member *delegator,
                             int sequence, time_t dtstamp);

/*
 * METHOD:CANCEL for one member: of the whole object (recurrence_id NULL) or
 * of one occurrence (recurrence_id = its original local start).  comment
 * (may be NULL) is the reason, as COMMENT (RFC 5546 §3.2.5) and at the head
 * of DESCRIPTION, which is what Thunderbird shows.
 */
char *ical_cancel(const struct gr_config *cfg, const struct ical_object *obj,
                  const struct gr_localtime *recurrence_id, const char *comment,
                  const struct gr_member *member, int sequence, time_t dtstamp);

#endif
