/* SPDX-License-Identifier: MIT */
/*
 * plan_fixture.h - what tests/test_plan.c and tests/test_plan_year.c share:
 * configs and occurrence lists built in C, the recorded state simulated in
 * memory (each step's actions fed back as store_apply() would record
 * them), and the log of what was sent.  Included once per test program.
 */
#ifndef GREMIUM_PLAN_FIXTURE_H
#define GREMIUM_PLAN_FIXTURE_H

#define TZ "Europe/Berlin"

/* ---- fixtures: config and occurrences ---- */

static int reminders[] = { 7, 1 };

static struct gr_member members_a[] = {
	{ .name = "Anna", .email = "anna@x.example", .group = "g" },
	{ .name = "Bert", .email = "bert@x.example", .group = "g" },
	{ .name = "Carla", .email = "carla@x.example", .group = "g" },
};

static struct gr_localtime praesenz_dates[] = { { 2026, 6, 17, 10, 0 } };

static struct gr_series series[] = {
	{ .id = "online", .summary = "Online-Sitzung", .location = "Video",
	  .rrule = "FREQ=MONTHLY;BYDAY=2WE", .start = { 2026, 1, 14, 10, 0 },
	  .duration = 120, .skip_months_of = "praesenz" },
	{ .id = "praesenz", .summary = "Präsenzsitzung", .location = "Berlin",
	  .dates = praesenz_dates, .n_dates = 1, .duration = 360 },
};

static void make_config(struct gr_config *cfg, struct gr_member *m, size_t n_members)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->committee.name = "Gremium";
	cfg->committee.short_name = "Gremium";
	cfg->committee.domain = "x.example";
	cfg->committee.timezone = TZ;
	cfg->members = m;
	cfg->n_members = n_members;
	cfg->series = series;
	cfg->n_series = 2;
	cfg->notifications.send_hour = 9;
	cfg->notifications.topic_call = true;
	cfg->notifications.topic_days_before = 21;
	cfg->notifications.topic_deadline_days_before = 7;
	cfg->notifications.reminders_days_before = reminders;
	cfg->notifications.n_reminders = 2;
	cfg->notifications.agenda_days_after_deadline = 1;
}

static struct gr_occurrence occ(const struct gr_series *s, int date_index,
                                struct gr_localtime original, struct gr_localtime start,
                                enum gr_occ_status status)
{
	struct gr_occurrence o = {
		.series = s, .date_index = date_index, .original = original, .start = start,
		.status = status,
	};

	o.start_utc = sched_to_utc(&start, TZ);
	o.end_utc = o.start_utc + (time_t)s->duration * 60;
	sched_from_utc(o.end_utc, TZ, &o.end);
	return o;
}

/* The 2nd Wednesday of a month at 10:00. */
static struct gr_localtime second_wednesday(int y, int m)
{
	struct gr_localtime lt = { y, m, 1, 10, 0 };

	while (sched_weekday(&lt) != 3)
		lt.day++;
	lt.day += 7;
	return lt;
}

struct changes {
	bool moved_sep;         /* Sep 9 -> Sep 16 14:00 */
	bool cancelled_dec;     /* Dec 9 cancelled */
	bool no_praesenz;       /* the dated meeting left the config */
};

/* Jan 2026 .. Jan 2027: the online series (June skipped for the in-person
 * meeting), the in-person meeting on June 17. */
static void make_occurrences(struct sched_list *l, struct gr_occurrence *buf,
                             const struct changes *ch)
{
	size_t n = 0;

	for (int i = 0; i < 13; i++) {
		int y = 2026 + i / 12, m = i % 12 + 1;
		struct gr_localtime t = second_wednesday(y, m), start = t;
		enum gr_occ_status st = GR_OCC_CONFIRMED;

		if (y == 2026 && m == 6 && !ch->no_praesenz)
			st = GR_OCC_SKIPPED;
		if (y == 2026 && m == 9 && ch->moved_sep) {
			start = (struct gr_localtime){ 2026, 9, 16, 14, 0 };
			st = GR_OCC_MOVED;
		}
		if (y == 2026 && m == 12 && ch->cancelled_dec)
			st = GR_OCC_CANCELLED;
		if (y == 2026 && m == 6 && !ch->no_praesenz)
			buf[n++] = occ(&series[0], -1, t, start, st), /* June 10 before June 17 */
			buf[n++] = occ(&series[1], 0, praesenz_dates[0], praesenz_dates[0],
			               GR_OCC_CONFIRMED);
		else
			buf[n++] = occ(&series[0], -1, t, start, st);
	}
	l->items = buf;
	l->n = n;
}

/* ---- the simulated recorded state ---- */



static int cmp_version(const void *a, const void *b)
{
	const struct store_version *x = a, *y = b;
	int r = strcmp(x->uid, y->uid);

	return r ? r : (x->valid_from > y->valid_from) - (x->valid_from < y->valid_from);
}

/* As the store: sorted by uid, valid_from. */
static void sim_put_version(struct store_state *st, const struct store_version *src)
{
	st->versions = realloc(st->versions, (st->n_versions + 1) * sizeof(*st->versions));
	assert_non_null(st->versions);
	assert_int_equal(store_version_copy(&st->versions[st->n_versions++], src), 0);
	qsort(st->versions, st->n_versions, sizeof(*st->versions), cmp_version);
}

