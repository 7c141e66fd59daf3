# The system test's checks (sourced by run.sh, which defines c, ok, bad, die,
# wait_until, status, field, drained, unit_status, mails, journal, $ROOT).
# Each check says ok or FAIL and the test goes on: no set -e here.
set +e
VH=$ROOT/var/mail/vhosts
CONF=/etc/gremiumd/gremiumd.conf
URL=http://127.0.0.1:8080/kommunalgremium.ics

# committee_conf NAME MEMBERS PORT: the config of committee NAME with MEMBERS
# members mNNNN@NAME.example, one meeting 60 days ahead, sent by SMTP through
# the container's Postfix, feed on 127.0.0.1:PORT, state in /var/lib/gremiumd-NAME.
committee_conf() {
	day=$(date -u -d '+60 days' +%Y-%m-%d)
	cat <<EOC
committee = {
  name = "Gremium $1"; short_name = "$1"; domain = "$1.systest.example";
  timezone = "Europe/Berlin"; language = "de";
  organizer = { name = "Vorsitz $1"; email = "vorsitz@$1.systest.example"; };
};
groups = ( { id = "g"; name = "Gruppe"; } );
members = (
$(seq -f '%04g' 1 "$2" | awk -v d="$1.example" '{ printf "  { name = \"Mitglied %s\"; email = \"m%s@%s\"; group = \"g\"; }%s\n", $1, $1, d, (NR < '"$2"' ? "," : "") }')
);
series = ( { id = "sitzung"; summary = "Gremium $1"; dates = [ "${day}T10:00" ];
             duration = 60; location = "Raum $1"; } );
notifications = { reminders_days_before = []; };
delivery = {
  transport = "smtp"; smtp_url = "smtp://localhost:587"; username = "gremiumd";
  password_credential = "gremiumd-$1.smtp-password";
  ca_file = "/etc/gremiumd/ca.pem";
};
feed = { listen = "127.0.0.1:$3"; path = "/$1.ics"; file = "/var/lib/gremiumd-$1/$1.ics"; };
state = "/var/lib/gremiumd-$1/state.db";
EOC
	seq -f "m%04g@$1.example" 1 "$2" > "$WORK/$1.addresses"
}
add_instance() { # add_instance NAME MEMBERS PORT
	committee_conf "$@" > "$ROOT/etc/gremiumd/$1.conf"
	cp -p "$ROOT/etc/credstore/gremiumd.smtp-password" "$ROOT/etc/credstore/gremiumd-$1.smtp-password"
	vmail_map
}

# ---- the admin's config: the package's conffile, switched to SMTP and the feed
sed -i \
	-e 's|^  transport = "maildir";|  transport = "smtp";\n  smtp_url = "smtp://localhost:587";\n  username = "gremiumd";\n  password_credential = "gremiumd.smtp-password";\n  ca_file = "/etc/gremiumd/ca.pem";|' \
	-e 's|^  listen = "";|  listen = "127.0.0.1:8080";|' "$ROOT$CONF"
grep -q 'transport = "smtp"' "$ROOT$CONF" && grep -q 'listen = "127.0.0.1:8080"' "$ROOT$CONF" ||
	die "the packaged gremiumd.conf no longer has the lines this test edits"
sed -n 's/.*email = "\([^"]*\)".*/\1/p' "$ROOT$CONF" | grep -v '@fitko.example$' > "$WORK/main.addresses"
nmem=$(wc -l < "$WORK/main.addresses")
echo nora.neu@neu.example > "$WORK/neu.addresses"   # added during the Postfix outage
vmail_map

# ---- README steps 3: check, preview, send-test as root ---------------------
c gremiumctl check >"$WORK/check.log" 2>&1 && ok "gremiumctl check (as root, the service's config)" ||
	bad "gremiumctl check: $(cat "$WORK/check.log")"
c gremiumctl preview --fresh >"$WORK/preview.log" 2>&1 && grep -q . "$WORK/preview.log" &&
	ok "gremiumctl preview --fresh (before the first start)" || bad "gremiumctl preview --fresh: $(tail -n 5 "$WORK/preview.log")"
