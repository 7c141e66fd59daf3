/* SPDX-License-Identifier: MIT */
/*
 * service-plan.c - planning and enqueueing of the service module
 * (service.h): service_plan() plans, renders the actions (in threads when
 * there are many) and records them in the outbox, chunk by chunk.
 *
 * Rendering happens before the transaction commits, so an outbox entry
 * always holds the exact bytes that will go out (and go out again, with the
 * same Message-ID, after a crash): DESIGN.md "delivery semantics".
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail.h"
#include "service-internal.h"
#include "util.h"

/* ---- planning ---- */

/*
 * Rendering is most of a plan's work (GMime and libical: ~200 us a mail),
 * and every action renders on its own: with many actions (an information
 * list of thousands), threads render them while this thread records them,
 * in plan order, in the caller's one transaction.  A window of
 * RENDER_WINDOW rendered messages bounds the memory whatever the number of
 * members.  cfg, tmpl, occ and the actions are only read; GMime is set up
 * before the threads start (mail_init), libical's zone data and ical.c's
 * VTIMEZONE cache are locked.
 */
#define RENDER_THREADS_MAX 4
#define RENDER_WINDOW 256
#define RENDER_MIN_ACTIONS 64   /* below: render inline, no threads */

struct rendered {
	char *msg;
	size_t len;
	int r;                      /* 0, or failed with err */
	bool done;
	char err[384];
};

struct render_pool {
	const struct gr_config *cfg;
	const struct tmpl_set *tmpl;
	const struct sched_list *occ;
	struct ical_cache *cache;   /* shared by the renderers; may be NULL */
	const struct plan_result *res;
	time_t now;
	struct rendered *ring;      /* action i in ring[i % RENDER_WINDOW] */
	pthread_mutex_t lock;
	pthread_cond_t space;       /* the recorder freed a ring entry */
	pthread_cond_t ready;       /* a renderer finished one */
	size_t next;                /* the next action to render */
	size_t recorded;            /* actions recorded (their entries free) */
	bool quit, waiting_space, waiting_ready;
	pthread_t threads[RENDER_THREADS_MAX];
	size_t n_threads;
};

static void *render_thread(void *data)
{
	struct render_pool *p = data;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		size_t i;
		struct rendered out = { 0 };

		while (!p->quit && p->next < p->res->n_actions &&
		       p->next >= p->recorded + RENDER_WINDOW) {
			p->waiting_space = true;
			pthread_cond_wait(&p->space, &p->lock);
		}
		if (p->quit || p->next >= p->res->n_actions)
			break;
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		out.r = service_render_bare(p->cfg, p->tmpl, p->occ, p->cache, &p->res->actions[i],
		                            p->now, &out.msg, &out.len, out.err, sizeof(out.err));
		out.done = true;
		pthread_mutex_lock(&p->lock);
		p->ring[i % RENDER_WINDOW] = out;
		if (p->waiting_ready) {
			p->waiting_ready = false;
			pthread_cond_broadcast(&p->ready);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Is action i's message rendered? */
static bool render_ready(struct render_pool *p, size_t i)
{
	bool done;

	pthread_mutex_lock(&p->lock);
	done = p->ring[i % RENDER_WINDOW].done;
	pthread_mutex_unlock(&p->lock);
	return done;
}

/* Wait for action i's message and take it out of the ring. */
static struct rendered render_take(struct render_pool *p, size_t i)
{
	struct rendered *slot = &p->ring[i % RENDER_WINDOW], out;

	pthread_mutex_lock(&p->lock);
	while (!slot->done) {
		p->waiting_ready = true;
		pthread_cond_wait(&p->ready, &p->lock);
	}
	out = *slot;
	*slot = (struct rendered){ 0 };
	p->recorded = i + 1;
	if (p->waiting_space) {
		p->waiting_space = false;
		pthread_cond_broadcast(&p->space);
	}
	pthread_mutex_unlock(&p->lock);
	return out;
}

static size_t render_threads(size_t n_actions)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n_actions < RENDER_MIN_ACTIONS || cpus < 2)
		return 0;
	return cpus > RENDER_THREADS_MAX ? RENDER_THREADS_MAX : (size_t)cpus;
}

/* Start the threads; 0, or a negative errno with nothing left running
 * (render_pool_stop() then frees what was made). */
static int render_pool_start(struct render_pool *p, size_t n_threads)
{
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->space, NULL);
	pthread_cond_init(&p->ready, NULL);
	p->ring = calloc(RENDER_WINDOW, sizeof(*p->ring));
	if (!p->ring)
		return -ENOMEM;
	mail_init();
	for (size_t i = 0; i < n_threads; i++) {
		if (pthread_create(&p->threads[i], NULL, render_thread, p) != 0)
			break;
		p->n_threads++;
	}
	return p->n_threads > 0 ? 0 : -EAGAIN;
}

