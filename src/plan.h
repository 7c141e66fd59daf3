/* SPDX-License-Identifier: MIT */
/*
 * plan - the pure planner of DESIGN.md:
 *
 *     plan(config, occurrences, recorded state, now) -> actions + state changes
 *
 * No clock, no I/O, no SQLite: the caller reads the state (store_read_state),
 * runs plan_run(), renders each action into a message, and applies all of
 * them with store_apply() in one transaction (plan_change() gives each
 * action's store_change; the caller adds the rendered bytes).
 *
 * Calendar objects: an rrule series is one object, each of its moved
 * meetings is one (below), each date of a dated series is one object; an
 * object is "live" while it has a confirmed or moved occurrence that ends
 * after now.
 *
 * What the recorded state means, per recipient and object (store_object):
 *   sequence   the SEQUENCE of the last REQUEST/CANCEL sent;
 *   hash_base  FNV-1a 64 over the significant fields except cancellations
 *              (summary, description, location, url, rrule or date, start,
 *              duration, moved and skipped occurrences: for a series the
 *              original starts of its moved meetings, for a moved
 *              meeting its regular start and note);
 *   cancelled  the occurrences (original starts) the recipient knows as
 *              cancelled, comma-separated and sorted;
 *   hash       FNV-1a 64 over hash_base and cancelled: equal = nothing to do.
 * A newly cancelled occurrence is told with a CANCEL (RECURRENCE-ID,
 * SEQUENCE+1) and added to `cancelled`, which changes `hash` to the config's
 * hash: no extra REQUEST follows for the same change.  Any other change
 * (hash_base differs, or a cancellation was withdrawn) is told with one
 * REQUEST (kind update, SEQUENCE+1) that carries every EXDATE.
 *
 * Moved meetings of an rrule series are objects of their own (order
 * independence: a client handles the mails of two UIDs in any order):
 * UID util_moved_uid() with the original date, one VEVENT without
 * RECURRENCE-ID at the moved times, its own SEQUENCE; the series carries an
 * EXDATE for each original start (in hash_base: a new or withdrawn move is
 * a series update).  A change of the move is an update of its object; a
 * withdrawn move vanishes from the config and is CANCELled (plan_leftovers);
 * a cancelled moved meeting CANCELs its object (it stays an object while
 * its UID is recorded), and the series keeps the EXDATE without a CANCEL of
 * its own.  A state from before (the move inside the series, as override or
 * as a REQUEST with RECURRENCE-ID) gets a series update with the EXDATE and
 * the new object's invitation on its first plan; its sent_occurrences rows
 * are no longer read.  Notifications of a moved meeting stay keyed by the
 * series' UID.
 *
 * History (store_version): each plan records the object's content when it
 * differs from the last recorded version, valid from now.  A meeting keeps
 * the version in force at its start; plan_published() lists the meetings
 * before the current version whose content differs, for the feed.
 *
 * UIDs: util_object_uid() with the committee id; an object whose UID in the
 * old form (without it) is recorded in the state, and the new one is not,
 * keeps the old one, so an existing database goes on updating the events
 * its members hold.
 *
 * Notifications (topic-call, reminder-<days>, agenda) are recorded as notices
 * keyed (kind, recipient, uid, actual local start of the occurrence): each at
 * most once, and a moved meeting gets its notifications again for its new date.
 *
 * Answers (issue 16, plan_answers.c): the chair's report (chair-report,
 * notice ("chair-report", chair_address, uid, occurrence)) at send_time
 * quorum.report_days_before days before each meeting that takes place,
 * late while it is ahead; one request to answer (answer-reminder, notice
 * per member) notifications.answer_reminder_days_before days before, to
 * each member whose effective answer is none, only with an inbound mailbox
 * (without one nobody reads the answers); a deputy (an answer DELEGATED
 * with DELEGATED-TO, for the meeting or the whole series) gets one
 * invitation of that meeting (RFC 5546 §4.2.5), notice
 * ("deputy-invitation", deputy, uid, occurrence), and the agenda once it
 * is due: inside the invitation when that goes out after the agenda
 * (notice "deputy-invitation-agenda"), else as an agenda mail (notice
 * "agenda").  A member whose deputy changes: the new deputy is invited
 * too; the old one is not told.  The deputy's calendar part names the
 * object that holds the meeting for the member, with the SEQUENCE the
 * member holds; later updates of the series go to members only.
 *
 * Agenda (issue 15): with a call for topics configured, each meeting that
 * takes place gets one agenda mail per member at send_time on the day
 * notifications.agenda_days_after_deadline after the topics deadline; late
 * (the service was down) while the meeting is ahead; never for a cancelled
 * or skipped meeting, nor when that day is not before the meeting.  A
 * meeting without topics gets one too ("no topics came in"), so members
 * know.  Its topics are the state's active ones whose series id and meeting
 * (actual local start) are the occurrence's.  A reminder sent once the
 * agenda is due carries the agenda as well (has_agenda).  Agendas and such
 * reminders name the calendar object that holds the occurrence for the
 * member (cal_uid, cal_sequence: the series, the moved meeting's own object
 * or the dated meeting, with the SEQUENCE the member holds after this plan),
 * so that their calendar part is a minor update (same SEQUENCE) of that
 * occurrence's DESCRIPTION.  Invitations and updates of a meeting that is
 * an object of its own (dated or moved) carry its agenda once it is due
 * (has_agenda, topics), in DESCRIPTION.  A series' update cannot (an
 * override in a series REQUEST stays NEEDS-ACTION in Thunderbird): the
 * meeting shows the series' text until its next reminder (INTEROP).
 */
