/* SPDX-License-Identifier: MIT */
/* Unit tests for src/letter.c and src/letter-text.c: the fixtures of
 * tests/fixtures/inbound (mails as Outlook, Thunderbird, Gmail and Apple
 * Mail write them, an out-of-office, a bounce, broken MIME, garbage), the
 * text rules one by one, automatic mail, titles, and the caps. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "mail.h"
#include "util.h"

#define CALL_ID "gremium.kommunalgremium.topic-call.8c1f2e9a47b3d605@fitko.example"
#define CALL_SUBJECT "[Kommunalgremium] Themenanmeldung: Sitzung des Kommunalgremiums am 14.01.2027"

static void parse_file(const char *name, struct gr_letter *l)
{
	char *path = util_asprintf("%s/tests/fixtures/inbound/%s", TEST_SRCDIR, name), *data;
	size_t len;

	assert_non_null(path);
	assert_int_equal(util_read_file(path, 1 << 20, &data, &len), 0);
	assert_int_equal(letter_parse(data, len, l), 0);
	free(data);
	free(path);
}

static void parse_str(const char *s, struct gr_letter *l)
{
	assert_int_equal(letter_parse(s, strlen(s), l), 0);
}

struct fixture {
	const char *file;
	const char *from, *from_name, *message_id, *subject;
	time_t date;
	const char *text, *title, *automatic;
	bool reply;                 /* In-Reply-To and References name the call */
	const char *attachment;     /* "name|type|size" of the one attachment, or NULL */
	const char *invalid;
};

