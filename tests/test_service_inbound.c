/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/service-inbound.c: one pass over a maildir source on
 * the example config in a temporary folder.  Each message recorded once
 * with its class; a topic and its confirmation in the same transaction; a
 * message found again after a crash (recorded, not yet marked done) is only
 * marked done; a repeated Message-ID is a duplicate.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "schedule.h"
#include "service.h"
#include "store.h"
#include "util.h"

struct fixture {
	char dir[64];
	struct gr_config *cfg;
	struct tmpl_set *tmpl;
	struct store *db;
	int lines, errors;
};

static const char member_mail[] =
	"From: =?UTF-8?Q?K=C3=A4the_Wei=C3=9F?= <Kaethe.Weiss@kreis-beispielheim.example>\n"
	"To: themen@fitko.example\n"
	"Subject: Breitbandausbau\n"
	"Message-ID: <m1@kreis-beispielheim.example>\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"Hallo zusammen,\n\nBitte über den Breitbandausbau sprechen.\n";

static const char stranger_mail[] =
	"From: Vertrieb <vertrieb@anbieter.example>\n"
	"Subject: Angebot\n"
	"Message-ID: <s1@anbieter.example>\n"
	"\n"
	"Wir bieten an.\n";

static time_t at(const struct gr_config *cfg, int y, int m, int d, int hh, int mm)
{
	struct gr_localtime lt = { y, m, d, hh, mm };
	return sched_to_utc(&lt, cfg->committee.timezone);
}

static void put(const struct fixture *f, const char *name, const void *bytes, size_t len)
{
	char *path = util_asprintf("%s/inbox/new/%s", f->dir, name);

	assert_non_null(path);
	assert_int_equal(util_write_atomic(path, bytes, len, 0644), 0);
	free(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *conf, *text = NULL, *full, err[512];
	size_t len;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_service_inbound.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	conf = util_asprintf("%s/gremiumd.conf", f->dir);
	if (util_read_file(TEST_SRCDIR "/etc/gremiumd.conf", 1 << 20, &text, &len) < 0)
		return -1;
	full = util_asprintf("%s\ninbound = { source = \"maildir\"; maildir = \"inbox\"; "
	                     "max_message_kb = 8; };\n", text);
	for (const char *sub = "new\0cur\0tmp\0"; *sub; sub += strlen(sub) + 1) {
		char *d = util_asprintf("%s/inbox/%s", f->dir, sub);
		if (!d || util_mkdir_p(d, 0755) < 0)
			return -1;
		free(d);
	}
	if (!full || util_write_atomic(conf, full, strlen(full), 0644) < 0 ||
	    config_load(conf, &f->cfg, stderr) < 0 || tmpl_load(NULL, &f->tmpl, stderr) < 0 ||
	    store_open(f->cfg->state, 0, &f->db, err, sizeof(err)) < 0)
		return -1;
	free(full);
	free(text);
	free(conf);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = util_asprintf("rm -rf '%s'", f->dir);

	store_close(f->db);
	tmpl_free(f->tmpl);
	config_free(f->cfg);
	if (cmd && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f);
	return 0;
}

static void count_line(void *userdata, int priority, const char *line)
{
	struct fixture *f = userdata;

	(void)line;
	f->lines++;
	f->errors += priority <= LOG_ERR;
}

static struct service_inbound_info pass(struct fixture *f, time_t now)
{
	struct service_inbound_info info;
	char err[512];

	assert_int_equal(service_inbound(f->cfg, f->tmpl, f->db, now, count_line, f, &info, err,
	                                 sizeof(err)), 0);
	return info;
}

/* The classes, the topic and its confirmation, once each. */
static void test_pass(void **state)
{
	struct fixture *f = *state;
	time_t now = at(f->cfg, 2026, 12, 1, 9, 0);
	struct service_inbound_info info;
	struct store_inbox *rows;
	struct store_topic *t;
	struct store_counts c;
	char mid[256], *kind = NULL, *occ = NULL, *big;
	size_t n, nt;

	put(f, "1.M1.test", member_mail, strlen(member_mail));
	put(f, "2.M2.test", stranger_mail, strlen(stranger_mail));
	put(f, "3.M3.test", "\x01\x02 no mail at all", 18);
	big = malloc(10000);
	assert_non_null(big);
	memset(big, 'x', 10000);
	memcpy(big, "Subject: big\n\n", 14);
	put(f, "4.M4.test", big, 10000);
	free(big);
	info = pass(f, now);
	assert_int_equal(info.recorded, 4);
	assert_int_equal(info.topics, 1);
	assert_int_equal(info.held, 1);
	assert_int_equal(info.too_large, 1);
	assert_int_equal(f->lines, 4 + 2);     /* per message; the invalid and large ones */
	assert_int_equal(f->errors, 2);

	assert_int_equal(store_inbox_list(f->db, false, &rows, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].class, "topic");
	assert_string_equal(rows[0].sender, "Kaethe.Weiss@kreis-beispielheim.example");
	assert_string_equal(rows[0].outcome, "topic 1 for 2027-01-20T14:00");
	assert_null(rows[0].text);
	assert_string_equal(rows[1].class, "stranger");
	assert_true(rows[1].held);
	assert_string_equal(rows[1].text, "Wir bieten an.");
	assert_string_equal(rows[2].class, "invalid");
	assert_string_equal(rows[3].class, "too-large");
	store_inbox_free(rows, n);

	/* the topic: the next meeting with an open deadline (December's is cancelled) */
	assert_int_equal(store_topic_list(f->db, NULL, true, &t, &nt), 0);
	assert_int_equal(nt, 1);
	assert_string_equal(t[0].meeting, "2027-01-20T14:00");
	assert_string_equal(t[0].title, "Breitbandausbau");
	assert_string_equal(t[0].member, "kaethe.weiss@kreis-beispielheim.example");
	assert_string_equal(t[0].organisation, "Kreis Beispielheim");
	assert_int_equal(t[0].inbox_id, 1);
	store_topic_free(t, nt);
	snprintf(mid, sizeof(mid), "gremium.%s.topic-confirmation.1@%s", f->cfg->committee.id,
	         f->cfg->committee.domain);
	assert_int_equal(store_outbox_lookup(f->db, mid, &kind, NULL, &occ), 0);
	assert_string_equal(kind, "topic-confirmation");
	assert_string_equal(occ, "2027-01-20T14:00");
	free(kind);
	free(occ);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 1);

	/* nothing new: nothing done */
	info = pass(f, now);
	assert_int_equal(info.recorded, 0);
	assert_int_equal(info.already_seen, 0);

	/* a crash after recording, before the mail was marked done: it is
	 * found in new/ again, only marked done */
	put(f, "1.M1.test", member_mail, strlen(member_mail));
	info = pass(f, now);
	assert_int_equal(info.recorded, 0);
	assert_int_equal(info.already_seen, 1);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 1);

	/* the same Message-ID in another file: a duplicate, not answered */
	put(f, "5.M5.test", member_mail, strlen(member_mail));
	info = pass(f, now);
	assert_int_equal(info.recorded, 1);
	assert_int_equal(info.duplicates, 1);
	assert_int_equal(info.topics, 0);
	assert_int_equal(store_counts(f->db, &c), 0);
	assert_int_equal(c.queued, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pass, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
