/* SPDX-License-Identifier: MIT */
/*
 * ical_fold.c - the ical module's line folding (ical_internal.h): libical's
 * output unfolded and folded again on UTF-8 character boundaries at 75
 * octets (RFC 5545 §3.1), whatever the libical release does.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ical_internal.h"

#define ICAL_FOLD 75            /* octets per line, CRLF excluded (§3.1) */

static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Unfold libical's lines (CRLF + one SP/HTAB) and fold them again at width
 * octets, never inside a UTF-8 sequence; every line ends in CRLF.
 * Returns a new string, or NULL. */
static char *fold(const char *in, size_t width)
{
	size_t len = strlen(in);
	/* each fold adds 3 octets per >= 70 of content; LF may become CRLF */
	char *out = malloc(2 * len + 64), *o = out;
	size_t col = 0;

	if (!out)
		return NULL;
	for (const char *p = in; *p;) {
		size_t n;

		if (*p == '\r' || *p == '\n') {
			p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
			if (*p == ' ' || *p == '\t') {
				p++;            /* a continuation: join */
				continue;
			}
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
			continue;
		}
		n = utf8_len((unsigned char)*p);
		for (size_t i = 1; i < n; i++)
			if (((unsigned char)p[i] & 0xc0) != 0x80)
				n = 1;  /* not UTF-8 after all: never swallow CR/LF/NUL */
		if (col + n > width) {
			memcpy(o, "\r\n ", 3);
			o += 3;
			col = 1;
		}
		memcpy(o, p, n);
		o += n;
		col += n;
		p += n;
	}
	if (o > out && o[-1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

char *ical_refold(const char *in)
{
	return fold(in, ICAL_FOLD);
}

/* Every logical line on one physical line, ending in CRLF. */
char *ical_unfold(const char *in)
{
	return fold(in, SIZE_MAX);
}
