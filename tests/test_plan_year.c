/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for src/plan.c: a simulated year, every mail of it compared
 * line by line with the expectation (tests/plan_fixture.h has the config,
 * occurrences and simulated state).
 */
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

#include "plan.h"
#include "util.h"

#include "plan_fixture.h"

/* bert left, dora joined */
static struct gr_member members_b[] = {
	{ .name = "Anna", .email = "anna@x.example", .group = "g" },
	{ .name = "Carla", .email = "carla@x.example", .group = "g" },
	{ .name = "Dora", .email = "dora@x.example", .group = "g" },
};

/* ---- the simulated year ---- */

static const char *const expected_year[] = {
	/* start on Jan 1: everything to everyone, the call for topics of Jan 14
	 * late (due Dec 24) but before its deadline (Jan 7) */
	"01-01 09:00 invitation anna online@x.example seq=0",
	"01-01 09:00 invitation anna praesenz-20260617@x.example seq=0",
	"01-01 09:00 invitation bert online@x.example seq=0",
	"01-01 09:00 invitation bert praesenz-20260617@x.example seq=0",
	"01-01 09:00 invitation carla online@x.example seq=0",
	"01-01 09:00 invitation carla praesenz-20260617@x.example seq=0",
	"01-01 09:00 topic-call anna 2026-01-14T10:00",
	"01-01 09:00 topic-call bert 2026-01-14T10:00",
	"01-01 09:00 topic-call carla 2026-01-14T10:00",
	"01-07 09:00 reminder-7 anna 2026-01-14T10:00",
	"01-07 09:00 reminder-7 bert 2026-01-14T10:00",
	"01-07 09:00 reminder-7 carla 2026-01-14T10:00",
	"01-08 09:00 agenda anna 2026-01-14T10:00 online@x.example seq=0",
	"01-08 09:00 agenda bert 2026-01-14T10:00 online@x.example seq=0",
	"01-08 09:00 agenda carla 2026-01-14T10:00 online@x.example seq=0",
	"01-13 09:00 reminder-1 anna 2026-01-14T10:00 online@x.example seq=0",
	"01-13 09:00 reminder-1 bert 2026-01-14T10:00 online@x.example seq=0",
	"01-13 09:00 reminder-1 carla 2026-01-14T10:00 online@x.example seq=0",
	"01-21 09:00 topic-call anna 2026-02-11T10:00",
	"01-21 09:00 topic-call bert 2026-02-11T10:00",
	"01-21 09:00 topic-call carla 2026-02-11T10:00",
	"02-04 09:00 reminder-7 anna 2026-02-11T10:00",
	"02-04 09:00 reminder-7 bert 2026-02-11T10:00",
	"02-04 09:00 reminder-7 carla 2026-02-11T10:00",
	"02-05 09:00 agenda anna 2026-02-11T10:00 online@x.example seq=0",
	"02-05 09:00 agenda bert 2026-02-11T10:00 online@x.example seq=0",
	"02-05 09:00 agenda carla 2026-02-11T10:00 online@x.example seq=0",
	"02-10 09:00 reminder-1 anna 2026-02-11T10:00 online@x.example seq=0",
	"02-10 09:00 reminder-1 bert 2026-02-11T10:00 online@x.example seq=0",
	"02-10 09:00 reminder-1 carla 2026-02-11T10:00 online@x.example seq=0",
	"02-18 09:00 topic-call anna 2026-03-11T10:00",
	"02-18 09:00 topic-call bert 2026-03-11T10:00",
	"02-18 09:00 topic-call carla 2026-03-11T10:00",
	/* down Mar 2 .. Mar 10 09:00: the 7-day reminder (Mar 4) is
	 * superseded by the 1-day one, sent late at 12:00 with the agenda
	 * (due Mar 5), which goes out late too */
	"03-10 12:00 agenda anna 2026-03-11T10:00 online@x.example seq=0",
	"03-10 12:00 agenda bert 2026-03-11T10:00 online@x.example seq=0",
	"03-10 12:00 agenda carla 2026-03-11T10:00 online@x.example seq=0",
	"03-10 12:00 reminder-1 anna 2026-03-11T10:00 online@x.example seq=0",
	"03-10 12:00 reminder-1 bert 2026-03-11T10:00 online@x.example seq=0",
	"03-10 12:00 reminder-1 carla 2026-03-11T10:00 online@x.example seq=0",
	"03-18 09:00 topic-call anna 2026-04-08T10:00",
	"03-18 09:00 topic-call bert 2026-04-08T10:00",
	"03-18 09:00 topic-call carla 2026-04-08T10:00",
	"04-01 09:00 reminder-7 anna 2026-04-08T10:00",
	"04-01 09:00 reminder-7 bert 2026-04-08T10:00",
	"04-01 09:00 reminder-7 carla 2026-04-08T10:00",
	"04-02 09:00 agenda anna 2026-04-08T10:00 online@x.example seq=0",
	"04-02 09:00 agenda bert 2026-04-08T10:00 online@x.example seq=0",
	"04-02 09:00 agenda carla 2026-04-08T10:00 online@x.example seq=0",
	/* down Apr 6 .. Apr 9 12:00: the agenda went out on Apr 2, the
	 * 1-day reminder (Apr 7) is lost: the meeting (Apr 8) is over */
	"04-22 09:00 topic-call anna 2026-05-13T10:00",
	"04-22 09:00 topic-call bert 2026-05-13T10:00",
	"04-22 09:00 topic-call carla 2026-05-13T10:00",
	"05-06 09:00 reminder-7 anna 2026-05-13T10:00",
	"05-06 09:00 reminder-7 bert 2026-05-13T10:00",
	"05-06 09:00 reminder-7 carla 2026-05-13T10:00",
	"05-07 09:00 agenda anna 2026-05-13T10:00 online@x.example seq=0",
	"05-07 09:00 agenda bert 2026-05-13T10:00 online@x.example seq=0",
	"05-07 09:00 agenda carla 2026-05-13T10:00 online@x.example seq=0",
	"05-12 09:00 reminder-1 anna 2026-05-13T10:00 online@x.example seq=0",
	"05-12 09:00 reminder-1 bert 2026-05-13T10:00 online@x.example seq=0",
	"05-12 09:00 reminder-1 carla 2026-05-13T10:00 online@x.example seq=0",
	"05-27 09:00 topic-call anna 2026-06-17T10:00",
	"05-27 09:00 topic-call bert 2026-06-17T10:00",
	"05-27 09:00 topic-call carla 2026-06-17T10:00",
	"06-10 09:00 reminder-7 anna 2026-06-17T10:00",
	"06-10 09:00 reminder-7 bert 2026-06-17T10:00",
	"06-10 09:00 reminder-7 carla 2026-06-17T10:00",
	"06-11 09:00 agenda anna 2026-06-17T10:00 praesenz-20260617@x.example seq=0",
	"06-11 09:00 agenda bert 2026-06-17T10:00 praesenz-20260617@x.example seq=0",
	"06-11 09:00 agenda carla 2026-06-17T10:00 praesenz-20260617@x.example seq=0",
	"06-16 09:00 reminder-1 anna 2026-06-17T10:00 praesenz-20260617@x.example seq=0",
	"06-16 09:00 reminder-1 bert 2026-06-17T10:00 praesenz-20260617@x.example seq=0",
	"06-16 09:00 reminder-1 carla 2026-06-17T10:00 praesenz-20260617@x.example seq=0",
	"06-17 09:00 topic-call anna 2026-07-08T10:00",
	"06-17 09:00 topic-call bert 2026-07-08T10:00",
	"06-17 09:00 topic-call carla 2026-07-08T10:00",
	"07-01 09:00 update anna online@x.example seq=1",
	"07-01 09:00 invitation anna online+moved-20260909@x.example seq=0 rid=2026-09-16T14:00",
	"07-01 09:00 update carla online@x.example seq=1",
	"07-01 09:00 invitation carla online+moved-20260909@x.example seq=0 rid=2026-09-16T14:00",
	"07-01 09:00 invitation dora online@x.example seq=0",
	"07-01 09:00 invitation dora online+moved-20260909@x.example seq=0 rid=2026-09-16T14:00",
	"07-01 09:00 cancellation bert online@x.example seq=1",
	"07-01 09:00 reminder-7 anna 2026-07-08T10:00",
	"07-01 09:00 reminder-7 carla 2026-07-08T10:00",
	"07-01 09:00 reminder-7 dora 2026-07-08T10:00",
	/* the agenda names the SEQUENCE each member holds after the update */
	"07-02 09:00 agenda anna 2026-07-08T10:00 online@x.example seq=1",
	"07-02 09:00 agenda carla 2026-07-08T10:00 online@x.example seq=1",
	"07-02 09:00 agenda dora 2026-07-08T10:00 online@x.example seq=0",
	"07-07 09:00 reminder-1 anna 2026-07-08T10:00 online@x.example seq=1",
	"07-07 09:00 reminder-1 carla 2026-07-08T10:00 online@x.example seq=1",
	"07-07 09:00 reminder-1 dora 2026-07-08T10:00 online@x.example seq=0",
	"07-22 09:00 topic-call anna 2026-08-12T10:00",
	"07-22 09:00 topic-call carla 2026-08-12T10:00",
	"07-22 09:00 topic-call dora 2026-08-12T10:00",
	"08-05 09:00 reminder-7 anna 2026-08-12T10:00",
	"08-05 09:00 reminder-7 carla 2026-08-12T10:00",
	"08-05 09:00 reminder-7 dora 2026-08-12T10:00",
	"08-06 09:00 agenda anna 2026-08-12T10:00 online@x.example seq=1",
	"08-06 09:00 agenda carla 2026-08-12T10:00 online@x.example seq=1",
	"08-06 09:00 agenda dora 2026-08-12T10:00 online@x.example seq=0",
	"08-11 09:00 reminder-1 anna 2026-08-12T10:00 online@x.example seq=1",
	"08-11 09:00 reminder-1 carla 2026-08-12T10:00 online@x.example seq=1",
	"08-11 09:00 reminder-1 dora 2026-08-12T10:00 online@x.example seq=0",
	"08-26 09:00 topic-call anna 2026-09-16T14:00",
	"08-26 09:00 topic-call carla 2026-09-16T14:00",
	"08-26 09:00 topic-call dora 2026-09-16T14:00",
	"09-09 09:00 reminder-7 anna 2026-09-16T14:00",
	"09-09 09:00 reminder-7 carla 2026-09-16T14:00",
	"09-09 09:00 reminder-7 dora 2026-09-16T14:00",
	/* the moved meeting: keyed by its new start, its own object */
	"09-10 09:00 agenda anna 2026-09-16T14:00 online+moved-20260909@x.example seq=0",
	"09-10 09:00 agenda carla 2026-09-16T14:00 online+moved-20260909@x.example seq=0",
	"09-10 09:00 agenda dora 2026-09-16T14:00 online+moved-20260909@x.example seq=0",
	"09-15 09:00 reminder-1 anna 2026-09-16T14:00 online+moved-20260909@x.example seq=0",
	"09-15 09:00 reminder-1 carla 2026-09-16T14:00 online+moved-20260909@x.example seq=0",
	"09-15 09:00 reminder-1 dora 2026-09-16T14:00 online+moved-20260909@x.example seq=0",
	"09-23 09:00 topic-call anna 2026-10-14T10:00",
	"09-23 09:00 topic-call carla 2026-10-14T10:00",
	"09-23 09:00 topic-call dora 2026-10-14T10:00",
	"10-01 09:00 cancellation anna online@x.example seq=2 rid=2026-12-09T10:00",
	"10-01 09:00 cancellation carla online@x.example seq=2 rid=2026-12-09T10:00",
	"10-01 09:00 cancellation dora online@x.example seq=1 rid=2026-12-09T10:00",
	"10-07 09:00 reminder-7 anna 2026-10-14T10:00",
	"10-07 09:00 reminder-7 carla 2026-10-14T10:00",
	"10-07 09:00 reminder-7 dora 2026-10-14T10:00",
	"10-08 09:00 agenda anna 2026-10-14T10:00 online@x.example seq=2",
	"10-08 09:00 agenda carla 2026-10-14T10:00 online@x.example seq=2",
	"10-08 09:00 agenda dora 2026-10-14T10:00 online@x.example seq=1",
	"10-13 09:00 reminder-1 anna 2026-10-14T10:00 online@x.example seq=2",
	"10-13 09:00 reminder-1 carla 2026-10-14T10:00 online@x.example seq=2",
	"10-13 09:00 reminder-1 dora 2026-10-14T10:00 online@x.example seq=1",
	"10-21 09:00 topic-call anna 2026-11-11T10:00",
	"10-21 09:00 topic-call carla 2026-11-11T10:00",
	"10-21 09:00 topic-call dora 2026-11-11T10:00",
	"11-04 09:00 reminder-7 anna 2026-11-11T10:00",
	"11-04 09:00 reminder-7 carla 2026-11-11T10:00",
	"11-04 09:00 reminder-7 dora 2026-11-11T10:00",
	"11-05 09:00 agenda anna 2026-11-11T10:00 online@x.example seq=2",
	"11-05 09:00 agenda carla 2026-11-11T10:00 online@x.example seq=2",
	"11-05 09:00 agenda dora 2026-11-11T10:00 online@x.example seq=1",
	"11-10 09:00 reminder-1 anna 2026-11-11T10:00 online@x.example seq=2",
	"11-10 09:00 reminder-1 carla 2026-11-11T10:00 online@x.example seq=2",
	"11-10 09:00 reminder-1 dora 2026-11-11T10:00 online@x.example seq=1",
	/* Dec 9 is cancelled: no agenda, no reminder */
	"12-23 09:00 topic-call anna 2027-01-13T10:00",
	"12-23 09:00 topic-call carla 2027-01-13T10:00",
	"12-23 09:00 topic-call dora 2027-01-13T10:00",
};

