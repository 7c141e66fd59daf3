/* SPDX-License-Identifier: MIT */
/* Unit tests for src/smtp.c: what it refuses before any connection, a
 * refused connection, and abandoning a delivery in flight (in libcurl's
 * blocking wait for the final reply, and in the middle of the data).  SMTP
 * dialogues are tested end to end (tests/e2e_smtp.sh, e2e_faults.sh). */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"
#include "util.h"

/* The smtp backend refuses what would be unsafe, before any connection. */
static void test_smtp_config(void **state)
{
	struct gr_delivery d = { 0 };
	struct smtp *t = NULL;
	char dir[] = "/tmp/test_smtp.XXXXXX", err[256], *pw, *out = NULL;
	size_t out_len = 0;
	FILE *warn;
	(void)state;

	d.transport = GR_TRANSPORT_SMTP;
	d.starttls_required = true;
	d.smtp_url = "http://mail.example.org";
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "smtp://"));

	d.smtp_url = "smtp://mail.example.org:587";
	d.starttls_required = false;
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "starttls = off"));
	/* the scheme in capitals is the same scheme (config accepts it) */
	d.smtp_url = "SMTP://mail.example.org:587";
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "starttls = off"));
	d.smtp_url = "SMTP://127.0.0.1:25";
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	smtp_free(t);
	t = NULL;

	d.starttls_required = true;
	d.username = "gremiumd";
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "password_file"));
	d.password_file = "/nonexistent/pw";
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -ENOENT);
	assert_non_null(strstr(err, "cannot read password_file /nonexistent/pw"));

	assert_non_null(mkdtemp(dir));
	pw = util_asprintf("%s/pw", dir);
	d.password_file = pw;
	assert_int_equal(util_write_atomic(pw, "\n", 1, 0600), 0);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "empty"));

	/* readable by others: works, with a warning */
	assert_int_equal(util_write_atomic(pw, "geheim\n", 7, 0644), 0);
	warn = open_memstream(&out, &out_len);
	assert_non_null(warn);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), warn), 0);
	fclose(warn);
	assert_non_null(strstr(out, "readable by group or others (mode 0644), continuing\n"));
	smtp_free(t);
	free(out);

	/* a FIFO as password_file or ca_file: refused at once, not waited on */
	{
		char *fifo = util_asprintf("%s/fifo", dir);

		assert_int_equal(mkfifo(fifo, 0600), 0);
		d.password_file = fifo;
		assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
		assert_non_null(strstr(err, "not a regular file (a FIFO, device or socket)"));
		d.password_file = pw;
		d.ca_file = fifo;
		assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
		assert_non_null(strstr(err, "cannot read ca_file"));
		d.ca_file = NULL;
		(void)unlink(fifo);
		free(fifo);
	}

	/* mode 0600: no warning */
	assert_int_equal(util_write_atomic(pw, "geheim\n", 7, 0600), 0);
	out = NULL;
	warn = open_memstream(&out, &out_len);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), warn), 0);
	fclose(warn);
	assert_int_equal(out_len, 0);
	smtp_free(t);
	free(out);
	(void)unlink(pw);
	(void)rmdir(dir);
	free(pw);
}

/* A port on 127.0.0.1 where nobody listens. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_smtp_refused(void **state)
{
	struct gr_delivery d = { 0 };
	struct smtp *t = NULL;
	struct tr_outcome out;
	char err[256];
	(void)state;

	d.transport = GR_TRANSPORT_SMTP;
	d.starttls_required = true;
	d.timeout = 5;
	d.smtp_url = util_asprintf("smtp://127.0.0.1:%d", closed_port());
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(smtp_send(t, "a@b.example", "c@d.example", "x\r\n", 3, &out), -EAGAIN);
	assert_int_equal(out.result, TR_TEMPORARY);
	assert_int_equal(out.code, 0);
	assert_true(out.reply[0] != '\0');
	smtp_free(t);
	free(d.smtp_url);
}


/*
 * A server for one SMTP session that stops at the mail's data: with
 * `read_body` it reads the body up to the final "." and then never
 * answers; without, it does not read the data at all until `release`.
 * Either way it then reads to the end of the connection and keeps what
 * came after its 354.
 */
