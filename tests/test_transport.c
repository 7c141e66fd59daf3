/* SPDX-License-Identifier: MIT */
/* Unit tests for src/transport.c: maildir delivery, smtp setup errors,
 * connection failures and abandoning a delivery in flight.  SMTP dialogues
 * are tested end to end (tests/e2e_smtp.sh). */
#include "autoconfig.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
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

#include "transport.h"
#include "util.h"

static char tdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/gremium-tr-XXXXXX");
	return mkdtemp(tdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char *cmd = util_asprintf("rm -rf '%s'", tdir);
	(void)state;
	if (cmd)
		(void)system(cmd);
	free(cmd);
	return 0;
}

/* Names of the files in dir (at most max), sorted; returns the count. */
static int list_dir(const char *dir, char names[][256], int max)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), count = 0;

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && count < max)
			snprintf(names[count++], 256, "%s", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return count;
}

static void test_maildir(void **state)
{
	static const char msg1[] = "From: a@b.example\r\nTo: c@d.example\r\n\r\nFirst\r\n";
	static const char msg2[] = "From: a@b.example\r\nTo: c@d.example\r\n\r\nSecond\r\n";
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256], names[4][256], *path, *data;
	size_t len;
	struct stat st;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = util_asprintf("%s/var/outbox", tdir);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	assert_string_equal(tr_name(t), "maildir");
	for (const char *const *d = (const char *const[]){ "tmp", "new", "cur", NULL }; *d; d++) {
		path = util_asprintf("%s/%s", cfg.delivery.maildir, *d);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
		free(path);
	}
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example", msg1, strlen(msg1), &out), 0);
	assert_int_equal(out.result, TR_SENT);
	assert_non_null(strstr(out.reply, "/new/"));
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example", msg2, strlen(msg2), &out), 0);

	path = util_asprintf("%s/new", cfg.delivery.maildir);
	assert_int_equal(list_dir(path, names, 4), 2);
	free(path);
	assert_string_not_equal(names[0], names[1]);
	for (int i = 0; i < 2; i++) {
		/* "<sec>.M<usec>P<pid>Q<n>R<random>.<host>", no ':' or '/' */
		assert_non_null(strstr(names[i], ".M"));
		assert_non_null(strstr(names[i], "Q"));
		assert_null(strchr(names[i], ':'));
		path = util_asprintf("%s/new/%s", cfg.delivery.maildir, names[i]);
		assert_int_equal(util_read_file(path, 4096, &data, &len), 0);
		/* byte for byte what was sent, whichever came first */
		assert_true((len == strlen(msg1) && memcmp(data, msg1, len) == 0) ||
		            (len == strlen(msg2) && memcmp(data, msg2, len) == 0));
		free(data);
		free(path);
	}
	path = util_asprintf("%s/tmp", cfg.delivery.maildir);
	assert_int_equal(list_dir(path, names, 4), 0);     /* nothing left behind */
	free(path);
	tr_free(t);
	tr_free(NULL);
	free(cfg.delivery.maildir);
}

static void test_maildir_failure(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256], *path;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = tdir;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	/* tmp/ replaced by a file: delivery fails, temporarily */
	path = util_asprintf("%s/tmp", tdir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(util_write_atomic(path, "x", 1, 0600), 0);
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example", "x\r\n", 3, &out), -EAGAIN);
	assert_int_equal(out.result, TR_TEMPORARY);
	assert_non_null(strstr(out.reply, "maildir: cannot deliver"));
	free(path);
	tr_free(t);

	/* a maildir that cannot be created */
	cfg.delivery.maildir = "/proc/gremium-no/outbox";
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr) < 0, 1);
	assert_non_null(strstr(err, "maildir: cannot create"));
}

static void test_envelope_injection(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256];
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = tdir;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example>\r\nRCPT TO:<x@y.example",
	                         "x\r\n", 3, &out), -EIO);
	assert_int_equal(out.result, TR_PERMANENT);
	tr_free(t);
}

/* What the asynchronous hooks saw. */
struct async_log {
	int done;
	void *last_job;
	struct tr_outcome last;
};

static void async_done(void *data, void *job, const struct tr_outcome *out)
{
	struct async_log *log = data;

	log->done++;
	log->last_job = job;
	log->last = *out;
}

