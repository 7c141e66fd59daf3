/* SPDX-License-Identifier: MIT */
/*
 * service-attendance.c - a member's iMIP answer in the service module
 * (service-internal.h): parse the reply (reply), decide (attendance), record
 * the answers (store), inside the inbound pass's transaction of the inbox
 * row.  Nobody is answered.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendance.h"
#include "letter.h"
#include "reply.h"
#include "service-internal.h"
#include "store.h"

int service_attendance(const struct gr_config *cfg, struct store *db,
                       const struct sched_list *occ, const struct gr_letter *l, int64_t inbox_id,
                       time_t now, char *outcome, size_t len, bool *ret_held)
{
	struct gr_reply reply;
	struct store_state st;
	struct attendance_decision *d = NULL;
	bool applied[REPLY_MAX_ITEMS] = { false };
	char why[256];
	int r = reply_parse(l->calendar, strlen(l->calendar), cfg->committee.timezone, &reply, why,
	                    sizeof(why));

	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		*ret_held = true;
		snprintf(outcome, len, "held: the calendar answer cannot be read: %s", why);
		return store_inbox_set_outcome(db, inbox_id, NULL, outcome, true);
	}
	r = store_read_state(db, &st);
	if (r < 0) {
		reply_free(&reply);
		return r;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		r = -ENOMEM;
	if (r == 0)
		attendance_decide(cfg, occ, &st, l->from, &reply, now, inbox_id, d);
	for (size_t i = 0; r == 0 && i < d->n_items; i++)
		if (d->items[i].apply)
			r = store_answer_record(db, &d->items[i].answer, &applied[i]);
	if (r == 0) {
		attendance_outcome(d, applied, outcome, len);
		*ret_held = d->held;
		r = store_inbox_set_outcome(db, inbox_id, NULL, outcome, d->held);
	}
	free(d);
	store_state_free(&st);
	reply_free(&reply);
	return r;
}
