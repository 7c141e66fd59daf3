/* SPDX-License-Identifier: MIT */
/*
 * transport - deliver one rendered message: `maildir` (tmp/ -> fsync ->
 * new/) or `smtp` (libcurl: smtps://, or smtp:// with STARTTLS required by
 * default; AUTH from password_file; certificate and host verification on).
 * One interface, a table of backends.
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
 * Create the transport cfg->delivery names.  Returns 0 and *ret, or a
 * negative errno with a one-line reason in err (e.g. the password file
 * cannot be read).  Warnings (password file readable by others) go to warn
 * when not NULL, one line each.
 */
int tr_new(const struct gr_config *cfg, struct transport **ret,
           char *err, size_t errlen, FILE *warn);

/*
 * Deliver msg (len bytes, CRLF) from `from` to `rcpt`.  Always fills *ret
 * (result, code, reply).  Returns 0 when sent, otherwise -EAGAIN (temporary)
 * or -EIO (permanent).
 */
int tr_send(struct transport *t, const char *from, const char *rcpt,
            const char *msg, size_t len, struct tr_outcome *ret);

/* The backend's name: "maildir" or "smtp". */
const char *tr_name(const struct transport *t);

/* Free t (closes an open SMTP connection); NULL is a no-op. */
void tr_free(struct transport *t);

#endif
