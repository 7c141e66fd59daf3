/* SPDX-License-Identifier: MIT */
/*
 * ical_cache - the same REQUEST for many members (ical.h): text work on
 * ical_request()'s output, no libical of its own (ical_internal.h).
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"
#include "ical_internal.h"
#include "util.h"

/*
 * An invitation differs from member to member only in its ATTENDEE lines
 * (one per VEVENT): the calendar is rendered once per object, sequence and
 * DTSTAMP with a placeholder attendee and kept unfolded; each member's
 * copy is that text with libical's rendering of the member's ATTENDEE in
 * place of the placeholder's, folded as ical_request() folds.  The bytes
 * are the same as ical_request()'s (tests/test_ical.c compares them);
 * building and serialising the whole calendar was half the time of an
 * invitation.  Entries never change once made, so the lock only guards
 * the list; render threads share one cache.
 */
struct ical_cache_entry {
	const struct gr_series *series;
	int date_index, sequence;
	time_t dtstamp;
	char *uid, *description; /* as in the ical_object (owned, may be NULL) */
	char *text;             /* unfolded, with placeholder lines */
	bool moved;             /* obj->moved, and what it points to */
	struct gr_localtime original;
};

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool entry_is(const struct ical_cache_entry *e, const struct ical_object *obj,
                     int sequence, time_t dtstamp)
{
	return e->series == obj->series && e->date_index == obj->date_index &&
	       e->sequence == sequence && e->dtstamp == dtstamp && same_str(e->uid, obj->uid) &&
	       same_str(e->description, obj->description) && e->moved == (obj->moved != NULL) &&
	       (!obj->moved || sched_compare(&e->original, obj->moved) == 0);
}

static void entry_free(struct ical_cache_entry *e)
{
	if (!e)
		return;
	free(e->uid);
	free(e->description);
	free(e->text);
	free(e);
}

struct ical_cache {
	pthread_mutex_t lock;
	struct ical_cache_entry **v;
	size_t n, cap;
	char *placeholder;      /* the placeholder's ATTENDEE line, unfolded */
};

static const struct gr_member placeholder = { .email = (char *)"gremium.attendee@placeholder.invalid" };

struct ical_cache *ical_cache_new(void)
{
	struct ical_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->placeholder = ical_attendee_line(&placeholder);
	if (!c->placeholder || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->placeholder);
		free(c);
		return NULL;
	}
	return c;
}

void ical_cache_free(struct ical_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(c->v[i]);
	free(c->v);
	free(c->placeholder);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* The object's text with placeholders (borrowed from the cache), making it
 * on first use; NULL on failure. */
static const char *cached_text(struct ical_cache *c, const struct gr_config *cfg,
                               const struct ical_object *obj, const struct sched_list *occ,
                               int sequence, time_t dtstamp)
{
	struct ical_cache_entry *e = NULL;
	char *raw, *text;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n && !e; i++)
		if (entry_is(c->v[i], obj, sequence, dtstamp))
			e = c->v[i];
	pthread_mutex_unlock(&c->lock);
	if (e)
		return e->text;
	raw = ical_request(cfg, obj, occ, &placeholder, sequence, dtstamp);
	text = raw ? ical_unfold(raw) : NULL;
	free(raw);
	e = text ? malloc(sizeof(*e)) : NULL;
	if (!e) {
		free(text);
		return NULL;
	}
	*e = (struct ical_cache_entry){ obj->series, obj->date_index, sequence, dtstamp,
	                                util_strdup0(obj->uid), util_strdup0(obj->description),
	                                text, obj->moved != NULL,
	                                obj->moved ? *obj->moved : (struct gr_localtime){ 0 } };
	pthread_mutex_lock(&c->lock);
	/* another thread may have made it meanwhile: both are the same */
	if ((obj->uid && !e->uid) || (obj->description && !e->description) ||
	    util_grow((void **)&c->v, c->n, &c->cap, sizeof(*c->v)) < 0) {
		pthread_mutex_unlock(&c->lock);
		entry_free(e);
		return NULL;
	}
	c->v[c->n++] = e;
	pthread_mutex_unlock(&c->lock);
	return text;
}

/* text with every line equal to `from` replaced by `to`, or NULL. */
static char *replace_lines(const char *text, const char *from, const char *to)
{
	size_t from_len = strlen(from), to_len = strlen(to), n = 0;
	char *out, *o;

	for (const char *p = strstr(text, from); p; p = strstr(p + from_len, from))
		n++;
	out = malloc(strlen(text) + n * to_len + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = text, *q; ; p = q + from_len) {
		q = strstr(p, from);
		/* whole lines only: the placeholder starts a line */
		while (q && q != text && q[-1] != '\n')
			q = strstr(q + 1, from);
		if (!q) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, to_len);
		o += to_len;
	}
	return out;
}

char *ical_request_cached(struct ical_cache *c, const struct gr_config *cfg,
                          const struct ical_object *obj, const struct sched_list *occ,
                          const struct gr_member *member, int sequence, time_t dtstamp)
{
	const char *text;
	char *line, *joined, *out;

	if (!c)
		return ical_request(cfg, obj, occ, member, sequence, dtstamp);
	text = cached_text(c, cfg, obj, occ, sequence, dtstamp);
	line = text ? ical_attendee_line(member) : NULL;
	joined = line ? replace_lines(text, c->placeholder, line) : NULL;
	out = joined ? ical_refold(joined) : NULL;
	free(line);
	free(joined);
	return out;
}

