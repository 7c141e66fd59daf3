/* SPDX-License-Identifier: MIT */
/*
 * test_config-fixture.h - what the config tests share: the base configs
 * (BASE: one setting per line, so line numbers are easy to state), a temp
 * folder with the config file, and the helpers that edit, load and look
 * for a message.  Included by tests/test_config*.c only.
 */
#ifndef GREMIUM_TEST_CONFIG_FIXTURE_H
#define GREMIUM_TEST_CONFIG_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "mail.h"

static char tmpdir[] = "/tmp/test_config.XXXXXX";
static char conf_path[256];

static const char BASE[] =
	"committee = {\n"                                                       /*  1 */
	"  name = \"Testgremium\";\n"                                           /*  2 */
	"  short_name = \"TG\";\n"                                              /*  3 */
	"  domain = \"test.example\";\n"                                        /*  4 */
	"  timezone = \"Europe/Berlin\";\n"                                     /*  5 */
	"  language = \"de\";\n"                                                /*  6 */
	"  organizer = { name = \"Vorsitz\"; email = \"vorsitz@test.example\"; };\n" /* 7 */
	"  topics_address = \"themen@test.example\";\n"                         /*  8 */
	"};\n"                                                                  /*  9 */
	"groups = (\n"                                                          /* 10 */
	"  { id = \"a\"; name = \"Gruppe A\"; },\n"                             /* 11 */
	"  { id = \"b\"; name = \"Gruppe B\"; }\n"                              /* 12 */
	");\n"                                                                  /* 13 */
	"members = (\n"                                                         /* 14 */
	"  { name = \"Jürgen Müller\"; email = \"juergen@a.example\"; group = \"a\"; organisation = \"Landkreis A\"; },\n" /* 15 */
	"  { name = \"Käthe Weiß\"; email = \"kaethe@b.example\"; group = \"b\"; }\n" /* 16 */
	");\n"                                                                  /* 17 */
	"series = (\n"                                                          /* 18 */
	"  { id = \"online\";\n"                                                /* 19 */
	"    summary = \"Online\";\n"                                           /* 20 */
	"    description = \"Zeile 1\\nZeile 2\";\n"                            /* 21 */
	"    rrule = \"FREQ=MONTHLY;BYDAY=2WE\";\n"                             /* 22 */
	"    start = \"2026-01-14T10:00\";\n"                                   /* 23 */
	"    duration = 120;\n"                                                 /* 24 */
	"    location = \"Video\";\n"                                           /* 25 */
	"    url = \"https://video.test.example/raum\";\n"                      /* 26 */
	"    skip_months_of = \"praesenz\"; },\n"                               /* 27 */
	"  { id = \"praesenz\";\n"                                              /* 28 */
	"    summary = \"Präsenz\";\n"                                          /* 29 */
	"    dates = [ \"2027-03-17T10:00\", \"2026-03-18T10:00\" ];\n"         /* 30 */
	"    duration = 360; }\n"                                               /* 31 */
	");\n"                                                                  /* 32 */
	"exceptions = (\n"                                                      /* 33 */
	"  { series = \"online\"; date = \"2026-12-09\"; cancel = true; note = \"Pause\"; },\n" /* 34 */
	"  { series = \"online\"; date = \"2027-01-13\"; move_to = \"2027-01-20T14:00\"; }\n" /* 35 */
	");\n"                                                                  /* 36 */
	"notifications = {\n"                                                   /* 37 */
	"  send_time = \"08:30\";\n"                                            /* 38 */
	"  topic_call = { days_before = 21; deadline_days_before = 7; };\n"     /* 39 */
	"  reminders_days_before = [ 1, 7, 0 ];\n"                              /* 40 */
	"};\n"                                                                  /* 41 */
	"delivery = {\n"                                                        /* 42 */
	"  transport = \"smtp\";\n"                                             /* 43 */
	"  smtp_url = \"smtps://mail.test.example:465\";\n"                     /* 44 */
	"  starttls = \"required\";\n"                                          /* 45 */
	"  username = \"gremiumd\";\n"                                          /* 46 */
	"  password_file = \"secret/pw\";\n"                                    /* 47 */
	"  connections = 8;\n"                                                  /* 48 */
	"  retry_for_hours = 24;\n"                                             /* 49 */
	"};\n"                                                                  /* 50 */
	"feed = {\n"                                                            /* 51 */
	"  listen = \"127.0.0.1:8080\";\n"                                      /* 52 */
	"  path = \"/tg.ics\";\n"                                               /* 53 */
	"};\n"                                                                  /* 54 */
	"state = \"/var/lib/gremiumd/state.db\";\n";                            /* 55 */

/* The smallest valid config: everything optional left out. */
static const char MINIMAL[] =
	"committee = { name = \"M\"; short_name = \"M\"; domain = \"m.example\"; timezone = \"UTC\";\n"
	"  organizer = { name = \"O\"; email = \"o@m.example\"; }; };\n"
	"groups = ( { id = \"g\"; name = \"G\"; } );\n"
	"members = ( { name = \"A\"; email = \"a@m.example\"; group = \"g\"; } );\n"
	"series = ( { id = \"s\"; summary = \"S\"; dates = [ \"2027-01-01T10:00\" ]; duration = 60; } );\n";

/* ---- helpers ---- */

static inline void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* BASE with up to two edits (first occurrence each); caller frees. */
static inline char *edit(const char *text, const char *from, const char *to, const char *from2, const char *to2)
{
	const char *p;
	char *out, *again;
	size_t len;

	if (!from)
		return strdup(text);
	p = strstr(text, from);
	if (!p)
		return NULL;
	len = strlen(text) - strlen(from) + strlen(to) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	snprintf(out, len, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	if (!from2)
		return out;
	again = edit(out, from2, to2, NULL, NULL);
	free(out);
	return again;
}

/* Load text from conf_path; *ret_errs gets the messages (caller frees). */
static inline int load_text(const char *text, struct gr_config **ret_cfg, char **ret_errs)
{
	size_t len = 0;
	FILE *errs = open_memstream(ret_errs, &len);
	int r;

	assert_non_null(errs);
	write_file(conf_path, text);
	r = config_load(conf_path, ret_cfg, errs);
	assert_int_equal(fclose(errs), 0);
	return r;
}

/* Does errs have a line "conf_path:line: ...want..."? */
static inline bool has_message(const char *errs, int line, const char *want)
{
	char prefix[300];
	const char *p = errs;

	snprintf(prefix, sizeof(prefix), "%s:%d: ", conf_path, line);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *msg = strndup(p, n);
		bool hit = msg && strncmp(msg, prefix, strlen(prefix)) == 0 && strstr(msg, want);

		free(msg);
		if (hit)
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static inline char *in_tmp(const char *rel)
{
	static char buf[400];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, rel);
	return buf;
}

static inline int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/gremiumd.conf", tmpdir);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	(void)unlink(conf_path);
	(void)rmdir(tmpdir);
	mail_shutdown();
	return 0;
}

#endif
