/* SPDX-License-Identifier: MIT */
/*
 * gremiumd - the service.  Wires config, planner, outbox, transport and feed
 * into one sd-event loop (see daemon.h); this file only parses the command
 * line.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "daemon.h"
#include "mail.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: gremiumd [-c FILE]\n"
	        "\n"
	        "Run the committee calendar and mail service in the foreground.\n"
	        "\n"
	        "  -c, --config FILE  configuration file (default %s)\n"
	        "  -h, --help         show this help and exit\n"
	        "  -V, --version      show the version and exit\n", CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	struct daemon *d = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("gremiumd %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			fprintf(stderr, "Try 'gremiumd --help'.\n");
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumd: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	mail_init();
	r = daemon_new(path, &d);
	if (r == 0) {
		r = daemon_run(d);
		daemon_free(d);
	}
	mail_shutdown();
	return r;
}
