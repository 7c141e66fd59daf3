/* SPDX-License-Identifier: MIT */
/*
 * gremiumctl check: validate the configuration and its templates.
 *
 * The templates are loaded by tmpl_load() and test-rendered by
 * service_check_templates(), the functions the service uses: what check
 * accepts, the service loads and renders (the unit's ExecStartPre runs
 * check, so a bad template stops the start there, with FILE:LINE, instead
 * of gremiumd exiting 78 later or failing every mail).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "gremiumctl.h"
#include "service.h"
#include "template.h"
#include "util.h"

/* Enough for any SMTP password; the transport has its own, exact cap. */
#define CHECK_SECRET_MAX 4096

/*
 * The secrets the service will need must be readable too: the SMTP
 * password and the inbound mailbox's (password_file, or the credential
 * password_credential names).  Run as root, this reads what the admin's
 * shell sees (/etc/credstore); run as the service's ExecStartPre, what
 * systemd passed ($CREDENTIALS_DIRECTORY).  Reported as FILE:LINE: message
 * like every config problem.
 */
static int check_secret(const struct gr_config *cfg, const char *group, const char *password_file,
                        const char *password_credential, int line)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	if (!password_file) {
		ctl_error("%s:%d: %s.username: set, but neither password_credential nor password_file "
		          "says where the password is", cfg->path, line, group);
		return -1;
	}
	r = util_read_file(password_file, CHECK_SECRET_MAX, &data, &len);
	if (data)
		explicit_bzero(data, len);
	free(data);
	if (r == 0)
		return 0;
	if (password_credential)
		ctl_error("%s:%d: %s.password_credential: cannot read credential \"%s\" at %s: %s",
		          cfg->path, line, group, password_credential, password_file, strerror(-r));
	else
		ctl_error("%s:%d: %s.password_file: cannot read %s: %s", cfg->path, line, group,
		          password_file, strerror(-r));
	return -1;
}

static int check_secrets(const struct gr_config *cfg)
{
	const struct gr_delivery *d = &cfg->delivery;
	const struct gr_inbound *in = &cfg->inbound;
	int r = 0;

	if (d->transport == GR_TRANSPORT_SMTP && d->username &&
	    check_secret(cfg, "delivery", d->password_file, d->password_credential, d->password_line) < 0)
		r = -1;
	if (in->source == GR_INBOUND_IMAP && in->username &&
	    check_secret(cfg, "inbound", in->password_file, in->password_credential, in->password_line) < 0)
		r = -1;
	return r;
}

int cmd_check(struct ctl *ctl, int argc, char **argv)
{
	const struct gr_config *cfg = ctl->cfg;
	struct tmpl_set *tmpl = NULL;
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "gremiumctl: check takes no arguments\n");
		return EX_USAGE;
	}
	/* every problem, not only the first kind: the templates, then the secrets */
	r = tmpl_load(cfg->templates, &tmpl, stderr);
	if (r == 0)
		r = service_check_templates(cfg, tmpl, stderr);
	tmpl_free(tmpl);
	if (r == -ENOMEM) {
		fprintf(stderr, "gremiumctl: check: %s\n", strerror(-r));
		return EX_OSERR;
	}
	if (check_secrets(cfg) < 0 || r < 0)
		return EX_CONFIG;
	printf("configuration OK: %zu members, %zu series\n", cfg->n_members, cfg->n_series);
	return EX_OK;
}
