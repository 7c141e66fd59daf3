/* SPDX-License-Identifier: MIT */
/*
 * inbound_probe - run one inbound_pass() for the end-to-end test
 * (e2e_inbound.sh), until `gremiumctl fetch` exists.  The config comes from
 * the command line; the caller's record is a file of source ids, one a
 * line (--record), so passes build on each other like with the state
 * database.  Prints one line per message handed over
 *   take SOURCE_ID size=N len=N too_large=0|1 subject=...
 * and then
 *   stats new=N seen=N too_large=N
 * or "error: REASON" (exit 1).  --fail-at N: the N-th take() of this pass
 * fails (-EIO), as if the database could not record it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"

struct probe {
	const char *record;
	unsigned takes, fail_at;
};

static int probe_seen(void *userdata, const char *source_id)
{
	struct probe *p = userdata;
	char line[512];
	FILE *f = fopen(p->record, "r");
	int found = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = strcmp(line, source_id) == 0;
	}
	fclose(f);
	return found;
}

static void print_subject(const struct inbound_msg *m)
{
	const char *b = m->bytes, *end = b ? b + m->len : NULL;

	for (const char *p = b; p && p + 10 < end; p++)
		if ((p == b || p[-1] == '\n') && strncmp(p, "Subject: ", 9) == 0) {
			size_t n = strcspn(p + 9, "\r\n");
			printf(" subject=%.*s", (int)(n < 200 ? n : 200), p + 9);
			return;
		}
}

static int probe_take(void *userdata, const struct inbound_msg *m)
{
	struct probe *p = userdata;
	FILE *f;

	if (++p->takes == p->fail_at)
		return -EIO;
	printf("take %s size=%zu len=%zu too_large=%d", m->source_id, m->size, m->len, m->too_large);
	print_subject(m);
	printf("\n");
	if ((m->bytes == NULL) != m->too_large || (m->too_large && m->len != 0))
		return -EINVAL;
	f = fopen(p->record, "a");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", m->source_id);
	return fclose(f) == 0 ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "imap", required_argument, NULL, 'i' },
		{ "maildir", required_argument, NULL, 'm' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'c' },
		{ "done", required_argument, NULL, 'd' },
		{ "max-kb", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "record", required_argument, NULL, 'r' },
		{ "fail-at", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_inbound cfg = { .done_folder = "gremiumd-done", .max_message_kb = 10240,
	                          .timeout = 10, .poll_seconds = 120 };
	struct probe p = { .record = NULL };
	struct inbound_stats st;
	char err[512], *password = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': cfg.source = GR_INBOUND_IMAP; cfg.imap_url = optarg; break;
		case 'm': cfg.source = GR_INBOUND_MAILDIR; cfg.maildir = optarg; break;
		case 'u': cfg.username = optarg; break;
		case 'p': cfg.password_file = optarg; break;
		case 'c': cfg.ca_file = optarg; break;
		case 'd': cfg.done_folder = optarg; break;
		case 'k': cfg.max_message_kb = atoi(optarg); break;
		case 't': cfg.timeout = atoi(optarg); break;
		case 'r': p.record = optarg; break;
		case 'f': p.fail_at = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	if (!p.record || optind != argc) {
		fprintf(stderr, "usage: inbound_probe (--imap URL | --maildir DIR) --record FILE [...]\n");
		return 2;
	}
	if (cfg.username && inbound_password(&cfg, &password, err, sizeof(err)) < 0) {
		printf("error: %s\n", err);
		return 1;
	}
	r = inbound_pass(&cfg, password, probe_seen, probe_take, &p, &st, err, sizeof(err));
	free(password);
	printf("stats new=%u seen=%u too_large=%u\n", st.new_msgs, st.already_seen, st.too_large);
	if (r < 0) {
		printf("error: %s\n", err);
		return 1;
	}
	return 0;
}
