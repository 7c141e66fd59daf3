/* SPDX-License-Identifier: MIT */
/*
 * transport - deliver one rendered message: `maildir` (tmp/ -> fsync ->
 * new/) or `smtp` (libcurl: smtps://, or smtp:// with STARTTLS required by
 * default; AUTH from password_file; certificate and host verification on).
 * One interface, a table of backends.
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

#include <stddef.h>
#include <stdio.h>
#include "model.h"

enum tr_result {
	TR_SENT,
	TR_TEMPORARY,  /* 4xx, connection trouble, timeout: retry later */
	TR_PERMANENT,  /* 5xx: do not retry this recipient */
};

struct tr_outcome {
	enum tr_result result;
	int code;              /* SMTP reply code, 0 when none */
	char reply[512];       /* server answer or local reason, one line */
};

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

/* The backend's name: "maildir" or "smtp". */
const char *tr_name(const struct transport *t);

/* Free t (closes an open SMTP connection); NULL is a no-op. */
void tr_free(struct transport *t);

#endif
