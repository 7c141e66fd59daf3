/* SPDX-License-Identifier: MIT */
/*
 * sender - deliver the outbox.  See sender.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sender.h"
#include "util.h"
#include "verp.h"

/* ---- sending ---- */

time_t sender_retry_at(time_t now, int attempts, unsigned *seed)
{
	long delay = SENDER_RETRY_MIN;

	for (int i = 1; i < attempts && delay < SENDER_RETRY_MAX; i++)
		delay *= 2;
	if (delay > SENDER_RETRY_MAX)
		delay = SENDER_RETRY_MAX;
	/* jitter: spread retries of many recipients so they do not hit a
	 * recovering server all in the same second */
	delay -= (long)(rand_r(seed) % (unsigned)(delay / 4 + 1));
	return now + delay;
}

/*
 * Record the outcome of claimed entry e at now: sent, retry with backoff
 * while retry_for_hours last (counted from when it was enqueued), else
 * failed.  Fills *ret; 0 or a negative errno with a reason in err.
 */
static int record(const struct gr_config *cfg, struct store *db, const struct store_entry *e,
                  const struct tr_outcome *out, time_t now, unsigned *seed,
                  struct sender_sent *ret, char *err, size_t errlen)
{
	struct sender_sent sent = { .result = out->result };
	int r;

	snprintf(sent.recipient, sizeof(sent.recipient), "%s", e->recipient);
	snprintf(sent.kind, sizeof(sent.kind), "%s", e->kind);
	snprintf(sent.reply, sizeof(sent.reply), "%s", out->reply);
	if (out->unsent) {
		/* due again at once, as it was before the claim */
		sent.unsent = true;
		r = store_outbox_retry(db, e->id, now, out->reply, now);
	} else if (out->result == TR_SENT) {
		r = store_outbox_sent(db, e->id, now);
	} else if (out->result == TR_TEMPORARY &&
	           now < e->created + (time_t)cfg->delivery.retry_for_hours * 3600) {
		sent.retry_at = sender_retry_at(now, e->attempts, seed);
		r = store_outbox_retry(db, e->id, sent.retry_at, out->reply, now);
	} else {
		sent.gave_up = out->result == TR_TEMPORARY;
		r = store_outbox_failed(db, e->id, out->reply, now);
	}
	if (r < 0)
		snprintf(err, errlen, "recording the outcome for %s: %s", e->recipient, store_errmsg(db));
	*ret = sent;
	return r;
}

/*
 * The envelope sender of e: with an inbound mailbox configured (where
 * bounces are read), the VERP address of its row (verp.h), so a bounce
 * names the row; without one, the organizer as before: a bounce to an
 * address nobody reads would be lost, the organizer at least sees it.
 */
static const char *envelope_from(const struct gr_config *cfg, const struct store_entry *e,
                                 char *buf, size_t len)
{
	if (cfg->inbound.source == GR_INBOUND_NONE || !cfg->delivery.bounce_address ||
	    verp_address(cfg->delivery.bounce_address, e->id, e->message_id, buf, len) < 0)
		return cfg->committee.organizer_email;
	return buf;
}

/* An entry without message bytes (a damaged database) is a permanent
 * failure of its own, not an empty mail: false with *ret filled. */
static bool has_message(const struct store_entry *e, struct tr_outcome *ret)
{
	if (e->message_len > 0)
		return true;
	*ret = (struct tr_outcome){ .result = TR_PERMANENT };
	snprintf(ret->reply, sizeof(ret->reply), "the outbox entry holds no message");
	return false;
}

int sender_send_one(const struct gr_config *cfg, struct store *db, struct transport *tr,
                    time_t now, unsigned *seed, struct sender_sent *ret,
                    char *err, size_t errlen)
{
	struct store_entry e = { 0 };
	struct tr_outcome out = { 0 };
	struct sender_sent sent;
	char from[512];
	int r;

	r = store_outbox_claim(db, now, &e);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "reading the outbox: %s", store_errmsg(db));
		return r;
	}
	if (has_message(&e, &out))
		(void)tr_send(tr, envelope_from(cfg, &e, from, sizeof(from)), e.recipient, e.message,
		              e.message_len, &out);
	r = record(cfg, db, &e, &out, now, seed, &sent, err, errlen);
	store_entry_free(&e);
	if (r < 0)
		return r;
	*ret = sent;
	return 1;
}

