/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a member's iMIP answer, the inbound path of issue 16.
 * The input is a whole received mail: letter_parse() (GMime) finds its
 * calendar part, reply_parse() (libical) reads it, attendance_decide()
 * and attendance_outcome() judge it against a small committee.  The input
 * is also given to reply_parse() directly as calendar text.  Every result
 * must hold its promises: items within REPLY_MAX_ITEMS, fields within
 * REPLY_MAX_FIELD and one line, occurrences "YYYY-MM-DD[THH:MM]" or "",
 * the outcome one line that fits its buffer.
 */
#include "autoconfig.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance.h"
#include "letter.h"
#include "reply.h"

static void check_field(const char *s)
{
	if (!s)
		return;
	if (strlen(s) > REPLY_MAX_FIELD)
		abort();
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

static void check_when(const char *s)
{
	size_t n = strlen(s);

	if (n != 0 && n != 10 && n != 16)
		abort();
}

static struct gr_member members[] = {
	{ .name = "A", .email = "a@x.example", .group = "g" },
	{ .name = "B", .email = "b@x.example", .group = "g" },
};
static struct gr_series series = { .id = "online", .summary = "S",
	.rrule = "FREQ=MONTHLY;BYDAY=2WE", .start = { 2027, 1, 13, 10, 0 }, .duration = 60 };
static struct gr_occurrence items[] = {
	{ .series = &series, .date_index = -1, .original = { 2027, 2, 10, 10, 0 },
	  .start = { 2027, 2, 10, 10, 0 } },
};
static struct store_object objects[] = {
	{ .recipient = "a@x.example", .uid = "u@x.example", .series_id = "online",
	  .rrule = "FREQ=MONTHLY;BYDAY=2WE", .dtstart = { 2027, 1, 13, 10, 0 } },
};

static void judge(const char *text, size_t len, const char *from)
{
	struct gr_config cfg = { .members = members, .n_members = 2, .series = &series,
		                 .n_series = 1 };
	struct sched_list occ = { .items = items, .n = 1 };
	struct store_state st = { .objects = objects, .n_objects = 1 };
	static struct attendance_decision d;
	struct gr_reply r;
	char err[256], out[ATTENDANCE_OUTCOME_LEN];

	cfg.committee.timezone = "Europe/Berlin";
	if (reply_parse(text, len, "Europe/Berlin", &r, err, sizeof(err)) < 0) {
		if (r.n_items || r.items || !err[0] || strchr(err, '\n'))
			abort();
		return;
	}
	if (r.n_items == 0 || r.n_items > REPLY_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < r.n_items; i++) {
		const struct reply_item *it = &r.items[i];

		check_field(it->uid);
		check_field(it->attendee);
		check_field(it->deputy);
		check_field(it->comment);
		check_field(it->partstat);
		check_when(it->occurrence);
		check_when(it->proposed_start);
		check_when(it->proposed_end);
	}
	attendance_decide(&cfg, &occ, &st, from, &r, 1000, 1, &d);
	attendance_outcome(&d, NULL, out, sizeof(out));
	if (strlen(out) >= sizeof(out) || strchr(out, '\n'))
		abort();
	reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_letter l;

	judge((const char *)data, size, "a@x.example");
	memset(&l, 0, sizeof(l));
	if (letter_parse(data, size, &l) < 0)
		return 0;
	if (l.calendar)
		judge(l.calendar, strlen(l.calendar), l.from);
	letter_free(&l);
	return 0;
}
