/* SPDX-License-Identifier: MIT */
/*
 * inbound.h - PLACEHOLDER with the declarations of contract-15.md, so that
 * the pipeline builds before wip-inbound lands; wip-inbound's header
 * replaces it.
 */
#ifndef GREMIUM_INBOUND_H
#define GREMIUM_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"

#define INBOUND_MAX_PER_PASS 1000

struct inbound_msg {
	const char *source_id;
	const void *bytes;
	size_t len;
	size_t size;
	bool too_large;
};
typedef int (*inbound_seen_fn)(void *userdata, const char *source_id);
typedef int (*inbound_take_fn)(void *userdata, const struct inbound_msg *m);
struct inbound_stats { unsigned new_msgs, already_seen, too_large; };
int inbound_pass(const struct gr_inbound *cfg, const char *password,
                 inbound_seen_fn seen, inbound_take_fn take, void *userdata,
                 struct inbound_stats *stats, char *err, size_t errlen);
int inbound_password(const struct gr_inbound *cfg, char **ret, char *err, size_t errlen);

#endif
