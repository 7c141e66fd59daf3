/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a received mail, whatever its bytes, through
 * letter_parse() (src/letter.c, src/letter-text.c: GMime, libxml2's HTML
 * parser, the quote rules) and letter_title().  Checked: it never fails
 * but for memory; every string it gives is valid UTF-8 without control
 * characters (the text keeps newlines and tabs); the text and the title
 * stay within their caps; at most LETTER_MAX_PARTS attachments; an
 * invalid letter says why.  Seeds: the fixtures of tests/fixtures/inbound.
 */
#include "autoconfig.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "util.h"

/* valid UTF-8 without controls; multiline: '\n' and '\t' allowed */
static void check_str(const char *s, bool multiline)
{
	if (!s)
		return;
	if (!util_utf8_valid((const unsigned char *)s))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 || *p == 0x7f) && !(multiline && (*p == '\n' || *p == '\t')))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_letter l;
	char *title;

	if (letter_parse(data, size, &l) < 0)
		return 0;      /* out of memory only (allocator_may_return_null) */
	if (!l.subject || !l.text || strlen(l.text) > LETTER_MAX_TEXT ||
	    l.n_attachments > LETTER_MAX_PARTS || (l.invalid && !*l.invalid))
		abort();
	check_str(l.invalid, false);
	check_str(l.message_id, false);
	check_str(l.from, false);
	check_str(l.from_name, false);
	check_str(l.reply_to, false);
	check_str(l.sender, false);
	check_str(l.return_path, false);
	check_str(l.in_reply_to, false);
	for (size_t i = 0; i < l.n_references; i++)
		check_str(l.references[i], false);
	if (l.n_references > LETTER_MAX_REFERENCES)
		abort();
	check_str(l.subject, false);
	check_str(l.text, true);
	check_str(l.calendar, true);
	for (size_t i = 0; i < l.n_attachments; i++) {
		check_str(l.attachments[i].name, false);
		check_str(l.attachments[i].type, false);
	}
	title = letter_title(&l, "[Kommunalgremium] Themenanmeldung: Sitzung am 14.01.2027");
	if (title) {
		check_str(title, true);
		if (strlen(title) > LETTER_MAX_TITLE || strchr(title, '\n'))
			abort();
		free(title);
	}
	letter_free(&l);
	return 0;
}
