/* SPDX-License-Identifier: MIT */
/*
 * config-schema - the schema of DESIGN.md as key tables, with the checks of
 * single values and the keys that need their own parser.  See
 * config-internal.h.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <libconfig.h>

#include "config-internal.h"
#include "mail.h"
#include "schedule.h"
#include "util.h"

/* ---- string checks ---- */

static bool chk_email(const char *v, char *why, size_t len)
{
	return mail_address_check(v, why, len) == 0;
}

/* Names become CN parameters of ATTENDEE/ORGANIZER: libical escapes '"' and
 * '^' there per RFC 6868, which Outlook shows literally (INTEROP.md 8). */
static bool chk_cn(const char *v, char *why, size_t len)
{
	if (!strpbrk(v, "\"^"))
		return true;
	snprintf(why, len, "\"%s\": '\"' and '^' are not allowed in names (Outlook garbles them in calendar entries)", v);
	return false;
}

/* Ids end up in UIDs and file names: keep them to a safe alphabet and
 * short (a UID is "ID-YYYYMMDD@DOMAIN"). */
static bool chk_id(const char *v, char *why, size_t len)
{
	if (strlen(v) > ID_MAX_LEN) {
		snprintf(why, len, "an id of %zu bytes: at most %d", strlen(v), ID_MAX_LEN);
		return false;
	}
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			snprintf(why, len, "\"%s\": only letters, digits, '-' and '_' are allowed in an id", v);
			return false;
		}
	}
	return true;
}

/* committee.domain goes into UIDs, Message-IDs and List-Id: ASCII letters,
 * digits, '-' and '.', and mail's limits for a domain (RFC 1035). */
static bool chk_domain(const char *v, char *why, size_t len)
{
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
			snprintf(why, len, "\"%s\" is not a domain name (e.g. committee.example.org)", v);
			return false;
		}
	}
	return mail_domain_check(v, why, len) == 0;
}

/* The VERP base: a plain address whose local part can take "+TOKEN". */
static bool chk_bounce_address(const char *v, char *why, size_t len)
{
	const char *at = strrchr(v, '@');

	if (!chk_email(v, why, len))
		return false;
	if (at && memchr(v, '+', (size_t)(at - v))) {
		snprintf(why, len, "\"%s\": no '+' in the local part (gremiumd appends +TOKEN to it)", v);
		return false;
	}
	return true;
}

/* An IMAP folder name as we send it in a command: printable ASCII without
 * quotes, backslashes or wildcards (modified UTF-7 is not worth it here). */
static bool chk_imap_folder(const char *v, char *why, size_t len)
{
	for (const char *p = v; *p; p++) {
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || strchr("\"\\%*{}", *p)) {
			snprintf(why, len, "\"%s\": an IMAP folder name of printable ASCII without spaces, quotes, '\\', '%%', '*', '{' or '}'", v);
			return false;
		}
	}
	return true;
}

static bool chk_timezone(const char *v, char *why, size_t len)
{
	if (sched_timezone_known(v))
		return true;
	snprintf(why, len, "unknown time zone \"%s\" (expected an Olson name such as Europe/Berlin)", v);
	return false;
}

static bool chk_language(const char *v, char *why, size_t len)
{
	if (strcmp(v, "de") == 0 || strcmp(v, "en") == 0)
		return true;
	snprintf(why, len, "\"%s\" is not a supported language (de or en)", v);
	return false;
}

/* Meeting links are clicked by members: nothing but the web. */
static bool chk_url(const char *v, char *why, size_t len)
{
	const char *host = NULL;

	if (strncasecmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncasecmp(v, "http://", 7) == 0)
		host = v + 7;
	if (host && *host && *host != '/' && !strchr(v, ' '))
		return true;
	snprintf(why, len, "\"%s\" is not an http:// or https:// address with a host", v);
	return false;
}

static bool chk_url_path(const char *v, char *why, size_t len)
{
	if (v[0] == '/' && !strpbrk(v, " ?#"))
		return true;
	snprintf(why, len, "\"%s\" must be a URL path starting with '/' (e.g. \"/calendar.ics\")", v);
	return false;
}

/*
 * "host:port" or "[v6]:port"; feed resolves a name.  An IPv6 address needs
 * its brackets, or the port would be ambiguous.  What looks like an address
 * must be one (inet_pton): getaddrinfo() would take "999.1.1.1" for a name
 * and fail only when the daemon starts.
 */
