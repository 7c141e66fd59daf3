/* SPDX-License-Identifier: MIT */
/* Unit tests for src/mail.c: render, then parse back with GMime. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mail.h"
#include "util.h"

static const char ical_request[] =
	"BEGIN:VCALENDAR\r\n"
	"VERSION:2.0\r\n"
	"PRODID:-//gremiumd//test//DE\r\n"
	"METHOD:REQUEST\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:online@fitko.example\r\n"
	"SUMMARY:Sitzung des Kommunalgremiums in Köln – März\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static struct gr_config cfg;
static struct gr_member member = {
	.name = "Müller, Jürgen \"JM\"",
	.email = "juergen.mueller@landkreis.example",
};
static const struct gr_localtime occ = { 2026, 3, 11, 10, 0 };

static int setup(void **state)
{
	(void)state;
	cfg.committee.name = "Kommunalgremium des IT-Planungsrats";
	cfg.committee.short_name = "Kommunalgremium";
	cfg.committee.domain = "fitko.example";
	cfg.committee.organizer_name = "FITKO (Vorsitz)";
	cfg.committee.organizer_email = "kommunalgremium@fitko.example";
	cfg.committee.topics_address = "themen@fitko.example";
	mail_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mail_shutdown();
	return 0;
}

static struct mail_spec invitation(void)
{
	struct mail_spec s = {
		.kind = GR_KIND_INVITATION,
		.to = &member,
		.subject = "Einladung: Sitzung am Mittwoch, 11. März 2026",
		.body = "Guten Tag Jürgen Müller,\n\nhiermit laden wir Sie ein.\n\n"
		        "Mit freundlichen Grüßen\nFITKO (Vorsitz)\n",
		.ical = ical_request,
		.ical_method = "REQUEST",
		.occurrence = &occ,
		.message_id = "inv.online.1.juergen",
		.date = 1767225600, /* 2026-01-01T00:00:00Z */
	};
	return s;
}

static GMimeMessage *parse(const char *text, size_t len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(stream);
	assert_non_null(msg);
	return msg;
}

/* Every line ends in CRLF and has at most 998 octets. */
static void assert_lines_ok(const char *s, size_t len)
{
	size_t start = 0;

	assert_int_equal(strlen(s), len);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r')
			assert_true(i + 1 < len && s[i + 1] == '\n');
		if (s[i] == '\n') {
			assert_true(i > 0 && s[i - 1] == '\r');
			assert_true(i - 1 - start <= 998);
			start = i + 1;
		}
	}
	assert_int_equal(start, len); /* ends with CRLF */
}

static const char *header(GMimeMessage *msg, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(msg), name);
}

/* The decoded content of a leaf part, NUL-terminated; caller frees. */
static char *content(GMimeObject *obj)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	GMimeStream *out = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *s;

	assert_true(g_mime_data_wrapper_write_to_stream(w, out) >= 0);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	s = g_strndup((const char *)bytes->data, bytes->len);
	g_object_unref(out);
	return s;
}

static void assert_mailbox(InternetAddressList *list, const char *name, const char *addr)
{
	InternetAddress *ia;

	assert_int_equal(internet_address_list_length(list), 1);
	ia = internet_address_list_get_address(list, 0);
	if (name)
		assert_string_equal(internet_address_get_name(ia), name);
	assert_string_equal(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), addr);
}

