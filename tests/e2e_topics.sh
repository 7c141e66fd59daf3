#!/bin/sh
# End-to-end: members' topics from the committee's mailbox, once from a
# maildir source and once from a real Dovecot over IMAPS (tests/dovecot.sh).
# The example config's year: `gremiumctl run-once --now` at simulated times
# sends the calls for topics; replies in the styles of the letter fixtures
# (tests/fixtures/inbound/) answer the calls run-once actually sent (their
# In-Reply-To is the call's Message-ID from the delivery maildir), plus an
# out-of-office, a bounce, a non-member, an iMIP reply, a reply after the
# deadline, a mail without reference, one from an alias and a duplicate.
# tests/check_topics.py checks independently (Python's email + mailbox on
# the delivery maildir, `gremiumctl topics --json`, `inbox --json`): each
# topic on the right meeting, one confirmation per topic with the right
# In-Reply-To, no answer to any machine or stranger.  Then a second fetch
# processes nothing, the held mail is listed by `inbox --held` and `inbox
# accept` makes it a topic.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/dovecot.sh"

FIX=$top_srcdir/tests/fixtures/inbound
TM="$PY $top_srcdir/tests/topics_mail.py"
JAN=2027-01-20T14:00    # the moved January meeting: call 2026-12-30, deadline 2027-01-13 09:00
FEB=2027-02-10T10:00    # call 2027-01-20, deadline 2027-02-03 09:00
MAR=2027-03-17T10:00    # the Präsenzsitzung: deadline 2027-03-10 09:00

