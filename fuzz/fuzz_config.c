/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: config validation (src/config.c) from bytes.  The
 * input is written as a config file into a private folder and loaded
 * with config_load(), as `gremiumctl check` does; an accepted config is
 * then test-rendered against the built-in texts like check does.
 */
#include "autoconfig.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "service.h"
#include "util.h"

#include "fuzz.h"

static char *path;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_config *cfg = NULL;
	static char dir[] = "/tmp/fuzz_config.XXXXXX";

	if (!path) {
		if (!mkdtemp(dir))
			abort();
		path = util_asprintf("%s/gremiumd.conf", dir);
		if (!path)
			abort();
	}
	if (fuzz_write(path, data, size) < 0)
		abort();
	if (config_load(path, &cfg, NULL) == 0) {
		(void)service_check_templates(cfg, NULL, NULL);
		config_free(cfg);
	}
	return 0;
}
