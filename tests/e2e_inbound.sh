#!/bin/sh
# inbound against a real IMAP server (Debian's Dovecot, tests/dovecot.sh):
# imaps and imap with STARTTLS against a self-signed CA; messages moved to
# the done folder; a message over max_message_kb handed over as too
# large, also when a server sends more than it announced (a fake server);
# a pass stopped by its caller resumes without repeats; a message
# recorded before a crash is only moved; a changed UIDVALIDITY; the
# fallback without MOVE (and without UIDPLUS); clear
# errors for a wrong password, a CA that does not verify, a server without
# STARTTLS, and a connection dropped mid-fetch.  Driven by
# tests/inbound_probe (inbound_pass() with a file as the record) until
# `gremiumctl fetch` exists.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dovecot.sh"

PROBE=$top_builddir/tests/inbound_probe
[ -x "$PROBE" ] || fail "$PROBE not built (make check builds it)"

dovecot_start

# mail N [BYTES]: a message with subject "topic N", BYTES of body lines
mail() {
	f=$WORK/mail$1
	printf 'From: Member %s <m%s@example.org>\r\nTo: topics@example.org\r\nSubject: topic %s\r\nMessage-ID: <%s@example.org>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\n\r\n' \
		"$1" "$1" "$1" "$1" > "$f"
	$PY -c 'import sys; sys.stdout.write(("x" * 70 + "\r\n") * (int(sys.argv[1]) // 72))' "${2:-100}" >> "$f"
	echo "$f"
}

IMAPS=imaps://127.0.0.1:$DOVECOT_IMAPS_PORT/INBOX
IMAP=imap://127.0.0.1:$DOVECOT_IMAP_PORT/INBOX
REC=$WORK/record
AUTH="--user $DOVECOT_USER --password-file $DOVECOT_PASSWORD_FILE --ca $DOVECOT_CA --timeout 10"

# probe NAME ARGS...: run the probe, its output in $WORK/NAME.out; the exit
# code in $rc
probe() {
	name=$1; shift
	set +e
	"$PROBE" "$@" > "$WORK/$name.out" 2>&1
	rc=$?
	set -e
}

# ---- imaps: five messages, one too large, the caller fails on the 3rd ----
for i in 1 2 3 4 5; do
	size=100
	[ "$i" -ne 2 ] || size=5000
	dovecot_save "$(mail $i $size)"
done
probe pass1 --imap "$IMAPS" $AUTH --record "$REC" --max-kb 2 --fail-at 3
[ "$rc" -eq 1 ] || fail "pass 1 should stop at the 3rd message: $(cat "$WORK/pass1.out")"
grep -q '^error: inbound: imap:[0-9]*:3: not recorded, left in the mailbox' "$WORK/pass1.out" ||
	fail "pass 1: no clear error: $(cat "$WORK/pass1.out")"
grep -q '^stats new=2 seen=0 too_large=1$' "$WORK/pass1.out" || fail "pass 1 stats: $(cat "$WORK/pass1.out")"
grep -q '^take imap:[0-9]*:1 size=[0-9]* len=[0-9]* too_large=0 subject=topic 1$' "$WORK/pass1.out" ||
	fail "message 1 not taken: $(cat "$WORK/pass1.out")"
grep -q '^take imap:[0-9]*:2 size=5[0-9][0-9][0-9] len=0 too_large=1$' "$WORK/pass1.out" ||
	fail "message 2 not handed over as too large: $(cat "$WORK/pass1.out")"
[ "$(dovecot_count INBOX)" -eq 3 ] || fail "INBOX should keep 3 after pass 1, has $(dovecot_count INBOX)"
[ "$(dovecot_count gremiumd-done)" -eq 2 ] || fail "gremiumd-done should hold 2"

