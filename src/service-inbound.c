/* SPDX-License-Identifier: MIT */
/*
 * service-inbound.c - the committee's mailbox in the service module
 * (service.h): one pass of inbound over the mailbox; each new message is
 * parsed (letter), decided (topics) and recorded in one transaction with
 * its topic and the topic's confirmation in the outbox.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "inbound.h"
#include "letter.h"
#include "mail.h"
#include "service-internal.h"
#include "topics.h"
#include "util.h"

/* At most this many references of a letter are looked up in the outbox. */
#define MAX_REFS 16

struct pass {
	const struct gr_config *cfg;
	const struct tmpl_set *tmpl;
	struct store *db;
	const struct sched_list *occ;
	time_t now;
	service_line_fn line;
	void *userdata;
	struct service_inbound_info *info;
	char *err;
	size_t errlen;
};

static void say(const struct pass *p, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(const struct pass *p, int priority, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!p->line)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->line(p->userdata, priority, buf);
}

/* The references that name mails we sent, In-Reply-To first, then
 * References from the newest (RFC 5322 §3.6.4 lists them oldest first). */
struct refs {
	struct topics_ref r[MAX_REFS];
	char *kind[MAX_REFS], *uid[MAX_REFS], *occurrence[MAX_REFS];
	size_t n;
};

static int lookup_one(struct store *db, const char *id, struct refs *refs)
{
	size_t i = refs->n;
	int r;

	if (!id || i >= MAX_REFS)
		return 0;
	r = store_outbox_lookup(db, id, &refs->kind[i], &refs->uid[i], &refs->occurrence[i]);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	refs->r[i] = (struct topics_ref){ refs->kind[i], refs->uid[i], refs->occurrence[i] };
	refs->n++;
	return 0;
}

static int lookup_refs(struct store *db, const struct gr_letter *l, struct refs *refs)
{
	int r = lookup_one(db, l->in_reply_to, refs);

	for (size_t i = l->n_references; r == 0 && i > 0; i--)
		if (!l->in_reply_to || strcmp(l->references[i - 1], l->in_reply_to) != 0)
			r = lookup_one(db, l->references[i - 1], refs);
	return r;
}

static void refs_free(struct refs *refs)
{
	for (size_t i = 0; i < refs->n; i++) {
		free(refs->kind[i]);
		free(refs->uid[i]);
		free(refs->occurrence[i]);
	}
}

/* {date}, {time} (and {deadline} with the time) of x in lang. */
struct when_text {
	char date[64], time[32], deadline[128], old_date[64];
};

static void when_of(const struct gr_config *cfg, enum tmpl_lang lang, const struct gr_occurrence *x,
                    time_t deadline, struct when_text *w)
{
	struct gr_localtime dl;
	char date[64], time[32];

	tmpl_format_date(lang, &x->start, w->date, sizeof(w->date));
	tmpl_format_time(lang, &x->start, w->time, sizeof(w->time));
	sched_from_utc(deadline, cfg->committee.timezone, &dl);
	tmpl_format_date(lang, &dl, date, sizeof(date));
	tmpl_format_time(lang, &dl, time, sizeof(time));
	snprintf(w->deadline, sizeof(w->deadline), "%s, %s", date, time);
}

/* The subject of the call for topics for x as we rendered it, so that the
 * title of a reply is what the member wrote, not our subject.  NULL if it
 * cannot be made. */
static char *call_subject(const struct pass *p, const struct gr_occurrence *x)
{
	enum tmpl_lang lang = tmpl_lang_from_str(p->cfg->committee.language);
	struct when_text w;
	char *subject = NULL, *body = NULL;

	when_of(p->cfg, lang, x, topics_deadline(p->cfg, x), &w);
	/* plan formats the call's deadline as a date */
	struct tmpl_var v[] = {
		{ "summary", x->series->summary }, { "date", w.date }, { "time", w.time },
		{ "committee", p->cfg->committee.name }, { "short_name", p->cfg->committee.short_name },
	};
	if (tmpl_render(p->tmpl, TMPL_TOPIC_CALL, lang, v, sizeof(v) / sizeof(v[0]), &subject,
	                &body) < 0)
		subject = NULL;
	free(body);
	return subject;
}

