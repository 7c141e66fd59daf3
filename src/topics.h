/* SPDX-License-Identifier: MIT */
/*
 * topics - the pure rules for a received letter (DESIGN.md, phase 2):
 *
 *     topics(config, occurrences, letter, what its references name, now)
 *         -> class, target meeting, held or answered, title and text
 *
 * No clock, no I/O, no SQLite (like plan): the caller parses the letter,
 * looks its In-Reply-To/References up in the outbox (store_outbox_lookup),
 * asks whether its Message-ID came before (store_inbox_by_message_id), and
 * records what topics_decide() says in one transaction.
 *
 * The rules, in this order:
 *   too large (not fetched)                -> too-large, not answered
 *   letter->invalid                         -> invalid, not answered
 *   multipart/report (DSN, MDN)             -> dsn, never answered
 *   letter->automatic (RFC 3834 and kin)    -> auto, never answered
 *   a text/calendar part with METHOD:REPLY  -> reply (iMIP; issue 16), not answered
 *   From not a member's email or alias      -> stranger, held for the chair,
 *                                              never answered (no backscatter)
 *   a reply to one of our mails that is not a call for topics
 *                                           -> reply, held for the chair
 *   otherwise                               -> topic
 * Members match on email and aliases without regard to case (topics.c says
 * why the local part too).  The Message-ID seen before from the same sender
 * (duplicate_of) keeps the class but records nothing and answers nothing.
 *
 * The meeting of a topic: a reply to a call for topics -> the meeting that
 * call was for; a mail without such a reference -> the next meeting (that
 * takes place) whose topics deadline has not passed.  The deadline is
 * notifications.topic_call.deadline_days_before at send_time (the meeting's
 * start if that is earlier, or without topic_call); a topic received at
 * the deadline itself is still in time.  A reply after its meeting's
 * deadline (or for a meeting that no longer takes place) goes to the next
 * meeting after that one whose deadline has not passed, and `late` makes
 * the confirmation say so.  No such meeting: held for the chair.
 */
#ifndef GREMIUM_TOPICS_H
#define GREMIUM_TOPICS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "letter.h"
#include "model.h"
#include "schedule.h"

enum topics_class {
	TOPICS_TOPIC,
	TOPICS_REPLY,
	TOPICS_DSN,
	TOPICS_AUTO,
	TOPICS_STRANGER,
	TOPICS_INVALID,
	TOPICS_TOO_LARGE,
	TOPICS_CLASS_COUNT_
};

/* "topic", "reply", "dsn", "auto", "stranger", "invalid", "too-large". */
const char *topics_class_name(enum topics_class c);

/* What one of the letter's references names: a mail we sent (outbox). */
struct topics_ref {
	const char *kind;        /* X-Gremium-Kind, e.g. "topic-call" */
	const char *uid;         /* the calendar object's UID, or NULL */
	const char *occurrence;  /* local start "YYYY-MM-DDTHH:MM", or NULL */
};

struct topics_input {
	const struct gr_letter *letter;  /* NULL only when too_large */
	bool too_large;
	/* the references that name our mails, In-Reply-To first, then
	 * References from the newest; borrowed */
	const struct topics_ref *refs;
	size_t n_refs;
	int64_t duplicate_of;    /* inbox id of the same Message-ID and sender, 0 = none */
	const char *title;       /* letter_title() of the letter, may be NULL or "" */
};

/* Sizes of the text fields of a decision. */
#define TOPICS_OUTCOME_LEN 256

struct topics_decision {
	enum topics_class class;
	bool held;               /* waits for the chair (inbox --held) */
	bool topic;              /* record a topic and confirm it */
	const struct gr_member *member;       /* borrowed from cfg, or NULL */
	const struct gr_occurrence *meeting;  /* topic: its meeting (borrowed from occ) */
	time_t deadline;                      /* topic: the meeting's topics deadline */
	/* late: the meeting the member meant, whose deadline had passed (or
	 * which no longer takes place), borrowed; NULL otherwise */
	const struct gr_occurrence *asked;
	time_t asked_deadline;
	const char *title;       /* topic: the title (input's, or a stand-in) */
	const char *text;        /* topic: the letter's text ("" if none) */
	/* why, one line, for the inbox row: for a topic "topic for WHEN"
	 * (the caller adds the topic's id once it has one) */
	char outcome[TOPICS_OUTCOME_LEN];
};

/*
 * Decide what in's letter is, at now.  occ: the occurrences of
 * service_occurrences() (cancelled ones included).  Never fails: every
 * input has an outcome.  Pointers in ret borrow from cfg, occ and in.
 */
void topics_decide(const struct gr_config *cfg, const struct sched_list *occ,
                   const struct topics_input *in, time_t now, struct topics_decision *ret);

/* The member whose email or alias addr is (without regard to case), or
 * NULL. */
const struct gr_member *topics_member(const struct gr_config *cfg, const char *addr);

/* The meeting a reference names: the occurrence with its actual local
 * start (and, when given, its object's UID, new or legacy form), or NULL. */
const struct gr_occurrence *topics_find(const struct gr_config *cfg, const struct sched_list *occ,
                                        const struct topics_ref *ref);

/* The first meeting that takes place, starts after `after` (NULL: any)
 * and whose deadline has not passed at now; NULL if none. */
const struct gr_occurrence *topics_next_open(const struct gr_config *cfg,
                                             const struct sched_list *occ,
                                             const struct gr_occurrence *after, time_t now);

/* The topics deadline of meeting x (see above). */
time_t topics_deadline(const struct gr_config *cfg, const struct gr_occurrence *x);

/* "YYYY-MM-DDTHH:MM" of lt into buf (at least 17 bytes). */
void topics_when(const struct gr_localtime *lt, char *buf, size_t len);

#endif
