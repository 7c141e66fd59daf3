#!/bin/sh
# End-to-end: `gremiumctl send-test` through the smtp transport against a
# real SMTP server (aiosmtpd, tests/smtpd.py) on 127.0.0.1 with STARTTLS and
# AUTH.  The received invitation is checked with Python's email package and
# icalendar (tests/check_imip.py).  Then the failures an admin meets: a
# certificate from another CA, a wrong password, a server answering 4xx or
# 5xx.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v openssl >/dev/null || { echo "e2e_smtp: no openssl, skipping"; exit 77; }
$PY -c 'import aiosmtpd, icalendar' 2>/dev/null || { echo "e2e_smtp: no aiosmtpd/icalendar, skipping"; exit 77; }

# ---- certificates: our CA and a server certificate for 127.0.0.1; a
# second ("rogue") CA with a certificate of its own ----
make_ca() { # NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$WORK/$1.key" -out "$WORK/$1.pem" -days 2 -subj "/CN=gremiumd test $1" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
make_server_cert() { # CA NAME
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$WORK/$2.key" -out "$WORK/$2.csr" -subj "/CN=127.0.0.1" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		> "$WORK/$2.ext"
	openssl x509 -req -in "$WORK/$2.csr" -CA "$WORK/$1.pem" -CAkey "$WORK/$1.key" \
		-CAcreateserial -out "$WORK/$2.pem" -days 2 -extfile "$WORK/$2.ext" 2>/dev/null
}
make_ca ca
make_server_cert ca server
make_ca rogue
make_server_cert rogue rogue-server

# ---- servers ----
SMTP_USER=gremiumd
SMTP_PASSWORD='S3cret pass wörd'
server_pids=""
stop_servers() {
	for p in $server_pids; do kill "$p" 2>/dev/null || true; done
	for p in $server_pids; do wait "$p" 2>/dev/null || true; done
}
cleanup_hooks="$cleanup_hooks stop_servers"

# start_server NAME CERT [ARGS...]: sets NAME_port (not in a subshell, so
# that the server's pid reaches stop_servers)
start_server() {
	name=$1 cert=$2
	shift 2
	port=$(free_port)
	$PY "$top_srcdir/tests/smtpd.py" --port "$port" --cert "$WORK/$cert.pem" \
		--key "$WORK/$cert.key" --user "$SMTP_USER" --password "$SMTP_PASSWORD" \
		--outdir "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
	server_pids="$server_pids $!"
	wait_ready "$name"
	eval "${name}_port=\$port"
}
start_server good server
start_server rogue rogue-server
start_server tempfail server --tempfail
start_server smtps server --smtps
start_server reject server --reject

# ---- config: the example, with delivery replaced ----
conf=$(example_config)
printf '%s\n' "$SMTP_PASSWORD" > "$WORK/etc/password"
chmod 600 "$WORK/etc/password"
printf 'wrong\n' > "$WORK/etc/wrong-password"
chmod 600 "$WORK/etc/wrong-password"
# config_for PORT PASSWORD_FILE [SCHEME] > FILE
config_for() {
	sed '/^delivery = {/,/^};/d' "$conf"
	cat <<EOT
delivery = {
  transport = "smtp";
  smtp_url = "${3:-smtp}://127.0.0.1:$1";
  starttls = "required";
  username = "$SMTP_USER";
  password_file = "$2";
  ca_file = "$WORK/ca.pem";
  timeout = 10;
};
EOT
}
config_for "$good_port" "$WORK/etc/password" > "$WORK/etc/good.conf"
config_for "$rogue_port" "$WORK/etc/password" > "$WORK/etc/rogue.conf"
config_for "$good_port" "$WORK/etc/wrong-password" > "$WORK/etc/wrongpw.conf"
config_for "$tempfail_port" "$WORK/etc/password" > "$WORK/etc/tempfail.conf"
config_for "$smtps_port" "$WORK/etc/password" smtps > "$WORK/etc/smtps.conf"
config_for "$reject_port" "$WORK/etc/password" > "$WORK/etc/reject.conf"
"$GREMIUMCTL" -c "$WORK/etc/good.conf" check >/dev/null || fail "the test config does not check"

# A member (name with umlauts) and the organizer, from the config.
member_line=$(grep -m1 '{ name = ".*email = "' "$conf")
member_name=$(echo "$member_line" | sed 's/.*name = "\([^"]*\)".*/\1/')
member_addr=$(echo "$member_line" | sed 's/.*email = "\([^"]*\)".*/\1/')
organizer=$(grep -m1 '^ *email = ' "$conf" | sed 's/.*email = "\([^"]*\)".*/\1/')
[ -n "$member_addr" ] && [ -n "$organizer" ] || fail "no member or organizer in $conf"

# ---- an invitation is delivered and correct ----
# run NAME EXPECTED_EXIT ARGS...: output of gremiumctl in $WORK/NAME.out
run() {
	name=$1 want=$2
	shift 2
	set +e
	"$GREMIUMCTL" "$@" >"$WORK/$name.out" 2>&1
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "$name: exit $got, expected $want: $(cat "$WORK/$name.out")"
}
run invite 0 -c "$WORK/etc/good.conf" send-test --to "$member_addr"
grep -q '^sent: 250 ' "$WORK/invite.out" || fail "invite: $(cat "$WORK/invite.out")"
[ -f "$WORK/good/1.eml" ] || fail "invite: the server received nothing"
[ "$(sed -n 1p "$WORK/good/1.env")" = "$organizer" ] || fail "envelope sender: $(cat "$WORK/good/1.env")"
[ "$(sed -n 2p "$WORK/good/1.env")" = "$member_addr" ] || fail "envelope recipient: $(cat "$WORK/good/1.env")"
[ "$(wc -l < "$WORK/good/1.env")" -eq 2 ] || fail "more than one recipient"
$PY "$top_srcdir/tests/check_imip.py" "$WORK/good/1.eml" "$member_addr" "$member_name" "$organizer" \
	|| fail "the received invitation is not right"

# a reminder and a call for topics: text/plain only, Reply-To for topics
run reminder 0 -c "$WORK/etc/good.conf" send-test --to someone@example.org --kind reminder
run topics 0 -c "$WORK/etc/good.conf" send-test --to someone@example.org --kind topic-call
$PY - "$WORK/good/2.eml" "$WORK/good/3.eml" <<'EOT' || fail "reminder/topic-call mails"
import email, email.policy, sys
for path, kind in zip(sys.argv[1:], ("reminder", "topic-call")):
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    assert not m.defects, m.defects
    assert m.get_content_type() == "text/plain", m.get_content_type()
    assert str(m["X-Gremium-Kind"]) == kind, m["X-Gremium-Kind"]
    assert m["To"].addresses[0].addr_spec == "someone@example.org"
    assert (m["Reply-To"] is not None) == (kind == "topic-call"), m["Reply-To"]
EOT

# smtps:// (TLS from the start) works the same
run smtps 0 -c "$WORK/etc/smtps.conf" send-test --to "$member_addr"
$PY "$top_srcdir/tests/check_imip.py" "$WORK/smtps/1.eml" "$member_addr" "$member_name" "$organizer" \
	|| fail "the invitation received over smtps:// is not right"

# ---- failures ----
run rogue 69 -c "$WORK/etc/rogue.conf" send-test --to "$member_addr"
grep -q '^permanent failure: certificate verification failed' "$WORK/rogue.out" \
	|| fail "rogue: $(cat "$WORK/rogue.out")"
run wrongpw 69 -c "$WORK/etc/wrongpw.conf" send-test --to "$member_addr"
grep -q '^permanent failure: authentication failed: 535' "$WORK/wrongpw.out" \
	|| fail "wrong password: $(cat "$WORK/wrongpw.out")"
run tempfail 75 -c "$WORK/etc/tempfail.conf" send-test --to "$member_addr"
grep -q '^temporary failure: 451 ' "$WORK/tempfail.out" || fail "tempfail: $(cat "$WORK/tempfail.out")"
run reject 69 -c "$WORK/etc/reject.conf" send-test --to "$member_addr"
grep -q '^permanent failure: 550 5.1.1 ' "$WORK/reject.out" || fail "reject: $(cat "$WORK/reject.out")"
for s in rogue tempfail reject; do
	[ ! -e "$WORK/$s/1.eml" ] || fail "the $s server got a message"
done

# ---- usage and config errors ----
run badaddr 64 -c "$WORK/etc/good.conf" send-test --to 'not an address'
grep -q '^gremiumctl: send-test: --to: ' "$WORK/badaddr.out" || fail "bad address: $(cat "$WORK/badaddr.out")"
run badkind 64 -c "$WORK/etc/good.conf" send-test --to a@b.example --kind bogus
mkdir -p "$WORK/etc/templates"
printf 'Erinnerung {nope}\n\nText\n' > "$WORK/etc/templates/reminder.de.txt"
sed 's|^templates = .*||' "$WORK/etc/good.conf" > "$WORK/etc/tmpl.conf"
echo "templates = \"$WORK/etc/templates\";" >> "$WORK/etc/tmpl.conf"
run badtmpl 78 -c "$WORK/etc/tmpl.conf" send-test --to a@b.example --kind reminder
grep -q "reminder.de.txt:1: unknown placeholder {nope}" "$WORK/badtmpl.out" || fail "template: $(cat "$WORK/badtmpl.out")"
# ---- run-once through SMTP: what the planner sends over a few days ----
# each in a folder of its own, so each has its own state database
for s in good tempfail reject; do
	mkdir -p "$WORK/run-$s"
	cp "$WORK/etc/$s.conf" "$WORK/run-$s/gremiumd.conf"
done
ls "$WORK/good"/*.eml > "$WORK/before"
run once1 0 -c "$WORK/run-good/gremiumd.conf" run-once --now 2026-11-28T09:00
grep -q '^sent 56, to retry 0, failed 0 (smtp)$' "$WORK/once1.out" || fail "run-once: $(cat "$WORK/once1.out")"
run once2 0 -c "$WORK/run-good/gremiumd.conf" run-once --now 2026-12-30T09:00
grep -q '^sent 14, ' "$WORK/once2.out" || fail "run-once on 2026-12-30: $(cat "$WORK/once2.out")"
run once3 0 -c "$WORK/run-good/gremiumd.conf" run-once --now 2027-01-13T09:00
grep -q '^sent 14, ' "$WORK/once3.out" || fail "run-once on 2027-01-13: $(cat "$WORK/once3.out")"
ls "$WORK/good"/*.eml | grep -v -F -x -f "$WORK/before" > "$WORK/new-mail"
$PY - $(cat "$WORK/new-mail") <<'EOT' || fail "the mails run-once sent over SMTP"
import collections, email, email.policy, sys
kinds = collections.Counter()
for path in sys.argv[1:]:
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    for part in m.walk():
        assert not part.defects, (path, part.defects)
    env = open(path[:-4] + ".env").read().split()
    assert env[1:] == [m["To"].addresses[0].addr_spec], (path, env, m["To"])
    kinds[(str(m["X-Gremium-Kind"]), str(m["X-Gremium-Occurrence"]))] += 1
# the moved meeting: an object of its own, invited to each member (issue 12)
want = {("topic-call", "2027-01-20T14:00"): 14, ("reminder", "2027-01-20T14:00"): 14}
inv = sum(n for (k, _), n in kinds.items() if k == "invitation")
assert inv == 56, kinds
assert kinds[("invitation", "2027-01-20T14:00")] == 14, kinds
assert {k: n for k, n in kinds.items() if k[0] != "invitation"} == want, kinds
EOT
[ "$("$GREMIUMCTL" -c "$WORK/run-good/gremiumd.conf" status)" = "84 sent, 0 queued, 0 failed" ] ||
	fail "status after run-once: $("$GREMIUMCTL" -c "$WORK/run-good/gremiumd.conf" status)"

# 451 for every recipient: everything stays queued, exit 75
run once-temp 75 -c "$WORK/run-tempfail/gremiumd.conf" run-once --now 2026-11-28T09:00
grep -q 'temporary failure, retrying later: 451 ' "$WORK/once-temp.out" || fail "tempfail: $(cat "$WORK/once-temp.out")"
[ "$("$GREMIUMCTL" -c "$WORK/run-tempfail/gremiumd.conf" status)" = "0 sent, 56 queued, 0 failed" ] ||
	fail "status after 451: $("$GREMIUMCTL" -c "$WORK/run-tempfail/gremiumd.conf" status)"

# 550: failed for good, named by status with the server's answer
run once-reject 0 -c "$WORK/run-reject/gremiumd.conf" run-once --now 2026-11-28T09:00
"$GREMIUMCTL" -c "$WORK/run-reject/gremiumd.conf" status > "$WORK/reject-status"
[ "$(head -n 1 "$WORK/reject-status")" = "0 sent, 0 queued, 56 failed" ] || fail "status after 550: $(cat "$WORK/reject-status")"
grep -q "^failed: $member_addr (invitation.*): 550 5.1.1 No such user (test)$" "$WORK/reject-status" ||
	fail "status does not name the refused address: $(cat "$WORK/reject-status")"
# The password as a systemd credential (delivery.password_credential): the
# service finds it in $CREDENTIALS_DIRECTORY; AUTH succeeds with it.
mkdir -p "$WORK/creds"
cp "$WORK/etc/password" "$WORK/creds/gremiumd.smtp-password"
sed 's|^  password_file = .*|  password_credential = "gremiumd.smtp-password";|' "$WORK/etc/good.conf" > "$WORK/etc/cred.conf"
grep -q 'password_credential' "$WORK/etc/cred.conf" || fail "test setup: no password_file line"
CREDENTIALS_DIRECTORY=$WORK/creds run cred 0 -c "$WORK/etc/cred.conf" send-test --to "$member_addr"
grep -q '^sent: 250 ' "$WORK/cred.out" || fail "send-test with a credential: $(cat "$WORK/cred.out")"
echo "e2e_smtp: ok"