static bool listen_host_ok(const char *v, size_t hostlen)
{
	char host[256];
	unsigned char addr[sizeof(struct in6_addr)];

	if (hostlen == 0 || hostlen >= sizeof(host))
		return false;
	if (v[0] == '[') {
		if (hostlen < 3 || v[hostlen - 1] != ']')
			return false;
		memcpy(host, v + 1, hostlen - 2);
		host[hostlen - 2] = '\0';
		return inet_pton(AF_INET6, host, addr) == 1;
	}
	memcpy(host, v, hostlen);
	host[hostlen] = '\0';
	if (strspn(host, "0123456789.") == hostlen)
		return inet_pton(AF_INET, host, addr) == 1;
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return host[0] != '-' && host[0] != '.';
}

static bool chk_listen(const char *v, char *why, size_t len)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (colon && colon > v && isdigit((unsigned char)colon[1]) && listen_host_ok(v, (size_t)(colon - v))) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (*end == '\0' && errno == 0 && port >= 1 && port <= 65535)
			return true;
	}
	snprintf(why, len, "\"%s\" is not host:port (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")", v);
	return false;
}

/* ---- keys that need more than one type check ---- */

static bool parse_lt(struct loader *ld, const config_setting_t *s, const char *name,
                     const struct key *k, struct gr_localtime *ret)
{
	const char *v = config_get_string(ld, s, name, k);
	struct gr_localtime lt;

	if (!v)
		return false;
	if (util_parse_datetime(v, &lt.year, &lt.month, &lt.day, &lt.hour, &lt.minute) < 0) {
		config_problem(ld, config_line(s), "%s: \"%s\" is not a valid local date and time (YYYY-MM-DDTHH:MM, e.g. 2026-01-14T10:00)",
		        name, v);
		return false;
	}
	*ret = lt;
	return true;
}

static void fn_datetime(struct loader *ld, const config_setting_t *s, const char *name,
                        const struct key *k, void *obj)
{
	(void)parse_lt(ld, s, name, k, (struct gr_localtime *)((char *)obj + k->off));
}

static void fn_move_to(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	struct gr_exception *ex = obj;

	/* set even when invalid, so "cancel and move_to" is still reported */
	ex->move = true;
	(void)parse_lt(ld, s, name, k, &ex->move_to);
}

static void fn_exc_date(struct loader *ld, const config_setting_t *s, const char *name,
                        const struct key *k, void *obj)
{
	struct gr_exception *ex = obj;
	const char *v = config_get_string(ld, s, name, k);

	if (v && util_parse_date(v, &ex->year, &ex->month, &ex->day) < 0)
		config_problem(ld, config_line(s), "%s: \"%s\" is not a valid date (YYYY-MM-DD, e.g. 2026-12-09)", name, v);
}

static void fn_send_time(struct loader *ld, const config_setting_t *s, const char *name,
                         const struct key *k, void *obj)
{
	struct gr_notifications *n = obj;
	const char *v = config_get_string(ld, s, name, k);

	if (v && util_parse_hhmm(v, &n->send_hour, &n->send_minute) < 0)
		config_problem(ld, config_line(s), "%s: \"%s\" is not a time of day HH:MM (e.g. \"09:00\")", name, v);
}

static void fn_transport(struct loader *ld, const config_setting_t *s, const char *name,
                         const struct key *k, void *obj)
{
	struct gr_delivery *d = obj;
	const char *v = config_get_string(ld, s, name, k);

	if (!v)
		return;
	if (strcmp(v, "maildir") == 0)
		d->transport = GR_TRANSPORT_MAILDIR;
	else if (strcmp(v, "smtp") == 0)
		d->transport = GR_TRANSPORT_SMTP;
	else
		config_problem(ld, config_line(s), "%s: \"%s\" is not a transport (maildir or smtp)", name, v);
}

static void fn_starttls(struct loader *ld, const config_setting_t *s, const char *name,
                        const struct key *k, void *obj)
{
	struct gr_delivery *d = obj;
	const char *v = config_get_string(ld, s, name, k);

	if (!v)
		return;
	if (strcmp(v, "required") == 0)
		d->starttls_required = true;
	else if (strcmp(v, "off") == 0)
		d->starttls_required = false;
	else
		config_problem(ld, config_line(s), "%s: \"%s\" is not allowed (required or off)", name, v);
}