struct stuck_server {
	int lfd;
	bool read_body;
	atomic_bool in_data, got_dot, release;
	char *data;
	size_t len;
	pthread_t thread;
};

/* The index just past "\r\n.\r\n" in data[0..len), or 0. */
static size_t find_dot(const char *data, size_t len)
{
	for (size_t i = 0; i + 5 <= len; i++)
		if (memcmp(data + i, "\r\n.\r\n", 5) == 0)
			return i + 5;
	return 0;
}

/* Add c to the line in line[0..*len); true when it ends the line (then
 * line is a string, and *len starts again at 0). */
static bool line_done(char *line, size_t size, size_t *len, char c)
{
	if (*len + 1 < size)
		line[(*len)++] = c;
	if (c != '\n')
		return false;
	line[*len] = '\0';
	*len = 0;
	return true;
}

/* A test server's reply to an SMTP command; DATA sets *data. */
static const char *command_reply(const char *line, bool *data)
{
	if (strncasecmp(line, "EHLO", 4) == 0)
		return "250 test\r\n";
	if (strncasecmp(line, "QUIT", 4) == 0)
		return "221 bye\r\n";
	if (strncasecmp(line, "DATA", 4) == 0) {
		*data = true;
		return "354 go ahead\r\n";
	}
	return "250 ok\r\n";
}

/* A test server's one session: accepted and greeted, or -1. */
static int accept_greet(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd >= 0)
		(void)!write(fd, "220 test ESMTP\r\n", 16);
	return fd;
}

static void *stuck_server_run(void *arg)
{
	struct stuck_server *s = arg;
	int fd = accept_greet(s->lfd);
	char buf[65536], line[1024];
	size_t ll = 0;
	ssize_t n;
	bool data = false;

	if (fd < 0)
		return NULL;
	/* the dialogue up to DATA, one command a line */
	while (!data && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n && !data; i++) {
			const char *reply;

			if (!line_done(line, sizeof(line), &ll, buf[i]))
				continue;
			reply = command_reply(line, &data);
			(void)!write(fd, reply, strlen(reply));
		}
	}
	atomic_store(&s->in_data, true);
	while (!s->read_body && !atomic_load(&s->release))
		usleep(10000);
	s->data = malloc(64u << 20);
	while (s->data && s->len < (64u << 20) &&
	       (n = read(fd, s->data + s->len, (64u << 20) - s->len)) > 0) {
		s->len += (size_t)n;
		if (!atomic_load(&s->got_dot) && find_dot(s->data, s->len))
			atomic_store(&s->got_dot, true);
	}
	close(fd);
	return NULL;
}

/* A listening socket on 127.0.0.1 for a test server; d delivers to it
 * over one connection, STARTTLS off (loopback). */
static int test_listen(struct gr_delivery *d)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	d->transport = GR_TRANSPORT_SMTP;
	d->starttls_required = false;
	d->timeout = 60;
	d->connections = 1;
	d->smtp_url = util_asprintf("smtp://127.0.0.1:%u", ntohs(a.sin_port));
	return fd;
}

/*
 * Issue 13.1: "starttls = off" is for a loopback server, decided on the URL
 * as written.  libcurl resolves every *.localhost name to 127.0.0.1 itself,
 * so a name that merely starts with "127." reached this server and got
 * AUTH PLAIN in clear; now smtp_new() refuses it before any connection.
 */
static void test_smtp_loopback_by_name(void **state)
{
	struct gr_delivery d = { 0 };
	struct smtp *t = NULL;
	char dir[] = "/tmp/test_smtp.XXXXXX", err[256], *pw;
	int lfd = test_listen(&d), fd;
	const char *port = strrchr(d.smtp_url, ':');
	(void)state;

	assert_non_null(mkdtemp(dir));
	pw = util_asprintf("%s/pw", dir);
	assert_int_equal(util_write_atomic(pw, "geheim\n", 7, 0600), 0);
	d.username = "gremiumd";
	d.password_file = pw;
	{
		char *url = util_asprintf("smtp://127.0.0.1.localhost%s", port ? port : ":0");

		free(d.smtp_url);
		d.smtp_url = url;
	}
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "starttls = off is only allowed for a loopback server"));
	assert_null(t);
	/* nothing connected */
	assert_int_equal(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
	fd = accept(lfd, NULL, NULL);
	assert_int_equal(fd, -1);
	close(lfd);
	(void)unlink(pw);
	(void)rmdir(dir);
	free(pw);
	free(d.smtp_url);
}

