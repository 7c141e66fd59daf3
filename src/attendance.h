/* SPDX-License-Identifier: MIT */
/*
 * attendance - the pure rules for members' answers (DESIGN.md, phase 2):
 *
 *     attendance(config, occurrences, recorded state, From, parsed reply)
 *         -> per answer: record it, or hold it for the chair
 *
 * No clock, no I/O, no SQLite (like plan and topics).  The rules:
 *   - only the attendee's own From: counts: the letter's From must be a
 *     member's email or alias, and each ATTENDEE must be one of that same
 *     member's addresses; an answer that claims another address is held
 *     ("the answer claims another member's address").  Mail senders can be
 *     forged: attendance is a convenience for the chair, not a vote;
 *   - the UID must be one we sent that member (state's objects), and an
 *     occurrence (RECURRENCE-ID) one of that series' meetings (its original
 *     start); else held;
 *   - a COUNTER (a proposed new time) is never applied: held, with the
 *     proposal in the outcome for the chair;
 *   - PARTSTAT ACCEPTED, DECLINED, TENTATIVE, DELEGATED (DELEGATED-TO is the
 *     deputy) are recorded; anything else is held;
 *   - an answer is dated by its DTSTAMP, but never later than its arrival
 *     (a client's wrong clock must not make it win over every later one).
 * Which recorded answer counts for a meeting: attendance_effective().
 */
#ifndef GREMIUM_ATTENDANCE_H
#define GREMIUM_ATTENDANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "model.h"
#include "reply.h"
#include "schedule.h"
#include "store.h"

#define ATTENDANCE_WHY_LEN 200
#define ATTENDANCE_OUTCOME_LEN 512

/* What becomes of one reply item. */
struct attendance_item {
	const struct reply_item *item;  /* borrowed from the reply */
	bool apply;                     /* record answer */
	struct store_answer answer;     /* apply: the row to record (strings
	                                 * borrowed from cfg, the reply and
	                                 * occurrence below: do not copy the
	                                 * decision) */
	char occurrence[REPLY_LOCAL_LEN];   /* apply: the original start, "" = all */
	char object_start[REPLY_LOCAL_LEN]; /* the object's first start, for the outcome */
	bool series;                    /* the object is a recurring series */
	char why[ATTENDANCE_WHY_LEN];   /* held: why, one line */
};

struct attendance_decision {
	const struct gr_member *member; /* whose From, borrowed; NULL: none */
	bool held;                      /* some item held (or none at all) */
	struct attendance_item items[REPLY_MAX_ITEMS];
	size_t n_items;
};

/*
 * Decide every item of reply r, which came From `from` (addr-spec; NULL: no
 * From), as inbox row inbox_id at `received`.  occ: the occurrences
 * (service_occurrences(), cancelled included); st: the recorded state.
 * Never fails.  Pointers in ret borrow from cfg, r and st.
 */
void attendance_decide(const struct gr_config *cfg, const struct sched_list *occ,
                       const struct store_state *st, const char *from, const struct gr_reply *r,
                       time_t received, int64_t inbox_id, struct attendance_decision *ret);

/*
 * The inbox outcome of d, one line: per item "accepted 2027-01-14T18:00
 * (series)", "declined 2027-01-14T18:00 (one meeting)", "... deputy
 * X", "...: \"COMMENT\"", "...; older than the answer recorded" (when
 * applied[i] is false for an applied item), "held: WHY".  applied may be
 * NULL (all recorded).
 */
void attendance_outcome(const struct attendance_decision *d, const bool *applied, char *buf,
                        size_t len);

/*
 * The effective answer of member for one meeting of uid: the answer for
 * that occurrence ("YYYY-MM-DDTHH:MM", the original start), else the one
 * for the whole object (occurrence ""), else NULL (none).  a: sorted or
 * not (as store_state.answers).  Addresses compare without regard to case.
 */
const struct store_answer *attendance_effective(const struct store_answer *a, size_t n,
                                                const char *member, const char *uid,
                                                const char *occurrence);

#endif
