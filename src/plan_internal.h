/* SPDX-License-Identifier: MIT */
/*
 * plan_internal.h - what plan.c and plan_history.c share: the planner is one
 * module (plan.h) in two files, so that neither exceeds STYLE's 900 lines.
 * plan.c plans the messages; plan_history.c records the versions of each
 * object and makes the feed's view of them (plan_published()).  Not for
 * other modules.
 */
#ifndef GREMIUM_PLAN_INTERNAL_H
#define GREMIUM_PLAN_INTERNAL_H

#include "plan.h"

/* One calendar object of the config, with what the planner derives. */
struct plan_obj {
	const struct gr_series *series;
	int date_index;
	char uid[256];
	char hash[STORE_HASH_LEN];
	char hash_base[STORE_HASH_LEN];
	char hash_version[STORE_HASH_LEN]; /* hash and the moves: content of the feed */
	char *cancelled;        /* owned: see plan.h */
	bool live;
	time_t end_utc;         /* 0 for an rrule series (open-ended) */
	struct gr_localtime dtstart;
	const struct gr_occurrence *single; /* dated: its occurrence, or NULL */
};

struct plan_ctx {
	const struct gr_config *cfg;
	const struct sched_list *occ;
	time_t now;
	struct plan_result *res;
	size_t cap_actions, cap_records, cap_upcoming, cap_versions;
	struct plan_obj *objs;
	size_t n_objs;
	const struct store_object **recs;   /* sorted by recipient, uid */
	size_t n_recs;
	const struct store_notice **notices; /* sorted by all four keys */
	size_t n_notices;
	const struct gr_member **members;   /* sorted by email */
	const char **uids;                  /* recorded UIDs, sorted (may repeat) */
	size_t n_uids;
	const struct store_state *st;
};

/* "YYYY-MM-DDTHH:MM" of lt. */
void plan_format_local(const struct gr_localtime *lt, char buf[PLAN_LOCAL_LEN]);
/* Is x an occurrence of o?  Does it take place (confirmed or moved)? */
bool plan_occ_of(const struct gr_occurrence *x, const struct plan_obj *o);
bool plan_occ_happens(const struct gr_occurrence *x);
/* Index the state and build the objects of c->cfg (hashes, UIDs): 0 or
 * -ENOMEM/-ENOSPC; free with plan_ctx_free() either way. */
int plan_ctx_build(struct plan_ctx *c, const struct store_state *st);
void plan_ctx_free(struct plan_ctx *c);
/* plan_history.c: a new version of o into c->res when its content differs
 * from the last recorded one.  0 or -ENOMEM. */
int plan_record_version(struct plan_ctx *c, const struct plan_obj *o);

#endif