static const struct fixture fixtures[] = {
	{ "outlook-reply.eml", "Juergen.Mueller@landkreis-musterstadt.example", "Müller, Jürgen",
	  "AM0PR07MB6274D1B1C7E0A9F1C6F4B8E1D9A42@AM0PR07MB6274.eurprd07.prod.outlook.com",
	  "AW: " CALL_SUBJECT, 1797239521,
	  "Sehr geehrte Damen und Herren,\n\nfür die Sitzung am 14.01.2027 melde ich folgendes "
	  "Thema an:\n\nGemeinsame Beschaffung von Fachverfahren für die Kfz-Zulassung – Stand und "
	  "nächste Schritte\n\nMehrere Landkreise haben Interesse signalisiert; ein kurzer Bericht "
	  "(10 Minuten) genügt.\n\nMit freundlichen Grüßen\nJürgen Müller\n\nLandkreis Musterstadt\n"
	  "Amt für Digitalisierung\nTel. 01234 5678-90",
	  "Gemeinsame Beschaffung von Fachverfahren für die Kfz-Zulassung – Stand und nächste Schritte",
	  NULL, true, NULL, NULL },
	{ "outlook-web-html.eml", "sabine.krueger@stadt-musterburg.example", "Krüger, Sabine",
	  "VI1PR09MB4047A2B3C4D5E6F7A8B9C0D1E2F3A@VI1PR09MB4047.eurprd09.prod.outlook.com",
	  "AW: " CALL_SUBJECT, 1797248417,
	  "Guten Tag,\n\nals Thema schlage ich vor: Datenschutz bei Videokonferenzen in "
	  "Gremiensitzungen.\n\nViele Grüße\nSabine Krüger",
	  "als Thema schlage ich vor: Datenschutz bei Videokonferenzen in Gremiensitzungen.",
	  NULL, true, NULL, NULL },
	{ "thunderbird-reply.eml", "kaethe.weiss@kreis-beispielheim.example", "Käthe Weiß",
	  "5c0e7a2f-3d41-4b8e-9f12-6a7b8c9d0e1f@kreis-beispielheim.example",
	  "Re: " CALL_SUBJECT, 1797240704,
	  "Hallo zusammen,\n\nich möchte für die Januarsitzung das Thema \"Onlinezugangsgesetz 2.0: "
	  "Umsetzung der Ende-zu-Ende-Digitalisierung in kleinen Kommunen\" anmelden. Dazu würde "
	  "ich gern unsere Erfahrungen aus dem Pilotprojekt vorstellen.\n\nViele Grüße\nKäthe",
	  "ich möchte für die Januarsitzung das Thema \"Onlinezugangsgesetz 2.0: Umsetzung der "
	  "Ende-zu-Ende-Digitalisierung in kleinen Kommunen\" anmelden.",
	  NULL, true, NULL, NULL },
	{ "gmail-reply.eml", "oezlem.yildiz@markt-bergdorf.example", "Özlem Yıldız",
	  "CAH4kz+Xq9bR3sL2mYp0wJx7vN5cT8eF1gA6dK3hU9iO2pQ_rZw@mail.gmail.com",
	  "Thema: Künstliche Intelligenz in der Verwaltung", 1797242698,
	  "Hallo,\n\nich schlage als Thema vor: Künstliche Intelligenz in der Verwaltung – welche "
	  "Anwendungen sind datenschutzkonform?\n\nBeste Grüße\nÖzlem Yıldız",
	  "Thema: Künstliche Intelligenz in der Verwaltung", NULL, true, NULL, NULL },
	{ "apple-reply.eml", "doerte.hansen@hansestadt-nordhafen.example", "Dörte Hansen-Lüders",
	  "8E4F1C2A-7B3D-4E5F-A6B7-C8D9E0F1A2B3@hansestadt-nordhafen.example",
	  "Re: " CALL_SUBJECT, 1797247029,
	  "Liebe Kolleginnen und Kollegen,\n\nich melde das Thema „Gemeinsames Rechenzentrum für "
	  "Nordhafen und Umland“ an.\n\nHerzliche Grüße\nDörte Hansen-Lüders",
	  "ich melde das Thema „Gemeinsames Rechenzentrum für Nordhafen und Umland“ an.",
	  NULL, true, NULL, NULL },
	{ "attachment-reply.eml", "bjoern.schroeder@landkreis-oberau.example", "Björn Schröder",
	  "D2C3B4A5-9687-4F1E-8D2C-3B4A59687F1E@landkreis-oberau.example",
	  "Re: " CALL_SUBJECT " - Broadband funding", 1797249775,
	  "Dear all,\n\nplease put the attached concept for joint broadband funding on the "
	  "agenda.\n\nBest regards,\nBjörn Schröder",
	  "Broadband funding", NULL, true, "Konzept Breitbandförderung.pdf|application/pdf|2118",
	  NULL },
	{ "outlook-ooo.eml", "m.baecker@gemeinde-talheim.example", "Bäcker, Matthias",
	  "d4e5f6a7b8c94d0e8f1a2b3c4d5e6f7a@EXCH01.gemeinde-talheim.example",
	  "Automatische Antwort: " CALL_SUBJECT, 1797235204,
	  "Vielen Dank für Ihre Nachricht. Ich bin bis zum 04.01.2027 nicht im Büro und habe "
	  "keinen Zugriff auf meine E-Mails.\n\nIn dringenden Fällen wenden Sie sich bitte an "
	  "digitalisierung@landkreis-oberau.example.",
	  "Automatische Antwort: " CALL_SUBJECT, "Auto-Submitted: auto-generated", true, NULL, NULL },
	{ "ooo-subject-only.eml", "frank.hoefer@kommunal-it-sued.example", "Frank Hoefer",
	  "OF1A2B3C4D.5E6F7A8B-ON00258A1B.0030C1D2@kommunal-it-sued.example",
	  "Abwesenheitsnotiz: " CALL_SUBJECT, 1797235231,
	  "Ich bin ab 14.12.2026 nicht im Buero. Ich kehre zurueck am 11.01.2027.",
	  "Abwesenheitsnotiz: " CALL_SUBJECT, "out-of-office subject", false, NULL, NULL },
	{ "postfix-bounce.eml", "MAILER-DAEMON@mail.fitko.example", "Mail Delivery System",
	  "20261214080503.7D0A81C0A12@mail.fitko.example", "Undelivered Mail Returned to Sender",
	  1797235503, NULL, "Undelivered Mail Returned to Sender", "multipart/report", false,
	  NULL, NULL },
	{ "non-member.eml", "Vertrieb@software-anbieter.example", "Vertrieb | Software-Anbieter GmbH",
	  "20261215142210.4711@software-anbieter.example",
	  "Kooperationsangebot: Digitale Sitzungsverwaltung für Ihr Gremium", 1797340930,
	  "Sehr geehrte Damen und Herren,\n\ngerne stellen wir Ihnen unsere Lösung für die digitale "
	  "Sitzungsverwaltung vor. Dürfen wir Ihnen einen Termin vorschlagen?\n\nMit freundlichen "
	  "Grüßen\nIhr Vertriebsteam",
	  "Kooperationsangebot: Digitale Sitzungsverwaltung für Ihr Gremium", NULL, false, NULL, NULL },
	{ "broken-boundary.eml", "ulrike.soerensen@amt-seeland.example", "Ulrike Soerensen",
	  "1234567890.12.1797239103@amt-seeland.example", "Re: " CALL_SUBJECT, 1797256800,
	  "Thema: Gemeinsame Nutzung von Geodaten im Amt Seeland.\n\nGruß\nUlrike Sörensen",
	  "Thema: Gemeinsame Nutzung von Geodaten im Amt Seeland.", NULL, true,
	  "geodaten.csv|application/octet-stream|31", NULL },
	{ "bad-base64.eml", "guenther.foessel@beispielstadt.example", "Guenther Foessel",
	  "bad64.20261214153000@beispielstadt.example", "Re: " CALL_SUBJECT, 1797258600,
	  "Thema: E-Akte in der Bauverwaltung.", "Thema: E-Akte in der Bauverwaltung.", NULL, true,
	  NULL, NULL },
	{ "unknown-charset.eml", "frank.hoefer@kommunal-it-sued.example", "Frank Hoefer",
	  "unknowncs.20261214160000@kommunal-it-sued.example", "Re: " CALL_SUBJECT, 1797260400,
	  "Thema: Fortschritt der Registermodernisierung – Zeitplan für 2027.\n\nGrüße\nFrank Höfer",
	  "Thema: Fortschritt der Registermodernisierung – Zeitplan für 2027.", NULL, true, NULL,
	  NULL },
	{ "header-only.eml", "andrea.gruenewald@regio-rechenzentrum.example", "Andrea Gruenewald",
	  "headeronly.20261214163000@regio-rechenzentrum.example", "Re: " CALL_SUBJECT, 1797262200,
	  "", CALL_SUBJECT, NULL, true, NULL, NULL },
	{ "garbage.eml", NULL, NULL, NULL, "", 0, "", "", NULL, false, NULL,
	  "no header block: not a mail" },
};

