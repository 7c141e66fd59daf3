/* SPDX-License-Identifier: MIT */
/*
 * service - the work gremiumd and `gremiumctl run-once` share:
 *   service_plan()  plan what is due at now, render every message and
 *                   enqueue them with the state changes in one transaction;
 *   service_send()  take the next due outbox entry, hand it to the
 *                   transport and record the outcome (sent, retry with
 *                   backoff, or permanently failed);
 *   service_sender  the same for many entries at once on an sd-event loop:
 *                   keeps the transport's slots filled from the outbox.
 * It wires plan, schedule, ical, template, mail, store and transport.
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
 * cache: REQUESTs already made for this occ (ical_cache_new()), or NULL.
 * Returns 0 and *ret (malloc'ed, caller frees), *ret_len; or -EINVAL /
 * -ENOMEM with a one-line reason in err.
 */
int service_render(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                   const struct sched_list *occ, struct ical_cache *cache,
                   const struct plan_action *a, time_t now, char **ret, size_t *ret_len,
                   char *err, size_t errlen);

struct service_plan_info {
	size_t enqueued;        /* messages planned this time */
	time_t next_due;        /* next notification due after now, 0 = none */
};

struct service_sender;

/*
 * Plan at now and enqueue into db (a sender's store).  Without a sender,
 * all in one transaction: on failure nothing was recorded.  With one, a
 * transaction per 64 actions, and between them service_sender_pump(): a
 * long list starts going out while the rest is rendered; on failure the
 * actions committed so far stay, whole (message, object row and notice
 * together), and the next plan does the rest.  Returns 0 and fills *ret,
 * or a negative errno with a reason in err.
 */
int service_plan(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                 struct store *db, struct service_sender *sender, time_t now,
                 struct service_plan_info *ret, char *err, size_t errlen);

struct service_sent {
	char recipient[320];
	char kind[32];
	enum tr_result result;
	bool gave_up;           /* temporary, but retry_for_hours are over */
	bool unsent;            /* given back unsent (a stop): queued again as
	                         * it was, not an outcome */
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

/*
 * A token bucket for delivery.rate_per_minute: starts full with `burst`
 * tokens (one second's worth, at least 1), refills continuously.  Times are
 * microseconds of a monotonic clock.
 */
struct service_bucket {
	double tokens, burst, per_usec;
	uint64_t last;
};

void service_bucket_init(struct service_bucket *b, int per_minute, uint64_t now);

/* Take one token at now: true; or false and *ret_wait, the microseconds
 * until one is there. */
bool service_bucket_take(struct service_bucket *b, uint64_t now, uint64_t *ret_wait);

/*
 * Progress of a drain as one line: "1200/10000 sent, 310/s, ETA 0:29"
 * (", 3 deferred, 1 failed" added when there are any).  done counts every
 * outcome (sent, deferred, failed); the rate and ETA are over done.
 * elapsed in seconds.
 */
void service_progress_format(size_t sent, size_t deferred, size_t failed, size_t total,
                             double elapsed, char *buf, size_t len);

/*
 * The sender: keeps up to delivery.connections deliveries in flight on an
 * sd-event loop (tr_async), claiming one outbox entry per free slot (each
 * marked `sending` on its own, so a crash re-sends only those), recording
 * each outcome as it completes, and honouring delivery.rate_per_minute.
 *
 * sd-event here as well as in daemon: `run-once` needs the same loop as
 * gremiumd, and service is the module both share; transport knows no loop
 * (see transport.h) and the glue from its hooks to io and time sources is
 * in service.c only.
 */
struct service_sender_ops {
	/* one outcome, recorded already (sent is borrowed) */
	void (*outcome)(void *data, const struct service_sent *sent);
	/* nothing in flight and nothing due (r == 0), or the sender stopped
	 * on a store error (r < 0, reason in err); service_sender_kick()
	 * starts it again */
	void (*idle)(void *data, int r, const char *err);
	void *data;
};

/*
 * Create a sender for db and tr (borrowed; tr switched to asynchronous
 * mode here) on ev.  fixed_now: the clock for claims and outcomes, 0 for
 * the real time (run-once passes its --now).  Returns 0 and *ret, or a
 * negative errno.
 */
int service_sender_new(const struct gr_config *cfg, struct store *db, struct transport *tr,
                       sd_event *ev, time_t fixed_now, const struct service_sender_ops *ops,
                       struct service_sender **ret);

/* Entries may be due: fill the free slots (from the loop, not at once).
 * Also adds the due entries to the progress total. */
void service_sender_kick(struct service_sender *s);

/* From within a long step of the caller that holds the loop (a plan):
 * record the deliveries that finished and hand out what is due now, as the
 * loop would; kicks the sender first if it is idle.  No transaction may be
 * open on the store. */
void service_sender_pump(struct service_sender *s);

/* Claim nothing more; idle() follows once the deliveries in flight end. */
void service_sender_stop(struct service_sender *s);

/* Deliveries in flight now. */
size_t service_sender_in_flight(const struct service_sender *s);

/* The progress line of the current drain (since the last idle()). */
void service_sender_progress(const struct service_sender *s, char *buf, size_t len);

/* Free s; deliveries in flight are abandoned (their entries stay
 * `sending` and are re-queued when a sender opens the store). */
void service_sender_free(struct service_sender *s);

#endif
