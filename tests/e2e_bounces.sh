#!/bin/sh
# End-to-end: bounces through a real Postfix relay (issue 16).  A private
# Postfix instance on 127.0.0.1 (its own config_directory, queue_directory
# and ports under $WORK): the port gremiumd sends to accepts everything;
# mail for the "remote" domain partner.test is relayed to a second smtpd of
# the same instance, which refuses unknown recipients as any server does
# ("550 5.1.1 ... User unknown in relay recipient table"); Postfix itself
# then writes the delivery status notification to the envelope sender, the
# mail's VERP address bounces+ID-CHECK@gremium.test, which (with
# recipient_delimiter = +) lands in the virtual mailbox of
# bounces@gremium.test: the committee's inbound maildir.
# `gremiumctl run-once` sends the invitations to three members, one of
# them unknown there; `gremiumctl fetch` reads the DSNs; `gremiumctl
# status` then shows that recipient failed with Postfix's answer and the
# others sent; the DSNs are class dsn in the inbox and nothing answers
# them.  Postfix needs root to start: as another user the test is skipped
# (exit 77) with the reason; CI runs as root.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: e2e_bounces needs root to start a private Postfix (running as $(id -un))"
	exit 77
fi
POSTFIX=/usr/sbin/postfix
[ -x "$POSTFIX" ] || fail "Postfix is not installed (scripts/install-deps installs it)"
id postfix >/dev/null 2>&1 || fail "no user postfix (Debian's postfix package makes it)"

PF=$WORK/postfix
CONF=$PF/etc
MAIL=$PF/mail            # virtual mailboxes, owned by nobody
mkdir -p "$CONF" "$PF/queue" "$PF/data" "$MAIL"
chown postfix "$PF/data"
chown nobody:nogroup "$MAIL"
# the path to the mailboxes must be searchable by nobody
chmod 0755 "$WORK" "$PF"
P1=$(free_port)
P2=$(free_port)
[ "$P1" != "$P2" ] || P2=$(free_port)

cat > "$CONF/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.gremium.test
mydomain = gremium.test
myorigin = gremium.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_host_lookup = native
smtp_dns_support_level = disabled
smtpd_tls_security_level = none
smtp_tls_security_level = none
smtputf8_enable = no
alias_maps =
alias_database =
biff = no
delay_warning_time = 0
maillog_file = $PF/postfix.log
maillog_file_prefixes = $PF
relay_domains = partner.test
relay_recipient_maps = texthash:$CONF/relay_recipients
transport_maps = texthash:$CONF/transport
virtual_mailbox_domains = gremium.test
virtual_mailbox_maps = texthash:$CONF/vmailbox
virtual_mailbox_base = $MAIL
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
virtual_minimum_uid = 1
recipient_delimiter = +
CF
# partner.test knows nobody: every recipient there is refused
: > "$CONF/relay_recipients"
printf 'partner.test smtp:[127.0.0.1]:%s\n' "$P2" > "$CONF/transport"
cat > "$CONF/vmailbox" <<'MB'
bounces@gremium.test gremium.test/bounces/
anna@gremium.test gremium.test/anna/
karl@gremium.test gremium.test/karl/
MB
# master.cf: the services this test needs, without chroot (no chroot
# files are set up in $WORK); our two smtpd ports instead of port 25
cat > "$CONF/master.cf" <<MC
127.0.0.1:$P1 inet n - n - - smtpd -o smtpd_reject_unlisted_recipient=no -o syslog_name=postfix-gremium
127.0.0.1:$P2 inet n - n - - smtpd -o syslog_name=postfix-partner
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
MC

pf_stop() { "$POSTFIX" -c "$CONF" stop >/dev/null 2>&1 || true; }
"$POSTFIX" -c "$CONF" check > "$PF/check.out" 2>&1 || fail "postfix check: $(cat "$PF/check.out")"
"$POSTFIX" -c "$CONF" start > "$PF/start.out" 2>&1 || fail "postfix start: $(cat "$PF/start.out") $(cat "$PF/postfix.log" 2>/dev/null)"
cleanup_hooks="pf_stop $cleanup_hooks"
# bounded: the smtpd port answers
i=0
until $PY -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$P1),1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "Postfix does not answer on $P1: $(cat "$PF/postfix.log" 2>/dev/null)"
	sleep 0.1
done