static void check_fixture(const struct fixture *f)
{
	struct gr_letter l;
	char *title;

	print_message("fixture %s\n", f->file);
	parse_file(f->file, &l);
	if (f->invalid)
		assert_string_equal(l.invalid, f->invalid);
	else
		assert_null(l.invalid);
	if (f->from) {
		assert_string_equal(l.from, f->from);
		assert_string_equal(l.from_name, f->from_name);
		assert_string_equal(l.message_id, f->message_id);
	} else {
		assert_null(l.from);
		assert_null(l.message_id);
	}
	assert_string_equal(l.subject, f->subject);
	assert_int_equal(l.date, f->date);
	if (f->text)
		assert_string_equal(l.text, f->text);
	title = letter_title(&l, CALL_SUBJECT);
	assert_non_null(title);
	assert_string_equal(title, f->title);
	free(title);
	if (f->automatic)
		assert_string_equal(l.automatic, f->automatic);
	else
		assert_null(l.automatic);
	if (f->reply) {
		assert_string_equal(l.in_reply_to, CALL_ID);
		assert_int_equal(l.n_references, 1);
		assert_string_equal(l.references[0], CALL_ID);
	}
	if (f->attachment) {
		char buf[300];

		assert_int_equal(l.n_attachments, 1);
		snprintf(buf, sizeof(buf), "%s|%s|%zu", l.attachments[0].name, l.attachments[0].type,
		         l.attachments[0].size);
		assert_string_equal(buf, f->attachment);
	} else if (strcmp(f->file, "postfix-bounce.eml") != 0) {
		assert_int_equal(l.n_attachments, 0);
	}
	assert_null(l.calendar);
	letter_free(&l);
}

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		check_fixture(&fixtures[i]);
}

static void test_bounce(void **state)
{
	struct gr_letter l;

	(void)state;
	parse_file("postfix-bounce.eml", &l);
	assert_true(l.is_report);
	assert_string_equal(l.return_path, "");
	assert_non_null(strstr(l.text, "User unknown in virtual mailbox table"));
	assert_int_equal(l.n_attachments, 2);
	assert_string_equal(l.attachments[0].type, "message/delivery-status");
	assert_string_equal(l.attachments[1].type, "message/rfc822");
	assert_string_equal(l.attachments[1].name, "");
	assert_true(l.attachments[1].size > 500);
	letter_free(&l);
	/* the fixtures of humans are not reports and have no empty Return-Path */
	parse_file("thunderbird-reply.eml", &l);
	assert_false(l.is_report);
	assert_string_equal(l.return_path, "kaethe.weiss@kreis-beispielheim.example");
	letter_free(&l);
}

