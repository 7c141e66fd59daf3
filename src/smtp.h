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
#include "transport.h"

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

#endif
