/* SPDX-License-Identifier: MIT */
/*
 * mail - one RFC 5322/MIME message as bytes, built with GMime.
 *
 * Invitations, updates and cancellations (iMIP, RFC 6047):
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=utf-8
 *       text/calendar; charset=UTF-8; method=M   (quoted-printable)
 *     application/ics; name=invite.ics            (attachment)
 * Reminders, calls for topics and tests: text/plain only (no REQUEST part).
 * Headers are encoded (RFC 2047) by GMime; no header injection is possible
 * whatever the strings contain (CR/LF are replaced before GMime sees them).
 */
#ifndef GREMIUM_MAIL_H
#define GREMIUM_MAIL_H

#include <stddef.h>
#include "model.h"

struct mail_spec {
	enum gr_kind kind;
	const struct gr_member *to;        /* recipient: To: with display name */
	const char *subject;               /* without the [short_name] prefix */
	const char *body;                  /* UTF-8 text */
	const char *ical;                  /* calendar text, or NULL */
	const char *ical_method;           /* "REQUEST"/"CANCEL"; NULL when no ical */
	const struct gr_localtime *occurrence; /* X-Gremium-Occurrence, or NULL */
	const char *message_id;            /* local part, stable per outbox entry */
	time_t date;                       /* Date: header */
	bool reply_to_topics;              /* Reply-To: topics_address */
	/* a reply to a received mail (topic-confirmation): In-Reply-To is
	 * in_reply_to, References the last MAIL_MAX_REFERENCES of references
	 * followed by in_reply_to (RFC 5322 §3.6.4).  Ids without "<>"; an id
	 * that is not a plain msg-id (a space, "<", ">", '"', a control or
	 * non-ASCII byte, no "@", longer than 250) is left out. */
	const char *in_reply_to;           /* or NULL */
	char *const *references;           /* may be NULL */
	size_t n_references;
};

/* At most this many References are carried over into a reply. */
#define MAIL_MAX_REFERENCES 20

/*
 * Render spec as a complete message with CRLF line endings, no line over
 * 998 octets.  Header values lose their control characters (each becomes a
 * space); names are cut at 200 bytes and the subject at 400.  Reply-To is
 * set only when reply_to_topics and cfg has a topics_address.  Returns 0
 * and *ret (malloc'ed, NUL-terminated, caller frees) and *ret_len, or
 * -EINVAL: a spec field missing; an address (recipient, organizer, topics)
 * or the domain with spaces, brackets or control characters; message_id
 * not a dot-atom; or the calendar not fitting the kind (invitation,
 * update and agenda need ical with METHOD:REQUEST and ical_method
 * "REQUEST", cancellation METHOD:CANCEL and "CANCEL", a reminder none or
 * a REQUEST, other kinds no ical) -- or
 * -ENOMEM.
 */
int mail_render(const struct gr_config *cfg, const struct mail_spec *spec,
                char **ret, size_t *ret_len);

/* RFC 5321 §4.5.3.1 and RFC 1035 §2.3.4 limits, in bytes. */
#define MAIL_MAX_ADDRESS 254    /* a path of 256 with its "<>" */
#define MAIL_MAX_LOCAL 64
#define MAIL_MAX_DOMAIN 253     /* 255 octets on the wire */
#define MAIL_MAX_LABEL 63

/*
 * Is addr a single plain address that GMime's parser accepts, at most
 * MAIL_MAX_ADDRESS bytes, a local part of 1..MAIL_MAX_LOCAL bytes and a
 * domain that mail_domain_check() accepts?  config asks this for every
 * address, and mail_render() asks it again: what `check` accepts renders.
 * Returns 0, or -EINVAL with a short reason in err (err may be NULL).
 */
int mail_address_check(const char *addr, char *err, size_t errlen);

/*
 * Is domain a domain name: 1..MAIL_MAX_DOMAIN bytes, with a dot, labels of
 * 1..MAIL_MAX_LABEL bytes, no control characters, spaces or RFC 5322
 * specials?  Returns 0, or -EINVAL with a reason in err (may be NULL).
 */
int mail_domain_check(const char *domain, char *err, size_t errlen);

/* Call once before using GMime (idempotent); mail_shutdown() at exit. */
void mail_init(void);
void mail_shutdown(void);

#endif