/* A title of at most SERVICE_TITLE_MAX bytes, cut at a UTF-8 boundary. */
static void cut_title(char *s)
{
	size_t n = strlen(s);

	if (n <= SERVICE_TITLE_MAX)
		return;
	n = SERVICE_TITLE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* The confirmation of topic t (inbox row inbox_id) for the letter l as a
 * complete message in *ret; 0, or -errno with the reason in err. */
static int render_confirmation(const struct pass *p, const struct gr_letter *l,
                               const struct topics_decision *d, int64_t inbox_id,
                               const char *message_id, char **ret, size_t *ret_len,
                               char *err, size_t errlen)
{
	const struct gr_config *cfg = p->cfg;
	enum tmpl_lang lang = tmpl_lang_from_str(cfg->committee.language);
	struct gr_member to = { .name = d->member->name, .email = l->from };
	struct when_text w = { .old_date = "" };
	char *subject = NULL, *body = NULL, title[SERVICE_TITLE_MAX + 8], local[512], *at;
	int r;

	(void)inbox_id;
	snprintf(title, sizeof(title), "%s", d->title);
	cut_title(title);
	when_of(cfg, lang, d->meeting, d->deadline, &w);
	if (d->asked)
		tmpl_format_date(lang, &d->asked->start, w.old_date, sizeof(w.old_date));
	struct tmpl_var v[] = {
		{ "member_name", d->member->name }, { "committee", cfg->committee.name },
		{ "short_name", cfg->committee.short_name }, { "organizer", cfg->committee.organizer_name },
		{ "topics_address", cfg->committee.topics_address },
		{ "summary", d->meeting->series->summary }, { "location", d->meeting->series->location },
		{ "url", d->meeting->series->url }, { "date", w.date }, { "time", w.time },
		{ "deadline", w.deadline }, { "old_date", w.old_date }, { "title", title },
	};
	r = tmpl_render(p->tmpl, TMPL_TOPIC_CONFIRMATION, lang, v, sizeof(v) / sizeof(v[0]),
	                &subject, &body);
	if (r < 0) {
		snprintf(err, errlen, "the text: %s", strerror(-r));
		return r;
	}
	snprintf(local, sizeof(local), "%s", message_id);
	at = strchr(local, '@');
	if (at)
		*at = '\0';
	struct mail_spec spec = {
		.kind = GR_KIND_TOPIC_CONFIRMATION, .to = &to, .subject = subject, .body = body,
		.occurrence = &d->meeting->start, .message_id = local, .date = p->now,
		.reply_to_topics = true, .in_reply_to = l->message_id,
		.references = l->references, .n_references = l->n_references,
	};
	r = mail_render(cfg, &spec, ret, ret_len);
	if (r < 0)
		snprintf(err, errlen, "the mail: %s", r == -EINVAL ?
		         "the sender's address or a field the mail cannot carry" : strerror(-r));
	free(subject);
	free(body);
	return r;
}

/* The UID of x's calendar object (the planner's new form). */
static void object_uid(const struct gr_config *cfg, const struct gr_occurrence *x, char *uid,
                       size_t len)
{
	if (util_object_uid(&cfg->committee, x->series->id,
	                    x->date_index < 0 ? NULL : &x->series->dates[x->date_index], false, uid,
	                    len) < 0)
		snprintf(uid, len, "%s", x->series->id);
}

/* Record the topic of decision d (inbox row id) and enqueue its
 * confirmation; outcome gets the inbox row's line.  Inside the caller's
 * transaction.  0 or -errno (store). */
static int record_topic(const struct pass *p, const struct gr_letter *l,
                        const struct topics_decision *d, int64_t id, char *outcome, size_t len)
{
	const struct gr_config *cfg = p->cfg;
	const struct gr_occurrence *x = d->meeting;
	char uid[512], when[32], mid[512], why[256], *msg = NULL;
	size_t msg_len = 0;
	struct store_topic t = {
		.uid = uid, .meeting = when, .series = x->series->id, .title = (char *)d->title,
		.text = (char *)d->text, .member = d->member->email, .name = d->member->name,
		.organisation = d->member->organisation, .received = p->now, .source = "mail",
		.state = "active", .inbox_id = id,
	};
	int r;

	object_uid(cfg, x, uid, sizeof(uid));
	topics_when(&x->start, when, sizeof(when));
	r = store_topic_add(p->db, &t);
	if (r < 0)
		return r;
	snprintf(outcome, len, "topic %lld for %s%s", (long long)t.id, when,
	         d->asked ? " (its deadline had passed for the meeting asked for)" : "");
	/* stable per inbox row: enqueued once however often this is tried */
	snprintf(mid, sizeof(mid), "gremium.%s.topic-confirmation.%lld@%s", cfg->committee.id,
	         (long long)id, cfg->committee.domain);
	if (render_confirmation(p, l, d, id, mid, &msg, &msg_len, why, sizeof(why)) < 0) {
		size_t used = strlen(outcome);

		snprintf(outcome + used, len - used, "; not confirmed: %s", why);
		say(p, LOG_ERR, "inbox %lld: confirmation to %s cannot be rendered: %s", (long long)id,
		    l->from, why);
		return 0;
	}
	struct store_change c = {
		.message_id = mid, .recipient = l->from, .kind = "topic-confirmation", .uid = uid,
		.occurrence = when, .message = msg, .message_len = msg_len, .due = p->now,
	};
	r = store_apply(p->db, &c, 1, p->now);
	free(msg);
	return r;
}

/* Decide and record one message in one transaction.  0 or -errno. */
static int record(struct pass *p, const struct inbound_msg *m, const struct gr_letter *l)
{
	struct refs refs = { .n = 0 };
	struct topics_input in = { .letter = l, .too_large = m->too_large };
	struct topics_decision d;
	char *subject = NULL, *title = NULL, outcome[TOPICS_OUTCOME_LEN + 300];
	int64_t id = 0, dup = 0;
	int r = store_begin(p->db);

	if (r == 0 && l && !l->invalid)
		r = lookup_refs(p->db, l, &refs);
	if (r == 0 && l && !l->invalid && l->message_id &&
	    store_inbox_by_message_id(p->db, l->message_id, l->from, &dup) == 0)
		in.duplicate_of = dup;
	if (r == 0 && l && !l->invalid) {
		const struct gr_occurrence *x = NULL;

		for (size_t i = 0; !x && i < refs.n; i++)
			if (refs.r[i].kind && strcmp(refs.r[i].kind, "topic-call") == 0)
				x = topics_find(p->cfg, p->occ, &refs.r[i]);
		subject = x ? call_subject(p, x) : NULL;
		/* a reply under our call's subject: its text's first line
		 * that says something (letter_title skips the greeting) */
		title = letter_title(l, subject);
		in.title = title;
	}
	in.refs = refs.r;
	in.n_refs = refs.n;
	topics_decide(p->cfg, p->occ, &in, p->now, &d);
	snprintf(outcome, sizeof(outcome), "%s", d.outcome);
	struct store_inbox row = {
		.source_id = (char *)m->source_id,
		.message_id = l ? l->message_id : NULL,
		.sender = l ? l->from : NULL,
		.subject = l ? l->subject : NULL,
		.received = p->now,
		.class = (char *)topics_class_name(d.class),
		.outcome = outcome,
		/* kept for `inbox accept` */
		.text = d.held && l ? l->text : NULL,
		.held = d.held,
	};
	if (r == 0)
		r = store_inbox_add(p->db, &row, &id);
	if (r == 0 && d.topic) {
		r = record_topic(p, l, &d, id, outcome, sizeof(outcome));
		if (r == 0)
			r = store_inbox_set_outcome(p->db, id, NULL, outcome, false);
	}
	/* an iMIP answer (issue 16): attendance, never answered */
	if (r == 0 && d.class == TOPICS_REPLY && l && l->calendar && !in.duplicate_of)
		r = service_attendance(p->cfg, p->db, p->occ, l, id, p->now, outcome, sizeof(outcome),
		                       &d.held);
	if (r == 0)
		r = store_commit(p->db);
	else
		(void)store_rollback(p->db);
	if (r == 0) {
		struct service_inbound_info *info = p->info;

		info->recorded++;
		info->topics += d.topic;
		info->held += d.held;
		info->duplicates += in.duplicate_of > 0;
		say(p, LOG_INFO, "inbox %lld: %s from %s: %s: %s", (long long)id, m->source_id,
		    l && l->from ? l->from : "(unknown)", topics_class_name(d.class), outcome);
	} else {
		snprintf(p->err, p->errlen, "recording %s: %s", m->source_id, store_errmsg(p->db));
		p->info->store_failed = true;
	}
	free(subject);
	free(title);
	refs_free(&refs);
	return r;
}

static int on_seen(void *userdata, const char *source_id)
{
	struct pass *p = userdata;
	int r = store_inbox_seen(p->db, source_id);

	if (r < 0) {
		snprintf(p->err, p->errlen, "looking up %s: %s", source_id, store_errmsg(p->db));
		p->info->store_failed = true;
	}
	return r;
}

static int on_take(void *userdata, const struct inbound_msg *m)
{
	struct pass *p = userdata;
	struct gr_letter l;
	int r;

	if (m->too_large) {
		say(p, LOG_ERR, "%s: %zu bytes, more than max_message_kb = %d: recorded, not fetched",
		    m->source_id, m->size, p->cfg->inbound.max_message_kb);
		return record(p, m, NULL);
	}
	memset(&l, 0, sizeof(l));
	r = letter_parse(m->bytes, m->len, &l);
	if (r < 0) {
		snprintf(p->err, p->errlen, "parsing %s: %s", m->source_id, strerror(-r));
		return r;
	}
	if (l.invalid)
		say(p, LOG_ERR, "%s: cannot be parsed: %s", m->source_id, l.invalid);
	r = record(p, m, &l);
	letter_free(&l);
	return r;
}

int service_inbound(const struct gr_config *cfg, const struct tmpl_set *tmpl, struct store *db,
                    time_t now, service_line_fn line, void *userdata,
                    struct service_inbound_info *ret, char *err, size_t errlen)
{
	struct sched_list occ = { 0 };
	struct inbound_stats stats = { 0 };
	struct pass p = { cfg, tmpl, db, &occ, now, line, userdata, ret, err, errlen };
	char *password = NULL, why[512] = "";
	int r;

	memset(ret, 0, sizeof(*ret));
	err[0] = '\0';
	if (cfg->inbound.source == GR_INBOUND_NONE) {
		snprintf(err, errlen, "no inbound group in the configuration: no mailbox to read");
		return -ENOENT;
	}
	r = service_occurrences(cfg, now, &occ);
	if (r < 0) {
		snprintf(err, errlen, "the meetings: %s", strerror(-r));
		return r;
	}
	if (cfg->inbound.source == GR_INBOUND_IMAP &&
	    (cfg->inbound.password_file || cfg->inbound.password_credential)) {
		r = inbound_password(&cfg->inbound, &password, why, sizeof(why));
		if (r < 0) {
			snprintf(err, errlen, "the mailbox's password: %s", why);
			sched_list_free(&occ);
			return r;
		}
	}
	r = inbound_pass(&cfg->inbound, password, on_seen, on_take, &p, &stats, why, sizeof(why));
	ret->already_seen = stats.already_seen;
	ret->too_large = stats.too_large;
	if (r < 0 && !err[0])
		snprintf(err, errlen, "%s", why[0] ? why : strerror(-r));
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	sched_list_free(&occ);
	return r;
}