static void fn_inbound_source(struct loader *ld, const config_setting_t *s, const char *name,
                              const struct key *k, void *obj)
{
	struct gr_inbound *in = obj;
	const char *v = config_get_string(ld, s, name, k);

	if (!v)
		return;
	if (strcmp(v, "imap") == 0)
		in->source = GR_INBOUND_IMAP;
	else if (strcmp(v, "maildir") == 0)
		in->source = GR_INBOUND_MAILDIR;
	else
		config_problem(ld, config_line(s), "%s: \"%s\" is not a source (imap or maildir)", name, v);
}

/* members[i].aliases: more addresses a member writes from (inbound mail
 * from them counts as theirs).  Repeats across members are config-validate's. */
static void fn_aliases(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	struct gr_member *m = obj;
	char elem[NAME_MAX_LEN];
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && !config_want_type(ld, s, name, CONFIG_TYPE_LIST))
		return;
	n = config_setting_length(s);
	if (n > ALIASES_MAX) {
		config_problem(ld, config_line(s), "%s: %d addresses, at most %d", name, n, ALIASES_MAX);
		return;
	}
	m->aliases = calloc((size_t)n + 1, sizeof(*m->aliases));
	if (!m->aliases) {
		ld->oom = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v;
		char why[256];

		snprintf(elem, sizeof(elem), "%s[%d]", name, i);
		if (!config_want_type(ld, e, elem, CONFIG_TYPE_STRING))
			continue;
		v = config_get_string(ld, e, elem, k);
		if (!v)
			continue;
		if (!chk_email(v, why, sizeof(why))) {
			config_problem(ld, config_line(e), "%s: %s", elem, why);
			continue;
		}
		m->aliases[m->n_aliases] = strdup(v);
		if (!m->aliases[m->n_aliases]) {
			ld->oom = true;
			return;
		}
		m->n_aliases++;
	}
}

static int cmp_int_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

static void fn_reminders(struct loader *ld, const config_setting_t *s, const char *name,
                         const struct key *k, void *obj)
{
	struct gr_notifications *no = obj;
	bool seen[REMINDERS_MAX] = { false };
	unsigned n;
	int *days;
	bool ok = true;

	if (!config_want_type(ld, s, name, CONFIG_TYPE_ARRAY))
		return;
	n = (unsigned)config_setting_length(s);
	if (n > REMINDERS_MAX) {
		config_problem(ld, config_line(s), "%s: %u entries, more than the %d allowed (0..365, each once)",
		               name, n, REMINDERS_MAX);
		return;
	}
	days = calloc(n ? n : 1, sizeof(*days));
	if (!days) {
		ld->oom = true;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char ename[NAME_MAX_LEN];
		long long v;

		snprintf(ename, sizeof(ename), "%s[%u]", name, i);
		if (!config_want_type(ld, e, ename, CONFIG_TYPE_INT)) {
			ok = false;
			continue;
		}
		v = config_setting_get_int64(e);
		if (v < 0 || v > k->max || v >= REMINDERS_MAX) {
			config_problem(ld, config_line(e), "%s: %lld is out of range (0..%ld days; 0 = on the day)", ename, v, k->max);
			ok = false;
			continue;
		}
		days[i] = (int)v;
		/* each repeat once, against the first: not against every earlier one */
		if (seen[v]) {
			config_problem(ld, config_line(e), "%s: %d is listed twice", ename, days[i]);
			ok = false;
		}
		seen[v] = true;
	}
	if (!ok) {
		free(days);
		return;
	}
	/* the planner walks reminders from the earliest one on */
	qsort(days, n, sizeof(*days), cmp_int_desc);
	free(no->reminders_days_before);
	no->reminders_days_before = days;
	no->n_reminders = n;
}

static int cmp_lt(const void *a, const void *b)
{
	return sched_compare(a, b);
}

