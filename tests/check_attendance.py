#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Independent checks of tests/e2e_attendance.sh (Debian's python3-icalendar
and Python's email package): the answers delivered (DIR/mail-*.eml) are
read with icalendar, their RECURRENCE-IDs converted to the committee's zone
here, and compared with `gremiumctl attendance --json` (DIR/feb.json,
DIR/apr.json, DIR/juergen.json) and `inbox --json` (DIR/inbox.json).

  check_attendance.py DIR FIXTURES
"""
import email
import glob
import json
import os
import sys
import zoneinfo

import icalendar

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
FEB, APR = "2027-02-10T10:00", "2027-04-14T10:00"
DEPUTY = "vertretung@kommune-beispiel.example"
COMMENT = "komme 30 min später"

# member -> (answer, deputy, comment) at FEB and at APR, for the hand-made
# shapes (Outlook, Gmail, Apple); Thunderbird's own answers are added below
EXPECTED = {
    "juergen.mueller@landkreis-musterstadt.example": (("declined", None, COMMENT),
                                                      ("accepted", None, COMMENT)),
    "sabine.krueger@stadt-musterburg.example": (("tentative", None, COMMENT),
                                                ("tentative", None, COMMENT)),
    "m.baecker@gemeinde-talheim.example": (("accepted", None, COMMENT), ("none", None, None)),
    "oezlem.yildiz@markt-bergdorf.example": (("tentative", None, COMMENT),
                                             ("accepted", None, COMMENT)),
    "frank.hoefer@kommunal-it-sued.example": (("delegated", DEPUTY, None),
                                              ("delegated", DEPUTY, None)),
    "andrea.gruenewald@regio-rechenzentrum.example": (("declined", None, COMMENT),
                                                      ("none", None, None)),
    "doerte.hansen@hansestadt-nordhafen.example": (("delegated", DEPUTY, None),
                                                   ("none", None, None)),
    "ulrike.soerensen@amt-seeland.example": (("declined", None, None), ("declined", None, None)),
    # the forged, unknown and COUNTER answers changed nothing
    "lars.nussbaum@dataport-beispiel.example": (("none", None, None), ("none", None, None)),
    "stefan.duerr@kgst-beispiel.example": (("none", None, None), ("none", None, None)),
    "bjoern.schroeder@landkreis-oberau.example": (("none", None, None), ("none", None, None)),
}
FIELDS = ["meeting", "series", "member", "name", "group", "organisation", "answer", "deputy",
          "comment", "answered"]


def calendar_of(path):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read())
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return msg, icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("%s: no text/calendar part" % path)


def local(dt):
    if not hasattr(dt, "hour"):
        return dt.isoformat()
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BERLIN)
    return dt.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def thunderbird(d, fixtures):
    """What Käthe's Thunderbird answers make, by the rule: per meeting the
    latest (DTSTAMP, then arrival) answer for it, else for the series."""
    series, occ = {}, {}
    answers = []
    for path in glob.glob(os.path.join(d, "mail-*.eml")):
        msg, cal = calendar_of(path)
        if "Mozilla" not in str(cal.get("PRODID")):
            continue
        for ev in cal.walk("VEVENT"):
            # later wins: DTSTAMP, then arrival (the mail's number)
            arrival = int(path.rsplit("-", 1)[1].split(".")[0])
            answers.append((ev.get("DTSTAMP").dt, arrival, ev))
    assert len(answers) == 8, "%d Thunderbird answers delivered" % len(answers)
    for _, _, ev in sorted(answers, key=lambda a: a[:2]):
        att = ev.get("ATTENDEE")
        addr = str(att).split(":", 1)[1].lower()
        ps = att.params.get("PARTSTAT").lower()
        deputy = att.params.get("DELEGATED-TO")
        deputy = deputy.split(":", 1)[1].lower() if deputy else None
        comment = str(ev.get("COMMENT")) if ev.get("COMMENT") else None
        rid = ev.get("RECURRENCE-ID")
        if rid is None:
            series[addr] = (ps, deputy, comment)
        else:
            occ[(addr, local(rid.dt))] = (ps, deputy, comment)
    for addr in set(series) | {a for a, _ in occ}:
        none = ("none", None, None)
        EXPECTED[addr] = (occ.get((addr, FEB), series.get(addr, none)),
                          occ.get((addr, APR), series.get(addr, none)))


def check_rids(d):
    """Each occurrence answer delivered names FEB in the committee's zone,
    whatever zone its client wrote (Windows name, UTC, Olson)."""
    n = 0
    for path in glob.glob(os.path.join(d, "mail-*.eml")):
        msg, cal = calendar_of(path)
        for ev in cal.walk("VEVENT"):
            rid = ev.get("RECURRENCE-ID")
            if rid is not None:
                assert local(rid.dt) == FEB, (path, rid.to_ical())
                n += 1
    assert n >= 10, "only %d occurrence answers delivered" % n


def check_listing(rows, when, idx):
    assert rows, "no rows for %s" % when
    for r in rows:
        assert list(r) == FIELDS, r.keys()
        assert r["meeting"] == when, r
        assert r["series"] == "online", r
        want = EXPECTED.get(r["member"])
        if want is None:
            assert r["answer"] == "none", r
            continue
        got = (r["answer"], r["deputy"], r["comment"])
        assert got == want[idx], "%s at %s: %r, expected %r" % (r["member"], when, got, want[idx])
        assert (r["answered"] is None) == (r["answer"] == "none"), r
        if r["answered"]:
            assert r["answered"][-6:] in ("+01:00", "+02:00"), r
    members = {r["member"] for r in rows}
    assert members >= set(EXPECTED), set(EXPECTED) - members


def check_inbox(inbox):
    assert all(r["class"] == "reply" for r in inbox), [r["class"] for r in inbox]
    held = [r for r in inbox if r["outcome"].startswith("held:")]
    why = sorted(r["outcome"] for r in held)
    assert len(held) == 3, why
    assert any("claims another member's address (juergen.mueller@" in w for w in why), why
    assert any("never sent to this member" in w for w in why), why
    assert any("proposes a new time 2027-02-10T14:00 - 2027-02-10T16:00" in w for w in why), why
    for r in inbox:
        if r not in held:
            assert r["outcome"].split()[0] in ("accepted", "declined", "tentative", "delegated"), r
    # the decline written before the acceptance arrived after it: kept, not applied
    late = [r for r in inbox if "older than the answer recorded" in r["outcome"]]
    assert len(late) == 1 and late[0]["from"].startswith("oezlem."), late


def main():
    d, fixtures = sys.argv[1], sys.argv[2]
    thunderbird(d, fixtures)
    check_rids(d)
    check_listing(json.load(open(os.path.join(d, "feb.json"))), FEB, 0)
    check_listing(json.load(open(os.path.join(d, "apr.json"))), APR, 1)
    rows = json.load(open(os.path.join(d, "juergen.json")))
    assert {r["member"] for r in rows} == {"juergen.mueller@landkreis-musterstadt.example"}, rows
    assert any(r["meeting"] == "2027-01-20T14:00" and r["answer"] == "accepted" for r in rows), rows
    check_inbox(json.load(open(os.path.join(d, "inbox.json"))))
    print("check_attendance: %d members checked" % len(EXPECTED))


if __name__ == "__main__":
    main()
