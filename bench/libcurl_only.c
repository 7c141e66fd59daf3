/* SPDX-License-Identifier: MIT */
/*
 * bench/libcurl_only: the ceiling of any libcurl SMTP sender on a machine.
 * THREADS threads, each with one reused easy handle and curl_easy_perform(),
 * send MAILS messages of 3,000 bytes (like gremiumd's average mail) to
 * smtp://127.0.0.1:PORT, and nothing else: no rendering, no store, no event
 * loop.  bench/throughput.sh runs it beside smtp-source.
 *
 * Usage: libcurl_only PORT THREADS MAILS   (prints the seconds)
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char body[3001];
static char url[64];
static long per_thread;
static int failed;

struct cursor {
	const char *p;
	size_t left;
};

static size_t read_body(char *buf, size_t size, size_t n, void *data)
{
	struct cursor *c = data;
	size_t k = size * n < c->left ? size * n : c->left;

	memcpy(buf, c->p, k);
	c->p += k;
	c->left -= k;
	return k;
}

static size_t ignore(char *buf, size_t size, size_t n, void *data)
{
	(void)buf, (void)data;
	return size * n;
}

static void *sender(void *arg)
{
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, "<member@list.example>");

	(void)arg;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<bench@fitko.example>");
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ignore);
	for (long i = 0; i < per_thread; i++) {
		struct cursor cur = { body, strlen(body) };

		curl_easy_setopt(c, CURLOPT_READDATA, &cur);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)cur.left);
		if (curl_easy_perform(c) != CURLE_OK) {
			failed = 1;
			break;
		}
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	struct timespec t0, t1;
	int threads = argc == 4 ? atoi(argv[2]) : 0;

	if (threads < 1 || threads > 64) {
		fprintf(stderr, "usage: libcurl_only PORT THREADS MAILS\n");
		return 2;
	}
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%s", argv[1]);
	per_thread = atol(argv[3]) / threads;
	for (size_t i = 0; i + 1 < sizeof(body); i++)
		body[i] = i % 72 == 70 ? '\r' : i % 72 == 71 ? '\n' : 'a';
	curl_global_init(CURL_GLOBAL_DEFAULT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, sender, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	curl_global_cleanup();
	if (failed) {
		fprintf(stderr, "libcurl_only: a transfer failed\n");
		return 1;
	}
	printf("%.3f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
