/* SPDX-License-Identifier: MIT */
/*
 * letter - one received mail parsed with GMime.  See letter.h.
 *
 * Order of the work: a scan of the raw bytes first (is there a header
 * block at all, is a header field within LETTER_MAX_HEADER, how many
 * Content-Type fields are there), because GMime recurses once per nested
 * multipart and keeps any header line whole; then GMime's parser; then a
 * bounded walk over the MIME tree that picks the text, lists attachments
 * and keeps the calendar.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "letter.h"
#include "mail.h"

/* Raw (decoded) bytes of a text part read at most; beyond, the text is cut
 * (and marked).  The HTML gets more: most of its bytes are markup. */
#define LETTER_MAX_RAW_PLAIN (1024 * 1024)
#define LETTER_MAX_RAW_HTML (4 * 1024 * 1024)
#define LETTER_MAX_CALENDAR (1024 * 1024)
/* More Content-Type fields than this in the raw bytes: more parts than
 * LETTER_MAX_PARTS for sure (with room for quoted ones in texts), and the
 * bound on GMime's recursion. */
#define LETTER_MAX_CONTENT_TYPES (4 * LETTER_MAX_PARTS)
#define LETTER_MAX_FIELDS 1000

/* ---- small helpers ---- */

/* A malloc'ed copy of n bytes of s as valid UTF-8 (invalid sequences become
 * U+FFFD) without control characters; multiline keeps '\n' and '\t' (a
 * single line turns tabs and newlines into spaces). */
static char *clean_utf8(const char *s, size_t n, bool multiline)
{
	gchar *valid;
	size_t vlen, w = 0;
	char *r;

	if (!s || n == 0)
		return strdup("");
	if (memchr(s, '\0', n)) {
		/* NUL bytes go like every control character, and first, since
		 * the UTF-8 repair's result is a C string */
		char *nonul = malloc(n), *w2 = nonul;

		if (!nonul)
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (s[i])
				*w2++ = s[i];
		r = clean_utf8(nonul, (size_t)(w2 - nonul), multiline);
		free(nonul);
		return r;
	}
	valid = g_utf8_make_valid(s, (gssize)n);
	vlen = strlen(valid);
	r = malloc(vlen + 1);
	if (!r) {
		g_free(valid);
		return NULL;
	}
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)valid[i];

		if (c == '\n' || c == '\t') {
			r[w++] = multiline ? (char)c : ' ';
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		/* C1 controls U+0080..U+009F (0xC2 0x80..0x9F) */
		if (c == 0xc2 && i + 1 < vlen && (unsigned char)valid[i + 1] >= 0x80 &&
		    (unsigned char)valid[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		r[w++] = (char)c;
	}
	r[w] = '\0';
	g_free(valid);
	return r;
}

static int set_str(char **dst, const char *s, bool multiline)
{
	if (!s)
		return 0;
	*dst = clean_utf8(s, strlen(s), multiline);
	return *dst ? 0 : -ENOMEM;
}

static bool is_utf8_name(const char *cs)
{
	return !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8");
}

/* iconv from charset to UTF-8; a byte that does not convert becomes U+FFFD.
 * *ret_len: the bytes out (the text may hold NULs, e.g. from UTF-16). */
static char *iconv_utf8(iconv_t cd, const char *in, size_t n, size_t *ret_len)
{
	size_t cap = n * 2 + 16, used = 0;
	char *out = malloc(cap);
	bool full = false;

	if (!out)
		return NULL;
	while (n > 0) {
		char *ip, *op;
		size_t left, r;

		/* room for some output, U+FFFD and the NUL: after a U+FFFD
		 * written at the very end, cap - used can be below 4 */
		if (full || cap - used < 16) {
			char *p = realloc(out, cap * 2);

			if (!p) {
				free(out);
				return NULL;
			}
			out = p, cap *= 2;
			full = false;
		}
		ip = (char *)in, op = out + used;
		left = cap - used - 4;
		r = iconv(cd, &ip, &n, &op, &left);
		used = (size_t)(op - out);
		in = ip;
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			full = true;
			continue;
		}
		/* EILSEQ, EINVAL (cut at the end): one byte lost, marked */
		memcpy(out + used, "\xef\xbf\xbd", 3);
		used += 3;
		in++, n--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	out[used] = '\0';
	*ret_len = used;
	return out;
}

/* g_utf8_validate() calls a NUL invalid; here NULs are removed later */
static bool utf8_valid_with_nuls(const char *s, size_t n)
{
	while (n > 0) {
		const char *z = memchr(s, '\0', n);
		size_t k = z ? (size_t)(z - s) : n;

		if (!g_utf8_validate(s, (gssize)k, NULL))
			return false;
		s += k + (z ? 1 : 0);
		n -= k + (z ? 1 : 0);
	}
	return true;
}

/* n bytes in charset (NULL: not said) as clean UTF-8.  Unsaid or ASCII and
 * not valid UTF-8: windows-1252 (what unlabelled 8-bit mail mostly is);
 * an unknown charset: windows-1252 too; declared UTF-8: invalid bytes
 * replaced. */
static char *to_utf8(const char *in, size_t n, const char *charset)
{
	iconv_t cd;
	char *conv, *r;
	size_t clen;

	if (!charset || !strcasecmp(charset, "us-ascii") || !strcasecmp(charset, "ascii") ||
	    is_utf8_name(charset)) {
		if (charset && is_utf8_name(charset))
			return clean_utf8(in, n, true);
		if (utf8_valid_with_nuls(in, n))
			return clean_utf8(in, n, true);
		charset = "windows-1252";
	}
	cd = g_mime_iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		cd = g_mime_iconv_open("UTF-8", "windows-1252");
	if (cd == (iconv_t)-1)
		return clean_utf8(in, n, true);
	conv = iconv_utf8(cd, in, n, &clen);
	g_mime_iconv_close(cd);
	if (!conv)
		return NULL;
	r = clean_utf8(conv, clen, true);
	free(conv);
	return r;
}

/* The decoded content of a leaf part (transfer encoding undone). */
static GByteArray *part_bytes(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;

	if (!dw)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	(void)g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return ba;
}

static size_t part_size(GMimeObject *o)
{
	GMimeStream *ns = g_mime_stream_null_new();
	size_t n;

	if (GMIME_IS_PART(o)) {
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));

		if (dw)
			(void)g_mime_data_wrapper_write_to_stream(dw, ns);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));

		if (m)
			(void)g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, ns);
	}
	n = GMIME_STREAM_NULL(ns)->written;
	g_object_unref(ns);
	return n;
}

