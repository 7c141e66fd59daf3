/* SPDX-License-Identifier: MIT */
/*
 * service - plan + render + enqueue, and send.  See service.h; the module
 * is three files (service-internal.h lists them).  This one: the
 * occurrences, the feed's bytes, and what `gremiumctl check` tests of the
 * templates (service_check_templates()).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"
#include "service-internal.h"
#include "util.h"

int service_occurrences(const struct gr_config *cfg, time_t now, struct sched_list *ret)
{
	time_t from, to;

	sched_horizon(cfg, now + SERVICE_AHEAD_SECONDS, &from, &to);
	return sched_expand(cfg, from, to, ret);
}

/* feed.agenda: the text of a meeting's agenda in the feed (titles only:
 * the public feed names no members). */
static int feed_agenda_text(const struct gr_config *cfg, struct gr_published_agenda *a)
{
	struct tmpl_agenda_item *items = calloc(a->n_titles ? a->n_titles : 1, sizeof(*items));

	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_titles; i++)
		items[i].title = a->titles[i];
	a->text = tmpl_format_agenda(tmpl_lang_from_str(cfg->committee.language), items, a->n_titles);
	free(items);
	return a->text ? 0 : -ENOMEM;
}

char *service_feed(const struct gr_config *cfg, time_t now, struct store *db, int *ret_err)
{
	struct sched_list occ = { 0 };
	struct store_state st = { 0 };
	struct gr_published *pub = NULL;
	size_t n_pub = 0;
	char *feed = NULL;
	int r;

	r = service_occurrences(cfg, now, &occ);
	if (r == 0 && db)
		r = store_read_state(db, &st);
	/* UIDs, SEQUENCEs, LAST-MODIFIED and history as recorded (plan.h) */
	if (r == 0)
		r = plan_published(cfg, &occ, db ? &st : NULL, now, &pub, &n_pub);
	for (size_t i = 0; r == 0 && i < n_pub; i++)
		for (size_t j = 0; r == 0 && j < pub[i].n_agendas; j++)
			r = feed_agenda_text(cfg, &pub[i].agendas[j]);
	if (r == 0) {
		feed = ical_publish(cfg, &occ, cfg->mtime, pub, n_pub);
		r = feed ? 0 : -ENOMEM;
	}
	plan_published_free(pub, n_pub);
	store_state_free(&st);
	sched_list_free(&occ);
	*ret_err = r;
	return feed;
}


/* ---- what check tests ---- */

/* The longer of *max and s. */
static void longest_of(size_t *max, const char *s)
{
	if (s && strlen(s) > *max)
		*max = strlen(s);
}

/* Which texts cfg can send. */
static void texts_in_use(const struct gr_config *cfg, bool in_use[TMPL_COUNT_])
{
	for (size_t i = 0; i < cfg->n_series; i++) {
		if (cfg->series[i].rrule)
			in_use[TMPL_INVITATION_SERIES] = in_use[TMPL_CANCELLATION_SERIES] = true;
		else
			in_use[TMPL_INVITATION_SINGLE] = true;
	}
	in_use[TMPL_UPDATE] = in_use[TMPL_CANCELLATION] = in_use[TMPL_TEST] = true;
	in_use[TMPL_TOPIC_CALL] = cfg->notifications.topic_call;
	in_use[TMPL_REMINDER] = cfg->notifications.n_reminders > 0;
	in_use[TMPL_AGENDA] = cfg->notifications.topic_call;
	/* issue 16: the chair's report always; the request to answer when
	 * answers are read */
	in_use[TMPL_CHAIR_REPORT] = true;
	in_use[TMPL_ANSWER_REMINDER] = cfg->inbound.source != GR_INBOUND_NONE;
	in_use[TMPL_TOPIC_CONFIRMATION] = cfg->inbound.source != GR_INBOUND_NONE;
}

/* The longest {attendance} and {bounced} of cfg's chair reports (name:
 * the longest member name). */
static void report_longest(const struct gr_config *cfg, size_t name, size_t *attendance,
                           size_t *bounced)
{
	size_t group = 0, org = 0;

	for (size_t i = 0; i < cfg->n_groups; i++)
		longest_of(&group, cfg->groups[i].name);
	for (size_t i = 0; i < cfg->n_members; i++)
		longest_of(&org, cfg->members[i].organisation);
	*attendance = tmpl_attendance_longest(cfg->n_members, name, group, org);
	*bounced = tmpl_bounced_longest(cfg->n_members, name);
}

int service_check_templates(const struct gr_config *cfg, const struct tmpl_set *tmpl, FILE *errs)
{
	/* the longest value of each placeholder: the config's longest string,
	 * or what fill_vars()'s buffers can hold */
	struct vars v;
	struct { const char *name; size_t len; } lim[] = {
		{ "member_name", 1 }, { "committee", 1 }, { "short_name", 1 }, { "organizer", 1 },
		{ "topics_address", 1 }, { "summary", 1 }, { "location", 1 }, { "url", 1 },
		{ "description", 1 }, { "note", 1 },
		{ "date", sizeof(v.date) - 1 }, { "time", sizeof(v.time) - 1 },
		{ "end_time", sizeof(v.end_time) - 1 }, { "deadline", sizeof(v.deadline) - 1 },
		{ "days", sizeof(v.days) - 1 }, { "in_days", sizeof(v.in_days) - 1 },
		{ "old_date", sizeof(v.old_date) - 1 }, { "changes", sizeof(v.changes) - 1 },
		{ "agenda", tmpl_agenda_longest() },
		{ "attendance", 1 }, { "bounced", 1 }, { "quorum", tmpl_quorum_longest() },
		{ "title", SERVICE_TITLE_MAX },
	};
	enum { N = sizeof(lim) / sizeof(lim[0]) };
	struct tmpl_var longest[N] = { { NULL, NULL } };
	bool in_use[TMPL_COUNT_] = { false };
	int r = 0;

	for (size_t i = 0; i < cfg->n_members; i++)
		longest_of(&lim[0].len, cfg->members[i].name);
	longest_of(&lim[1].len, cfg->committee.name);
	longest_of(&lim[2].len, cfg->committee.short_name);
	longest_of(&lim[3].len, cfg->committee.organizer_name);
	longest_of(&lim[4].len, cfg->committee.topics_address);
	for (size_t i = 0; i < cfg->n_series; i++) {
		longest_of(&lim[5].len, cfg->series[i].summary);
		longest_of(&lim[6].len, cfg->series[i].location);
		longest_of(&lim[7].len, cfg->series[i].url);
		longest_of(&lim[8].len, cfg->series[i].description);
	}
	for (size_t i = 0; i < cfg->n_exceptions; i++)
		longest_of(&lim[9].len, cfg->exceptions[i].note);
	report_longest(cfg, lim[0].len, &lim[19].len, &lim[20].len);
	for (size_t i = 0; i < N && r == 0; i++) {
		char *value = malloc(lim[i].len + 1);

		if (!value) {
			r = -ENOMEM;
			break;
		}
		memset(value, 'x', lim[i].len);
		value[lim[i].len] = '\0';
		longest[i] = (struct tmpl_var){ lim[i].name, value };
	}
	texts_in_use(cfg, in_use);
	if (r == 0)
		r = tmpl_check(tmpl, tmpl_lang_from_str(cfg->committee.language), in_use, longest, N,
		               errs);
	for (size_t i = 0; i < N; i++)
		free((char *)longest[i].value);
	return r;
}
