/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl - the admin tool: check, preview, ics, send-test, run-once,
 * status.  A thin layer: parse the command line, load the config, call the
 * modules, print.  Subcommands live in gremiumctl-VERB.c (gremiumctl.h) and are
 * dispatched from the table `commands`.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "gremiumctl.h"
#include "mail.h"

struct command {
	const char *name;
	const char *usage;      /* arguments after the name */
	const char *help;
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

static const struct command commands[] = {
	{ "check", "", "validate the configuration; every problem as FILE:LINE: message", cmd_check },
	{ "preview", "[--from YYYY-MM-DD] [--days N] [--format table|tsv]",
	  "list upcoming meetings and planned mails (tsv: UTC instants, for scripts)", cmd_preview },
	{ "ics", "[-o FILE]", "write the public calendar feed (METHOD:PUBLISH)", cmd_ics },
	{ "send-test", "--to ADDRESS [--kind invitation|reminder|topic-call]",
	  "send one sample mail through the configured transport", cmd_send_test },
	{ "run-once", "[--now YYYY-MM-DDTHH:MM]",
	  "plan what is due now (committee local time), enqueue it, send the outbox", cmd_run_once },
	{ "status", "", "outbox and sent-log summary; permanently failed recipients", cmd_status },
};

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: gremiumctl [-c FILE] COMMAND [ARGS]\n"
	        "\n"
	        "Administer gremiumd, the committee calendar and mail daemon.\n"
	        "\n"
	        "Options:\n"
	        "  -c, --config FILE  configuration file (default %s)\n"
	        "  -h, --help         show this help and exit\n"
	        "  -V, --version      show the version and exit\n"
	        "\n"
	        "Commands:\n", CONFIG_DEFAULT_PATH);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %s %s\n      %s\n", commands[i].name, commands[i].usage, commands[i].help);
	fprintf(out,
	        "\n"
	        "Exit status: 0 success, 64 usage error, 69 permanent failure,\n"
	        "75 temporary failure, 78 configuration error.\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .config_path = CONFIG_DEFAULT_PATH };
	const struct command *cmd = NULL;
	int c, r;

	/* '+': stop at the command name; its options are its own */
	while ((c = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("gremiumctl %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			fprintf(stderr, "Try 'gremiumctl --help'.\n");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "gremiumctl: no command given\nTry 'gremiumctl --help'.\n");
		return EX_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "gremiumctl: unknown command '%s'\nTry 'gremiumctl --help'.\n", argv[optind]);
		return EX_USAGE;
	}

	mail_init();
	r = config_load(ctl.config_path, &ctl.cfg, stderr);
	if (r == -EINVAL) {
		mail_shutdown();
		return EX_CONFIG;
	}
	if (r < 0) {
		mail_shutdown();
		return r == -ENOENT || r == -EACCES ? EX_NOINPUT : EX_CONFIG;
	}
	argc -= optind;
	argv += optind;
	optind = 0;  /* the subcommand parses its own options */
	r = cmd->run(&ctl, argc, argv);
	config_free(ctl.cfg);
	mail_shutdown();
	return r;
}