/* A leaf's text as clean UTF-8, at most max decoded bytes (*cut then). */
static char *part_text(GMimePart *part, size_t max, bool *cut)
{
	GByteArray *ba = part_bytes(part);
	const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	size_t n;
	char *r;

	if (!ba)
		return strdup("");
	n = ba->len;
	if (n > max) {
		n = max;
		*cut = true;
	}
	r = to_utf8((const char *)ba->data, n, cs);
	g_byte_array_unref(ba);
	/* CRLF to LF: clean_utf8 dropped every CR (a control character) */
	return r;
}

/* ---- the raw scan ---- */

/* A header field's name: printable ASCII but ':', then optional blanks
 * and ':' (RFC 5322 §2.2, with the obsolete blanks of §4.5). */
static bool field_start(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':';
}

struct scan {
	size_t header_end;       /* bytes of the top header block with its blank line */
	const char *invalid;     /* why not, or NULL */
	bool parse_headers_only; /* invalid for the body: read the header block alone */
	char why[96];
};

static void scan_headers(const char *p, size_t len, struct scan *s)
{
	size_t off = 0, field = 0, fields = 0;

	while (off < len) {
		const char *nl = memchr(p + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (p + off)) : len - off;
		const char *line = p + off;
		size_t eff = n && line[n - 1] == '\r' ? n - 1 : n;

		if (eff == 0) {
			off += n + (nl ? 1 : 0);
			break;
		}
		if ((line[0] == ' ' || line[0] == '\t') && fields > 0) {
			field += eff;
		} else if (field_start(line, eff)) {
			field = eff;
			fields++;
		} else {
			break;     /* not a header line: the body starts (GMime agrees) */
		}
		if (field > LETTER_MAX_HEADER) {
			snprintf(s->why, sizeof(s->why), "a header field of more than %d bytes",
			         LETTER_MAX_HEADER);
			s->invalid = s->why;
			return;
		}
		if (fields > LETTER_MAX_FIELDS) {
			snprintf(s->why, sizeof(s->why), "more than %d header fields",
			         LETTER_MAX_FIELDS);
			s->invalid = s->why;
			return;
		}
		off += n + (nl ? 1 : 0);
	}
	if (fields == 0) {
		s->invalid = "no header block: not a mail";
		return;
	}
	s->header_end = off;
}

