/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the phase-2 keys of src/config*.c (DESIGN.md "Phase 2"):
 * the inbound group, members' aliases, committee.chair_address,
 * notifications.agenda_days_after_deadline and feed.agenda.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "config.h"
#include "mail.h"
#include "util.h"

#include "test_config-fixture.h"

#define IMAP "inbound = { source = \"imap\"; imap_url = \"imaps://imap.test.example/INBOX\"; " \
	     "username = \"tg\"; password_file = \"secret/imap\"; };\n"

/* Absent: nothing is read, and the defaults of the other keys. */
static void test_phase2_defaults(void **state)
{
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_int_equal(load_text(BASE, &cfg, &errs), 0);
	assert_string_equal(errs, "");
	assert_int_equal(cfg->inbound.source, GR_INBOUND_NONE);
	assert_null(cfg->inbound.imap_url);
	/* the chair gets reports at the organizer's address unless set */
	assert_string_equal(cfg->committee.chair_address, "vorsitz@test.example");
	assert_int_equal(cfg->notifications.agenda_days_after_deadline, 1);
	assert_false(cfg->feed.agenda);
	assert_int_equal(cfg->members[0].n_aliases, 0);
	assert_int_equal(cfg->notifications.answer_reminder_days_before, 5);
	assert_string_equal(cfg->delivery.bounce_address, "bounces@test.example");
	assert_false(cfg->quorum.set);
	assert_int_equal(cfg->quorum.min_present, 0);
	assert_int_equal(cfg->quorum.report_days_before, 3);
	config_free(cfg);
	free(errs);
}

