#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The assertions of tests/e2e_thunderbird.sh (run by /usr/bin/python3).

Reads what tests/thunderbird.py printed (the invitation bar, the member's
calendar, the subscribed feed), the mails gremiumctl wrote and the REPLYs
Thunderbird sent (Python's email package and icalendar), and the feed as
Thunderbird cached it (calendar-data/cache.sqlite).

  stage1 WORK MEMBER MOVED_NOTE
  stage2 WORK MEMBER CANCEL_NOTE NEW_ROOM CANCELLED_DATE
  committees OUTBOX1 OUTBOX2

Prints every problem found and exits 1 if there was one.
"""
import datetime
import email
import glob
import json
import os
import sqlite3
import sys

import icalendar

problems = []


def problem(text):
    problems.append(text)
    print("  PROBLEM: " + text)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def calendars(msg):
    """The text/calendar parts of a mail, parsed."""
    out = []
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            out.append(icalendar.Calendar.from_ical(part.get_payload(decode=True)))
    return out


def utc(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def vevents(paths):
    """(method, uid, rid as UTC text or None, VEVENT) of every mail in paths."""
    out = []
    for path in paths:
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f)
        for c in calendars(msg)[:1]:
            method = str(c.get("METHOD"))
            for ev in c.walk("VEVENT"):
                rid = ev.get("RECURRENCE-ID")
                out.append((method, str(ev["UID"]), utc(rid.dt) if rid else None, ev))
    return out


def partstat(ev, member):
    atts = ev.get("ATTENDEE", [])
    for att in atts if isinstance(atts, list) else [atts]:
        if str(att).lower() == "mailto:" + member:
            return str(att.params.get("PARTSTAT", "NEEDS-ACTION"))
    return None


def mails(work, stages):
    out = []
    for s in stages:
        with open(os.path.join(work, s + ".list")) as f:
            out += f.read().split()
    return out


def imips(work, stage):
    files = glob.glob(os.path.join(work, stage + ".imip.*.json"))
    return [load(f) for f in sorted(files, key=lambda p: int(p.rsplit(".", 2)[1]))]


def parsed_items(imip):
    """Every item Thunderbird parsed from one mail, overrides included."""
    for it in imip["items"]:
        yield it
        yield from it["overrides"]


def is_moved(uid):
    """A moved meeting of a series: a calendar object of its own."""
    return "+moved-" in uid


def check_moved(work, stage, note):
    """(a) moved: the item for the moved meeting (its own UID, no
    RECURRENCE-ID, as the series has an EXDATE for it) carries the reason."""
    moved = 0
    for imip in imips(work, stage):
        for it in parsed_items(imip):
            if it["rid"] and imip["method"] != "CANCEL":
                problem("%s: Thunderbird parsed an item with RECURRENCE-ID %s: a REQUEST must carry "
                        "none" % (os.path.basename(imip["file"]), it["rid"]))
            if is_moved(it["uid"]):
                moved += 1
                if note not in (it["description"] or ""):
                    problem("%s: the moved meeting %s (now %s) as Thunderbird parsed it has no reason "
                            "in DESCRIPTION: %r" % (os.path.basename(imip["file"]), it["uid"],
                                                    it["start"], it["description"]))
    if moved == 0:
        problem("no mail carries the moved meeting as an object of its own")
    shown = [i for i in imips(work, stage) if note in shown_text(i)]
    if not shown:
        problem("no event box Thunderbird shows for the mails shows the reason of the move %r: %s"
                % (note, [i["view"] for i in imips(work, stage)]))
    return moved


def shown_text(imip):
    """The description and comment rows of the event box shown for a mail."""
    v = imip.get("view") or {}
    return (v.get("description") or "") + "\n" + (v.get("comment") or "")


def check_accepted(occ, feed, member, label):
    """(b) every occurrence in the member's calendar ACCEPTED, none missing,
    the moved meeting there as an object of its own, and the calendar the
    feed's (so the moved meeting's regular date is not in it)."""
    uids = {o["uid"] for o in occ}
    if not occ:
        problem("%s: the member's calendar is empty" % label)
    if not any(is_moved(u) for u in uids):
        problem("%s: the moved meeting is not in the member's calendar: %s" % (label, sorted(uids)))
    if not any(is_moved(o["uid"]) for o in feed):
        problem("%s: the moved meeting is not in the cached feed" % label)
    for o in occ:
        if o["partstat"] != "ACCEPTED":
            problem("%s: %s at %s (RECURRENCE-ID %s) is %s in Thunderbird's calendar"
                    % (label, o["uid"], o["start"], o["rid"], o["partstat"]))
    mine = sorted((o["uid"], o["start_utc"]) for o in occ)
    published = sorted((o["uid"], o["start_utc"]) for o in feed if o["uid"] in uids)
    if mine != published:
        problem("%s: the member's calendar and the feed differ: only in the calendar %s, only in the "
                "feed %s" % (label, sorted(set(mine) - set(published)), sorted(set(published) - set(mine))))


def check_replies(work, member, requests, label):
    """(b) the REPLYs Thunderbird sent: every VEVENT ACCEPTED, every meeting asked for accepted."""
    paths = sorted(glob.glob(os.path.join(work, "smtp", "*.eml")),
                   key=lambda p: int(os.path.basename(p).split(".")[0]))
    answered = {}
    for method, uid, rid, ev in vevents(paths):
        if method != "REPLY":
            problem("%s: Thunderbird sent METHOD:%s" % (label, method))
            continue
        answered[(uid, rid)] = partstat(ev, member)
    print("  REPLYs: %d mails, %s" % (len(paths), sorted(answered.items(), key=str)))
    for (uid, rid), ps in sorted(answered.items(), key=str):
        if ps != "ACCEPTED":
            problem("%s: the REPLY for %s %s says PARTSTAT=%s" % (label, uid, rid or "(series)", ps))
    # an occurrence without a REPLY of its own is answered by its series' REPLY
    for uid, rid in sorted({(uid, rid) for method, uid, rid, ev in requests if method == "REQUEST"}, key=str):
        if answered.get((uid, rid), answered.get((uid, None))) != "ACCEPTED":
            problem("%s: no REPLY accepts %s %s" % (label, uid, rid or "(series)"))


def cache_rows(work, stage):
    """(uid, recurrence id as UTC text or None) -> {SEQUENCE, LOCATION, ...}
    from the copy of cache.sqlite taken after the stage."""
    db = sqlite3.connect(os.path.join(work, stage + ".cache", "cache.sqlite"))
    rows = {}
    for uid, rid in db.execute("SELECT id, recurrence_id FROM cal_events"):
        rows[(uid, rid)] = {}
    for uid, rid, key, value in db.execute("SELECT item_id, recurrence_id, key, value FROM cal_properties"):
        rows.setdefault((uid, rid), {})[key] = value
    db.close()
    out = {}
    for (uid, rid), props in rows.items():
        if rid is not None:
            rid = datetime.datetime.fromtimestamp(rid / 1e6, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out[(uid, rid)] = props
    return out


def check_sequence(work, stage, requests, label):
    """(c) the feed's SEQUENCE as Thunderbird cached it equals the mails':
    per UID (a series, a dated meeting, a moved meeting of a series) the
    highest any mail for it carried."""
    sent = {}
    for method, uid, rid, ev in requests:
        seq = int(ev.get("SEQUENCE", 0))
        for key in {(uid, rid), (uid, None)}:
            sent[key] = max(seq, sent.get(key, seq))
    cache = cache_rows(work, stage)
    print("  SEQUENCE sent %s; cached %s" % (
        sorted(sent.items(), key=str),
        sorted(((k, v.get("SEQUENCE")) for k, v in cache.items()), key=str)))
    compared = 0
    for key, seq in sorted(sent.items(), key=str):
        if key not in cache:
            if key[1] is None:
                problem("%s: %s is not in the cached feed" % (label, key[0]))
            continue
        compared += 1
        cached = cache[key].get("SEQUENCE")
        if cached is None or int(cached) != seq:
            problem("%s: %s %s: the cached feed has SEQUENCE %s, the invitations %d"
                    % (label, key[0], key[1] or "(series)", cached, seq))
    if compared == 0:
        problem("%s: no invited UID in the cached feed" % label)


def stage1(work, member, note):
    received = vevents(mails(work, ["stage1"]))
    occ = load(os.path.join(work, "stage1.occ.json"))
    feed = load(os.path.join(work, "stage1.feed.json"))
    if feed["errors"] or feed["disabled"]:
        problem("the feed calendar: errors %s, disabled %s" % (feed["errors"], feed["disabled"]))
    for imip in imips(work, "stage1"):
        print("  %s: %s -> %s, %s" % (imip["method"], imip["bar"], imip["clicked"], imip.get("result")))
    check_moved(work, "stage1", note)
    for o in occ:
        if is_moved(o["uid"]) and note not in (o["description"] or ""):
            problem("the moved meeting %s in Thunderbird's calendar has no reason in DESCRIPTION: %r"
                    % (o["start"], o["description"]))
    check_accepted(occ, feed["occurrences"], member, "after Accept")
    check_replies(work, member, received, "after Accept")
    check_sequence(work, "stage1", received, "invitations")


def stage2(work, member, note, room, cancelled):
    received = vevents(mails(work, ["stage1", "stage2"]))
    occ = load(os.path.join(work, "stage2.occ.json"))
    feed = load(os.path.join(work, "stage2.feed.json"))
    before = load(os.path.join(work, "stage1.feed.json"))["occurrences"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if feed["errors"] or feed["disabled"]:
        problem("the feed calendar: errors %s, disabled %s" % (feed["errors"], feed["disabled"]))
    cancels = 0
    for imip in imips(work, "stage2"):
        print("  %s: %s -> %s, %s" % (imip["method"], imip["bar"], imip["clicked"], imip.get("result")))
        if imip["method"] != "CANCEL":
            continue
        for it in parsed_items(imip):
            cancels += 1
            for prop in ("description", "comment"):
                if note not in (it[prop] or ""):
                    problem("%s: the cancellation of %s as Thunderbird parsed it has no reason in %s: %r"
                            % (os.path.basename(imip["file"]), it["rid"] or it["start"], prop.upper(),
                               it[prop]))
        if note not in shown_text(imip):
            problem("%s: the event box shown for the cancellation lacks the reason: %s"
                    % (os.path.basename(imip["file"]), imip["view"]))
    if cancels == 0:
        problem("no cancellation reached the member")
    check_accepted(occ, feed["occurrences"], member, "after the updates")
    for label, occs in (("Thunderbird's calendar", occ), ("the cached feed", feed["occurrences"])):
        gone = [o["start"] for o in occs if (o["rid"] or o["start"]).startswith(cancelled.replace("-", ""))]
        if gone:
            problem("the cancelled meeting %s is still in %s" % (gone, label))
    for o in occ:
        if o["start_utc"] > now and o["uid"].startswith("online") and o["location"] != room:
            problem("the coming meeting %s is at %r in Thunderbird's calendar" % (o["start"], o["location"]))
    check_replies(work, member, received, "after the updates")
    check_sequence(work, "stage2", received, "updates")
    # (d) the past as the cached feed shows it: unchanged
    past = lambda occs: sorted((o["uid"], o["start_utc"], o["end_utc"], o["location"], o["summary"],
                                o["description"]) for o in occs if o["start_utc"] < now)
    if not past(before):
        problem("no past meeting in the feed")
    if past(feed["occurrences"]) != past(before):
        problem("the past meetings in the cached feed changed: before %s, after %s"
                % (sorted(set(past(before)) - set(past(feed["occurrences"]))),
                   sorted(set(past(feed["occurrences"])) - set(past(before)))))
    coming = [o for o in feed["occurrences"] if o["start_utc"] > now and o["uid"].startswith("online")]
    if not coming or any(o["location"] != room for o in coming):
        problem("the coming online meetings in the cached feed are not all at %r: %s"
                % (room, sorted({o["location"] for o in coming})))


def committees(outbox1, outbox2):
    """(e) the same series ids and domain: no UID or Message-ID in common."""
    def ids(outbox):
        uids, msgids = set(), set()
        for name in os.listdir(outbox):
            with open(os.path.join(outbox, name), "rb") as f:
                msg = email.message_from_binary_file(f)
            msgids.add(str(msg["Message-ID"]).strip())
            for c in calendars(msg):
                uids |= {str(ev["UID"]) for ev in c.walk("VEVENT")}
        return uids, msgids
    u1, m1 = ids(outbox1)
    u2, m2 = ids(outbox2)
    print("  UIDs: %s / %s" % (sorted(u1), sorted(u2)))
    if not u1 or not u2:
        problem("a committee sent no calendar")
    if u1 & u2:
        problem("both committees use the UIDs %s" % sorted(u1 & u2))
    if m1 & m2:
        problem("both committees use %d Message-IDs, e.g. %s" % (len(m1 & m2), sorted(m1 & m2)[0]))


def main():
    cmd = sys.argv[1]
    if cmd == "stage1":
        stage1(*sys.argv[2:5])
    elif cmd == "stage2":
        stage2(*sys.argv[2:7])
    elif cmd == "committees":
        committees(*sys.argv[2:4])
    else:
        sys.exit("usage: see the docstring")
    print("check_thunderbird %s: %s" % (cmd, "%d problems" % len(problems) if problems else "ok"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
