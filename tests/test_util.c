/* SPDX-License-Identifier: MIT */
/* Unit tests for src/util.c */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void test_parse_date(void **state)
{
	int y, m, d;
	(void)state;

	assert_int_equal(util_parse_date("2026-12-09", &y, &m, &d), 0);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 12);
	assert_int_equal(d, 9);
	assert_int_equal(util_parse_date("2028-02-29", &y, &m, &d), 0);
	assert_int_equal(util_parse_date("2026-02-29", &y, &m, &d), -EINVAL);
	assert_int_equal(util_parse_date("2026-02-30", &y, &m, &d), -EINVAL);
	assert_int_equal(util_parse_date("2100-02-29", &y, &m, &d), -EINVAL);
	assert_int_equal(util_parse_date("2026-13-01", &y, &m, &d), -EINVAL);
	assert_int_equal(util_parse_date("2026-1-01", &y, &m, &d), -EINVAL);
	assert_int_equal(util_parse_date("2026-01-01x", &y, &m, &d), -EINVAL);
	assert_int_equal(util_parse_date("", &y, &m, &d), -EINVAL);
}

static void test_parse_datetime(void **state)
{
	int y, m, d, hh, mm;
	(void)state;

	assert_int_equal(util_parse_datetime("2026-12-09T10:30", &y, &m, &d, &hh, &mm), 0);
	assert_int_equal(hh, 10);
	assert_int_equal(mm, 30);
	assert_int_equal(util_parse_datetime("2026-12-09T25:00", &y, &m, &d, &hh, &mm), -EINVAL);
	assert_int_equal(util_parse_datetime("2026-12-09T10:60", &y, &m, &d, &hh, &mm), -EINVAL);
	assert_int_equal(util_parse_datetime("2026-12-09 10:00", &y, &m, &d, &hh, &mm), -EINVAL);
	assert_int_equal(util_parse_hhmm("09:00", &hh, &mm), 0);
	assert_int_equal(util_parse_hhmm("9:00", &hh, &mm), -EINVAL);
	assert_int_equal(util_parse_hhmm("24:00", &hh, &mm), -EINVAL);
}