#ifndef GREMIUM_PLAN_H
#define GREMIUM_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "model.h"
#include "schedule.h"
#include "store.h"

/* "YYYY-MM-DDTHH:MM" + NUL */
#define PLAN_LOCAL_LEN 17

/*
 * The chair's report of one meeting (issue 16; plan_answers.c): each
 * member's effective answer for it (attendance_effective(): the answer for
 * that meeting, else the one for the whole series/object), in config order.
 */
struct plan_report_line {
	const struct gr_member *member;     /* borrowed */
	const struct store_answer *answer;  /* borrowed from the state; NULL: none */
	bool bounced;                       /* a permanent bounce of the member's
	                                     * email or an alias (state.bounced) */
};

struct plan_report {
	struct plan_report_line *lines;     /* owned array, n_lines = n_members */
	size_t n_lines;
	int present;                        /* accepted, or delegated to a deputy */
	int min_present;                    /* quorum.min_present; 0: no rule */
};

/*
 * One message to enqueue, with what rendering needs.  Pointers named
 * "borrowed" point into the cfg, occurrence list or state given to
 * plan_run() and stay valid as long as those do; the rest is owned by the
 * plan_result.
 */
struct plan_action {
	enum gr_kind kind;
	/* recipient: a current member, or (member == NULL) a removed one */
	const struct gr_member *member;     /* borrowed, or NULL */
	const char *email;                  /* borrowed: member's or recorded */
	const char *name;                   /* borrowed: member's or recorded */
	/* the calendar object; series == NULL when it vanished from the
	 * config: then recorded holds what was last sent about it
	 * (recorded->rrule == NULL: a meeting of a dated series) */
	const struct gr_series *series;     /* borrowed, or NULL */
	int date_index;                     /* -1 for an rrule series */
	const struct store_object *recorded; /* borrowed row, or NULL */
	char uid[512];
	int sequence;                       /* SEQUENCE of the iCalendar part */
	/* the occurrence a cancellation of one occurrence, a topic call or a
	 * reminder is about (occ == NULL otherwise) */
	const struct gr_occurrence *occ;    /* borrowed, or NULL */
	bool whole_object;                  /* cancellation: of the object, not
	                                     * of one occurrence */
	struct gr_localtime occurrence;     /* actual start */
	struct gr_localtime recurrence_id;  /* original start */
	bool moved;                         /* the object is a moved meeting of
	                                     * an rrule series (occ: it) */
	int days_before;                    /* reminder: which one */
	/* agenda, a reminder once the agenda is due, or an invitation/update
	 * of a dated or moved meeting then: the meeting's active topics by
	 * position (borrowed from the state; may be none) */
	bool has_agenda;
	const struct store_topic *const *topics;
	size_t n_topics;
	char cal_uid[512];                  /* has_agenda: the object that holds occ */
	int cal_sequence;                   /* ... and its SEQUENCE for the member */
	time_t deadline;                    /* topic call: deadline for topics */
	time_t due;                         /* nominal send time (<= now) */
	char message_id[384];               /* "local@domain", no angle brackets */
	/* chair-report: the meeting's attendance (owned), else NULL */
	struct plan_report *report;
	/* a deputy's invitation of one meeting or its agenda (member NULL,
	 * email the deputy): the member who delegated (borrowed), else NULL */
	const struct gr_member *delegator;
	/* state changes that go with the message (owned) */
	bool has_object;
	struct store_object object;
	bool has_notice;
	struct store_notice notice;
	char occurrence_text[PLAN_LOCAL_LEN]; /* actual start, "" if none */
	/* static text: why this message cannot be made (its UID or
	 * Message-ID does not fit), or NULL.  The action is planned anyway,
	 * so that it is recorded as failed for its recipient alone. */
	const char *unplannable;
};