# ---- imap with STARTTLS: the next pass resumes with message 3 ----
logins=$(grep -c 'imap-login: Info: Login: ' "$DOVECOT_LOG")
probe pass2 --imap "$IMAP" $AUTH --record "$REC" --max-kb 2
# one connection (and login) for the whole pass: SEARCH, FETCHes, MOVEs
# (Dovecot's log process may write the line a moment later: bounded wait)
i=0
while [ "$(grep -c 'imap-login: Info: Login: ' "$DOVECOT_LOG")" -le "$logins" ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
[ "$(grep -c 'imap-login: Info: Login: ' "$DOVECOT_LOG")" -eq $((logins + 1)) ] ||
	fail "pass 2 did not reuse its connection: $(grep 'Login: ' "$DOVECOT_LOG")"
[ "$rc" -eq 0 ] || fail "pass 2 failed: $(cat "$WORK/pass2.out")"
grep -q '^stats new=3 seen=0 too_large=0$' "$WORK/pass2.out" || fail "pass 2 stats: $(cat "$WORK/pass2.out")"
grep -q 'imap:[0-9]*:3 .*subject=topic 3$' "$WORK/pass2.out" || fail "pass 2 did not resume with 3"
[ "$(wc -l < "$REC")" -eq 5 ] || fail "record should hold 5 ids: $(cat "$REC")"
[ "$(sort -u "$REC" | wc -l)" -eq 5 ] || fail "a message was taken twice: $(cat "$REC")"
[ "$(dovecot_count INBOX)" -eq 0 ] || fail "INBOX not empty after pass 2"
[ "$(dovecot_count gremiumd-done)" -eq 5 ] || fail "gremiumd-done should hold 5"
probe pass3 --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^stats new=0 seen=0 too_large=0$' "$WORK/pass3.out" || fail "pass 3 saw something: $(cat "$WORK/pass3.out")"

# ---- recorded before a crash, not yet moved: only moved now ----
dovecot_save "$(mail 6)"
uidvalidity=$(dovecot_doveadm -f flow mailbox status -u "$DOVECOT_USER" uidvalidity INBOX | sed 's/.*uidvalidity=//')
uid=$(dovecot_doveadm -f flow fetch -u "$DOVECOT_USER" uid mailbox INBOX all | sed 's/.*uid=//')
echo "imap:$uidvalidity:$uid" >> "$REC"
probe crash --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^stats new=0 seen=1 too_large=0$' "$WORK/crash.out" || fail "recorded message: $(cat "$WORK/crash.out")"
[ "$(dovecot_count INBOX)" -eq 0 ] || fail "the recorded message was not moved"

# ---- a custom done folder, created when missing ----
dovecot_save "$(mail 7)"
probe folder --imap "$IMAPS" $AUTH --record "$REC" --done "Archive.Topics"
[ "$rc" -eq 0 ] || fail "custom folder: $(cat "$WORK/folder.out")"
[ "$(dovecot_count Archive.Topics)" -eq 1 ] || fail "Archive.Topics was not created and used"

# ---- UIDVALIDITY changed: what was recorded is moved out already; the
# new epoch's messages come under their new ids, nothing twice ----
dovecot_doveadm mailbox update -u "$DOVECOT_USER" --uid-validity 4242 INBOX ||
	fail "doveadm mailbox update --uid-validity failed"
dovecot_save "$(mail 12)"
probe validity --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^take imap:4242:[0-9]* .*subject=topic 12$' "$WORK/validity.out" &&
	grep -q '^stats new=1 seen=0 too_large=0$' "$WORK/validity.out" ||
	fail "after a UIDVALIDITY change: $(cat "$WORK/validity.out")"

# ---- errors ----
printf 'wrong\n' > "$WORK/wrong-password"
chmod 600 "$WORK/wrong-password"
probe wrongpw --imap "$IMAPS" --user "$DOVECOT_USER" --password-file "$WORK/wrong-password" \
	--ca "$DOVECOT_CA" --record "$REC"
[ "$rc" -eq 1 ] && grep -q '^error: inbound: .*: login failed (wrong username or password?): ' "$WORK/wrongpw.out" ||
	fail "wrong password: $(cat "$WORK/wrongpw.out")"

probe nobox --imap "imaps://127.0.0.1:$DOVECOT_IMAPS_PORT/NoSuchBox" $AUTH --record "$REC"
[ "$rc" -eq 1 ] && grep -q '^error: inbound: .*/NoSuchBox: cannot select the mailbox: NO ' "$WORK/nobox.out" ||
	fail "a mailbox that does not exist: $(cat "$WORK/nobox.out")"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/other.key" -out "$WORK/other.pem" \
	-subj /CN=other -days 2 2>/dev/null
for url in "$IMAPS" "$IMAP"; do
	probe badca --imap "$url" --user "$DOVECOT_USER" --password-file "$DOVECOT_PASSWORD_FILE" \
		--ca "$WORK/other.pem" --record "$REC"
	[ "$rc" -eq 1 ] && grep -q '^error: inbound: .*: certificate verification failed: ' "$WORK/badca.out" ||
		fail "CA that does not verify ($url): $(cat "$WORK/badca.out")"
done

# ---- the connection dropped mid-fetch: the next pass resumes ----
dovecot_save "$(mail 8 300000)"
cat > "$WORK/cut.py" <<'PY'
# A TCP proxy that drops both sides once the server sent CUT bytes.
import socket, sys, threading
lis = socket.socket(); lis.bind(("127.0.0.1", 0)); lis.listen(4)
print(lis.getsockname()[1], flush=True)
target, cut = int(sys.argv[1]), int(sys.argv[2])
def pump(a, b, limit):
    n = 0
    try:
        while True:
            d = a.recv(16384)
            if not d: break
            if limit and n + len(d) > limit:
                b.sendall(d[:limit - n]); break
            b.sendall(d); n += len(d)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
lis.settimeout(30)
while True:
    try: c, _ = lis.accept()
    except socket.timeout: break
    s = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=pump, args=(c, s, 0), daemon=True).start()
    threading.Thread(target=pump, args=(s, c, cut), daemon=True).start()
