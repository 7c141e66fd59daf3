/* SPDX-License-Identifier: MIT */
/*
 * smtp-reply - the SMTP backend's reply parser (see smtp.h): pure, no
 * libcurl, so that it is unit-tested and fuzzed (fuzz/fuzz_smtp_reply.c)
 * on its own.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "smtp.h"

static bool reply_code(const char *p, size_t len)
{
	/* RFC 5321 §4.2: 2-5, 0-5, 0-9 */
	return len >= 3 && p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '5' &&
	       p[2] >= '0' && p[2] <= '9';
}

/* Append src[0..n) to text (a string in a buffer of SMTP_REPLY_MAX),
 * control characters as spaces, cut at the cap. */
static void reply_append(char *text, const char *src, size_t n)
{
	size_t used = strlen(text);

	for (size_t i = 0; i < n && used + 1 < SMTP_REPLY_MAX; i++) {
		unsigned char c = (unsigned char)src[i];
		text[used++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	text[used] = '\0';
}

int smtp_reply_line(struct smtp_replies *r, const char *line, size_t len)
{
	int code;
	bool last;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!reply_code(line, len) || (len > 3 && line[3] != '-' && line[3] != ' '))
		return -EINVAL;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	last = len == 3 || line[3] == ' ';
	if (r->code != code) {
		/* a new reply (or another code cutting into one: start over) */
		r->code = code;
		r->text[0] = '\0';
		reply_append(r->text, line, 3);
	}
	if (len > 4) {
		reply_append(r->text, " ", 1);
		reply_append(r->text, line + 4, len - 4);
	}
	if (!last)
		return 0;
	r->done[r->n_done % SMTP_REPLIES_KEPT].code = code;
	memcpy(r->done[r->n_done % SMTP_REPLIES_KEPT].text, r->text, SMTP_REPLY_MAX);
	r->n_done++;
	r->code = 0;
	return 1;
}

const char *smtp_reply_find(const struct smtp_replies *r, int code)
{
	unsigned kept = r->n_done < SMTP_REPLIES_KEPT ? r->n_done : SMTP_REPLIES_KEPT;

	for (unsigned i = 1; i <= kept; i++) {
		unsigned k = (r->n_done - i) % SMTP_REPLIES_KEPT;

		if (code == 0 || r->done[k].code == code)
			return r->done[k].text;
	}
	return NULL;
}
