/* SPDX-License-Identifier: MIT */
/*
 * dsn - delivery status notifications (bounces) in the inbound mailbox
 * (issue 16): parse one received mail (RFC 3464 multipart/report;
 * report-type=delivery-status as Postfix, Exim, Exchange/Outlook write
 * them; the older text-only NDRs of Exchange and others), find the outbox
 * row it is about (the VERP address it was sent to, verp.h, else the
 * Message-ID of the quoted original: a text/rfc822-headers or
 * message/rfc822 part, or "Message-ID:" lines quoted in the text) and
 * record it on that row (store_outbox_bounced()).  A DSN is never answered.
 *
 * Untrusted input: any bytes give a report (possibly empty) and, from
 * dsn_apply(), a one-line outcome; everything is bounded (DSN_MAX_*).
 */
#ifndef GREMIUM_DSN_H
#define GREMIUM_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "letter.h"
#include "store.h"

#define DSN_MAX_RECIPIENTS 32   /* per-recipient blocks kept */
#define DSN_MAX_ADDRESSES 16    /* VERP candidates kept from the headers */
#define DSN_MAX_STATUS_BYTES (64 * 1024)  /* of a delivery-status or text part read */
#define DSN_MAX_FIELD 300       /* bytes of one field value kept (one line) */

/* One per-recipient block (or what a text-only NDR says). */
struct dsn_recipient {
	char *recipient;        /* Final-Recipient's address, or NULL */
	char *original;         /* Original-Recipient's address, or NULL */
	char *action;           /* lower-case: failed|delayed|delivered|relayed|expanded, or NULL */
	char status[16];        /* "5.1.1", or "" */
	char *remote_mta;       /* Remote-MTA without its type ("dns; "), or NULL */
	char *diagnostic;       /* Diagnostic-Code without its type ("smtp; "), or NULL */
};

struct dsn_report {
	const char *shape;      /* "delivery-status" (RFC 3464), "text" (an NDR in words),
	                         * or NULL: not a delivery report */
	struct dsn_recipient *rcpt;
	size_t n_rcpt;
	char **addresses;       /* To/Cc/Delivered-To/X-Original-To/Envelope-To addresses
	                         * containing '+' (VERP candidates), in header order */
	size_t n_addresses;
	char *original_message_id;  /* of the quoted original (without <>), or NULL */
};

/*
 * Parse len bytes received, l being letter_parse()'s result for them (an
 * invalid letter is not parsed again: the report stays empty).  Never
 * fails on bad input; 0, or -ENOMEM.  Free with dsn_free().
 */
int dsn_parse(const void *bytes, size_t len, const struct gr_letter *l, struct dsn_report *ret);
void dsn_free(struct dsn_report *d);

/* The outcome of one report for one outbox row. */
enum dsn_verdict { DSN_PERMANENT, DSN_TEMPORARY, DSN_INFORMATIONAL };

/*
 * Pure: the block of d about recipient (an outbox row's; compared with
 * Final- and Original-Recipient without case; a report with one block,
 * or a text NDR, is about the row anyway), and what it means.  NULL when
 * there is none.
 */
const struct dsn_recipient *dsn_pick(const struct dsn_report *d, const char *recipient,
                                     enum dsn_verdict *ret_verdict);

/*
 * Find the outbox row of d (VERP address checked against the row's
 * Message-ID, else the quoted Message-ID) and record the bounce there
 * (store_outbox_bounced(); inside the caller's transaction when one is
 * open).  Always writes a one-line outcome, e.g. "bounce: a@x 5.1.1 ...
 * (permanent): outbox 17 failed" or "bounce for nothing we sent (...)".
 * Returns 0 (also when nothing matched), or a negative code from the store
 * (its reason in store_errmsg()).
 */
int dsn_apply(struct store *db, const char *bounce_address, const struct dsn_report *d,
              time_t now, char *outcome, size_t outlen);

/*
 * The inbound pass's hook: a letter that is a report or machine-made
 * (is_report, automatic) is parsed; when it is a delivery report, it is
 * applied (dsn_apply()) and its outcome written.  1: a DSN (class "dsn"),
 * 0: not one (outcome untouched), <0: an error of the store or -ENOMEM.
 */
int dsn_handle(struct store *db, const char *bounce_address, const void *bytes, size_t len,
               const struct gr_letter *l, time_t now, char *outcome, size_t outlen);

#endif