/* ---- rate limit and progress (pure) ---- */

void sender_bucket_init(struct sender_bucket *b, int per_minute, uint64_t now)
{
	b->per_usec = per_minute > 0 ? per_minute / 60e6 : 0;
	/* a burst of one second's worth: smooth, yet a small committee's
	 * mails do not trickle out one by one */
	b->burst = per_minute >= 60 ? per_minute / 60.0 : 1.0;
	b->tokens = b->burst;
	b->last = now;
}

bool sender_bucket_take(struct sender_bucket *b, uint64_t now, uint64_t *ret_wait)
{
	if (b->per_usec <= 0)
		return true;
	if (now > b->last) {
		b->tokens += (double)(now - b->last) * b->per_usec;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	/* +1: never wake up a hair too early and spin */
	*ret_wait = (uint64_t)((1.0 - b->tokens) / b->per_usec) + 1;
	return false;
}

static void format_duration(double secs, char *buf, size_t len)
{
	long s = secs < 0 ? 0 : secs > 359999 ? 359999 : (long)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

void sender_progress_format(size_t sent, size_t deferred, size_t failed, size_t total,
                             double elapsed, char *buf, size_t len)
{
	size_t done = sent + deferred + failed;
	double rate = elapsed > 0 ? done / elapsed : 0;
	char eta[32] = "-:--", extra[96] = "";

	if (total < done)
		total = done;
	if (rate > 0)
		format_duration((double)(total - done) / rate, eta, sizeof(eta));
	if (deferred || failed)
		snprintf(extra, sizeof(extra), ", %zu deferred, %zu failed", deferred, failed);
	snprintf(buf, len, "%zu/%zu sent%s, %.0f/s, ETA %s", sent, total, extra, rate, eta);
}

/* ---- the sender ---- */

/*
 * A slot's life: FREE -> CLAIMED (marked `sending` in the store) -> FLYING
 * (handed to the transport) -> DONE (outcome known, not yet recorded) ->
 * FREE.  Outcomes are recorded and the next entries claimed in one
 * transaction per loop iteration (on_fill): one commit per message instead
 * of two.  A crash loses nothing: an entry is `sending` from its claim
 * until its outcome is committed, and is sent again on the next start.
 * There are as many slots as the transport takes at once (smtp: 8 per
 * connection, one being sent and the others queued behind it), and a slot
 * holds one entry from claim to record.  After a crash, those that reached
 * the server but whose outcome was not committed are sent twice: the
 * transport starts no new mail while 3 per connection wait to be recorded
 * (tr_recorded(), called after each commit), so at most 4 per connection.
 */
enum slot_state { SLOT_FREE, SLOT_CLAIMED, SLOT_FLYING, SLOT_DONE };

struct sender_slot {
	struct store_entry e;
	enum slot_state state;
	struct tr_outcome out;
};

struct sender {
	const struct gr_config *cfg;
	struct store *db;
	struct transport *tr;
	sd_event *ev;
	struct sender_ops ops;
	time_t fixed_now;
	unsigned seed;
	sd_event_source *fill;          /* defer: record outcomes, refill slots */
	sd_event_source *rate_timer;    /* the next token */
	struct sender_bucket bucket;
	struct sender_slot *slots;      /* as many as the transport takes */
	struct sender_sent *round;      /* n_slots: one round's outcomes */
	size_t n_slots;
	bool stopping, busy;            /* busy: between a kick and idle() */
	int error;                      /* a store error stopped claiming */
	char err[512];
	/* the current drain, for progress */
	size_t sent, deferred, failed, total;
	uint64_t started;               /* CLOCK_MONOTONIC usec */
};

static time_t sender_now(const struct sender *s)
{
	return s->fixed_now ? s->fixed_now : time(NULL);
}

static uint64_t mono_usec(const struct sender *s)
{
	uint64_t now = 0;

	(void)sd_event_now(s->ev, CLOCK_MONOTONIC, &now);
	return now;
}

static void sender_fail(struct sender *s, int r, const char *what)
{
	if (s->error)
		return;
	s->error = r;
	snprintf(s->err, sizeof(s->err), "%s", what);
}

static size_t count_state(const struct sender *s, enum slot_state state)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_slots; i++)
		n += s->slots[i].state == state;
	return n;
}

