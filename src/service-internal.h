/* SPDX-License-Identifier: MIT */
/*
 * service-internal.h - what the files of the service module share.  It is
 * one module (service.h) in three files, so that none exceeds STYLE's 900
 * lines.  Not for other modules.
 *
 *   service.c          occurrences, the feed, service_check_templates()
 *   service-render.c   one message: placeholder values, calendar part, mail
 *   service-plan.c     service_plan(): plan, render (threads), enqueue
 *   service-attendance.c  a member's iMIP answer recorded (inbound pass)
 */
#ifndef GREMIUM_SERVICE_INTERNAL_H
#define GREMIUM_SERVICE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "service.h"
#include "template.h"

/* The placeholder values of one message; strings live in the buffers. */
struct vars {
	enum tmpl_lang lang;
	char date[64], time[32], end_time[32], deadline[64], days[16], in_days[32];
	char old_date[64], changes[2048];
	struct tmpl_var v[32];
	size_t n;
};

/*
 * service-render.c: service_render() with the bare reason in err (no
 * recipient or kind: the failure records of a plan carry those themselves).
 */
int service_render_bare(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                        const struct sched_list *occ, struct ical_cache *cache,
                        const struct plan_action *a, time_t now, char **ret, size_t *ret_len,
                        char *err, size_t errlen);

/*
 * service-attendance.c: the answers in the calendar part of reply letter l
 * (inbox row inbox_id, recorded at now) applied to the state, inside the
 * caller's transaction: parsed (reply), decided (attendance), recorded
 * (store_answer_record); the inbox row's outcome (also written to outcome)
 * and held flag (*ret_held) say what happened.  0 or -errno (store).
 */
struct gr_letter;
int service_attendance(const struct gr_config *cfg, struct store *db,
                       const struct sched_list *occ, const struct gr_letter *l, int64_t inbox_id,
                       time_t now, char *outcome, size_t len, bool *ret_held);

#endif
