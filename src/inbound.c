/* SPDX-License-Identifier: MIT */
/*
 * inbound - one pass over the committee's mailbox.  See inbound.h.
 *
 * This file: the pass and its caller's callbacks, the maildir source, the
 * password, and the pure parsers of IMAP responses that inbound-imap.c
 * uses (kept apart so that tests feed them responses without a server).
 */
#include "autoconfig.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "curlsetup.h"
#include "inbound-internal.h"
#include "util.h"

/* ---- the caller ---- */

int inbound_ask_seen(struct inbound_run *run, const char *id)
{
	int r = run->seen(run->userdata, id);

	if (r < 0)
		snprintf(run->err, run->errlen, "inbound: %s: cannot look up whether it was recorded: %s",
		         id, strerror(-r));
	return r < 0 ? r : r > 0;
}

int inbound_hand_over(struct inbound_run *run, const struct inbound_msg *m)
{
	int r = run->take(run->userdata, m);

	if (r < 0) {
		snprintf(run->err, run->errlen, "inbound: %s: not recorded, left in the mailbox: %s",
		         m->source_id, strerror(-r));
		return r;
	}
	run->stats->new_msgs++;
	if (m->too_large)
		run->stats->too_large++;
	return 0;
}

int inbound_password(const struct gr_inbound *cfg, char **ret, char *err, size_t errlen)
{
	return curlsetup_password("inbound", cfg->password_file, cfg->password_credential, ret, err,
	                          errlen, NULL);
}

/* ---- IMAP responses (RFC 3501 §7), pure ---- */

/* The next line of resp from *pos, without its CRLF: false at the end. */
static bool next_line(const char *resp, size_t len, size_t *pos, const char **ret, size_t *ret_len)
{
	const char *start = resp + *pos, *nl;
	size_t n;

	if (*pos >= len)
		return false;
	nl = memchr(start, '\n', len - *pos);
	n = nl ? (size_t)(nl - start) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if (n > 0 && start[n - 1] == '\r')
		n--;
	*ret = start;
	*ret_len = n;
	return true;
}

/* If line begins with word (case-insensitive) and a space or its end: the
 * rest (after the space), else NULL. */
static const char *after_word(const char *line, size_t len, const char *word, size_t *ret_len)
{
	size_t n = strlen(word);

	if (len < n || strncasecmp(line, word, n) != 0 || (len > n && line[n] != ' '))
		return NULL;
	n += len > n;
	*ret_len = len - n;
	return line + n;
}