if c gremiumctl send-test --to admin@admin.example >"$WORK/sendtest.log" 2>&1 &&
	wait_until 60 "ls $VH/admin.example/admin/new/*"; then
	ok "gremiumctl send-test as root with the service's config arrived"
else
	bad "gremiumctl send-test as root (README step 3): exit/output: $(cat "$WORK/sendtest.log")"
fi

# ---- enable --now: every invitation, the same number per member ------------
c systemctl enable --now gremiumd >"$WORK/enable.log" 2>&1 || bad "systemctl enable --now gremiumd: $(cat "$WORK/enable.log")"
# Without a running service the rest would only wait out its bounds.
wait_until 60 "c systemctl is-active -q gremiumd" ||
	die "gremiumd.service does not run ($(c systemctl is-active gremiumd)); the other checks need it"
if wait_until 180 "c systemctl is-active -q gremiumd && [ \"\$(field sent \"\$(status $CONF)\")\" -gt 0 ] && drained $CONF"; then
	sent=$(field sent "$(status $CONF)")
	K=$((sent / nmem))
	if [ $((K * nmem)) -eq "$sent" ] && [ "$K" -ge 1 ] &&
		$PY "$here/mailcheck.py" count "$VH" "$WORK/main.addresses" --each "$K" >"$WORK/count.log" 2>&1 &&
		$PY "$here/mailcheck.py" itip --sequence 0 $(mails | grep -v -e /admin.example/ -e /probe.example/) >>"$WORK/count.log" 2>&1; then
		ok "enable --now: $sent invitations, $K in each of the $nmem members' mailboxes, all METHOD:REQUEST SEQUENCE 0"
	else
		bad "after enable: status '$(status $CONF)', $nmem members: $(cat "$WORK/count.log")"
	fi
else
	bad "gremiumd did not send and drain after enable --now: $(status $CONF); $(c systemctl is-active gremiumd)"
	K=1
fi
c gremiumctl preview >"$WORK/preview.log" 2>&1 && grep -q . "$WORK/preview.log" &&
	ok "gremiumctl preview (the service's state)" || bad "gremiumctl preview after the start: $(tail -n 5 "$WORK/preview.log")"
st=$(unit_status gremiumd)
case $st in *queued*sent*next\ action*) ok "STATUS=: $st" ;; *) bad "STATUS= lacks the outbox and next action: '$st'" ;; esac

# The feed: 200 with an ETag, then 304.
etag=$(c curl -sS -D - -o /dev/null --max-time 10 "$URL" | sed -n 's/^[Ee][Tt]ag: *\(.*\)\r$/\1/p')
body=$(c curl -sS --max-time 10 "$URL" | head -n 1 | tr -d '\r')
code=$(c curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H "If-None-Match: $etag" "$URL" || true)
[ -n "$etag" ] && [ "$body" = BEGIN:VCALENDAR ] && [ "$code" = 304 ] &&
	ok "feed on 127.0.0.1:8080: 200 with ETag $etag, then 304" ||
	bad "feed: ETag '$etag', first line '$body', conditional GET $code"

# ---- a reload with a change: updates with SEQUENCE 1 -----------------------
mails > "$WORK/before"
sed -i 's|^    location = "Videokonferenz";|    location = "Videokonferenz, neuer Raum";|' "$ROOT$CONF"
grep -q 'Videokonferenz, neuer Raum' "$ROOT$CONF" || die "the example has no 'location = \"Videokonferenz\";'"
pid_before=$(c systemctl show -P MainPID gremiumd)
c systemctl reload gremiumd
if wait_until 180 "[ \$(mails | wc -l) -gt \$(wc -l < $WORK/before) ] && drained $CONF"; then
	mails | comm -13 "$WORK/before" - > "$WORK/new"
	n=$(wc -l < "$WORK/new")
	U=$((n / nmem))
	if [ "$U" -ge 1 ] && [ $((U * nmem)) -eq "$n" ] &&
		$PY "$here/mailcheck.py" itip --sequence 1 --contains "Videokonferenz\\, neuer Raum" $(cat "$WORK/new") >"$WORK/upd.log" 2>&1 &&
		$PY "$here/mailcheck.py" count "$VH" "$WORK/main.addresses" --each $((K + U)) >>"$WORK/upd.log" 2>&1 &&
		[ "$(c systemctl show -P MainPID gremiumd)" = "$pid_before" ]; then
		ok "reload with a new location: $n updates ($U per member), SEQUENCE 1, same process"
	else
		bad "reload with a change: $n new mails for $nmem members: $(cat "$WORK/upd.log" 2>/dev/null)"
	fi
