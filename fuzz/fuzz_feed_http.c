/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the feed's HTTP request path (src/feed.c, included to
 * reach its static functions).  The input is a raw request; this harness
 * splits it the way libmicrohttpd does (request line, header lines, the
 * query cut off the path), decodes the path with the feed's own unescape
 * callback and asks respond() for the status, with a current
 * representation and without one.  Checked: only the exact feed path gets
 * 200/304, only GET/HEAD, and a 304 needs a validator that allows it.
 */
#include "../src/feed.c"

#define PATH "/kommunalgremium.ics"
#define BODY "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"

static struct rep *rep;

/* Split "Name: value" at its colon; false for a line without one. */
static bool header_line(char *line, struct request *req)
{
	char *colon = strchr(line, ':'), *v;

	if (!colon)
		return false;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	return scan_header(req, MHD_HEADER_KIND, line, v) == MHD_YES;
}

/* Would this request's validators allow a 304 at all? */
static bool could_match(const struct request *req)
{
	for (size_t i = 0; i < req->n_inm; i++)
		if (strchr(req->inm[i], '*') || strstr(req->inm[i], rep->etag + 1))
			return true;
	return req->n_inm == 0 && req->ims;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req = { 0 };
	char *copy, *line, *save = NULL, *method, *url, *q;
	unsigned status;

	if (!rep)
		rep = rep_new(BODY, strlen(BODY), 1767225600);
	if (!rep || size > 16384)
		return 0;   /* libmicrohttpd answers 431/414 before this */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	line = strtok_r(copy, "\r\n", &save);
	method = line ? strtok_r(line, " ", &q) : NULL;
	url = method ? strtok_r(NULL, " ", &q) : NULL;
	if (!url) {
		free(copy);
		return 0;
	}
	if ((q = strchr(url, '?')))
		*q = '\0';  /* libmicrohttpd takes the query apart */
	(void)unescape_path(NULL, NULL, url);
	req.method = method;
	req.url = url;
	while ((line = strtok_r(NULL, "\r\n", &save)))
		if (!header_line(line, &req))
			break;
	status = respond(&req, PATH, rep);
	if ((status == MHD_HTTP_OK || status == MHD_HTTP_NOT_MODIFIED) &&
	    (strcmp(url, PATH) != 0 || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)))
		abort();
	if (status == MHD_HTTP_NOT_MODIFIED && !could_match(&req))
		abort();
	status = respond(&req, PATH, NULL);
	if (status == MHD_HTTP_OK || status == MHD_HTTP_NOT_MODIFIED)
		abort();
	free(copy);
	return 0;
}