static void test_invitation_headers(void **state)
{
	struct mail_spec spec = invitation();
	GMimeMessage *msg;
	char *text;
	size_t len;
	(void)state;

	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	assert_lines_ok(text, len);
	msg = parse(text, len);
	assert_mailbox(g_mime_message_get_from(msg), "FITKO (Vorsitz)", "kommunalgremium@fitko.example");
	assert_mailbox(g_mime_message_get_to(msg), "Müller, Jürgen \"JM\"", "juergen.mueller@landkreis.example");
	assert_int_equal(internet_address_list_length(g_mime_message_get_reply_to(msg)), 0);
	assert_string_equal(g_mime_message_get_subject(msg),
	                    "[Kommunalgremium] Einladung: Sitzung am Mittwoch, 11. März 2026");
	assert_string_equal(g_mime_message_get_message_id(msg), "inv.online.1.juergen@fitko.example");
	assert_string_equal(header(msg, "Auto-Submitted"), "auto-generated");
	assert_string_equal(header(msg, "List-Id"), "Kommunalgremium <kommunalgremium.fitko.example>");
	assert_string_equal(header(msg, "X-Gremium-Kind"), "invitation");
	assert_string_equal(header(msg, "X-Gremium-Occurrence"), "2026-03-11T10:00");
	assert_string_equal(header(msg, "MIME-Version"), "1.0");
	assert_non_null(strstr(text, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"));
	/* the subject is RFC 2047 encoded, not raw 8-bit */
	assert_null(strstr(text, "März 2026\r\n"));
	g_object_unref(msg);
	free(text);
}

static void test_invitation_mime_tree(void **state)
{
	struct mail_spec spec = invitation();
	GMimeMessage *msg;
	GMimeObject *root, *alt, *plain, *cal, *att;
	GMimeContentType *ct;
	char *text, *s;
	size_t len;
	(void)state;

	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	msg = parse(text, len);
	root = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_MULTIPART(root));
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(root), "multipart", "mixed"));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(root)), 2);
	alt = g_mime_multipart_get_part(GMIME_MULTIPART(root), 0);
	att = g_mime_multipart_get_part(GMIME_MULTIPART(root), 1);
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(alt), "multipart", "alternative"));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(alt)), 2);
	plain = g_mime_multipart_get_part(GMIME_MULTIPART(alt), 0);
	cal = g_mime_multipart_get_part(GMIME_MULTIPART(alt), 1);

	ct = g_mime_object_get_content_type(plain);
	assert_true(g_mime_content_type_is_type(ct, "text", "plain"));
	assert_string_equal(g_mime_content_type_get_parameter(ct, "charset"), "utf-8");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(plain)), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	s = content(plain);
	assert_non_null(strstr(s, "Guten Tag Jürgen Müller,\r\n"));
	assert_non_null(strstr(s, "Mit freundlichen Grüßen\r\n"));
	g_free(s);

	ct = g_mime_object_get_content_type(cal);
	assert_true(g_mime_content_type_is_type(ct, "text", "calendar"));
	assert_string_equal(g_mime_content_type_get_parameter(ct, "charset"), "UTF-8");
	assert_string_equal(g_mime_content_type_get_parameter(ct, "method"), "REQUEST");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(cal)), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	s = content(cal);
	assert_string_equal(s, ical_request);     /* QP round trip, CRLF kept */
	g_free(s);

	ct = g_mime_object_get_content_type(att);
	assert_true(g_mime_content_type_is_type(ct, "application", "ics"));
	assert_string_equal(g_mime_content_type_get_parameter(ct, "name"), "invite.ics");
	assert_string_equal(g_mime_object_get_disposition(att), "attachment");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(att)), "invite.ics");
	s = content(att);
	assert_string_equal(s, ical_request);
	g_free(s);
	g_object_unref(msg);
	free(text);
}

static void test_cancellation(void **state)
{
	struct mail_spec spec = invitation();
	static const char cancel[] = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n";
	GMimeMessage *msg;
	GMimeObject *alt, *cal;
	char *text;
	size_t len;
	(void)state;

	spec.kind = GR_KIND_CANCELLATION;
	spec.ical = cancel;
	spec.ical_method = "CANCEL";
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	msg = parse(text, len);
	assert_string_equal(header(msg, "X-Gremium-Kind"), "cancellation");
	alt = g_mime_multipart_get_part(GMIME_MULTIPART(g_mime_message_get_mime_part(msg)), 0);
	cal = g_mime_multipart_get_part(GMIME_MULTIPART(alt), 1);
	assert_string_equal(g_mime_content_type_get_parameter(g_mime_object_get_content_type(cal), "method"), "CANCEL");
	g_object_unref(msg);
	free(text);
}

static void test_topic_call_plain(void **state)
{
	struct mail_spec spec = invitation();
	GMimeMessage *msg;
	GMimeObject *root;
	char *text;
	size_t len;
	(void)state;

	spec.kind = GR_KIND_TOPIC_CALL;
	spec.ical = NULL;
	spec.ical_method = NULL;
	spec.reply_to_topics = true;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	assert_lines_ok(text, len);
	msg = parse(text, len);
	root = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_PART(root));
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(root), "text", "plain"));
	assert_mailbox(g_mime_message_get_reply_to(msg), NULL, "themen@fitko.example");
	assert_string_equal(header(msg, "X-Gremium-Kind"), "topic-call");
	assert_null(strstr(text, "text/calendar"));
	g_object_unref(msg);
	free(text);

	/* test mails have no occurrence */
	spec.kind = GR_KIND_TEST;
	spec.occurrence = NULL;
	spec.reply_to_topics = false;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	msg = parse(text, len);
	assert_string_equal(header(msg, "X-Gremium-Kind"), "test");
	assert_null(header(msg, "X-Gremium-Occurrence"));
	g_object_unref(msg);
	free(text);
}

