/* SPDX-License-Identifier: MIT */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *util_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

char *util_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *util_resolve_path(const char *base_file, const char *path)
{
	char *copy, *dir, *abs = NULL, *ret;

	if (path[0] == '/')
		return strdup(path);
	copy = strdup(base_file);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (dir[0] != '/') {
		/* a relative config path: anchor it at the working directory */
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd))) {
			free(copy);
			return NULL;
		}
		abs = strcmp(dir, ".") == 0 ? strdup(cwd) : util_asprintf("%s/%s", cwd, dir);
		if (!abs) {
			free(copy);
			return NULL;
		}
		dir = abs;
	}
	ret = util_asprintf("%s/%s", dir, path);
	free(abs);
	free(copy);
	return ret;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		r = -errno;
	else if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

int util_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char *tmp = util_asprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	int fd, r = 0;

	if (!tmp)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	else
		r = fsync_dir_of(path);
	free(tmp);
	return r;
}

int util_mkdir_p(const char *path, unsigned mode)
{
	char *copy = strdup(path);
	char *p;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(copy, mode) < 0 && errno != EEXIST) {
				r = -errno;
				break;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	free(copy);
	return r;
}

int util_mkdir_parent(const char *path, unsigned mode)
{
	char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	if (slash && slash != dir) {
		*slash = '\0';
		r = util_mkdir_p(dir, mode);
	}
	free(dir);
	return r;
}

/*
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
 * (a FIFO as password_file or template hung run-once and the daemon).  For
 * a regular file the flag changes nothing.  Symlinks are followed: admins
 * link config files and CA bundles (/etc/ssl/certs is made of links), and
 * whoever can plant a link in such a folder can already replace the file;
 * what matters is that the target is a regular file, checked on the open
 * descriptor (fstat), so nothing can be swapped in between.
 */
int util_open_regular(const char *path, size_t max, struct stat *ret_st)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((uintmax_t)st.st_size > (uintmax_t)max)
		r = -EFBIG;
	if (r < 0) {
		close(fd);
		return r;
	}
	if (ret_st)
		*ret_st = st;
	return fd;
}

int util_read_regular(const char *path, size_t max, char **ret, size_t *ret_len,
                      struct stat *ret_st)
{
	struct stat st;
	int fd = util_open_regular(path, max, &st);
	size_t n = 0;
	char *buf;

	if (fd < 0)
		return fd;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* up to max + 1 bytes: the size may have grown since fstat, and files
	 * in /proc say 0 */
	while (n <= max) {
		ssize_t k = read(fd, buf + n, max + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = -errno;
			close(fd);
			free(buf);
			return e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = n;
	if (ret_st)
		*ret_st = st;
	return 0;
}

int util_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	return util_read_regular(path, max, ret, ret_len, NULL);
}

const char *util_file_strerror(int r)
{
	switch (r) {
	case -EISDIR: return "is a folder, not a file";
	case -EINVAL: return "not a regular file (a FIFO, device or socket)";
	case -EFBIG: return "too large";
	default: return strerror(-r);
	}
}

bool util_has_control(const char *s, bool allow_tab)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\t' && allow_tab)
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return true;
	}
	return false;
}

int util_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Read exactly n digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

int util_parse_date(const char *s, int *y, int *m, int *d)
{
	int yy, mm, dd;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &yy) || !digits(s + 5, 2, &mm) || !digits(s + 8, 2, &dd))
		return -EINVAL;
	if (yy < 1970 || yy > 2199 || mm < 1 || mm > 12 || dd < 1 || dd > util_days_in_month(yy, mm))
		return -EINVAL;
	*y = yy, *m = mm, *d = dd;
	return 0;
}

int util_parse_hhmm(const char *s, int *hh, int *mm)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m))
		return -EINVAL;
	if (h > 23 || m > 59)
		return -EINVAL;
	*hh = h, *mm = m;
	return 0;
}

int util_parse_datetime(const char *s, int *y, int *m, int *d, int *hh, int *mm)
{
	char date[11];

	if (strlen(s) != 16 || s[10] != 'T')
		return -EINVAL;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (util_parse_date(date, y, m, d) < 0)
		return -EINVAL;
	return util_parse_hhmm(s + 11, hh, mm);
}

bool util_utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n, cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		s += n + 1;
	}
	return true;
}

int util_grow(void **items, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*items, ncap * elem);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
	*items = p;
	*cap = ncap;
	return 0;
}

const char *util_kind_name(enum gr_kind kind)
{
	static const char *const kind_names[GR_KIND_COUNT_] = {
		[GR_KIND_INVITATION] = "invitation",
		[GR_KIND_UPDATE] = "update",
		[GR_KIND_CANCELLATION] = "cancellation",
		[GR_KIND_TOPIC_CALL] = "topic-call",
		[GR_KIND_REMINDER] = "reminder",
		[GR_KIND_TEST] = "test",
		[GR_KIND_TOPIC_CONFIRMATION] = "topic-confirmation",
		[GR_KIND_AGENDA] = "agenda",
		[GR_KIND_ANSWER_REMINDER] = "answer-reminder",
		[GR_KIND_CHAIR_REPORT] = "chair-report",
	};

	return (unsigned)kind < GR_KIND_COUNT_ ? kind_names[kind] : "unknown";
}