/* maildir through the asynchronous API: done() before tr_start() returns,
 * so its slots are always free; a bad envelope is done() too. */
static void test_maildir_async(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct async_log log = { 0 };
	struct tr_hooks hooks = { NULL, async_done, &log };
	char err[256], names[4][256], *path;
	int job1, job2;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_MAILDIR;
	cfg.delivery.maildir = tdir;
	cfg.delivery.connections = 2;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), stderr), 0);
	assert_int_equal(tr_slots_free(t), 0);
	assert_int_equal(tr_async(t, &hooks), 0);
	assert_int_equal(tr_async(t, &hooks), -EALREADY);
	assert_int_equal(tr_slots_free(t), 2);
	assert_int_equal(tr_start(t, &job1, "a@b.example", "c@d.example", "x\r\n", 3), 0);
	assert_int_equal(log.done, 1);
	assert_ptr_equal(log.last_job, &job1);
	assert_int_equal(log.last.result, TR_SENT);
	assert_int_equal(tr_slots_free(t), 2);
	assert_int_equal(tr_start(t, &job2, "a@b.example", "c d@x", "x\r\n", 3), 0);
	assert_int_equal(log.done, 2);
	assert_ptr_equal(log.last_job, &job2);
	assert_int_equal(log.last.result, TR_PERMANENT);
	assert_int_equal(tr_run(t), 0);
	path = util_asprintf("%s/new", tdir);
	assert_int_equal(list_dir(path, names, 4), 1);
	free(path);
	tr_async_end(t);
	assert_int_equal(tr_slots_free(t), 0);
	tr_free(t);
}

/* The smtp backend refuses what would be unsafe, before any connection. */
static void test_smtp_config(void **state)
{
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	char err[256], *pw, *out = NULL;
	size_t out_len = 0;
	FILE *warn;
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_SMTP;
	cfg.delivery.starttls_required = true;
	cfg.delivery.smtp_url = "http://mail.example.org";
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "smtp://"));

	cfg.delivery.smtp_url = "smtp://mail.example.org:587";
	cfg.delivery.starttls_required = false;
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "starttls = off"));

	cfg.delivery.starttls_required = true;
	cfg.delivery.username = "gremiumd";
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "password_file"));
	cfg.delivery.password_file = "/nonexistent/pw";
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), -ENOENT);
	assert_non_null(strstr(err, "cannot read password_file /nonexistent/pw"));

	pw = util_asprintf("%s/pw", tdir);
	cfg.delivery.password_file = pw;
	assert_int_equal(util_write_atomic(pw, "\n", 1, 0600), 0);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), -EINVAL);
	assert_non_null(strstr(err, "empty"));

	/* readable by others: works, with a warning */
	assert_int_equal(util_write_atomic(pw, "geheim\n", 7, 0644), 0);
	warn = open_memstream(&out, &out_len);
	assert_non_null(warn);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), warn), 0);
	fclose(warn);
	assert_non_null(strstr(out, "readable by group or others (mode 0644), continuing\n"));
	assert_string_equal(tr_name(t), "smtp");
	tr_free(t);
	free(out);

	/* mode 0600: no warning */
	assert_int_equal(util_write_atomic(pw, "geheim\n", 7, 0600), 0);
	out = NULL;
	warn = open_memstream(&out, &out_len);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), warn), 0);
	fclose(warn);
	assert_int_equal(out_len, 0);
	tr_free(t);
	free(out);
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
	struct gr_config cfg = { 0 };
	struct transport *t = NULL;
	struct tr_outcome out;
	char err[256];
	(void)state;

	cfg.delivery.transport = GR_TRANSPORT_SMTP;
	cfg.delivery.starttls_required = true;
	cfg.delivery.timeout = 5;
	cfg.delivery.smtp_url = util_asprintf("smtp://127.0.0.1:%d", closed_port());
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(tr_send(t, "a@b.example", "c@d.example", "x\r\n", 3, &out), -EAGAIN);
	assert_int_equal(out.result, TR_TEMPORARY);
	assert_int_equal(out.code, 0);
	assert_true(out.reply[0] != '\0');
	tr_free(t);
	free(cfg.delivery.smtp_url);
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

