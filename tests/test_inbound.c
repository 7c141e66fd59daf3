/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inbound.c: the maildir source in full (new/ -> cur/,
 * too large, seen, a failing take(), odd files), the password, and the
 * pure parsers of IMAP responses (IMAP against Dovecot: e2e_inbound.sh). */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inbound.h"
#include "util.h"

static char tdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/gremium-in-XXXXXX");
	if (!mkdtemp(tdir))
		return -1;
	for (const char *const *s = (const char *const[]){ "new", "cur", "tmp", NULL }; *s; s++) {
		char *p = util_asprintf("%s/%s", tdir, *s);
		int r = p ? mkdir(p, 0700) : -1;
		free(p);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	return nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *rel, const char *content)
{
	char *p = util_asprintf("%s/%s", tdir, rel);
	assert_non_null(p);
	assert_int_equal(util_write_atomic(p, content, strlen(content), 0600), 0);
	free(p);
}

static bool exists(const char *rel)
{
	char *p = util_asprintf("%s/%s", tdir, rel);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

/* The caller: records in memory; take() fails at the fail_at-th call. */
struct rec {
	char ids[16][64];
	char bodies[16][64];
	bool too_large[16];
	size_t sizes[16];
	unsigned n, takes, fail_at;
	const char *seen_id;
};

static int rec_seen(void *userdata, const char *id)
{
	struct rec *r = userdata;

	if (r->seen_id && strcmp(r->seen_id, id) == 0)
		return 1;
	for (unsigned i = 0; i < r->n; i++)
		if (strcmp(r->ids[i], id) == 0)
			return 1;
	return 0;
}

static int rec_take(void *userdata, const struct inbound_msg *m)
{
	struct rec *r = userdata;

	if (++r->takes == r->fail_at)
		return -EIO;
	assert_true(r->n < 16);
	snprintf(r->ids[r->n], sizeof(r->ids[0]), "%s", m->source_id);
	snprintf(r->bodies[r->n], sizeof(r->bodies[0]), "%.*s", (int)m->len,
	         m->bytes ? (const char *)m->bytes : "");
	r->too_large[r->n] = m->too_large;
	r->sizes[r->n] = m->size;
	r->n++;
	return 0;
}

static struct gr_inbound maildir_cfg(void)
{
	return (struct gr_inbound){ .source = GR_INBOUND_MAILDIR, .maildir = tdir,
	                            .max_message_kb = 1 };
}

static int pass(struct rec *r, struct inbound_stats *st, char *err, size_t errlen)
{
	struct gr_inbound cfg = maildir_cfg();
	return inbound_pass(&cfg, NULL, rec_seen, rec_take, r, st, err, errlen);
}

static void test_maildir_new_to_cur(void **state)
{
	struct rec r = { .n = 0 };
	struct inbound_stats st;
	char err[256];

	(void)state;
	put("new/1700000002.M1P1.host", "Subject: two\r\n\r\nb\r\n");
	put("new/1700000001.M1P1.host", "Subject: one\r\n\r\na\r\n");
	put("cur/1700000003.M1P1.host:2,F", "Subject: three\r\n\r\nc\r\n");  /* flagged, unseen */
	put("cur/1700000000.M1P1.host:2,RS", "Subject: old\r\n\r\n\r\n");    /* seen: left */
	assert_int_equal(pass(&r, &st, err, sizeof(err)), 0);
	assert_int_equal(st.new_msgs, 3);
	assert_int_equal(st.already_seen, 0);
	assert_int_equal(st.too_large, 0);
	assert_int_equal(r.n, 3);
	/* oldest first */
	assert_string_equal(r.ids[0], "maildir:1700000001.M1P1.host");
	assert_string_equal(r.bodies[0], "Subject: one\r\n\r\na\r\n");
	assert_string_equal(r.ids[1], "maildir:1700000002.M1P1.host");
	assert_string_equal(r.ids[2], "maildir:1700000003.M1P1.host");
	assert_false(exists("new/1700000001.M1P1.host"));
	assert_true(exists("cur/1700000001.M1P1.host:2,S"));
	assert_true(exists("cur/1700000002.M1P1.host:2,S"));
	assert_true(exists("cur/1700000003.M1P1.host:2,FS"));
	assert_true(exists("cur/1700000000.M1P1.host:2,RS"));
	/* a second pass finds nothing */
	assert_int_equal(pass(&r, &st, err, sizeof(err)), 0);
	assert_int_equal(st.new_msgs, 0);
	assert_int_equal(r.n, 3);
}

static void test_maildir_too_large(void **state)
{
	struct rec r = { .n = 0 };
	struct inbound_stats st;
	char err[256], big[2000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put("new/1700000001.big", big);
	put("new/1700000002.fits", "Subject: ok\r\n\r\n");
	assert_int_equal(pass(&r, &st, err, sizeof(err)), 0);
	assert_int_equal(st.new_msgs, 2);
	assert_int_equal(st.too_large, 1);
	assert_true(r.too_large[0]);
	assert_int_equal(r.sizes[0], 1999);
	assert_string_equal(r.bodies[0], "");
	assert_false(r.too_large[1]);
	assert_true(exists("cur/1700000001.big:2,S"));
}

static void test_maildir_seen(void **state)
{
	struct rec r = { .seen_id = "maildir:1700000001.a" };
	struct inbound_stats st;
	char err[256];

	(void)state;
	put("new/1700000001.a", "Subject: recorded before a crash\r\n\r\n");
	put("new/1700000002.b", "Subject: new\r\n\r\n");
	assert_int_equal(pass(&r, &st, err, sizeof(err)), 0);
	assert_int_equal(st.already_seen, 1);
	assert_int_equal(st.new_msgs, 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ids[0], "maildir:1700000002.b");
	assert_true(exists("cur/1700000001.a:2,S"));
}

static void test_maildir_take_fails(void **state)
{
	struct rec r = { .fail_at = 2 };
	struct inbound_stats st;
	char err[256];

	(void)state;
	put("new/1700000001.a", "A\r\n");
	put("new/1700000002.b", "B\r\n");
	put("new/1700000003.c", "C\r\n");
	assert_int_equal(pass(&r, &st, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "maildir:1700000002.b: not recorded"));
	assert_int_equal(st.new_msgs, 1);
	assert_true(exists("cur/1700000001.a:2,S"));
	assert_true(exists("new/1700000002.b"));        /* left as it was */
	assert_true(exists("new/1700000003.c"));
	/* the next pass resumes, without repeats */
	assert_int_equal(pass(&r, &st, err, sizeof(err)), 0);
	assert_int_equal(st.new_msgs, 2);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.ids[1], "maildir:1700000002.b");
	assert_string_equal(r.ids[2], "maildir:1700000003.c");
}

static void test_maildir_odd_files(void **state)
{
	struct rec r = { .n = 0 };
	struct inbound_stats st;
	char err[256], *p;

	(void)state;
	put("new/.hidden", "x");
	put("cur/:2,", "x");                    /* no unique part */
	p = util_asprintf("%s/new/1700000001.dir", tdir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = util_asprintf("%s/new/1700000002.fifo", tdir);
	assert_int_equal(mkfifo(p, 0600), 0);    /* never read: would block */
	free(p);
	put("new/1700000003.ok", "ok");
	assert_int_equal(pass(&r, &st, err, sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ids[0], "maildir:1700000003.ok");
	assert_true(exists("new/.hidden"));
	assert_true(exists("new/1700000001.dir"));
	assert_true(exists("new/1700000002.fifo"));
}

static void test_maildir_missing(void **state)
{
	struct gr_inbound cfg = { .source = GR_INBOUND_MAILDIR, .maildir = "/nonexistent/gremium",
	                          .max_message_kb = 1 };
	struct rec r = { .n = 0 };
	char err[256];

	(void)state;
	assert_int_equal(inbound_pass(&cfg, NULL, rec_seen, rec_take, &r, NULL, err, sizeof(err)),
	                 -ENOENT);
	assert_non_null(strstr(err, "cannot read maildir /nonexistent/gremium/new"));
}

static void test_maildir_names(void **state)
{
	char buf[64];
	bool seen;

	(void)state;
	assert_int_equal(inbound_maildir_unique("123.M4P5.host:2,FS", buf, sizeof(buf), &seen), 0);
	assert_string_equal(buf, "123.M4P5.host");
	assert_true(seen);
	assert_int_equal(inbound_maildir_unique("123.host:2,F", buf, sizeof(buf), &seen), 0);
	assert_false(seen);
	assert_int_equal(inbound_maildir_unique("123.host", buf, sizeof(buf), &seen), 0);
	assert_false(seen);
	assert_int_equal(inbound_maildir_unique(".x", buf, sizeof(buf), &seen), -EINVAL);
	assert_int_equal(inbound_maildir_unique("a\tb", buf, sizeof(buf), &seen), -EINVAL);
	assert_int_equal(inbound_maildir_unique(":2,S", buf, sizeof(buf), &seen), -EINVAL);
	assert_int_equal(inbound_maildir_unique("0123456789", buf, 8, &seen), -EINVAL);

	assert_int_equal(inbound_maildir_done_name("123.host", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "123.host:2,S");
	assert_int_equal(inbound_maildir_done_name("123.host:2,RF", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "123.host:2,FRS");
	assert_int_equal(inbound_maildir_done_name("123.host:2,T", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "123.host:2,ST");
	assert_int_equal(inbound_maildir_done_name("123.host:1,x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "123.host:2,S");
	assert_int_equal(inbound_maildir_done_name("123.host", buf, 8), -ENAMETOOLONG);
}

static void test_password(void **state)
{
	struct gr_inbound cfg = { .source = GR_INBOUND_IMAP };
	char err[256], *pw = NULL, *path = util_asprintf("%s/pw", tdir);

	(void)state;
	put("pw", "s3cret\r\n");
	cfg.password_file = path;
	assert_int_equal(inbound_password(&cfg, &pw, err, sizeof(err)), 0);
	assert_string_equal(pw, "s3cret");
	free(pw);
	put("pw", "\n");
	assert_int_equal(inbound_password(&cfg, &pw, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "inbound: password_file"));
	cfg.password_file = NULL;
	assert_int_equal(inbound_password(&cfg, &pw, err, sizeof(err)), -EINVAL);
	/* a systemd credential: found in $CREDENTIALS_DIRECTORY */
	put("committee-imap", "from-credential\n");
	setenv("CREDENTIALS_DIRECTORY", tdir, 1);
	cfg.password_credential = "committee-imap";
	assert_int_equal(inbound_password(&cfg, &pw, err, sizeof(err)), 0);
	assert_string_equal(pw, "from-credential");
	free(pw);
	unsetenv("CREDENTIALS_DIRECTORY");
	free(path);
}

#define S(x) x, strlen(x)

static void test_parse_uidvalidity(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(inbound_parse_uidvalidity(S("* OK [UIDVALIDITY 1796057476] UIDs valid\r\n"), &v), 0);
	assert_int_equal(v, 1796057476u);
	assert_int_equal(inbound_parse_uidvalidity(S("* ok [uidvalidity 7]"), &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(inbound_parse_uidvalidity(S("* OK [UIDNEXT 3] Predicted next UID\r\n"), &v), -ENOENT);
	assert_int_equal(inbound_parse_uidvalidity(S("* 2 EXISTS\r\n"), &v), -ENOENT);
	assert_int_equal(inbound_parse_uidvalidity(S("A003 OK [UIDVALIDITY 5] x"), &v), -ENOENT);
	assert_int_equal(inbound_parse_uidvalidity(S("* OK [UIDVALIDITY 0] zero"), &v), -EINVAL);
	assert_int_equal(inbound_parse_uidvalidity(S("* OK [UIDVALIDITY 4294967296] big"), &v), -EINVAL);
	assert_int_equal(inbound_parse_uidvalidity(S("* OK [UIDVALIDITY 12"), &v), -EINVAL);
	assert_int_equal(inbound_parse_uidvalidity(S("* OK [UIDVALIDITY x]"), &v), -EINVAL);
}

static void test_parse_search(void **state)
{
	uint32_t u[4];

	(void)state;
	assert_int_equal(inbound_parse_search(S("* SEARCH 1 2 7\r\n"), u, 4), 3);
	assert_int_equal(u[0], 1);
	assert_int_equal(u[2], 7);
	assert_int_equal(inbound_parse_search(S("* SEARCH\r\n"), u, 4), 0);
	assert_int_equal(inbound_parse_search(S(""), u, 4), 0);
	/* unordered, repeated, several lines, unrelated untagged lines: the
	 * lowest max, sorted, once each */
	assert_int_equal(inbound_parse_search(S("* 3 EXPUNGE\r\n* SEARCH 9 4 4\r\n* search 12 2 30 5\r\n"),
	                                      u, 4), 4);
	assert_int_equal(u[0], 2);
	assert_int_equal(u[1], 4);
	assert_int_equal(u[2], 5);
	assert_int_equal(u[3], 9);
	assert_int_equal(inbound_parse_search(S("* SEARCH 1 x 3\r\n"), u, 4), -EINVAL);
	assert_int_equal(inbound_parse_search(S("* SEARCH 0\r\n"), u, 4), -EINVAL);
	assert_int_equal(inbound_parse_search(S("* SEARCH 99999999999\r\n"), u, 4), -EINVAL);
	assert_int_equal(inbound_parse_search(S("* SEARCHING 5\r\n"), u, 4), 0);
}

static void test_parse_size(void **state)
{
	uint64_t size = 0;

	(void)state;
	assert_int_equal(inbound_parse_size(S("* 1 FETCH (UID 5 RFC822.SIZE 1234)\r\n"), 5, &size), 0);
	assert_int_equal(size, 1234);
	/* any order, other items (FLAGS sent unsolicited), other messages */
	assert_int_equal(inbound_parse_size(S("* 2 FETCH (FLAGS (\\Seen \\Deleted) UID 8)\r\n"
	                                      "* 3 FETCH (RFC822.SIZE 31457280 FLAGS () UID 9)\r\n"),
	                                    9, &size), 0);
	assert_int_equal(size, 31457280);
	assert_int_equal(inbound_parse_size(S("* 3 FETCH (UID 9 X-NAME \"a \\\" ) b\" RFC822.SIZE 2)\r\n"),
	                                    9, &size), 0);
	assert_int_equal(size, 2);
	/* expunged meanwhile: no FETCH line for the UID */
	assert_int_equal(inbound_parse_size(S("* 1 FETCH (UID 5 RFC822.SIZE 10)\r\n"), 6, &size), -ENOENT);
	assert_int_equal(inbound_parse_size(S(""), 6, &size), -ENOENT);
	assert_int_equal(inbound_parse_size(S("* 4 EXISTS\r\n"), 6, &size), -ENOENT);
	/* malformed */
	assert_int_equal(inbound_parse_size(S("* 1 FETCH (UID 5 RFC822.SIZE x)\r\n"), 5, &size), -EINVAL);
	assert_int_equal(inbound_parse_size(S("* 1 FETCH (UID 5 RFC822.SIZE 10\r\n"), 5, &size), -EINVAL);
	assert_int_equal(inbound_parse_size(S("* 1 FETCH (UID\r\n"), 5, &size), -EINVAL);
	assert_int_equal(inbound_parse_size(S("* 1 FETCH UID 5\r\n"), 5, &size), -EINVAL);
}

static void test_parse_capability_list(void **state)
{
	static const char caps[] = "* CAPABILITY IMAP4rev1 SASL-IR UIDPLUS MOVE-X MOVE\r\n";

	(void)state;
	assert_true(inbound_parse_capability(S(caps), "MOVE"));
	assert_true(inbound_parse_capability(S(caps), "uidplus"));
	assert_false(inbound_parse_capability(S(caps), "MOVE-"));
	assert_false(inbound_parse_capability(S("* CAPABILITY IMAP4rev1 MOVE-X\r\n"), "MOVE"));
	assert_false(inbound_parse_capability(S("* OK MOVE\r\n"), "MOVE"));
	assert_true(inbound_parse_list(S("* LIST (\\HasNoChildren) \".\" gremiumd-done\r\n")));
	assert_false(inbound_parse_list(S("")));
	assert_false(inbound_parse_list(S("* LSUB () \".\" x\r\n")));
}

static void test_imap_config_errors(void **state)
{
	struct gr_inbound cfg = { .source = GR_INBOUND_IMAP, .imap_url = "pop3://127.0.0.1/",
	                          .max_message_kb = 1, .done_folder = "done" };
	struct rec r = { .n = 0 };
	char err[256];

	(void)state;
	assert_int_equal(inbound_pass(&cfg, NULL, rec_seen, rec_take, &r, NULL, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "imaps:// or imap://"));
	cfg.imap_url = "imaps://127.0.0.1/INBOX";
	cfg.done_folder = "Done*";
	assert_int_equal(inbound_pass(&cfg, NULL, rec_seen, rec_take, &r, NULL, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "done_folder"));
	cfg.done_folder = "done";
	cfg.username = "committee";
	assert_int_equal(inbound_pass(&cfg, NULL, rec_seen, rec_take, &r, NULL, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "no password"));
	cfg.source = GR_INBOUND_NONE;
	assert_int_equal(inbound_pass(&cfg, NULL, rec_seen, rec_take, &r, NULL, err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(r.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_maildir_new_to_cur, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_too_large, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_seen, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_take_fails, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_odd_files, setup_dir, teardown_dir),
		cmocka_unit_test(test_maildir_missing),
		cmocka_unit_test(test_maildir_names),
		cmocka_unit_test_setup_teardown(test_password, setup_dir, teardown_dir),
		cmocka_unit_test(test_parse_uidvalidity),
		cmocka_unit_test(test_parse_search),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_capability_list),
		cmocka_unit_test(test_imap_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