else
	bad "no updates after the reload with a new location: $(status $CONF)"
	U=0
fi

# ---- a broken reload: rejected, the service stays, STATUS= says so ---------
since=$(c date '+%Y-%m-%d %H:%M:%S')
cp "$ROOT$CONF" "$WORK/good.conf"
echo 'this line is broken' >> "$ROOT$CONF"
c systemctl reload gremiumd || true
if wait_until 30 "journal -u gremiumd --since '$since' | grep -q 'rejected'"; then
	st=$(unit_status gremiumd)
	if c systemctl is-active -q gremiumd && [ "$(c systemctl show -P MainPID gremiumd)" = "$pid_before" ]; then
		ok "broken reload rejected, the service stays up (same PID)"
	else
		bad "after the broken reload the service is $(c systemctl is-active gremiumd)"
	fi
	case $st in *reject*queued*|*queued*reject*) ok "STATUS= after the rejected reload: $st" ;;
	*) bad "STATUS= after the rejected reload must show the rejection and the outbox counts: '$st'" ;; esac
	journal -u gremiumd --since "$since" -p err | grep -q 'gremiumd.conf:[0-9]' &&
		ok "the config error is logged at priority err with FILE:LINE" ||
		bad "journalctl -p err has no gremiumd.conf:LINE error after the broken reload: $(journal -u gremiumd --since "$since" | tail -n 5)"
else
	bad "no 'rejected' in the journal after the broken reload: $(journal -u gremiumd --since "$since" | tail -n 5)"
fi
# A start with the broken config fails in ExecStartPre, with the errors at priority err.
since=$(c date '+%Y-%m-%d %H:%M:%S')
c systemctl restart gremiumd >/dev/null 2>&1 && bad "restart with a broken config succeeded" || true
journal -u gremiumd --since "$since" -p err | grep -q 'gremiumd.conf:[0-9]' &&
	ok "a start with a broken config fails, the errors at priority err (journalctl -p err)" ||
	bad "start with a broken config: no gremiumd.conf:LINE error in journalctl -p err: $(journal -u gremiumd --since "$since" | grep -i conf | tail -n 3)"
cp "$WORK/good.conf" "$ROOT$CONF"
c systemctl reset-failed gremiumd >/dev/null 2>&1 || true
c systemctl restart gremiumd
wait_until 60 "c systemctl is-active -q gremiumd" && ok "restarted with the repaired config" ||
	bad "gremiumd does not start again with the repaired config"

# ---- a Postfix outage: mails queue, and go out after it returns -----------
c systemctl stop postfix
since=$(c date '+%Y-%m-%d %H:%M:%S')
sed -i 's|^\(    group = "kgst"; organisation = "KGSt"; }\)$|\1,\n  { name = "Nora Neu"; email = "nora.neu@neu.example"; group = "kgst"; }|' "$ROOT$CONF"
grep -q nora.neu "$ROOT$CONF" || die "could not add a member to the example"
c systemctl reload gremiumd
if wait_until 120 "[ \"\$(field queued \"\$(status $CONF)\")\" -gt 0 ] && journal -u gremiumd --since '$since' | grep -q 'temporary failure'"; then
	ok "Postfix down: the new member's mails wait in the outbox ($(status $CONF))"
else
	bad "Postfix down: no queued mail or no temporary failure logged: $(status $CONF)"
fi
line=$(journal -u gremiumd --since "$since" | grep -m1 'retrying at' || true)
printf '%s\n' "$line" | grep -Eq 'retrying at [0-9-]+[ T][0-9:]+ ?([+-][0-9]{2}:?[0-9]{2}|UTC|Z)' &&
	ok "retry time logged with its offset: ${line##*retrying at }" ||
	bad "retry time logged without a zone offset: '$line'"
