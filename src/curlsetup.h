/* SPDX-License-Identifier: MIT */
/*
 * curlsetup - the libcurl setup smtp (sending) and inbound (IMAP) share:
 * the secret (password_file or systemd credential), the CA bundle
 * (ca_file), TLS (implicit for smtps:// and imaps://, STARTTLS required for
 * smtp:// and imap:// unless the caller allows plain text to a loopback
 * server), certificate and host name always verified, credentials and
 * timeouts.  One piece of code, so a change of policy reaches both.
 */
#ifndef GREMIUM_CURLSETUP_H
#define GREMIUM_CURLSETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>

#define CURLSETUP_MAX_PASSWORD 4096
/* A CA bundle: the whole Mozilla set is about 220 KB. */
#define CURLSETUP_MAX_CA (4 * 1024 * 1024)
#define CURLSETUP_DEFAULT_TIMEOUT 60

/* What one account needs on every handle (owned; curlsetup_clear()). */
struct curlsetup {
	char *username;         /* NULL: no login */
	char *password;         /* NULL without username */
	char *ca;               /* ca_file's content, or NULL: the system's */
	size_t ca_len;
	int timeout;            /* seconds: connect, and each step */
};

/*
 * Read the secret: password_file's content without its trailing line end,
 * or, with password_file NULL, the systemd credential named `credential`
 * (util_credential_path()).  Never from the config itself, which is often
 * world-readable.  who ("smtp", "inbound") starts the messages.  Returns 0
 * and *ret (caller frees, explicit_bzero first), or a negative errno with a
 * one-line reason in err.  A file readable by group or others is a warning
 * to warn (may be NULL), ending in ", continuing".
 */
int curlsetup_password(const char *who, const char *password_file, const char *credential,
                       char **ret, char *err, size_t errlen, FILE *warn);

/*
 * Fill *s: username (copied), when username is set the password (a copy
 * of password, or with password NULL read by curlsetup_password()),
 * ca_file's content (may be NULL), the timeout (<= 0:
 * CURLSETUP_DEFAULT_TIMEOUT).  0, or a negative errno and err.
 */
int curlsetup_load(struct curlsetup *s, const char *who, const char *username,
                   const char *password, const char *password_file, const char *credential,
                   const char *ca_file, int timeout, char *err, size_t errlen, FILE *warn);

/* Free what *s holds (the password wiped first); a cleared or zeroed *s
 * is a no-op. */
void curlsetup_clear(struct curlsetup *s);

/*
 * Set on c: url, the allowed protocols ("smtp,smtps", "imap,imaps"), TLS
 * (CURLUSESSL_ALL: STARTTLS required for the plain scheme, RFC 3207 §4 /
 * RFC 9051 §11.1, so no password or mail ever crosses in clear, unless
 * tls_optional), peer and host verification, the CA, login, timeouts (a
 * step that stalls for `timeout` seconds ends the transfer; the transfer
 * as a whole gets three times that) and no signals.  0, or -EINVAL with
 * libcurl's reason in err (prefixed by who).
 */
int curlsetup_apply(CURL *c, const struct curlsetup *s, const char *who, const char *url,
                    const char *protocols, bool tls_optional, char *err, size_t errlen);

/* The reason for a TLS-related failure, for messages ("certificate
 * verification failed", "server does not offer STARTTLS", "TLS handshake
 * failed"), or NULL when rc is none of them. */
const char *curlsetup_tls_failure(CURLcode rc);

/* Is url's host on this machine (util_is_loopback_host())? */
bool curlsetup_url_is_loopback(const char *url);

#endif