/* transport's done(): keep the outcome; on_fill records it */
static void on_delivered(void *data, void *job, const struct tr_outcome *out)
{
	struct sender *s = data;
	struct sender_slot *slot = job;

	slot->out = *out;
	slot->state = SLOT_DONE;
	(void)sd_event_source_set_enabled(s->fill, SD_EVENT_ON);
}

/* Record every DONE slot (inside on_fill's transaction); the outcomes go
 * to ops.outcome() once committed, so *ret holds them until then. */
static size_t record_done(struct sender *s, struct sender_sent *ret)
{
	size_t n = 0;
	char err[512];

	for (size_t i = 0; i < s->n_slots && !s->error; i++) {
		struct sender_slot *slot = &s->slots[i];
		int r;

		if (slot->state != SLOT_DONE)
			continue;
		r = record(s->cfg, s->db, &slot->e, &slot->out, sender_now(s), &s->seed, &ret[n], err,
		           sizeof(err));
		if (r < 0) {
			sender_fail(s, r, err);
			break;
		}
		n++;
		store_entry_free(&slot->e);
		slot->state = SLOT_FREE;
	}
	return n;
}

/* May one more delivery start now (rate limit)?  If not, the rate timer
 * is armed to try again when a token is there. */
static bool rate_allows(struct sender *s)
{
	uint64_t now = mono_usec(s), wait = 0;

	if (sender_bucket_take(&s->bucket, now, &wait))
		return true;
	(void)sd_event_source_set_time(s->rate_timer, now + wait);
	(void)sd_event_source_set_enabled(s->rate_timer, SD_EVENT_ONESHOT);
	return false;
}

/* Claim entries into the free slots.  Returns how many; *ret_empty when
 * nothing more is due. */
static size_t claim_free(struct sender *s, bool *ret_empty)
{
	struct store_entry got[s->n_slots];
	size_t want = 0, n = 0, k = 0;
	int r;

	*ret_empty = false;
	if (s->stopping || s->error)
		return 0;
	/* a token per free slot, as far as the rate allows */
	for (size_t i = 0; i < s->n_slots; i++)
		if (s->slots[i].state == SLOT_FREE) {
			if (!rate_allows(s))
				break;
			want++;
		}
	if (want == 0)
		return 0;
	r = store_outbox_claim_many(s->db, sender_now(s), want, got, &n);
	if (r < 0 && r != -ENOENT) {
		sender_fail(s, r, store_errmsg(s->db));
		n = 0;
	}
	/* tokens not used: give them back */
	if (s->bucket.per_usec > 0)
		s->bucket.tokens += (double)(want - n);
	*ret_empty = r == -ENOENT || (r == 0 && n < want);
	for (size_t i = 0; i < s->n_slots && k < n; i++) {
		struct sender_slot *slot = &s->slots[i];

		if (slot->state != SLOT_FREE)
			continue;
		slot->e = got[k++];
		slot->state = SLOT_CLAIMED;
	}
	return n;
}

/* Hand the claimed entries to the transport (maildir: done at once). */
static void start_claimed(struct sender *s)
{
	for (size_t i = 0; i < s->n_slots; i++) {
		struct sender_slot *slot = &s->slots[i];
		int r;

		if (slot->state != SLOT_CLAIMED)
			continue;
		slot->state = SLOT_FLYING;
		struct tr_outcome none;
		if (!has_message(&slot->e, &none)) {
			on_delivered(s, slot, &none);
			continue;
		}
		char from[512];

		r = tr_start(s->tr, slot, envelope_from(s->cfg, &slot->e, from, sizeof(from)),
		             slot->e.recipient, slot->e.message, slot->e.message_len);
		if (r < 0) {
			/* libcurl refused to start: a temporary failure, retried
			 * with the usual backoff */
			struct tr_outcome out = { .result = TR_TEMPORARY };

			snprintf(out.reply, sizeof(out.reply), "cannot start the delivery: %s",
			         strerror(-r));
			on_delivered(s, slot, &out);
		}
	}
}

