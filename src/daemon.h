/* SPDX-License-Identifier: MIT */
/*
 * daemon - gremiumd's sd-event loop: signals (SIGHUP reload, SIGTERM/SIGINT
 * stop), sd_notify (READY, RELOADING, STOPPING, STATUS), the watchdog, the
 * timer to the next due time, and rewriting the feed when the calendar
 * changes.  Logs to stderr with sd-daemon "<N>" priority prefixes, times as
 * ISO 8601 with their offset.  STATUS= shows the outbox counts and the next
 * action, then every problem in force (a rejected reload, a feed address
 * that cannot be bound) until it is solved.  A socket passed by systemd
 * serves the feed and is kept across reloads, and at exit handed back
 * without a shutdown(2) (feed_free()), so gremiumd.socket stays listening.
 */
#ifndef GREMIUM_DAEMON_H
#define GREMIUM_DAEMON_H

struct daemon;

/*
 * Load config_path and set up the loop.  Returns 0 and *ret, or a sysexits
 * code (> 0): EX_CONFIG when the config is bad (every problem logged),
 * EX_NOINPUT when it is missing, EX_CANTCREAT when the state database
 * cannot be opened, EX_TEMPFAIL when another process sends from it,
 * EX_OSERR when the loop cannot be set up.
 */
int daemon_new(const char *config_path, struct daemon **ret);

/* Run until SIGTERM/SIGINT.  Returns the process exit code: 0, or
 * EX_UNAVAILABLE when the feed's HTTP address cannot be bound at start. */
int daemon_run(struct daemon *d);

void daemon_free(struct daemon *d);

#endif