/* Stop the threads and free what they rendered ahead. */
static void render_pool_stop(struct render_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->space);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	for (size_t i = 0; p->ring && i < RENDER_WINDOW; i++)
		free(p->ring[i].msg);
	free(p->ring);
	pthread_cond_destroy(&p->space);
	pthread_cond_destroy(&p->ready);
	pthread_mutex_destroy(&p->lock);
}

/* Append line (with its "\n") to *text; out of memory: it is left out. */
static void append_line(char **text, char *line)
{
	size_t len = *text ? strlen(*text) : 0;
	char *grown = line ? realloc(*text, len + strlen(line) + 1) : NULL;

	if (grown) {
		memcpy(grown + len, line, strlen(line) + 1);
		*text = grown;
	}
	free(line);
}

/* Add a line for a newly recorded failure to info->failures (the first
 * SERVICE_FAILURES_LISTED; the rest are counted in info->unrenderable_new). */
static void note_failure(struct service_plan_info *info, const struct store_change *c,
                         const char *answer)
{
	if (++info->unrenderable_new > SERVICE_FAILURES_LISTED)
		return;
	append_line(&info->failures,
	            util_asprintf("%s (%s%s%s): %s\n", c->recipient, c->kind,
	                          c->occurrence ? " " : "", c->occurrence ? c->occurrence : "", answer));
}

/*
 * An action that cannot be rendered does not stop the others: it is
 * recorded as a failed outbox entry with the reason, and its notice and
 * object row are not (store_outbox_unrenderable()), so the next plan tries
 * it again: silently while it still fails the same way, and it goes out
 * once the config is fixed.
 */
static int record_unrenderable(struct store *db, const struct plan_action *a,
                               const struct store_change *change, const char *reason,
                               time_t now, struct service_plan_info *info, char *err,
                               size_t errlen)
{
	struct store_change c = *change;
	char answer[448], start[32];
	bool fresh = false;
	int r;

	/* `status` names the meeting of a dated series' invitation, too */
	if (!c.occurrence && a->series && !a->series->rrule && a->date_index >= 0 &&
	    (size_t)a->date_index < a->series->n_dates) {
		const struct gr_localtime *d = &a->series->dates[a->date_index];
		snprintf(start, sizeof(start), "%04d-%02d-%02dT%02d:%02d", d->year, d->month, d->day,
		         d->hour, d->minute);
		c.occurrence = start;
	}
	snprintf(answer, sizeof(answer), "cannot render: %s", reason);
	r = store_outbox_unrenderable(db, &c, answer, now, &fresh);
	if (r < 0) {
		snprintf(err, errlen, "recording a failure: %s", store_errmsg(db));
		return r;
	}
	info->unrenderable++;
	if (fresh)
		note_failure(info, &c, answer);
	return 0;
}

/* Record one rendered action (changes[i] belongs to actions[i]). */
static int apply_rendered(struct store *db, const struct plan_action *a,
                          struct store_change *change, struct rendered *m, time_t now,
                          struct service_plan_info *info, char *err, size_t errlen)
{
	int r;

	if (m->r < 0) {
		r = record_unrenderable(db, a, change, m->err, now, info, err, errlen);
	} else {
		change->message = m->msg;
		change->message_len = m->len;
		if ((r = store_apply(db, change, 1, now)) < 0)
			snprintf(err, errlen, "recording the plan: %s", store_errmsg(db));
		change->message = NULL;
	}
	free(m->msg);
	m->msg = NULL;
	return r;
}

/*
 * With a sender, a plan commits every PLAN_CHUNK actions (or as soon as
 * PLAN_CHUNK_MIN are recorded and the next message is not rendered yet:
 * the commit's fsync then overlaps the rendering) and lets the sender
 * record what its connections finished and hand them what was just
 * committed: the first mails of a long list go out while the rest is
 * rendered, instead of after all of it.  Each action's outbox entry,
 * object row and notice commit together, so a crash or an error
 * mid-plan leaves whole actions recorded, and the next plan (a difference
 * from what is recorded) does the rest.
 */
#define PLAN_CHUNK 64
#define PLAN_CHUNK_MIN 8        /* ... or fewer when the renderers lag behind */

static int next_chunk(struct store *db, struct sender *sender, char *err, size_t errlen)
{
	if (store_commit(db) < 0) {
		snprintf(err, errlen, "committing the plan: %s", store_errmsg(db));
		return -EIO;
	}
	sender_pump(sender);
	if (store_begin(db) < 0) {
		snprintf(err, errlen, "starting a transaction: %s", store_errmsg(db));
		return -EIO;
	}
	return 0;
}