static void *stuck_server_run(void *arg)
{
	struct stuck_server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	char buf[65536], line[1024];
	size_t ll = 0;
	ssize_t n;
	bool data = false;

	if (fd < 0)
		return NULL;
	(void)!write(fd, "220 stuck ESMTP\r\n", 17);
	/* the dialogue up to DATA, one command a line */
	while (!data && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n && !data; i++) {
			const char *reply = NULL;

			if (ll + 1 < sizeof(line))
				line[ll++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[ll] = '\0';
			ll = 0;
			if (strncasecmp(line, "EHLO", 4) == 0)
				reply = "250 stuck\r\n";
			else if (strncasecmp(line, "DATA", 4) == 0) {
				reply = "354 go ahead\r\n";
				data = true;
			} else
				reply = "250 ok\r\n";
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

static void stuck_server_start(struct stuck_server *s, struct gr_config *cfg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, stuck_server_run, s), 0);
	cfg->delivery.transport = GR_TRANSPORT_SMTP;
	cfg->delivery.starttls_required = false;
	cfg->delivery.timeout = 60;
	cfg->delivery.connections = 1;
	cfg->delivery.smtp_url = util_asprintf("smtp://127.0.0.1:%u", ntohs(a.sin_port));
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
	struct gr_config cfg = { 0 };
	struct stuck_server srv = { .read_body = true };
	struct transport *t = NULL;
	struct async_log log = { 0 };
	struct tr_hooks hooks = { ignore_watch, async_done, &log };
	const char msg[] = "Subject: x\r\n\r\nbody\r\n";
	char err[256];
	double t0;
	int job;
	(void)state;

	stuck_server_start(&srv, &cfg);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(tr_async(t, &hooks), 0);
	assert_int_equal(tr_start(t, &job, "a@b.example", "c@d.example", msg, strlen(msg)), 0);
	assert_true(wait_flag(&srv.got_dot));
	t0 = now_sec();
	tr_async_end(t);
	/* a correctness bound, far from the timeout: not a speed test */
	assert_true(now_sec() - t0 < 30);
	assert_int_equal(log.done, 0);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	tr_free(t);
	close(srv.lfd);
	free(srv.data);
	free(cfg.delivery.smtp_url);
}

/*
 * Leaving asynchronous mode in the middle of a mail's data (16 MiB that the
 * server does not read): the server never gets the final ".", so it cannot
 * take a truncated mail as complete (RFC 5321 4.1.1.4).
 */
static void test_smtp_abandon_mid_data(void **state)
{
	struct gr_config cfg = { 0 };
	struct stuck_server srv = { .read_body = false };
	struct transport *t = NULL;
	struct async_log log = { 0 };
	struct tr_hooks hooks = { ignore_watch, async_done, &log };
	size_t len = 16u << 20;
	char *msg = malloc(len), err[256];
	int job;
	(void)state;

	assert_non_null(msg);
	for (size_t i = 0; i < len; i++)
		msg[i] = i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'a';
	msg[len - 2] = '\r';
	msg[len - 1] = '\n';
	stuck_server_start(&srv, &cfg);
	assert_int_equal(tr_new(&cfg, &t, err, sizeof(err), NULL), 0);
	assert_int_equal(tr_async(t, &hooks), 0);
	assert_int_equal(tr_start(t, &job, "a@b.example", "c@d.example", msg, len), 0);
	assert_true(wait_flag(&srv.in_data));
	usleep(200000);         /* let libcurl fill the socket buffers */
	tr_async_end(t);
	atomic_store(&srv.release, true);
	assert_int_equal(pthread_join(srv.thread, NULL), 0);
	assert_int_equal(log.done, 0);
	assert_true(srv.len < len);
	assert_int_equal(find_dot(srv.data, srv.len), 0);
	tr_free(t);
	close(srv.lfd);
	free(srv.data);
	free(msg);
	free(cfg.delivery.smtp_url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_maildir, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_failure, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_envelope_injection, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_maildir_async, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_smtp_config, setup_dir, teardown_dir),
		cmocka_unit_test(test_smtp_refused),
		cmocka_unit_test(test_smtp_abandon_waiting),
		cmocka_unit_test(test_smtp_abandon_mid_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
