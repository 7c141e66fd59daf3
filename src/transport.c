/* SPDX-License-Identifier: MIT */
/*
 * transport - deliver one rendered message.  See transport.h.
 *
 * The front of both backends: it checks the envelope, then hands the
 * delivery to the smtp backend (smtp.[ch]) or writes it to the maildir
 * itself.  maildir is synchronous even through the asynchronous interface:
 * done() is called before tr_start() returns, so its slots are always
 * free.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "smtp.h"
#include "transport.h"
#include "util.h"

struct transport {
	const struct gr_delivery *d;    /* borrowed from the config */
	struct smtp *smtp;              /* transport = "smtp"; else maildir */
	/* maildir */
	char host[256];                 /* hostname, '/' and ':' escaped */
	unsigned long deliveries;
	struct tr_hooks hooks;          /* tr_async()'s */
	size_t n_slots;                 /* delivery.connections once asynchronous */
};

/* ---- maildir ---- */

/*
 * The maildir format (cr.yp.to/proto/maildir.html): deliver to tmp/ under a
 * name unique across time, processes and hosts, fsync, then rename into
 * new/, where readers only ever see complete files.
 */
/* The hostname for file names; the spec: '/' and ':' become "\\057" and
 * "\\072" (':' separates the flags of a message in cur/). */
