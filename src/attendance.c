/* SPDX-License-Identifier: MIT */
/* attendance - contract-16's attendance_effective() until wip-answers lands. */
#include "autoconfig.h"

#include <string.h>
#include <strings.h>

#include "attendance.h"

const struct store_answer *attendance_effective(const struct store_answer *a, size_t n,
                                                const char *member, const char *uid,
                                                const char *occurrence)
{
	const struct store_answer *series = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(a[i].member, member) != 0 || strcmp(a[i].uid, uid) != 0)
			continue;
		if (occurrence && strcmp(a[i].occurrence, occurrence) == 0)
			return &a[i];
		if (!a[i].occurrence[0])
			series = &a[i];
	}
	return series;
}