PY
$PY "$WORK/cut.py" "$DOVECOT_IMAPS_PORT" 100000 > "$WORK/cut.port" &
cut_pid=$!
stop_cut() { kill "$cut_pid" 2>/dev/null || true; }
cleanup_hooks="stop_cut $cleanup_hooks"
wait_for '^[0-9]' "$WORK/cut.port" 10
probe cut --imap "imaps://localhost:$(cat "$WORK/cut.port")/INBOX" $AUTH --record "$REC"
[ "$rc" -eq 1 ] && grep -q '^error: inbound: .*: UID FETCH [0-9]*: connection dropped: ' "$WORK/cut.out" ||
	fail "connection dropped mid-fetch: $(cat "$WORK/cut.out")"
grep -q '^stats new=0 ' "$WORK/cut.out" || fail "a cut message was handed over: $(cat "$WORK/cut.out")"
stop_cut
probe aftercut --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^take imap:.* size=3[0-9]* len=3[0-9]* too_large=0 subject=topic 8$' "$WORK/aftercut.out" &&
	grep -q '^stats new=1 seen=0 too_large=0$' "$WORK/aftercut.out" ||
	fail "the pass after the drop did not resume: $(cat "$WORK/aftercut.out")"

# ---- a server that sends more than RFC822.SIZE said: cut at max_message_kb ----
cat > "$WORK/liar.py" <<'PY'
# An IMAPS server that says a message has 100 bytes and sends 5000.
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
lis = socket.socket(); lis.bind(("127.0.0.1", 0)); lis.listen(4)
print(lis.getsockname()[1], flush=True)
lis.settimeout(30)
log = open(sys.argv[3], "a")
def serve(f):
    f.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] liar ready\r\n"); f.flush()
    for line in f:
        log.write(line.decode(errors="replace")); log.flush()
        tag, _, cmd = line.decode().strip().partition(" ")
        verb = cmd.upper()
        out = ""
        if verb.startswith("CAPABILITY"):
            out = "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR MOVE UIDPLUS\r\n"
        elif verb.startswith("SELECT"):
            out = "* 1 EXISTS\r\n* OK [UIDVALIDITY 77] UIDs valid\r\n"
        elif verb.startswith("UID SEARCH"):
            out = "* SEARCH 5\r\n"
        elif verb.startswith("UID FETCH 5 (UID RFC822.SIZE)"):
            out = "* 1 FETCH (UID 5 RFC822.SIZE 100)\r\n"
        elif verb.startswith("UID FETCH 5 BODY[]"):
            out = "* 1 FETCH (UID 5 BODY[] {5000}\r\n" + "x" * 5000 + ")\r\n"
        elif verb.startswith("LIST"):
            out = '* LIST () "/" gremiumd-done\r\n'
        elif verb.startswith("LOGOUT"):
            out = "* BYE\r\n"
        try:
            f.write((out + tag + " OK done\r\n").encode()); f.flush()
        except OSError:
            return
        if verb.startswith("LOGOUT"):
            return
while True:
    try: c, _ = lis.accept()
    except socket.timeout: break
    try:
        with ctx.wrap_socket(c, server_side=True) as t:
            serve(t.makefile("rwb"))
    except (OSError, ssl.SSLError):
        pass