static bool down(int m, int d, int hh)
{
	if (m == 3 && (d >= 2 && (d < 10 || (d == 10 && hh < 12))))
		return true;
	return m == 4 && d >= 6 && (d < 9 || (d == 9 && hh < 12));
}

static void test_year(void **state)
{
	static struct gr_occurrence buf[3][16];
	static struct log lg;
	struct gr_config cfg_a, cfg_b;
	struct sched_list l[3];
	struct store_state st = { 0 };
	const struct changes ch[3] = { { 0 }, { .moved_sep = true },
	                               { .moved_sep = true, .cancelled_dec = true } };
	(void)state;

	make_config(&cfg_a, members_a, 3);
	make_config(&cfg_b, members_b, 3);
	for (int i = 0; i < 3; i++)
		make_occurrences(&l[i], buf[i], &ch[i]);
	memset(&lg, 0, sizeof(lg));
	for (struct gr_localtime d = { 2026, 1, 1, 0, 0 }; d.year == 2026; d = sched_add_days(d, 1)) {
		int phase = d.month >= 10 ? 2 : d.month >= 7 ? 1 : 0;
		const struct gr_config *cfg = phase ? &cfg_b : &cfg_a;

		for (int hh = 9; hh <= 12; hh += 3) {
			if (down(d.month, d.day, hh))
				continue;
			step(cfg, &l[phase], &st, at(d.year, d.month, d.day, hh, 0), &lg);
		}
	}
	for (size_t i = 0; i < lg.n; i++)
		if (i >= sizeof(expected_year) / sizeof(expected_year[0]) ||
		    strcmp(lg.lines[i], expected_year[i]) != 0)
			print_message("line %zu: got \"%s\"\n", i, lg.lines[i]);
	for (size_t i = 0; i < lg.n && i < sizeof(expected_year) / sizeof(expected_year[0]); i++)
		assert_string_equal(lg.lines[i], expected_year[i]);
	assert_int_equal(lg.n, sizeof(expected_year) / sizeof(expected_year[0]));
	print_message("simulated year: %zu mails as expected\n", lg.n);
	store_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_year),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
