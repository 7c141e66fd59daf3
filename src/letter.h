/* SPDX-License-Identifier: MIT */
/*
 * letter.h - PLACEHOLDER with the declarations of contract-15.md, so that the
 * pipeline builds before wip-letter lands; wip-letter's header replaces it.
 */
#ifndef GREMIUM_LETTER_H
#define GREMIUM_LETTER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct letter_attachment { char *name; char *type; size_t size; };
struct gr_letter {
	char *invalid;
	char *message_id;
	char *from, *from_name;
	char *reply_to, *sender, *return_path;
	char *in_reply_to;
	char **references; size_t n_references;
	char *subject;
	time_t date;
	char *text;
	struct letter_attachment *attachments; size_t n_attachments;
	const char *automatic;
	bool is_report;
	char *calendar;
};
int letter_parse(const void *bytes, size_t len, struct gr_letter *ret);
void letter_free(struct gr_letter *l);
char *letter_title(const struct gr_letter *l, const char *call_subject);

#endif
