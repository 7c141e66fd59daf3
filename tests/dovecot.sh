# A private Dovecot IMAP server for the end-to-end tests (sourced after
# lib.sh, POSIX sh).  dovecot_start runs Debian's dovecot-imapd on
# 127.0.0.1 with its own config in $WORK/dovecot: one passwd-file user,
# Maildir, a self-signed certificate (for STARTTLS on imap and for imaps),
# stopped at exit.  As root the mail files belong to nobody (Dovecot
# refuses mail access as UID 0); otherwise everything runs as the caller.
#
# DOVECOT_SSL=no before dovecot_start: a server without TLS (no STARTTLS,
# no imaps listener).  One server at a time: dovecot_stop, then start the
# next one (in a folder of its own, $WORK/dovecot.N).
#
# After dovecot_start:
#   DOVECOT_USER, DOVECOT_PASSWORD_FILE  the account and its password file
#   DOVECOT_CA                           the certificate (our ca_file)
#   DOVECOT_IMAP_PORT, DOVECOT_IMAPS_PORT
#   DOVECOT_CONF, DOVECOT_LOG             its config and log
DOVECOT=/usr/sbin/dovecot
DOVEADM=/usr/bin/doveadm

dovecot_stop() {
	[ -n "${DOVECOT_PID:-}" ] || return 0
	kill "$DOVECOT_PID" 2>/dev/null || true
	i=0
	while kill -0 "$DOVECOT_PID" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	kill -9 "$DOVECOT_PID" 2>/dev/null || true
	DOVECOT_PID=
}
dovecot_n=0

# dovecot_start [CONFIG-LINE...]: extra lines end the config (say
# "ssl = no" for a server without STARTTLS, or an imap_capability).
dovecot_start() {
	[ -x "$DOVECOT" ] && [ -x "$DOVEADM" ] || fail "dovecot-imapd is not installed (scripts/install-deps)"
	dovecot_n=$((dovecot_n + 1))
	D=$WORK/dovecot.$dovecot_n
	DOVECOT_CONF=$D/dovecot.conf
	DOVECOT_LOG=$D/dovecot.log
	mkdir -p "$D/run" "$D/state" "$D/home"
	chmod 0755 "$WORK" "$D" "$D/home"
	if [ "$(id -u)" -eq 0 ]; then
		mail_user=nobody
		mail_group=$(id -gn nobody)
		internal=dovecot
		internal_group=dovecot
		login=dovenull
	else
		mail_user=$(id -un)
		mail_group=$(id -gn)
		internal=$mail_user
		internal_group=$mail_group
		login=$mail_user
	fi
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/key.pem" -out "$D/cert.pem" \
		-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
		-days 2 2>"$D/openssl.log" || fail "openssl: $(cat "$D/openssl.log")"
	chmod 0644 "$D/key.pem"
	DOVECOT_CA=$D/cert.pem
	DOVECOT_USER=committee
	DOVECOT_PASSWORD_FILE=$D/password
	printf 'imap-secret-1\n' > "$DOVECOT_PASSWORD_FILE"
	chmod 0600 "$DOVECOT_PASSWORD_FILE"
	echo "$DOVECOT_USER:{PLAIN}imap-secret-1:::::" > "$D/passwd"
	DOVECOT_IMAP_PORT=$(free_port)
	DOVECOT_IMAPS_PORT=$(free_port)
	if [ "${DOVECOT_SSL:-yes}" = no ]; then
		ssl="ssl = no"
		imaps=
	else
		ssl="ssl = required
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem"
		imaps="inet_listener imaps {
    address = 127.0.0.1
    port = $DOVECOT_IMAPS_PORT
    ssl = yes
  }"
	fi
	cat > "$DOVECOT_CONF" <<CONF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
instance_name = gremium-test-$$
protocols = imap
listen = 127.0.0.1
$ssl
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = $internal
default_internal_group = $internal_group
default_login_user = $login
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/passwd
}
userdb {
  driver = static
  args = uid=$mail_user gid=$mail_group home=$D/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_IMAP_PORT
  }
  $imaps
}
service anvil {
  chroot =
}
service stats {
  inet_listener http {
    port = 0
  }
}
CONF
	for line in "$@"; do
		echo "$line" >> "$DOVECOT_CONF"
	done
	mkdir -p "$D/home/$DOVECOT_USER"
	[ "$(id -u)" -ne 0 ] || chown "$mail_user:$mail_group" "$D/home/$DOVECOT_USER"
	"$DOVECOT" -F -c "$DOVECOT_CONF" > "$D/stdout.log" 2>&1 &
	DOVECOT_PID=$!
	[ "$dovecot_n" -gt 1 ] || cleanup_hooks="dovecot_stop $cleanup_hooks"
	# ready when both listeners accept (bounded: 10 s)
	i=0
	while ! $PY -c 'import socket,sys
for p in sys.argv[1:]: socket.create_connection(("127.0.0.1", int(p)), 1).close()' \
		"$DOVECOT_IMAP_PORT" ${imaps:+"$DOVECOT_IMAPS_PORT"} 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] && kill -0 "$DOVECOT_PID" 2>/dev/null ||
			fail "dovecot did not start: $(cat "$D/stdout.log" "$D/dovecot.log" 2>/dev/null)"
		sleep 0.1
	done
}

# dovecot_doveadm ARGS...: doveadm against the test server.
dovecot_doveadm() {
	"$DOVEADM" -c "$DOVECOT_CONF" "$@"
}

# dovecot_save FILE [MAILBOX]: deliver FILE with Dovecot's own doveadm save
# (default INBOX).
dovecot_save() {
	dovecot_doveadm save -u "$DOVECOT_USER" -m "${2:-INBOX}" < "$1" ||
		fail "doveadm save $1 failed"
}

# dovecot_count MAILBOX: how many messages MAILBOX holds (0 if it does not exist).
dovecot_count() {
	dovecot_doveadm search -u "$DOVECOT_USER" mailbox "$1" all 2>/dev/null | wc -l
}
