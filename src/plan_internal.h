/* SPDX-License-Identifier: MIT */
/*
 * plan_internal.h - what the files of the planner share: it is one
 * module (plan.h) in three files, so that none exceeds STYLE's 900 lines.
 * plan.c plans the messages; plan_objects.c derives the objects of the
 * config (UIDs, hashes); plan_history.c records the versions of each
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
	char uid[512];          /* ID-YYYYMMDD.COMMITTEE@DOMAIN: 64 + 10 + 64 + 253 */
	char hash[STORE_HASH_LEN];
	char hash_base[STORE_HASH_LEN];
	char hash_version[STORE_HASH_LEN]; /* hash and the moves: content of the feed */
	char *cancelled;        /* owned: see plan.h */
	bool live;
	time_t end_utc;         /* 0 for an rrule series (open-ended) */
	struct gr_localtime dtstart;
	const struct gr_occurrence *single; /* dated or moved: its occurrence, or NULL */
	bool moved;             /* a moved meeting of an rrule series, an object
	                         * of its own (util_moved_uid()): single is it */
	struct gr_localtime original; /* moved: its regular start */
	const char *unplannable;        /* static: why no message about it can
	                                 * be made (uid cut short), or NULL */
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
	bool *owned;            /* per item of occ: a moved meeting's object has it */
	int *seqs;              /* per member (config order) and object: the
	                         * SEQUENCE the member holds after this plan */
};

/* plan_objects.c: "YYYY-MM-DDTHH:MM" of lt; 16 hex digits of h; FNV-1a
 * of a tagged field (tag, length, value: NULL differs from "") or of a
 * local time. */
void plan_format_local(const struct gr_localtime *lt, char buf[PLAN_LOCAL_LEN]);
void plan_format_hash(uint64_t h, char buf[STORE_HASH_LEN]);
uint64_t plan_hash_str(uint64_t h, char tag, const char *s);
uint64_t plan_hash_local(uint64_t h, char tag, const struct gr_localtime *lt);
/* plan_objects.c: c->objs from c->cfg, c->occ and c->st (set by plan.c's
 * index of the state).  0, -ENOMEM or -ENOSPC. */
int plan_build_objects(struct plan_ctx *c);
/* Is x an occurrence of o (a series' moved meetings are not: they are
 * objects of their own)?  Does it take place (confirmed or moved)? */
bool plan_occ_of(const struct plan_ctx *c, const struct gr_occurrence *x, const struct plan_obj *o);
bool plan_occ_happens(const struct gr_occurrence *x);
/* Index the state and build the objects of c->cfg (hashes, UIDs): 0 or
 * -ENOMEM/-ENOSPC; free with plan_ctx_free() either way. */
int plan_ctx_build(struct plan_ctx *c, const struct store_state *st);
void plan_ctx_free(struct plan_ctx *c);
/* plan.c: the state's active topics into c->res->topics (sorted); the
 * topics of meeting x (series id and actual start) in it.  0 or -ENOMEM. */
int plan_index_topics(struct plan_ctx *c, const struct store_state *st);
const struct store_topic *const *plan_topics_of(const struct plan_ctx *c,
                                                const struct gr_occurrence *x, size_t *ret_n);
/* plan.c, for plan_answers.c: a new action of kind about o to email
 * (borrowed; m the member, or NULL for the chair or a deputy); attach
 * occurrence x; its Message-ID; was the notice recorded; send_time days
 * before lt; a notification due later (n_recipients: see plan_upcoming);
 * the object whose notices x goes by (its series'). */
struct plan_action *plan_new_action(struct plan_ctx *c, enum gr_kind kind,
                                    const struct gr_member *m, const char *email,
                                    const char *name, const struct plan_obj *o, int seq);
void plan_set_occ(struct plan_action *a, const struct gr_occurrence *x);
int plan_message_id(const struct plan_ctx *c, struct plan_action *a);
bool plan_noticed(const struct plan_ctx *c, const char *kind, const char *email,
                  const char *uid, const char *occ);
time_t plan_day_before(const struct plan_ctx *c, const struct gr_localtime *lt, int days);
int plan_add_upcoming(struct plan_ctx *c, enum gr_kind kind, const struct gr_occurrence *x,
                      int days, time_t due, size_t n_recipients);
const struct plan_obj *plan_obj_of_occ(const struct plan_ctx *c, const struct gr_occurrence *x);
const struct store_object *plan_find_rec(const struct plan_ctx *c, const char *email,
                                         const char *uid);
/* plan_answers.c: the chair's report, the answer reminder and the
 * deputies' invitations of meeting x (plan.h).  0 or -ENOMEM. */
int plan_answers(struct plan_ctx *c, const struct gr_occurrence *x);
void plan_report_free(struct plan_report *r);
/* plan_history.c: a new version of o into c->res when its content differs
 * from the last recorded one.  0 or -ENOMEM. */
int plan_record_version(struct plan_ctx *c, const struct plan_obj *o);

#endif
