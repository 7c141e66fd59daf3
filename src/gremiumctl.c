/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl - the admin tool: check, preview, ics, send-test, run-once,
 * status.  A thin layer: parse the command line, load the config, call the
 * modules, print.  Subcommands are dispatched from the table `commands`.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "config.h"
#include "ical.h"
#include "mail.h"
#include "schedule.h"
#include "util.h"

struct ctl {
	const char *config_path;
	struct gr_config *cfg;  /* loaded before the command runs */
};

struct command {
	const char *name;
	const char *usage;      /* arguments after the name */
	const char *help;
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

static int cmd_check(struct ctl *ctl, int argc, char **argv);
static int cmd_preview(struct ctl *ctl, int argc, char **argv);
static int cmd_ics(struct ctl *ctl, int argc, char **argv);
static int cmd_send_test(struct ctl *ctl, int argc, char **argv);

static const struct command commands[] = {
	{ "check", "", "validate the configuration; every problem as FILE:LINE: message", cmd_check },
	{ "preview", "[--from YYYY-MM-DD] [--days N] [--format table|tsv]",
	  "list upcoming meetings and planned mails (tsv: UTC instants, for scripts)", cmd_preview },
	{ "ics", "[-o FILE]", "write the public calendar feed (METHOD:PUBLISH)", cmd_ics },
	{ "send-test", "--to ADDRESS [--kind invitation|reminder|topic-call]",
	  "send one sample mail through the configured transport", cmd_send_test },
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

/* Reset getopt for a subcommand's own option parsing. */
static void getopt_reset(void)
{
	optind = 0;
}

/* ---- check ---- */

static int cmd_check(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: check takes no arguments\n");
		return EX_USAGE;
	}
	printf("configuration OK: %zu members, %zu series\n", cfg->n_members, cfg->n_series);
	return EX_OK;
}

/* ---- preview ---- */

#define PREVIEW_MAX_DAYS 3660

struct preview_opts {
	struct gr_localtime from;   /* local midnight */
	int days;
	bool tsv;
};

/* Weekday and date the way the committee reads them (DE: "Mi 13.01.2027"). */
static void format_day(const struct gr_config *cfg, const struct gr_localtime *lt,
                       char *buf, size_t len)
{
	static const char *const de[] = { "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So" };
	static const char *const en[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	int wd = sched_weekday(lt) - 1;

	if (cfg->committee.language && strcmp(cfg->committee.language, "de") == 0)
		snprintf(buf, len, "%s %02d.%02d.%04d %02d:%02d", de[wd], lt->day, lt->month,
		         lt->year, lt->hour, lt->minute);
	else
		snprintf(buf, len, "%s %04d-%02d-%02d %02d:%02d", en[wd], lt->year, lt->month,
		         lt->day, lt->hour, lt->minute);
}

static void format_status(const struct gr_config *cfg, const struct gr_occurrence *o,
                          char *buf, size_t len)
{
	char day[64];

	switch (o->status) {
	case GR_OCC_MOVED:
		format_day(cfg, &o->original, day, sizeof(day));
		snprintf(buf, len, "moved from %s%s%s%s", day, o->note ? " (" : "",
		         o->note ? o->note : "", o->note ? ")" : "");
		break;
	case GR_OCC_CANCELLED:
		snprintf(buf, len, "cancelled%s%s%s", o->note ? " (" : "", o->note ? o->note : "",
		         o->note ? ")" : "");
		break;
	case GR_OCC_SKIPPED:
		snprintf(buf, len, "skipped (%s meets this month)", o->series->skip_months_of);
		break;
	default:
		snprintf(buf, len, "confirmed");
	}
}

/* Code points, not octets: printf's %-*s would misalign umlauts. */
static void print_padded(const char *s, size_t width)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			n++;
	fputs(s, stdout);
	for (; n < width; n++)
		putchar(' ');
	fputs("  ", stdout);
}

static void print_table(const struct gr_config *cfg, const struct sched_list *l)
{
	size_t w_id = 6, w_sum = 7;
	char day[64], status[512];

	for (size_t i = 0; i < l->n; i++) {
		size_t a = strlen(l->items[i].series->id), b = strlen(l->items[i].series->summary);
		w_id = a > w_id ? a : w_id;
		w_sum = b > w_sum ? b : w_sum;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct gr_occurrence *o = &l->items[i];

		format_day(cfg, &o->start, day, sizeof(day));
		format_status(cfg, o, status, sizeof(status));
		print_padded(day, 0);
		print_padded(o->series->id, w_id);
		print_padded(o->series->summary, w_sum);
		print_padded(o->series->location ? o->series->location : "-", 0);
		puts(status);
	}
	if (l->n == 0)
		puts("no meetings in this period");
}

static void iso_utc(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* One line per occurrence, tab-separated, for scripts and tests:
 * start (UTC), end (UTC), status, series, UID, local start, local original. */
static void print_tsv(const struct gr_config *cfg, const struct sched_list *l)
{
	static const char *const names[] = { "confirmed", "moved", "cancelled", "skipped" };

	puts("#start_utc\tend_utc\tstatus\tseries\tuid\tlocal_start\tlocal_original");
	for (size_t i = 0; i < l->n; i++) {
		const struct gr_occurrence *o = &l->items[i];
		struct ical_object obj = { o->series, o->date_index };
		char a[32], b[32], uid[512];

		iso_utc(o->start_utc, a, sizeof(a));
		iso_utc(o->end_utc, b, sizeof(b));
		if (ical_uid(cfg, &obj, uid, sizeof(uid)) < 0)
			snprintf(uid, sizeof(uid), "-");
		printf("%s\t%s\t%s\t%s\t%s\t%04d-%02d-%02dT%02d:%02d\t%04d-%02d-%02dT%02d:%02d\n",
		       a, b, names[o->status], o->series->id, uid, o->start.year, o->start.month,
		       o->start.day, o->start.hour, o->start.minute, o->original.year,
		       o->original.month, o->original.day, o->original.hour, o->original.minute);
	}
}

static int preview_args(const struct gr_config *cfg, int argc, char **argv,
                        struct preview_opts *ret)
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "days", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct preview_opts o = { .days = 90 };
	char *end;
	long days;
	int c;

	/* today in the committee's zone, not the machine's */
	sched_from_utc(time(NULL), cfg->committee.timezone, &o.from);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (util_parse_date(optarg, &o.from.year, &o.from.month, &o.from.day) < 0) {
				fprintf(stderr, "gremiumctl: preview: --from wants YYYY-MM-DD, got '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'd':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || days < 1 || days > PREVIEW_MAX_DAYS) {
				fprintf(stderr, "gremiumctl: preview: --days wants 1..%d, got '%s'\n",
				        PREVIEW_MAX_DAYS, optarg);
				return -EINVAL;
			}
			o.days = (int)days;
			break;
		case 'F':
			if (strcmp(optarg, "tsv") != 0 && strcmp(optarg, "table") != 0) {
				fprintf(stderr, "gremiumctl: preview: --format wants table or tsv, got '%s'\n", optarg);
				return -EINVAL;
			}
			o.tsv = strcmp(optarg, "tsv") == 0;
			break;
		default:
			fprintf(stderr, "gremiumctl: preview: bad option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: preview: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	o.from.hour = o.from.minute = 0;
	*ret = o;
	return 0;
}

static int cmd_preview(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct preview_opts o;
	struct sched_list l = { 0 };
	struct gr_localtime to;
	int r;

	if (preview_args(cfg, argc, argv, &o) < 0)
		return EX_USAGE;
	to = sched_add_days(o.from, o.days);
	r = sched_expand(cfg, sched_to_utc(&o.from, cfg->committee.timezone),
	                 sched_to_utc(&to, cfg->committee.timezone), &l);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: preview: %s\n", strerror(-r));
		return EX_SOFTWARE;
	}
	if (o.tsv)
		print_tsv(cfg, &l);
	else
		print_table(cfg, &l);
	sched_list_free(&l);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gremiumctl: preview: writing: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

/* ---- ics ---- */

/* How far ahead of now the feed spells out skipped months at least, the
 * same as the daemon's feed (daemon.c FEED_AHEAD_SECONDS) so both give the
 * same bytes.  The bytes change only when that reaches a new skipped month
 * of a series that skips an rrule series; every fact of the config is
 * covered by sched_horizon() anyway. */
#define ICS_AHEAD ((time_t)2 * 366 * 86400)

static int write_feed(const char *path, const char *data)
{
	char *dir = util_strdup0(path), *slash;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		r = util_mkdir_p(dir, 0755);
	}
	free(dir);
	if (r < 0)
		return r;
	return util_write_atomic(path, data, strlen(data), 0644);
}

static int ics_args(int argc, char **argv, const char **ret_out)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		if (c != 'o') {
			fprintf(stderr, "gremiumctl: ics: bad option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
		*ret_out = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "gremiumctl: ics: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int cmd_ics(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	const char *out = NULL;
	struct sched_list l = { 0 };
	time_t from, to;
	char *feed;
	int r;

	if (ics_args(argc, argv, &out) < 0)
		return EX_USAGE;
	sched_horizon(cfg, time(NULL) + ICS_AHEAD, &from, &to);
	r = sched_expand(cfg, from, to, &l);
	if (r < 0) {
		fprintf(stderr, "gremiumctl: ics: %s\n", strerror(-r));
		return EX_SOFTWARE;
	}
	feed = ical_publish(cfg, &l, cfg->mtime);
	sched_list_free(&l);
	if (!feed) {
		fprintf(stderr, "gremiumctl: ics: building the calendar failed\n");
		return EX_SOFTWARE;
	}
	if (out) {
		r = write_feed(out, feed);
		if (r < 0)
			fprintf(stderr, "gremiumctl: ics: writing %s: %s\n", out, strerror(-r));
		r = r < 0 ? EX_CANTCREAT : EX_OK;
	} else if (fputs(feed, stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "gremiumctl: ics: writing: %s\n", strerror(errno));
		r = EX_IOERR;
	} else {
		r = EX_OK;
	}
	free(feed);
	return r;
}

/* ---- send-test ---- */

static int cmd_send_test(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl, (void)argc, (void)argv;
	fprintf(stderr, "gremiumctl: send-test: not available in this version\n");
	return EX_UNAVAILABLE;
}

/* ---- main ---- */

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
	getopt_reset();
	r = cmd->run(&ctl, argc, argv);
	config_free(ctl.cfg);
	mail_shutdown();
	return r;
}
