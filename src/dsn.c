/* SPDX-License-Identifier: MIT */
/*
 * dsn.c - parsing delivery status notifications with GMime, see dsn.h.
 * (dsn-apply.c matches a parsed report to its outbox row.)
 *
 * GMime only runs on a mail letter_parse() accepted: its bounded scan of
 * the raw bytes (header sizes, number of Content-Type fields) is what
 * makes GMime's recursion safe, so an invalid letter is not parsed again.
 * The walk is bounded by LETTER_MAX_PARTS/LETTER_MAX_DEPTH; the fields of
 * a message/delivery-status part are read by hand (RFC 3464 §2.1: header
 * style fields in blocks, which GMime has no parser for), from at most
 * DSN_MAX_STATUS_BYTES.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "dsn.h"
#include "mail.h"

struct walk {
	struct dsn_report *d;
	int parts;
	char *text;             /* the first text/plain leaf (capped), for a text NDR */
	bool has_status;        /* a delivery-status part was seen */
};

/* ---- small helpers ---- */

/* A copy of n bytes as one printable line (controls become spaces,
 * runs of white space one space, trimmed), at most DSN_MAX_FIELD bytes. */
static char *one_line(const char *s, size_t n)
{
	char *r = malloc(DSN_MAX_FIELD + 1);
	size_t w = 0;

	if (!r)
		return NULL;
	for (size_t i = 0; i < n && w < DSN_MAX_FIELD; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == ' ' && (w == 0 || r[w - 1] == ' '))
			continue;
		r[w++] = (char)c;
	}
	while (w > 0 && r[w - 1] == ' ')
		w--;
	/* do not end inside a UTF-8 sequence */
	if (w == DSN_MAX_FIELD)
		while (w > 0 && ((unsigned char)r[w] & 0xc0) == 0x80)
			w--;
	r[w] = '\0';
	return r;
}

/* A field value without its "type;" prefix (RFC 3464: "rfc822; a@b",
 * "smtp; 550 ...", "dns; mx.example"). */
static const char *untyped(const char *v)
{
	const char *semi = strchr(v, ';');

	if (semi && (size_t)(semi - v) < 16 && !memchr(v, ' ', (size_t)(semi - v))) {
		v = semi + 1;
		while (*v == ' ')
			v++;
	}
	return v;
}

/* An address from a recipient field: untyped, without <>. */
static char *address_of(const char *v)
{
	const char *a = untyped(v);
	size_t n;

	if (*a == '<')
		a++;
	n = strcspn(a, "> ");
	return n ? one_line(a, n) : NULL;
}

/* A status "D.DDD.DDD" (RFC 3463) at s: its length, or 0. */
static size_t status_len(const char *s)
{
	size_t i = 0;

	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return 0;
	i = 1;
	for (int part = 0; part < 2; part++) {
		size_t digits = 0;

		if (s[i++] != '.')
			return 0;
		while (isdigit((unsigned char)s[i]) && digits < 3)
			i++, digits++;
		if (!digits)
			return 0;
	}
	return isdigit((unsigned char)s[i]) ? 0 : i;
}

static void set_status(struct dsn_recipient *r, const char *v)
{
	size_t n;

	while (*v == ' ')
		v++;
	n = status_len(v);
	if (n && n < sizeof(r->status))
		memcpy(r->status, v, n), r->status[n] = '\0';
}

