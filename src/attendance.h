/* SPDX-License-Identifier: MIT */
/*
 * attendance - the pure rules for members' answers (contract-16; the
 * branch wip-answers brings the module, this is its declaration).
 */
#ifndef GREMIUM_ATTENDANCE_H
#define GREMIUM_ATTENDANCE_H

#include "store.h"

/*
 * The effective answer of member for one meeting of uid: the answer for
 * that occurrence ("YYYY-MM-DDTHH:MM", the original start), else the one
 * for the whole object (occurrence ""), else NULL (none).
 */
const struct store_answer *attendance_effective(const struct store_answer *a, size_t n,
                                                const char *member, const char *uid,
                                                const char *occurrence);

#endif