# ---- gremiumd: the example config with three members, smtp to Postfix,
# the inbound maildir the bounces' mailbox ----
conf=$(example_config)
INBOX=$MAIL/gremium.test/bounces
{
	sed -e '/^members = (/,/^);/d' -e '/^delivery = {/,/^};/d' -e 's/min_present = [0-9]*;/min_present = 2;/' "$conf"
	cat <<CONFEOF
members = (
  { name = "Anna Arndt"; email = "anna@gremium.test"; group = "landkreise"; organisation = "A"; },
  { name = "Jürgen Unbekannt"; email = "juergen@partner.test"; group = "landkreise"; organisation = "J"; },
  { name = "Karl Kurz"; email = "karl@gremium.test"; group = "landkreise"; organisation = "K"; }
);
delivery = {
  transport = "smtp";
  smtp_url = "smtp://127.0.0.1:$P1";
  starttls = "off";
  timeout = 20;
  bounce_address = "bounces@gremium.test";
};
inbound = { source = "maildir"; maildir = "$INBOX"; };
CONFEOF
} > "$WORK/etc/bounces.conf"
conf=$WORK/etc/bounces.conf
ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
ctl check > "$WORK/check.out" 2>&1 || fail "check: $(cat "$WORK/check.out")"

# Postfix makes the mailbox on first delivery; fetch needs it before
mkdir -p "$INBOX/new" "$INBOX/cur" "$INBOX/tmp"
chown -R nobody:nogroup "$MAIL/gremium.test"

ctl run-once --now 2026-11-28T09:00 > "$WORK/run.out" 2>&1 || fail "run-once: $(cat "$WORK/run.out")"
ctl status > "$WORK/status0.out" 2>&1 || true
sent=$(sed -n 's/^\([0-9]*\) sent, 0 queued, 0 failed$/\1/p' "$WORK/status0.out")
[ -n "$sent" ] && [ "$sent" -ge 3 ] || fail "run-once did not send all: $(cat "$WORK/status0.out")"
# the unknown member's mails: as many DSNs (bounded wait for Postfix)
n_unknown=$((sent / 3))   # each member got as many mails
i=0
while [ "$(ls "$INBOX/new" | wc -l)" -lt "$n_unknown" ]; do
	i=$((i + 1))
	[ $i -le 300 ] || fail "no DSN from Postfix in $INBOX/new after 30 s: $(tail -n 20 "$PF/postfix.log")"
	sleep 0.1
done
# the DSN went to a VERP address and is Postfix's own
f=$(ls "$INBOX/new" | head -n 1)
grep -q '^X-Original-To: bounces+[0-9]*-[0-9a-f]\{8\}@gremium.test' "$INBOX/new/$f" ||
	fail "DSN not to a VERP address: $(head -n 20 "$INBOX/new/$f")"
grep -qi '^Content-Type: multipart/report; report-type=delivery-status' "$INBOX/new/$f" ||
	fail "not an RFC 3464 report: $(head -n 30 "$INBOX/new/$f")"

ctl fetch --now 2026-11-28T09:05 > "$WORK/fetch.out" 2>&1 || fail "fetch: $(cat "$WORK/fetch.out")"
ctl status > "$WORK/status.out" 2>&1 || true
cat "$WORK/status.out"
# every mail to juergen failed with Postfix's answer; the others sent
failed=$(grep -c '^failed: juergen@partner.test (.*): bounced: 5\.1\.1 550 5\.1\.1 <juergen@partner.test>: Recipient address rejected: User unknown in relay recipient table' "$WORK/status.out" || true)
[ "$failed" -eq "$n_unknown" ] || fail "status: $failed of $n_unknown failed as bounced: $(cat "$WORK/status.out")"
grep -q "^$((sent - n_unknown)) sent, 0 queued, $n_unknown failed\$" "$WORK/status.out" ||
	fail "status counts: $(cat "$WORK/status.out")"
grep -q '^failed: \(anna\|karl\)@' "$WORK/status.out" && fail "a known member failed"
# the DSNs: class dsn, each naming its outbox row; nothing answered them
ctl inbox --json > "$WORK/inbox.json" || fail "inbox --json"
$PY - "$WORK/inbox.json" "$n_unknown" <<'PYEOF' || fail "inbox: $(cat "$WORK/inbox.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == int(sys.argv[2]), rows
for r in rows:
    assert r["class"] == "dsn", r
    assert r["outcome"].startswith("bounce: juergen@partner.test 5.1.1 "), r
    assert r["outcome"].endswith(" failed") and "(permanent): outbox " in r["outcome"], r
PYEOF
ctl run-once --now 2026-11-28T09:10 > "$WORK/run2.out" 2>&1 || fail "run-once 2: $(cat "$WORK/run2.out")"
ctl status > "$WORK/status2.out" 2>&1 || true
grep -q "^$((sent - n_unknown)) sent, 0 queued, $n_unknown failed\$" "$WORK/status2.out" ||
	fail "something was sent after the DSNs: $(cat "$WORK/status2.out")"
# Postfix delivered the known members' mails, and nothing to MAILER-DAEMON
[ "$(ls "$MAIL/gremium.test/anna/new" | wc -l)" -eq $((sent / 3)) ] || fail "anna's mails"
grep -q 'to=<MAILER-DAEMON' "$PF/postfix.log" && fail "a mail to MAILER-DAEMON: $(grep MAILER-DAEMON "$PF/postfix.log")"
echo "e2e_bounces: ok"
