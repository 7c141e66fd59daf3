/* SPDX-License-Identifier: MIT */
/*
 * daemon - gremiumd's sd-event loop: signals (SIGHUP reload, SIGTERM/SIGINT
 * stop), sd_notify (READY, RELOADING, STOPPING, STATUS), the watchdog, the
 * timer to the next due time, and rewriting the feed when the calendar
 * changes.  Logs to stderr with sd-daemon "<N>" priority prefixes.
 */
#ifndef GREMIUM_DAEMON_H
#define GREMIUM_DAEMON_H

struct daemon;

/*
 * Load config_path and set up the loop.  Returns 0 and *ret, or a sysexits
 * code (> 0): EX_CONFIG when the config is bad (every problem logged),
 * EX_NOINPUT when it is missing, EX_OSERR when the loop cannot be set up.
 */
int daemon_new(const char *config_path, struct daemon **ret);

/* Run until SIGTERM/SIGINT.  Returns the process exit code. */
int daemon_run(struct daemon *d);

void daemon_free(struct daemon *d);

#endif