/* A reply (topic-confirmation): In-Reply-To and References of the mail it
 * answers; ids that could break the header are left out. */
static void test_reply_headers(void **state)
{
	struct mail_spec spec = invitation();
	char *refs[] = { "call.1@fitko.example", "bad id@x", "<evil>@x", "mid@x.example" };
	GMimeMessage *msg;
	char *text;
	size_t len;
	(void)state;

	spec.kind = GR_KIND_TOPIC_CONFIRMATION;
	spec.ical = NULL;
	spec.ical_method = NULL;
	spec.reply_to_topics = true;
	spec.in_reply_to = "mid@x.example";
	spec.references = refs;
	spec.n_references = 4;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	assert_lines_ok(text, len);
	msg = parse(text, len);
	assert_string_equal(header(msg, "X-Gremium-Kind"), "topic-confirmation");
	assert_string_equal(header(msg, "In-Reply-To"), "<mid@x.example>");
	assert_string_equal(header(msg, "References"), "<call.1@fitko.example> <mid@x.example>");
	assert_mailbox(g_mime_message_get_reply_to(msg), NULL, "themen@fitko.example");
	g_object_unref(msg);
	free(text);

	/* an In-Reply-To that is no msg-id: neither header */
	spec.in_reply_to = "a\r\nBcc: x@y";
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	msg = parse(text, len);
	assert_null(header(msg, "In-Reply-To"));
	assert_null(header(msg, "References"));
	assert_null(header(msg, "Bcc"));
	g_object_unref(msg);
	free(text);
}

static void test_injection(void **state)
{
	struct gr_member evil = { .name = "Evil\r\nBcc: x@y.example", .email = "evil@landkreis.example" };
	struct gr_config c2 = cfg;
	struct mail_spec spec = invitation();
	GMimeMessage *msg;
	char *text;
	size_t len;
	(void)state;

	c2.committee.short_name = "Gremium\r\nX-Injected: 1";
	c2.committee.organizer_name = "Vorsitz\nBcc: boss@y.example";
	spec.to = &evil;
	spec.subject = "Sitzung\r\nBcc: x@y.example\r\n\r\nbody";
	assert_int_equal(mail_render(&c2, &spec, &text, &len), 0);
	assert_lines_ok(text, len);
	assert_null(strstr(text, "\r\nBcc:"));
	assert_null(strstr(text, "\r\nX-Injected:"));
	msg = parse(text, len);
	assert_null(header(msg, "Bcc"));
	assert_null(header(msg, "X-Injected"));
	assert_int_equal(internet_address_list_length(g_mime_message_get_bcc(msg)), 0);
	assert_mailbox(g_mime_message_get_to(msg), "Evil  Bcc: x@y.example", "evil@landkreis.example");
	assert_string_equal(g_mime_message_get_subject(msg),
	                    "[Gremium  X-Injected: 1] Sitzung  Bcc: x@y.example    body");
	g_object_unref(msg);
	free(text);

	/* an address with CR/LF is refused, not repaired */
	evil.email = "a@b.example\r\nBcc: x@y.example";
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
}

/* Text that looks like an encoded word stays that text for a reader: the
 * subject and the display name are encoded, so a reader's decoding gives
 * the literal back. */
static void test_literal_encoded_word(void **state)
{
	static const char *const subjects[] = {
		"Sitzung =?utf-8?b?SGFsbG8=?= x",
		"=?utf-8?q?Gr=C3=BC=C3=9Fe?=",
		"Für =?ISO-8859-1?Q?a?= und ü und =? und ?= und ein langer Titel, der über mehrere "
		"kodierte Wörter geht, ääääääääääääääääääääääääääääääää Ende",
	};
	struct mail_spec spec = invitation();
	struct gr_member m = member;
	GMimeMessage *msg;
	char *text, *want;
	size_t len;
	(void)state;

	spec.to = &m;
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		spec.subject = subjects[i];
		m.name = (char *)subjects[i];
		assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
		assert_lines_ok(text, len);
		/* not on the wire as is */
		assert_null(strstr(text, "=?utf-8?b?SGFsbG8=?="));
		assert_null(strstr(text, "=?ISO-8859-1?Q?a?="));
		msg = parse(text, len);
		want = util_asprintf("[%s] %s", cfg.committee.short_name, subjects[i]);
		assert_string_equal(g_mime_message_get_subject(msg), want);
		assert_mailbox(g_mime_message_get_to(msg), subjects[i], m.email);
		free(want);
		g_object_unref(msg);
		free(text);
	}
}