# scenario NAME SOURCE: one run of the whole story with its own state.
scenario() {
	name=$1 source=$2
	dir=$WORK/$name
	mkdir -p "$dir/etc" "$dir/var/inbox/new" "$dir/var/inbox/cur" "$dir/var/inbox/tmp"
	conf=$dir/etc/gremiumd.conf
	cp "$top_srcdir/etc/gremiumd.conf" "$conf"
	# the example's relative paths resolve against the config's folder
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
	if [ "$source" = imap ]; then
		# the admin's text for the confirmations of this run
		mkdir -p "$dir/etc/templates"
		printf '%s' "$OVERRIDE" > "$dir/etc/templates/topic-confirmation.de.txt"
		printf 'templates = "templates";\n' >> "$conf"
	fi
	ctl check > "$dir/check.out" 2>&1 || fail "$name: check: $(cat "$dir/check.out")"
	: > "$dir/expected.tsv"
	n=0

	# deliver FIXTURE CLASS MEETING|- REFERENCE|- [FROM|- [SUBJECT]]: a reply into the mailbox
	deliver() {
		n=$((n + 1))
		mid="reply-$n.$name@members.example"
		$TM make "$FIX/$1" "$dir/mail-$n.eml" "$mid" "$4" "${5:--}" "${6:--}"
		if [ "$source" = maildir ]; then
			cp "$dir/mail-$n.eml" "$dir/var/inbox/new/100$n.M$n.test"
		else
			dovecot_save "$dir/mail-$n.eml"
		fi
		printf '%s\t%s\t%s\t%s\t%s\n' "$mid" "$2" "$3" "$1" "$4" >> "$dir/expected.tsv"
	}
	# call ADDRESS MEETING: the Message-ID of the call run-once sent to ADDRESS
	call() {
		$TM calls "$dir/var/outbox" "$2" | awk -v a="$1" '$1 == a { print $2 }' | head -n 1
	}
	run() {
		ctl run-once --now "$1" > "$dir/run-$1.out" 2>&1 ||
			fail "$name: run-once $1: $(cat "$dir/run-$1.out")"
	}

	run 2026-11-28T09:00
	run 2026-12-30T09:00
	kaethe=$(call kaethe.weiss@kreis-beispielheim.example $JAN)
	[ -n "$kaethe" ] || fail "$name: no call for topics for $JAN was sent"
	subject=$($TM calls "$dir/var/outbox" $JAN | awk '{ $1 = ""; $2 = ""; print substr($0, 3); exit }')

	# before the January deadline: replies in every client's style (the
	# Thunderbird one under our call's own subject: its title is its text's)
	deliver thunderbird-reply.eml topic $JAN "$kaethe" - "Re: $subject"
	deliver outlook-reply.eml topic $JAN "$(call juergen.mueller@landkreis-musterstadt.example $JAN)"
	deliver gmail-reply.eml topic $JAN "$(call oezlem.yildiz@markt-bergdorf.example $JAN)"
	deliver outlook-web-html.eml topic $JAN "$(call sabine.krueger@stadt-musterburg.example $JAN)"
	deliver outlook-ooo.eml auto - "$(call m.baecker@gemeinde-talheim.example $JAN)"
	deliver postfix-bounce.eml dsn - -
	deliver non-member.eml stranger - -
	deliver imip-reply.eml reply - -
	run 2027-01-05T09:00
	grep -q '^fetched 8 new messages (4 topics, 1 held for the chair, 0 duplicates)' \
		"$dir/run-2027-01-05T09:00.out" || fail "$name: first fetch: $(cat "$dir/run-2027-01-05T09:00.out")"

	# after the January deadline: a reply to the January call goes to February
	deliver unknown-charset.eml late $FEB "$(call frank.hoefer@kommunal-it-sued.example $JAN)"
	run 2027-01-14T09:00
	run 2027-01-20T09:00
	# a reply to the February call; a mail without reference (next open meeting)
	deliver attachment-reply.eml topic $FEB "$(call bjoern.schroeder@landkreis-oberau.example $FEB)"
	deliver apple-reply.eml topic $FEB -
	run 2027-01-25T09:00
	# after the February deadline: from an alias, no reference -> March;
	# the first Thunderbird mail once more (same Message-ID): a duplicate
	deliver thunderbird-reply.eml topic $MAR - "Jürgen Müller <j.mueller@kreis-musterstadt.example>"
	n=$((n + 1))
	if [ "$source" = maildir ]; then
		cp "$dir/mail-1.eml" "$dir/var/inbox/new/200$n.M$n.test"
	else
		dovecot_save "$dir/mail-1.eml"
	fi
	run 2027-02-05T09:00
	grep -q '(1 topic, 0 held for the chair, 1 duplicate)' "$dir/run-2027-02-05T09:00.out" ||
		fail "$name: duplicate: $(cat "$dir/run-2027-02-05T09:00.out")"

	# a second fetch processes nothing again
	ctl fetch --now 2027-02-05T09:10 > "$dir/fetch.out" 2>&1 || fail "$name: fetch: $(cat "$dir/fetch.out")"
	grep -q '^fetched 0 new messages' "$dir/fetch.out" || fail "$name: second fetch: $(cat "$dir/fetch.out")"

	ctl topics --json > "$dir/topics.json" || fail "$name: topics --json"
	ctl inbox --json > "$dir/inbox.json" || fail "$name: inbox --json"
	$PY "$top_srcdir/tests/check_topics.py" "$dir/var/outbox" "$dir/expected.tsv" \
		"$dir/topics.json" "$dir/inbox.json" "$source" || fail "$name: check_topics.py"

	# the chair: the held non-member mail becomes a topic of February
	ctl inbox --held --json > "$dir/held.json"
	$PY - "$dir/held.json" > "$dir/held.id" <<'PYEOF' || fail "$name: inbox --held: $(cat "$dir/held.json")"
import json, sys
held = json.load(open(sys.argv[1]))
assert len(held) == 1 and held[0]["from"].lower() == "vertrieb@software-anbieter.example", held
assert held[0]["class"] == "stranger", held
print(held[0]["id"])
PYEOF
	id=$(cat "$dir/held.id")
	ctl inbox accept "$id" --meeting $MAR > "$dir/accept.out" || fail "$name: inbox accept"
	[ "$(ctl inbox --held --json | tr -d ' \n')" = "[]" ] || fail "$name: still held after accept"
	expect_exit 65 "$GREMIUMCTL" -c "$conf" inbox accept "$id"
	ctl topics --meeting $MAR --json > "$dir/mar.json"
	$PY - "$dir/mar.json" <<'PYEOF' || fail "$name: accepted topic"
import json, sys
t = json.load(open(sys.argv[1]))
acc = [x for x in t if x["member"] and x["member"].lower() == "vertrieb@software-anbieter.example"]
assert len(acc) == 1 and acc[0]["source"] == "mail" and acc[0]["state"] == "active", t
assert "Kooperationsangebot" in acc[0]["title"], acc[0]
PYEOF
	# nothing is ever sent to the stranger, even after the accept
	run 2027-02-06T09:00
	grep -rqil '^To:.*software-anbieter' "$dir/var/outbox" && fail "$name: the stranger got mail"
	echo "$name: ok"
}