/* One transaction: record what finished, claim what is due. */
static void fill_round(struct sender *s, bool *ret_empty)
{
	struct sender_sent *sent = s->round;
	size_t n_sent = 0;
	int r = store_outbox_begin(s->db);

	*ret_empty = false;
	if (r < 0) {
		sender_fail(s, r, store_errmsg(s->db));
		return;
	}
	n_sent = record_done(s, sent);
	(void)claim_free(s, ret_empty);
	if (!s->error && (r = store_commit(s->db)) < 0)
		sender_fail(s, r, store_errmsg(s->db));
	if (s->error) {
		(void)store_rollback(s->db);
		return;
	}
	tr_recorded(s->tr);
	for (size_t i = 0; i < n_sent; i++) {
		if (sent[i].unsent)
			continue;
		if (sent[i].result == TR_SENT)
			s->sent++;
		else if (sent[i].result == TR_TEMPORARY && !sent[i].gave_up)
			s->deferred++;
		else
			s->failed++;
		s->ops.outcome(s->ops.data, &sent[i]);
	}
	start_claimed(s);
}

/*
 * The fill source: one round per loop iteration, so that signals, the
 * watchdog and socket events are served in between even when every
 * delivery completes at once (maildir).  Off while all slots are in
 * flight; on_delivered() turns it on again.
 */
static int on_fill(sd_event_source *src, void *data)
{
	struct sender *s = data;
	bool empty = false;

	(void)src;
	if (!s->error)
		fill_round(s, &empty);
	if (!s->error && count_state(s, SLOT_DONE) > 0)
		return 0;
	if (!s->error && !s->stopping && !empty && count_state(s, SLOT_FREE) > 0 &&
	    sd_event_source_get_enabled(s->rate_timer, NULL) == 0)
		return 0;       /* more may be due: stay on */
	(void)sd_event_source_set_enabled(s->fill, SD_EVENT_OFF);
	if (s->busy && count_state(s, SLOT_FLYING) == 0 &&
	    (s->error || (count_state(s, SLOT_DONE) == 0 && (empty || s->stopping)))) {
		s->busy = false;
		s->ops.idle(s->ops.data, s->error, s->err);
	}
	return 0;
}

static int on_rate(sd_event_source *src, uint64_t usec, void *data)
{
	struct sender *s = data;

	(void)src, (void)usec;
	return sd_event_source_set_enabled(s->fill, SD_EVENT_ON);
}

/* ---- the transport's completions on sd-event (transport.h hooks) ---- */

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct sender *s = data;

	(void)src, (void)fd, (void)revents;
	return tr_run(s->tr);
}

/* fd_data holds the fd's io source */
static int hook_watch(void *data, int fd, int what, void **fd_data)
{
	struct sender *s = data;

	if (what & TR_IO_REMOVE) {
		(void)sd_event_source_disable_unref(*fd_data);
		*fd_data = NULL;
		return 0;
	}
	return sd_event_add_io(s->ev, (sd_event_source **)fd_data, fd, EPOLLIN, on_io, s);
}

/* The event sources; all start disabled. */
static int sender_sources(struct sender *s)
{
	int r = sd_event_add_defer(s->ev, &s->fill, on_fill, s);

	/* accuracy 1 us: sd-event's default would coalesce to 250 ms */
	if (r >= 0)
		r = sd_event_add_time(s->ev, &s->rate_timer, CLOCK_MONOTONIC, UINT64_MAX, 1,
		                      on_rate, s);
	/* after every ready socket: completions of one wake-up are then
	 * recorded together, in one transaction */
	if (r >= 0)
		r = sd_event_source_set_priority(s->fill, SD_EVENT_PRIORITY_IDLE);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->fill, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->rate_timer, SD_EVENT_OFF);
	return r < 0 ? r : 0;
}

