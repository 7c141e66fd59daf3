#!/bin/sh
# Benchmark: mail throughput into Postfix's smtp-sink on 127.0.0.1 (a free
# port), three ways, one after the other into the same sink:
#   smtp-source  -s 4 -d -l 4096 -m 10000: Postfix's own load generator
#   gremiumd     `gremiumctl run-once --now 2026-12-23T09:00` on a generated
#                config of 5,000 members with one monthly series: at that
#                moment the invitation and the call for topics of the
#                13 January 2027 meeting are both due, 10,000 mails in one
#                run (transport smtp, starttls off on loopback, connections
#                4); timed as a whole (plan + render + enqueue + send) and
#                its send phase alone; peak RSS with GNU time
#   python       bench/python_baseline.py: icalendar + email + smtplib, the
#                same 10,000 mails over 4 reused connections
# Prints the msgs/s of each, the ratios gremiumd/smtp-source and
# gremiumd/python, and gremiumd's peak RSS.  Targets: >= 0.5, >= 10,
# < 64 MiB.
#
# Usage: bench/throughput.sh   (env: GREMIUMCTL, default build/src/gremiumctl;
#                                BENCH_MEMBERS, default 5000)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
GREMIUMCTL=${GREMIUMCTL:-$top/build/src/gremiumctl}
members=${BENCH_MEMBERS:-5000}
mails=$((members * 2))
PY=/usr/bin/python3
PATH=$PATH:/usr/sbin

for tool in smtp-sink smtp-source; do
	command -v "$tool" > /dev/null || { echo "bench/throughput.sh: $tool is missing (postfix; scripts/install-deps)" >&2; exit 69; }
done
[ -x /usr/bin/time ] || { echo "bench/throughput.sh: GNU time is missing (scripts/install-deps)" >&2; exit 69; }
$PY -c 'import icalendar' 2>/dev/null || { echo "bench/throughput.sh: python3-icalendar is missing" >&2; exit 69; }
[ -x "$GREMIUMCTL" ] || { echo "bench/throughput.sh: build gremiumctl first ($GREMIUMCTL)" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gremium-bench.XXXXXX")
sink=
cleanup() {
	[ -z "$sink" ] || kill "$sink" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# as root, smtp-sink wants an unprivileged user to switch to
user=
[ "$(id -u)" -ne 0 ] || user="-u nobody"
# shellcheck disable=SC2086
smtp-sink $user 127.0.0.1:"$port" 1000 &
sink=$!
i=0
until $PY -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; do
	i=$((i + 1)); [ $i -le 50 ] || { echo "bench/throughput.sh: smtp-sink did not start" >&2; exit 1; }
	sleep 0.1
done

# ---- smtp-source ----
t0=$($PY -c 'import time; print(time.monotonic())')
timeout 120 smtp-source -s 4 -d -l 4096 -m "$mails" 127.0.0.1:"$port"
t1=$($PY -c 'import time; print(time.monotonic())')
source_secs=$($PY -c "print('%.3f' % ($t1 - $t0))")

# ---- gremiumd ----
mkdir -p "$work/g"
$PY - "$members" "$port" "$work/g/gremiumd.conf" <<'EOT'
import sys
n, port, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
members = ",\n".join('  { name = "Mitglied %d Müller"; email = "member%05d@list.example"; group = "all"; }'
                     % (i, i) for i in range(n))
open(out, "w").write('''committee = {
  name = "Informationsliste Kommunalgremium"; short_name = "Infoliste";
  domain = "fitko.example"; timezone = "Europe/Berlin"; language = "de";
  organizer = { name = "FITKO (Vorsitz)"; email = "kommunalgremium@fitko.example"; };
  topics_address = "themen@fitko.example";
};
groups = ( { id = "all"; name = "Alle"; } );
members = (
%s
);
series = (
  { id = "online"; summary = "Kommunalgremium – Online-Sitzung";
    description = "Monatliche Sitzung des Kommunalgremiums.";
    rrule = "FREQ=MONTHLY;BYDAY=2WE"; start = "2026-01-14T10:00"; duration = 120;
    location = "Videokonferenz"; url = "https://video.fitko.example/kommunalgremium"; }
);
notifications = { send_time = "09:00"; topic_call = { days_before = 21; deadline_days_before = 7; };
                  reminders_days_before = [ 7, 1 ]; };
delivery = { transport = "smtp"; smtp_url = "smtp://127.0.0.1:%s"; starttls = "off";
             connections = 4; retry_for_hours = 48; };
state = "var/state.db";
''' % (members, port))
EOT
# each stdout line with the seconds since the start: "planned" ends the
# planning phase, "sent" the send phase
/usr/bin/time -f '%e %M' -o "$work/g/time" $PY -c '
import subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"})
for line in p.stdout:
    print("%.3f %s" % (time.monotonic() - t0, line.decode().rstrip()))
sys.exit(p.wait())
' stdbuf -oL "$GREMIUMCTL" -c "$work/g/gremiumd.conf" run-once --now 2026-12-23T09:00 > "$work/g/out"
cat "$work/g/out"
grep -q " sent $mails, to retry 0, failed 0 (smtp)$" "$work/g/out" ||
	{ echo "bench/throughput.sh: gremiumd did not send $mails mails" >&2; exit 1; }
plan_secs=$(awk '$2 == "planned" { print $1 }' "$work/g/out")
total_secs=$(awk '$2 == "sent" { print $1 }' "$work/g/out")
rss_kib=$(awk '{ print $2 }' "$work/g/time")
# GNU time measured the python wrapper's tree: its max RSS is the largest
# process, gremiumctl (the wrapper is ~10 MiB)

# ---- python ----
py_out=$(timeout 300 $PY "$top/bench/python_baseline.py" 127.0.0.1 "$port" "$members" 4)
py_mails=${py_out% *}
py_secs=${py_out#* }
[ "$py_mails" -eq "$mails" ] || { echo "bench/throughput.sh: python sent $py_mails mails" >&2; exit 1; }

$PY - "$mails" "$source_secs" "$plan_secs" "$total_secs" "$py_secs" "$rss_kib" <<'EOT'
import sys
n = int(sys.argv[1])
src, plan, total, py, rss = (float(x) for x in sys.argv[2:])
g, gs, s, p = n / total, n / (total - plan), n / src, n / py
print("mails per run:          %d" % n)
print("smtp-source:            %8.0f msgs/s  (%.2f s)" % (s, src))
print("gremiumd (whole run):   %8.0f msgs/s  (%.2f s: plan+render+enqueue %.2f s, send %.2f s)"
      % (g, total, plan, total - plan))
print("gremiumd (send phase):  %8.0f msgs/s" % gs)
print("python baseline:        %8.0f msgs/s  (%.2f s)" % (p, py))
print("gremiumd/smtp-source:   %8.2f whole run, %.2f send phase  (target >= 0.5)" % (g / s, gs / s))
print("gremiumd/python:        %8.1f whole run  (target >= 10)" % (g / p))
print("gremiumd peak RSS:      %8.1f MiB  (target < 64)" % (rss / 1024))
EOT