static void fn_dates(struct loader *ld, const config_setting_t *s, const char *name,
                     const struct key *k, void *obj)
{
	struct gr_series *se = obj;
	unsigned n;

	if (!config_want_type(ld, s, name, CONFIG_TYPE_ARRAY))
		return;
	n = (unsigned)config_setting_length(s);
	if (n == 0) {
		config_problem(ld, config_line(s), "%s: must list at least one date", name);
		return;
	}
	if (n > DATES_MAX) {
		config_problem(ld, config_line(s), "%s: %u dates, more than the %d allowed", name, n, DATES_MAX);
		return;
	}
	se->dates = calloc(n, sizeof(*se->dates));
	if (!se->dates) {
		ld->oom = true;
		return;
	}
	se->n_dates = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char ename[NAME_MAX_LEN];

		snprintf(ename, sizeof(ename), "%s[%u]", name, i);
		if (!parse_lt(ld, e, ename, k, &se->dates[i]))
			continue;
		/* a meeting's UID is made of its day: two on one day would share it */
		for (unsigned j = 0; j < i; j++) {
			if (se->dates[j].year == se->dates[i].year && se->dates[j].month == se->dates[i].month &&
			    se->dates[j].day == se->dates[i].day) {
				config_problem(ld, config_line(e), "%s: the same date is listed twice "
				        "(one meeting per day and series)", ename);
				break;
			}
		}
	}
	qsort(se->dates, n, sizeof(*se->dates), cmp_lt);
}

/* A nested group (committee, organizer, delivery, ...) at obj + k->off.
 * s == NULL: the group is absent, only defaults apply. */
static void fn_section(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	char prefix[NAME_MAX_LEN];
	void *sub = (char *)obj + k->off;

	/* wrong type: reported; its keys would only add "missing" noise */
	if (s && !config_want_type(ld, s, name, CONFIG_TYPE_GROUP))
		return;
	snprintf(prefix, sizeof(prefix), "%s.", name);
	config_load_group(ld, s, prefix, k->sub, sub, s ? config_line(s) : 1);
}

static void fn_topic_call(struct loader *ld, const config_setting_t *s, const char *name,
                          const struct key *k, void *obj)
{
	struct gr_notifications *n = obj;

	if (!s)
		return; /* absent: no calls for topics */
	if (!config_want_type(ld, s, name, CONFIG_TYPE_GROUP))
		return;
	n->topic_call = true;
	fn_section(ld, s, name, k, obj);
}

static void fn_quorum(struct loader *ld, const config_setting_t *s, const char *name,
                      const struct key *k, void *obj)
{
	struct gr_config *cfg = obj;

	if (s && !config_want_type(ld, s, name, CONFIG_TYPE_GROUP))
		return;
	cfg->quorum.set = s != NULL;
	/* absent: the defaults (no quorum rule, the report 3 days before) */
	fn_section(ld, s, name, k, &cfg->quorum);
}

static void fn_inbound(struct loader *ld, const config_setting_t *s, const char *name,
                       const struct key *k, void *obj)
{
	struct gr_config *cfg = obj;

	if (!s)
		return; /* absent: no mailbox is read */
	if (!config_want_type(ld, s, name, CONFIG_TYPE_GROUP))
		return;
	fn_section(ld, s, name, k, &cfg->inbound);
	if (cfg->inbound.source == GR_INBOUND_NONE && !config_setting_get_member(s, "source"))
		config_problem(ld, config_line(s), "inbound.source: missing (imap or maildir)");
}

/* The lists of the root: where the array and its length go. */
static void fn_list(struct loader *ld, const config_setting_t *s, const char *name,
                    const struct key *k, void *obj)
{
	const struct list_spec *ls = k->list;
	size_t n = 0;
	void *arr;

	if (!s)
		return;
	arr = config_load_list(ld, s, name, ls, &n);
	/* memcpy: the field is a struct gr_member * (etc.), not a void *; POSIX
	 * guarantees that all object pointers share one representation */
	memcpy((char *)obj + ls->arr_off, &arr, sizeof(arr));
	*(size_t *)((char *)obj + ls->n_off) = n;
	if (n == 0 && (k->flags & F_REQ) && config_setting_type(s) == CONFIG_TYPE_LIST &&
	    config_setting_length(s) == 0)
		config_problem(ld, config_line(s), "%s: must not be empty", name);
}

/* ---- the schema (DESIGN.md), one table per group ---- */

#define STR(n, f, T, fl, chk) { .name = n, .kind = K_STR, .flags = fl, .off = offsetof(T, f), .check = chk }
#define PATH(n, f, T, fl, d) { .name = n, .kind = K_PATH, .flags = fl, .off = offsetof(T, f), .def = d }
#define INT(n, f, T, fl, lo, hi, d) \
	{ .name = n, .kind = K_INT, .flags = fl, .off = offsetof(T, f), .min = lo, .max = hi, .idef = d }
#define FN(n, fl, f) { .name = n, .kind = K_FN, .flags = fl, .fn = f }