static void test_long_lines(void **state)
{
	struct mail_spec spec = invitation();
	struct gr_member m = member;
	char *word = malloc(5001), *body = malloc(20001), *text;
	GMimeMessage *msg;
	size_t len;
	(void)state;

	assert_non_null(word);
	assert_non_null(body);
	memset(word, 'x', 5000);
	word[5000] = '\0';
	for (int i = 0; i < 10000; i++)
		memcpy(body + 2 * i, "ä", 2);
	body[20000] = '\0';
	m.name = word;
	spec.to = &m;
	spec.subject = word;
	spec.body = body;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	assert_lines_ok(text, len);
	msg = parse(text, len);
	/* the name is cut at 200 bytes */
	assert_int_equal(strlen(internet_address_get_name(
		internet_address_list_get_address(g_mime_message_get_to(msg), 0))), 200);
	g_object_unref(msg);
	free(text);

	/* a name of umlauts is cut between two of them, not inside one.
	 * (Words of it stay short: GMime 3.2 writes one over-long encoded-word
	 * for a long word without spaces.) */
	{
		char name[400];
		const char *got;

		name[0] = 'x';
		for (int i = 0; i < 36; i++)
			memcpy(name + 1 + 9 * i, "ääää ", 9);
		name[1 + 9 * 36] = '\0';
		m.name = name;
		assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
		msg = parse(text, len);
		got = internet_address_get_name(internet_address_list_get_address(g_mime_message_get_to(msg), 0));
		assert_true(g_utf8_validate(got, -1, NULL));
		assert_in_range(strlen(got), 190, 200);
		assert_memory_equal(got, name, strlen(got));
	}
	g_object_unref(msg);
	free(text);
	memcpy(body, "ä", 2);
	m.name = word;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	msg = parse(text, len);
	{
		/* the body survives whole */
		GMimeObject *alt = g_mime_multipart_get_part(GMIME_MULTIPART(g_mime_message_get_mime_part(msg)), 0);
		char *s = content(g_mime_multipart_get_part(GMIME_MULTIPART(alt), 0));
		assert_string_equal(s, body);
		g_free(s);
	}
	g_object_unref(msg);
	free(text);
	free(word);
	free(body);
}

static void test_list_id(void **state)
{
	struct gr_config c2 = cfg;
	struct mail_spec spec = invitation();
	GMimeMessage *msg;
	char *text;
	size_t len;
	(void)state;

	c2.committee.short_name = "Gemeindeübergreifender Ausschuß (Süd)";
	assert_int_equal(mail_render(&c2, &spec, &text, &len), 0);
	msg = parse(text, len);
	assert_non_null(strstr(header(msg, "List-Id"), "<gemeindeuebergreifender-ausschuss-sued.fitko.example>"));
	assert_string_equal(g_mime_message_get_subject(msg),
	                    "[Gemeindeübergreifender Ausschuß (Süd)] Einladung: Sitzung am Mittwoch, 11. März 2026");
	g_object_unref(msg);
	free(text);
}

static void test_invalid(void **state)
{
	struct mail_spec spec = invitation();
	char *text = NULL;
	size_t len;
	(void)state;

	spec.ical_method = "CANCEL";        /* METHOD:REQUEST inside */
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.ical = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";   /* no METHOD */
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.kind = GR_KIND_TOPIC_CALL;     /* calls for topics carry no REQUEST */
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.kind = GR_KIND_REMINDER;       /* a reminder with the agenda: a REQUEST ... */
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), 0);
	free(text);
	text = NULL;
	spec.ical_method = "CANCEL";        /* ... never a CANCEL */
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.kind = GR_KIND_AGENDA;         /* an agenda needs its REQUEST */
	spec.ical = NULL;
	spec.ical_method = NULL;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.ical = NULL;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.message_id = "a b";
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec.message_id = NULL;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	spec = invitation();
	spec.to = NULL;
	assert_int_equal(mail_render(&cfg, &spec, &text, &len), -EINVAL);
	assert_null(text);
	assert_string_equal(util_kind_name(GR_KIND_TOPIC_CALL), "topic-call");
}