static void test_control(void **state)
{
	(void)state;
	assert_false(util_has_control("Sitzung Köln", false));
	assert_true(util_has_control("a\r\nBcc: x@y.example", false));
	assert_true(util_has_control("a\tb", false));
	assert_false(util_has_control("a\tb", true));
	assert_true(util_has_control("a\x7f", true));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(util_utf8_valid((const unsigned char *)"Käthe Weiß – 😀"));
	assert_false(util_utf8_valid((const unsigned char *)"K\xe4the"));       /* Latin-1 */
	assert_false(util_utf8_valid((const unsigned char *)"\xc0\xaf"));       /* overlong */
	assert_false(util_utf8_valid((const unsigned char *)"\xed\xa0\x80"));   /* surrogate */
	assert_false(util_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80")); /* > U+10FFFF */
	assert_false(util_utf8_valid((const unsigned char *)"\xe2\x82"));       /* cut short */
}

static void test_grow(void **state)
{
	int *items = NULL;
	size_t cap = 0;
	(void)state;

	for (size_t n = 0; n < 100; n++) {
		assert_int_equal(util_grow((void **)&items, n, &cap, sizeof(*items)), 0);
		assert_true(n < cap);
		assert_int_equal(items[n], 0);
		items[n] = (int)n;
	}
	assert_int_equal(items[99], 99);
	free(items);
}

static void test_resolve_path(void **state)
{
	char *p;
	(void)state;

	p = util_resolve_path("/etc/gremiumd/gremiumd.conf", "var/state.db");
	assert_string_equal(p, "/etc/gremiumd/var/state.db");
	free(p);
	p = util_resolve_path("/etc/gremiumd/gremiumd.conf", "/var/lib/x.db");
	assert_string_equal(p, "/var/lib/x.db");
	free(p);
}

static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/gremium-test-XXXXXX";
	char *path, *data = NULL;
	size_t len = 0;
	struct stat st;
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = util_asprintf("%s/sub/dir/feed.ics", dir);
	assert_non_null(path);
	assert_int_equal(util_mkdir_p(strrchr(path, '/') ? dir : dir, 0755), 0);
	{
		char *sub = util_asprintf("%s/sub/dir", dir);
		assert_int_equal(util_mkdir_p(sub, 0755), 0);
		assert_int_equal(util_mkdir_p(sub, 0755), 0); /* idempotent */
		free(sub);
	}
	assert_int_equal(util_write_atomic(path, "BEGIN\r\n", 7, 0644), 0);
	assert_int_equal(util_write_atomic(path, "NEW\r\n", 5, 0644), 0);
	assert_int_equal(util_read_file(path, 100, &data, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "NEW\r\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	free(data);
	assert_int_equal(util_read_file(path, 3, &data, &len), -EFBIG);
	assert_int_equal(util_read_file("/nonexistent/x", 3, &data, &len), -ENOENT);
	unlink(path);
	free(path);
}

/* Files an admin points at: regular files only, and a FIFO never blocks
 * (the test would hang here if util_read_file() opened it blocking). */
static void test_read_regular(void **state)
{
	char dir[] = "/tmp/test_util.XXXXXX";
	char *fifo, *file, *link, *data = NULL;
	size_t len = 0;
	struct stat st;
	(void)state;

	assert_non_null(mkdtemp(dir));
	fifo = util_asprintf("%s/fifo", dir);
	file = util_asprintf("%s/file", dir);
	link = util_asprintf("%s/link", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(util_read_file(fifo, 100, &data, &len), -EINVAL);
	assert_string_equal(util_file_strerror(-EINVAL), "not a regular file (a FIFO, device or socket)");
	assert_int_equal(util_read_file(dir, 100, &data, &len), -EISDIR);
	assert_int_equal(util_read_file("/dev/null", 100, &data, &len), -EINVAL);
	assert_int_equal(util_read_file("/dev/zero", 100, &data, &len), -EINVAL);
	/* a link to a regular file is followed */
	assert_int_equal(util_write_atomic(file, "abc", 3, 0600), 0);
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(util_read_regular(link, 3, &data, &len, &st), 0);
	assert_string_equal(data, "abc");
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 3);
	free(data);
	assert_int_equal(util_open_regular(file, 2, NULL), -EFBIG);
	{
		int fd = util_open_regular(file, 3, NULL);
		int fl = fcntl(fd, F_GETFD);

		assert_true(fd >= 0);
		assert_true(fl >= 0 && (fl & FD_CLOEXEC));
		close(fd);
	}
	unlink(link), unlink(file), unlink(fifo), rmdir(dir);
	free(link), free(file), free(fifo);
}

static void test_loopback(void **state)
{
	static const struct { const char *url, *host; bool loopback; } cases[] = {
		{ "smtp://127.0.0.1:25", "127.0.0.1", true },
		{ "smtp://127.255.0.9", "127.255.0.9", true },
		{ "smtp://localhost/", "localhost", true },
		{ "smtp://LOCALHOST:25", "LOCALHOST", true },
		{ "smtp://[::1]:25", "::1", true },
		{ "smtp://[0:0:0:0:0:0:0:1]", "0:0:0:0:0:0:0:1", true },
		{ "smtp://127.0.0.1.attacker.example:25", "127.0.0.1.attacker.example", false },
		{ "smtp://127.1:25", "127.1", false },
		{ "smtp://0x7f.0.0.1", "0x7f.0.0.1", false },
		{ "smtp://localhost.attacker.example", "localhost.attacker.example", false },
		{ "smtp://foo.localhost", "foo.localhost", false },
		{ "smtp://128.0.0.1", "128.0.0.1", false },
		{ "smtp://[::2]", "::2", false },
		{ "smtp://[::ffff:127.0.0.1]", "::ffff:127.0.0.1", false },
		{ "smtp://u@127.0.0.1@evil.example", "evil.example", false },
		{ "smtp://mail.example.org", "mail.example.org", false },
	};
	char host[256];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(util_url_host(cases[i].url, host, sizeof(host)), 0);
		assert_string_equal(host, cases[i].host);
		if (util_is_loopback_host(host) != cases[i].loopback)
			fail_msg("%s: loopback should be %d", host, cases[i].loopback);
	}
	assert_int_equal(util_url_host("smtp://:25", host, sizeof(host)), -EINVAL);
	assert_int_equal(util_url_host("smtp://[::1", host, sizeof(host)), -EINVAL);
	assert_int_equal(util_url_host("mail.example.org", host, sizeof(host)), -EINVAL);
	assert_int_equal(util_url_host("smtp://localhost", host, 9), -EINVAL); /* does not fit */
	assert_false(util_is_loopback_host(""));
	assert_false(util_is_loopback_host(NULL));
}

/* Times in logs carry their offset (issue 14, point 8). */
static void test_iso8601(void **state)
{
	char buf[UTIL_ISO8601_MAX];
	/* 2026-11-30T12:57:42Z, in Berlin (CET, +01:00) 13:57 */
	struct gr_localtime berlin = { 2026, 11, 30, 13, 57 };
	/* 2026-07-01T08:00:05Z in Berlin (CEST) and New York (EDT) */
	struct gr_localtime summer = { 2026, 7, 1, 10, 0 }, ny = { 2026, 7, 1, 4, 0 };
	/* 2026-03-01T00:30:00Z in Kolkata (+05:30) */
	struct gr_localtime kolkata = { 2026, 3, 1, 6, 0 }, utc = { 2026, 3, 1, 0, 30 };

	(void)state;
	util_format_iso8601(1796043462, &berlin, buf);
	assert_string_equal(buf, "2026-11-30T13:57:42+01:00");
	util_format_iso8601(1782892805, &summer, buf);
	assert_string_equal(buf, "2026-07-01T10:00:05+02:00");
	util_format_iso8601(1782892805, &ny, buf);
	assert_string_equal(buf, "2026-07-01T04:00:05-04:00");
	util_format_iso8601(1772325000, &kolkata, buf);
	assert_string_equal(buf, "2026-03-01T06:00:00+05:30");
	util_format_iso8601(1772325000, &utc, buf);
	assert_string_equal(buf, "2026-03-01T00:30:00+00:00");
}

/* systemd credentials and the journal stream (issue 14.3, 14.7) */
static void test_credentials_and_journal(void **state)
{
	char *path = NULL, env[64];
	struct stat st;

	(void)state;
	assert_true(util_credential_name_valid("gremiumd.smtp-password"));
	assert_false(util_credential_name_valid(""));
	assert_false(util_credential_name_valid("."));
	assert_false(util_credential_name_valid(".."));
	assert_false(util_credential_name_valid("a/b"));
	assert_false(util_credential_name_valid("a\nb"));
	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "/run/credentials/x.service", 1), 0);
	assert_int_equal(util_credential_path("pw", &path), 0);
	assert_string_equal(path, "/run/credentials/x.service/pw");
	free(path);
	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	/* in no store: where the admin should put it */
	assert_int_equal(util_credential_path("gremiumd-test-none.pw", &path), 0);
	assert_string_equal(path, "/etc/credstore/gremiumd-test-none.pw");
	free(path);

	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	assert_true(util_stderr_is_journal());
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	assert_false(util_stderr_is_journal());
	assert_int_equal(setenv("JOURNAL_STREAM", "garbage", 1), 0);
	assert_false(util_stderr_is_journal());
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	assert_false(util_stderr_is_journal());
}

/* s as util_json_string() writes it */
static void expect_json(const char *s, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	util_json_string(f, s);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, want);
	free(buf);
}

static void test_json_string(void **state)
{
	(void)state;
	expect_json(NULL, "null");
	expect_json("", "\"\"");
	expect_json("TOP \"1\"\\n", "\"TOP \\\"1\\\"\\\\n\"");
	expect_json("a\nb\r\tc\x01\x1f\x7f", "\"a\\nb\\r\\tc\\u0001\\u001f\\u007f\"");
	/* UTF-8 as it is; bytes that are not UTF-8 as Latin-1 escapes */
	expect_json("Grünewald – Ötztürk", "\"Grünewald – Ötztürk\"");
	expect_json("Gr\xfcnewald", "\"Gr\\u00fcnewald\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_parse_datetime),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_resolve_path),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_read_regular),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_credentials_and_journal),
		cmocka_unit_test(test_json_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