/* A number of 1..4294967295 at *p (advanced); -EINVAL otherwise. */
static int parse_u32(const char **p, const char *end, uint32_t *ret)
{
	uint64_t v = 0;
	const char *q = *p;

	while (q < end && isdigit((unsigned char)*q) && v <= UINT32_MAX)
		v = v * 10 + (uint64_t)(*q++ - '0');
	if (q == *p || v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*p = q;
	*ret = (uint32_t)v;
	return 0;
}

int inbound_parse_uidvalidity(const char *line, size_t len, uint32_t *ret)
{
	static const char key[] = "[UIDVALIDITY ";
	const char *end = line + len, *p;
	size_t rest;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		end = line + --len;
	if (!(p = after_word(line, len, "* OK", &rest)) || rest < sizeof(key) - 1 ||
	    strncasecmp(p, key, sizeof(key) - 1) != 0)
		return -ENOENT;
	p += sizeof(key) - 1;
	if (parse_u32(&p, end, ret) < 0 || p == end || *p != ']')
		return -EINVAL;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int inbound_parse_search(const char *resp, size_t len, uint32_t *uids, size_t max)
{
	uint32_t *all = NULL;
	size_t pos = 0, n = 0, cap = 0, out = 0, llen, rest;
	const char *line, *p;
	int r = 0;

	while (r == 0 && next_line(resp, len, &pos, &line, &llen)) {
		if (!(p = after_word(line, llen, "* SEARCH", &rest)))
			continue;
		for (const char *end = p + rest; r == 0 && p < end;) {
			uint32_t v;

			if (*p == ' ') {
				p++;
				continue;
			}
			if ((r = parse_u32(&p, end, &v)) < 0)
				break;
			if ((r = util_grow((void **)&all, n, &cap, sizeof(*all))) == 0)
				all[n++] = v;
		}
	}
	if (r == 0) {
		if (n > 1)
			qsort(all, n, sizeof(*all), u32_cmp);
		for (size_t i = 0; i < n && out < max; i++)
			if (i == 0 || all[i] != all[i - 1])
				uids[out++] = all[i];
	}
	free(all);
	return r < 0 ? r : (int)out;
}

/* Skip one value of a FETCH item: a number or atom, a "string", a
 * (parenthesised list), nested; *p then at the space or the ')' after it.
 * false when the line ends first. */
static bool skip_value(const char **p, const char *end)
{
	const char *q = *p;
	bool quoted = false;
	int depth = 0;

	for (; q < end; q++) {
		if (quoted) {
			if (*q == '\\' && q + 1 < end)
				q++;
			else if (*q == '"')
				quoted = false;
		} else if (*q == '"')
			quoted = true;
		else if (*q == '(')
			depth++;
		else if (*q == ')' && depth > 0)
			depth--;
		else if ((*q == ')' || *q == ' ') && depth == 0)
			break;
	}
	*p = q;
	return q < end;
}

/* The items of one "* n FETCH (...)" line: its UID and RFC822.SIZE (0
 * when absent).  -EINVAL when malformed. */
static int fetch_items(const char *p, const char *end, uint32_t *ret_uid, uint64_t *ret_size)
{
	*ret_uid = 0;
	*ret_size = 0;
	if (p >= end || *p != '(')
		return -EINVAL;
	for (p++; p < end && *p != ')';) {
		const char *name = p;
		size_t n;

		while (p < end && *p != ' ' && *p != ')')
			p++;
		n = (size_t)(p - name);
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		if (n == 3 && strncasecmp(name, "UID", 3) == 0) {
			if (parse_u32(&p, end, ret_uid) < 0)
				return -EINVAL;
		} else if (n == 11 && strncasecmp(name, "RFC822.SIZE", 11) == 0) {
			uint64_t v = 0;
			const char *q = p;

			while (p < end && isdigit((unsigned char)*p) && v < (UINT64_MAX - 9) / 10)
				v = v * 10 + (uint64_t)(*p++ - '0');
			if (p == q)
				return -EINVAL;
			*ret_size = v;
		} else if (!skip_value(&p, end))
			return -EINVAL;
		while (p < end && *p == ' ')
			p++;
	}
	return p < end ? 0 : -EINVAL;
}

int inbound_parse_size(const char *resp, size_t len, uint32_t uid, uint64_t *ret)
{
	size_t pos = 0, llen;
	const char *line;

	while (next_line(resp, len, &pos, &line, &llen)) {
		const char *p = line, *end = line + llen;
		uint32_t seq, u;
		uint64_t size;

		if (llen < 2 || strncmp(line, "* ", 2) != 0)
			continue;
		p += 2;
		if (parse_u32(&p, end, &seq) < 0 || end - p < 6 || strncasecmp(p, " FETCH", 6) != 0)
			continue;
		p += 6;
		if (p >= end || *p++ != ' ' || fetch_items(p, end, &u, &size) < 0)
			return -EINVAL;
		if (u == uid) {
			*ret = size;
			return 0;
		}
	}
	return -ENOENT;
}

bool inbound_parse_capability(const char *resp, size_t len, const char *cap)
{
	size_t pos = 0, llen, rest, n = strlen(cap);
	const char *line, *p;

	while (next_line(resp, len, &pos, &line, &llen)) {
		if (!(p = after_word(line, llen, "* CAPABILITY", &rest)))
			continue;
		for (const char *end = p + rest; p < end;) {
			const char *w = p;

			while (p < end && *p != ' ')
				p++;
			if ((size_t)(p - w) == n && strncasecmp(w, cap, n) == 0)
				return true;
			while (p < end && *p == ' ')
				p++;
		}
	}
	return false;
}

bool inbound_parse_list(const char *resp, size_t len)
{
	size_t pos = 0, llen, rest;
	const char *line;

	while (next_line(resp, len, &pos, &line, &llen))
		if (after_word(line, llen, "* LIST", &rest))
			return true;
	return false;
}

/* ---- maildir ---- */

int inbound_maildir_unique(const char *name, char *buf, size_t len, bool *ret_seen)
{
	const char *colon = strchr(name, ':');
	size_t n = colon ? (size_t)(colon - name) : strlen(name);

	if (n == 0 || name[0] == '.' || n >= len || util_has_control(name, false))
		return -EINVAL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	/* the info of a message in cur/: ":2," and its flags (ASCII order) */
	*ret_seen = colon && strncmp(colon, ":2,", 3) == 0 && strchr(colon + 3, 'S');
	return 0;
}

int inbound_maildir_done_name(const char *name, char *buf, size_t len)
{
	const char *colon = strchr(name, ':');
	size_t n = colon ? (size_t)(colon - name) : strlen(name);
	char flags[64];
	size_t nf = 0;
	int w;

	/* keep the flags there were (experimental info "1," is dropped) */
	if (colon && strncmp(colon, ":2,", 3) == 0)
		for (const char *p = colon + 3; *p && nf < sizeof(flags) - 2; p++)
			if (*p != 'S')
				flags[nf++] = *p;
	flags[nf++] = 'S';
	flags[nf] = '\0';
	/* the spec: flags in ASCII order (insertion sort: a handful) */
	for (size_t i = 1; i < nf; i++)
		for (size_t j = i; j > 0 && flags[j - 1] > flags[j]; j--) {
			char t = flags[j];
			flags[j] = flags[j - 1];
			flags[j - 1] = t;
		}
	w = snprintf(buf, len, "%.*s:2,%s", (int)n, name, flags);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* A message waiting in the maildir. */
struct md_entry {
	char sub[4];            /* "new" or "cur" */
	char *name;
};

static int md_entry_cmp(const void *a, const void *b)
{
	const struct md_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Collect the messages waiting in dir/sub (bounded: INBOUND_MAX_PER_PASS
 * in all).  Names that are no message are skipped. */
static int md_scan(struct inbound_run *run, const char *dir, const char *sub,
                   struct md_entry **items, size_t *n, size_t *cap)
{
	char *path = util_asprintf("%s/%s", dir, sub);
	struct dirent *de;
	DIR *d;

	if (!path)
		return -ENOMEM;
	d = opendir(path);
	if (!d) {
		int r = -errno;
		snprintf(run->err, run->errlen, "inbound: cannot read maildir %s: %s", path, strerror(errno));
		free(path);
		return r;
	}
	free(path);
	while (*n < INBOUND_MAX_PER_PASS && (de = readdir(d))) {
		char unique[INBOUND_SOURCE_ID_MAX];
		bool is_seen;

		if (inbound_maildir_unique(de->d_name, unique, sizeof(unique), &is_seen) < 0 ||
		    (strcmp(sub, "cur") == 0 && is_seen))
			continue;
		if (util_grow((void **)items, *n, cap, sizeof(**items)) < 0 ||
		    !((*items)[*n].name = strdup(de->d_name))) {
			closedir(d);
			return -ENOMEM;
		}
		snprintf((*items)[*n].sub, sizeof((*items)[*n].sub), "%s", sub);
		(*n)++;
	}
	closedir(d);
	return 0;
}

/* Mark dir/e done: rename into cur/ with the S flag. */
static int md_done(struct inbound_run *run, const char *dir, const struct md_entry *e)
{
	char name[NAME_MAX + 1];
	char *from, *to;
	int r = 0;

	if (inbound_maildir_done_name(e->name, name, sizeof(name)) < 0) {
		snprintf(run->err, run->errlen, "inbound: %s/%s/%s: name too long to mark done", dir,
		         e->sub, e->name);
		return -ENAMETOOLONG;
	}
	from = util_asprintf("%s/%s/%s", dir, e->sub, e->name);
	to = util_asprintf("%s/cur/%s", dir, name);
	if (!from || !to)
		r = -ENOMEM;
	else if (rename(from, to) < 0) {
		r = -errno;
		snprintf(run->err, run->errlen, "inbound: cannot move %s to %s: %s", from, to, strerror(errno));
	}
	free(from);
	free(to);
	return r;
}

/*
 * One message of the maildir: seen?  Else read it (a regular file of at
 * most max_bytes: util_read_regular(); a larger one handed over as
 * too_large) and hand it over; then mark it done.  A file that vanished
 * (another reader took it) or is no regular file is skipped: 1.
 */
static int md_one(struct inbound_run *run, const char *dir, const struct md_entry *e)
{
	char id[INBOUND_SOURCE_ID_MAX + 8], unique[INBOUND_SOURCE_ID_MAX];
	struct inbound_msg m = { .source_id = id };
	char *path, *bytes = NULL;
	struct stat st;
	bool is_seen;
	size_t len = 0;
	int r;

	(void)inbound_maildir_unique(e->name, unique, sizeof(unique), &is_seen);
	snprintf(id, sizeof(id), "maildir:%s", unique);
	r = inbound_ask_seen(run, id);
	if (r < 0)
		return r;
	if (r == 1) {
		run->stats->already_seen++;
		return md_done(run, dir, e);
	}
	path = util_asprintf("%s/%s/%s", dir, e->sub, e->name);
	if (!path)
		return -ENOMEM;
	r = util_read_regular(path, run->max_bytes, &bytes, &len, &st);
	if (r == -EFBIG && stat(path, &st) == 0) {
		m.too_large = true;
		m.size = (size_t)st.st_size;
	} else if (r == -ENOENT || r == -EISDIR || r == -EINVAL) {
		free(path);
		return 1;
	} else if (r < 0) {
		snprintf(run->err, run->errlen, "inbound: cannot read %s: %s", path, util_file_strerror(r));
		free(path);
		return r;
	} else {
		m.bytes = bytes;
		m.len = m.size = len;
	}
	free(path);
	r = inbound_hand_over(run, &m);
	free(bytes);
	return r < 0 ? r : md_done(run, dir, e);
}

static int maildir_pass(struct inbound_run *run)
{
	const char *dir = run->cfg->maildir;
	struct md_entry *items = NULL;
	size_t n = 0, cap = 0;
	int r;

	if (!dir) {
		snprintf(run->err, run->errlen, "inbound: no maildir configured");
		return -EINVAL;
	}
	r = md_scan(run, dir, "new", &items, &n, &cap);
	if (r == 0)
		r = md_scan(run, dir, "cur", &items, &n, &cap);
	if (r == -ENOMEM)
		snprintf(run->err, run->errlen, "inbound: out of memory");
	/* maildir names start with the delivery time: oldest first */
	if (r == 0 && n > 1)
		qsort(items, n, sizeof(*items), md_entry_cmp);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = md_one(run, dir, &items[i]);
	if (r == -ENOMEM && !run->err[0])
		snprintf(run->err, run->errlen, "inbound: out of memory");
	for (size_t i = 0; i < n; i++)
		free(items[i].name);
	free(items);
	return r < 0 ? r : 0;
}

/* ---- the pass ---- */

int inbound_pass(const struct gr_inbound *cfg, const char *password, inbound_seen_fn seen,
                 inbound_take_fn take, void *userdata, struct inbound_stats *stats, char *err,
                 size_t errlen)
{
	struct inbound_stats dummy;
	struct inbound_run run = {
		.cfg = cfg, .seen = seen, .take = take, .userdata = userdata,
		.stats = stats ? stats : &dummy, .err = err, .errlen = errlen,
	};

	memset(run.stats, 0, sizeof(*run.stats));
	if (errlen > 0)
		err[0] = '\0';
	run.max_bytes = (size_t)(cfg->max_message_kb > 0 ? cfg->max_message_kb : 10240) * 1024;
	switch (cfg->source) {
	case GR_INBOUND_MAILDIR:
		return maildir_pass(&run);
	case GR_INBOUND_IMAP:
		return inbound_imap_pass(&run, password);
	default:
		snprintf(err, errlen, "inbound: no source configured");
		return -EINVAL;
	}
}