static void sim_put_object(struct store_state *st, const struct store_object *src)
{
	struct store_object *dst = NULL;

	for (size_t i = 0; i < st->n_objects; i++)
		if (strcmp(st->objects[i].recipient, src->recipient) == 0 &&
		    strcmp(st->objects[i].uid, src->uid) == 0)
			dst = &st->objects[i];
	if (dst) {
		store_object_clear(dst);
	} else {
		st->objects = realloc(st->objects, (st->n_objects + 1) * sizeof(*st->objects));
		assert_non_null(st->objects);
		dst = &st->objects[st->n_objects++];
	}
	assert_int_equal(store_object_copy(dst, src), 0);
}

static void sim_put_notice(struct store_state *st, const struct store_notice *n)
{
	for (size_t i = 0; i < st->n_notices; i++) {
		const struct store_notice *x = &st->notices[i];
		/* the store's primary key: a duplicate here is a planner bug */
		assert_false(strcmp(x->kind, n->kind) == 0 && strcmp(x->recipient, n->recipient) == 0 &&
		             strcmp(x->uid, n->uid) == 0 && strcmp(x->occurrence, n->occurrence) == 0);
	}
	st->notices = realloc(st->notices, (st->n_notices + 1) * sizeof(*st->notices));
	assert_non_null(st->notices);
	struct store_notice *d = &st->notices[st->n_notices++];
	d->kind = strdup(n->kind);
	d->recipient = strdup(n->recipient);
	d->uid = strdup(n->uid);
	d->occurrence = strdup(n->occurrence);
}

/* Everything sent so far, one line per mail, and the Message-IDs. */
struct log {
	char lines[512][1024];  /* a UID alone may have 511 bytes (plan.h) */
	size_t n;
	char ids[512][384];
	size_t n_ids;
};

static void log_action(struct log *lg, const struct plan_action *a, time_t now)
{
	struct gr_localtime t;
	char who[32];
	const char *at = strchr(a->email, '@');

	sched_from_utc(now, TZ, &t);
	snprintf(who, sizeof(who), "%.*s", (int)(at - a->email), a->email);
	assert_true(lg->n < 512);
	if (a->kind == GR_KIND_AGENDA || (a->kind == GR_KIND_REMINDER && a->has_agenda))
		snprintf(lg->lines[lg->n++], sizeof(lg->lines[0]), "%02d-%02d %02d:%02d %s %s %s %s seq=%d",
		         t.month, t.day, t.hour, t.minute, a->notice.kind, who, a->occurrence_text,
		         a->cal_uid, a->cal_sequence);
	else if (a->kind == GR_KIND_TOPIC_CALL || a->kind == GR_KIND_REMINDER)
		snprintf(lg->lines[lg->n++], sizeof(lg->lines[0]), "%02d-%02d %02d:%02d %s %s %s", t.month, t.day,
		         t.hour, t.minute, a->notice.kind, who, a->occurrence_text);
	else
		snprintf(lg->lines[lg->n++], sizeof(lg->lines[0]), "%02d-%02d %02d:%02d %s %s %s seq=%d%s%s",
		         t.month, t.day, t.hour, t.minute, util_kind_name(a->kind), who,
		         a->uid, a->sequence, a->occ && !a->whole_object ? " rid=" : "",
		         a->occ && !a->whole_object ? a->occurrence_text : "");
	/* exactly once: no Message-ID twice in the whole year */
	for (size_t i = 0; i < lg->n_ids; i++)
		assert_string_not_equal(lg->ids[i], a->message_id);
	snprintf(lg->ids[lg->n_ids++], sizeof(lg->ids[0]), "%s", a->message_id);
}

/* Plan at now, log and record the actions; then plan again at the same
 * instant and require nothing more (idempotence).  Returns the count. */
static size_t step(const struct gr_config *cfg, const struct sched_list *l,
                   struct store_state *st, time_t now, struct log *lg)
{
	struct plan_result r;
	size_t n;

	assert_int_equal(plan_run(cfg, l, st, now, &r), 0);
	n = r.n_actions;
	for (size_t i = 0; i < r.n_actions; i++) {
		const struct plan_action *a = &r.actions[i];
		struct store_change c;

		plan_change(a, &c);
		assert_string_equal(c.kind, util_kind_name(a->kind));
		assert_true(a->due <= now);
		if (lg)
			log_action(lg, a, now);
		if (c.object)
			sim_put_object(st, c.object);
		if (c.notice)
			sim_put_notice(st, c.notice);
		/* nothing about a meeting once it has started */
		if (a->occ && a->kind != GR_KIND_CANCELLATION)
			assert_true(now < a->occ->start_utc);
	}
	for (size_t i = 0; i < r.n_records; i++)
		sim_put_object(st, &r.records[i]);
	for (size_t i = 0; i < r.n_versions; i++)
		sim_put_version(st, &r.versions[i]);
	plan_result_free(&r);

	assert_int_equal(plan_run(cfg, l, st, now, &r), 0);
	assert_int_equal(r.n_actions, 0);
	assert_int_equal(r.n_records, 0);
	assert_int_equal(r.n_versions, 0);
	plan_result_free(&r);
	return n;
}

static time_t at(int y, int m, int d, int hh, int mm)
{
	struct gr_localtime lt = { y, m, d, hh, mm };
	return sched_to_utc(&lt, TZ);
}

#endif
