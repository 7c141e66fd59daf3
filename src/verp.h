/* SPDX-License-Identifier: MIT */
/*
 * verp - the envelope sender of each mail (variable envelope return path):
 * "LOCAL+ID-CHECK@DOMAIN" for bounce_address "LOCAL@DOMAIN", ID the outbox
 * row (decimal), CHECK 8 lower-case hex digits of a hash of the mail's
 * Message-ID.  A bounce comes back to that address, and the address names
 * the row; CHECK makes a made-up or mistyped token match nothing (who can
 * forge it must know the Message-ID of a mail sent to someone else).
 * The MTA must deliver LOCAL+anything@DOMAIN to LOCAL's mailbox (Postfix
 * recipient_delimiter = +).  Pure: no I/O.
 */
#ifndef GREMIUM_VERP_H
#define GREMIUM_VERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "LOCAL+ID-CHECK@DOMAIN" into buf: 0, -EINVAL (bounce_address without
 * '@', id < 1, no message_id) or -ENOSPC. */
int verp_address(const char *bounce_address, int64_t outbox_id, const char *message_id,
                 char *buf, size_t len);

/*
 * The outbox row a VERP address names: addr (an addr-spec, optionally in
 * <>) must be LOCAL+ID-CHECK@DOMAIN of bounce_address (local part and
 * domain compared without case).  0 and *ret_id, or -ENOENT.  The CHECK
 * is only tested for its form here: verp_check() compares it with the
 * row's Message-ID.
 */
int verp_parse(const char *bounce_address, const char *addr, int64_t *ret_id);

/* Does addr carry the right CHECK for outbox row id sent as message_id? */
bool verp_check(const char *bounce_address, const char *addr, int64_t outbox_id,
                const char *message_id);

#endif