/* Content-Type fields at the start of a line, anywhere after the header. */
static size_t count_content_types(const char *p, size_t len, size_t from)
{
	static const char ct[] = "content-type:";
	size_t count = 0;

	for (size_t off = from; off + sizeof(ct) - 1 <= len; ) {
		const char *nl;

		if ((p[off] == 'c' || p[off] == 'C') &&
		    strncasecmp(p + off, ct, sizeof(ct) - 1) == 0)
			count++;
		nl = memchr(p + off, '\n', len - off);
		if (!nl)
			break;
		off = (size_t)(nl - p) + 1;
	}
	return count;
}

static void scan(const char *p, size_t len, struct scan *s)
{
	memset(s, 0, sizeof(*s));
	if (len == 0) {
		s->invalid = "empty message";
		return;
	}
	scan_headers(p, len, s);
	if (s->invalid)
		return;
	if (count_content_types(p, len, s->header_end) > LETTER_MAX_CONTENT_TYPES) {
		snprintf(s->why, sizeof(s->why), "more than %d MIME parts", LETTER_MAX_PARTS);
		s->invalid = s->why;
		s->parse_headers_only = true;
	}
}

/* ---- headers ---- */

static InternetAddressMailbox *first_mailbox(InternetAddressList *list)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			return INTERNET_ADDRESS_MAILBOX(ia);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressList *m = internet_address_group_get_members(
				INTERNET_ADDRESS_GROUP(ia));

			for (int k = 0; m && k < internet_address_list_length(m); k++) {
				ia = internet_address_list_get_address(m, k);
				if (INTERNET_ADDRESS_IS_MAILBOX(ia))
					return INTERNET_ADDRESS_MAILBOX(ia);
			}
		}
	}
	return NULL;
}

/* addr-spec with its domain in lower case (the local part is the
 * receiving system's business, RFC 5321 §2.4); NULL if empty */
static int set_addr(char **dst, InternetAddressMailbox *mb)
{
	const char *a = mb ? internet_address_mailbox_get_addr(mb) : NULL;
	char *at;
	int r;

	if (!a || !*a)
		return 0;
	r = set_str(dst, a, false);
	if (r < 0)
		return r;
	at = strrchr(*dst, '@');
	for (char *c = at; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return 0;
}

static int read_addresses(GMimeMessage *m, GMimeParserOptions *opts, struct gr_letter *l)
{
	InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(m));
	const char *rp = g_mime_object_get_header(GMIME_OBJECT(m), "Return-Path");
	int r = 0;

	if (from) {
		const char *name = internet_address_get_name(INTERNET_ADDRESS(from));

		r = set_addr(&l->from, from);
		if (r == 0 && name && *name)
			r = set_str(&l->from_name, name, false);
	}
	if (r == 0)
		r = set_addr(&l->reply_to, first_mailbox(g_mime_message_get_reply_to(m)));
	if (r == 0)
		r = set_addr(&l->sender, first_mailbox(g_mime_message_get_sender(m)));
	if (r == 0 && rp) {
		InternetAddressList *list;
		const char *s = rp + strspn(rp, " \t\r\n");

		if (*s == '<' && s[1 + strspn(s + 1, " \t")] == '>')
			return (l->return_path = strdup("")) ? 0 : -ENOMEM;
		list = internet_address_list_parse(opts, s);
		r = set_addr(&l->return_path, first_mailbox(list));
		if (list)
			g_object_unref(list);
	}
	return r;
}

/* msg-ids of a header (In-Reply-To, References), without <> */
static GMimeReferences *header_refs(GMimeMessage *m, GMimeParserOptions *opts,
                                    const char *name)
{
	const char *v = g_mime_object_get_header(GMIME_OBJECT(m), name);

	return v ? g_mime_references_parse(opts, v) : NULL;
}