c systemctl start postfix
if wait_until 300 "drained $CONF && [ -n \"\$(ls $VH/neu.example/nora.neu/new 2>/dev/null)\" ]" &&
	$PY "$here/mailcheck.py" count "$VH" "$WORK/neu.addresses" --each "$K" >"$WORK/neu.log" 2>&1; then
	ok "Postfix back: the queued mails went out ($(cat "$WORK/neu.log"))"
else
	bad "after Postfix came back: $(status $CONF); $(cat "$WORK/neu.log" 2>/dev/null)"
fi

# ---- status as the README says ---------------------------------------------
cat "$WORK/main.addresses" "$WORK/neu.addresses" > "$WORK/all.list"
total=$($PY "$here/mailcheck.py" count "$VH" "$WORK/all.list" --each 0 --max-extra 100000 | sed 's/.*, \([0-9]*\) mails,.*/\1/')
s=$(status $CONF)
[ "$s" = "$total sent, 0 queued, 0 failed" ] && ok "gremiumctl status as root: '$s' matches the mailboxes" ||
	bad "gremiumctl status: '$s', the members' mailboxes hold $total"
if c setpriv --reuid=65534 --regid=65534 --clear-groups gremiumctl -c $CONF status >"$WORK/nonroot.log" 2>&1; then
	bad "gremiumctl status as nobody exits 0 without reading the state: $(cat "$WORK/nonroot.log")"
else
	ok "gremiumctl status as nobody fails: $(head -n 1 "$WORK/nonroot.log")"
fi

# ---- socket activation -----------------------------------------------------
# As gremiumd.socket says: stop the running service (systemd refuses to start a
# socket whose service already runs), then enable and start both.
c systemctl stop gremiumd.service
if c systemctl enable --now gremiumd.socket gremiumd.service >"$WORK/sock.log" 2>&1 &&
	c systemctl is-active -q gremiumd.socket && c systemctl is-active -q gremiumd.service; then
	ok "systemctl enable --now gremiumd.socket gremiumd.service"
else
	bad "systemctl enable --now gremiumd.socket gremiumd.service: $(cat "$WORK/sock.log"); socket $(c systemctl is-active gremiumd.socket)"
	# go on with the socket in place, so that the checks below still test it
	c systemctl stop gremiumd.service
	c systemctl start gremiumd.socket
fi
c systemctl stop gremiumd.service 2>/dev/null
code=$(c curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "$URL" 2>&1 || true)
[ "$code" = 200 ] && c systemctl is-active -q gremiumd.service &&
	ok "the first request starts gremiumd.service and gets 200" ||
	bad "the request that starts gremiumd.service got '$code' (service $(c systemctl is-active gremiumd.service))"
since=$(c date '+%Y-%m-%d %H:%M:%S')
rm -f "$ROOT/root/systest/poll.stop"
c sh -c "i=0; while [ \$i -lt 3000 ] && [ ! -e /root/systest/poll.stop ]; do i=\$((i+1));
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 $URL || echo \"curl-exit-\$?\"; done" > "$WORK/poll.log" 2>&1 &
poller=$!
# 3 s apart at least: systemd allows 5 starts in 10 s (StartLimitBurst=).
for op in restart reload restart stop-start restart stop-start; do
	sleep 3
	wait_until 30 "[ \$(wc -l < $WORK/poll.log) -ge \$((\${polls:-0} + 20)) ]" || true
	polls=$(wc -l < "$WORK/poll.log")
	case $op in
	stop-start) c systemctl stop gremiumd.service 2>/dev/null; sleep 1; c systemctl start gremiumd.service ;;
	*) c systemctl "$op" gremiumd.service ;;
	esac
done
wait_until 30 "[ \$(wc -l < $WORK/poll.log) -ge \$((polls + 20)) ]" || true
touch "$ROOT/root/systest/poll.stop"
wait "$poller" || true
n=$(wc -l < "$WORK/poll.log")
other=$(grep -cv '^200$' "$WORK/poll.log" || true)
[ "$n" -ge 100 ] && [ "$other" -eq 0 ] &&
	ok "feed across restart, reload, stop/start: $n requests, all 200" ||
	bad "feed across restarts: $n requests, $other not 200: $(grep -v '^200$' "$WORK/poll.log" | sort | uniq -c | tr '\n' ' ')"