static int add_recipient(struct dsn_report *d, struct dsn_recipient **ret)
{
	struct dsn_recipient *v;

	if (d->n_rcpt >= DSN_MAX_RECIPIENTS) {
		*ret = NULL;
		return 0;
	}
	v = realloc(d->rcpt, (d->n_rcpt + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->rcpt = v;
	*ret = memset(&v[d->n_rcpt++], 0, sizeof(*v));
	return 0;
}

/* ---- message/delivery-status ---- */

/* One field of a per-recipient block into r (NULL: a per-message field). */
static int status_field(struct dsn_recipient *r, const char *name, size_t nlen, const char *v)
{
	char **slot = NULL;
	char *x;

#define IS(s) (nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	if (!r)
		return 0;
	if (IS("Status")) {
		set_status(r, v);
		return 0;
	}
	if (IS("Final-Recipient") || IS("Original-Recipient")) {
		slot = IS("Final-Recipient") ? &r->recipient : &r->original;
		x = address_of(v);
	} else if (IS("Action")) {
		slot = &r->action;
		x = one_line(v, strcspn(v, " ;("));
		for (char *p = x; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else if (IS("Remote-MTA") || IS("Diagnostic-Code")) {
		slot = IS("Remote-MTA") ? &r->remote_mta : &r->diagnostic;
		x = one_line(untyped(v), strlen(untyped(v)));
	} else {
		return 0;
	}
#undef IS
	/* x NULL: an empty value (or no memory for one line: left out) */
	free(*slot);
	*slot = x;
	return 0;
}

/* Is this block a per-recipient one (has Final-Recipient or Action)? */
static bool recipient_block(const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if ((n >= 16 && strncasecmp(p, "Final-Recipient:", 16) == 0) ||
		    (n >= 7 && strncasecmp(p, "Action:", 7) == 0))
			return true;
		p += n + 1;
	}
	return false;
}

/* Parse the blocks of a delivery-status body (n bytes). */
static int parse_status(struct dsn_report *d, const char *s, size_t n)
{
	const char *p = s, *end = s + (n > DSN_MAX_STATUS_BYTES ? DSN_MAX_STATUS_BYTES : n);
	int r = 0;

	while (r == 0 && p < end) {
		/* a block: up to an empty line */
		const char *b = p, *bend = p;
		struct dsn_recipient *rc = NULL;

		while (bend < end) {
			const char *nl = memchr(bend, '\n', (size_t)(end - bend));
			const char *le = nl ? nl : end;
			bool empty = le == bend || (le == bend + 1 && *bend == '\r');

			if (empty && bend > b)
				break;
			bend = nl ? nl + 1 : end;
			if (empty)
				b = bend;       /* leading empty lines */
		}
		if (recipient_block(b, bend))
			r = add_recipient(d, &rc);
		/* its fields, continuation lines joined */
		for (const char *q = b; r == 0 && q < bend;) {
			const char *colon, *f = q;
			char *val;
			size_t vlen = 0;

			do {
				const char *nl = memchr(q, '\n', (size_t)(bend - q));

				q = nl ? nl + 1 : bend;
			} while (q < bend && (*q == ' ' || *q == '\t'));
			colon = memchr(f, ':', (size_t)(q - f));
			if (!colon || colon == f || *f == ' ' || *f == '\t')
				continue;
			vlen = (size_t)(q - colon - 1);
			val = one_line(colon + 1, vlen);
			if (!val)
				return -ENOMEM;
			r = status_field(rc, f, (size_t)(colon - f), val);
			free(val);
		}
		p = bend;
		while (p < end && (*p == '\r' || *p == '\n'))
			p++;
	}
	return r;
}

/* ---- the text of an NDR without a delivery-status part ---- */

/* Words of a non-delivery report in its subject or text (an auto-reply
 * with "4.1.25" in it is no bounce). */
static bool ndr_words(const char *subject, const char *text)
{
	static const char *const words[] = {
		"undeliver", "could not be delivered", "couldn't be delivered", "not be reached",
		"delivery has failed", "delivery failed", "failure notice", "returned mail",
		"permanent error", "unzustellbar", "nicht zugestellt", "konnte nicht zugestellt",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((subject && strcasestr(subject, words[i])) || strcasestr(text, words[i]))
			return true;
	return false;
}

/* The first status code in text that follows '#', a space or a line start,
 * and its line as the diagnostic: a recipient block, or none. */
static int parse_text(struct dsn_report *d, const char *subject, const char *text)
{
	struct dsn_recipient *rc;
	const char *p, *ls, *le;
	size_t n = 0;
	int r;

	if (!ndr_words(subject, text))
		return 0;
	for (p = text; *p; p++) {
		if ((p == text || strchr("# \t\n(<[", p[-1])) && (n = status_len(p)) != 0 &&
		    p[0] != '2')
			break;
	}
	if (!*p)
		return 0;
	r = add_recipient(d, &rc);
	if (r < 0 || !rc)
		return r;
	memcpy(rc->status, p, n);
	rc->status[n] = '\0';
	rc->action = strdup(p[0] == '5' ? "failed" : "delayed");
	for (ls = p; ls > text && ls[-1] != '\n'; ls--)
		;
	le = p + strcspn(p, "\n");
	rc->diagnostic = one_line(ls, (size_t)(le - ls));
	return rc->action && rc->diagnostic ? 0 : -ENOMEM;
}

/* A Message-ID from "Message-ID: <...>" lines quoted in a text (the first). */
static char *quoted_message_id(const char *text)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p, *lt, *gt;

		while (*q == ' ' || *q == '\t' || *q == '>')
			q++;
		if (strncasecmp(q, "Message-ID:", 11) != 0)
			continue;
		lt = strchr(q, '<');
		gt = lt ? strchr(lt, '>') : NULL;
		if (lt && gt && gt > lt + 1 && !memchr(lt, '\n', (size_t)(gt - lt)))
			return one_line(lt + 1, (size_t)(gt - lt - 1));
	}
	return NULL;
}

/* ---- the MIME walk ---- */

/* The decoded bytes of a leaf, at most max (NUL-terminated, caller frees). */
static char *leaf_bytes(GMimePart *part, size_t max, size_t *ret_len)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;
	char *r;

	*ret_len = 0;
	if (!dw)
		return strdup("");
	mem = g_mime_stream_mem_new();
	(void)g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*ret_len = ba && ba->len < max ? ba->len : (ba ? max : 0);
	r = malloc(*ret_len + 1);
	if (r) {
		if (*ret_len)
			memcpy(r, ba->data, *ret_len);
		r[*ret_len] = '\0';
	}
	g_object_unref(mem);
	return r;
}

/* The Message-ID of a header block or message given as bytes. */
static char *headers_message_id(const char *s, size_t n)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(s, n);
	GMimeParser *ps = g_mime_parser_new_with_stream(st);
	GMimeMessage *m;
	char *r = NULL;

	g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(ps, NULL);
	if (m && g_mime_message_get_message_id(m))
		r = one_line(g_mime_message_get_message_id(m), strlen(g_mime_message_get_message_id(m)));
	if (m)
		g_object_unref(m);
	g_object_unref(ps);
	g_object_unref(st);
	return r;
}

