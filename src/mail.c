/* SPDX-License-Identifier: MIT */
/*
 * mail - rendering of messages with GMime.  See mail.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mail.h"
#include "util.h"

static bool mail_initialized;

void mail_init(void)
{
	if (mail_initialized)
		return;
	g_mime_init();
	mail_initialized = true;
}

void mail_shutdown(void)
{
	if (!mail_initialized)
		return;
	g_mime_shutdown();
	mail_initialized = false;
}

int mail_address_check(const char *addr, char *err, size_t errlen)
{
	InternetAddressList *list;
	InternetAddress *ia;
	const char *a, *at, *dot;
	int r = 0;

	if (!addr || !*addr) {
		snprintf(err, errlen, "empty address");
		return -EINVAL;
	}
	if (util_has_control(addr, false) || strpbrk(addr, " <>,;\"()[]\\")) {
		snprintf(err, errlen, "\"%s\" is not a plain address (no spaces, brackets, quotes or commas)", addr);
		return -EINVAL;
	}
	mail_init();
	list = internet_address_list_parse(NULL, addr);
	if (!list || internet_address_list_length(list) != 1) {
		snprintf(err, errlen, "\"%s\" is not a valid email address", addr);
		r = -EINVAL;
		goto out;
	}
	ia = internet_address_list_get_address(list, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) {
		snprintf(err, errlen, "\"%s\" is a group, not an address", addr);
		r = -EINVAL;
		goto out;
	}
	a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	at = a ? strrchr(a, '@') : NULL;
	if (!at || at == a) {
		snprintf(err, errlen, "\"%s\" has no local part before '@'", addr);
		r = -EINVAL;
	} else if (at[1] == '\0') {
		snprintf(err, errlen, "\"%s\" has no domain after '@'", addr);
		r = -EINVAL;
	} else if (!(dot = strchr(at + 1, '.')) || dot == at + 1 || dot[1] == '\0' ||
	           at[strlen(at) - 1] == '.' || strstr(at, "..")) {
		snprintf(err, errlen, "\"%s\" has no valid domain (expected e.g. name@example.org)", addr);
		r = -EINVAL;
	} else if (strcmp(a, addr) != 0) {
		snprintf(err, errlen, "\"%s\" is not a plain address", addr);
		r = -EINVAL;
	}
out:
	if (list)
		g_object_unref(list);
	return r;
}

/* ---- rendering: below this line (mail_render, ...) ---- */
