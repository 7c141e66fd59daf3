/* SPDX-License-Identifier: MIT */
/*
 * inbound - read the committee's mailbox (DESIGN.md, phase 2): one pass
 * hands every message that is not yet done to the caller, which records
 * it; then the source marks it done.  Two sources, like transport:
 *
 *   IMAP     libcurl, imaps:// or imap:// with STARTTLS required,
 *            certificates always verified (curlsetup.h).  Messages are
 *            known by UID under the mailbox's UIDVALIDITY, never by \Seen
 *            (people change flags); done = UID MOVE to done_folder (created
 *            when missing), or UID COPY + \Deleted + UID EXPUNGE on a server
 *            without MOVE (RFC 6851).
 *   maildir  new/ and the entries of cur/ without the S (seen) flag; done
 *            = renamed into cur/ with ":2,S" (cr.yp.to/proto/maildir.html).
 *
 * Exactly once: the caller's seen() says whether a source_id is recorded;
 * a message recorded in an earlier pass that was not marked done (a crash
 * in between) is only marked done now.  If UIDVALIDITY changes, the ids
 * change too, but every recorded message has been moved out already and
 * the caller also de-duplicates by Message-ID.
 */
#ifndef GREMIUM_INBOUND_H
#define GREMIUM_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

#define INBOUND_MAX_PER_PASS 1000
#define INBOUND_SOURCE_ID_MAX 300

/* One message handed to the caller (all borrowed for the call). */
struct inbound_msg {
	const char *source_id;  /* stable key: "imap:<UIDVALIDITY>:<UID>" or
	                         * "maildir:<unique part of the file name>" */
	const void *bytes;      /* the whole message; NULL when too_large */
	size_t len;
	size_t size;            /* the size the server/file reports */
	bool too_large;         /* size > max_message_kb: not fetched */
};

/* Has the caller already recorded source_id?  1 yes, 0 no, <0 error (the
 * pass stops with that error). */
typedef int (*inbound_seen_fn)(void *userdata, const char *source_id);

/* Record m durably.  0: recorded, the source then marks the message done;
 * <0: not recorded, left as it is, the pass stops with that error. */
typedef int (*inbound_take_fn)(void *userdata, const struct inbound_msg *m);

struct inbound_stats {
	unsigned new_msgs;      /* handed to take() (too_large ones included) */
	unsigned already_seen;  /* recorded before: only marked done */
	unsigned too_large;     /* of new_msgs: handed over without bytes */
};

/*
 * One pass over cfg's source (IMAP: password as inbound_password() read
 * it, NULL without username).  At most INBOUND_MAX_PER_PASS messages, in
 * the order of their UIDs (maildir: of the file names, which begin with
 * the delivery time).  *stats (may be
 * NULL) counts what happened, also when the pass stops early.  Returns 0,
 * or a negative errno with a one-line reason in err: "login failed: ...",
 * "certificate verification failed: ...", "server does not offer
 * STARTTLS: ...", "TLS handshake failed: ...", "connection dropped: ...",
 * or seen()'s/take()'s error ("stopped by the caller").  What was not
 * marked done is met again by the next pass.
 */
int inbound_pass(const struct gr_inbound *cfg, const char *password, inbound_seen_fn seen,
                 inbound_take_fn take, void *userdata, struct inbound_stats *stats, char *err,
                 size_t errlen);

/* The inbound password as configured (password_file, or the systemd
 * credential password_credential; curlsetup_password()): 0 and *ret
 * (caller frees), or a negative errno and a one-line reason in err. */
int inbound_password(const struct gr_inbound *cfg, char **ret, char *err, size_t errlen);

/* ---- pure parts, for the tests ---- */

/* The UIDVALIDITY of a SELECT/EXAMINE response line ("* OK [UIDVALIDITY
 * n] ..."): 0 and *ret, or -ENOENT (another line), -EINVAL (malformed). */
int inbound_parse_uidvalidity(const char *line, size_t len, uint32_t *ret);

/*
 * The UIDs of an untagged SEARCH response ("* SEARCH 4 7 9", RFC 3501
 * §7.2.5; several lines allowed) in resp: sorted, de-duplicated, the
 * lowest max of them into uids.  Returns how many (0..max), or -EINVAL
 * (a number that is no UID).  Other untagged lines are ignored.
 */
int inbound_parse_search(const char *resp, size_t len, uint32_t *uids, size_t max);

/* RFC822.SIZE of UID uid in a FETCH response ("* 3 FETCH (UID 7
 * RFC822.SIZE 1234)", items in any order): 0 and *ret, -ENOENT (no such
 * message: expunged meanwhile), -EINVAL (malformed). */
int inbound_parse_size(const char *resp, size_t len, uint32_t uid, uint64_t *ret);

/* Does a CAPABILITY response (untagged "* CAPABILITY ..." lines) list
 * cap (case-insensitive, a whole word)? */
bool inbound_parse_capability(const char *resp, size_t len, const char *cap);

/* Does a LIST response hold an untagged "* LIST" line (the folder exists)? */
bool inbound_parse_list(const char *resp, size_t len);

/*
 * Maildir names: the unique part of a file name (before ":"), into buf;
 * 0, or -EINVAL for a name that is no message (empty, dot file, control
 * characters, too long).  *ret_seen tells whether its info ":2,FLAGS"
 * holds S.
 */
int inbound_maildir_unique(const char *name, char *buf, size_t len, bool *ret_seen);

/* The name in cur/ for a done message: name with S added to its ":2,"
 * flags (kept in ASCII order), or ":2,S" appended.  0, or -ENAMETOOLONG. */
int inbound_maildir_done_name(const char *name, char *buf, size_t len);

#endif
