/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: template parsing and rendering (src/template.c).  The
 * first byte of the input picks the override file (name and language),
 * the rest is its content; it is loaded with tmpl_load() from a private
 * folder, checked with service_check_templates() against a fixed config
 * (the example, etc/gremiumd.conf) and rendered with tmpl_render() with
 * that config's values.  Checked: a subject never holds a line end, and
 * what the check accepted renders.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "service.h"
#include "template.h"
#include "util.h"

#include "fuzz.h"

static struct gr_config *cfg;
static char dir[] = "/tmp/fuzz_template.XXXXXX";

static const struct tmpl_var vars[] = {
	{ "member_name", "Dr. Jürgen Müller" },
	{ "committee", "Kommunalgremium des IT-Planungsrats" },
	{ "short_name", "Kommunalgremium" },
	{ "summary", "Sitzung des Kommunalgremiums" },
	{ "date", "Donnerstag, 9. Juli 2026" },
	{ "old_date", "8. Juli 2026" },
	{ "time", "10:00 Uhr" },
	{ "end_time", "12:00 Uhr" },
	{ "location", "Videokonferenz\r\nBcc: x@example.org" },
	{ "url", "https://meet.example/kg" },
	{ "deadline", "Mittwoch, 1. Juli 2026" },
	{ "days", "7" },
	{ "in_days", "in 7 Tagen" },
	{ "topics_address", "themen@fitko.example" },
	{ "organizer", "FITKO (Vorsitz)" },
	{ "note", "Weihnachtspause" },
	{ "description", "Monatliche Sitzung.\nTagesordnung folgt." },
	{ "changes", "Neuer Ort: Bonn" },
};

static void setup(void)
{
	const char *conf = getenv("FUZZ_CONFIG");

	if (config_load(conf ? conf : FUZZ_SRCDIR "/etc/gremiumd.conf", &cfg, stderr) < 0 ||
	    !mkdtemp(dir))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { "de", "en" };
	struct tmpl_set *set = NULL;
	enum tmpl_name n;
	enum tmpl_lang l;
	char *file;
	int r;

	if (!cfg)
		setup();
	if (size < 1)
		return 0;
	n = (enum tmpl_name)(data[0] % TMPL_COUNT_);
	l = (enum tmpl_lang)((data[0] / TMPL_COUNT_) % TMPL_LANG_COUNT_);
	file = util_asprintf("%s/%s.%s.txt", dir, tmpl_name_str(n), langs[l]);
	if (!file || fuzz_write(file, data + 1, size - 1) < 0)
		abort();
	r = tmpl_load(dir, &set, NULL);
	if (r == 0) {
		r = service_check_templates(cfg, set, NULL);
		if (r == 0 || r == -EINVAL) {
			char *subject = NULL, *body = NULL;
			int rr = tmpl_render(set, n, l, vars, sizeof(vars) / sizeof(vars[0]),
			                     &subject, &body);

			if (rr == 0 && strpbrk(subject, "\r\n"))
				abort();    /* a value or a text added a header line */
			if (rr != 0 && rr != -EMSGSIZE)
				abort();
			/* accepted by check: renders (these values are shorter
			 * than the example's longest, or than check's buffers) */
			if (r == 0 && l == tmpl_lang_from_str(cfg->committee.language) && rr != 0)
				abort();
			free(subject);
			free(body);
		}
		tmpl_free(set);
	}
	(void)unlink(file);
	free(file);
	return 0;
}