static int read_ids(GMimeMessage *m, GMimeParserOptions *opts, struct gr_letter *l)
{
	GMimeReferences *irt = header_refs(m, opts, "In-Reply-To");
	GMimeReferences *refs = header_refs(m, opts, "References");
	int n = refs ? g_mime_references_length(refs) : 0, first;
	int r = set_str(&l->message_id, g_mime_message_get_message_id(m), false);

	if (r == 0 && irt && g_mime_references_length(irt) > 0)
		r = set_str(&l->in_reply_to, g_mime_references_get_message_id(irt, 0), false);
	first = n > LETTER_MAX_REFERENCES ? n - LETTER_MAX_REFERENCES : 0;
	if (r == 0 && n > first) {
		l->references = calloc((size_t)(n - first), sizeof(char *));
		if (!l->references)
			r = -ENOMEM;
	}
	for (int i = first; r == 0 && i < n; i++) {
		r = set_str(&l->references[l->n_references],
		            g_mime_references_get_message_id(refs, i), false);
		if (r == 0)
			l->n_references++;
	}
	if (irt)
		g_mime_references_free(irt);
	if (refs)
		g_mime_references_free(refs);
	return r;
}

static int read_headers(GMimeMessage *m, GMimeParserOptions *opts, struct gr_letter *l)
{
	const char *subject = g_mime_message_get_subject(m);
	GDateTime *date = g_mime_message_get_date(m);
	int r;

	r = read_addresses(m, opts, l);
	if (r == 0)
		r = read_ids(m, opts, l);
	if (r == 0)
		r = set_str(&l->subject, subject ? subject : "", false);
	if (date)
		l->date = (time_t)g_date_time_to_unix(date);
	return r;
}

/* ---- automatic mail ---- */

static bool value_is(const char *v, const char *word)
{
	size_t n;

	v += strspn(v, " \t");
	n = strlen(word);
	return strncasecmp(v, word, n) == 0 &&
	       (v[n] == '\0' || v[n] == ' ' || v[n] == '\t' || v[n] == ';' || v[n] == '\r' ||
	        v[n] == '\n' || v[n] == '(');
}

/* What out-of-office notes put before the original subject (after any
 * Re:/AW:), followed by ':' or nothing: "Automatische Antwort: …" (Outlook,
 * German), "Automatic reply: …", "Out of Office AutoReply: …" (old
 * Outlook), "Abwesenheitsnotiz: …" (Lotus/HCL Notes). */
static const char *const ooo_subjects[] = {
	"Automatische Antwort", "Abwesenheitsnotiz", "Abwesenheit", "Abwesend",
	"Urlaubsabwesenheit", "Out of Office", "Out of Office AutoReply", "Out-of-Office",
	"Out of the Office", "Autoreply", "Auto-Reply", "Auto Reply", "Automatic reply",
	"Automatic response", "Auto Response", NULL,
};

static bool ooo_subject(const char *subject)
{
	const char *s = letter_skip_prefixes(subject);

	for (const char *const *p = ooo_subjects; *p; p++) {
		size_t k = strlen(*p);

		if (strncasecmp(s, *p, k) == 0 && (s[k + strspn(s + k, " ")] == ':' ||
		                                   s[k + strspn(s + k, " ")] == '\0'))
			return true;
	}
	return false;
}

static const char *automatic(GMimeMessage *m, const struct gr_letter *l)
{
	static const struct { const char *value, *reason; } precedence[] = {
		{ "auto_reply", "Precedence: auto_reply" }, { "bulk", "Precedence: bulk" },
		{ "junk", "Precedence: junk" }, { "list", "Precedence: list" },
	};
	GMimeObject *o = GMIME_OBJECT(m);
	const char *v = g_mime_object_get_header(o, "Auto-Submitted");

	if (l->is_report)
		return "multipart/report";   /* a DSN or MDN: the most precise reason */
	/* RFC 3834 §5: any value but "no" */
	if (v && !value_is(v, "no")) {
		if (value_is(v, "auto-replied"))
			return "Auto-Submitted: auto-replied";
		if (value_is(v, "auto-generated"))
			return "Auto-Submitted: auto-generated";
		if (value_is(v, "auto-notified"))
			return "Auto-Submitted: auto-notified";
		return "Auto-Submitted";
	}
	if (l->return_path && !*l->return_path)
		return "Return-Path: <>";
	if (g_mime_object_get_header(o, "X-Autoreply"))
		return "X-Autoreply";
	if (g_mime_object_get_header(o, "X-Autorespond"))
		return "X-Autorespond";
	v = g_mime_object_get_header(o, "Precedence");
	for (size_t i = 0; v && i < sizeof(precedence) / sizeof(precedence[0]); i++)
		if (value_is(v, precedence[i].value))
			return precedence[i].reason;
	if (ooo_subject(l->subject ? l->subject : ""))
		return "out-of-office subject";
	return NULL;
}