uint64_t util_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

int util_url_host(const char *url, char *buf, size_t len)
{
	const char *p = strstr(url, "://"), *at;
	size_t n;

	if (!p || len == 0)
		return -EINVAL;
	p += 3;
	/* libcurl takes the host after the userinfo's '@' */
	n = strcspn(p, "/?#");
	at = memchr(p, '@', n);
	while (at) {
		p = at + 1;
		n = strcspn(p, "/?#");
		at = memchr(p, '@', n);
	}
	if (p[0] == '[') {
		p++;
		n = strcspn(p, "]/");
		if (p[n] != ']')
			return -EINVAL;
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/*
 * Only the text is judged, never a name's addresses: a name resolved now
 * may resolve elsewhere at connect time (DNS can change, or be made to
 * answer differently each time), and "127.0.0.1.attacker.example" is not
 * an address at all.  "localhost" is the one name taken: libcurl answers
 * it with the loopback addresses itself, without asking DNS.  inet_pton()
 * takes only the full dotted quad ("127.1" and "0x7f.0.0.1" are names to
 * it, and so refused here).
 */
bool util_is_loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!host)
		return false;
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

void util_format_iso8601(time_t t, const struct gr_localtime *lt, char buf[UTIL_ISO8601_MAX])
{
	struct tm tm = { .tm_year = lt->year - 1900, .tm_mon = lt->month - 1, .tm_mday = lt->day,
	                 .tm_hour = lt->hour, .tm_min = lt->minute };
	int sec = (int)(((t % 60) + 60) % 60);
	long off;
	unsigned hh, mm;

	tm.tm_sec = sec;
	/* the wall clock read as if it were UTC, minus the instant: the offset
	 * (real zones stay within +-14 h; clamp so the text stays bounded) */
	off = labs((long)(timegm(&tm) - t));
	hh = off / 3600 > 99 ? 99u : (unsigned)(off / 3600);
	mm = (unsigned)(off % 3600 / 60);
	snprintf(buf, UTIL_ISO8601_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%c%02u:%02u", lt->year % 10000,
	         lt->month % 100, lt->day % 100, lt->hour % 100, lt->minute % 100, sec,
	         timegm(&tm) < t ? '-' : '+', hh, mm);
}

bool util_credential_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= 255 && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       !util_has_control(name, false);
}

int util_credential_path(const char *name, char **ret)
{
	static const char *const stores[] = { "/etc/credstore", "/run/credstore", "/usr/lib/credstore" };
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char *path = NULL;

	if (dir && dir[0]) {
		path = util_asprintf("%s/%s", dir, name);
	} else {
		for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
			path = util_asprintf("%s/%s", stores[i], name);
			if (!path || access(path, F_OK) == 0 || errno != ENOENT)
				break;
			free(path);
			path = NULL;
		}
		if (!path && errno == ENOENT)
			path = util_asprintf("%s/%s", stores[0], name);
	}
	if (!path)
		return -ENOMEM;
	*ret = path;
	return 0;
}

bool util_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = -1;

	if (!v || sscanf(v, "%llu:%llu%n", &dev, &ino, &n) != 2 || n < 0 || v[n] != '\0')
		return false;
	return fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

int util_object_uid(const struct gr_committee *c, const char *series_id,
                    const struct gr_localtime *date, bool legacy, char *buf, size_t len)
{
	char day[16] = "";
	int n;

	if (date)
		snprintf(day, sizeof(day), "-%04u%02u%02u", (unsigned)date->year % 10000u,
		         (unsigned)date->month % 100u, (unsigned)date->day % 100u);
	/* ids have no '.' (config's chk_id): the parts cannot run together */
	if (legacy || !c->id)
		n = snprintf(buf, len, "%s%s@%s", series_id, day, c->domain);
	else
		n = snprintf(buf, len, "%s%s.%s@%s", series_id, day, c->id, c->domain);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int util_moved_uid(const struct gr_committee *c, const char *series_id,
                   const struct gr_localtime *original, char *buf, size_t len)
{
	char name[256];

	if ((size_t)snprintf(name, sizeof(name), "%s+moved", series_id) >= sizeof(name))
		return -ENOSPC;
	return util_object_uid(c, name, original, false, buf, len);
}

void util_json_string(FILE *out, const char *s)
{
	bool utf8;

	if (!s) {
		fputs("null", out);
		return;
	}
	utf8 = util_utf8_valid((const unsigned char *)s);
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8))
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}
