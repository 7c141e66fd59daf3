/* SPDX-License-Identifier: MIT */
/*
 * outcome - filling and reading struct tr_outcome.  See outcome.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "outcome.h"

void tr_outcome_set(struct tr_outcome *ret, enum tr_result result, int code,
                    const char *fmt, ...)
{
	va_list ap;

	ret->result = result;
	ret->code = code;
	ret->unsent = false;
	va_start(ap, fmt);
	vsnprintf(ret->reply, sizeof(ret->reply), fmt, ap);
	va_end(ap);
	for (char *p = ret->reply; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

int tr_outcome_errno(const struct tr_outcome *ret)
{
	return ret->result == TR_SENT ? 0 : ret->result == TR_TEMPORARY ? -EAGAIN : -EIO;
}
