/* SPDX-License-Identifier: MIT */
/*
 * mail - rendering of messages with GMime.  See mail.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "mail.h"
#include "util.h"

static bool mail_initialized;

void mail_init(void)
{
	if (mail_initialized)
		return;
	g_mime_init();
	mail_initialized = true;
}

void mail_shutdown(void)
{
	if (!mail_initialized)
		return;
	g_mime_shutdown();
	mail_initialized = false;
}

/* snprintf into err unless it is NULL (the renderer only asks yes or no) */
#define REASON(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); } while (0)

/*
 * RFC 1035 §2.3.4 and RFC 5321 §4.5.3.1.2: a domain is at most 255 octets
 * on the wire, 253 as text; each label 1..63 octets.  No character that
 * would end or split a header or an address (RFC 5322 specials, controls).
 */
int mail_domain_check(const char *domain, char *err, size_t errlen)
{
	size_t len = domain ? strlen(domain) : 0;

	if (len == 0) {
		REASON("empty domain");
		return -EINVAL;
	}
	if (len > MAIL_MAX_DOMAIN) {
		REASON("domain of %zu bytes: at most %d (RFC 1035)", len, MAIL_MAX_DOMAIN);
		return -EINVAL;
	}
	if (util_has_control(domain, false) || strpbrk(domain, " <>()[]\\,;:@\"")) {
		REASON("\"%s\" is not a domain name (no spaces, brackets, quotes, commas or '@')", domain);
		return -EINVAL;
	}
	if (!strchr(domain, '.')) {
		REASON("\"%s\" is not a domain name (expected e.g. example.org)", domain);
		return -EINVAL;
	}
	for (const char *p = domain; ; ) {
		size_t n = strcspn(p, ".");

		if (n == 0 || n > MAIL_MAX_LABEL) {
			REASON("%s", n ? "a label (between dots) longer than 63 bytes (RFC 1035)"
			               : "an empty label (a dot at the start or end, or two dots)");
			return -EINVAL;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int mail_address_check(const char *addr, char *err, size_t errlen)
{
	InternetAddressList *list;
	InternetAddress *ia;
	const char *a, *at;
	size_t len = addr ? strlen(addr) : 0;
	char why[200];
	int r = 0;

	if (len == 0) {
		REASON("empty address");
		return -EINVAL;
	}
	if (util_has_control(addr, false) || strpbrk(addr, " <>,;\"()[]\\")) {
		REASON("\"%s\" is not a plain address (no spaces, brackets, quotes or commas)", addr);
		return -EINVAL;
	}
	/* RFC 5321 §4.5.3.1: a path of 256 octets with its "<>", a local part
	 * of 64 (beyond, servers refuse the mail, or the whole plan failed) */
	at = strrchr(addr, '@');
	if (len > MAIL_MAX_ADDRESS) {
		REASON("address of %zu bytes: at most %d (RFC 5321)", len, MAIL_MAX_ADDRESS);
		return -EINVAL;
	}
	if (at && (size_t)(at - addr) > MAIL_MAX_LOCAL) {
		REASON("\"%s\": the part before '@' has %zu bytes, at most %d (RFC 5321)", addr,
		       (size_t)(at - addr), MAIL_MAX_LOCAL);
		return -EINVAL;
	}
	mail_init();
	list = internet_address_list_parse(NULL, addr);
	if (!list || internet_address_list_length(list) != 1) {
		REASON("\"%s\" is not a valid email address", addr);
		r = -EINVAL;
		goto out;
	}
	ia = internet_address_list_get_address(list, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) {
		REASON("\"%s\" is a group, not an address", addr);
		r = -EINVAL;
		goto out;
	}
	a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	at = a ? strrchr(a, '@') : NULL;
	if (!at || at == a) {
		REASON("\"%s\" has no local part before '@'", addr);
		r = -EINVAL;
	} else if (at[1] == '\0') {
		REASON("\"%s\" has no domain after '@'", addr);
		r = -EINVAL;
	} else if (mail_domain_check(at + 1, why, sizeof(why)) < 0) {
		REASON("\"%s\": the domain: %s", addr, why);
		r = -EINVAL;
	} else if (strcmp(a, addr) != 0) {
		REASON("\"%s\" is not a plain address", addr);
		r = -EINVAL;
	}
out:
	if (list)
		g_object_unref(list);
	return r;
}

/* ---- rendering: below this line (mail_render, ...) ---- */

/*
 * Caps on header values before they reach GMime.  RFC 5322 §2.1.1: a line
 * must not exceed 998 octets.  GMime folds at white space and splits
 * encoded words, but cannot fold one long word; with these caps even an
 * unbreakable value stays well below the limit.
 */
#define MAIL_MAX_NAME    200
#define MAIL_MAX_SUBJECT 400
#define MAIL_MAX_LINE    998


/*
 * Copy a header value into out (len bytes): every control character
 * (CR, LF, TAB, ...) becomes a space, so that no value can end the header
 * and start another (header injection), and the value is cut at len - 1
 * bytes without splitting a UTF-8 sequence.
 */
static void header_clean(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p && n + 1 < len; p++)
		out[n++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
	/* cut: while the first byte left out continues a UTF-8 sequence, the
	 * sequence's start is in out; drop it too */
	if (in && strlen(in) > n)
		while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
			n--;
	out[n] = '\0';
}

/* An address goes into headers and the SMTP envelope as it is: refuse
 * rather than "repair" one.  The very check config makes: whatever
 * `check` accepts, this renders (issue 13.3). */
static bool address_ok(const char *a)
{
	return mail_address_check(a, NULL, 0) == 0;
}

/* RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">", id-left is
 * dot-atom-text. */
static bool message_id_ok(const char *id)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~.";

	if (!id || !*id || strlen(id) > 128 || id[0] == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(atext, *p)))
			return false;
	return true;
}

/*
 * RFC 2919 §2: the list-id is a dot-atom "label.domain".  The label is the
 * short name in lower case, umlauts transliterated ("ä" -> "ae"), any other
 * run of characters outside [a-z0-9] a single '-'.
 */
static void list_label(const char *name, char *out, size_t len)
{
	static const struct { const char *utf8, *ascii; } translit[] = {
		{ "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "Ä", "ae" },
		{ "Ö", "oe" }, { "Ü", "ue" }, { "ß", "ss" },
	};
	size_t n = 0;

	for (const char *p = name; *p && n + 3 < len; ) {
		const char *add = NULL;
		size_t skip = 1;
		char one[2] = { 0, 0 };

		for (size_t i = 0; i < sizeof(translit) / sizeof(translit[0]); i++)
			if (strncmp(p, translit[i].utf8, strlen(translit[i].utf8)) == 0) {
				add = translit[i].ascii;
				skip = strlen(translit[i].utf8);
			}
		if (!add && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			one[0] = *p, add = one;
		else if (!add && *p >= 'A' && *p <= 'Z')
			one[0] = (char)(*p - 'A' + 'a'), add = one;
		if (add) {
			for (; *add && n + 1 < len; add++)
				out[n++] = *add;
		} else if (n > 0 && out[n - 1] != '-') {
			out[n++] = '-';
		}
		p += skip;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	if (n == 0)
		n = (size_t)snprintf(out, len, "list") < len ? 4 : 0;
	out[n] = '\0';
}

/* The value of the calendar's METHOD property, or false when it has none.
 * RFC 6047 §2.4: it must equal the Content-Type's method parameter. */
static bool ical_method_is(const char *ical, const char *method)
{
	for (const char *p = ical; p && *p; ) {
		if (strncasecmp(p, "METHOD:", 7) == 0) {
			size_t n = strcspn(p + 7, "\r\n");
			return strlen(method) == n && strncasecmp(p + 7, method, n) == 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* Does the spec hold what its kind needs?  Invitations, updates and
 * agendas carry a REQUEST, cancellations a CANCEL, a reminder a REQUEST
 * when it carries the agenda (then an update of that meeting is what it
 * is); the other kinds carry no calendar (INTEROP: a re-sent REQUEST
 * would show as an update). */
static bool spec_ok(const struct gr_config *cfg, const struct mail_spec *spec)
{
	const char *want = NULL;

	if (!cfg || !spec || (unsigned)spec->kind >= GR_KIND_COUNT_ || !spec->to ||
	    !address_ok(spec->to->email) || !address_ok(cfg->committee.organizer_email) ||
	    !spec->subject || !spec->body || !message_id_ok(spec->message_id) ||
	    !cfg->committee.domain || mail_domain_check(cfg->committee.domain, NULL, 0) < 0 ||
	    !cfg->committee.short_name)
		return false;
	if (spec->reply_to_topics && cfg->committee.topics_address &&
	    !address_ok(cfg->committee.topics_address))
		return false;
	if (spec->kind == GR_KIND_INVITATION || spec->kind == GR_KIND_UPDATE ||
	    spec->kind == GR_KIND_AGENDA)
		want = "REQUEST";
	else if (spec->kind == GR_KIND_CANCELLATION)
		want = "CANCEL";
	/* a reminder that carries the agenda: the meeting's REQUEST (issue 15) */
	else if (spec->kind == GR_KIND_REMINDER && spec->ical)
		want = "REQUEST";
	if (!want)
		return !spec->ical && !spec->ical_method;
	return spec->ical && spec->ical_method && strcmp(spec->ical_method, want) == 0 &&
	       ical_method_is(spec->ical, want);
}

/* Copy s without CR: GMime's output filter makes every line end CRLF, and a
 * CR left in the text would be quoted-printable encoded as "=0D". */
static char *strip_cr(const char *s)
{
	char *out = malloc(strlen(s) + 1), *w = out;

	if (!out)
		return NULL;
	for (; *s; s++)
		if (*s != '\r')
			*w++ = *s;
	*w = '\0';
	return out;
}

/*
 * A subject or display name that holds something that looks like an
 * encoded word ("=?"), e.g. a summary "=?utf-8?b?SGk=?=": GMime leaves
 * ASCII words as they are, and readers would decode it into text the admin
 * never wrote.  Such a text is encoded whole, as RFC 2047 encoded words
 * (UTF-8, base64) of at most 75 characters (§2) each holding whole
 * characters (§5), which a reader decodes back to the literal text.
 * Returns a malloc'ed header value, or NULL on ENOMEM.
 */
#define EW_BYTES 45     /* 60 base64 characters + "=?utf-8?b?" + "?=" = 72 */
static char *encode_literal(const char *s)
{
	size_t len = strlen(s), cap = (len / 3 + 1) * 4 + (len / EW_BYTES + 1) * 13 + 1, used = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	while (len > 0) {
		size_t n = len < EW_BYTES ? len : EW_BYTES;
		gchar *b64;

		/* end at the start of a UTF-8 sequence (never split a character),
		 * on a multiple of 3 where one is near: no "=" padding inside
		 * the subject (GMime's decoder joins adjacent words' base64 and
		 * stops at padding) */
		if (n < len) {
			size_t k = n;

			while (k > 3 && (k % 3 != 0 || ((unsigned char)s[k] & 0xc0) == 0x80))
				k--;
			if (k > 3)
				n = k;
			else
				while (n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
					n--;
		}
		b64 = g_base64_encode((const guchar *)s, n);
		if (!b64) {
			free(out);
			return NULL;
		}
		used += (size_t)snprintf(out + used, cap - used, "%s=?utf-8?b?%s?=", used ? " " : "", b64);
		g_free(b64);
		s += n;
		len -= n;
	}
	out[used] = '\0';
	return out;
}

/* A mailbox whose display name is encoded as UTF-8 (RFC 2047) when it is
 * not plain ASCII; GMime would otherwise pick ISO-8859-1 where it fits. */
static void add_mailbox(GMimeMessage *msg, GMimeAddressType type,
                        const char *name, const char *addr)
{
	char clean[MAIL_MAX_NAME + 1];
	InternetAddress *ia;

	header_clean(name, clean, sizeof(clean));
	/* a name that only repeats the address adds nothing */
	if (*clean && strcmp(clean, addr) != 0 && strstr(clean, "=?")) {
		char *encoded = encode_literal(clean);

		/* ASCII then: GMime writes it as it is (or, out of memory, none) */
		ia = internet_address_mailbox_new(encoded, addr);
		free(encoded);
	} else {
		ia = internet_address_mailbox_new(*clean && strcmp(clean, addr) != 0 ? clean : NULL, addr);
	}
	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(g_mime_message_get_addresses(msg, type), ia);
	g_object_unref(ia);
}

static void set_header(GMimeMessage *msg, const char *name, const char *value)
{
	g_mime_object_set_header(GMIME_OBJECT(msg), name, value, "utf-8");
}

/* A msg-id of a received mail we may repeat in In-Reply-To/References:
 * printable ASCII without space, "<", ">" and '"', with an "@". */
static bool received_id_ok(const char *id)
{
	if (!id || !strchr(id, '@') || strlen(id) > 250)
		return false;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>' || *p == '"')
			return false;
	return true;
}

/* In-Reply-To and References of a reply (mail.h).  0 or -ENOMEM. */
static int set_reply_headers(GMimeMessage *msg, const struct mail_spec *spec)
{
	size_t first = spec->n_references > MAIL_MAX_REFERENCES ?
	               spec->n_references - MAIL_MAX_REFERENCES : 0;
	char *refs = util_strdup0(""), *s;

	if (!spec->in_reply_to || !received_id_ok(spec->in_reply_to)) {
		free(refs);
		return 0;
	}
	for (size_t i = first; refs && i <= spec->n_references; i++) {
		const char *id = i < spec->n_references ? spec->references[i] : spec->in_reply_to;

		if (!received_id_ok(id) || (i < spec->n_references && strcmp(id, spec->in_reply_to) == 0))
			continue;
		s = util_asprintf("%s%s<%s>", refs, refs[0] ? " " : "", id);
		free(refs);
		refs = s;
	}
	s = util_asprintf("<%s>", spec->in_reply_to);
	if (!s || !refs) {
		free(s);
		free(refs);
		return -ENOMEM;
	}
	set_header(msg, "In-Reply-To", s);
	set_header(msg, "References", refs);
	free(s);
	free(refs);
	return 0;
}

/* From, To, Reply-To, Subject, Date, Message-ID and our own headers.
 * Returns 0 or -ENOMEM. */
static int set_headers(GMimeMessage *msg, const struct gr_config *cfg,
                        const struct mail_spec *spec)
{
	const struct gr_committee *c = &cfg->committee;
	char prefix[MAIL_MAX_NAME + 1], subject[MAIL_MAX_SUBJECT + 1], label[64];
	char *s;
	GDateTime *date;

	add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, c->organizer_name, c->organizer_email);
	add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, spec->to->name, spec->to->email);
	if (spec->reply_to_topics && c->topics_address)
		add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, c->topics_address);

	header_clean(c->short_name, prefix, sizeof(prefix));
	s = util_asprintf("[%s] %s", prefix, spec->subject);
	if (!s)
		return -ENOMEM;
	header_clean(s, subject, sizeof(subject));
	free(s);
	if (strstr(subject, "=?")) {
		s = encode_literal(subject);
		if (!s)
			return -ENOMEM;
		/* ASCII now: GMime only folds it */
		g_mime_message_set_subject(msg, s, "utf-8");
		free(s);
	} else {
		g_mime_message_set_subject(msg, subject, "utf-8");
	}

	date = g_date_time_new_from_unix_utc((gint64)spec->date);
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	s = util_asprintf("%s@%s", spec->message_id, c->domain);
	if (!s)
		return -ENOMEM;
	g_mime_message_set_message_id(msg, s);
	free(s);

	/* RFC 3834 §5: automatic mails say so, so that vacation replies stay away */
	set_header(msg, "Auto-Submitted", "auto-generated");
	list_label(c->short_name, label, sizeof(label));
	{
		/* RFC 2919 §2: the description is a phrase: quoted or encoded
		 * when it holds specials such as "(" or non-ASCII */
		char *phrase = g_mime_utils_header_encode_phrase(NULL, prefix, "utf-8");
		s = phrase ? util_asprintf("%s <%s.%s>", phrase, label, c->domain) : NULL;
		g_free(phrase);
	}
	if (!s)
		return -ENOMEM;
	set_header(msg, "List-Id", s);
	free(s);
	set_header(msg, "X-Gremium-Kind", util_kind_name(spec->kind));
	if (spec->occurrence) {
		const struct gr_localtime *o = spec->occurrence;
		char occ[32];

		snprintf(occ, sizeof(occ), "%04d-%02d-%02dT%02d:%02d",
		         o->year, o->month, o->day, o->hour, o->minute);
		set_header(msg, "X-Gremium-Occurrence", occ);
	}
	return set_reply_headers(msg, spec);
}

/* text/plain or text/calendar, UTF-8, quoted-printable.  The bytes go in
 * as they are (g_mime_text_part_set_text() would convert them to the
 * "best" charset, e.g. ISO-8859-1). */
static GMimePart *text_part(const char *subtype, const char *text)
{
	GMimePart *part;
	GMimeStream *stream;
	GMimeDataWrapper *content;
	char *lf = strip_cr(text);

	if (!lf)
		return NULL;
	part = GMIME_PART(g_mime_text_part_new_with_subtype(subtype));
	stream = g_mime_stream_mem_new_with_buffer(lf, strlen(lf));
	free(lf);
	content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_object_unref(stream);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
	                                         strcmp(subtype, "calendar") == 0 ? "UTF-8" : "utf-8");
	/* INTEROP: the calendar as quoted-printable, never base64 (some
	 * servers and clients do not decode base64 iMIP parts); QP also keeps
	 * every line below 998 octets whatever the text holds */
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	return part;
}

/* The same calendar as the attachment "invite.ics" (Apple Mail and web
 * mailers offer it); base64 keeps its CRLF line ends byte for byte. */
static GMimePart *ics_attachment(const char *ical)
{
	GMimePart *part = g_mime_part_new_with_type("application", "ics");
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(ical, strlen(ical));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_object_unref(stream);
	g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
	g_mime_part_set_filename(part, "invite.ics");
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	return part;
}

/*
 * A multipart/<subtype> whose boundary is made from the Message-ID rather
 * than by GMime at random: the same spec then gives the same bytes (a test
 * compares them), and there is no read of /dev/urandom per multipart
 * (g_mime_multipart_new_with_subtype() makes a random boundary at once).
 * "=_" cannot occur in what the parts hold: they are quoted-printable
 * (where "=" only starts "=XX" or ends a line) or base64 (neither "=" nor
 * "_" inside a line), and RFC 2046 §5.1.1 allows both in a boundary.
 */
static GMimeMultipart *multipart(const struct mail_spec *spec, const char *subtype)
{
	GMimeMultipart *mp = g_object_new(GMIME_TYPE_MULTIPART, NULL);
	GMimeContentType *ct = g_mime_content_type_new("multipart", subtype);
	uint64_t h = util_fnv1a(UTIL_FNV_INIT, spec->message_id, strlen(spec->message_id));
	char b[64];

	g_mime_object_set_content_type(GMIME_OBJECT(mp), ct);
	g_object_unref(ct);
	snprintf(b, sizeof(b), "=_gremium_%016" PRIx64 "_%s", h, subtype);
	g_mime_multipart_set_boundary(mp, b);
	return mp;
}

/*
 * RFC 6047 §2.4 and MS-STANOICAL 2.2.168: multipart/mixed whose first child
 * is multipart/alternative { text/plain, text/calendar; method=M }, then
 * the attachment.  Outlook looks for the calendar in the first child only.
 */
static GMimeObject *imip_body(const struct mail_spec *spec)
{
	GMimeMultipart *mixed, *alt;
	GMimePart *plain, *cal;

	plain = text_part("plain", spec->body);
	cal = text_part("calendar", spec->ical);
	if (!plain || !cal) {
		if (plain)
			g_object_unref(plain);
		if (cal)
			g_object_unref(cal);
		return NULL;
	}
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(cal), "method", spec->ical_method);
	alt = multipart(spec, "alternative");
	g_mime_multipart_add(alt, GMIME_OBJECT(plain));
	g_mime_multipart_add(alt, GMIME_OBJECT(cal));
	g_object_unref(plain);
	g_object_unref(cal);

	mixed = multipart(spec, "mixed");
	g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
	g_object_unref(alt);
	{
		GMimePart *att = ics_attachment(spec->ical);
		g_mime_multipart_add(mixed, GMIME_OBJECT(att));
		g_object_unref(att);
	}
	return GMIME_OBJECT(mixed);
}

/* The message as bytes with CRLF line ends (RFC 5322 §2.1). */
static int serialize(GMimeMessage *msg, char **ret, size_t *ret_len)
{
	GMimeFormatOptions *opts = g_mime_format_options_new();
	GMimeStream *stream = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *out = NULL;
	int r = 0;

	g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_DOS);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, stream) < 0) {
		r = -EIO;
		goto out;
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	out = malloc(bytes->len + 1);
	if (!out) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(out, bytes->data, bytes->len);
	out[bytes->len] = '\0';
	*ret = out;
	*ret_len = bytes->len;
out:
	g_object_unref(stream);
	g_mime_format_options_free(opts);
	return r;
}

/* true when every line ends in CRLF and none is longer than 998 octets. */
static bool lines_ok(const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))
			return false;
		if (s[i] != '\n')
			continue;
		if (i == 0 || s[i - 1] != '\r' || i - 1 - start > MAIL_MAX_LINE)
			return false;
		start = i + 1;
	}
	return len - start <= MAIL_MAX_LINE;
}

int mail_render(const struct gr_config *cfg, const struct mail_spec *spec,
                char **ret, size_t *ret_len)
{
	GMimeMessage *msg;
	GMimeObject *body;
	char *out = NULL;
	size_t len = 0;
	int r;

	if (!spec_ok(cfg, spec))
		return -EINVAL;
	mail_init();
	msg = g_mime_message_new(TRUE);
	body = set_headers(msg, cfg, spec) < 0 ? NULL :
	       spec->ical ? imip_body(spec) : GMIME_OBJECT(text_part("plain", spec->body));
	if (!body) {
		g_object_unref(msg);
		return -ENOMEM;
	}
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	r = serialize(msg, &out, &len);
	g_object_unref(msg);
	if (r < 0)
		return r;
	/* a safety net: GMime should never produce either, but a mail that
	 * breaks RFC 5322 must not leave this module */
	if (!lines_ok(out, len)) {
		free(out);
		return -EINVAL;
	}
	*ret = out;
	*ret_len = len;
	return 0;
}
