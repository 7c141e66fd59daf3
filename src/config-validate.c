/* SPDX-License-Identifier: MIT */
/*
 * config-validate - step 3 of loading: whatever needs more than one key
 * (references, duplicates, recurrence rules, exceptions against their
 * series, delivery).  See config-internal.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "config-internal.h"
#include "schedule.h"
#include "util.h"

static const config_setting_t *root_member(struct loader *ld, const char *name)
{
	return config_setting_get_member(ld->root, name);
}

static bool group_known(const struct gr_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (cfg->groups[i].id && strcmp(cfg->groups[i].id, id) == 0)
			return true;
	return false;
}

static void validate_groups(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "groups");

	/* each repeat reported once, against the first use (break) */
	for (size_t i = 0; i < cfg->n_groups; i++) {
		for (size_t j = 0; j < i && cfg->groups[i].id; j++) {
			if (cfg->groups[j].id && strcmp(cfg->groups[i].id, cfg->groups[j].id) == 0) {
				config_problem(ld, config_elem_line(l, i, "id"), "groups[%zu].id: \"%s\" is already used by groups[%zu]",
				        i, cfg->groups[i].id, j);
				break;
			}
		}
	}
}

/* qsort order of member indexes: by address ignoring case, then by index */
/* One address a member writes from: the email or one of the aliases. */
struct member_addr {
	const char *addr;
	size_t member;
	int alias;      /* -1: the email */
};

static int cmp_member_addr(const void *a, const void *b)
{
	const struct member_addr *x = a, *y = b;
	int c = strcasecmp(x->addr, y->addr);

	if (c)
		return c;
	if (x->member != y->member)
		return (x->member > y->member) - (x->member < y->member);
	return (x->alias > y->alias) - (x->alias < y->alias);
}

/*
 * The same person twice would get every mail twice, and an address that is
 * two members' would make inbound mail ambiguous.  Sorted, not pairwise: a
 * list of 10,000 addresses would take 50 million comparisons.  Each repeat
 * is reported against the address's first use (emails before aliases of
 * the same member).
 */
static void check_member_duplicates(struct loader *ld, const config_setting_t *l)
{
	const struct gr_config *cfg = ld->cfg;
	size_t total = 0, n = 0;
	struct member_addr *v;

	for (size_t i = 0; i < cfg->n_members; i++)
		total += 1 + cfg->members[i].n_aliases;
	v = calloc(total + 1, sizeof(*v));
	if (!v) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < cfg->n_members; i++) {
		const struct gr_member *m = &cfg->members[i];

		if (m->email)
			v[n++] = (struct member_addr){ m->email, i, -1 };
		for (size_t j = 0; j < m->n_aliases; j++)
			v[n++] = (struct member_addr){ m->aliases[j], i, (int)j };
	}
	qsort(v, n, sizeof(*v), cmp_member_addr);
	for (size_t k = 1, first = 0; k < n; k++) {
		const struct member_addr *a = &v[k], *f = &v[first];

		if (strcasecmp(a->addr, f->addr) != 0) {
			first = k;
			continue;
		}
		if (a->alias < 0)
			config_problem(ld, config_elem_line(l, a->member, "email"),
			        "members[%zu].email: \"%s\" is already %s of members[%zu]", a->member, a->addr,
			        f->alias < 0 ? "the address" : "an alias", f->member);
		else
			config_problem(ld, config_elem_line(l, a->member, "aliases"),
			        "members[%zu].aliases[%d]: \"%s\" is already %s of members[%zu]", a->member,
			        a->alias, a->addr, f->alias < 0 ? "the address" : "an alias", f->member);
	}
	free(v);
}

static void validate_members(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "members");

	for (size_t i = 0; i < cfg->n_members; i++) {
		const struct gr_member *m = &cfg->members[i];

		if (m->group && !group_known(cfg, m->group))
			config_problem(ld, config_elem_line(l, i, "group"), "members[%zu].group: unknown group \"%s\" (not in groups)",
			        i, m->group);
	}
	check_member_duplicates(ld, l);
}