/* A notification that will be due later (for `preview` and the timer). */
struct plan_upcoming {
	enum gr_kind kind;                  /* topic call, reminder or agenda */
	const struct gr_occurrence *occ;    /* borrowed */
	int days_before;
	time_t due;
	time_t deadline;                    /* topic call only */
	size_t n_recipients;                /* 0: every member; else this many
	                                     * (chair-report 1, answer-reminder:
	                                     * who has not answered yet) */
};

struct plan_result {
	struct plan_action *actions;
	size_t n_actions;
	/* object rows to record without a message (e.g. a cancellation of a
	 * past occurrence, absorbed so it is not looked at again) */
	struct store_object *records;
	size_t n_records;
	/* object versions to record (history) */
	struct store_version *versions;
	size_t n_versions;
	struct plan_upcoming *upcoming;     /* sorted by due */
	size_t n_upcoming;
	/* the state's topics by series, meeting, position (owned array of
	 * borrowed pointers: actions' topics point into it) */
	const struct store_topic **topics;
	size_t n_topics;
	time_t next_due;                    /* earliest pending due > now, 0 = none */
};

/*
 * Plan everything due at now.  occ must hold the occurrences of the whole
 * sched_horizon() window (cancelled, skipped and moved ones included): the
 * hashes cover the moved/skipped/cancelled occurrences it contains, so a
 * window that drops old ones would look like a change.
 * Returns 0 and fills *ret (free with plan_result_free()), or -ENOMEM.
 * An object whose UID, or a message whose Message-ID, does not fit stops
 * nothing: its actions carry `unplannable`.
 */
int plan_run(const struct gr_config *cfg, const struct sched_list *occ,
             const struct store_state *state, time_t now, struct plan_result *ret);

void plan_result_free(struct plan_result *r);

/*
 * The store_change of one action, with message == NULL: the caller sets
 * message and message_len to the rendered bytes.  Pointers borrow from a.
 */
void plan_change(const struct plan_action *a, struct store_change *ret);

/*
 * Every state change of r in the order to apply them: index i < n_actions
 * is plan_change(&r->actions[i]) (the caller sets its message), then one
 * change per record, then one per version.  Returns 0 and *ret (caller frees the array with
 * free(); it borrows from r), or -ENOMEM.
 */
int plan_changes(const struct plan_result *r, struct store_change **ret, size_t *ret_n);

/*
 * The UID of an object in the new or (legacy) old form: see
 * util_object_uid().  0 or -ENOSPC.
 */
int plan_uid(const struct gr_config *cfg, const struct gr_series *s, int date_index,
             bool legacy, char *buf, size_t len);

/*
 * What the state says of each object of cfg, for the feed (ical_publish()):
 * UID as the planner uses it, the highest SEQUENCE sent for it, when its
 * content was last recorded as changed (0 while it has the content first
 * recorded: then the config's mtime is the feed's LAST-MODIFIED), and the
 * meetings that started before the
 * current version and differ from it (as they were).  A config change not
 * yet recorded counts as valid from now.  With feed.agenda, also the
 * meetings whose agenda went out (any member's agenda notice recorded)
 * with their topics' titles; their text is the caller's to set (freed
 * with the rest).  state may be NULL.  Returns 0
 * and *ret, *ret_n (free with plan_published_free()), or -ENOMEM/-ENOSPC.
 */
int plan_published(const struct gr_config *cfg, const struct sched_list *occ,
                   const struct store_state *state, time_t now,
                   struct gr_published **ret, size_t *ret_n);
void plan_published_free(struct gr_published *p, size_t n);

#endif