sock=$(c systemctl show -P ActiveState gremiumd.socket)
res=$(c systemctl show -P Result gremiumd.socket)
[ "$sock" = active ] && [ "$res" = success ] && ! journal -u gremiumd --since "$since" | grep -q -e 'no listening stream socket' -e POLLHUP &&
	ok "gremiumd.socket stayed active (result $res), gremiumd used the passed socket" ||
	bad "gremiumd.socket is $sock/$res; journal: $(journal --since "$since" | grep -e 'listening' -e POLLHUP | tail -n 3)"

# ---- two committees at once: gremiumd@a and gremiumd@b ---------------------
add_instance a 20 8081
add_instance b 30 8082
c systemctl enable --now gremiumd@a gremiumd@b >"$WORK/ab.log" 2>&1 || bad "enable --now gremiumd@a gremiumd@b: $(cat "$WORK/ab.log")"
for x in a b; do
	if wait_until 120 "c systemctl is-active -q gremiumd@$x && [ \"\$(field sent \"\$(status /etc/gremiumd/$x.conf)\")\" -gt 0 ] && drained /etc/gremiumd/$x.conf" &&
		$PY "$here/mailcheck.py" count "$VH" "$WORK/$x.addresses" --each 1 >"$WORK/$x.log" 2>&1 &&
		c curl -sS --max-time 10 "http://127.0.0.1:808$( [ $x = a ] && echo 1 || echo 2)/$x.ics" | grep -q "Gremium $x" &&
		c test -s /var/lib/gremiumd-$x/state.db; then
		ok "gremiumd@$x: $(cat "$WORK/$x.log"), its feed, its state in /var/lib/gremiumd-$x"
	else
		bad "gremiumd@$x: $(c systemctl is-active gremiumd@$x), $(status /etc/gremiumd/$x.conf), $(cat "$WORK/$x.log" 2>/dev/null)"
	fi
done
c systemd-analyze security --no-pager gremiumd@a.service >"$WORK/sec.log" 2>&1 || true
level=$(sed -n 's/.*Overall exposure level for gremiumd@a.service: \([0-9.]*\).*/\1/p' "$WORK/sec.log")
[ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l < 2) }' &&
	ok "systemd-analyze security gremiumd@a.service: $level" || bad "gremiumd@a exposure '$level': $(tail -n 2 "$WORK/sec.log")"
c systemctl is-active -q gremiumd && ok "gremiumd.service ran next to the instances" || bad "gremiumd.service is $(c systemctl is-active gremiumd)"

# ---- kill -9 while sending to 9,000 members --------------------------------
add_instance big 9000 8083
c systemctl start gremiumd@big
if ! wait_until 60 "c systemctl is-active -q gremiumd@big"; then
	bad "gremiumd@big does not run: $(c systemctl is-active gremiumd@big)"
elif wait_until 300 "[ \$(find $VH/big.example -path '*/new/*' -type f 2>/dev/null | wc -l) -ge 300 ]"; then
	c systemctl kill -s KILL gremiumd@big
	at=$(find "$VH/big.example" -path '*/new/*' -type f | wc -l)
	q=$(field queued "$(status /etc/gremiumd/big.conf)")
	if [ "${q:-0}" -gt 0 ]; then
		ok "kill -9 while sending: $at of 9000 delivered, $q still queued"
	else
		bad "the send to 9,000 was over before the kill ($at delivered): the test did not test"
	fi
	if wait_until 600 "c systemctl is-active -q gremiumd@big && drained /etc/gremiumd/big.conf" &&
		[ "$(c systemctl show -P NRestarts gremiumd@big)" -ge 1 ]; then
		# connections = 4 (default) and at most 4 duplicates per connection (gremiumd(8))
		$PY "$here/mailcheck.py" count "$VH" "$WORK/big.addresses" --each 1 --max-extra 16 >"$WORK/big.log" 2>&1 &&
			ok "after kill -9 and the restart: $(cat "$WORK/big.log") (0 lost, at most 4 per connection)" ||
			bad "after kill -9: $(cat "$WORK/big.log")"
	else
		bad "gremiumd@big did not come back and drain: $(c systemctl is-active gremiumd@big), $(status /etc/gremiumd/big.conf)"
	fi