/*
 * Render each action and record it, in order, then the remaining changes:
 * at most RENDER_WINDOW rendered messages are in memory at a time,
 * whatever the number of members; it is one transaction of the caller (or
 * one per PLAN_CHUNK actions, see above).
 */
static int render_and_apply(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                            struct store *db, struct sender *sender,
                            const struct sched_list *occ, const struct plan_result *res,
                            struct store_change *changes, size_t n, time_t now,
                            struct service_plan_info *info, char *err, size_t errlen)
{
	struct render_pool pool = { .cfg = cfg, .tmpl = tmpl, .occ = occ, .res = res, .now = now };
	size_t n_threads = render_threads(res->n_actions), committed = 0;
	int r = 0;

	/* out of memory for it: every calendar is made in full instead */
	pool.cache = res->n_actions > 1 ? ical_cache_new() : NULL;
	if (n_threads > 0 && render_pool_start(&pool, n_threads) < 0) {
		render_pool_stop(&pool);
		n_threads = 0;
	}
	for (size_t i = 0; r == 0 && i < res->n_actions; i++) {
		struct rendered m = { 0 };

		if (n_threads > 0)
			m = render_take(&pool, i);
		else
			m.r = service_render_bare(cfg, tmpl, occ, pool.cache, &res->actions[i], now,
			                          &m.msg, &m.len, m.err, sizeof(m.err));
		r = apply_rendered(db, &res->actions[i], &changes[i], &m, now, info, err, errlen);
		if (r == 0 && sender && i + 1 < res->n_actions &&
		    (i + 1 - committed >= PLAN_CHUNK ||
		     (i + 1 - committed >= PLAN_CHUNK_MIN && n_threads > 0 &&
		      !render_ready(&pool, i + 1)))) {
			r = next_chunk(db, sender, err, errlen);
			committed = i + 1;
		}
	}
	if (n_threads > 0)
		render_pool_stop(&pool);
	ical_cache_free(pool.cache);
	if (r == 0 && n > res->n_actions &&
	    (r = store_apply(db, changes + res->n_actions, n - res->n_actions, now)) < 0)
		snprintf(err, errlen, "recording the plan: %s", store_errmsg(db));
	return r;
}

static int plan_in_transaction(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                               struct store *db, struct sender *sender,
                               const struct sched_list *occ, time_t now,
                               struct service_plan_info *ret, char *err, size_t errlen)
{
	struct store_state state = { 0 };
	struct plan_result res = { 0 };
	struct store_change *changes = NULL;
	size_t n = 0;
	int r;

	r = store_read_state(db, &state);
	if (r == 0)
		r = plan_run(cfg, occ, &state, now, &res);
	else
		snprintf(err, errlen, "reading the state: %s", store_errmsg(db));
	if (r == 0 && sender && res.n_actions >= PLAN_CHUNK)
		sender_expect(sender, res.n_actions);    /* its progress total */
	if (r == 0 && (r = plan_changes(&res, &changes, &n)) == 0)
		r = render_and_apply(cfg, tmpl, db, sender, occ, &res, changes, n, now, ret, err,
		                     errlen);
	if (r == 0) {
		ret->enqueued = res.n_actions - ret->unrenderable;
		ret->next_due = res.next_due;
		if (ret->unrenderable_new > SERVICE_FAILURES_LISTED)
			append_line(&ret->failures,
			            util_asprintf("... and %zu more\n",
			                          ret->unrenderable_new - SERVICE_FAILURES_LISTED));
	} else if (!err[0]) {
		snprintf(err, errlen, "planning: %s", strerror(-r));
	}
	free(changes);
	plan_result_free(&res);
	store_state_free(&state);
	return r;
}

int service_plan(const struct gr_config *cfg, const struct tmpl_set *tmpl,
                 struct store *db, struct sender *sender, time_t now,
                 struct service_plan_info *ret, char *err, size_t errlen)
{
	struct sched_list occ = { 0 };
	struct service_plan_info info = { 0 };
	int r;

	err[0] = '\0';
	r = service_occurrences(cfg, now, &occ);
	if (r < 0) {
		snprintf(err, errlen, "expanding the meetings: %s", strerror(-r));
		return r;
	}
	r = store_begin(db);
	if (r < 0) {
		snprintf(err, errlen, "starting a transaction: %s", store_errmsg(db));
		sched_list_free(&occ);
		return r;
	}
	r = plan_in_transaction(cfg, tmpl, db, sender, &occ, now, &info, err, errlen);
	if (r == 0 && (r = store_commit(db)) < 0)
		snprintf(err, errlen, "committing the plan: %s", store_errmsg(db));
	if (r < 0) {
		(void)store_rollback(db);
		free(info.failures);
	} else {
		*ret = info;
	}
	sched_list_free(&occ);
	return r;
}
