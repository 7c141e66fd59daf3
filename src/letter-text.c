/* SPDX-License-Identifier: MIT */
/*
 * letter-text - a letter's text: HTML made plain with libxml2's HTML
 * parser, the quoted history and the signature removed; the title of a
 * topic taken from a letter.  See letter.h.
 *
 * What the clients write (seen in their mails; tests/fixtures/inbound):
 *   Outlook      text: "-----Ursprüngliche Nachricht-----" or a line of
 *                underscores, then "Von: … / Gesendet: … / An: … / Betreff:";
 *                HTML: <div id="divRplyFwdMsg"> (new Outlook, OWA) or
 *                <div style="border:none;border-top:solid #E1E1E1 1.0pt;…">
 *                (Outlook desktop), the history follows to the end.
 *   Thunderbird  "Am 11.01.27 um 09:00 schrieb Name:" then "> " lines;
 *                HTML: <div class="moz-cite-prefix"> + <blockquote type="cite">.
 *   Gmail        "Am Mo., 11. Jan. 2027 um 09:00 Uhr schrieb Name <a@b>:"
 *                (wrapped over two lines when long), "On Mon, … wrote:";
 *                HTML: <div class="gmail_quote">.
 *   Apple Mail   "Am 11.01.2027 um 09:00 schrieb Name <a@b>:",
 *                "On 11. Jan 2027, at 09:00, Name <a@b> wrote:";
 *                HTML: <blockquote type="cite"> with the attribution inside.
 *   Signatures   a "-- " line (RFC 3676 §4.3), div.moz-signature,
 *                div.gmail_signature.
 */
#include "autoconfig.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "letter.h"

/* ---- output buffer ---- */

struct out {
	char *p;
	size_t len, cap;
	bool oom;
	bool pre;          /* inside <pre>: whitespace kept */
	bool stop;         /* Outlook's history separator seen: nothing more */
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->oom || n == 0)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *p;

		while (cap < o->len + n + 1)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p) {
			o->oom = true;
			return;
		}
		o->p = p, o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static bool out_at_line_start(const struct out *o)
{
	return o->len == 0 || o->p[o->len - 1] == '\n';
}

/* a block element starts or ends: the current line ends */
static void out_break(struct out *o)
{
	if (!out_at_line_start(o))
		out_add(o, "\n", 1);
}

/* Text of a node: runs of white space (and no-break spaces) become one
 * space, none at the start of a line; inside <pre> as it is. */
static void out_text(struct out *o, const char *s)
{
	if (o->pre) {
		out_add(o, s, strlen(s));
		return;
	}
	while (*s) {
		size_t ws = 0, n;

		for (;;) {
			if (s[ws] == ' ' || s[ws] == '\t' || s[ws] == '\n' || s[ws] == '\r' ||
			    s[ws] == '\f')
				ws++;
			else if ((unsigned char)s[ws] == 0xc2 && (unsigned char)s[ws + 1] == 0xa0)
				ws += 2;
			else
				break;
		}
		if (ws) {
			s += ws;
			if (!out_at_line_start(o) && o->p[o->len - 1] != ' ')
				out_add(o, " ", 1);
			continue;
		}
		for (n = 0; s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '\r' &&
		     s[n] != '\f' && !((unsigned char)s[n] == 0xc2 && (unsigned char)s[n + 1] == 0xa0);
		     n++)
			;
		out_add(o, s, n);
		s += n;
	}
}

/* ---- the HTML tree ---- */

static bool name_is(const xmlNode *n, const char *name)
{
	return n->name && strcasecmp((const char *)n->name, name) == 0;
}

static bool is_block(const xmlNode *n)
{
	static const char *const blocks[] = {
		"p", "div", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote",
		"pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "section",
		"article", "header", "footer", "center", "body",
	};

	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (name_is(n, blocks[i]))
			return true;
	return false;
}

/* Does attribute attr of n contain word (case-insensitive)? */
static bool attr_has(const xmlNode *n, const char *attr, const char *word)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	bool r = v && strcasestr((const char *)v, word) != NULL;

	xmlFree(v);
	return r;
}

/* Outlook desktop's separator before the "Von:/Gesendet:" block:
 * style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm" */