static bool is_type(GMimeObject *o, const char *type, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	return ct && g_mime_content_type_is_type(ct, type, sub);
}

static int leaf(struct walk *w, GMimeObject *o)
{
	struct dsn_report *d = w->d;
	size_t n;
	char *s;
	int r = 0;

	if (is_type(o, "message", "delivery-status") ||
	    is_type(o, "message", "global-delivery-status")) {
		s = leaf_bytes(GMIME_PART(o), DSN_MAX_STATUS_BYTES, &n);
		if (!s)
			return -ENOMEM;
		w->has_status = true;
		r = parse_status(d, s, n);
		free(s);
	} else if (is_type(o, "text", "rfc822-headers") && !d->original_message_id) {
		s = leaf_bytes(GMIME_PART(o), DSN_MAX_STATUS_BYTES, &n);
		if (!s)
			return -ENOMEM;
		d->original_message_id = headers_message_id(s, n);
		free(s);
	} else if (is_type(o, "text", "plain") && !w->text) {
		w->text = leaf_bytes(GMIME_PART(o), DSN_MAX_STATUS_BYTES, &n);
		if (!w->text)
			return -ENOMEM;
		/* NUL bytes end the text for the searches (C strings) */
	}
	return r;
}

static int walk(struct walk *w, GMimeObject *o, int depth)
{
	int r = 0;

	if (++w->parts > LETTER_MAX_PARTS || depth > LETTER_MAX_DEPTH)
		return 0;
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; r == 0 && i < n; i++)
			r = walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
		return r;
	}
	if (GMIME_IS_MESSAGE_PART(o) && is_type(o, "message", "delivery-status")) {
		/* should GMime take the status for a message: its bytes */
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		GMimeStream *mem = g_mime_stream_mem_new();
		GByteArray *ba;

		if (m)
			(void)g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, mem);
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		w->has_status = true;
		r = ba ? parse_status(w->d, (const char *)ba->data, ba->len) : 0;
		g_object_unref(mem);
		return r;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		/* the returned original (message/rfc822): its Message-ID only,
		 * its parts are not the report's */
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		const char *id = m ? g_mime_message_get_message_id(m) : NULL;

		if (id && !w->d->original_message_id &&
		    !(w->d->original_message_id = one_line(id, strlen(id))))
			return -ENOMEM;
		return 0;
	}
	if (GMIME_IS_PART(o))
		return leaf(w, o);
	return 0;
}

