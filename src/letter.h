/* SPDX-License-Identifier: MIT */
/*
 * letter - one received mail (untrusted bytes from the internet) as a
 * struct gr_letter: its addresses, references, subject and date, its text
 * as plain UTF-8 without the quoted history and the signature, the list of
 * its attachments, and whether a machine sent it (auto-reply, bounce, list).
 *
 * Parsed with GMime; text/html (when there is no text/plain) becomes plain
 * text with libxml2's HTML parser (letter-text.c).  Every charset and
 * transfer encoding ends as UTF-8: an unknown charset is read as
 * windows-1252, invalid UTF-8 is replaced by U+FFFD, control characters
 * other than newline and tab are removed.
 *
 * Attachments are listed (name, type, decoded size), not kept: a topic is
 * its text; the chair finds the attachment in the mailbox (the inbound
 * source keeps every message in its done folder).  A calendar (text/calendar
 * or a .ics attachment) is kept as text for iMIP replies (issue 16).
 *
 * Caps (any bytes at all give a result, never a crash or a hang):
 *   LETTER_MAX_PARTS   MIME parts (leaves and containers) looked at
 *   LETTER_MAX_DEPTH   nesting of multiparts and attached messages
 *   LETTER_MAX_HEADER  one header field, unfolded, in bytes
 *   LETTER_MAX_TEXT    the text in bytes: longer is cut at a character
 *                      boundary and ends in LETTER_TRUNCATED
 * A message over the parts, depth or header caps is invalid (with its
 * reason); its top-level header fields are still read when they are within
 * the header cap, so the sender and Message-ID can be recorded.
 */
#ifndef GREMIUM_LETTER_H
#define GREMIUM_LETTER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define LETTER_MAX_PARTS 64
#define LETTER_MAX_DEPTH 8
#define LETTER_MAX_HEADER (16 * 1024)
#define LETTER_MAX_TEXT (64 * 1024)
#define LETTER_MAX_REFERENCES 64     /* References beyond: the newest kept */
#define LETTER_MAX_TITLE 200
/* How a cut text ends (counted in LETTER_MAX_TEXT). */
#define LETTER_TRUNCATED "\n[…]"

struct letter_attachment {
	char *name;              /* file name (UTF-8), "" when the part has none */
	char *type;              /* "type/subtype", lower case */
	size_t size;             /* decoded bytes */
};

struct gr_letter {
	char *invalid;           /* non-NULL: why it could not be parsed (then class invalid) */
	char *message_id;        /* without <>, or NULL */
	char *from, *from_name;  /* addr-spec (domain lower-cased) and display name (UTF-8) */
	char *reply_to, *sender, *return_path;  /* addr-specs or NULL; return_path "" for <> */
	char *in_reply_to;       /* msg-id without <>, or NULL */
	char **references;       /* msg-ids without <>, oldest first */
	size_t n_references;
	char *subject;           /* decoded UTF-8, "" if none */
	time_t date;             /* 0 if none/unparseable */
	char *text;              /* UTF-8 plain text: quoted history and signature
	                          * removed, trimmed; "" if none */
	struct letter_attachment *attachments;
	size_t n_attachments;
	const char *automatic;   /* static reason when an auto-reply/bounce/list mail
	                          * ("Auto-Submitted: auto-replied", "multipart/report",
	                          * "Return-Path: <>", "X-Autoreply", "Precedence: bulk",
	                          * "out-of-office subject"), NULL for a human */
	bool is_report;          /* multipart/report (a DSN or MDN) */
	char *calendar;          /* UTF-8 text of a text/calendar part or .ics
	                          * attachment, or NULL (issue 16) */
};

/*
 * Parse len bytes (need not be NUL-terminated) into *ret, which the caller
 * frees with letter_free() whatever the result.  Never fails on bad input:
 * then ret->invalid says why ("no header block: not a mail", "more than 64
 * MIME parts", ...) and what could be read is set.  0, or -ENOMEM (then
 * *ret is empty).  Calls mail_init(); not thread-safe before that.
 */
int letter_parse(const void *bytes, size_t len, struct gr_letter *ret);

/* Free what *l holds and zero it; NULL and a zeroed letter are fine. */
void letter_free(struct gr_letter *l);

/*
 * A topic's title from a letter: the subject without Re:/AW:/WG:/Fwd:
 * prefixes (repeated, any case, also "Re[2]:" and "[ext]"-style tags are
 * kept) and without our call's subject (call_subject may be NULL), else the
 * first line of the text, else the remaining subject; at most
 * LETTER_MAX_TITLE bytes of UTF-8 (cut at a character boundary), "" when
 * there is nothing.  NULL only when out of memory.  Caller frees.
 */
char *letter_title(const struct gr_letter *l, const char *call_subject);

/* s past its "Re:", "AW:", "WG:", "Fwd:", "Fw:", "Antw:" prefixes (any case,
 * also "Re[2]:"), as many as there are, and the blanks between.  Borrowed:
 * a pointer into s. */
const char *letter_skip_prefixes(const char *s);

/* ---- letter-text.c (used by letter.c; exported for the tests) ---- */

/* Plain text of an HTML document (UTF-8 in, UTF-8 out) without the quoted
 * history (blockquote type=cite, div.gmail_quote, Outlook's divRplyFwdMsg
 * and border-top separator, and all after it) and without signature blocks
 * (gmail_signature, moz-signature).  Not yet stripped as plain text.  NULL
 * only when out of memory. */
char *letter_html_text(const char *html, size_t len);

/* Remove from plain UTF-8 text (in place): lines quoted with '>', and all
 * from the first history marker on (Outlook's "-----Original Message-----"
 * and "Von:/Gesendet:" block, "Am … schrieb …:" / "On … wrote:"
 * attributions, a "-- " signature line); trailing blanks of every line,
 * runs of empty lines (one kept), and empty lines at both ends. */
void letter_strip_text(char *text);

/* Undo RFC 3676 format=flowed (soft line breaks, space-stuffing) in place. */
void letter_unflow(char *text, bool delsp);

#endif
