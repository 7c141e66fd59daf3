/* SPDX-License-Identifier: MIT */
/*
 * reply - a member's iMIP answer (RFC 5546 §3.2.3 REPLY, §3.2.7 COUNTER) as
 * the calendar text of a received mail (gr_letter.calendar), parsed with
 * libical into plain data: per VEVENT the UID, the occurrence it is about
 * (RECURRENCE-ID in the committee's local time, whatever zone the client
 * wrote it in), the attendee and what they answered.
 *
 * As clients send them: Outlook/Exchange leave out ORGANIZER and write
 * their Windows zone names (with a VTIMEZONE, or without one: a few common
 * names are known); Gmail writes RECURRENCE-ID in UTC; Thunderbird and
 * Apple Calendar with TZID and VTIMEZONE; some clients write floating
 * times (then the committee's zone is meant).  A delegation (§4.2.5) may
 * carry the delegate as a second ATTENDEE with DELEGATED-FROM: that line is
 * not an answer of its own.
 *
 * Untrusted input: bounded (REPLY_MAX_TEXT, REPLY_MAX_COMPONENTS,
 * REPLY_MAX_ITEMS, each text cut at REPLY_MAX_FIELD bytes); any bytes give
 * 0 with items or an error, never a crash.
 */
#ifndef GREMIUM_REPLY_H
#define GREMIUM_REPLY_H

#include <stddef.h>
#include <time.h>

#include "store.h"      /* enum gr_answer */

#define REPLY_MAX_TEXT (1024 * 1024)    /* = letter's LETTER_MAX_CALENDAR */
#define REPLY_MAX_COMPONENTS 200        /* components of any kind */
#define REPLY_MAX_ITEMS 64              /* answers (VEVENT x ATTENDEE) kept */
#define REPLY_MAX_FIELD 1000            /* bytes of a COMMENT, address, UID */
/* "YYYY-MM-DDTHH:MM" + NUL; a date-only RECURRENCE-ID is "YYYY-MM-DD" */
#define REPLY_LOCAL_LEN 17

enum reply_method {
	REPLY_METHOD_REPLY,
	REPLY_METHOD_COUNTER,
};

/* One answer: one ATTENDEE of one VEVENT. */
struct reply_item {
	char *uid;
	char occurrence[REPLY_LOCAL_LEN];  /* "" = the whole series/object */
	char *attendee;         /* address without mailto:, lower-cased; NULL: none */
	enum gr_answer answer;  /* GR_ANSWER_NONE: no PARTSTAT, NEEDS-ACTION, unknown */
	char *partstat;         /* as written (for the chair), NULL: none */
	char *deputy;           /* DELEGATED-TO address (lower-cased) of a
	                         * DELEGATED answer, else NULL */
	char *comment;          /* COMMENT, or NULL */
	time_t dtstamp;         /* 0: none */
	int sequence;           /* -1: none */
	/* COUNTER: the proposed start and end, local; "" if none */
	char proposed_start[REPLY_LOCAL_LEN];
	char proposed_end[REPLY_LOCAL_LEN];
};

struct gr_reply {
	enum reply_method method;
	char *prodid;           /* may be NULL */
	char *organizer;        /* address, NULL when left out (Outlook) */
	struct reply_item *items;
	size_t n_items;
};

/*
 * Parse len bytes of calendar text; tz is the committee's Olson zone.
 * Returns 0 and *ret (free with reply_free()), or -EINVAL/-E2BIG/-ENOMEM
 * with a one-line reason in err ("not a calendar", "METHOD:REQUEST is not
 * an answer", "no VEVENT with a UID", ...).  *ret is zeroed on failure.
 */
int reply_parse(const char *text, size_t len, const char *tz, struct gr_reply *ret, char *err,
                size_t errlen);

/* Free what reply_parse() filled and zero it; a zeroed one is fine. */
void reply_free(struct gr_reply *r);

/* "REPLY" / "COUNTER". */
const char *reply_method_name(enum reply_method m);

#endif
