/* SPDX-License-Identifier: MIT */
/*
 * service - the planning gremiumd and `gremiumctl run-once` share:
 *   service_plan()    plan what is due at now, render every message (on
 *                     threads for a long list) and enqueue them with the
 *                     state changes;
 *   service_render()  one planned action as a complete message;
 *   service_feed()    the published calendar.
 * It wires plan, schedule, ical, template, mail and store; sender.c
 * delivers what it enqueues.
 */
#ifndef GREMIUM_SERVICE_H
#define GREMIUM_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "model.h"
#include "plan.h"
#include "schedule.h"
#include "ical.h"
#include "sender.h"
#include "store.h"
#include "template.h"

/* How far beyond now occurrences are expanded (DESIGN: no horizon for
 * invitations; two years covers every notification offset). */
#define SERVICE_AHEAD_SECONDS (2 * 366 * 24 * 3600L)

/*
 * Expand cfg's occurrences over the window plan and ical need at now.
 * Returns 0 and *ret (free with sched_list_free()), or a negative errno.
 */
int service_occurrences(const struct gr_config *cfg, time_t now, struct sched_list *ret);

/*
 * The public feed (METHOD:PUBLISH) of cfg as gremiumd serves and writes it
 * and `gremiumctl ics` prints it.  DTSTAMP is the config's mtime; UIDs,
 * SEQUENCE, LAST-MODIFIED and the meetings that took place under an earlier
 * version come from the state in db (plan_published(); NULL: none
 * recorded), so the same config and state give the same bytes.  NULL on
 * failure (-errno in *ret_err).
 */
char *service_feed(const struct gr_config *cfg, time_t now, struct store *db, int *ret_err);

/*
 * Render one planned action into a complete message (iMIP for invitations,
 * updates and cancellations).  occ: the occurrences of service_occurrences().
 * cache: REQUESTs already made for this occ (ical_cache_new()), or NULL.
 * Returns 0 and *ret (malloc'ed, caller frees), *ret_len; or -EINVAL /
 * -ENOMEM with a one-line reason in err.
 */
int service_render(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                   const struct sched_list *occ, struct ical_cache *cache,
                   const struct plan_action *a, time_t now, char **ret, size_t *ret_len,
                   char *err, size_t errlen);

/* At most this many new failures are listed in service_plan_info. */
#define SERVICE_FAILURES_LISTED 20

/* A topic's title in a confirmation: at most this many bytes (letter_title()'s cap). */
#define SERVICE_TITLE_MAX 200

/*
 * What `gremiumctl check` asks before the service starts: can every text
 * cfg can send (tmpl: loaded by tmpl_load(), NULL for the built-in ones) be
 * rendered in cfg's language with the longest values cfg can put into its
 * placeholders?  tmpl_check() test-renders them with tmpl_render().
 * Returns 0, -EINVAL (each problem written to errs as FILE:LINE: message)
 * or -ENOMEM.
 */
int service_check_templates(const struct gr_config *cfg, const struct tmpl_set *tmpl, FILE *errs);

struct service_plan_info {
	size_t enqueued;        /* messages planned this time */
	time_t next_due;        /* next notification due after now, 0 = none */
	/* messages that could not be rendered: recorded as failed outbox
	 * entries ("cannot render: REASON"), not sent; the others went on */
	size_t unrenderable;
	size_t unrenderable_new;        /* of those, not recorded before (or
	                                 * with another reason) */
	/* the new ones, a line each: "ADDRESS (KIND[ OCCURRENCE]): cannot
	 * render: REASON\n", the first SERVICE_FAILURES_LISTED and then
	 * "... and N more"; NULL if none.  Caller frees. */
	char *failures;
};

/*
 * Plan at now and enqueue into db (a sender's store).  Without a sender,
 * all in one transaction: on failure nothing was recorded.  With one, a
 * transaction per 64 actions, and between them sender_pump(): a
 * long list starts going out while the rest is rendered; on failure the
 * actions committed so far stay, whole (message, object row and notice
 * together), and the next plan does the rest.
 * A message that cannot be rendered (a field the mail or calendar cannot
 * carry, a text too large) stops nothing: it is recorded as failed with the
 * reason (store_outbox_unrenderable()), counted in ret->unrenderable, and
 * listed in ret->failures the first time; the next plan tries it again
 * (silently while it fails the same way), so a fixed config lets it out.
 * Returns 0 and fills *ret (free ret->failures), or a negative errno with a
 * reason in err (errors of the database, the schedule or memory).
 */
int service_plan(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                 struct store *db, struct sender *sender, time_t now,
                 struct service_plan_info *ret, char *err, size_t errlen);

/* ---- the committee's mailbox (service-inbound.c) ---- */

struct service_inbound_info {
	unsigned recorded;      /* messages recorded this pass */
	unsigned already_seen;  /* recorded before, only marked done now */
	unsigned too_large;     /* of recorded: not fetched */
	unsigned topics, held, duplicates;
	bool store_failed;      /* the pass stopped on the state database, not the mailbox */
};

/* A line for the log or the terminal: LOG_INFO per message, LOG_ERR for
 * problems (syslog.h priorities). */
typedef void (*service_line_fn)(void *userdata, int priority, const char *line);

/*
 * One pass over cfg's mailbox (inbound_pass()) at now: each new message is
 * parsed, decided by the topics rules and recorded in one transaction in
 * db: its inbox row, for a topic the topic (store_topic_add()) and its
 * confirmation in the outbox (Message-ID
 * "gremium.<committee>.topic-confirmation.<inbox id>@<domain>", In-Reply-To
 * the member's mail), so that a crash neither loses nor doubles a message.
 * A message too large is recorded as too-large, one that does not parse as
 * invalid.  line (may be NULL) gets one line per message and problem.
 * Returns 0 and *ret, or a negative errno with a one-line reason in err
 * (the mailbox: password, TLS, connection, ...; or the database:
 * ret->store_failed); what was recorded before stays recorded.
 */
int service_inbound(const struct gr_config *cfg, const struct tmpl_set *tmpl, struct store *db,
                    time_t now, service_line_fn line, void *userdata,
                    struct service_inbound_info *ret, char *err, size_t errlen);

#endif