static bool outlook_separator(const xmlNode *n)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"style");
	char squeezed[256];
	size_t k = 0;
	bool r;

	if (!v)
		return false;
	for (const xmlChar *s = v; *s && k + 1 < sizeof(squeezed); s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			squeezed[k++] = (char)*s;
	squeezed[k] = '\0';
	xmlFree(v);
	r = strcasestr(squeezed, "border:none") && strcasestr(squeezed, "border-top:solid");
	return r;
}

/* What to do with an element: 0 walk into it, 1 skip it (quote, signature,
 * invisible), 2 stop here (the rest is history). */
static int classify(const xmlNode *n)
{
	static const char *const skipped[] = { "head", "script", "style", "title", "template" };
	static const char *const classes[] = {
		"gmail_quote", "gmail_signature", "gmail_attr", "moz-cite-prefix",
		"moz-signature", "yahoo_quoted",
	};

	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (name_is(n, skipped[i]))
			return 1;
	if (name_is(n, "blockquote") && attr_has(n, "type", "cite"))
		return 1;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (attr_has(n, "class", classes[i]))
			return 1;
	if (attr_has(n, "id", "divRplyFwdMsg"))
		return 2;
	if (name_is(n, "div") && outlook_separator(n))
		return 2;
	return 0;
}

static void enter(struct out *o, const xmlNode *n)
{
	if (name_is(n, "br")) {
		out_add(o, "\n", 1);
		return;
	}
	if (is_block(n))
		out_break(o);
	if (name_is(n, "li"))
		out_add(o, "- ", 2);
	if (name_is(n, "pre"))
		o->pre = true;
}

static void leave(struct out *o, const xmlNode *n)
{
	if (name_is(n, "pre"))
		o->pre = false;
	if (is_block(n))
		out_break(o);
	else if (name_is(n, "td") || name_is(n, "th"))
		out_add(o, " ", 1);
}

/* Walk the tree without recursion (its depth is the sender's choice). */
static void walk(struct out *o, xmlNode *root)
{
	xmlNode *n = root;

	while (n && !o->stop && !o->oom) {
		bool descend = false;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				out_text(o, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			int c = classify(n);

			if (c == 2) {
				o->stop = true;
				break;
			}
			if (c == 0) {
				enter(o, n);
				descend = n->children != NULL;
				if (!descend)
					leave(o, n);
			}
		}
		if (descend) {
			n = n->children;
			continue;
		}
		/* next sibling, or up until an ancestor has one, leaving each */
		while (n && n != root && !n->next) {
			n = n->parent;
			if (n && n->type == XML_ELEMENT_NODE)
				leave(o, n);
		}
		if (!n || n == root)
			break;
		n = n->next;
	}
}

char *letter_html_text(const char *html, size_t len)
{
	struct out o = { 0 };
	htmlDocPtr doc;
	xmlNode *root;

	if (len > (size_t)0x7fffffff)
		len = 0x7fffffff;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	                     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                     HTML_PARSE_RECOVER);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root)
		walk(&o, root);
	if (doc)
		xmlFreeDoc(doc);
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	return o.p ? o.p : strdup("");
}

/* ---- plain text ---- */

struct line {
	char *s;          /* not NUL-terminated */
	size_t n;         /* without the '\n' */
};

