#!/bin/sh
# End-to-end: the README's nginx recipe in front of gremiumd's feed.
# The `location = /kommunalgremium.ics` block is taken from README.md as
# written (only the port differs) and run with Debian's nginx on a loopback
# port, as the test's user (-p prefix; pid, logs and temp files in $WORK):
# GET through nginx gives 200 with the calendar and gremiumd's validators,
# a conditional GET (If-None-Match, or If-Modified-Since) gives 304, a
# stale ETag gives 200 again.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v curl > /dev/null || fail "curl is missing (scripts/install-deps installs it)"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || fail "nginx is missing (scripts/install-deps installs nginx-light)"

conf=$(example_config)
port=$(free_port)
sed -i "s|^  listen = \"\";|  listen = \"127.0.0.1:$port\";|" "$conf"
grep -q "listen = \"127.0.0.1:$port\"" "$conf" || fail "test setup: no 'listen = \"\";' line in the example"

# The recipe: the location block of README.md's nginx example.
location=$(awk '/^    location = \/kommunalgremium\.ics \{/ { on = 1 } on { print } on && /^    \}/ { exit }' \
	"$top_srcdir/README.md")
echo "$location" | grep -q 'proxy_pass http://127.0.0.1:8080;' || fail "README.md has no nginx proxy_pass recipe: $location"
location=$(echo "$location" | sed "s|127.0.0.1:8080|127.0.0.1:$port|")

nport=$(free_port)
n=$WORK/nginx
mkdir -p "$n/logs"
{
	# as root, nginx would run its workers as nobody, who may not enter $WORK
	[ "$(id -u)" -ne 0 ] || echo "user root root;"
	cat <<EOT
pid $n/nginx.pid;
error_log $n/logs/error.log;
events { worker_connections 64; }
http {
    access_log $n/logs/access.log;
    client_body_temp_path $n/body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;
    server {
        listen 127.0.0.1:$nport;
        server_name localhost;
$location
    }
}
EOT
} > "$n/nginx.conf"
"$nginx" -t -q -p "$n" -e "$n/logs/error.log" -c "$n/nginx.conf" || fail "nginx -t: $(cat "$n/logs/error.log")"

"$GREMIUMD" -c "$conf" 2> "$WORK/daemon.log" &
daemon=$!
"$nginx" -p "$n" -e "$n/logs/error.log" -c "$n/nginx.conf" -g 'daemon off;' &
proxy=$!
stop_all() {
	kill "$proxy" "$daemon" 2>/dev/null
	wait "$proxy" 2>/dev/null
	wait "$daemon" 2>/dev/null
}
cleanup_hooks="stop_all"

direct=http://127.0.0.1:$port/kommunalgremium.ics
url=http://127.0.0.1:$nport/kommunalgremium.ics
# wait_200 URL: poll (bounded) until URL answers 200
wait_200() {
	i=0
	until [ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1")" = 200 ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "$1 never answered 200: $(cat "$WORK/daemon.log" "$n/logs/error.log")"
		sleep 0.1
	done
}
wait_200 "$direct"
wait_200 "$url"
hdr() { sed -n "s/^$1: *//Ip" "$2" | tr -d '\r'; }

curl -s --max-time 5 -D "$WORK/direct.h" -o "$WORK/direct.ics" "$direct" || fail "direct GET"
curl -s --max-time 5 -D "$WORK/h" -o "$WORK/body" "$url" || fail "GET through nginx"
head -n 1 "$WORK/h" | grep -q ' 200' || fail "GET through nginx: $(head -n 1 "$WORK/h")"
head -n 1 "$WORK/body" | grep -q '^BEGIN:VCALENDAR' || fail "no calendar through nginx: $(head -c 200 "$WORK/body")"
cmp -s "$WORK/body" "$WORK/direct.ics" || fail "nginx changed the feed"
[ "$(hdr Content-Type "$WORK/h")" = "text/calendar; charset=utf-8" ] || fail "Content-Type: $(hdr Content-Type "$WORK/h")"
etag=$(hdr ETag "$WORK/h")
lm=$(hdr Last-Modified "$WORK/h")
[ -n "$etag" ] && [ "$etag" = "$(hdr ETag "$WORK/direct.h")" ] || fail "ETag through nginx '$etag', direct '$(hdr ETag "$WORK/direct.h")'"
[ -n "$lm" ] || fail "no Last-Modified through nginx"

code() { curl -s -o "$WORK/cbody" --max-time 5 -w '%{http_code}' "$@" "$url"; }
[ "$(code -H "If-None-Match: $etag")" = 304 ] || fail "If-None-Match through nginx: not 304"
[ ! -s "$WORK/cbody" ] || fail "304 with a body"
[ "$(code -H "If-Modified-Since: $lm")" = 304 ] || fail "If-Modified-Since through nginx: not 304"
[ "$(code -H 'If-None-Match: "stale"')" = 200 ] || fail "a stale ETag through nginx: not 200"
cmp -s "$WORK/cbody" "$WORK/direct.ics" || fail "the 200 after a stale ETag is not the feed"
# nginx has no cache here: both 304s are gremiumd's, passed through
grep -c '" 304 ' "$n/logs/access.log" | grep -q '^2$' || fail "nginx access log: $(cat "$n/logs/access.log")"
echo "e2e_nginx: ok"