static void stuck_server_start(struct stuck_server *s, struct gr_delivery *d)
{
	s->lfd = test_listen(d);
	assert_int_equal(pthread_create(&s->thread, NULL, stuck_server_run, s), 0);
}

/* A server that takes every mail of one session and counts them. */
struct counting_server {
	int lfd;
	atomic_int mails;
	const char *(*reply)(const char *line); /* NULL or an answer of its own */
	pthread_t thread;
};

static void *counting_server_run(void *arg)
{
	struct counting_server *s = arg;
	int fd = accept_greet(s->lfd);
	char buf[4096], line[1024];
	size_t ll = 0;
	ssize_t n;
	bool data = false;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			const char *reply;

			if (!line_done(line, sizeof(line), &ll, buf[i]))
				continue;
			if (!data && s->reply && (reply = s->reply(line))) {
				/* the test's own answer */
			} else if (!data) {
				reply = command_reply(line, &data);
			} else if (strcmp(line, ".\r\n") == 0) {
				data = false;
				atomic_fetch_add(&s->mails, 1);
				reply = "250 ok\r\n";
			} else {
				continue;
			}
			(void)!write(fd, reply, strlen(reply));
		}
	}
	close(fd);
	return NULL;
}

/* Wait (up to 20 s) until the server has taken n mails. */
static bool wait_mails(struct counting_server *s, int n)
{
	for (int i = 0; i < 2000 && atomic_load(&s->mails) < n; i++)
		usleep(10000);
	return atomic_load(&s->mails) >= n;
}

/* Wait (up to 20 s) for flag. */
static bool wait_flag(atomic_bool *flag)
{
	for (int i = 0; i < 2000 && !atomic_load(flag); i++)
		usleep(10000);
	return atomic_load(flag);
}

static int ignore_watch(void *data, int fd, int what, void **fd_data)
{
	(void)data, (void)fd, (void)what, (void)fd_data;
	return 0;
}

