/* SPDX-License-Identifier: MIT */
/* Unit tests for src/util.c */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
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
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_credentials_and_journal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