static void test_inbound_imap(void **state)
{
	char *text = edit(BASE, "state =", IMAP "state =", "topics_address = \"themen@test.example\";",
	                  "topics_address = \"themen@test.example\"; chair_address = \"chef@test.example\";");
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_non_null(text);
	if (load_text(text, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_int_equal(cfg->inbound.source, GR_INBOUND_IMAP);
	assert_string_equal(cfg->inbound.imap_url, "imaps://imap.test.example/INBOX");
	assert_string_equal(cfg->inbound.username, "tg");
	assert_string_equal(cfg->inbound.password_file, in_tmp("secret/imap"));
	assert_string_equal(cfg->inbound.done_folder, "gremiumd-done");
	assert_string_equal(cfg->inbound.maildir, in_tmp("var/inbox"));
	assert_int_equal(cfg->inbound.poll_seconds, 120);
	assert_int_equal(cfg->inbound.max_message_kb, 10240);
	assert_int_equal(cfg->inbound.timeout, 60);
	assert_int_equal(cfg->inbound.password_line, 55);
	assert_string_equal(cfg->committee.chair_address, "chef@test.example");
	config_free(cfg);
	free(errs);
	free(text);
}

static void test_inbound_maildir(void **state)
{
	char *text = edit(BASE, "state =",
	                  "inbound = { source = \"maildir\"; maildir = \"/srv/mail/tg\"; poll_seconds = 30; max_message_kb = 64; };\n"
	                  "state =",
	                  "path = \"/tg.ics\";", "path = \"/tg.ics\"; agenda = true;");
	char *agenda = edit(BASE, "send_time = \"08:30\";", "send_time = \"08:30\"; agenda_days_after_deadline = 0;",
	                    NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	if (load_text(text, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_int_equal(cfg->inbound.source, GR_INBOUND_MAILDIR);
	assert_string_equal(cfg->inbound.maildir, "/srv/mail/tg");
	assert_int_equal(cfg->inbound.poll_seconds, 30);
	assert_int_equal(cfg->inbound.max_message_kb, 64);
	assert_true(cfg->feed.agenda);
	config_free(cfg);
	free(errs);
	if (load_text(agenda, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_int_equal(cfg->notifications.agenda_days_after_deadline, 0);
	config_free(cfg);
	free(errs);
	free(text), free(agenda);
}

static void test_quorum_bounces(void **state)
{
	char *text = edit(BASE, "state =", "quorum = { min_present = 2; report_days_before = 4; };\nstate =",
	                  "retry_for_hours = 24;", "retry_for_hours = 24; bounce_address = \"rueck@test.example\";");
	char *reminder = edit(BASE, "send_time = \"08:30\";", "send_time = \"08:30\"; answer_reminder_days_before = 0;",
	                      NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	if (load_text(text, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_true(cfg->quorum.set);
	assert_int_equal(cfg->quorum.min_present, 2);
	assert_int_equal(cfg->quorum.report_days_before, 4);
	assert_string_equal(cfg->delivery.bounce_address, "rueck@test.example");
	config_free(cfg);
	free(errs);
	if (load_text(reminder, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_int_equal(cfg->notifications.answer_reminder_days_before, 0);
	config_free(cfg);
	free(errs);
	free(text), free(reminder);
}

static void test_aliases(void **state)
{
	char *text = edit(BASE, "organisation = \"Landkreis A\"; }",
	                  "organisation = \"Landkreis A\"; aliases = [ \"j.mueller@kreis.example\", \"JM@a.example\" ]; }",
	                  NULL, NULL);
	struct gr_config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	if (load_text(text, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_int_equal(cfg->members[0].n_aliases, 2);
	assert_string_equal(cfg->members[0].aliases[0], "j.mueller@kreis.example");
	assert_string_equal(cfg->members[0].aliases[1], "JM@a.example");
	assert_int_equal(cfg->members[1].n_aliases, 0);
	config_free(cfg);
	free(errs);
	free(text);
}

struct broken2 {
	const char *name;
	const char *from, *to, *from2, *to2;
	int line;
	const char *want;
};

static const struct broken2 broken2[] = {
	{ "unknown source", "state =", "inbound = { source = \"pop3\"; };\nstate =", NULL, NULL, 55,
	  "inbound.source: \"pop3\" is not a source (imap or maildir)" },
	{ "no source", "state =", "inbound = { maildir = \"/srv/m\"; };\nstate =", NULL, NULL, 55,
	  "inbound.source: missing (imap or maildir)" },
	{ "imap without url", "state =", "inbound = { source = \"imap\"; username = \"u\"; };\nstate =", NULL, NULL, 55,
	  "inbound.imap_url: missing (required with source = \"imap\")" },
	{ "imap with pop url", "state =", IMAP "state =", "imaps://imap.test.example/INBOX",
	  "pop3s://imap.test.example/INBOX", 55, "inbound.imap_url: \"pop3s://imap.test.example/INBOX\" is not imaps://" },
	{ "credentials in the url", "state =", IMAP "state =", "imaps://imap", "imaps://u:p@imap", 55,
	  "(credentials go in username and password_file)" },
	{ "imap without username", "state =",
	  "inbound = { source = \"imap\"; imap_url = \"imap://127.0.0.1:1143/INBOX\"; };\nstate =", NULL, NULL, 55,
	  "inbound.username: missing" },
	{ "both secrets", "state =", IMAP "state =", "password_file = \"secret/imap\";",
	  "password_file = \"secret/imap\"; password_credential = \"imap\";", 55,
	  "inbound: password_file and password_credential exclude each other" },
	{ "bad done folder", "state =", IMAP "state =", "username = \"tg\";", "username = \"tg\"; done_folder = \"a b\";", 55,
	  "inbound.done_folder: \"a b\": an IMAP folder name" },
	{ "poll too often", "state =", IMAP "state =", "username = \"tg\";", "username = \"tg\"; poll_seconds = 1;", 55,
	  "inbound.poll_seconds" },
	{ "alias not an address", "organisation = \"Landkreis A\"; }",
	  "organisation = \"Landkreis A\"; aliases = [ \"kein-mail\" ]; }", NULL, NULL, 15, "members[0].aliases[0]:" },
	{ "alias of another member", "organisation = \"Landkreis A\"; }",
	  "organisation = \"Landkreis A\"; aliases = [ \"Kaethe@b.example\" ]; }", NULL, NULL, 16,
	  "members[1].email: \"kaethe@b.example\" is already an alias of members[0]" },
	{ "alias twice", "organisation = \"Landkreis A\"; }",
	  "organisation = \"Landkreis A\"; aliases = [ \"x@a.example\" ]; }", "group = \"b\"; }",
	  "group = \"b\"; aliases = [ \"X@a.example\" ]; }", 16,
	  "members[1].aliases[0]: \"X@a.example\" is already an alias of members[0]" },
	{ "aliases not a list", "organisation = \"Landkreis A\"; }", "organisation = \"Landkreis A\"; aliases = 3; }",
	  NULL, NULL, 15, "members[0].aliases: must be a list" },
	{ "chair not an address", "topics_address = \"themen@test.example\";",
	  "topics_address = \"themen@test.example\"; chair_address = \"chef\";", NULL, NULL, 8,
	  "committee.chair_address" },
	{ "agenda days out of range", "send_time = \"08:30\";", "send_time = \"08:30\"; agenda_days_after_deadline = 31;",
	  NULL, NULL, 38, "notifications.agenda_days_after_deadline" },
	{ "quorum above the members", "state =", "quorum = { min_present = 3; };\nstate =", NULL, NULL, 55,
	  "quorum.min_present: 3, but there are only 2 members (it could never be reached)" },
	{ "quorum not a group", "state =", "quorum = 8;\nstate =", NULL, NULL, 55, "quorum: must be a group" },
	{ "quorum report out of range", "state =", "quorum = { report_days_before = 400; };\nstate =", NULL, NULL, 55,
	  "quorum.report_days_before" },
	{ "unknown quorum key", "state =", "quorum = { min = 3; };\nstate =", NULL, NULL, 55, "quorum.min: unknown setting" },
	{ "bounce address with plus", "retry_for_hours = 24;", "retry_for_hours = 24; bounce_address = \"b+x@test.example\";",
	  NULL, NULL, 49, "delivery.bounce_address: \"b+x@test.example\": no '+' in the local part" },
	{ "answer reminder out of range", "send_time = \"08:30\";",
	  "send_time = \"08:30\"; answer_reminder_days_before = -1;", NULL, NULL, 38,
	  "notifications.answer_reminder_days_before" },
	{ "feed agenda not a bool", "path = \"/tg.ics\";", "path = \"/tg.ics\"; agenda = \"yes\";", NULL, NULL, 53,
	  "feed.agenda" },
};

static void test_broken2(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(broken2) / sizeof(broken2[0]); i++) {
		const struct broken2 *b = &broken2[i];
		char *text = edit(BASE, b->from, b->to, b->from2, b->to2);
		struct gr_config *cfg = NULL;
		char *errs = NULL;

		if (!text)
			fail_msg("%s: the edit does not apply", b->name);
		if (load_text(text, &cfg, &errs) != -EINVAL || !has_message(errs, b->line, b->want))
			fail_msg("%s: want line %d \"%s\", got:\n%s", b->name, b->line, b->want, errs);
		assert_null(cfg);
		free(errs);
		free(text);
	}
}

/* The example's inbound and quorum blocks, uncommented as an admin would ("# " off the
 * block's lines, comments inside kept), is valid as written. */
static void test_example_inbound(void **state)
{
	char *text = NULL, *out;
	size_t len = 0, olen = 0;
	bool in_block = false;
	struct gr_config *cfg = NULL;
	char *errs = NULL;
	FILE *o;
	const char *p, *nl;

	(void)state;
	assert_int_equal(util_read_file(TEST_SRCDIR "/etc/gremiumd.conf", 1 << 20, &text, &len), 0);
	o = open_memstream(&out, &olen);
	assert_non_null(o);
	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (strncmp(p, "# inbound = {", 13) == 0 || strncmp(p, "# quorum = {", 12) == 0)
			in_block = true;
		if (in_block && strncmp(p, "# ", 2) == 0)
			fprintf(o, "%.*s\n", (int)(nl - p - 2), p + 2);
		else
			fprintf(o, "%.*s\n", (int)(nl - p), p);
		if (in_block && strncmp(p, "# };", 4) == 0)
			in_block = false;
	}
	assert_int_equal(fclose(o), 0);
	assert_non_null(strstr(out, "\ninbound = {"));
	/* the example's paths are relative to the config: the folder of conf_path */
	if (load_text(out, &cfg, &errs) != 0)
		fail_msg("%s", errs);
	assert_int_equal(cfg->inbound.source, GR_INBOUND_IMAP);
	assert_string_equal(cfg->inbound.imap_url, "imaps://mail.fitko.example/INBOX");
	assert_string_equal(cfg->inbound.password_credential, "gremiumd.imap-password");
	assert_int_equal(cfg->members[0].n_aliases, 1);
	assert_true(cfg->quorum.set);
	assert_int_equal(cfg->quorum.min_present, 8);
	config_free(cfg);
	free(errs);
	free(out);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phase2_defaults),
		cmocka_unit_test(test_inbound_imap),
		cmocka_unit_test(test_inbound_maildir),
		cmocka_unit_test(test_quorum_bounces),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_broken2),
		cmocka_unit_test(test_example_inbound),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