PY
$PY "$WORK/liar.py" "$DOVECOT_CA" "$(dirname "$DOVECOT_CA")/key.pem" "$WORK/liar.log" > "$WORK/liar.port" &
liar_pid=$!
stop_liar() { kill "$liar_pid" 2>/dev/null || true; }
cleanup_hooks="stop_liar $cleanup_hooks"
wait_for '^[0-9]' "$WORK/liar.port" 10
probe liar --imap "imaps://127.0.0.1:$(cat "$WORK/liar.port")/INBOX" $AUTH --record "$WORK/liar.rec" --max-kb 1
liar_size=$(sed -n 's/^take imap:77:5 size=\([0-9]*\) len=0 too_large=1$/\1/p' "$WORK/liar.out")
[ "$rc" -eq 0 ] && [ -n "$liar_size" ] && [ "$liar_size" -gt 1024 ] ||
	fail "a message larger than announced: $(cat "$WORK/liar.out")"
grep -q 'UID MOVE 5 "gremiumd-done"' "$WORK/liar.log" || fail "the cut message was not moved: $(cat "$WORK/liar.log")"
stop_liar

# ---- a server without MOVE: COPY, \Deleted, UID EXPUNGE (UIDPLUS) ----
dovecot_stop
dovecot_start "imap_capability = IMAP4rev1 LITERAL+ SASL-IR UIDPLUS"
IMAPS=imaps://127.0.0.1:$DOVECOT_IMAPS_PORT/INBOX
AUTH="--user $DOVECOT_USER --password-file $DOVECOT_PASSWORD_FILE --ca $DOVECOT_CA --timeout 10"
dovecot_save "$(mail 9)"
dovecot_save "$(mail 10)"
probe nomove --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^stats new=2 seen=0 too_large=0$' "$WORK/nomove.out" || fail "without MOVE: $(cat "$WORK/nomove.out")"
[ "$(dovecot_count INBOX)" -eq 0 ] && [ "$(dovecot_count gremiumd-done)" -eq 2 ] ||
	fail "without MOVE: INBOX $(dovecot_count INBOX), done $(dovecot_count gremiumd-done)"

# ---- neither MOVE nor UIDPLUS: copied and flagged \Deleted, not expunged ----
dovecot_stop
dovecot_start "imap_capability = IMAP4rev1 LITERAL+ SASL-IR"
IMAPS=imaps://127.0.0.1:$DOVECOT_IMAPS_PORT/INBOX
AUTH="--user $DOVECOT_USER --password-file $DOVECOT_PASSWORD_FILE --ca $DOVECOT_CA --timeout 10"
dovecot_save "$(mail 11)"
probe nouidplus --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^stats new=1 ' "$WORK/nouidplus.out" || fail "without UIDPLUS: $(cat "$WORK/nouidplus.out")"
[ "$(dovecot_doveadm search -u "$DOVECOT_USER" mailbox INBOX deleted | wc -l)" -eq 1 ] &&
	[ "$(dovecot_count gremiumd-done)" -eq 1 ] ||
	fail "without UIDPLUS the message should be copied and flagged \\Deleted"
probe nouidplus2 --imap "$IMAPS" $AUTH --record "$REC"
grep -q '^stats new=0 seen=0 too_large=0$' "$WORK/nouidplus2.out" ||
	fail "a message flagged \\Deleted was met again: $(cat "$WORK/nouidplus2.out")"

# ---- a server without STARTTLS: refused before the password is sent ----
dovecot_stop
DOVECOT_SSL=no dovecot_start
probe nostarttls --imap "imap://127.0.0.1:$DOVECOT_IMAP_PORT/INBOX" --user "$DOVECOT_USER" \
	--password-file "$DOVECOT_PASSWORD_FILE" --record "$REC"
[ "$rc" -eq 1 ] && grep -q '^error: inbound: .*: server does not offer STARTTLS: ' "$WORK/nostarttls.out" ||
	fail "server without STARTTLS: $(cat "$WORK/nostarttls.out")"
! grep -q 'Login: ' "$DOVECOT_LOG" || fail "a login happened without TLS"

[ "$(sort "$REC" | uniq -d | wc -l)" -eq 0 ] || fail "an id was recorded twice: $(sort "$REC" | uniq -d)"
# the errors as an admin sees them (in the test log)
for f in pass1 wrongpw nobox badca cut nostarttls; do sed -n "s/^error: /$f: /p" "$WORK/$f.out"; done
echo "e2e_inbound: ok"