/* ---- the MIME tree ---- */

struct walk {
	struct gr_letter *l;
	int parts;
	bool too_many, too_deep, oom;
	GMimePart *plain, *html;
	size_t cap_attachments;
};

static char *lower_type(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	char *t = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	char *r = t ? clean_utf8(t, strlen(t), false) : NULL;

	g_free(t);
	for (char *c = r; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return r;
}

static int add_attachment(struct walk *w, GMimeObject *o, const char *type)
{
	struct gr_letter *l = w->l;
	const char *name = GMIME_IS_PART(o) ? g_mime_part_get_filename(GMIME_PART(o)) : NULL;
	struct letter_attachment *a;

	if (l->n_attachments == w->cap_attachments) {
		size_t cap = w->cap_attachments ? w->cap_attachments * 2 : 4;

		a = realloc(l->attachments, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		l->attachments = a, w->cap_attachments = cap;
	}
	a = &l->attachments[l->n_attachments];
	memset(a, 0, sizeof(*a));
	a->name = clean_utf8(name ? name : "", name ? strlen(name) : 0, false);
	a->type = strdup(type);
	a->size = part_size(o);
	l->n_attachments++;
	return a->name && a->type ? 0 : -ENOMEM;
}

static bool ends_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int leaf(struct walk *w, GMimePart *part)
{
	GMimeObject *o = GMIME_OBJECT(part);
	const char *name = g_mime_part_get_filename(part);
	bool attached = g_mime_part_is_attachment(part) || (name && *name);
	char *type = lower_type(o);
	bool cal;
	int r = 0;

	if (!type)
		return -ENOMEM;
	cal = !strcmp(type, "text/calendar") || !strcmp(type, "application/ics") ||
	      (name && ends_ci(name, ".ics"));
	if (cal && !w->l->calendar) {
		bool cut = false;

		w->l->calendar = part_text(part, LETTER_MAX_CALENDAR, &cut);
		if (!w->l->calendar)
			r = -ENOMEM;
	}
	if (r == 0 && !attached && !strcmp(type, "text/plain") && !w->plain)
		w->plain = part;
	else if (r == 0 && !attached && !strcmp(type, "text/html") && !w->html)
		w->html = part;
	else if (r == 0 && !(cal && !attached))
		r = add_attachment(w, o, type);
	free(type);
	return r;
}

static int walk(struct walk *w, GMimeObject *o, int depth)
{
	int r = 0;

	if (++w->parts > LETTER_MAX_PARTS) {
		w->too_many = true;
		return 0;
	}
	if (depth > LETTER_MAX_DEPTH) {
		w->too_deep = true;
		return 0;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(mp);

		if (depth == 0) {
			GMimeContentType *ct = g_mime_object_get_content_type(o);

			w->l->is_report = ct && g_mime_content_type_is_type(ct, "multipart", "report");
		}
		for (int i = 0; r == 0 && i < n && !w->too_many && !w->too_deep; i++)
			r = walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
		return r;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		/* an attached message (a bounce's copy, a forward as a file):
		 * listed, its text is not this letter's */
		char *type = lower_type(o);

		if (!type)
			return -ENOMEM;
		r = add_attachment(w, o, type);
		free(type);
		return r;
	}
	if (GMIME_IS_PART(o))
		return leaf(w, GMIME_PART(o));
	return 0;
}

/* ---- the text ---- */

/* Cut text to LETTER_MAX_TEXT with the mark (at a character boundary). */
static void cap_text(char *text, bool cut)
{
	size_t n = strlen(text), room = LETTER_MAX_TEXT - strlen(LETTER_TRUNCATED);

	if (n <= LETTER_MAX_TEXT && !cut)
		return;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	/* the buffer holds at least n + the mark: either it was longer than
	 * LETTER_MAX_TEXT, or the caller made room; an empty text gets the
	 * mark without its line break */
	if (n == 0)
		memcpy(text, LETTER_TRUNCATED + 1, sizeof(LETTER_TRUNCATED) - 1);
	else
		memcpy(text + n, LETTER_TRUNCATED, sizeof(LETTER_TRUNCATED));
}

static int make_text(struct walk *w)
{
	struct gr_letter *l = w->l;
	bool cut = false;
	char *t, *r;

	if (w->plain) {
		const char *fmt = g_mime_object_get_content_type_parameter(GMIME_OBJECT(w->plain),
		                                                           "format");
		const char *delsp = g_mime_object_get_content_type_parameter(GMIME_OBJECT(w->plain),
		                                                             "delsp");

		t = part_text(w->plain, LETTER_MAX_RAW_PLAIN, &cut);
		if (t && fmt && !strcasecmp(fmt, "flowed"))
			letter_unflow(t, delsp && !strcasecmp(delsp, "yes"));
	} else if (w->html) {
		char *html = part_text(w->html, LETTER_MAX_RAW_HTML, &cut);

		t = html ? letter_html_text(html, strlen(html)) : NULL;
		free(html);
	} else {
		t = strdup("");
	}
	if (!t)
		return -ENOMEM;
	letter_strip_text(t);
	/* room for the mark when the raw text was cut */
	r = realloc(t, strlen(t) + sizeof(LETTER_TRUNCATED));
	if (!r) {
		free(t);
		return -ENOMEM;
	}
	cap_text(r, cut);
	l->text = r;
	return 0;
}

/* ---- the whole ---- */

static GMimeMessage *gmime_parse(const char *p, size_t len, GMimeParserOptions *opts)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(p, len);
	GMimeParser *ps = g_mime_parser_new_with_stream(st);
	GMimeMessage *m;

	g_mime_parser_set_format(ps, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(ps, opts);
	g_object_unref(ps);
	g_object_unref(st);
	return m;
}

static GMimeParserOptions *parser_options(void)
{
	static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	GMimeParserOptions *o = g_mime_parser_options_new();

	g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(o, fallback);
	return o;
}

static int set_invalid(struct gr_letter *l, const char *why)
{
	if (l->invalid)
		return 0;
	l->invalid = strdup(why);
	return l->invalid ? 0 : -ENOMEM;
}

static int parse_message(GMimeMessage *m, GMimeParserOptions *opts, bool body,
                         struct gr_letter *l)
{
	struct walk w = { .l = l };
	GMimeObject *top = g_mime_message_get_mime_part(m);
	int r = read_headers(m, opts, l);

	if (r == 0 && body && top)
		r = walk(&w, top, 0);
	if (r == 0 && w.too_many)
		r = set_invalid(l, "more than " G_STRINGIFY(LETTER_MAX_PARTS) " MIME parts");
	if (r == 0 && w.too_deep)
		r = set_invalid(l, "MIME parts nested deeper than " G_STRINGIFY(LETTER_MAX_DEPTH));
	if (r == 0)
		r = make_text(&w);
	if (r == 0)
		l->automatic = automatic(m, l);
	return r;
}

int letter_parse(const void *bytes, size_t len, struct gr_letter *ret)
{
	struct gr_letter l = { 0 };
	GMimeParserOptions *opts;
	GMimeMessage *m = NULL;
	struct scan s;
	int r = 0;

	mail_init();
	scan(bytes, len, &s);
	if (s.invalid)
		r = set_invalid(&l, s.invalid);
	if (r == 0 && (!s.invalid || s.parse_headers_only)) {
		opts = parser_options();
		m = gmime_parse(bytes, s.invalid ? s.header_end : len, opts);
		if (m)
			r = parse_message(m, opts, !s.invalid, &l);
		else
			r = set_invalid(&l, "no header block: not a mail");
		if (m)
			g_object_unref(m);
		g_mime_parser_options_free(opts);
	}
	if (r == 0 && !l.subject)
		r = (l.subject = strdup("")) ? 0 : -ENOMEM;
	if (r == 0 && !l.text)
		r = (l.text = strdup("")) ? 0 : -ENOMEM;
	if (r < 0) {
		letter_free(&l);
		return r;
	}
	*ret = l;
	return 0;
}

void letter_free(struct gr_letter *l)
{
	if (!l)
		return;
	free(l->invalid);
	free(l->message_id);
	free(l->from);
	free(l->from_name);
	free(l->reply_to);
	free(l->sender);
	free(l->return_path);
	free(l->in_reply_to);
	for (size_t i = 0; i < l->n_references; i++)
		free(l->references[i]);
	free(l->references);
	free(l->subject);
	free(l->text);
	for (size_t i = 0; i < l->n_attachments; i++) {
		free(l->attachments[i].name);
		free(l->attachments[i].type);
	}
	free(l->attachments);
	free(l->calendar);
	memset(l, 0, sizeof(*l));
}
