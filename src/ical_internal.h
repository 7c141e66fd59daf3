/* SPDX-License-Identifier: MIT */
/*
 * ical_internal.h - what ical.c lends ical_cache.c: the module ical (ical.h)
 * is two files, so that neither exceeds STYLE's 900 lines.  Not for other
 * modules.  All return malloc'ed strings (caller frees), NULL when out of
 * memory.
 */
#ifndef GREMIUM_ICAL_INTERNAL_H
#define GREMIUM_ICAL_INTERNAL_H

#include "model.h"

/* m's ATTENDEE line as ical_request() writes it, unfolded. */
char *ical_attendee_line(const struct gr_member *m);
/* Folded at 75 octets on character boundaries, CRLF line ends. */
char *ical_refold(const char *in);
/* Every logical line on one physical line, CRLF line ends. */
char *ical_unfold(const char *in);

#endif