static const struct key organizer_keys[] = {
	STR("name", organizer_name, struct gr_committee, F_REQ, chk_cn),
	STR("email", organizer_email, struct gr_committee, F_REQ, chk_email),
	{ 0 }
};

static const struct key committee_keys[] = {
	STR("id", id, struct gr_committee, 0, chk_id),
	STR("name", name, struct gr_committee, F_REQ, NULL),
	STR("short_name", short_name, struct gr_committee, F_REQ, NULL),
	STR("domain", domain, struct gr_committee, F_REQ, chk_domain),
	STR("timezone", timezone, struct gr_committee, F_REQ, chk_timezone),
	{ .name = "language", .kind = K_STR, .off = offsetof(struct gr_committee, language),
	  .def = "de", .check = chk_language },
	{ .name = "organizer", .kind = K_FN, .flags = F_REQ, .fn = fn_section, .off = 0, .sub = organizer_keys },
	STR("topics_address", topics_address, struct gr_committee, 0, chk_email),
	STR("chair_address", chair_address, struct gr_committee, 0, chk_email),
	{ 0 }
};

static const struct key group_keys[] = {
	STR("id", id, struct gr_group, F_REQ, chk_id),
	STR("name", name, struct gr_group, F_REQ, NULL),
	{ 0 }
};

static const struct key member_keys[] = {
	STR("name", name, struct gr_member, F_REQ, chk_cn),
	STR("email", email, struct gr_member, F_REQ, chk_email),
	STR("group", group, struct gr_member, F_REQ, NULL),
	STR("organisation", organisation, struct gr_member, 0, NULL),
	FN("aliases", 0, fn_aliases),
	{ 0 }
};

static const struct key series_keys[] = {
	STR("id", id, struct gr_series, F_REQ, chk_id),
	STR("summary", summary, struct gr_series, F_REQ, NULL),
	{ .name = "description", .kind = K_TEXT, .off = offsetof(struct gr_series, description) },
	STR("location", location, struct gr_series, 0, NULL),
	STR("url", url, struct gr_series, 0, chk_url),
	STR("rrule", rrule, struct gr_series, 0, NULL),
	{ .name = "start", .kind = K_FN, .fn = fn_datetime, .off = offsetof(struct gr_series, start) },
	FN("dates", 0, fn_dates),
	INT("duration", duration, struct gr_series, F_REQ, 1, DURATION_MAX, 0),
	STR("skip_months_of", skip_months_of, struct gr_series, 0, chk_id),
	{ 0 }
};

static const struct key exception_keys[] = {
	STR("series", series, struct gr_exception, F_REQ, NULL),
	FN("date", F_REQ, fn_exc_date),
	{ .name = "cancel", .kind = K_BOOL, .off = offsetof(struct gr_exception, cancel) },
	FN("move_to", 0, fn_move_to),
	STR("note", note, struct gr_exception, 0, NULL),
	{ 0 }
};

static const struct key topic_keys[] = {
	INT("days_before", topic_days_before, struct gr_notifications, F_REQ, 1, 365, 0),
	INT("deadline_days_before", topic_deadline_days_before, struct gr_notifications, F_REQ, 0, 365, 0),
	{ 0 }
};

static const struct key notification_keys[] = {
	FN("send_time", 0, fn_send_time),
	{ .name = "topic_call", .kind = K_FN, .flags = F_ABSENT, .fn = fn_topic_call, .sub = topic_keys },
	{ .name = "reminders_days_before", .kind = K_FN, .fn = fn_reminders, .max = 365 },
	INT("agenda_days_after_deadline", agenda_days_after_deadline, struct gr_notifications, 0, 0, 30, 1),
	INT("answer_reminder_days_before", answer_reminder_days_before, struct gr_notifications, 0, 0, 365, 5),
	{ 0 }
};

static const struct key delivery_keys[] = {
	FN("transport", 0, fn_transport),
	PATH("maildir", maildir, struct gr_delivery, 0, "var/outbox"),
	STR("smtp_url", smtp_url, struct gr_delivery, 0, NULL),
	FN("starttls", 0, fn_starttls),
	STR("username", username, struct gr_delivery, 0, NULL),
	PATH("password_file", password_file, struct gr_delivery, 0, NULL),
	STR("password_credential", password_credential, struct gr_delivery, 0, NULL),
	PATH("ca_file", ca_file, struct gr_delivery, 0, NULL),
	INT("connections", connections, struct gr_delivery, 0, 1, 64, 4),
	INT("retry_for_hours", retry_for_hours, struct gr_delivery, 0, 1, 720, 48),
	INT("rate_per_minute", rate_per_minute, struct gr_delivery, 0, 0, 100000, 0),
	INT("timeout", timeout, struct gr_delivery, 0, 1, 600, 30),
	STR("bounce_address", bounce_address, struct gr_delivery, 0, chk_bounce_address),
	{ 0 }
};

