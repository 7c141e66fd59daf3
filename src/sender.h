/* SPDX-License-Identifier: MIT */
/*
 * sender - deliver the outbox: gremiumd's and `run-once`'s sending.
 *   sender_send_one()  take the next due entry, hand it to the transport
 *                      and record the outcome (sent, retry with backoff,
 *                      or permanently failed);
 *   struct sender      the same for many entries at once on an sd-event
 *                      loop: keeps the transport's slots filled from the
 *                      outbox, records outcomes in batches.
 * It wires store and transport; service.c plans what goes into the outbox.
 */
#ifndef GREMIUM_SENDER_H
#define GREMIUM_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "model.h"
#include "store.h"
#include "transport.h"

/* Backoff of temporary failures: 1 minute doubling up to 1 hour. */
#define SENDER_RETRY_MIN 60
#define SENDER_RETRY_MAX 3600

struct sender_sent {
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
int sender_send_one(const struct gr_config *cfg, struct store *db, struct transport *tr,
                    time_t now, unsigned *seed, struct sender_sent *ret,
                    char *err, size_t errlen);

/* When to try an entry again after its attempts-th temporary failure:
 * min(60 s * 2^(attempts-1), 1 h), minus up to a quarter of jitter. */
time_t sender_retry_at(time_t now, int attempts, unsigned *seed);

/*
 * A token bucket for delivery.rate_per_minute: starts full with `burst`
 * tokens (one second's worth, at least 1), refills continuously.  Times are
 * microseconds of a monotonic clock.
 */
struct sender_bucket {
	double tokens, burst, per_usec;
	uint64_t last;
};

void sender_bucket_init(struct sender_bucket *b, int per_minute, uint64_t now);

/* Take one token at now: true; or false and *ret_wait, the microseconds
 * until one is there. */
bool sender_bucket_take(struct sender_bucket *b, uint64_t now, uint64_t *ret_wait);

/*
 * Progress of a drain as one line: "1200/10000 sent, 310/s, ETA 0:29"
 * (", 3 deferred, 1 failed" added when there are any).  done counts every
 * outcome (sent, deferred, failed); the rate and ETA are over done.
 * elapsed in seconds.
 */
void sender_progress_format(size_t sent, size_t deferred, size_t failed, size_t total,
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
struct sender;

struct sender_ops {
	/* one outcome, recorded already (sent is borrowed) */
	void (*outcome)(void *data, const struct sender_sent *sent);
	/* nothing in flight and nothing due (r == 0), or the sender stopped
	 * on a store error (r < 0, reason in err); sender_kick()
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
int sender_new(const struct gr_config *cfg, struct store *db, struct transport *tr,
               sd_event *ev, time_t fixed_now, const struct sender_ops *ops,
               struct sender **ret);

/* Entries may be due: fill the free slots (from the loop, not at once).
 * Also adds the due entries to the progress total. */
void sender_kick(struct sender *s);

/* `more` entries are about to be enqueued (a plan that is under way):
 * counted in the progress total now.  Kicks the sender if it is idle. */
void sender_expect(struct sender *s, size_t more);

/* From within a long step of the caller that holds the loop (a plan):
 * record the deliveries that finished and hand out what is due now, as the
 * loop would; kicks the sender first if it is idle.  No transaction may be
 * open on the store. */
void sender_pump(struct sender *s);

/* Claim nothing more; idle() follows once the deliveries in flight end. */
void sender_stop(struct sender *s);

/* Deliveries in flight now. */
size_t sender_in_flight(const struct sender *s);

/* The progress line of the current drain (since the last idle()). */
void sender_progress(const struct sender *s, char *buf, size_t len);

/* Free s; deliveries in flight are abandoned (their entries stay
 * `sending` and are re-queued when a sender opens the store). */
void sender_free(struct sender *s);

#endif