/* ---- the headers: VERP candidates ---- */

static int add_address(struct dsn_report *d, const char *a, size_t n)
{
	char **v;

	if (d->n_addresses >= DSN_MAX_ADDRESSES || n == 0 || n > 254 || !memchr(a, '+', n) ||
	    !memchr(a, '@', n))
		return 0;
	for (size_t i = 0; i < d->n_addresses; i++)
		if (strlen(d->addresses[i]) == n && strncasecmp(d->addresses[i], a, n) == 0)
			return 0;
	v = realloc(d->addresses, (d->n_addresses + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->addresses = v;
	v[d->n_addresses] = strndup(a, n);
	return v[d->n_addresses++] ? 0 : -ENOMEM;
}

static int read_addresses(struct dsn_report *d, GMimeMessage *m)
{
	static const char *const names[] = { "Delivered-To", "X-Original-To", "Envelope-To", "To",
	                                     "Cc" };
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	int count = hl ? g_mime_header_list_get_count(hl) : 0, r = 0;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		for (int i = 0; r == 0 && i < count; i++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
			const char *v = g_mime_header_get_value(h);

			if (!v || strcasecmp(g_mime_header_get_name(h), names[k]) != 0)
				continue;
			/* tokens between separators: addr-specs, names dropped by
			 * verp_parse() later */
			for (const char *p = v; r == 0 && *p;) {
				size_t n = strcspn(p, " \t\r\n,;<>\"()");

				r = add_address(d, p, n);
				p += n;
				p += *p != '\0';
			}
		}
	return r;
}

/* ---- the whole ---- */

int dsn_parse(const void *bytes, size_t len, const struct gr_letter *l, struct dsn_report *ret)
{
	struct dsn_report d = { 0 };
	struct walk w = { .d = &d };
	GMimeStream *st;
	GMimeParser *ps;
	GMimeMessage *m;
	int r = 0;

	if (l->invalid || !bytes) {
		*ret = d;
		return 0;
	}
	mail_init();
	st = g_mime_stream_mem_new_with_buffer(bytes, len);
	ps = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(ps, NULL);
	g_object_unref(ps);
	g_object_unref(st);
	if (m) {
		r = read_addresses(&d, m);
		if (r == 0 && g_mime_message_get_mime_part(m))
			r = walk(&w, g_mime_message_get_mime_part(m), 0);
		g_object_unref(m);
	}
	if (r == 0 && w.has_status)
		d.shape = "delivery-status";
	else if (r == 0 && l->automatic && w.text) {
		/* an NDR in words (older Exchange, qmail, ...): only when a
		 * machine sent it, and only with a status code in it */
		r = parse_text(&d, l->subject, w.text);
		if (r == 0 && d.n_rcpt)
			d.shape = "text";
	}
	if (r == 0 && d.shape && !d.original_message_id && w.text)
		d.original_message_id = quoted_message_id(w.text);
	free(w.text);
	if (r < 0) {
		dsn_free(&d);
		return r;
	}
	*ret = d;
	return 0;
}

void dsn_free(struct dsn_report *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_rcpt; i++) {
		free(d->rcpt[i].recipient);
		free(d->rcpt[i].original);
		free(d->rcpt[i].action);
		free(d->rcpt[i].remote_mta);
		free(d->rcpt[i].diagnostic);
	}
	free(d->rcpt);
	for (size_t i = 0; i < d->n_addresses; i++)
		free(d->addresses[i]);
	free(d->addresses);
	free(d->original_message_id);
	memset(d, 0, sizeof(*d));
}