else
	bad "gremiumd@big did not start sending: $(status /etc/gremiumd/big.conf)"
fi

# ---- SIGTERM while sending 9,000 cancellations: exactly 9,000 --------------
mails > "$WORK/before"
day=$(date -u -d '+60 days' +%Y-%m-%d)
echo "exceptions = ( { series = \"sitzung\"; date = \"$day\"; cancel = true; } );" >> "$ROOT/etc/gremiumd/big.conf"
c systemctl reload gremiumd@big
if wait_until 300 "[ \$(mails | wc -l) -ge \$((\$(wc -l < $WORK/before) + 300)) ]"; then
	c systemctl stop gremiumd@big 2>/dev/null
	q=$(field queued "$(status /etc/gremiumd/big.conf)")
	res=$(c systemctl show -P Result gremiumd@big)
	[ "${q:-0}" -gt 0 ] && [ "$res" = success ] &&
		ok "SIGTERM while sending cancellations: a clean stop with $q still queued" ||
		bad "stop while sending cancellations: result $res, $q queued (0: the send was over before the stop)"
	c systemctl start gremiumd@big
	if wait_until 600 "c systemctl is-active -q gremiumd@big && drained /etc/gremiumd/big.conf"; then
		mails | comm -13 "$WORK/before" - > "$WORK/cancels"
		n=$(wc -l < "$WORK/cancels")
		boxes=$(sed 's|/new/[^/]*$||' "$WORK/cancels" | sort -u | wc -l)
		if [ "$n" -eq 9000 ] && [ "$boxes" -eq 9000 ] &&
			$PY "$here/mailcheck.py" itip --method CANCEL --list "$WORK/cancels" >"$WORK/cancel.log" 2>&1; then
			ok "after SIGTERM and a start: exactly 9000 cancellations, one per member, all METHOD:CANCEL"
		else
			bad "cancellations after SIGTERM: $n mails in $boxes mailboxes (9000 expected); $(tail -n 3 "$WORK/cancel.log")"
		fi
	else
		bad "gremiumd@big did not drain the cancellations: $(status /etc/gremiumd/big.conf)"
	fi
else
	bad "no cancellations after the reload of gremiumd@big: $(status /etc/gremiumd/big.conf)"
fi

c systemctl stop gremiumd@big   # the upgrade below must leave a stopped instance stopped

# ---- the package again (as an upgrade): the admin's config stays, the
# enabled units run again, the disabled ones stay off.
sum=$(md5sum < "$ROOT$CONF")
pid_a=$(c systemctl show -P MainPID gremiumd@a)
c dpkg -i /root/systest/gremiumd.deb >"$WORK/dpkg2.log" 2>&1
if [ "$(md5sum < "$ROOT$CONF")" = "$sum" ] && ! grep -q 'installed disabled' "$WORK/dpkg2.log" &&
	wait_until 60 "c systemctl is-active -q gremiumd.socket && c systemctl is-active -q gremiumd@a" &&
	[ "$(c systemctl show -P MainPID gremiumd@a)" != "$pid_a" ] && ! c systemctl is-active -q gremiumd@big; then
	ok "dpkg -i again: the edited conffile kept, gremiumd.socket and gremiumd@a restarted, gremiumd@big still stopped"
else
	bad "dpkg -i again: $(tail -n 5 "$WORK/dpkg2.log"); socket $(c systemctl is-active gremiumd.socket), gremiumd@a $(c systemctl is-active gremiumd@a)"
fi

# ---- removal: the units stop, the port closes, the admin's config stays ----
c dpkg -r gremiumd >"$WORK/remove.log" 2>&1
code=$(c curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$URL")
if ! c systemctl is-active -q gremiumd.socket && ! c systemctl is-active -q gremiumd.service &&
	[ "$code" = 000 ] && [ -s "$ROOT$CONF" ]; then
	ok "dpkg -r: gremiumd.service and gremiumd.socket stopped, the feed's port closed, the config kept"
else
	bad "dpkg -r: $(tail -n 3 "$WORK/remove.log"); socket $(c systemctl is-active gremiumd.socket), service $(c systemctl is-active gremiumd.service), feed $code"
fi