/* rrule xor dates; start exactly with rrule; the rule must produce start. */
static void validate_recurrence(struct loader *ld, const config_setting_t *l, size_t i)
{
	const struct gr_series *s = &ld->cfg->series[i];
	const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
	bool has_rrule = config_setting_get_member(e, "rrule") != NULL;
	bool has_dates = config_setting_get_member(e, "dates") != NULL;
	bool has_start = config_setting_get_member(e, "start") != NULL;
	char why[256];

	if (has_rrule == has_dates) {
		config_problem(ld, config_line(e), "series[%zu]: needs either rrule (with start) or dates, %s", i,
		        has_rrule ? "not both" : "neither is set");
		return;
	}
	if (has_dates) {
		if (has_start)
			config_problem(ld, config_key_line(e, "start"),
			        "series[%zu].start: only for an rrule series; a dates series takes its times from dates", i);
		return;
	}
	if (!has_start) {
		config_problem(ld, config_line(e), "series[%zu].start: missing (required with rrule)", i);
		return;
	}
	if (!s->rrule || s->start.year == 0)
		return; /* reported already */
	if (sched_rrule_check(s->rrule, why, sizeof(why)) < 0) {
		config_problem(ld, config_key_line(e, "rrule"), "series[%zu].rrule: \"%s\": %s", i, s->rrule, why);
		return;
	}
	/* libical silently skips a DTSTART that its rule does not produce, while
	 * other clients show it (INTEROP.md, Recurrence 3) */
	if (sched_rrule_produces_start(s->rrule, &s->start) != 1)
		config_problem(ld, config_key_line(e, "start"),
		        "series[%zu].start: %04d-%02d-%02dT%02d:%02d is not an occurrence of its rrule \"%s\"", i,
		        s->start.year, s->start.month, s->start.day, s->start.hour, s->start.minute, s->rrule);
}

/* Does the series s skips the months of also skip the months of s?  Then
 * in a month both meet, neither would. */
static bool skips_back(const struct gr_config *cfg, const struct gr_series *s)
{
	int j = config_series_index(cfg, s->skip_months_of);
	const char *back = j >= 0 ? cfg->series[j].skip_months_of : NULL;

	return back && s->id && strcmp(back, s->id) == 0;
}

static void validate_series(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "series");

	for (size_t i = 0; i < cfg->n_series; i++) {
		const struct gr_series *s = &cfg->series[i];

		if (!config_setting_get_elem(l, (unsigned)i) ||
		    config_setting_type(config_setting_get_elem(l, (unsigned)i)) != CONFIG_TYPE_GROUP)
			continue;
		for (size_t j = 0; j < i && s->id; j++) {
			if (cfg->series[j].id && strcmp(s->id, cfg->series[j].id) == 0) {
				config_problem(ld, config_elem_line(l, i, "id"), "series[%zu].id: \"%s\" is already used by series[%zu]",
				        i, s->id, j);
				break;
			}
		}
		validate_recurrence(ld, l, i);
		if (!s->skip_months_of)
			continue;
		if (s->id && strcmp(s->skip_months_of, s->id) == 0)
			config_problem(ld, config_elem_line(l, i, "skip_months_of"),
			        "series[%zu].skip_months_of: \"%s\" is the series itself", i, s->id);
		else if (config_series_index(cfg, s->skip_months_of) < 0)
			config_problem(ld, config_elem_line(l, i, "skip_months_of"),
			        "series[%zu].skip_months_of: unknown series \"%s\"", i, s->skip_months_of);
		else if (skips_back(cfg, s))
			config_problem(ld, config_elem_line(l, i, "skip_months_of"),
			        "series[%zu].skip_months_of: \"%s\" skips the months of \"%s\" in turn: in a month both meet, neither would",
			        i, s->skip_months_of, s->id);
	}
}

/* Is the series usable for asking about its dates (no problem reported)? */
static bool series_sound(const struct gr_series *s)
{
	if (s->rrule)
		return s->start.year != 0 && sched_rrule_check(s->rrule, NULL, 0) == 0 &&
		       sched_rrule_produces_start(s->rrule, &s->start) == 1;
	return s->n_dates > 0;
}

static void validate_exception(struct loader *ld, const config_setting_t *l, size_t i)
{
	const struct gr_config *cfg = ld->cfg;
	const struct gr_exception *x = &cfg->exceptions[i];
	const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
	int si;

	if (!e || config_setting_type(e) != CONFIG_TYPE_GROUP)
		return; /* reported by the parse pass */
	if (x->cancel == x->move)
		config_problem(ld, config_line(e), "exceptions[%zu]: needs either cancel = true or move_to, %s", i,
		        x->move ? "not both" : "neither is set");
	if (!x->series || x->year == 0)
		return;
	si = config_series_index(cfg, x->series);
	if (si < 0) {
		config_problem(ld, config_elem_line(l, i, "series"), "exceptions[%zu].series: unknown series \"%s\"", i, x->series);
		return;
	}
	if (series_sound(&cfg->series[si]) &&
	    sched_series_has_date(&cfg->series[si], x->year, x->month, x->day, NULL) != 1)
		config_problem(ld, config_elem_line(l, i, "date"),
		        "exceptions[%zu].date: series \"%s\" has no meeting on %04d-%02d-%02d", i, x->series,
		        x->year, x->month, x->day);
	for (size_t j = 0; j < i; j++) {
		const struct gr_exception *y = &cfg->exceptions[j];
		if (y->series && strcmp(y->series, x->series) == 0 && y->year == x->year &&
		    y->month == x->month && y->day == x->day) {
			config_problem(ld, config_elem_line(l, i, "date"),
			        "exceptions[%zu]: the meeting of \"%s\" on %04d-%02d-%02d already has an exception (exceptions[%zu])",
			        i, x->series, x->year, x->month, x->day, j);
			break;
		}
	}
}

