/* SPDX-License-Identifier: MIT */
/*
 * smtp - transport's SMTP backend: libcurl, smtps:// or smtp:// with
 * STARTTLS required by default, AUTH from password_file, certificate and
 * host verification on.  transport.c checks the envelope and calls these
 * for `transport = "smtp"`; transport.h documents the interface they
 * implement and how outcomes are classified.
 *
 * Asynchronous delivery runs a thread per connection, each with its own
 * libcurl multi handle and 8 queued deliveries (libcurl blocks in an SMTP
 * transfer's last step, see smtp.c); done() is called on the caller's
 * thread from smtp_run().
 */
#ifndef GREMIUM_SMTP_H
#define GREMIUM_SMTP_H

#include <stddef.h>
#include <stdio.h>
#include "model.h"
#include "outcome.h"

struct smtp;

/* tr_new() for smtp: checks smtp_url (and starttls off only on loopback),
 * reads the password, sets up libcurl; no connection yet. */
int smtp_new(const struct gr_delivery *d, struct smtp **ret, char *err, size_t errlen,
             FILE *warn);

/* tr_send() for smtp; the envelope is already checked. */
int smtp_send(struct smtp *t, const char *from, const char *rcpt, const char *msg, size_t len,
              struct tr_outcome *ret);

/* tr_async(), tr_async_end(), tr_slots_free() for smtp. */
int smtp_async(struct smtp *t, const struct tr_hooks *hooks);
void smtp_async_end(struct smtp *t);
size_t smtp_slots_free(const struct smtp *t);

/* tr_start() for smtp, the envelope checked: -EBUSY without a free slot. */
int smtp_start(struct smtp *t, void *job, const char *from, const char *rcpt,
               const char *msg, size_t len);

/* tr_unqueue(), tr_recorded(), tr_run() for smtp. */
void smtp_unqueue(struct smtp *t);
void smtp_recorded(struct smtp *t);
void smtp_run(struct smtp *t);

/* Free t (abandons deliveries in flight); NULL is a no-op. */
void smtp_free(struct smtp *t);

/*
 * The server's replies in one delivery, as libcurl hands their lines over.
 * libcurl reports the code of the reply it took as the answer to its last
 * command; a server that got out of step may send more replies after that
 * one (say "250 ok" to the QUIT that follows a 550), so the outcome takes
 * the latest complete reply with that code, not the last line seen.
 */
#define SMTP_REPLY_MAX 512      /* one reply's text, lines joined by spaces */
#define SMTP_REPLIES_KEPT 4     /* complete replies remembered */

struct smtp_replies {
	struct {
		int code;
		char text[SMTP_REPLY_MAX];
	} done[SMTP_REPLIES_KEPT];  /* ring of complete replies */
	unsigned n_done;            /* replies completed so far */
	int code;                   /* the reply being read, 0 = none */
	char text[SMTP_REPLY_MAX];
};

/*
 * Add one reply line (RFC 5321 §4.2: three digits, then '-' on every line
 * but the last, ' ' or the end on the last; CR/LF at the end optional).
 * The text keeps the first line's code; control characters become spaces.
 * Returns 1 when the line completed a reply, 0 when more lines follow, or
 * -EINVAL for a line that is no reply line (ignored; a reply in progress
 * is dropped when a line with another code interrupts it).
 */
int smtp_reply_line(struct smtp_replies *r, const char *line, size_t len);

/* The text of the latest complete reply with code (0: with any code), or
 * NULL.  Borrowed from r. */
const char *smtp_reply_find(const struct smtp_replies *r, int code);

#endif