int sender_new(const struct gr_config *cfg, struct store *db, struct transport *tr,
               sd_event *ev, time_t fixed_now, const struct sender_ops *ops,
               struct sender **ret)
{
	struct sender *s = calloc(1, sizeof(*s));
	struct tr_hooks hooks = { hook_watch, on_delivered, s };
	int r;

	if (!s)
		return -ENOMEM;
	*s = (struct sender){
		.cfg = cfg, .db = db, .tr = tr, .ev = sd_event_ref(ev), .ops = *ops,
		.fixed_now = fixed_now, .seed = (unsigned)time(NULL) ^ (unsigned)getpid(),
	};
	r = sender_sources(s);
	if (r == 0)
		r = tr_async(tr, &hooks);
	if (r == 0) {
		/* as many as the transport takes at once */
		s->n_slots = tr_slots_free(tr);
		s->slots = calloc(s->n_slots, sizeof(*s->slots));
		s->round = calloc(s->n_slots, sizeof(*s->round));
		r = s->slots && s->round ? 0 : -ENOMEM;
	}
	if (r < 0) {
		sender_free(s);
		return r;
	}
	sender_bucket_init(&s->bucket, cfg->delivery.rate_per_minute, mono_usec(s));
	*ret = s;
	return 0;
}

void sender_kick(struct sender *s)
{
	long due = 0;

	if (!s->busy) {
		s->busy = true;
		s->sent = s->deferred = s->failed = s->total = 0;
		s->started = mono_usec(s);
	}
	s->error = 0;
	s->err[0] = '\0';
	if (store_outbox_due_count(s->db, sender_now(s), &due) == 0)
		s->total = s->sent + s->deferred + s->failed + sender_in_flight(s) + (size_t)due;
	(void)sd_event_source_set_enabled(s->fill, SD_EVENT_ON);
}

void sender_expect(struct sender *s, size_t more)
{
	if (!s->busy)
		sender_kick(s);
	s->total += more;
}

void sender_pump(struct sender *s)
{
	bool empty = false;

	if (!s->busy)
		sender_kick(s);
	(void)tr_run(s->tr);
	if (!s->error && !s->stopping)
		fill_round(s, &empty);
}

void sender_stop(struct sender *s)
{
	s->stopping = true;
	/* wait only for the mails being sent, not those queued behind them */
	tr_unqueue(s->tr);
	(void)sd_event_source_set_enabled(s->fill, SD_EVENT_ON);
}

size_t sender_in_flight(const struct sender *s)
{
	return s->n_slots - count_state(s, SLOT_FREE);
}

void sender_progress(const struct sender *s, char *buf, size_t len)
{
	double elapsed = (double)(mono_usec(s) - s->started) / 1e6;

	sender_progress_format(s->sent, s->deferred, s->failed, s->total, elapsed, buf, len);
}

void sender_free(struct sender *s)
{
	if (!s)
		return;
	/* the transport's last hook calls need s */
	tr_async_end(s->tr);
	/* in flight, e.g. when a reload replaces the transport: record what
	 * finished, queue the rest again now rather than leave them
	 * `sending` until the next start */
	for (size_t i = 0; s->slots && i < s->n_slots; i++) {
		struct sender_slot *slot = &s->slots[i];

		if (slot->state == SLOT_DONE)
			(void)record(s->cfg, s->db, &slot->e, &slot->out, sender_now(s), &s->seed,
			             &(struct sender_sent){ 0 }, s->err, sizeof(s->err));
		else if (slot->state != SLOT_FREE)
			(void)store_outbox_retry(s->db, slot->e.id, sender_now(s),
			                         "delivery interrupted", sender_now(s));
		store_entry_free(&slot->e);
	}
	free(s->slots);
	free(s->round);
	sd_event_source_disable_unref(s->fill);
	sd_event_source_disable_unref(s->rate_timer);
	sd_event_unref(s->ev);
	free(s);
}
