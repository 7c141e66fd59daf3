/* SPDX-License-Identifier: MIT */
/*
 * service - the work gremiumd and `gremiumctl run-once` share:
 *   service_plan()  plan what is due at now, render every message and
 *                   enqueue them with the state changes in one transaction;
 *   service_send()  take the next due outbox entry, hand it to the
 *                   transport and record the outcome (sent, retry with
 *                   backoff, or permanently failed).
 * It wires plan, schedule, ical, template, mail, store and transport; it
 * keeps no state of its own between calls.
 */
#ifndef GREMIUM_SERVICE_H
#define GREMIUM_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "model.h"
#include "plan.h"
#include "schedule.h"
#include "store.h"
#include "template.h"
#include "transport.h"

/* How far beyond now occurrences are expanded (DESIGN: no horizon for
 * invitations; two years covers every notification offset). */
#define SERVICE_AHEAD_SECONDS (2 * 366 * 24 * 3600L)

/* Backoff of temporary failures: 1 minute doubling up to 1 hour. */
#define SERVICE_RETRY_MIN 60
#define SERVICE_RETRY_MAX 3600

/*
 * Expand cfg's occurrences over the window plan and ical need at now.
 * Returns 0 and *ret (free with sched_list_free()), or a negative errno.
 */
int service_occurrences(const struct gr_config *cfg, time_t now, struct sched_list *ret);

/*
 * The public feed (METHOD:PUBLISH) of cfg as gremiumd serves and writes it
 * and `gremiumctl ics` prints it.  DTSTAMP is the config's mtime, so the
 * same config gives the same bytes.  NULL on failure (-errno in *ret_err).
 */
char *service_feed(const struct gr_config *cfg, time_t now, int *ret_err);

/*
 * Render one planned action into a complete message (iMIP for invitations,
 * updates and cancellations).  occ: the occurrences of service_occurrences().
 * Returns 0 and *ret (malloc'ed, caller frees), *ret_len; or -EINVAL /
 * -ENOMEM with a one-line reason in err.
 */
int service_render(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                   const struct sched_list *occ, const struct plan_action *a,
                   time_t now, char **ret, size_t *ret_len, char *err, size_t errlen);

struct service_plan_info {
	size_t enqueued;        /* messages planned this time */
	time_t next_due;        /* next notification due after now, 0 = none */
};

/*
 * Plan at now and enqueue, all in one transaction of db (a sender's).
 * Returns 0 and fills *ret, or a negative errno with a reason in err; on
 * failure nothing was recorded.
 */
int service_plan(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                 struct store *db, time_t now, struct service_plan_info *ret,
                 char *err, size_t errlen);

struct service_sent {
	char recipient[320];
	char kind[32];
	enum tr_result result;
	bool gave_up;           /* temporary, but retry_for_hours are over */
	time_t retry_at;        /* when a temporary failure is tried again */
	char reply[512];
};

/*
 * Send the next outbox entry due at now through tr.  seed feeds the
 * backoff jitter (rand_r).  Returns 1 when an entry was handled (*ret says
 * how), 0 when none is due, or a negative errno (store trouble) with a
 * reason in err.
 */
int service_send(const struct gr_config *cfg, struct store *db, struct transport *tr,
                 time_t now, unsigned *seed, struct service_sent *ret,
                 char *err, size_t errlen);

/* When to try an entry again after its attempts-th temporary failure:
 * min(60 s * 2^(attempts-1), 1 h), minus up to a quarter of jitter. */
time_t service_retry_at(time_t now, int attempts, unsigned *seed);

#endif
