/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl - the admin tool: check, preview, ics, send-test, run-once,
 * status, fetch; inbox, topics, topic, attendance.  A thin layer: parse the command line, load the config, call the
 * modules, print.  Subcommands live in gremiumctl-VERB.c (gremiumctl.h) and are
 * dispatched from the table `commands`.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "gremiumctl.h"
#include "mail.h"
#include "schedule.h"
#include "store.h"
#include "util.h"

struct command {
	const char *name;
	const char *usage;      /* arguments after the name */
	const char *help;
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

static const struct command commands[] = {
	{ "check", "", "validate the configuration; every problem as FILE:LINE: message", cmd_check },
	{ "preview", "[--from YYYY-MM-DD] [--days N] [--format table|tsv] [--fresh]",
	  "list upcoming meetings and planned mails (tsv: UTC instants, for scripts;\n"
	  "      --fresh: as if nothing had been sent, before the first start)", cmd_preview },
	{ "ics", "[-o FILE]", "write the public calendar feed (METHOD:PUBLISH)", cmd_ics },
	{ "send-test", "--to ADDRESS [--kind invitation|reminder|topic-call]",
	  "send one sample mail through the configured transport", cmd_send_test },
	{ "run-once", "[--now YYYY-MM-DDTHH:MM]",
	  "plan what is due now (committee local time), enqueue it, send the outbox", cmd_run_once },
	{ "status", "", "outbox and sent-log summary; permanently failed recipients", cmd_status },
	/* phase 2: the committee's mailbox and the agenda */
	{ "fetch", "[--now YYYY-MM-DDTHH:MM]",
	  "one pass over the committee's mailbox: record each new message, make topics", cmd_fetch },
	{ "inbox", "[--held] [--json] | accept ID [--meeting WHEN]",
	  "what came into the mailbox and what became of it; accept: a held mail\n"
	  "      becomes a topic (of WHEN, or of the next meeting open for topics)", cmd_inbox },
	{ "topics", "[--meeting WHEN] [--json]",
	  "the members' topics (WHEN: a meeting's local start YYYY-MM-DDTHH:MM)", cmd_topics },
	{ "topic", "add --meeting WHEN --title TEXT [--member ADDRESS] [--text TEXT]\n"
	  "      | withdraw ID | move ID --to WHEN | order ID N",
	  "edit the agenda: add a topic (one that came by phone), withdraw it, move it\n"
	  "      to the end of another meeting, or put it at position N", cmd_topic },
	{ "attendance", "[--meeting WHEN | --member ADDRESS] [--json]",
	  "who comes: each member's answer to the invitation (upcoming meetings,\n"
	  "      or WHEN's), with deputy and comment", cmd_attendance },
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
	        "'gremiumctl COMMAND --help' shows the usage of one command.\n"
	        "\n"
	        "Exit status: 0 success, 64 usage error, 65 bad data (no such meeting, id or\n"
	        "member), 66 missing input (config or state),\n"
	        "69 permanent failure, 75 temporary failure, 77 permission denied,\n"
	        "78 configuration error.\n");
}

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	if (util_stderr_is_journal())
		fputs("<3>", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ctl_parse_now(const struct gr_config *cfg, const char *cmd, const char *arg, time_t *ret)
{
	struct gr_localtime lt;

	if (util_parse_datetime(arg, &lt.year, &lt.month, &lt.day, &lt.hour, &lt.minute) < 0) {
		fprintf(stderr, "gremiumctl: %s: --now wants YYYY-MM-DDTHH:MM, got '%s'\n", cmd, arg);
		return EX_USAGE;
	}
	*ret = sched_to_utc(&lt, cfg->committee.timezone);
	return 0;
}

int ctl_open_state(const struct ctl *ctl, const char *cmd, struct store **ret)
{
	const char *path = ctl->cfg->state;
	char err[512];
	int fd, e;

	/* open(2) names the cause; store_open() would create a missing file */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		ctl_error("gremiumctl: %s: state database %s: %s%s", cmd, path, strerror(e),
		          e == ENOENT ? " (gremiumd or gremiumctl run-once creates it)" :
		          e == EACCES ? " (the service's state: run this as root)" : "");
		return e == EACCES || e == EPERM ? EX_NOPERM : EX_NOINPUT;
	}
	close(fd);
	if (store_open(path, 0, ret, err, sizeof(err)) < 0) {
		ctl_error("gremiumctl: %s: state database %s", cmd, err);
		return EX_NOINPUT;
	}
	return 0;
}

/* `gremiumctl COMMAND --help` (or -h) anywhere before "--": the command's
 * usage, without loading the config.  True if it was asked for. */
static bool command_help(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("Usage: gremiumctl [-c FILE] %s%s%s\n\n%s\n", cmd->name, cmd->usage[0] ? " " : "",
			       cmd->usage, cmd->help);
			return true;
		}
	}
	return false;
}

/*
 * Load the config; its problems go to stderr, each line with its priority
 * prefix when stderr is the journal (errors <3>, warnings <4>).  Returns
 * config_load()'s result.
 */
static int load_config(struct ctl *ctl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *errs;
	int r;

	if (!util_stderr_is_journal())
		return config_load(ctl->config_path, &ctl->cfg, stderr);
	errs = open_memstream(&buf, &len);
	if (!errs)
		return -ENOMEM;
	r = config_load(ctl->config_path, &ctl->cfg, errs);
	fclose(errs);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(stderr, "%s%s\n", r < 0 ? "<3>" : "<4>", line);
	free(buf);
	return r;
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

	if (command_help(cmd, argc - optind, argv + optind))
		return EX_OK;

	mail_init();
	r = load_config(&ctl);
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
