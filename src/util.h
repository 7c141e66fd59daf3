/* SPDX-License-Identifier: MIT */
/*
 * util - small helpers every module may use: checked string building,
 * paths, atomic file writes.  No third-party library.
 */
#ifndef GREMIUM_UTIL_H
#define GREMIUM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "model.h"

/* malloc'ed printf; NULL on allocation failure.  Caller frees. */
char *util_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strdup that accepts NULL (returns NULL). */
char *util_strdup0(const char *s);

/*
 * path made absolute against the folder of base_file (when path is
 * relative).  Returns a malloc'ed string, or NULL on allocation failure.
 */
char *util_resolve_path(const char *base_file, const char *path);

/*
 * Write len bytes to path atomically: a temporary file in the same folder,
 * fsync, rename over path, fsync of the folder.  mode is the new file's
 * permission bits.  Returns 0 or a negative errno.
 */
int util_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Create path and its parents (like mkdir -p).  Returns 0 or -errno. */
int util_mkdir_p(const char *path, unsigned mode);

/* Create the folder path lies in, and its parents, when missing.
 * Returns 0 or -errno. */
int util_mkdir_parent(const char *path, unsigned mode);

/*
 * Every file an admin points at (config, templates, password_file, ca_file)
 * is opened by this: non-blocking (a FIFO never hangs us), close-on-exec,
 * symlinks followed, and only a regular file of at most max bytes accepted.
 * Returns an open descriptor (caller closes) and *ret_st (may be NULL), or
 * -EISDIR (a folder), -EINVAL (a FIFO, device or socket), -EFBIG, -errno.
 */
int util_open_regular(const char *path, size_t max, struct stat *ret_st);

/* Read a whole file (at most max bytes) opened by util_open_regular() into
 * a malloc'ed NUL-terminated buffer.  Returns 0 (with *ret, *ret_len, and
 * *ret_st unless NULL) or util_open_regular()'s errors, -ENOMEM, -errno. */
int util_read_regular(const char *path, size_t max, char **ret, size_t *ret_len,
                      struct stat *ret_st);
/* util_read_regular() without the stat. */
int util_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* The reason for a util_read_file() error r, for messages ("is a folder,
 * not a file", "not a regular file (a FIFO, device or socket)", ...). */
const char *util_file_strerror(int r);

/* true when s has a byte < 0x20 (other than allowed_tab TAB) or 0x7f. */
bool util_has_control(const char *s, bool allow_tab);

/* Parse "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM" / "HH:MM" strictly (fixed widths,
 * real calendar dates, hour < 24, minute < 60).  0 or -EINVAL. */
int util_parse_date(const char *s, int *y, int *m, int *d);
int util_parse_datetime(const char *s, int *y, int *m, int *d, int *hh, int *mm);
int util_parse_hhmm(const char *s, int *hh, int *mm);

/* Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF)?  A file saved as Latin-1 would otherwise put broken bytes into
 * mails and calendars. */
bool util_utf8_valid(const unsigned char *s);

/* Grow the array *items (elem bytes each, *cap slots) so that slot n fits;
 * new slots are zeroed.  0 or -ENOMEM (then *items is unchanged). */
int util_grow(void **items, size_t n, size_t *cap, size_t elem);

/* The name of a mail kind, as in X-Gremium-Kind ("invitation", "update",
 * "cancellation", "topic-call", "reminder", "test"), or "unknown". */
const char *util_kind_name(enum gr_kind kind);

/* Days in month m (1..12) of year y. */
int util_days_in_month(int y, int m);

/*
 * The instant t (UTC) as ISO 8601 with its UTC offset, e.g.
 * "2026-11-30T13:58:29+01:00", given lt, t's wall-clock time in the zone
 * (minute precision; the seconds come from t).  The offset is lt - t, so
 * every logged time says which clock it is on.  buf needs
 * UTIL_ISO8601_MAX bytes.
 */
#define UTIL_ISO8601_MAX 32
void util_format_iso8601(time_t t, const struct gr_localtime *lt, char buf[UTIL_ISO8601_MAX]);

/*
 * systemd credentials (systemd.exec(5) "Credentials"): is name usable as a
 * credential ID (a file name: 1..255 bytes, no '/', no control character,
 * not "." or "..")?
 */
bool util_credential_name_valid(const char *name);

/*
 * Where the credential name is: inside a service with credentials
 * ($CREDENTIALS_DIRECTORY set), $CREDENTIALS_DIRECTORY/name and only there;
 * elsewhere (the admin's shell) the first of /etc/credstore/name,
 * /run/credstore/name and /usr/lib/credstore/name that exists or cannot be
 * looked at, i.e. the files LoadCredential=name (without a path) loads, in
 * systemd's order; /etc/credstore/name when none exists.  Returns 0 and
 * *ret (caller frees), or -ENOMEM.
 */
int util_credential_path(const char *name, char **ret);

/*
 * Is stderr connected to the journal (systemd.exec(5) $JOURNAL_STREAM:
 * "DEVICE:INODE" of the stream systemd connected, compared with stderr's)?
 * Then "<N>" prefixes give lines their priority (sd-daemon(3)).
 */
bool util_stderr_is_journal(void);

/* FNV-1a 64 of len bytes, continuing from h (start with UTIL_FNV_INIT). */
#define UTIL_FNV_INIT UINT64_C(0xcbf29ce484222325)
uint64_t util_fnv1a(uint64_t h, const void *data, size_t len);

/*
 * The host of a URL "scheme://[user@]host[:port][/...]" into buf (len
 * bytes), an IPv6 literal without its brackets.  Returns 0, or -EINVAL
 * when there is no host or it does not fit.
 */
int util_url_host(const char *url, char *buf, size_t len);

/*
 * Is host, as written, a loopback host: an IPv4 literal in 127.0.0.0/8,
 * the IPv6 literal ::1 (without brackets), or "localhost"?  Decided on the
 * text, never by resolving a name (see util.c).  The one test for
 * "starttls = off" in config and smtp.
 */
bool util_is_loopback_host(const char *host);

/*
 * The UID of a calendar object (INTEROP "Updates" 1): "<series>.<committee
 * id>@<domain>", for one date of a dated series "<series>-YYYYMMDD.<committee
 * id>@<domain>" (date != NULL).  legacy (or no committee id): the form of
 * gremiumd before committee.id, "<series>@<domain>" / "<series>-YYYYMMDD@<domain>",
 * which a state database that sent under it keeps.  0 or -ENOSPC.
 */
int util_object_uid(const struct gr_committee *c, const char *series_id,
                    const struct gr_localtime *date, bool legacy, char *buf, size_t len);

/*
 * The UID of a moved meeting of an rrule series, an object of its own:
 * "<series>+moved-YYYYMMDD.<committee id>@<domain>" with the ORIGINAL date,
 * so it stays when the move changes; '+' is in no id (config's chk_id), so
 * it meets no other UID.  0 or -ENOSPC.
 */
int util_moved_uid(const struct gr_committee *c, const char *series_id,
                   const struct gr_localtime *original, char *buf, size_t len);

/*
 * Write s as a JSON string (RFC 8259 section 7) to out: quotes, backslash
 * and control characters escaped; NULL writes null.  Valid UTF-8 goes
 * through as it is; a string that is not valid UTF-8 has its bytes above
 * 0x7f written as \u00XX (read as Latin-1), so the output is always valid
 * JSON.  Errors show in ferror(out).
 */
void util_json_string(FILE *out, const char *s);

#endif
