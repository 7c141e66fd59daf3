#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Cross-check of src/letter.c with Python's own email package.

  check_letter.py PROBE FILE...

PROBE is tests/letter_probe (one JSON object per file).  For every file
Python's parser (policy=email.policy.default) reads the same bytes; From
(addr-spec, domain lower-cased, and display name), Message-ID, In-Reply-To,
References, Subject (RFC 2047 decoded) and Date must agree.  A file our
parser calls invalid must be one where Python finds no From either.
Exit 0, or 1 with one line per difference.
"""
import email
import email.policy
import email.utils
import json
import subprocess
import sys


def ids(value):
    """msg-ids of a header value, without <>, as RFC 5322 §3.6.4 writes them"""
    out = []
    for part in str(value or "").replace(">", "> ").split():
        part = part.strip()
        if part.startswith("<") and part.endswith(">") and len(part) > 2:
            out.append(part[1:-1])
    return out


def lower_domain(addr):
    local, at, domain = addr.rpartition("@")
    return local + at + domain.lower() if at else addr


def python_view(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    view = {"from": None, "from_name": None}
    try:
        frm = msg["From"]
        addrs = frm.addresses if frm is not None else ()
    except Exception:       # a header Python cannot read: no From for it
        addrs = ()
    if addrs:
        view["from"] = lower_domain(addrs[0].addr_spec) or None
        view["from_name"] = addrs[0].display_name or None
        # "addr (Name)", the RFC 822 way: GMime takes the comment as the
        # name (as Thunderbird shows it), Python drops it
        raw = next((str(v) for k, v in msg.raw_items() if k.lower() == "from"), "")
        if view["from_name"] is None and raw.rstrip().endswith(")") and "(" in raw:
            view["from_name"] = raw[raw.rindex("(") + 1:raw.rstrip().rindex(")")].strip() or None
    mid = ids(msg.get("Message-ID", ""))
    view["message_id"] = mid[0] if mid else None
    irt = ids(msg.get("In-Reply-To", ""))
    view["in_reply_to"] = irt[0] if irt else None
    view["references"] = ids(msg.get("References", ""))[-64:]
    subject = msg.get("Subject")
    view["subject"] = " ".join(str(subject).split()) if subject is not None else ""
    date = msg.get("Date")
    try:
        view["date"] = int(email.utils.parsedate_to_datetime(str(date)).timestamp()) if date else 0
    except (TypeError, ValueError):
        view["date"] = 0
    return view


def main():
    probe, files = sys.argv[1], sys.argv[2:]
    out = subprocess.run([probe] + files, check=True, capture_output=True).stdout
    letters = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    if len(letters) != len(files):
        print(f"check_letter: {len(files)} files, {len(letters)} letters")
        return 1
    bad = 0
    for path, ours in zip(files, letters):
        with open(path, "rb") as f:
            theirs = python_view(f.read())
        name = path.rsplit("/", 1)[-1]
        if ours["invalid"]:
            if theirs["from"]:
                print(f"{name}: ours invalid ({ours['invalid']}), Python reads From {theirs['from']}")
                bad += 1
            continue
        ours["subject"] = " ".join(ours["subject"].split())
        diffs = [key for key in ("from", "from_name", "message_id", "in_reply_to",
                                 "references", "subject", "date")
                 if ours[key] != theirs[key]]
        for key in diffs:
            print(f"{name}: {key}: ours {ours[key]!r}, Python {theirs[key]!r}")
        bad += len(diffs)
        if not diffs:
            print(f"{name}: ok ({ours['from']}, {ours['subject'][:40]!r})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
