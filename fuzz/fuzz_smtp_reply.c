/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SMTP reply parsing of src/smtp.c.  The input is
 * what a server sends, cut into lines as libcurl hands them to the header
 * callback; every complete reply must come out as one printable line that
 * starts with its code, and finding by code must agree with the ring.
 */
#include "autoconfig.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

static void check_reply(const char *text, int code)
{
	size_t len;

	if (!text)
		return;
	len = strlen(text);
	if (len >= SMTP_REPLY_MAX || len < 3)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			abort();    /* a reply must stay one line */
	if (code && (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0') != code)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_replies r = { 0 };
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* libcurl's lines are NUL-terminated copies: so are these */
		char *line = malloc(len + 1);
		int r1;

		if (!line)
			return 0;
		memcpy(line, p, len);
		line[len] = '\0';
		r1 = smtp_reply_line(&r, line, len);
		if (r1 == 1)
			check_reply(smtp_reply_find(&r, 0), 0);
		free(line);
		p += len;
	}
	check_reply(smtp_reply_find(&r, 0), 0);
	for (int code = 200; code < 600; code += 50)
		check_reply(smtp_reply_find(&r, code), code);
	return 0;
}
