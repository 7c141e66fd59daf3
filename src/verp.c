/* SPDX-License-Identifier: MIT */
/* verp.c - VERP envelope senders, see verp.h. */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "verp.h"

#define CHECK_LEN 8

static uint32_t check_value(const char *message_id)
{
	uint64_t h = util_fnv1a(UTIL_FNV_INIT, "gremiumd-verp:", 14);

	h = util_fnv1a(h, message_id, strlen(message_id));
	return (uint32_t)(h ^ (h >> 32));
}

int verp_address(const char *bounce_address, int64_t outbox_id, const char *message_id,
                 char *buf, size_t len)
{
	const char *at = bounce_address ? strrchr(bounce_address, '@') : NULL;
	int n;

	if (!at || at == bounce_address || outbox_id < 1 || !message_id)
		return -EINVAL;
	n = snprintf(buf, len, "%.*s+%" PRId64 "-%08" PRIx32 "%s", (int)(at - bounce_address),
	             bounce_address, outbox_id, check_value(message_id), at);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int verp_parse(const char *bounce_address, const char *addr, int64_t *ret_id)
{
	const char *at = bounce_address ? strrchr(bounce_address, '@') : NULL;
	const char *aat, *p;
	size_t local, alen;
	int64_t id = 0;

	if (!at || !addr)
		return -ENOENT;
	if (*addr == '<')
		addr++;
	alen = strcspn(addr, ">");
	aat = memchr(addr, '@', alen);
	local = (size_t)(at - bounce_address);
	if (!aat || strlen(at) != (size_t)(addr + alen - aat) ||
	    strncasecmp(aat, at, strlen(at)) != 0 ||
	    strncasecmp(addr, bounce_address, local) != 0 || addr[local] != '+')
		return -ENOENT;
	p = addr + local + 1;
	if (*p < '1' || *p > '9')
		return -ENOENT;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (id > (INT64_MAX - 9) / 10)
			return -ENOENT;
		id = id * 10 + (*p - '0');
	}
	if (*p++ != '-' || aat - p != CHECK_LEN)
		return -ENOENT;
	for (; p < aat; p++)
		if (!strchr("0123456789abcdefABCDEF", *p))
			return -ENOENT;
	*ret_id = id;
	return 0;
}

bool verp_check(const char *bounce_address, const char *addr, int64_t outbox_id,
                const char *message_id)
{
	char want[512];
	int64_t id;

	if (verp_parse(bounce_address, addr, &id) < 0 || id != outbox_id ||
	    verp_address(bounce_address, outbox_id, message_id, want, sizeof(want)) < 0)
		return false;
	if (*addr == '<')
		addr++;
	return strncasecmp(addr, want, strlen(want)) == 0 &&
	       (addr[strlen(want)] == '\0' || addr[strlen(want)] == '>');
}
