#!/bin/sh
# End-to-end: the letter parser (tests/letter_probe, src/letter.c) against
# Python's email package on every fixture of tests/fixtures/inbound and on
# a 30 MB mail made here (not committed): From, Message-ID, In-Reply-To,
# References, Subject and Date must agree (tests/check_letter.py); the
# 30 MB mail's text comes out cut at LETTER_MAX_TEXT and marked.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

PROBE=$top_builddir/tests/letter_probe
[ -x "$PROBE" ] || fail "build tests/letter_probe first (make check builds it)"

# 30 MB: a reply of a member with a long text/plain part, quoted-printable,
# and a 20 MB base64 attachment, as an Outlook reply with a large file
$PY - "$WORK/big.eml" <<'PYEOF'
import base64, quopri, sys
call = "gremium.kommunalgremium.topic-call.8c1f2e9a47b3d605@fitko.example"
line = "Zeile mit Umlauten äöü – und noch etwas Text, damit die Zeile lang wird.\n"
text = ("Thema: Ein sehr langer Bericht.\n\n" + line * 120000).encode("cp1252")
att = base64.encodebytes(bytes(range(256)) * (20 * 1024 * 1024 // 256))
with open(sys.argv[1], "wb") as f:
    f.write(("From: =?iso-8859-1?Q?M=FCller=2C_J=FCrgen?= <juergen.mueller@landkreis-musterstadt.example>\r\n"
             "To: kommunalgremium@fitko.example\r\n"
             "Subject: AW: [Kommunalgremium] Themenanmeldung\r\n"
             "Date: Mon, 14 Dec 2026 09:12:01 +0000\r\n"
             "Message-ID: <big.30mb@landkreis-musterstadt.example>\r\n"
             f"In-Reply-To: <{call}>\r\nReferences: <{call}>\r\n"
             "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
             "--b\r\nContent-Type: text/plain; charset=\"Windows-1252\"\r\n"
             "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode())
    f.write(quopri.encodestring(text).replace(b"\n", b"\r\n"))
    f.write(b"\r\n--b\r\nContent-Type: application/octet-stream; name=\"daten.bin\"\r\n"
            b"Content-Disposition: attachment; filename=\"daten.bin\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n")
    f.write(att.replace(b"\n", b"\r\n"))
    f.write(b"--b--\r\n")
PYEOF
size=$(wc -c < "$WORK/big.eml")
[ "$size" -gt $((30 * 1000 * 1000)) ] || fail "the big mail has only $size bytes"

$PY "$top_srcdir/tests/check_letter.py" "$PROBE" "$top_srcdir"/tests/fixtures/inbound/*.eml \
	"$WORK/big.eml" > "$WORK/check.out" || { cat "$WORK/check.out"; fail "check_letter.py"; }
n=$(grep -c ': ok (' "$WORK/check.out" || true)
# every fixture but the garbage (invalid for both) agrees, and the big one
[ "$n" -eq "$(($(ls "$top_srcdir"/tests/fixtures/inbound/*.eml | wc -l)))" ] ||
	{ cat "$WORK/check.out"; fail "$n files agree"; }

"$PROBE" "$WORK/big.eml" > "$WORK/big.json"
$PY - "$WORK/big.json" <<'PYEOF' || fail "the 30 MB mail"
import json, sys
l = json.load(open(sys.argv[1]))
assert l["invalid"] is None, l["invalid"]
assert l["from"] == "juergen.mueller@landkreis-musterstadt.example", l["from"]
text = l["text"]
assert len(text.encode()) <= 64 * 1024, len(text.encode())
assert len(text.encode()) > 60 * 1024, len(text.encode())
assert text.startswith("Thema: Ein sehr langer Bericht.\n\nZeile mit Umlauten äöü – und"), text[:80]
assert text.endswith("\n[…]"), text[-20:]
a = l["attachments"]
assert len(a) == 1 and a[0]["name"] == "daten.bin" and a[0]["size"] == 20 * 1024 * 1024, a
PYEOF
echo "e2e_letter: $n files agree with Python's email package; the 30 MB mail is cut and marked"
