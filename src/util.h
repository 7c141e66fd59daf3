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

/* Read a whole file (at most max bytes) into a malloc'ed NUL-terminated
 * buffer.  Returns 0 (with *ret, *ret_len), -EFBIG, or -errno. */
int util_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

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

/* FNV-1a 64 of len bytes, continuing from h (start with UTIL_FNV_INIT). */
#define UTIL_FNV_INIT UINT64_C(0xcbf29ce484222325)
uint64_t util_fnv1a(uint64_t h, const void *data, size_t len);

/*
 * The UID of a calendar object (INTEROP "Updates" 1): "<series>.<committee
 * id>@<domain>", for one date of a dated series "<series>-YYYYMMDD.<committee
 * id>@<domain>" (date != NULL).  legacy (or no committee id): the form of
 * gremiumd before committee.id, "<series>@<domain>" / "<series>-YYYYMMDD@<domain>",
 * which a state database that sent under it keeps.  0 or -ENOSPC.
 */
int util_object_uid(const struct gr_committee *c, const char *series_id,
                    const struct gr_localtime *date, bool legacy, char *buf, size_t len);

#endif
