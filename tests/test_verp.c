/* SPDX-License-Identifier: MIT */
/* Unit tests for src/verp.c: VERP envelope senders made and read back. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verp.h"

static void test_round_trip(void **state)
{
	char buf[128], other[128];
	int64_t id = 0;

	(void)state;
	assert_int_equal(verp_address("bounces@gremium.example", 17, "abc@gremium.example", buf,
	                              sizeof(buf)), 0);
	assert_int_equal(strncmp(buf, "bounces+17-", 11), 0);
	assert_string_equal(buf + 11 + 8, "@gremium.example");
	assert_int_equal(strlen(buf), strlen("bounces+17-12345678@gremium.example"));
	assert_int_equal(verp_parse("bounces@gremium.example", buf, &id), 0);
	assert_int_equal(id, 17);
	assert_true(verp_check("bounces@gremium.example", buf, 17, "abc@gremium.example"));
	/* another Message-ID: another check value */
	assert_int_equal(verp_address("bounces@gremium.example", 17, "abd@gremium.example", other,
	                              sizeof(other)), 0);
	assert_string_not_equal(buf, other);
	assert_false(verp_check("bounces@gremium.example", other, 17, "abc@gremium.example"));
	assert_false(verp_check("bounces@gremium.example", buf, 18, "abc@gremium.example"));

	/* in angle brackets, other case (an MTA may lower-case it) */
	char br[140];
	snprintf(br, sizeof(br), "<%s>", buf);
	for (char *p = br; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	id = 0;
	assert_int_equal(verp_parse("bounces@gremium.example", br, &id), 0);
	assert_int_equal(id, 17);
	assert_true(verp_check("bounces@gremium.example", br, 17, "abc@gremium.example"));
}

static void test_bad(void **state)
{
	const char *const bad[] = {
		"bounces@gremium.example",               /* no token */
		"bounces+17@gremium.example",            /* no check */
		"bounces+17-1234567@gremium.example",    /* too short */
		"bounces+17-123456789@gremium.example",  /* too long */
		"bounces+17-1234567g@gremium.example",   /* not hex */
		"bounces+017-12345678@gremium.example",  /* leading zero */
		"bounces+0-12345678@gremium.example",
		"bounces+-12345678@gremium.example",
		"bounces+99999999999999999999-12345678@gremium.example", /* overflow */
		"other+17-12345678@gremium.example",     /* another local part */
		"bouncesx+17-12345678@gremium.example",
		"bounces+17-12345678@other.example",     /* another domain */
		"bounces+17-12345678@gremium.example.org",
		"bounces+17-12345678",
		"",
		"<>",
	};
	int64_t id = 5;
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(verp_parse("bounces@gremium.example", bad[i], &id), -ENOENT);
		assert_int_equal(id, 5);
	}
	assert_int_equal(verp_parse("bounces@gremium.example", NULL, &id), -ENOENT);
	assert_int_equal(verp_parse("nodomain", "nodomain+1-12345678", &id), -ENOENT);
	assert_int_equal(verp_address("nodomain", 1, "m@x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(verp_address("b@x", 0, "m@x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(verp_address("b@x", 1, NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(verp_address("bounces@gremium.example", 1, "m@x", buf, sizeof(buf)),
	                 -ENOSPC);
	assert_false(verp_check("bounces@gremium.example", "bounces+1-00000000@gremium.example",
	                        1, "m@x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
