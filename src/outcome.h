/* SPDX-License-Identifier: MIT */
/*
 * outcome - what a delivery ended with (struct tr_outcome) and the hooks
 * of asynchronous delivery (struct tr_hooks): the types transport.h's
 * interface and its smtp backend share.  Both transport.h and smtp.h
 * include this, so smtp.c does not include transport.h, whose functions
 * call smtp's (no include circle).  Classification: see transport.h.
 */
#ifndef GREMIUM_OUTCOME_H
#define GREMIUM_OUTCOME_H

#include <stdbool.h>

enum tr_result {
	TR_SENT,
	TR_TEMPORARY,  /* 4xx, connection trouble, timeout: retry later */
	TR_PERMANENT,  /* 5xx: do not retry this recipient */
};

struct tr_outcome {
	enum tr_result result;
	int code;              /* SMTP reply code, 0 when none */
	bool unsent;           /* TR_TEMPORARY without an attempt: given back
	                        * by tr_unqueue(), nothing reached the server */
	char reply[512];       /* server answer or local reason, one line */
};

/* For the backends: fill *ret; the reply becomes one line of printable
 * characters. */
void tr_outcome_set(struct tr_outcome *ret, enum tr_result result, int code,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* What tr_send() returns for an outcome: 0 (sent), -EAGAIN (temporary) or
 * -EIO (permanent). */
int tr_outcome_errno(const struct tr_outcome *ret);

/* The asynchronous interface's hooks (tr_async(); transport.h says why
 * callbacks). */
enum {
	TR_IO_IN = 1,
	TR_IO_REMOVE = 4,       /* stop watching the fd (it is closed next) */
};

struct tr_hooks {
	/* Watch fd for input (TR_IO_IN), or stop (TR_IO_REMOVE).  *fd_data
	 * is the loop's own pointer for this fd, NULL at first; what it stores
	 * there is handed back on the next call for the fd.  When fd is
	 * readable the loop calls tr_run(t).  0 or a negative errno. */
	int (*watch)(void *data, int fd, int what, void **fd_data);
	/* A delivery started with tr_start() ended (out is borrowed).  May be
	 * called from within tr_start() (maildir, an invalid envelope) and
	 * tr_run(); it must not call tr_start() itself. */
	void (*done)(void *data, void *job, const struct tr_outcome *out);
	void *data;
};

#endif
