#!/bin/sh
# Benchmark: the feed from gremiumd's built-in server against nginx (one
# worker) serving the same bytes as a static file with the same
# Content-Type, both on 127.0.0.1 with free ports, with wrk.  Prints
# requests/s of each and the ratio gremiumd/nginx (target >= 0.8), for
# plain GETs (wrk) and conditional GETs answered with 304 (see load.py).
#
# Usage: bench/feed.sh   (env: GREMIUMD, default build/src/gremiumd;
#                          BENCH_SECONDS, default 10; BENCH_CONNECTIONS, 50;
#                          BENCH_ROUNDS, default 3)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
GREMIUMD=${GREMIUMD:-$top/build/src/gremiumd}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-50}
PY=/usr/bin/python3

for tool in wrk nginx curl; do
	command -v "$tool" > /dev/null || [ -x "/usr/sbin/$tool" ] ||
		{ echo "bench/feed.sh: $tool is missing (scripts/install-deps)" >&2; exit 69; }
done
[ -x "$GREMIUMD" ] || { echo "bench/feed.sh: build gremiumd first ($GREMIUMD)" >&2; exit 69; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d "${TMPDIR:-/tmp}/gremium-bench.XXXXXX")
gpid=
npid=
cleanup() {
	[ -z "$gpid" ] || kill "$gpid" 2>/dev/null || true
	[ -z "$npid" ] || kill "$npid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# wait_up URL: poll (bounded, 10 s) until URL answers 200
wait_up() {
	i=0
	until [ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$1")" = 200 ]; do
		i=$((i + 1)); [ $i -le 100 ] || { echo "bench/feed.sh: $1 never answered" >&2; exit 1; }
		sleep 0.1
	done
}
# rps ARGS...: wrk's requests/s (wrk itself bounded by timeout)
rps() {
	timeout $((secs + 30)) wrk -t2 -c"$conns" -d"${secs}s" "$@" | awk '/^Requests\/sec:/ { print $2 }'
}

# gremiumd with the example config, feed.listen on a free port
gport=$(free_port)
mkdir -p "$work/etc"
sed -e "s|^  listen = \"\";|  listen = \"127.0.0.1:$gport\";|" "$top/etc/gremiumd.conf" > "$work/etc/gremiumd.conf"
"$GREMIUMD" -c "$work/etc/gremiumd.conf" 2> "$work/gremiumd.log" &
gpid=$!
gurl=http://127.0.0.1:$gport/kommunalgremium.ics
wait_up "$gurl"

# nginx, one worker, the same bytes as a static file
nport=$(free_port)
mkdir -p "$work/www"
cp "$work/etc/var/kommunalgremium.ics" "$work/www/"
chmod 755 "$work" "$work/www" && chmod 644 "$work/www/kommunalgremium.ics" # readable by nginx's worker user
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	open_file_cache max=16;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$nport;
		root $work/www;
		location = /kommunalgremium.ics {
			types { }
			default_type "text/calendar; charset=utf-8";
		}
	}
}
EOF
"$NGINX" -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
npid=$!
nurl=http://127.0.0.1:$nport/kommunalgremium.ics
wait_up "$nurl"
cmp -s "$work/www/kommunalgremium.ics" "$work/etc/var/kommunalgremium.ics"

etag=$(curl -s -D - -o /dev/null "$gurl" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
netag=$(curl -s -D - -o /dev/null "$nurl" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$gurl")" = 304 ] ||
	{ echo "bench/feed.sh: gremiumd gives no 304" >&2; exit 1; }

# wrk's bundled http_parser waits for a body after a 304 that carries a
# Content-Length, as gremiumd's do (RFC 7230 §3.3.2 allows the 200's length
# there; nginx leaves the header out), and then counts nothing.  So the
# conditional GETs of both servers are measured with this small keep-alive
# load generator instead (2 processes, the same number of connections); it
# is slower than wrk, so its figures are not comparable with the GET ones.
cat > "$work/load.py" <<'EOF'
import asyncio, os, sys
port, path, conns, secs, header = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n\r\n" % (path, header)).encode()

class Client(asyncio.Protocol):
    def __init__(self, stats):
        self.stats, self.buf = stats, b""
    def connection_made(self, transport):
        self.transport = transport
        transport.write(req)
    def data_received(self, data):
        # only 304s are expected: a response ends at its blank line
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            if not head.startswith(b"HTTP/1.1 304"):
                self.stats[1] += 1
            self.stats[0] += 1
            self.transport.write(req)

async def run(n):
    stats = [0, 0]
    loop = asyncio.get_running_loop()
    for _ in range(n):
        await loop.create_connection(lambda: Client(stats), "127.0.0.1", port)
    await asyncio.sleep(secs)
    return stats

rd, wr = os.pipe()
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        done, bad = asyncio.run(run(conns // 2))
        os.write(wr, ("%d %d\n" % (done, bad)).encode())
        os._exit(0)
    kids.append(pid)
os.close(wr)
for pid in kids:
    os.waitpid(pid, 0)
with os.fdopen(rd) as f:
    counts = [tuple(map(int, line.split())) for line in f if line.strip()]
if len(counts) != 2 or sum(c[1] for c in counts):
    sys.exit("load.py: a worker failed or got answers other than 304: %r" % counts)
print("%.2f" % (sum(c[0] for c in counts) / secs))
EOF
# cond PORT ETAG: conditional GETs per second
cond() {
	timeout $((secs + 30)) $PY "$work/load.py" "$1" /kommunalgremium.ics "$conns" "$secs" "If-None-Match: $2"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

size=$(wc -c < "$work/www/kommunalgremium.ics" | tr -d ' ')
rounds=${BENCH_ROUNDS:-3}
echo "feed: $size bytes; $(nproc) CPUs; $rounds rounds alternating the servers, median of each"
echo "GET: wrk -t2 -c$conns -d${secs}s; conditional GET (If-None-Match -> 304): load.py, $conns connections, ${secs}s"
: > "$work/n_get"; : > "$work/g_get"; : > "$work/n_304"; : > "$work/g_304"
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	rps "$nurl" >> "$work/n_get"
	rps "$gurl" >> "$work/g_get"
	cond "$nport" "$netag" >> "$work/n_304"
	cond "$gport" "$etag" >> "$work/g_304"
done
n_get=$(median < "$work/n_get"); g_get=$(median < "$work/g_get")
n_304=$(median < "$work/n_304"); g_304=$(median < "$work/g_304")
nv=$($NGINX -v 2>&1 | sed 's/.*nginx\///')
printf '%-42s %10s req/s   (runs: %s)\n' \
	"nginx $nv (1 worker), GET" "$n_get" "$(tr '\n' ' ' < "$work/n_get")" \
	"gremiumd, GET" "$g_get" "$(tr '\n' ' ' < "$work/g_get")" \
	"nginx $nv (1 worker), conditional GET" "$n_304" "$(tr '\n' ' ' < "$work/n_304")" \
	"gremiumd, conditional GET" "$g_304" "$(tr '\n' ' ' < "$work/g_304")"
awk -v g="$g_get" -v n="$n_get" -v g3="$g_304" -v n3="$n_304" 'BEGIN {
	printf "ratio gremiumd/nginx: GET %.2f, conditional GET %.2f (target >= 0.8)\n", g / n, g3 / n3 }'