static void test_non_member_reply_to(void **state)
{
	struct gr_letter l;

	(void)state;
	parse_file("non-member.eml", &l);
	assert_string_equal(l.reply_to, "anfragen@software-anbieter.example");
	assert_string_equal(l.return_path, "vertrieb@software-anbieter.example");
	assert_null(l.sender);
	assert_null(l.in_reply_to);
	assert_int_equal(l.n_references, 0);
	letter_free(&l);
}

static void test_calendar(void **state)
{
	struct gr_letter l;

	(void)state;
	parse_file("imip-reply.eml", &l);
	assert_null(l.invalid);
	assert_non_null(l.calendar);
	assert_non_null(strstr(l.calendar, "METHOD:REPLY\n"));
	assert_non_null(strstr(l.calendar, "CN=Lars Nußbaum"));
	assert_string_equal(l.text,
	                    "Lars Nußbaum hat Ihre Einladung zu Sitzung des Kommunalgremiums angenommen.");
	assert_int_equal(l.n_attachments, 0);    /* the inline calendar is no attachment */
	letter_free(&l);
	/* a .ics file is kept and listed */
	parse_str("From: a@b.example\nContent-Type: multipart/mixed; boundary=x\n\n--x\n"
	          "Content-Type: text/plain\n\nsiehe Anhang\n--x\nContent-Type: application/octet-stream\n"
	          "Content-Disposition: attachment; filename=termin.ics\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n"
	          "--x--\n", &l);
	/* the line break before a boundary belongs to the boundary (RFC 2046 §5.1.1) */
	assert_string_equal(l.calendar, "BEGIN:VCALENDAR\nEND:VCALENDAR");
	assert_int_equal(l.n_attachments, 1);
	assert_string_equal(l.attachments[0].name, "termin.ics");
	letter_free(&l);
}

/* ---- text rules ---- */

