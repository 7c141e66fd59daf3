/* SPDX-License-Identifier: MIT */
/*
 * dsn-apply.c - a parsed delivery status notification matched to its
 * outbox row and recorded there, see dsn.h.  No third-party library: the
 * store and verp do the work.
 */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsn.h"
#include "verp.h"

static enum dsn_verdict verdict_of(const struct dsn_recipient *r)
{
	if (r->action) {
		if (strcmp(r->action, "failed") == 0)
			return DSN_PERMANENT;
		if (strcmp(r->action, "delayed") == 0)
			return DSN_TEMPORARY;
		return DSN_INFORMATIONAL;     /* delivered, relayed, expanded */
	}
	if (r->status[0] == '5')
		return DSN_PERMANENT;
	if (r->status[0] == '4')
		return DSN_TEMPORARY;
	return DSN_INFORMATIONAL;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

const struct dsn_recipient *dsn_pick(const struct dsn_report *d, const char *recipient,
                                     enum dsn_verdict *ret_verdict)
{
	const struct dsn_recipient *pick = NULL;

	if (!d->shape || d->n_rcpt == 0)
		return NULL;
	for (size_t i = 0; i < d->n_rcpt && !pick; i++)
		if (same(d->rcpt[i].recipient, recipient) || same(d->rcpt[i].original, recipient))
			pick = &d->rcpt[i];
	/* one block (or an NDR in words): about the row's mail anyway, e.g.
	 * after a forward changed the final recipient */
	if (!pick && d->n_rcpt == 1)
		pick = &d->rcpt[0];
	if (pick)
		*ret_verdict = verdict_of(pick);
	return pick;
}

/* The outbox row of d: 1 with its id and recipient (caller frees), 0 none
 * (*ret_why says why), or a negative store error. */
static int find_row(struct store *db, const char *bounce_address, const struct dsn_report *d,
                    int64_t *ret_id, char **ret_rcpt, const char **ret_why)
{
	bool forged = false;
	int r;

	for (size_t i = 0; i < d->n_addresses; i++) {
		char *mid = NULL, *rcpt = NULL;
		int64_t id;

		if (verp_parse(bounce_address, d->addresses[i], &id) < 0)
			continue;
		r = store_outbox_ident(db, id, &mid, &rcpt);
		if (r == -ENOENT) {
			forged = true;
			continue;
		}
		if (r < 0)
			return r;
		if (verp_check(bounce_address, d->addresses[i], id, mid)) {
			free(mid);
			*ret_id = id;
			*ret_rcpt = rcpt;
			return 1;
		}
		forged = true;
		free(mid);
		free(rcpt);
	}
	if (d->original_message_id) {
		r = store_outbox_find(db, d->original_message_id, ret_id, ret_rcpt);
		if (r == 0)
			return 1;
		if (r != -ENOENT)
			return r;
	}
	*ret_why = forged ? "its VERP token matches no mail we sent"
	           : d->original_message_id ? "the quoted Message-ID is not one we sent"
	           : "no VERP address and no quoted Message-ID";
	return 0;
}

int dsn_apply(struct store *db, const char *bounce_address, const struct dsn_report *d,
              time_t now, char *outcome, size_t outlen)
{
	const struct dsn_recipient *pick;
	enum dsn_verdict v = DSN_INFORMATIONAL;
	const char *why = NULL;
	char *rcpt = NULL, *answer = NULL;
	int64_t id = 0;
	int r;

	if (!d->shape) {
		snprintf(outcome, outlen, "not answered: a report without delivery status");
		return 0;
	}
	r = find_row(db, bounce_address, d, &id, &rcpt, &why);
	if (r < 0)
		return r;
	if (r == 0) {
		snprintf(outcome, outlen, "bounce for nothing we sent (%s): ignored", why);
		return 0;
	}
	pick = dsn_pick(d, rcpt, &v);
	if (!pick) {
		snprintf(outcome, outlen, "delivery report for outbox %" PRId64 " names other recipients:"
		         " ignored", id);
		free(rcpt);
		return 0;
	}
	if (v == DSN_INFORMATIONAL) {
		snprintf(outcome, outlen, "delivery report: %s %s for outbox %" PRId64, rcpt,
		         pick->action ? pick->action : "no action", id);
		free(rcpt);
		return 0;
	}
	/* the remote server's answer: status, diagnostic, where */
	if (asprintf(&answer, "%s%s%s%s%s%s", pick->status, pick->status[0] ? " " : "",
	             pick->diagnostic ? pick->diagnostic : (pick->action ? pick->action : ""),
	             pick->remote_mta ? " (" : "", pick->remote_mta ? pick->remote_mta : "",
	             pick->remote_mta ? ")" : "") < 0) {
		free(rcpt);
		return -ENOMEM;
	}
	r = store_outbox_bounced(db, id, v == DSN_PERMANENT, answer, now);
	if (r == 0 || r == -EALREADY || r == -EBUSY)
		snprintf(outcome, outlen, "bounce: %s %s (%s): outbox %" PRId64 " %s", rcpt, answer,
		         v == DSN_PERMANENT ? "permanent" : "delayed", id,
		         r == -EBUSY ? "is being sent, not changed"
		         : r == -EALREADY ? "already bounced, kept"
		         : v == DSN_PERMANENT ? "failed" : "recorded, not failed");
	free(rcpt);
	free(answer);
	return r == -EALREADY || r == -EBUSY ? 0 : r;
}

int dsn_handle(struct store *db, const char *bounce_address, const void *bytes, size_t len,
               const struct gr_letter *l, time_t now, char *outcome, size_t outlen)
{
	struct dsn_report d;
	int r;

	if (!l || l->invalid || !bytes || (!l->is_report && !l->automatic))
		return 0;
	r = dsn_parse(bytes, len, l, &d);
	if (r < 0)
		return r;
	if (d.shape)
		r = dsn_apply(db, bounce_address, &d, now, outcome, outlen);
	if (r == 0 && d.shape)
		r = 1;
	dsn_free(&d);
	return r;
}