static const struct key feed_keys[] = {
	STR("listen", listen, struct gr_feed, F_OFF, chk_listen),
	{ .name = "path", .kind = K_STR, .off = offsetof(struct gr_feed, path), .def = "/calendar.ics",
	  .check = chk_url_path },
	PATH("file", file, struct gr_feed, F_OFF, "var/calendar.ics"),
	{ .name = "agenda", .kind = K_BOOL, .off = offsetof(struct gr_feed, agenda) },
	{ 0 }
};

static const struct key quorum_keys[] = {
	INT("min_present", min_present, struct gr_quorum, 0, 0, LIST_MAX_LEN, 0),
	INT("report_days_before", report_days_before, struct gr_quorum, 0, 0, 365, 3),
	{ 0 }
};

static const struct key inbound_keys[] = {
	FN("source", 0, fn_inbound_source),
	STR("imap_url", imap_url, struct gr_inbound, 0, NULL),
	STR("username", username, struct gr_inbound, 0, NULL),
	PATH("password_file", password_file, struct gr_inbound, 0, NULL),
	STR("password_credential", password_credential, struct gr_inbound, 0, NULL),
	PATH("ca_file", ca_file, struct gr_inbound, 0, NULL),
	{ .name = "done_folder", .kind = K_STR, .off = offsetof(struct gr_inbound, done_folder),
	  .def = "gremiumd-done", .check = chk_imap_folder },
	PATH("maildir", maildir, struct gr_inbound, 0, "var/inbox"),
	INT("poll_seconds", poll_seconds, struct gr_inbound, 0, 10, 86400, 120),
	INT("max_message_kb", max_message_kb, struct gr_inbound, 0, 1, 102400, 10240),
	INT("timeout", timeout, struct gr_inbound, 0, 1, 600, 60),
	{ 0 }
};

#define LIST(T, keys, arr, n, max) \
	{ keys, sizeof(T), offsetof(T, line), offsetof(struct gr_config, arr), offsetof(struct gr_config, n), max }

static const struct list_spec groups_list = {
	group_keys, sizeof(struct gr_group), SIZE_MAX,
	offsetof(struct gr_config, groups), offsetof(struct gr_config, n_groups), GROUPS_MAX
};
static const struct list_spec members_list =
	LIST(struct gr_member, member_keys, members, n_members, LIST_MAX_LEN);
static const struct list_spec series_list = LIST(struct gr_series, series_keys, series, n_series, SERIES_MAX);
static const struct list_spec exceptions_list =
	LIST(struct gr_exception, exception_keys, exceptions, n_exceptions, EXCEPTIONS_MAX);

#define SECTION(n, fl, f, keys) \
	{ .name = n, .kind = K_FN, .flags = (fl) | F_ABSENT, .fn = fn_section, \
	  .off = offsetof(struct gr_config, f), .sub = keys }
#define LISTKEY(n, fl, l) { .name = n, .kind = K_FN, .flags = (fl) | F_ABSENT, .fn = fn_list, .list = &l }

const struct key config_root_keys[] = {
	SECTION("committee", F_REQ, committee, committee_keys),
	LISTKEY("groups", F_REQ, groups_list),
	LISTKEY("members", F_REQ, members_list),
	LISTKEY("series", F_REQ, series_list),
	LISTKEY("exceptions", 0, exceptions_list),
	SECTION("notifications", 0, notifications, notification_keys),
	SECTION("delivery", 0, delivery, delivery_keys),
	SECTION("feed", 0, feed, feed_keys),
	{ .name = "inbound", .kind = K_FN, .flags = F_ABSENT, .fn = fn_inbound, .sub = inbound_keys },
	{ .name = "quorum", .kind = K_FN, .flags = F_ABSENT, .fn = fn_quorum, .sub = quorum_keys },
	PATH("templates", templates, struct gr_config, 0, NULL),
	PATH("state", state, struct gr_config, 0, "var/state.db"),
	{ 0 }
};
