#!/usr/bin/python3
# Independent check of `gremiumctl topics --json` and `gremiumctl inbox
# --json` (DESIGN.md, phase 2): one JSON array of objects with exactly the
# contract's fields and types, times ISO 8601 with the offset the committee's
# zone has at that instant, meetings as WHEN, and (topics) the active topics
# of each meeting numbered 1..n.  Prints one canonical line per object for
# the shell test to compare:
#   topics: id|meeting|series|position|title|text|member|organisation|source|state
#   inbox:  id|message_id|from|subject|received|class|outcome
# (None as "-", newlines as "\n"), and with --received the received times.
#
# usage: check_chair_json.py topics|inbox TIMEZONE < JSON
import datetime
import json
import re
import sys
import zoneinfo

FIELDS = {
    "topics": ["id", "meeting", "series", "position", "title", "text", "member",
               "organisation", "received", "source", "state"],
    "inbox": ["id", "message_id", "from", "subject", "received", "class", "outcome"],
}
WHEN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
CLASSES = {"topic", "reply", "dsn", "auto", "stranger", "invalid", "too-large"}


def fail(msg):
    print("check_chair_json: " + msg, file=sys.stderr)
    sys.exit(1)


def check_time(s, tz, where):
    if not isinstance(s, str) or not ISO.match(s):
        fail(f"{where}: received {s!r} is not ISO 8601 with an offset")
    t = datetime.datetime.fromisoformat(s)
    want = t.astimezone(tz).utcoffset()
    if t.utcoffset() != want:
        fail(f"{where}: received {s} has offset {t.utcoffset()}, the zone has {want}")


def show(v):
    if v is None:
        return "-"
    return str(v).replace("\\", "\\\\").replace("\n", "\\n")


def check_topic(o, where):
    for k in ("meeting", "series", "title", "source", "state"):
        if not isinstance(o[k], str) or not o[k]:
            fail(f"{where}: {k} {o[k]!r} is not a non-empty string")
    for k in ("text", "member", "organisation"):
        if o[k] is not None and not isinstance(o[k], str):
            fail(f"{where}: {k} {o[k]!r} is neither a string nor null")
    if not WHEN.match(o["meeting"]):
        fail(f"{where}: meeting {o['meeting']!r} is not YYYY-MM-DDTHH:MM")
    if o["source"] not in ("mail", "chair") or o["state"] not in ("active", "withdrawn"):
        fail(f"{where}: source {o['source']!r} or state {o['state']!r}")
    if o["state"] == "active":
        if not isinstance(o["position"], int) or isinstance(o["position"], bool):
            fail(f"{where}: active, position {o['position']!r}")
    elif o["position"] is not None:
        fail(f"{where}: withdrawn with position {o['position']!r}")


def check_dense(items):
    by_meeting = {}
    for o in items:
        if o["state"] == "active":
            by_meeting.setdefault(o["meeting"], []).append(o["position"])
    for m, pos in by_meeting.items():
        if pos != list(range(1, len(pos) + 1)):
            fail(f"meeting {m}: positions {pos} are not 1..n in order")
    meetings = [o["meeting"] for o in items]
    if meetings != sorted(meetings):
        fail(f"topics not by meeting: {meetings}")


def check_mail(o, where):
    for k in ("message_id", "from", "subject"):
        if o[k] is not None and not isinstance(o[k], str):
            fail(f"{where}: {k} {o[k]!r} is neither a string nor null")
    if o["class"] not in CLASSES:
        fail(f"{where}: class {o['class']!r}")
    if not isinstance(o["outcome"], str):
        fail(f"{where}: outcome {o['outcome']!r}")


def main():
    what, tz = sys.argv[1], zoneinfo.ZoneInfo(sys.argv[2])
    with_received = "--received" in sys.argv[3:]
    raw = sys.stdin.read()
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as e:
        fail(f"not JSON ({e}): {raw[:200]!r}")
    if not isinstance(items, list):
        fail("not an array")
    ids = []
    for i, o in enumerate(items):
        where = f"{what}[{i}]"
        if not isinstance(o, dict) or list(o.keys()) != FIELDS[what]:
            fail(f"{where}: fields {list(o) if isinstance(o, dict) else o!r}, want {FIELDS[what]}")
        if not isinstance(o["id"], int) or o["id"] < 1:
            fail(f"{where}: id {o['id']!r}")
        ids.append(o["id"])
        check_time(o["received"], tz, where)
        if what == "topics":
            check_topic(o, where)
        else:
            check_mail(o, where)
    if len(set(ids)) != len(ids):
        fail(f"ids twice: {ids}")
    if what == "topics":
        check_dense(items)
    elif ids != sorted(ids):
        fail(f"inbox not in the order received: {ids}")
    for o in items:
        keys = [k for k in FIELDS[what] if k != "received" or with_received]
        print("|".join(show(o[k]) for k in keys))


main()