static void strip_is(const char *in, const char *want)
{
	char *t = strdup(in);

	assert_non_null(t);
	letter_strip_text(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_strip(void **state)
{
	(void)state;
	strip_is("Thema A\n\n-----Original Message-----\nFrom: x\n", "Thema A");
	strip_is("Thema A\n-----Ursprüngliche Nachricht-----\nVon: x\n", "Thema A");
	strip_is("Thema A\n\n________________________________\nVon: x@y\nGesendet: Montag\n"
	         "An: z\nBetreff: b\n\nalt\n", "Thema A");
	strip_is("Thema A\n\n*From:* x@y\n*Sent:* Monday\n*To:* z\n", "Thema A");
	strip_is("Thema A\n\nAm 11.01.27 um 09:00 schrieb Kommunalgremium:\n> alt\n", "Thema A");
	strip_is("Thema A\n\nOn Mon, Jan 11, 2027 at 9:00 AM Gremium <g@f.example> wrote:\n\n> alt\n",
	         "Thema A");
	/* Gmail wraps a long attribution */
	strip_is("Thema A\n\nAm Mo., 11. Jan. 2027 um 09:00 Uhr schrieb Kommunalgremium des IT <\n"
	         "g@f.example>:\n> alt\n", "Thema A");
	strip_is("Thema A\n\nOn 11. Jan 2027, at 09:00, Gremium <g@f.example> wrote:\n> alt\n",
	         "Thema A");
	/* inline answers keep the answer, lose the quote */
	strip_is("> Frage 1\nAntwort 1\n> Frage 2\nAntwort 2\n", "Antwort 1\nAntwort 2");
	strip_is("Thema A  \n\n\n\nZeile 2\t\n-- \nSignatur\n", "Thema A\n\nZeile 2");
	/* lines that only look like markers stay */
	strip_is("Am Montag habe ich Zeit.\nVon: mir\nOn time: yes\n---\n",
	         "Am Montag habe ich Zeit.\nVon: mir\nOn time: yes\n---");
	strip_is("", "");
	strip_is("\n\n \n", "");
}

static void html_is(const char *html, const char *want)
{
	char *t = letter_html_text(html, strlen(html));

	assert_non_null(t);
	letter_strip_text(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_html(void **state)
{
	(void)state;
	html_is("<p>Thema <b>A</b></p><p>Zeile&nbsp;2</p>", "Thema A\nZeile 2");
	html_is("<div>a</div><div><br></div><div>b</div>", "a\n\nb");
	html_is("<head><title>T</title><style>p{}</style></head><script>x()</script>Text", "Text");
	html_is("Thema<blockquote type=\"cite\">alt</blockquote>", "Thema");
	html_is("Thema<div class=\"gmail_quote\">Am … schrieb:<blockquote>alt</blockquote></div>",
	        "Thema");
	html_is("Thema<div class=\"gmail_signature\">-- <br>Sig</div>", "Thema");
	html_is("Thema<div class=\"moz-cite-prefix\">Am x schrieb y:</div><blockquote type=cite>"
	        "alt</blockquote><div class=\"moz-signature\">Sig</div>", "Thema");
	html_is("Thema<hr><div id=\"divRplyFwdMsg\">Von: x</div><div>alt</div>", "Thema");
	html_is("<p>Thema</p><div style=\"border:none; border-top:solid #E1E1E1 1.0pt\">"
	        "<p>Von: x</p></div><p>alt</p>", "Thema");
	html_is("<pre>a  b\n  c</pre>", "a  b\n  c");
	html_is("<ul><li>eins</li><li>zwei</li></ul>", "- eins\n- zwei");
	html_is("<table><tr><td>a</td><td>b</td></tr></table>", "a b");
	html_is("<p>unclosed <b>bold <i>and", "unclosed bold and");
	html_is("", "");
	html_is("a &lt; b &amp; c &gt; d", "a < b & c > d");
	html_is("a < b && c", "a < b && c");
}

static void unflow_is(const char *in, bool delsp, const char *want)
{
	char *t = strdup(in);

	assert_non_null(t);
	letter_unflow(t, delsp);
	assert_string_equal(t, want);
	free(t);
}

static void test_unflow(void **state)
{
	(void)state;
	unflow_is("ein langer \nSatz.\nNeu\n", false, "ein langer Satz.\nNeu\n");
	unflow_is("ein lang\xc2\xad \ner Satz.\n", true, "ein lang\xc2\xad" "er Satz.\n");
	unflow_is(" From here\n", false, "From here\n");      /* stuffed */
	unflow_is("-- \nSig\n", false, "-- \nSig\n");           /* never flowed */
	unflow_is("Text \n> quote \n> more\n", false, "Text \n> quote \n> more\n");
	unflow_is("", false, "");
}

/* ---- automatic mail ---- */

static const char *auto_of(const char *headers)
{
	static char reason[64];
	char *mail = util_asprintf("From: x@y.example\n%s\ntext\n", headers);
	struct gr_letter l;

	assert_non_null(mail);
	parse_str(mail, &l);
	free(mail);
	snprintf(reason, sizeof(reason), "%s", l.automatic ? l.automatic : "-");
	letter_free(&l);
	return reason;
}

static void test_automatic(void **state)
{
	(void)state;
	assert_string_equal(auto_of("Auto-Submitted: auto-replied\n"), "Auto-Submitted: auto-replied");
	assert_string_equal(auto_of("Auto-Submitted: auto-notified\n"), "Auto-Submitted: auto-notified");
	assert_string_equal(auto_of("Auto-Submitted: yes-please\n"), "Auto-Submitted");
	assert_string_equal(auto_of("Auto-Submitted: no\n"), "-");
	assert_string_equal(auto_of("Auto-Submitted: No (manual)\n"), "-");
	assert_string_equal(auto_of("Return-Path: <>\n"), "Return-Path: <>");
	assert_string_equal(auto_of("Return-Path: < >\n"), "Return-Path: <>");
	assert_string_equal(auto_of("Return-Path: <x@y.example>\n"), "-");
	assert_string_equal(auto_of("X-Autoreply: yes\n"), "X-Autoreply");
	assert_string_equal(auto_of("X-Autorespond: Urlaub\n"), "X-Autorespond");
	assert_string_equal(auto_of("Precedence: auto_reply\n"), "Precedence: auto_reply");
	assert_string_equal(auto_of("Precedence: bulk\n"), "Precedence: bulk");
	assert_string_equal(auto_of("Precedence: junk\n"), "Precedence: junk");
	assert_string_equal(auto_of("Precedence: list\n"), "Precedence: list");
	assert_string_equal(auto_of("Precedence: first-class\n"), "-");
	/* on every Outlook mail, human or not */
	assert_string_equal(auto_of("X-Auto-Response-Suppress: All\n"), "-");
	assert_string_equal(auto_of("Content-Type: multipart/report; report-type=disposition-notification;"
	                            " boundary=b\n\n--b\nContent-Type: text/plain\n\nGelesen\n--b--\n"),
	                    "multipart/report");
	assert_string_equal(auto_of("Subject: Automatische Antwort: Themen\n"), "out-of-office subject");
	assert_string_equal(auto_of("Subject: AW: Abwesenheitsnotiz: Themen\n"), "out-of-office subject");
	assert_string_equal(auto_of("Subject: Out of Office: Topics\n"), "out-of-office subject");
	assert_string_equal(auto_of("Subject: Out of Office AutoReply: Topics\n"), "out-of-office subject");
	assert_string_equal(auto_of("Subject: Automatic reply: Topics\n"), "out-of-office subject");
	assert_string_equal(auto_of("Subject: AutoReply\n"), "out-of-office subject");
	assert_string_equal(auto_of("Subject: =?utf-8?Q?Automatische_Antwort=3A_x?=\n"),
	                    "out-of-office subject");
	/* a topic about absences is a topic */
	assert_string_equal(auto_of("Subject: Out of Office Regeln im Gremium\n"), "-");
	assert_string_equal(auto_of("Subject: Re: Abwesenheitsnotizen richtig einstellen\n"), "-");
}

/* ---- titles ---- */

static char *title_of(const char *subject, const char *text, const char *call)
{
	struct gr_letter l = { .subject = (char *)subject, .text = (char *)text };

	return letter_title(&l, call);
}

static void title_is(const char *subject, const char *text, const char *call, const char *want)
{
	char *t = title_of(subject, text, call);

	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void test_title(void **state)
{
	char big[400], *t;

	(void)state;
	title_is("AW: WG: Re[2]: Fwd: Fw: Thema X", "", NULL, "Thema X");
	title_is("aw:re:Thema X", "", NULL, "Thema X");
	title_is("Re: " CALL_SUBJECT, "Hallo,\n\nThema Y. Mehr dazu.\n", CALL_SUBJECT, "Thema Y.");
	title_is("Re: " CALL_SUBJECT " – Thema Z", "text", CALL_SUBJECT, "Thema Z");
	/* the call subject as sent has the [short_name] tag; without it too */
	title_is("AW: " CALL_SUBJECT, "Thema W", "Themenanmeldung: Sitzung des Kommunalgremiums am "
	         "14.01.2027", "Thema W");
	title_is("Re: " CALL_SUBJECT, "Sehr geehrte Damen und Herren,\nich melde an:\n\nThema V\n",
	         CALL_SUBJECT, "Thema V");
	title_is("Re: " CALL_SUBJECT, "", CALL_SUBJECT, CALL_SUBJECT);
	title_is("", "", NULL, "");
	/* at most 200 bytes, never inside a character */
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 2 < 300; i += 2)
		memcpy(big + i, "\xc3\xa4", 2);
	t = title_of(big, "", NULL);
	assert_non_null(t);
	assert_int_equal(strlen(t), LETTER_MAX_TITLE);
	assert_true(util_utf8_valid((const unsigned char *)t));
	free(t);
	big[1] = 'a';    /* 'ä' cut in half at the start: an odd byte count */
	t = title_of(big + 1, "", NULL);
	assert_non_null(t);
	assert_true(strlen(t) <= LETTER_MAX_TITLE);
	free(t);
}

/* ---- headers, charsets ---- */

static void test_headers(void **state)
{
	struct gr_letter l;
	char *refs = strdup(""), *mail;

	(void)state;
	parse_str("From: \"M\xfcller, J\xfcrgen\" <J.M@Example.ORG>\n"
	          "Sender: =?utf-8?B?U8O8ZA==?= <sued@Example.org>\n"
	          "Subject: =?windows-1252?Q?Gr=FC=DFe_=96_x?=\tand\x01 more\n"
	          "Date: not a date\n"
	          "In-Reply-To: <a@b> <c@d>\n\n\xe4\n", &l);
	assert_string_equal(l.from, "J.M@example.org");
	assert_string_equal(l.from_name, "Müller, Jürgen");
	assert_string_equal(l.sender, "sued@example.org");
	assert_string_equal(l.subject, "Grüße – x and more");
	assert_int_equal(l.date, 0);
	assert_string_equal(l.in_reply_to, "a@b");
	assert_string_equal(l.text, "ä");     /* unlabelled 8 bit: windows-1252 */
	letter_free(&l);
	/* more References than kept: the newest */
	for (int i = 0; i < LETTER_MAX_REFERENCES + 10; i++) {
		char *n = util_asprintf("%s <r%d@x>", refs, i);

		free(refs);
		refs = n;
		assert_non_null(refs);
	}
	mail = util_asprintf("From: a@b.example\nReferences:%s\n\nx\n", refs);
	assert_non_null(mail);
	parse_str(mail, &l);
	assert_int_equal(l.n_references, LETTER_MAX_REFERENCES);
	assert_string_equal(l.references[0], "r10@x");
	assert_string_equal(l.references[LETTER_MAX_REFERENCES - 1], "r73@x");
	letter_free(&l);
	free(mail);
	free(refs);
	/* declared UTF-8 that is not: replaced, not lost; controls gone */
	parse_str("From: a@b.example\nContent-Type: text/plain; charset=utf-8\n\nA\xff" "B\x1b[31mC\r\nD\n", &l);
	assert_string_equal(l.text, "A\xef\xbf\xbd" "B[31mC\nD");
	letter_free(&l);
}

/* ---- caps and invalid input ---- */

static void test_invalid(void **state)
{
	static const struct { const char *bytes; size_t len; const char *why; } cases[] = {
		{ "", 0, "empty message" },
		{ "\n\n\n", 3, "no header block: not a mail" },
		{ "just text, no header\n", 21, "no header block: not a mail" },
		{ ": no name\n\nx", 12, "no header block: not a mail" },
		{ "\0\0\0\0", 4, "no header block: not a mail" },
		{ "From x@y Mon Dec 14 2026\n", 25, "no header block: not a mail" },
	};
	struct gr_letter l;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(letter_parse(cases[i].bytes, cases[i].len, &l), 0);
		assert_string_equal(l.invalid, cases[i].why);
		assert_string_equal(l.subject, "");
		assert_string_equal(l.text, "");
		letter_free(&l);
	}
	/* NUL bytes in a mail: gone, the rest read */
	assert_int_equal(letter_parse("From: a@b.example\n\nx\0y\n", 22, &l), 0);
	assert_null(l.invalid);
	assert_string_equal(l.text, "xy");
	letter_free(&l);
	letter_free(NULL);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *r = malloc(hl + ul * n + tl + 1), *p = r;

	assert_non_null(r);
	memcpy(p, head, hl), p += hl;
	for (size_t i = 0; i < n; i++)
		memcpy(p, unit, ul), p += ul;
	memcpy(p, tail, tl + 1);
	return r;
}

static void test_caps_header(void **state)
{
	struct gr_letter l;
	char *mail, *pad;

	(void)state;
	/* exactly LETTER_MAX_HEADER bytes: fine; one more: invalid */
	pad = repeat("", "a", LETTER_MAX_HEADER - strlen("Subject: "), "");
	mail = util_asprintf("From: a@b.example\nSubject: %s\n\nx\n", pad);
	parse_str(mail, &l);
	assert_null(l.invalid);
	assert_int_equal(strlen(l.subject), LETTER_MAX_HEADER - strlen("Subject: "));
	letter_free(&l);
	free(mail);
	/* folded over lines, the field counts whole */
	mail = util_asprintf("From: a@b.example\nSubject: %s\n x\n\nx\n", pad);
	parse_str(mail, &l);
	assert_string_equal(l.invalid, "a header field of more than 16384 bytes");
	assert_null(l.from);
	letter_free(&l);
	free(mail);
	free(pad);
	/* a 10 MB header line: refused at once */
	mail = repeat("From: a@b.example\nX-Long: ", "A", 10u << 20, "\n\nx\n");
	parse_str(mail, &l);
	assert_string_equal(l.invalid, "a header field of more than 16384 bytes");
	letter_free(&l);
	free(mail);
	/* too many fields */
	mail = repeat("From: a@b.example\n", "X-A: b\n", 1001, "\nx\n");
	parse_str(mail, &l);
	assert_string_equal(l.invalid, "more than 1000 header fields");
	letter_free(&l);
	free(mail);
}

/* a multipart/mixed of n one-byte attachments */
static char *mixed(size_t n)
{
	return repeat("From: a@b.example\nMessage-ID: <p@x>\nContent-Type: multipart/mixed; boundary=b\n\n",
	              "--b\nContent-Type: application/octet-stream\n\nx\n", n, "--b--\n");
}

static void test_caps_parts(void **state)
{
	struct gr_letter l;
	char *mail, *open, *close;

	(void)state;
	/* 64 parts (the multipart and 63 leaves): fine */
	mail = mixed(63);
	parse_str(mail, &l);
	assert_null(l.invalid);
	assert_int_equal(l.n_attachments, 63);
	letter_free(&l);
	free(mail);
	/* one more: invalid, the header still read */
	mail = mixed(64);
	parse_str(mail, &l);
	assert_string_equal(l.invalid, "more than 64 MIME parts");
	assert_string_equal(l.from, "a@b.example");
	assert_string_equal(l.message_id, "p@x");
	letter_free(&l);
	free(mail);
	/* thousands: refused before GMime sees the body */
	mail = repeat("From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n",
	              "--b\nContent-Type: text/plain\n\nx\n", 5000, "--b--\n");
	parse_str(mail, &l);
	assert_string_equal(l.invalid, "more than 64 MIME parts");
	assert_string_equal(l.from, "a@b.example");
	letter_free(&l);
	free(mail);
	/* nesting: 8 multiparts in each other (the top and 7) are fine, 9 are not */
	for (int depth = 7; depth <= 8; depth++) {
		open = strdup(""), close = strdup("");
		for (int i = 0; i < depth; i++) {
			char *o = util_asprintf("%s--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n",
			                        open, i, i + 1);
			char *c = util_asprintf("--b%d--\n%s", i, close);

			free(open), free(close);
			open = o, close = c;
		}
		mail = util_asprintf("From: a@b.example\nContent-Type: multipart/mixed; boundary=b0\n\n"
		                     "%s--b%d\nContent-Type: text/plain\n\ntief\n--b%d--\n%s",
		                     open, depth, depth, close);
		parse_str(mail, &l);
		if (depth == 7) {
			assert_null(l.invalid);
			assert_string_equal(l.text, "tief");
		} else {
			assert_string_equal(l.invalid, "MIME parts nested deeper than 8");
		}
		letter_free(&l);
		free(mail), free(open), free(close);
	}
}

static void test_caps_text(void **state)
{
	struct gr_letter l;
	char *mail;
	size_t n;

	(void)state;
	/* a 30 MB mail: its text cut at LETTER_MAX_TEXT and marked */
	mail = repeat("From: a@b.example\nContent-Type: text/plain; charset=utf-8\n\n",
	              "Zeile mit Umlauten äöü und mehr Text, damit sie lang wird.\n",
	              30u * 1024 * 1024 / 61, "");
	parse_str(mail, &l);
	free(mail);
	assert_null(l.invalid);
	n = strlen(l.text);
	assert_true(n <= LETTER_MAX_TEXT);
	assert_true(n > LETTER_MAX_TEXT - 100);
	assert_string_equal(l.text + n - strlen(LETTER_TRUNCATED), LETTER_TRUNCATED);
	assert_true(util_utf8_valid((const unsigned char *)l.text));
	letter_free(&l);
	/* a 10 MB line of HTML and of quote marks: linear, no hang */
	mail = repeat("From: a@b.example\nContent-Type: text/html\n\n<p>", "a ", 5u << 20, "</p>");
	parse_str(mail, &l);
	free(mail);
	assert_true(strlen(l.text) <= LETTER_MAX_TEXT);
	letter_free(&l);
	mail = repeat("From: a@b.example\n\n", "> ", 5u << 20, "\n");
	parse_str(mail, &l);
	free(mail);
	assert_string_equal(l.text, "[…]");    /* all quote, but cut: said so */
	letter_free(&l);
	/* deep HTML: walked without recursion */
	mail = repeat("From: a@b.example\nContent-Type: text/html\n\n", "<div>", 200000, "tief");
	parse_str(mail, &l);
	free(mail);
	assert_null(l.invalid);
	letter_free(&l);
}

/* Bytes a charset has no character for each become U+FFFD (3 bytes out of
 * 1): a long run of them outgrows the first output buffer, also when one
 * lands at its very end (the fuzzer's find: the conversion wrote past it). */
static void test_unconvertible_bytes(void **state)
{
	struct gr_letter l;
	char *mail;

	(void)state;
	for (size_t k = 1; k <= 64; k++) {
		mail = repeat("From: a@b.example\nContent-Type: text/plain; charset=windows-1252\n\nvor ",
		              "\x81", 40 * k + k % 7, " nach");
		parse_str(mail, &l);
		free(mail);
		assert_null(l.invalid);
		assert_true(util_utf8_valid((const unsigned char *)l.text));
		assert_non_null(strstr(l.text, "\xef\xbf\xbd"));
		assert_non_null(strstr(l.text, "nach"));
		letter_free(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unconvertible_bytes),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_non_member_reply_to),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_unflow),
		cmocka_unit_test(test_automatic),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_caps_header),
		cmocka_unit_test(test_caps_parts),
		cmocka_unit_test(test_caps_text),
	};

	mail_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
