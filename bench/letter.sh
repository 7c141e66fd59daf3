#!/bin/sh
# Benchmark: classify 10,000 mixed mails from a maildir (issue 15).
#   maildir   bench/letter_maildir.py fills a temporary maildir's new/ with
#             BENCH_MAILS (default 10,000) mails made from the fixtures of
#             tests/fixtures/inbound (replies from Outlook, Thunderbird,
#             Gmail and Apple Mail, out-of-office notes, a bounce, a
#             non-member, broken MIME, garbage), each with its own
#             Message-ID, From and Subject
#   gremiumd  bench/letter_bench.c: letter_parse() + letter_title() on
#             every file (GMime, libxml2, the quote rules), built -O2
#             against build/src/libgremium.a
#   python    bench/letter_baseline.py: mailbox.Maildir + email
#             (policy=default) + html.parser, the same work and rules
# Both print the same counts (mails, invalid, report, automatic, with a
# text); they must agree.  Rounds alternate the two (BENCH_ROUNDS, default
# 3); GNU time gives the elapsed seconds, the CPU seconds (user + system:
# steadier than elapsed on a shared machine) and the peak RSS.  Memory flat:
# gremiumd's peak RSS on 1,000 mails and on all of them.  Targets:
# python/gremiumd >= 10 (time), RSS(all) / RSS(1,000) < 1.5.
#
# Usage: bench/letter.sh   (env: BUILD, default build; BENCH_MAILS; BENCH_ROUNDS)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
mails=${BENCH_MAILS:-10000}
rounds=${BENCH_ROUNDS:-3}
PY=/usr/bin/python3

[ -x /usr/bin/time ] || { echo "bench/letter.sh: GNU time is missing (scripts/install-deps)" >&2; exit 69; }
[ -f "$build/src/libgremium.a" ] || { echo "bench/letter.sh: build first ($build/src/libgremium.a)" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gremium-letter-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

pkgs="gmime-3.0 libxml-2.0 libical libconfig libcurl sqlite3 libsystemd libmicrohttpd"
# shellcheck disable=SC2046
cc -O2 -Wall -I"$top/src" -I"$build" "$top/bench/letter_bench.c" "$build/src/libgremium.a" \
	$(pkg-config --cflags --libs $pkgs) -pthread -o "$work/letter_bench" ||
	{ echo "bench/letter.sh: cannot build bench/letter_bench.c" >&2; exit 69; }

$PY "$top/bench/letter_maildir.py" "$work/all" "$mails" "$top"/tests/fixtures/inbound/*.eml > /dev/null
$PY "$top/bench/letter_maildir.py" "$work/small" 1000 "$top"/tests/fixtures/inbound/*.eml > /dev/null
echo "maildir: $mails mails, $(du -sh "$work/all" | cut -f1)"

# run NAME CMD...: "SECONDS KB CPU-SECONDS" of one run (elapsed, peak RSS,
# user + system); the counts line in $work/NAME.out
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@" > "$work/$name.out"
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/$name.time"
}

c_times= py_times= c_cpu= py_cpu= c_rss=0 py_rss=0
i=1
while [ $i -le "$rounds" ]; do
	set -- $(run c "$work/letter_bench" "$work/all")
	c_times="$c_times $1"; c_cpu="$c_cpu $3"; [ "$2" -le "$c_rss" ] || c_rss=$2
	set -- $(run py $PY "$top/bench/letter_baseline.py" "$work/all")
	py_times="$py_times $1"; py_cpu="$py_cpu $3"; [ "$2" -le "$py_rss" ] || py_rss=$2
	echo "round $i: gremiumd $(cat "$work/c.time" | cut -d' ' -f1) s, python $(cat "$work/py.time" | cut -d' ' -f1) s"
	i=$((i + 1))
done
counts() { sed 's/ bytes [0-9]*$//' "$1"; }
[ "$(counts "$work/c.out")" = "$(counts "$work/py.out")" ] ||
	{ echo "bench/letter.sh: the counts differ: gremiumd $(cat "$work/c.out"), python $(cat "$work/py.out")" >&2; exit 1; }
echo "both: $(counts "$work/c.out")"
set -- $(run small "$work/letter_bench" "$work/small")
small_rss=$2

$PY - "$mails" "$c_times" "$py_times" "$c_rss" "$py_rss" "$small_rss" "$c_cpu" "$py_cpu" <<'PYEOF'
import statistics, sys
n = int(sys.argv[1])
c = [float(x) for x in sys.argv[2].split()]
p = [float(x) for x in sys.argv[3].split()]
c_rss, py_rss, small = (int(x) / 1024 for x in sys.argv[4:7])
c_cpu = [float(x) for x in sys.argv[7].split()]
p_cpu = [float(x) for x in sys.argv[8].split()]
def row(name, t, cpu, rss):
    print(f"{name:9s} best {min(t):6.2f} s ({n / min(t):8,.0f} mails/s)  median {statistics.median(t):6.2f} s"
          f"  CPU best {min(cpu):6.2f} s  peak RSS {rss:6.1f} MiB")
row("gremiumd", c, c_cpu, c_rss)
row("python", p, p_cpu, py_rss)
print(f"python/gremiumd: {min(p) / min(c):.1f} (best), {statistics.median(p) / statistics.median(c):.1f} (median),"
      f" CPU time {min(p_cpu) / min(c_cpu):.1f}   target >= 10")
print(f"gremiumd peak RSS: {small:.1f} MiB on 1,000 mails, {c_rss:.1f} MiB on {n:,}: x{c_rss / small:.2f}   target < 1.5")
PYEOF
