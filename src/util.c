/* SPDX-License-Identifier: MIT */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int util_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	size_t n;

	if (!f)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		int e = errno ? -errno : -EIO;
		fclose(f);
		free(buf);
		return e;
	}
	fclose(f);
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = n;
	return 0;
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