# An admin's override of the confirmation: check validates it, and the
# confirmations of the imap run use it.
tconf=$(example_config)
sed -i 's|^# templates = "templates";|templates = "templates";|' "$tconf"
mkdir -p "$WORK/etc/templates"
printf 'Thema {title}\n\n{member_name}: {bogus}\n' > "$WORK/etc/templates/topic-confirmation.de.txt"
printf 'inbound = { source = "maildir"; maildir = "var/inbox"; };\n' >> "$tconf"
expect_exit 78 "$GREMIUMCTL" -c "$tconf" check
"$GREMIUMCTL" -c "$tconf" check 2>&1 | grep -q 'topic-confirmation.de.txt:3: .*bogus' ||
	fail "check does not name the bad placeholder: $("$GREMIUMCTL" -c "$tconf" check 2>&1)"
# check test-renders it with the longest title (200 bytes) only when the
# config reads a mailbox: 1,400 titles pass 256 KiB
$PY -c 'print("Thema\n\n" + "{title}" * 1400)' > "$WORK/etc/templates/topic-confirmation.de.txt"
expect_exit 78 "$GREMIUMCTL" -c "$tconf" check
"$GREMIUMCTL" -c "$tconf" check 2>&1 | grep -q 'topic-confirmation.de.txt:1: renders to more than 256 KiB.*{title} of 200 bytes' ||
	fail "check: $("$GREMIUMCTL" -c "$tconf" check 2>&1)"
sed -i '/^inbound = /d' "$tconf"
"$GREMIUMCTL" -c "$tconf" check > /dev/null 2>&1 || fail "check renders the confirmation without a mailbox"
OVERRIDE='Ihr Thema: {title}

Guten Tag {member_name}, Thema „{title}“ für {date} ({old_date}), Frist {deadline}.
'

scenario maildir maildir
dovecot_start
cleanup_hooks="dovecot_stop $cleanup_hooks"
scenario imap imap
[ "$(dovecot_count INBOX)" -eq 0 ] || fail "IMAP INBOX not emptied"
[ "$(dovecot_count gremiumd-done)" -eq 13 ] || fail "done folder: $(dovecot_count gremiumd-done)"
# a wrong password: fetch says why and exits 69; nothing is recorded
printf 'wrong-password\n' > "$WORK/wrong-password"
sed "s|password_file = \"[^\"]*\"|password_file = \"$WORK/wrong-password\"|" "$WORK/imap/etc/gremiumd.conf" > "$WORK/imap/etc/wrong.conf"
rows=$("$GREMIUMCTL" -c "$WORK/imap/etc/gremiumd.conf" inbox --json | grep -c '"id"')
set +e
"$GREMIUMCTL" -c "$WORK/imap/etc/wrong.conf" fetch > "$WORK/wrong.out" 2> "$WORK/wrong.err"
rc=$?
set -e
[ $rc -eq 69 ] || fail "fetch with a wrong password exited $rc: $(cat "$WORK/wrong.err")"
grep -q '^gremiumctl: fetch: mailbox: ' "$WORK/wrong.err" || fail "no reason: $(cat "$WORK/wrong.err")"
[ "$("$GREMIUMCTL" -c "$WORK/imap/etc/gremiumd.conf" inbox --json | grep -c '"id"')" -eq "$rows" ] ||
	fail "a failed fetch recorded something"
echo "e2e_topics: ok"