static void validate_delivery(struct loader *ld)
{
	const struct gr_delivery *d = &ld->cfg->delivery;
	const config_setting_t *g = root_member(ld, "delivery");
	const char *rest = NULL;
	char host[256];
	bool plain = false;

	if (!d->smtp_url) {
		if (d->transport == GR_TRANSPORT_SMTP && !(g && config_setting_get_member(g, "smtp_url")))
			config_problem(ld, config_key_line(g, "transport"), "delivery.smtp_url: missing (required with transport = \"smtp\")");
		return;
	}
	if (strncasecmp(d->smtp_url, "smtps://", 8) == 0) {
		rest = d->smtp_url + 8;
	} else if (strncasecmp(d->smtp_url, "smtp://", 7) == 0) {
		rest = d->smtp_url + 7;
		plain = true;
	}
	if (!rest || strchr(rest, '@') || strchr(rest, ' ')) {
		config_problem(ld, config_key_line(g, "smtp_url"),
		        "delivery.smtp_url: \"%s\" is not smtp://HOST[:PORT] or smtps://HOST[:PORT] (credentials go in username and password_file)",
		        d->smtp_url);
		return;
	}
	if (util_url_host(d->smtp_url, host, sizeof(host)) < 0) {
		config_problem(ld, config_key_line(g, "smtp_url"), "delivery.smtp_url: \"%s\" has no host (or one longer than 255 bytes)", d->smtp_url);
		return;
	}
	/* a password in clear over the network is the one thing we refuse */
	if (plain && !d->starttls_required && !util_is_loopback_host(host))
		config_problem(ld, config_key_line(g, "starttls"),
		        "delivery.starttls: \"off\" is only allowed for a loopback host (127.0.0.1, ::1, localhost), not \"%s\"",
		        host);
}

/*
 * password_credential: a systemd credential name, found where the service
 * and the admin's shell each see it (util_credential_path()); password_file
 * then holds that path, so everything after the config reads one file.
 */
static void resolve_credential(struct loader *ld, const char *group, char **password_file,
                               const char *password_credential, int *password_line)
{
	const config_setting_t *g = root_member(ld, group);
	int r;

	*password_line = config_key_line(g, password_credential ? "password_credential" :
	                                    *password_file ? "password_file" : "username");
	if (!password_credential)
		return;
	if (*password_file) {
		config_problem(ld, *password_line, "%s: password_file and password_credential exclude each other", group);
		return;
	}
	if (!util_credential_name_valid(password_credential)) {
		config_problem(ld, *password_line,
		               "%s.password_credential: \"%s\" is no credential name (a file name: no '/', not . or ..)",
		               group, password_credential);
		return;
	}
	r = util_credential_path(password_credential, password_file);
	if (r < 0)
		config_problem(ld, *password_line, "%s.password_credential: %s", group, strerror(-r));
}

/*
 * inbound: the IMAP URL names a host and a mailbox; imap:// always
 * upgrades with STARTTLS (a password in clear is refused, as for SMTP).
 */
static void validate_inbound(struct loader *ld)
{
	struct gr_inbound *in = &ld->cfg->inbound;
	const config_setting_t *g = root_member(ld, "inbound");
	const char *rest = NULL;
	char host[256];

	if (in->source == GR_INBOUND_NONE)
		return;
	resolve_credential(ld, "inbound", &in->password_file, in->password_credential, &in->password_line);
	if (in->source != GR_INBOUND_IMAP)
		return;
	if (!in->imap_url) {
		if (!(g && config_setting_get_member(g, "imap_url")))
			config_problem(ld, config_key_line(g, "source"), "inbound.imap_url: missing (required with source = \"imap\")");
		return;
	}
	if (strncasecmp(in->imap_url, "imaps://", 8) == 0)
		rest = in->imap_url + 8;
	else if (strncasecmp(in->imap_url, "imap://", 7) == 0)
		rest = in->imap_url + 7;
	if (!rest || strchr(rest, '@') || strpbrk(rest, " ;?#")) {
		config_problem(ld, config_key_line(g, "imap_url"),
		        "inbound.imap_url: \"%s\" is not imaps://HOST[:PORT]/MAILBOX or imap://HOST[:PORT]/MAILBOX (credentials go in username and password_file)",
		        in->imap_url);
		return;
	}
	if (util_url_host(in->imap_url, host, sizeof(host)) < 0) {
		config_problem(ld, config_key_line(g, "imap_url"), "inbound.imap_url: \"%s\" has no host (or one longer than 255 bytes)",
		               in->imap_url);
		return;
	}
	if (!in->username)
		config_problem(ld, config_key_line(g, "imap_url"), "inbound.username: missing (an IMAP mailbox needs a login)");
}

