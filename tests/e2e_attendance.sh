#!/bin/sh
# End-to-end: members' answers to the invitations become attendance, once
# from a maildir source and once from a real Dovecot over IMAPS
# (tests/dovecot.sh).  The example config: `gremiumctl run-once --now`
# sends the invitations; the answers of tests/fixtures/replies (REPLYs that
# Thunderbird itself sent, and the Outlook/Exchange, Gmail and Apple
# Calendar shapes), with their UIDs rewritten to what run-once actually
# sent (tests/reply_mail.py), are delivered into the committee's mailbox;
# `gremiumctl fetch` reads them.  Checked by /usr/bin/python3 on
# `gremiumctl attendance --json` and `inbox --json`: each answer on the
# right meeting, a later answer wins (DTSTAMP), an occurrence's answer beats
# the series', forged, unknown and COUNTER answers change nothing and are
# held, and no mail answers any of them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/dovecot.sh"

FIX=$top_srcdir/tests/fixtures/replies
RM="$PY $top_srcdir/tests/reply_mail.py"
FEB=2027-02-10T10:00    # a meeting of the "online" series (RECURRENCE-ID of the fixtures)
APR=2027-04-14T10:00    # another one: only the series' answers count
FIXTURE_UID=online@fitko.example

# scenario NAME SOURCE: the whole story with its own state.
scenario() {
	name=$1 source=$2
	dir=$WORK/$name
	mkdir -p "$dir/etc" "$dir/var/inbox/new" "$dir/var/inbox/cur" "$dir/var/inbox/tmp"
	conf=$dir/etc/gremiumd.conf
	cp "$top_srcdir/etc/gremiumd.conf" "$conf"
	sed -i 's|"var/|"../var/|' "$conf"
	if [ "$source" = maildir ]; then
		printf 'inbound = { source = "maildir"; maildir = "../var/inbox"; };\n' >> "$conf"
	else
		cat >> "$conf" <<CONF
inbound = { source = "imap"; imap_url = "imaps://127.0.0.1:$DOVECOT_IMAPS_PORT/INBOX";
  username = "$DOVECOT_USER"; password_file = "$DOVECOT_PASSWORD_FILE";
  ca_file = "$DOVECOT_CA"; timeout = 20; };
CONF
	fi
	ctl() { "$GREMIUMCTL" -c "$conf" "$@"; }
	ctl run-once --now 2026-11-28T09:00 > "$dir/run.out" 2>&1 || fail "$name: run-once: $(cat "$dir/run.out")"
	$RM uids "$dir/var/outbox" > "$dir/uids.tsv"
	uid=$(awk -F'\t' '$2 == "rrule" && $3 ~ /Online/ { print $1 }' "$dir/uids.tsv")
	[ -n "$uid" ] || fail "$name: no invitation of the online series sent: $(cat "$dir/uids.tsv")"
	sent=$(find "$dir/var/outbox" -type f | wc -l)
	n=0

	# deliver FIXTURE [MEMBER [DTSTAMP]]: the fixture as MEMBER's answer
	# (the fixture's own member replaced), for the UID sent
	deliver() {
		n=$((n + 1))
		set -- "$@" "" ""
		subs="$FIXTURE_UID=$uid"
		if [ -n "$2" ]; then
			own=$(sed -n 's/^From:.*<\(.*\)>.*/\1/p' "$FIX/$1" | head -n 1)
			subs="$subs $own=$2"
		fi
		[ -z "$3" ] || subs="$subs DTSTAMP=$3"
		# shellcheck disable=SC2086 # subs are words
		$RM make "$FIX/$1" "$dir/mail-$n.eml" "answer-$n.$name@members.example" $subs
		if [ "$source" = maildir ]; then
			cp "$dir/mail-$n.eml" "$dir/var/inbox/new/100$n.M$n.test"
		else
			dovecot_save "$dir/mail-$n.eml"
		fi
	}
	fetch() {
		ctl fetch --now "$1" > "$dir/fetch-$1.out" 2>&1 || fail "$name: fetch: $(cat "$dir/fetch-$1.out")"
	}

	# Outlook: the series accepted (with a comment), then one meeting declined
	deliver outlook-series-accepted.eml
	deliver outlook-occurrence-declined.eml
	deliver outlook-series-tentative.eml sabine.krueger@stadt-musterburg.example
	deliver outlook-occurrence-accepted.eml m.baecker@gemeinde-talheim.example
	# Gmail: the series accepted; a decline written earlier (DTSTAMP) that
	# arrives later changes nothing; one meeting tentatively
	deliver gmail-series-accepted.eml "" 20261201T081500Z
	deliver gmail-series-delegated.eml frank.hoefer@kommunal-it-sued.example
	deliver gmail-occurrence-declined.eml andrea.gruenewald@regio-rechenzentrum.example
	# Apple: one meeting delegated, a series declined
	deliver apple-occurrence-delegated.eml
	deliver apple-series-declined.eml ulrike.soerensen@amt-seeland.example
	# Thunderbird, as it sent them itself
	# (Käthe Weiß, in the order she answered: tests/thunderbird_replies.sh)
	for a in series-accepted series-declined series-tentative series-delegated \
		occurrence-accepted occurrence-declined occurrence-tentative occurrence-delegated; do
		deliver "thunderbird-$a.eml"
	done
	# held: another member's address, an event never sent, a new time
	deliver forged.eml
	deliver unknown-uid.eml stefan.duerr@kgst-beispiel.example
	deliver counter.eml bjoern.schroeder@landkreis-oberau.example
	fetch 2026-12-01T09:00
	deliver gmail-series-declined.eml "" 20261130T120000Z
	deliver gmail-occurrence-tentative.eml
	fetch 2026-12-02T09:00

	ctl attendance --meeting $FEB --json > "$dir/feb.json" || fail "$name: attendance --meeting"
	ctl attendance --meeting $APR --json > "$dir/apr.json" || fail "$name: attendance --meeting"
	ctl attendance --member juergen.mueller@landkreis-musterstadt.example --json \
		> "$dir/juergen.json" || fail "$name: attendance --member"
	ctl attendance > "$dir/table.out" || fail "$name: attendance"
	ctl inbox --json > "$dir/inbox.json" || fail "$name: inbox --json"
	ctl inbox --held > "$dir/held.out" || fail "$name: inbox --held"
	[ "$(grep -c 'held:' "$dir/held.out")" -eq 3 ] || fail "$name: inbox --held: $(cat "$dir/held.out")"
	# nobody was answered: no mail since run-once
	[ "$(find "$dir/var/outbox" -type f | wc -l)" -eq "$sent" ] || fail "$name: a mail answered an answer"
	$PY "$top_srcdir/tests/check_attendance.py" "$dir" "$FIX" ||
		fail "$name: check_attendance.py"
	expect_exit 65 "$GREMIUMCTL" -c "$conf" attendance --member nobody@example.org
	expect_exit 65 "$GREMIUMCTL" -c "$conf" attendance --meeting 2027-02-11T10:00
	expect_exit 64 "$GREMIUMCTL" -c "$conf" attendance --meeting $FEB --member x@y
}

scenario maildir maildir
dovecot_start
scenario imap imap
echo "e2e_attendance: ok"
