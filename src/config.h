/* SPDX-License-Identifier: MIT */
/*
 * config - the libconfig file -> a validated, immutable struct gr_config.
 *
 * defaults -> parse -> validate.  Only config.c sees libconfig types.  Every
 * problem is reported as "FILE:LINE: message" (one line each, all of them,
 * not only the first).
 */
#ifndef GREMIUM_CONFIG_H
#define GREMIUM_CONFIG_H

#include <stdio.h>
#include "model.h"

#define CONFIG_DEFAULT_PATH "/etc/gremiumd/gremiumd.conf"

/*
 * Load and validate the config file at path.
 * On success returns 0 and stores a new config in *ret_cfg (caller frees
 * with config_free()).  On failure *ret_cfg is untouched and returns
 *   -EINVAL  the file has problems; each was written to errs as
 *            "FILE:LINE: message\n" (FILE as given in path);
 *   -errno   the file could not be read (one line written to errs).
 * errs may be NULL to discard the messages.
 */
int config_load(const char *path, struct gr_config **ret_cfg, FILE *errs);

/* Free a config from config_load(); NULL is a no-op. */
void config_free(struct gr_config *cfg);

/* Index of the series with this id, or -1. */
int config_series_index(const struct gr_config *cfg, const char *id);

#endif
