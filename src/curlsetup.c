/* SPDX-License-Identifier: MIT */
/*
 * curlsetup - the libcurl setup of smtp and inbound.  See curlsetup.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "curlsetup.h"
#include "util.h"

bool curlsetup_url_is_loopback(const char *url)
{
	char host[256];

	return util_url_host(url, host, sizeof(host)) == 0 && util_is_loopback_host(host);
}

/* The file's content without its trailing line end. */
static int read_secret(const char *who, const char *path, char **ret, char *err, size_t errlen,
                       FILE *warn)
{
	struct stat st;
	char *pw = NULL;
	size_t len = 0;
	int r;

	if (!path) {
		snprintf(err, errlen, "%s: username is set but password_file is not", who);
		return -EINVAL;
	}
	r = util_read_file(path, CURLSETUP_MAX_PASSWORD, &pw, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read password_file %s: %s", who, path,
		         r == -EFBIG ? "larger than 4 KiB" : util_file_strerror(r));
		return r;
	}
	while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
		pw[--len] = '\0';
	if (len == 0 || strlen(pw) != len) {
		explicit_bzero(pw, len);
		free(pw);
		snprintf(err, errlen, "%s: password_file %s is empty or holds a NUL byte", who, path);
		return -EINVAL;
	}
	if (warn && stat(path, &st) == 0 && (st.st_mode & 044))
		fprintf(warn, "warning: password_file %s is readable by group or others (mode %04o), continuing\n",
		        path, (unsigned)(st.st_mode & 07777));
	*ret = pw;
	return 0;
}

int curlsetup_password(const char *who, const char *password_file, const char *credential,
                       char **ret, char *err, size_t errlen, FILE *warn)
{
	char *found = NULL;
	int r;

	if (!password_file && credential) {
		r = util_credential_path(credential, &found);
		if (r < 0) {
			snprintf(err, errlen, "%s: credential %s not found: %s", who, credential,
			         strerror(-r));
			return r;
		}
	}
	r = read_secret(who, found ? found : password_file, ret, err, errlen, warn);
	free(found);
	return r;
}

int curlsetup_load(struct curlsetup *s, const char *who, const char *username,
                   const char *password, const char *password_file, const char *credential,
                   const char *ca_file, int timeout, char *err, size_t errlen, FILE *warn)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->timeout = timeout > 0 ? timeout : CURLSETUP_DEFAULT_TIMEOUT;
	if (username) {
		s->username = strdup(username);
		s->password = password ? strdup(password) : NULL;
		if (!s->username || (password && !s->password)) {
			snprintf(err, errlen, "%s: out of memory", who);
			r = -ENOMEM;
			goto fail;
		}
		if (!password) {
			r = curlsetup_password(who, password_file, credential, &s->password, err,
			                       errlen, warn);
			if (r < 0)
				goto fail;
		}
	}
	if (ca_file && (r = util_read_file(ca_file, CURLSETUP_MAX_CA, &s->ca, &s->ca_len)) < 0) {
		snprintf(err, errlen, "%s: cannot read ca_file %s: %s", who, ca_file, util_file_strerror(r));
		goto fail;
	}
	return 0;
fail:
	curlsetup_clear(s);
	return r;
}

void curlsetup_clear(struct curlsetup *s)
{
	if (s->password) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->username);
	free(s->ca);
	memset(s, 0, sizeof(*s));
}

int curlsetup_apply(CURL *c, const struct curlsetup *s, const char *who, const char *url,
                    const char *protocols, bool tls_optional, char *err, size_t errlen)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, protocols);
	/* with STARTTLS "required", a server that does not offer it (or a
	 * man in the middle that strips it) fails the transfer */
	SET(CURLOPT_USE_SSL, (long)(tls_optional ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca) {
		/* read by us (util_read_file: a FIFO never hangs us); the blob
		 * replaces CURLOPT_CAINFO as the file did */
		struct curl_blob blob = { s->ca, s->ca_len, CURL_BLOB_COPY };
		SET(CURLOPT_CAINFO_BLOB, &blob);
	}
	if (s->username) {
		SET(CURLOPT_USERNAME, s->username);
		SET(CURLOPT_PASSWORD, s->password);
	}
	SET(CURLOPT_CONNECTTIMEOUT, (long)s->timeout);
	/* a step that stalls for `timeout` seconds ends the transfer; the
	 * whole transfer (connect, TLS, login, the data) gets three times that */
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, (long)s->timeout);
	SET(CURLOPT_TIMEOUT, (long)s->timeout * 3);
	SET(CURLOPT_NOSIGNAL, 1L);
#undef SET
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", who, curl_easy_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

const char *curlsetup_tls_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return "certificate verification failed";
	case CURLE_USE_SSL_FAILED:
		return "server does not offer STARTTLS";
	case CURLE_SSL_CONNECT_ERROR:
		return "TLS handshake failed";
	default:
		return NULL;
	}
}
