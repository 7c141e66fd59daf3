/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the IMAP response parsers of src/inbound.c (what an
 * IMAP server, or a man in the middle before TLS, sends).  Every parser
 * gets the whole input; the UIDs of a SEARCH must come out sorted, unique,
 * non-zero and at most as many as asked for; a size is found only for the
 * UID asked; UIDVALIDITY is never 0.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"

#define MAX_UIDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *resp = (const char *)data;
	uint32_t uids[MAX_UIDS], v;
	uint64_t msg_size;
	int n, r;

	n = inbound_parse_search(resp, size, uids, MAX_UIDS);
	if (n > MAX_UIDS || (n < 0 && n != -EINVAL && n != -ENOMEM))
		abort();
	for (int i = 0; i < n; i++)
		if (uids[i] == 0 || (i > 0 && uids[i] <= uids[i - 1]))
			abort();
	for (uint32_t uid = 1; uid <= 3; uid++) {
		r = inbound_parse_size(resp, size, uid, &msg_size);
		if (r != 0 && r != -ENOENT && r != -EINVAL)
			abort();
	}
	/* one line at a time, as the header callback gets them */
	for (const char *p = resp, *end = resp + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		r = inbound_parse_uidvalidity(p, len, &v);
		if ((r == 0 && v == 0) || (r != 0 && r != -ENOENT && r != -EINVAL))
			abort();
		p += len;
	}
	(void)inbound_parse_capability(resp, size, "MOVE");
	(void)inbound_parse_list(resp, size);
	return 0;
}