static void maildir_host(char *out, size_t len)
{
	char host[200];
	size_t n = 0;

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (const char *p = host; *p && n + 5 < len; p++) {
		if (*p == '/' || *p == ':') {
			memcpy(out + n, *p == '/' ? "\\057" : "\\072", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static int maildir_open(struct transport *t, char *err, size_t errlen, FILE *warn)
{
	static const char *const subdirs[] = { "tmp", "new", "cur" };

	(void)warn;
	if (!t->d->maildir || t->d->maildir[0] != '/') {
		snprintf(err, errlen, "maildir: no absolute folder configured");
		return -EINVAL;
	}
	for (size_t i = 0; i < 3; i++) {
		char *p = util_asprintf("%s/%s", t->d->maildir, subdirs[i]);
		int r = p ? util_mkdir_p(p, 0700) : -ENOMEM;

		if (r < 0) {
			snprintf(err, errlen, "maildir: cannot create %s: %s", p ? p : t->d->maildir, strerror(-r));
			free(p);
			return r;
		}
		free(p);
	}
	maildir_host(t->host, sizeof(t->host));
	return 0;
}

/* "<sec>.M<usec>P<pid>Q<count>R<random>.<host>" */
static char *maildir_name(struct transport *t)
{
	struct timeval tv;
	unsigned long long rnd = 0;

	gettimeofday(&tv, NULL);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd ^= (unsigned long long)tv.tv_usec << 20 ^ (unsigned long long)t->deliveries;
	return util_asprintf("%lld.M%06ldP%ldQ%luR%016llx.%s", (long long)tv.tv_sec,
	                     (long)tv.tv_usec, (long)getpid(), ++t->deliveries, rnd, t->host);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

/* Write head and msg to tmp/name, fsync, rename to new/name, fsync new/. */
static int maildir_deliver(struct transport *t, const char *name, const char *head,
                           const char *msg, size_t len)
{
	char *tmp = util_asprintf("%s/tmp/%s", t->d->maildir, name);
	char *new = util_asprintf("%s/new/%s", t->d->maildir, name);
	char *newdir = util_asprintf("%s/new", t->d->maildir);
	int fd = -1, r = 0;

	if (!tmp || !new || !newdir) {
		r = -ENOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, head, strlen(head));
	if (r == 0)
		r = write_all(fd, msg, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, new) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	else
		r = fsync_dir(newdir);
out:
	free(tmp);
	free(new);
	free(newdir);
	return r;
}

/*
 * Every maildir failure is temporary: a full disk or a wrong permission is
 * fixed by the admin, and the message must wait in the outbox until then
 * rather than be dropped.  The envelope sender goes into a Return-Path:
 * line on top, as an MTA's final delivery adds it (RFC 5321 §4.4); the
 * recipient is the maildir's owner.
 */
static int maildir_send(struct transport *t, const char *from, const char *rcpt,
                        const char *msg, size_t len, struct tr_outcome *ret)
{
	char *name = maildir_name(t);
	char *head = util_asprintf("Return-Path: <%s>\r\n", from);
	int r;

	(void)rcpt;
	if (!name || !head) {
		free(name);
		free(head);
		tr_outcome_set(ret, TR_TEMPORARY, 0, "maildir: out of memory");
		return -EAGAIN;
	}
	r = maildir_deliver(t, name, head, msg, len);
	free(head);
	if (r < 0)
		tr_outcome_set(ret, TR_TEMPORARY, 0, "maildir: cannot deliver to %s: %s", t->d->maildir, strerror(-r));
	else
		tr_outcome_set(ret, TR_SENT, 0, "delivered to %s/new/%s", t->d->maildir, name);
	free(name);
	return tr_outcome_errno(ret);
}

/* ---- the interface ---- */

int tr_new(const struct gr_config *cfg, struct transport **ret,
           char *err, size_t errlen, FILE *warn)
{
	struct transport *t;
	int r;

	if (cfg->delivery.transport != GR_TRANSPORT_MAILDIR &&
	    cfg->delivery.transport != GR_TRANSPORT_SMTP) {
		snprintf(err, errlen, "unknown transport");
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->d = &cfg->delivery;
	if (cfg->delivery.transport == GR_TRANSPORT_SMTP)
		r = smtp_new(t->d, &t->smtp, err, errlen, warn);
	else
		r = maildir_open(t, err, errlen, warn);
	if (r < 0) {
		tr_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

/* The envelope goes to the server as it is: refuse line breaks, spaces
 * and brackets (false with *ret filled). */
static bool envelope_ok(const char *from, const char *rcpt, struct tr_outcome *ret)
{
	if (!from || !rcpt || util_has_control(from, false) || util_has_control(rcpt, false) ||
	    strpbrk(from, "<> ") || strpbrk(rcpt, "<> ")) {
		tr_outcome_set(ret, TR_PERMANENT, 0, "invalid envelope address");
		return false;
	}
	return true;
}

int tr_send(struct transport *t, const char *from, const char *rcpt,
            const char *msg, size_t len, struct tr_outcome *ret)
{
	if (!envelope_ok(from, rcpt, ret))
		return -EIO;
	if (t->smtp)
		return smtp_send(t->smtp, from, rcpt, msg, len, ret);
	return maildir_send(t, from, rcpt, msg, len, ret);
}

int tr_async(struct transport *t, const struct tr_hooks *hooks)
{
	if (t->n_slots)
		return -EALREADY;
	t->n_slots = t->d->connections > 0 ? (size_t)t->d->connections : 1;
	t->hooks = *hooks;
	return t->smtp ? smtp_async(t->smtp, hooks) : 0;
}

void tr_async_end(struct transport *t)
{
	if (t->smtp)
		smtp_async_end(t->smtp);
	t->n_slots = 0;
}

size_t tr_slots_free(const struct transport *t)
{
	if (!t->n_slots)
		return 0;
	return t->smtp ? smtp_slots_free(t->smtp) : t->n_slots;
}

int tr_start(struct transport *t, void *job, const char *from, const char *rcpt,
             const char *msg, size_t len)
{
	struct tr_outcome out;

	if (tr_slots_free(t) == 0)
		return -EBUSY;
	if (!envelope_ok(from, rcpt, &out)) {
		t->hooks.done(t->hooks.data, job, &out);
		return 0;
	}
	if (t->smtp)
		return smtp_start(t->smtp, job, from, rcpt, msg, len);
	(void)maildir_send(t, from, rcpt, msg, len, &out);
	t->hooks.done(t->hooks.data, job, &out);
	return 0;
}

/* maildir: nothing ever waits */

void tr_unqueue(struct transport *t)
{
	if (t->smtp)
		smtp_unqueue(t->smtp);
}

void tr_recorded(struct transport *t)
{
	if (t->smtp)
		smtp_recorded(t->smtp);
}

int tr_run(struct transport *t)
{
	if (t->smtp)
		smtp_run(t->smtp);
	return 0;
}

const char *tr_name(const struct transport *t)
{
	return t->smtp ? "smtp" : "maildir";
}

void tr_free(struct transport *t)
{
	if (!t)
		return;
	tr_async_end(t);
	smtp_free(t->smtp);
	free(t);
}