static void test_address_check(void **state)
{
	char err[256];
	(void)state;

	assert_int_equal(mail_address_check("a@b.example", err, sizeof(err)), 0);
	assert_int_equal(mail_address_check("a@b", err, sizeof(err)), -EINVAL);
	assert_int_equal(mail_address_check("A <a@b.example>", err, sizeof(err)), -EINVAL);
	assert_int_equal(mail_address_check("a@b.example\r\nBcc: c@d.example", err, sizeof(err)), -EINVAL);
}

/* A domain of exactly n bytes: labels of 63 "d"s, dots between, the last
 * label what is left (n >= 3); caller frees. */
static char *domain_of(size_t n)
{
	char *d = malloc(n + 1);
	size_t i = 0;

	assert_non_null(d);
	while (i < n) {
		size_t label = n - i > 64 ? 63 : n - i;

		if (n - i > 63 && n - i <= 65)
			label = n - i - 3;  /* leave room for ".xx" */
		memset(d + i, 'd', label);
		i += label;
		if (i < n)
			d[i++] = '.';
	}
	d[n] = '\0';
	return d;
}

/*
 * Issue 13.3: a 260-byte member address, a 265-byte organizer and a 3.6 KB
 * domain passed check and then stopped every plan.  The limits of RFC 5321
 * and 1035 are now part of mail_address_check(), which config asks and
 * mail_render() asks again: at the limit both accept (and it renders),
 * one byte over both refuse.
 */
static void test_address_limits(void **state)
{
	char err[256], *dom = domain_of(MAIL_MAX_DOMAIN), *big = domain_of(3600);
	char *a254 = util_asprintf("%.64s@%s", "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll",
	                           dom + strlen(dom) - (MAIL_MAX_ADDRESS - 65));
	char *a255 = util_asprintf("l%s", a254), *l65 = util_asprintf("l%.64s@x.example", a254);
	struct gr_config c = cfg;
	struct gr_member m = member;
	struct mail_spec spec = invitation();
	char *text = NULL;
	size_t len;
	(void)state;

	assert_int_equal(strlen(dom), 253);
	assert_int_equal(mail_domain_check(dom, err, sizeof(err)), 0);
	assert_int_equal(mail_domain_check(big, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "domain of 3600 bytes: at most 253"));
	assert_int_equal(mail_domain_check("a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 63"));
	assert_int_equal(mail_domain_check("a..example", err, sizeof(err)), -EINVAL);
	assert_int_equal(mail_domain_check("example", NULL, 0), -EINVAL);

	assert_int_equal(strlen(a254), 254);
	assert_int_equal(mail_address_check(a254, err, sizeof(err)), 0);
	assert_int_equal(mail_address_check(a255, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "address of 255 bytes: at most 254"));
	assert_int_equal(mail_address_check(l65, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "the part before '@' has 65 bytes, at most 64"));

	/* every address and the domain at their limits: renders, lines <= 998 */
	c.committee.domain = dom;
	c.committee.organizer_email = a254;
	c.committee.topics_address = a254;
	m.email = a254;
	spec.to = &m;
	spec.reply_to_topics = true;
	assert_int_equal(mail_render(&c, &spec, &text, &len), 0);
	assert_lines_ok(text, len);
	free(text);
	/* one byte over, anywhere: refused by the renderer as by config */
	m.email = a255;
	assert_int_equal(mail_render(&c, &spec, &text, &len), -EINVAL);
	m.email = a254;
	c.committee.topics_address = a255;
	assert_int_equal(mail_render(&c, &spec, &text, &len), -EINVAL);
	c.committee.topics_address = a254;
	c.committee.domain = big;
	assert_int_equal(mail_render(&c, &spec, &text, &len), -EINVAL);
	free(dom), free(big), free(a254), free(a255), free(l65);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invitation_headers),
		cmocka_unit_test(test_invitation_mime_tree),
		cmocka_unit_test(test_cancellation),
		cmocka_unit_test(test_topic_call_plain),
		cmocka_unit_test(test_reply_headers),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_literal_encoded_word),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_list_id),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_address_check),
		cmocka_unit_test(test_address_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
