/* SPDX-License-Identifier: MIT */
/*
 * transport - deliver one rendered message: `maildir` (tmp/ -> fsync ->
 * new/) or `smtp` (libcurl: smtps://, or smtp:// with STARTTLS required by
 * default; AUTH from password_file; certificate and host verification on).
 * One interface; transport.c checks the envelope and does maildir, smtp.c
 * is the SMTP backend.
 *
 * Classification (RFC 5321 §4.2.1 and what an admin can fix):
 *   sent       the server's 250 after the data (maildir: file in new/)
 *   temporary  4yz replies; connection refused/reset, timeouts, DNS, TLS
 *              handshake failures; every maildir failure (disk full, mode)
 *   permanent  5yz replies; "authentication failed: <reply>" (535);
 *              "certificate verification failed: <why>"; a server that
 *              offers no STARTTLS although it is required
 * reply holds the server's last reply line (not QUIT's 221) or, without
 * one, libcurl's error text.
 */
#ifndef GREMIUM_TRANSPORT_H
#define GREMIUM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "model.h"
#include "outcome.h"

struct transport;

/*
 * Create the transport cfg->delivery names (cfg is borrowed and must
 * outlive the transport).  maildir: creates tmp/, new/, cur/ (mode 0700).
 * smtp: reads the password (trailing line end stripped), sets up libcurl;
 * no connection yet.  Returns 0 and *ret, or a negative errno with a
 * one-line reason in err (e.g. the password file cannot be read, starttls
 * off for a server that is not on loopback).  Warnings (password file
 * readable by group or others) go to warn when not NULL, one line each,
 * ending in ", continuing".
 */
int tr_new(const struct gr_config *cfg, struct transport **ret,
           char *err, size_t errlen, FILE *warn);

/*
 * Deliver msg (len bytes, CRLF) from `from` to `rcpt` (plain addresses; the
 * SMTP envelope; maildir ignores them).  Addresses with control characters,
 * spaces or angle brackets are refused as permanent failures.  Always fills
 * *ret (result, code, reply).  Returns 0 when sent, otherwise -EAGAIN
 * (temporary) or -EIO (permanent).  The smtp backend keeps its connection
 * open between calls.
 */
int tr_send(struct transport *t, const char *from, const char *rcpt,
            const char *msg, size_t len, struct tr_outcome *ret);

/*
 * Asynchronous delivery, for an event loop (gremiumd, `run-once`): up to
 * delivery.connections messages at once, each SMTP session kept open and
 * reused for the next message of its slot.  Each slot runs libcurl's multi
 * interface on a thread of its own (libcurl blocks in an SMTP transfer's
 * last step, see smtp.c); the caller's loop watches one file
 * descriptor, and done() is always called on the caller's thread.
 *
 * Why callbacks rather than an sd_event *: transport (with smtp.c, the one
 * module that knows libcurl) knows no event library (STYLE.md: one
 * third-party library per module); the glue to sd-event is a few functions
 * in sender.c, and a test can drive the same API with poll().  The hooks
 * (struct tr_hooks) are in outcome.h.
 */

/*
 * Switch t to asynchronous delivery with hooks (copied).  Once per
 * transport.  Returns 0, or -ENOMEM.
 */
int tr_async(struct transport *t, const struct tr_hooks *hooks);

/*
 * Leave asynchronous mode: deliveries that have finished are reported
 * through done() first; those still in flight are abandoned without
 * done(); the hooks are called for the last time (the fd removed) before
 * this returns.  tr_send() keeps working.
 */
void tr_async_end(struct transport *t);

/* How many more deliveries tr_start() takes now (0 before tr_async()).
 * smtp takes 8 per connection: one being sent, the others queued behind it
 * on the same session; maildir one per connection. */
size_t tr_slots_free(const struct transport *t);

/*
 * Start delivering msg (borrowed until done() is called for job) from
 * `from` to `rcpt`; job is the caller's, handed back to done().  Returns 0
 * (done() follows, possibly already called), -EBUSY (no free slot) or
 * -ENOMEM / -EIO (libcurl refused: nothing started, done() not called).
 */
int tr_start(struct transport *t, void *job, const char *from, const char *rcpt,
             const char *msg, size_t len);

/*
 * Give back the deliveries that wait behind another on their connection
 * (not started: nothing of them reached the server).  They end through
 * done() like the others, with TR_TEMPORARY and `unsent`, on a later
 * tr_run().  For a stop: only the mails being sent are waited for.
 */
void tr_unqueue(struct transport *t);

/*
 * Report the deliveries that finished since the last call through done()
 * (call it when the watched fd is readable).  Returns 0.
 */
int tr_run(struct transport *t);

/*
 * The caller has recorded every outcome done() gave it so far (committed
 * them).  Until it says so, smtp starts no new mail on a connection once 3
 * per connection are finished and unrecorded: after a crash, the mails
 * whose outcome was not recorded are sent again, so this bounds the
 * duplicates to 4 per connection (3 and the one being sent).
 */
void tr_recorded(struct transport *t);

/* The backend's name: "maildir" or "smtp". */
const char *tr_name(const struct transport *t);

/* Free t (closes open SMTP connections, abandons deliveries in flight
 * without calling done()); NULL is a no-op. */
void tr_free(struct transport *t);

#endif
