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
};

/*
 * Render spec as a complete message with CRLF line endings, no line over
 * 998 octets.  Header values lose their control characters (each becomes a
 * space); names are cut at 200 bytes and the subject at 400.  Reply-To is
 * set only when reply_to_topics and cfg has a topics_address.  Returns 0
 * and *ret (malloc'ed, NUL-terminated, caller frees) and *ret_len, or
 * -EINVAL: a spec field missing; an address (recipient, organizer, topics)
 * or the domain with spaces, brackets or control characters; message_id
 * not a dot-atom; or the calendar not fitting the kind (invitation and
 * update need ical with METHOD:REQUEST and ical_method "REQUEST",
 * cancellation METHOD:CANCEL and "CANCEL", other kinds no ical) -- or
 * -ENOMEM.
 */
int mail_render(const struct gr_config *cfg, const struct mail_spec *spec,
                char **ret, size_t *ret_len);

/*
 * Is addr a single plain address that GMime's parser accepts, with a
 * non-empty local part and a domain containing a dot?  Returns 0, or -EINVAL
 * with a short reason in err.
 */
int mail_address_check(const char *addr, char *err, size_t errlen);

/* The X-Gremium-Kind value of kind ("invitation", "topic-call", ...). */
const char *mail_kind_str(enum gr_kind kind);

/* Call once before using GMime (idempotent); mail_shutdown() at exit. */
void mail_init(void);
void mail_shutdown(void);

#endif
