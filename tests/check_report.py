#!/usr/bin/python3
"""Independent check of the mails of issue 16 (tests/e2e_report.sh): the
chair's report, the requests to answer and the deputy's invitation, read
from the outbox maildir with Python's email package and icalendar.

Usage: check_report.py OUTBOX_DIR EXPECT_JSON CONFIG
"""
import email
import email.policy
import json
import os
import re
import sys

import icalendar


def load(folder):
    mails = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            mails.append(email.message_from_binary_file(f, policy=email.policy.default))
    return mails


def text_of(msg):
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part in %s" % msg["Message-ID"]
    return part.get_content()


def calendar_of(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return None


def to_addr(msg):
    return msg["To"].addresses[0].addr_spec


def check_reports(mails, exp, names):
    reports = [m for m in mails if m["X-Gremium-Kind"] == "chair-report"]
    by_meeting = {}
    for m in reports:
        assert to_addr(m) == exp["chair"], "report to %s" % m["To"]
        by_meeting.setdefault(m["X-Gremium-Occurrence"], []).append(m)
    assert sorted(by_meeting) == sorted(exp["meetings"]), "reports for %s" % sorted(by_meeting)
    bounced_name = names[exp["bounced"]]
    for when, ms in by_meeting.items():
        assert len(ms) == 1, "%d reports for %s" % (len(ms), when)
        m, want = ms[0], exp["meetings"][when]
        assert calendar_of(m) is None, "the report carries a calendar part"
        body = text_of(m)
        assert want["quorum"] in body.splitlines(), "quorum line for %s:\n%s" % (when, body)
        for line in want["lines"]:
            assert line in body.splitlines(), "line %r missing for %s:\n%s" % (line, when, body)
        # no answer: every member who did not answer, by name, in that part
        none = body.split("Keine Antwort:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        silent = [names[a] for a in exp["members"] if a not in want["answered"]]
        listed = [re.sub(r"^- (.*?)( \(.*)?$", r"\1", l) for l in none]
        assert listed == silent, "no answer for %s: %s, expected %s" % (when, listed, silent)
        assert ("- %s <%s>" % (bounced_name, exp["bounced"])) in body.splitlines(), \
            "the bounced member is not named:\n" + body
        assert "Tagesordnung:" in body, "no agenda in the report"
    print("chair-report: %d meetings, one report each, quorum right" % len(by_meeting))


def check_answer_reminders(mails, exp):
    seen = {}
    for m in mails:
        if m["X-Gremium-Kind"] != "answer-reminder":
            continue
        key = (m["X-Gremium-Occurrence"], to_addr(m))
        assert key not in seen, "two requests to answer: %s" % (key,)
        seen[key] = m
        assert "noch keine Antwort" in text_of(m)
    for when, want in exp["meetings"].items():
        got = sorted(a for (w, a) in seen if w == when)
        expected = sorted(a for a in exp["members"] if a not in want["answered"])
        assert got == expected, "requests to answer for %s: %s, expected %s" % (when, got, expected)
    print("answer-reminder: %d, one per member without an answer and meeting" % len(seen))


def attendees(ev):
    a = ev.get("ATTENDEE")
    return a if isinstance(a, list) else [a]


def check_event(cal, exp, when):
    evs = list(cal.walk("VEVENT"))
    assert len(evs) == 1, "%d VEVENTs" % len(evs)
    ev = evs[0]
    assert str(ev["UID"]) == exp["series_uid"], ev["UID"]
    rid = ev["RECURRENCE-ID"].dt
    assert rid.strftime("%Y-%m-%dT%H:%M") == when and str(rid.tzinfo) in ("Europe/Berlin",), rid
    assert "RRULE" not in ev
    people = {str(a).lower(): a for a in attendees(ev)}
    dep, mem = "mailto:" + exp["deputy"], "mailto:" + exp["delegator"]
    assert set(people) == {dep, mem}, "ATTENDEEs %s" % list(people)
    assert people[mem].params["PARTSTAT"] == "DELEGATED", people[mem].params
    assert people[mem].params["DELEGATED-TO"].lower() == dep, people[mem].params
    assert people[dep].params["DELEGATED-FROM"].lower() == mem, people[dep].params
    assert people[dep].params["PARTSTAT"] == "NEEDS-ACTION"
    assert people[dep].params["RSVP"] == "TRUE"
    return ev


def check_deputy(mails, exp):
    to_dep = [m for m in mails if to_addr(m) == exp["deputy"]]
    kinds = sorted(m["X-Gremium-Kind"] for m in to_dep)
    assert kinds == ["agenda", "invitation"], "the deputy got %s" % kinds
    when = "2027-02-10T10:00"
    for m in to_dep:
        assert m["X-Gremium-Occurrence"] == when, m["X-Gremium-Occurrence"]
        cal = calendar_of(m)
        assert cal is not None and str(cal["METHOD"]) == "REQUEST"
        ev = check_event(cal, exp, when)
        body = text_of(m)
        if m["X-Gremium-Kind"] == "invitation":
            assert "als Vertretung von Björn Schröder (Landkreis Oberau)" in body, body
        else:
            assert "Tagesordnung:" in str(ev.get("DESCRIPTION", "")), ev.get("DESCRIPTION")
    print("deputy: exactly that meeting's invitation and its agenda")


def main():
    mails = load(sys.argv[1])
    exp = json.load(open(sys.argv[2], encoding="utf-8"))
    conf = open(sys.argv[3], encoding="utf-8").read()
    names = {e: n for n, e in re.findall(r'name = "([^"]+)"; email = "([^"]+)"', conf)}
    check_reports(mails, exp, names)
    check_answer_reminders(mails, exp)
    check_deputy(mails, exp)


if __name__ == "__main__":
    main()