static void count_done(void *data, void *job, const struct tr_outcome *out)
{
	(void)job, (void)out;
	(*(int *)data)++;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Leaving asynchronous mode while a mail waits for the server's answer to
 * its final ".": the wait inside libcurl's DONE phase ends at once, not at
 * the 60 s timeout, and the abandoned mail gets no done() (the caller
 * sends it again).
 */
static void test_smtp_abandon_waiting(void **state)
{
	struct gr_delivery d = { 0 };
	struct stuck_server srv = { .read_body = true };
	struct smtp *t = NULL;
	int done = 0;
	struct tr_hooks hooks = { ignore_watch, count_done, &done };
	const char msg[] = "Subject: x\r\n\r\nbody\r\n";
	char err[256];
	double t0;
	int job;
	(void)state;

	stuck_server_start(&srv, &d);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(smtp_async(t, &hooks), 0);
	assert_int_equal(smtp_start(t, &job, "a@b.example", "c@d.example", msg, strlen(msg)), 0);
	assert_true(wait_flag(&srv.got_dot));
	t0 = now_sec();
	smtp_async_end(t);
	/* a correctness bound, far from the timeout: not a speed test */
	assert_true(now_sec() - t0 < 30);
	assert_int_equal(done, 0);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	smtp_free(t);
	close(srv.lfd);
	free(srv.data);
	free(d.smtp_url);
}

/*
 * Leaving asynchronous mode in the middle of a mail's data (16 MiB that the
 * server does not read): the server never gets the final ".", so it cannot
 * take a truncated mail as complete (RFC 5321 4.1.1.4).
 */
static void test_smtp_abandon_mid_data(void **state)
{
	struct gr_delivery d = { 0 };
	struct stuck_server srv = { .read_body = false };
	struct smtp *t = NULL;
	int done = 0;
	struct tr_hooks hooks = { ignore_watch, count_done, &done };
	size_t len = 16u << 20;
	char *msg = malloc(len), err[256];
	int job;
	(void)state;

	assert_non_null(msg);
	for (size_t i = 0; i < len; i++)
		msg[i] = i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'a';
	msg[len - 2] = '\r';
	msg[len - 1] = '\n';
	stuck_server_start(&srv, &d);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(smtp_async(t, &hooks), 0);
	assert_int_equal(smtp_start(t, &job, "a@b.example", "c@d.example", msg, len), 0);
	assert_true(wait_flag(&srv.in_data));
	usleep(200000);         /* let libcurl fill the socket buffers */
	smtp_async_end(t);
	atomic_store(&srv.release, true);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	assert_int_equal(done, 0);
	assert_true(srv.len < len);
	assert_int_equal(find_dot(srv.data, srv.len), 0);
	smtp_free(t);
	close(srv.lfd);
	free(srv.data);
	free(msg);
	free(d.smtp_url);
}

/*
 * Back-pressure: 8 mails queued on one connection, and no outcome
 * recorded.  The worker stops after 3 (a crash could send those, and the
 * one being sent, twice), also once they are reported by smtp_run(), until
 * smtp_recorded() lets the next 3 go.
 */
static void test_smtp_unrecorded_bound(void **state)
{
	struct gr_delivery d = { 0 };
	struct counting_server srv = { 0 };
	struct smtp *t = NULL;
	int done = 0, jobs[8];
	struct tr_hooks hooks = { ignore_watch, count_done, &done };
	const char msg[] = "Subject: x\r\n\r\nbody\r\n";
	char err[256];
	(void)state;

	srv.lfd = test_listen(&d);
	assert_int_equal(pthread_create(&srv.thread, NULL, counting_server_run, &srv), 0);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(smtp_async(t, &hooks), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(smtp_start(t, &jobs[i], "a@b.example", "c@d.example", msg,
		                            strlen(msg)), 0);
	assert_int_equal(smtp_slots_free(t), 0);
	assert_true(wait_mails(&srv, 3));
	usleep(300000);         /* time enough for a fourth, were it started */
	assert_int_equal(atomic_load(&srv.mails), 3);
	smtp_run(t);
	assert_int_equal(done, 3);
	usleep(300000);         /* reported is not recorded */
	assert_int_equal(atomic_load(&srv.mails), 3);
	smtp_recorded(t);
	assert_true(wait_mails(&srv, 6));
	usleep(300000);
	assert_int_equal(atomic_load(&srv.mails), 6);
	smtp_run(t);
	smtp_recorded(t);
	assert_true(wait_mails(&srv, 8));
	for (int i = 0; i < 2000 && done < 8; i++) {
		usleep(10000);
		smtp_run(t);
	}
	assert_int_equal(done, 8);
	assert_int_equal(smtp_slots_free(t), 8);
	smtp_free(t);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	close(srv.lfd);
	free(d.smtp_url);
}

/* Reply lines as libcurl hands them over: multi-line replies joined,
 * the reply of a given code found, garbage ignored. */
static void test_smtp_reply_parse(void **state)
{
	struct smtp_replies r = { 0 };
	(void)state;

	assert_null(smtp_reply_find(&r, 0));
	assert_int_equal(smtp_reply_line(&r, "250-mail.example\r\n", 18), 0);
	assert_int_equal(smtp_reply_line(&r, "250 8BITMIME\r\n", 14), 1);
	assert_string_equal(smtp_reply_find(&r, 250), "250 mail.example 8BITMIME");
	assert_int_equal(smtp_reply_line(&r, "hello\r\n", 7), -EINVAL);
	assert_int_equal(smtp_reply_line(&r, "2500 x", 6), -EINVAL);
	assert_int_equal(smtp_reply_line(&r, "550-5.1.1 no\x01such\r\n", 19), 0);
	assert_int_equal(smtp_reply_line(&r, "550 5.1.1 user", 14), 1);
	assert_int_equal(smtp_reply_line(&r, "221", 3), 1);
	assert_string_equal(smtp_reply_find(&r, 550), "550 5.1.1 no such 5.1.1 user");
	assert_string_equal(smtp_reply_find(&r, 0), "221");
	assert_string_equal(smtp_reply_find(&r, 250), "250 mail.example 8BITMIME");
	assert_null(smtp_reply_find(&r, 354));
}

/*
 * A server one reply ahead of the client: its EHLO reply carries a stray
 * "250 ok", so libcurl takes every later reply as the answer to the
 * command after the one it belongs to.  The RCPT's 550 arrives as the
 * answer to DATA; what comes after it (the DATA's 354, read for QUIT) must
 * not become the recorded reason.
 */
static const char *out_of_step_reply(const char *line)
{
	if (strncasecmp(line, "EHLO", 4) == 0)
		return "250-test\r\n250 8BITMIME\r\n250 ok\r\n";
	if (strncasecmp(line, "RCPT", 4) == 0)
		return "550 5.1.1 <c@d.example>: no such user\r\n";
	return NULL;
}

static void test_smtp_out_of_step(void **state)
{
	struct gr_delivery d = { 0 };
	struct counting_server srv = { .reply = out_of_step_reply };
	struct smtp *t = NULL;
	struct tr_outcome out;
	char err[256];
	(void)state;

	srv.lfd = test_listen(&d);
	assert_int_equal(pthread_create(&srv.thread, NULL, counting_server_run, &srv), 0);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(smtp_send(t, "a@b.example", "c@d.example", "x\r\n", 3, &out), -EIO);
	smtp_free(t);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	assert_int_equal(out.result, TR_PERMANENT);
	assert_int_equal(out.code, 550);
	assert_string_equal(out.reply, "550 5.1.1 <c@d.example>: no such user");
	assert_int_equal(atomic_load(&srv.mails), 0);
	close(srv.lfd);
	free(d.smtp_url);
}

/* The MAIL FROM lines a server saw (issue 16: each mail its own VERP
 * envelope sender on one reused connection). */
static char mail_from_seen[4][128];
static atomic_int n_mail_from;

static const char *record_mail_from(const char *line)
{
	int i = atomic_load(&n_mail_from);

	if (strncasecmp(line, "MAIL FROM:", 10) == 0 && i < 4) {
		snprintf(mail_from_seen[i], sizeof(mail_from_seen[i]), "%.*s", (int)strcspn(line, "\r\n"),
		         line);
		atomic_store(&n_mail_from, i + 1);
	}
	return NULL;
}

static void test_smtp_mail_from(void **state)
{
	struct gr_delivery d = { 0 };
	struct counting_server srv = { .reply = record_mail_from };
	struct smtp *t = NULL;
	struct tr_outcome out;
	const char msg[] = "Subject: x\r\n\r\nbody\r\n";
	char err[256];
	(void)state;

	srv.lfd = test_listen(&d);
	assert_int_equal(pthread_create(&srv.thread, NULL, counting_server_run, &srv), 0);
	assert_int_equal(smtp_new(&d, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(smtp_send(t, "bounces+1-0123abcd@b.example", "c@d.example", msg,
	                           strlen(msg), &out), 0);
	assert_int_equal(smtp_send(t, "bounces+2-89abcdef@b.example", "e@d.example", msg,
	                           strlen(msg), &out), 0);
	smtp_free(t);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	assert_int_equal(atomic_load(&srv.mails), 2);
	assert_int_equal(atomic_load(&n_mail_from), 2);
	assert_string_equal(mail_from_seen[0], "MAIL FROM:<bounces+1-0123abcd@b.example>");
	assert_string_equal(mail_from_seen[1], "MAIL FROM:<bounces+2-89abcdef@b.example>");
	close(srv.lfd);
	free(d.smtp_url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_config),
		cmocka_unit_test(test_smtp_refused),
		cmocka_unit_test(test_smtp_loopback_by_name),
		cmocka_unit_test(test_smtp_reply_parse),
		cmocka_unit_test(test_smtp_out_of_step),
		cmocka_unit_test(test_smtp_abandon_waiting),
		cmocka_unit_test(test_smtp_abandon_mid_data),
		cmocka_unit_test(test_smtp_unrecorded_bound),
		cmocka_unit_test(test_smtp_mail_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
