/* SPDX-License-Identifier: MIT */
/* For the tests that run a sender on a loop of their own (test_sender,
 * test_service): what it reported.  Include after cmocka.h and sender.h. */
#ifndef GREMIUM_TESTS_DRAIN_H
#define GREMIUM_TESTS_DRAIN_H

struct drained {
	sd_event *ev;
	struct sender *sender;
	size_t sent, deferred, failed, idles, max_in_flight;
	int idle_r;
};

/* sender_ops.outcome: count it, and the most deliveries in flight */
static void drained_outcome(void *data, const struct sender_sent *s)
{
	struct drained *d = data;
	size_t n = sender_in_flight(d->sender);

	if (s->result == TR_SENT)
		d->sent++;
	else if (s->result == TR_TEMPORARY && !s->gave_up)
		d->deferred++;
	else
		d->failed++;
	d->max_in_flight = n > d->max_in_flight ? n : d->max_in_flight;
}

/* sender_ops.idle: nothing may be in flight; ends the loop */
static void drained_idle(void *data, int r, const char *err)
{
	struct drained *d = data;

	(void)err;
	d->idles++;
	d->idle_r = r;
	assert_int_equal(sender_in_flight(d->sender), 0);
	(void)sd_event_exit(d->ev, 0);
}

#endif