static bool starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* Outlook (and Gmail's plain part of a forwarded Outlook mail) may set the
 * field names in bold: "*Von:* …" */
static bool field_line(const char *s, size_t n, const char *const *names)
{
	trim(&s, &n);
	if (n && *s == '*')
		s++, n--;
	for (; *names; names++)
		if (starts_ci(s, n, *names))
			return true;
	return false;
}

/* "-----Original Message-----", "-----Ursprüngliche Nachricht-----" */
static bool original_marker(const char *s, size_t n)
{
	static const char *const names[] = {
		"Original Message", "Ursprüngliche Nachricht", "Originalnachricht", NULL,
	};

	trim(&s, &n);
	if (n < 4 || s[0] != '-' || s[1] != '-' || s[n - 1] != '-')
		return false;
	while (n && *s == '-')
		s++, n--;
	while (n && s[n - 1] == '-')
		n--;
	trim(&s, &n);
	for (const char *const *p = names; *p; p++)
		if (n == strlen(*p) && strncasecmp(s, *p, n) == 0)
			return true;
	return false;
}

/* a line of only '_' or '-' (Outlook's separator above "Von:") */
static bool rule_line(const char *s, size_t n)
{
	trim(&s, &n);
	if (n < 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* "Von: …" followed within 4 lines by "Gesendet: …"/"Sent: …"/"Datum:" */
static bool header_block(const struct line *l, size_t i, size_t nl)
{
	static const char *const from[] = { "Von:", "From:", NULL };
	static const char *const sent[] = { "Gesendet:", "Sent:", "Datum:", "Date:", NULL };

	if (!field_line(l[i].s, l[i].n, from))
		return false;
	for (size_t k = i + 1; k < nl && k <= i + 4; k++)
		if (field_line(l[k].s, l[k].n, sent))
			return true;
	return false;
}

static bool contains_ci(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, word, k) == 0)
			return true;
	return false;
}

/* "Am … schrieb …:" / "On … wrote:" in s (one line or two joined) */
static bool attribution_text(const char *s, size_t n)
{
	trim(&s, &n);
	if (n < 8 || s[n - 1] != ':')
		return false;
	if (starts_ci(s, n, "Am "))
		return contains_ci(s, n, " schrieb");
	if (starts_ci(s, n, "On "))
		return contains_ci(s, n, " wrote");
	return false;
}

/* the attribution may be wrapped over two lines (Gmail's plain text) */
static bool attribution(const struct line *l, size_t i, size_t nl)
{
	char joined[1024];
	size_t n;

	if (!starts_ci(l[i].s, l[i].n, "Am ") && !starts_ci(l[i].s, l[i].n, "On "))
		return false;
	if (attribution_text(l[i].s, l[i].n))
		return true;
	if (i + 1 >= nl || l[i].n + 1 + l[i + 1].n > sizeof(joined))
		return false;
	memcpy(joined, l[i].s, l[i].n);
	joined[l[i].n] = ' ';
	memcpy(joined + l[i].n + 1, l[i + 1].s, l[i + 1].n);
	n = l[i].n + 1 + l[i + 1].n;
	return attribution_text(joined, n);
}

static bool signature(const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	return (n == 3 && memcmp(s, "-- ", 3) == 0) || (n == 2 && memcmp(s, "--", 2) == 0);
}

/* Where the history starts: the index of the first line not kept. */
static size_t history_start(const struct line *l, size_t nl)
{
	for (size_t i = 0; i < nl; i++) {
		if (signature(l[i].s, l[i].n) || original_marker(l[i].s, l[i].n) ||
		    attribution(l, i, nl))
			return i;
		if (header_block(l, i, nl)) {
			size_t k = i;

			/* Outlook's rule above it, blank lines between */
			while (k > 0 && l[k - 1].n == 0)
				k--;
			if (k > 0 && rule_line(l[k - 1].s, l[k - 1].n))
				return k - 1;
			return i;
		}
	}
	return nl;
}

void letter_strip_text(char *text)
{
	struct line *l;
	size_t nl = 1, cut, w = 0;
	char *p;
	bool blank = false;

	for (p = text; *p; p++)
		nl += *p == '\n';
	l = malloc(nl * sizeof(*l));
	if (!l) {
		/* keep the text as it is rather than lose it */
		return;
	}
	nl = 0;
	for (p = text;;) {
		char *e = strchr(p, '\n');

		l[nl].s = p;
		l[nl].n = e ? (size_t)(e - p) : strlen(p);
		nl++;
		if (!e)
			break;
		p = e + 1;
	}
	cut = history_start(l, nl);
	/* the lines kept move to the front: each starts at or after w */
	for (size_t i = 0; i < cut; i++) {
		const char *s = l[i].s;
		size_t n = l[i].n;

		if (n && s[0] == '>')
			continue;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (n == 0) {
			blank = w > 0;
			continue;
		}
		if (blank)
			text[w++] = '\n';
		if (w)
			text[w++] = '\n';
		memmove(text + w, s, n);
		w += n;
		blank = false;
	}
	text[w] = '\0';
	free(l);
}

/* RFC 3676 §4.2: a line ending in a space is soft-broken (joined with the
 * next; with DelSp=yes that space goes), §4.4: a leading space is stuffing,
 * §4.3: "-- " (the signature separator) is never flowed.  Quoted lines stay
 * as they are: they are removed later anyway. */
void letter_unflow(char *text, bool delsp)
{
	char *r = text, *w = text;

	while (*r) {
		char *e = strchr(r, '\n');
		size_t n = e ? (size_t)(e - r) : strlen(r);
		bool soft = false;

		if (r[0] != '>') {
			if (n && r[0] == ' ')
				r++, n--;
			soft = n && r[n - 1] == ' ' && !(n == 3 && memcmp(r, "-- ", 3) == 0);
			if (soft && delsp)
				n--;
		}
		memmove(w, r, n);
		w += n;
		if (!e)
			break;
		r = e + 1;
		if (!soft || *r == '>' || *r == '\0')
			*w++ = '\n';
	}
	*w = '\0';
}

/* ---- the title ---- */

/* Past "Re:", "AW:", "WG:", "Fwd:", "Fw:", "Antw:" (also "Re[2]:"), as
 * often as they come, and the blanks around them. */
const char *letter_skip_prefixes(const char *s)
{
	static const char *const prefixes[] = { "re", "aw", "wg", "fwd", "fw", "antw", NULL };

	for (;;) {
		const char *p;
		bool found = false;

		s += strspn(s, " \t");
		for (const char *const *x = prefixes; *x && !found; x++) {
			size_t k = strlen(*x);

			if (strncasecmp(s, *x, k) != 0)
				continue;
			p = s + k;
			if (*p == '[' || *p == '(') {
				p++;
				p += strspn(p, "0123456789");
				if (*p != ']' && *p != ')')
					continue;
				p++;
			}
			p += strspn(p, " ");
			if (*p == ':') {
				s = p + 1;
				found = true;
			}
		}
		if (!found)
			return s;
	}
}

/* s without call (also after one "[tag] "), and the separators after it */
static const char *skip_call(const char *s, const char *call)
{
	const char *p = s;
	size_t k;

	if (!call || !*(call = letter_skip_prefixes(call)))
		return s;
	k = strlen(call);
	if (strncasecmp(p, call, k) != 0 && *p == '[' && strchr(p, ']')) {
		p = strchr(p, ']') + 1;
		p += strspn(p, " ");
	}
	if (strncasecmp(p, call, k) != 0)
		return s;
	p += k;
	while (*p && strchr(" \t-:|,;/", *p))
		p++;
	/* an en or em dash */
	while (!strncmp(p, "\xe2\x80\x93", 3) || !strncmp(p, "\xe2\x80\x94", 3)) {
		p += 3;
		p += strspn(p, " \t");
	}
	return p;
}

static char *title_of(const char *s, size_t n)
{
	char *r;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > LETTER_MAX_TITLE) {
		n = LETTER_MAX_TITLE;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* "Sehr geehrte Damen und Herren,", "Hallo zusammen,", "Dear all," */
static bool greeting(const char *s, size_t n)
{
	static const char *const words[] = {
		"Sehr geehrte", "Hallo", "Guten Tag", "Guten Morgen", "Liebe", "Lieber", "Moin",
		"Servus", "Grüß Gott", "Hi", "Hello", "Dear", "Good morning", NULL,
	};

	if (n == 0 || n > 80 || s[n - 1] != ',')
		return false;
	for (const char *const *w = words; *w; w++)
		if (strncasecmp(s, *w, strlen(*w)) == 0)
			return true;
	return false;
}

/* The text's first line that says something: past greetings and a
 * lead-in ("… melde ich folgendes Thema an:") to the line after it; its
 * first sentence. */
static char *text_title(const char *t)
{
	const char *line = NULL;
	size_t n = 0;

	for (const char *p = t; *p; ) {
		size_t k = strcspn(p, "\n");

		if (k && !greeting(p, k)) {
			line = p, n = k;
			if (p[k - 1] != ':')
				break;      /* a lead-in goes on: the next line says it */
		}
		p += k + (p[k] ? 1 : 0);
	}
	if (!line)
		return NULL;
	for (size_t i = 0; i + 1 < n; i++)
		if (strchr(".?!", line[i]) && line[i + 1] == ' ' && i > 0) {
			n = i + 1;
			break;
		}
	return title_of(line, n);
}

char *letter_title(const struct gr_letter *l, const char *call_subject)
{
	const char *subj = letter_skip_prefixes(l->subject ? l->subject : "");
	const char *rest = skip_call(subj, call_subject), *t = l->text ? l->text : "";

	rest += strspn(rest, " \t");
	if (*rest)
		return title_of(rest, strlen(rest));
	if (strspn(t, " \t\n") < strlen(t)) {
		char *r = text_title(t);

		if (r && *r)
			return r;
		free(r);
	}
	return title_of(subj, strlen(subj));
}
