/* SPDX-License-Identifier: MIT */
/*
 * letter_bench DIR - classify every mail of the maildir DIR (its new/) with
 * letter_parse() and letter_title(): what the inbound pass does with each
 * message before the store (read the file, parse, pick the text, strip the
 * quotes, detect auto-replies and bounces, make the title).  Prints
 *   mails N invalid I report R automatic A text T bytes B
 * (T: letters with a text; B: bytes of all texts and titles), the same
 * line as bench/letter_baseline.py, so the two can be compared.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "util.h"

#define MAX_MAIL (64u * 1024 * 1024)

int main(int argc, char **argv)
{
	unsigned long mails = 0, invalid = 0, report = 0, automatic = 0, text = 0, bytes = 0;
	char path[4096];
	struct dirent *e;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: letter_bench MAILDIR\n");
		return 64;
	}
	snprintf(path, sizeof(path), "%s/new", argv[1]);
	d = opendir(path);
	if (!d) {
		perror(path);
		return 66;
	}
	while ((e = readdir(d))) {
		struct gr_letter l;
		char *data, *title;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/new/%s", argv[1], e->d_name);
		if (util_read_file(path, MAX_MAIL, &data, &len) < 0 ||
		    letter_parse(data, len, &l) < 0) {
			fprintf(stderr, "letter_bench: %s: cannot read or out of memory\n", path);
			return 1;
		}
		free(data);
		title = letter_title(&l, "[Kommunalgremium] Themenanmeldung: Sitzung des "
		                         "Kommunalgremiums am 14.01.2027");
		if (!title)
			return 1;
		mails++;
		invalid += l.invalid != NULL;
		report += l.is_report;
		automatic += l.automatic != NULL;
		text += *l.text != '\0';
		bytes += strlen(l.text) + strlen(title);
		free(title);
		letter_free(&l);
	}
	closedir(d);
	printf("mails %lu invalid %lu report %lu automatic %lu text %lu bytes %lu\n", mails,
	       invalid, report, automatic, text, bytes);
	return 0;
}
