/* SPDX-License-Identifier: MIT */
/*
 * inbound's internals: what inbound.c (the pass, maildir, parsing) and
 * inbound-imap.c (the IMAP source) share.
 */
#ifndef GREMIUM_INBOUND_INTERNAL_H
#define GREMIUM_INBOUND_INTERNAL_H

#include "inbound.h"

/* One pass's caller, its counters and its error buffer. */
struct inbound_run {
	const struct gr_inbound *cfg;
	inbound_seen_fn seen;
	inbound_take_fn take;
	void *userdata;
	struct inbound_stats *stats;
	size_t max_bytes;       /* max_message_kb in bytes */
	char *err;
	size_t errlen;
};

/* Ask seen() about id: 1, 0, or its error (err filled). */
int inbound_ask_seen(struct inbound_run *run, const char *id);

/* Hand m to take() and count it: 0, or take()'s error (err filled). */
int inbound_hand_over(struct inbound_run *run, const struct inbound_msg *m);

/* The IMAP source's pass (inbound-imap.c). */
int inbound_imap_pass(struct inbound_run *run, const char *password);

#endif