/*
 * Paths that must name a file: state and feed.file are created as files
 * (a folder there, or "/", fails only when the daemon starts);
 * password_file and ca_file are read, and must be regular files when they
 * exist here (a FIFO hung the daemon).  One missing at check time is not
 * reported: a credential may only exist when the service runs.
 */
static void validate_files(struct loader *ld)
{
	const struct gr_config *cfg = ld->cfg;
	const struct {
		const char *group, *key, *path;
		bool read;
	} files[] = {
		{ NULL, "state", cfg->state, false },
		{ "feed", "file", cfg->feed.file, false },
		{ "delivery", "password_file", cfg->delivery.password_file, true },
		{ "delivery", "ca_file", cfg->delivery.ca_file, true },
		{ "inbound", "password_file", cfg->inbound.password_file, true },
		{ "inbound", "ca_file", cfg->inbound.ca_file, true },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const config_setting_t *g = files[i].group ? root_member(ld, files[i].group) : ld->root;
		const char *p = files[i].path;
		struct stat st;
		int r = 0;

		if (!p)
			continue;
		if (p[strlen(p) - 1] == '/' || (stat(p, &st) == 0 && S_ISDIR(st.st_mode))) {
			r = -EISDIR;
		} else if (files[i].read) {
			int fd = util_open_regular(p, SIZE_MAX, NULL);
			if (fd >= 0)
				(void)close(fd);
			r = fd < 0 ? fd : 0;
		}
		if (r == -EISDIR || r == -EINVAL)
			config_problem(ld, config_key_line(g, files[i].key), "%s%s%s: \"%s\" %s",
			               files[i].group ? files[i].group : "", files[i].group ? "." : "",
			               files[i].key, p,
			               r == -EISDIR ? "is a folder: a file name is needed here"
			                            : util_file_strerror(r));
	}
}

void config_validate(struct loader *ld)
{
	struct gr_config *cfg = ld->cfg;
	const config_setting_t *l = root_member(ld, "exceptions");
	const config_setting_t *n = root_member(ld, "notifications");

	validate_groups(ld);
	validate_members(ld);
	validate_series(ld);
	for (size_t i = 0; i < cfg->n_exceptions; i++)
		validate_exception(ld, l, i);
	if (cfg->notifications.topic_call &&
	    cfg->notifications.topic_deadline_days_before >= cfg->notifications.topic_days_before &&
	    cfg->notifications.topic_days_before > 0)
		config_problem(ld, config_key_line(n ? config_setting_get_member(n, "topic_call") : NULL, "deadline_days_before"),
		        "notifications.topic_call.deadline_days_before: %d must be less than days_before (%d)",
		        cfg->notifications.topic_deadline_days_before, cfg->notifications.topic_days_before);
	validate_delivery(ld);
	resolve_credential(ld, "delivery", &cfg->delivery.password_file, cfg->delivery.password_credential,
	                   &cfg->delivery.password_line);
	validate_inbound(ld);
	if (!cfg->committee.chair_address && cfg->committee.organizer_email &&
	    !(cfg->committee.chair_address = strdup(cfg->committee.organizer_email)))
		ld->oom = true;
	if (!cfg->delivery.bounce_address && cfg->committee.domain &&
	    asprintf(&cfg->delivery.bounce_address, "bounces@%s", cfg->committee.domain) < 0) {
		cfg->delivery.bounce_address = NULL;
		ld->oom = true;
	}
	if (cfg->quorum.min_present > 0 && cfg->n_members > 0 && (size_t)cfg->quorum.min_present > cfg->n_members)
		config_problem(ld, config_key_line(root_member(ld, "quorum"), "min_present"),
		               "quorum.min_present: %d, but there are only %zu members (it could never be reached)",
		               cfg->quorum.min_present, cfg->n_members);
	validate_files(ld);
}
