/* SPDX-License-Identifier: MIT */
/*
 * letter_probe FILE... - print what letter_parse() makes of each file as
 * one JSON object per line (for tests/check_letter.py, which compares it
 * with Python's email package).  Exit 0, or 1 when a file can't be read or
 * memory runs out.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "util.h"

/* a JSON string (RFC 8259 §7): the text is valid UTF-8 already */
static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void field(const char *name, const char *value, bool first)
{
	printf("%s\"%s\": ", first ? "" : ", ", name);
	json_str(value);
}

static void print_letter(const char *path, const struct gr_letter *l, const char *title)
{
	putchar('{');
	field("file", path, true);
	field("invalid", l->invalid, false);
	field("message_id", l->message_id, false);
	field("from", l->from, false);
	field("from_name", l->from_name, false);
	field("reply_to", l->reply_to, false);
	field("sender", l->sender, false);
	field("return_path", l->return_path, false);
	field("in_reply_to", l->in_reply_to, false);
	fputs(", \"references\": [", stdout);
	for (size_t i = 0; i < l->n_references; i++) {
		if (i)
			fputs(", ", stdout);
		json_str(l->references[i]);
	}
	putchar(']');
	field("subject", l->subject, false);
	printf(", \"date\": %lld", (long long)l->date);
	field("text", l->text, false);
	field("title", title, false);
	field("automatic", l->automatic, false);
	printf(", \"is_report\": %s", l->is_report ? "true" : "false");
	field("calendar", l->calendar, false);
	fputs(", \"attachments\": [", stdout);
	for (size_t i = 0; i < l->n_attachments; i++) {
		printf("%s{", i ? ", " : "");
		field("name", l->attachments[i].name, true);
		field("type", l->attachments[i].type, false);
		printf(", \"size\": %zu}", l->attachments[i].size);
	}
	puts("]}");
}

int main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		struct gr_letter l;
		char *data, *title;
		size_t len;
		int r = util_read_file(argv[i], 256u * 1024 * 1024, &data, &len);

		if (r < 0) {
			fprintf(stderr, "letter_probe: %s: %s\n", argv[i], util_file_strerror(r));
			status = 1;
			continue;
		}
		r = letter_parse(data, len, &l);
		free(data);
		/* the title as for a reply to this call subject, when given */
		title = r == 0 ? letter_title(&l, getenv("LETTER_CALL_SUBJECT")) : NULL;
		if (r < 0 || !title) {
			fprintf(stderr, "letter_probe: %s: out of memory\n", argv[i]);
			letter_free(&l);
			return 1;
		}
		print_letter(argv[i], &l, title);
		free(title);
		letter_free(&l);
	}
	return status;
}
