/* SPDX-License-Identifier: MIT */
/* Unit tests for src/transport.c: maildir delivery, the envelope checks,
 * the asynchronous interface with maildir, the way to the smtp backend
 * (tests/test_smtp.c; SMTP dialogues end to end in tests/e2e_smtp.sh). */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"

static char tdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/gremium-tr-XXXXXX");
	return mkdtemp(tdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char *cmd = util_asprintf("rm -rf '%s'", tdir);
	(void)state;
	if (cmd)
		(void)system(cmd);
	free(cmd);
	return 0;
}

/* Names of the files in dir (at most max), sorted; returns the count. */
static int list_dir(const char *dir, char names[][256], int max)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), count = 0;

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && count < max)
			snprintf(names[count++], 256, "%s", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return count;
}

static void test_maildir(void **state)
{
	static const char msg1[] = "From: a@b.example\r\nTo: c@d.example\r\n\r\nFirst\r\n";
	static const char msg2[] = "From: a@b.example\r\nTo: c@d.example\r\n\r\nSecond\r\n";
	/* as delivered: the envelope sender on top (Return-Path:, as an MTA adds it) */
	static const char got1[] = "Return-Path: <a@b.example>\r\n"
	                           "From: a@b.example\r\nTo: c@d.example\r\n\r\nFirst\r\n";
	static const char got2[] = "Return-Path: <bounces+2-0a0b0c0d@b.example>\r\n"
	                           "From: a@b.example\r\nTo: c@d.example\r\n\r\nSecond\r\n";
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256], names[4][256], *path, *data;
	size_t len;
	struct stat st;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = util_asprintf("%s/var/outbox", tdir);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	assert_string_equal(tr_name(t), "maildir");
	for (const char *const *d = (const char *const[]){ "tmp", "new", "cur", NULL }; *d; d++) {
		path = util_asprintf("%s/%s", cfg.delivery.maildir, *d);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
		free(path);
	}
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example", msg1, strlen(msg1), &out), 0);
	assert_int_equal(out.result, TR_SENT);
	assert_non_null(strstr(out.reply, "/new/"));
	assert_int_equal(tr_send(t, "bounces+2-0a0b0c0d@b.example", "c@d.example", msg2, strlen(msg2),
	                         &out), 0);

	path = util_asprintf("%s/new", cfg.delivery.maildir);
	assert_int_equal(list_dir(path, names, 4), 2);
	free(path);
	assert_string_not_equal(names[0], names[1]);
	for (int i = 0; i < 2; i++) {
		/* "<sec>.M<usec>P<pid>Q<n>R<random>.<host>", no ':' or '/' */
		assert_non_null(strstr(names[i], ".M"));
		assert_non_null(strstr(names[i], "Q"));
		assert_null(strchr(names[i], ':'));
		path = util_asprintf("%s/new/%s", cfg.delivery.maildir, names[i]);
		assert_int_equal(util_read_file(path, 4096, &data, &len), 0);
		/* byte for byte what was sent, whichever came first */
		assert_true((len == strlen(got1) && memcmp(data, got1, len) == 0) ||
		            (len == strlen(got2) && memcmp(data, got2, len) == 0));
		free(data);
		free(path);
	}
	path = util_asprintf("%s/tmp", cfg.delivery.maildir);
	assert_int_equal(list_dir(path, names, 4), 0);     /* nothing left behind */
	free(path);
	tr_free(t);
	tr_free(NULL);
	free(cfg.delivery.maildir);
}

static void test_maildir_failure(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256], *path;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = tdir;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	/* tmp/ replaced by a file: delivery fails, temporarily */
	path = util_asprintf("%s/tmp", tdir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(util_write_atomic(path, "x", 1, 0600), 0);
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example", "x\r\n", 3, &out), -EAGAIN);
	assert_int_equal(out.result, TR_TEMPORARY);
	assert_non_null(strstr(out.reply, "maildir: cannot deliver"));
	free(path);
	tr_free(t);

	/* a maildir that cannot be created */
	cfg.delivery.maildir = "/proc/gremium-no/outbox";
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr) < 0, 1);
	assert_non_null(strstr(err, "maildir: cannot create"));
}

static void test_envelope_injection(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256];
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = tdir;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example>\r\nRCPT TO:<x@y.example",
	                         "x\r\n", 3, &out), -EIO);
	assert_int_equal(out.result, TR_PERMANENT);
	tr_free(t);
}

/* What the asynchronous hooks saw. */
struct async_log {
	int done;
	void *last_job;
	struct tr_outcome last;
};

static void async_done(void *data, void *job, const struct tr_outcome *out)
{
	struct async_log *log = data;

	log->done++;
	log->last_job = job;
	log->last = *out;
}

/* maildir through the asynchronous API: done() before tr_start() returns,
 * so its slots are always free; a bad envelope is done() too. */
static void test_maildir_async(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct async_log log = { 0 };
	struct tr_hooks hooks = { NULL, async_done, &log };
	char err[256], names[4][256], *path;
	int job1, job2;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = tdir;
	cfg.delivery.connections = 2;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	assert_int_equal(tr_slots_free(t), 0);
	assert_int_equal(tr_async(t, &hooks), 0);
	assert_int_equal(tr_async(t, &hooks), -EALREADY);
	assert_int_equal(tr_slots_free(t), 2);
	assert_int_equal(tr_start(t, &job1, "a@b.example", "c@d.example", "x\r\n", 3), 0);
	assert_int_equal(log.done, 1);
	assert_ptr_equal(log.last_job, &job1);
	assert_int_equal(log.last.result, TR_SENT);
	assert_int_equal(tr_slots_free(t), 2);
	assert_int_equal(tr_start(t, &job2, "a@b.example", "c d@x", "x\r\n", 3), 0);
	assert_int_equal(log.done, 2);
	assert_ptr_equal(log.last_job, &job2);
	assert_int_equal(log.last.result, TR_PERMANENT);
	assert_int_equal(tr_run(t), 0);
	path = util_asprintf("%s/new", tdir);
	assert_int_equal(list_dir(path, names, 4), 1);
	free(path);
	tr_async_end(t);
	assert_int_equal(tr_slots_free(t), 0);
	tr_free(t);
}

/* transport = "smtp" goes to the smtp backend (tested in test_smtp.c);
 * until tr_async() it takes no asynchronous delivery. */
static void test_smtp_front(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256];
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_SMTP;
	cfg.delivery.starttls_required = true;
	cfg.delivery.smtp_url = "smtp://127.0.0.1:25";
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), 0);
	assert_string_equal(tr_name(t), "smtp");
	assert_int_equal(tr_slots_free(t), 0);
	/* the envelope is checked before the backend sees it */
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example>\r\nRCPT TO:<x@y.example",
	                         "x\r\n", 3, &out), -EIO);
	assert_int_equal(out.result, TR_PERMANENT);
	tr_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_maildir, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_failure, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_envelope_injection, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_async, setup_dir, teardown_dir),
		cmocka_unit_test(test_smtp_front),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
