#!/usr/bin/python3
"""Independent check of e2e_topics.sh (run by /usr/bin/python3).

Arguments: the delivery maildir, expected.tsv (Message-ID, class or
"late", meeting or "-", fixture, the call it answers or "-"), `gremiumctl topics --json`,
`gremiumctl inbox --json`, the source ("imap": with the admin's text).  Reads every mail gremiumd sent with Python's
mailbox and email packages and asserts:
  - each expected topic is on its meeting, from its sender;
  - one topic-confirmation per topic, to the sender, In-Reply-To the
    member's Message-ID, References ending in it, Reply-To topics_address,
    Auto-Submitted, X-Gremium-Occurrence the topic's meeting; a late one
    says the deadline had passed;
  - no mail at all answers (In-Reply-To) an auto-reply, bounce, stranger
    or iMIP reply, and nothing goes to the stranger or the bounce's sender;
  - every message is in the inbox with its class, the repeated one as a
    duplicate.
"""
import collections
import email
import email.policy
import json
import mailbox
import sys

outbox, expected_path, topics_path, inbox_path, source = sys.argv[1:6]
# the imap run has the admin's override of the text (e2e_topics.sh)
override = source == "imap"
expected = [line.rstrip("\n").split("\t") for line in open(expected_path, encoding="utf-8")]
topics = json.load(open(topics_path, encoding="utf-8"))
inbox = json.load(open(inbox_path, encoding="utf-8"))
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


sent = []
for key, raw in mailbox.Maildir(outbox, factory=None, create=False).items():
    sent.append(email.message_from_bytes(raw.as_bytes(), policy=email.policy.default))
confirmations = [m for m in sent if m["X-Gremium-Kind"] == "topic-confirmation"]
by_reply = collections.defaultdict(list)
for m in confirmations:
    by_reply[(m["In-Reply-To"] or "").strip().strip("<>")].append(m)

rows = collections.defaultdict(list)
for r in inbox:
    rows[r["message_id"]].append(r)
# an inbox row's outcome names its topic: "topic ID for WHEN"
topic_by_id = {t["id"]: t for t in topics}
topic_by_inbox = {}
for r in inbox:
    if r["outcome"].startswith("topic "):
        topic_by_inbox[r["id"]] = topic_by_id.get(int(r["outcome"].split()[1]))

n_topics = 0
for mid, cls, meeting, fixture, reference in expected:
    r = rows.get(mid, [])
    check(len(r) >= 1, f"{fixture}: {mid} not in the inbox")
    if not r:
        continue
    first = r[0]
    want_class = "topic" if cls == "late" else cls
    check(first["class"] == want_class, f"{fixture}: class {first['class']}, expected {want_class}")
    for dup in r[1:]:
        check(dup["outcome"].startswith("duplicate of inbox %d" % first["id"]),
              f"{fixture}: a second copy is not a duplicate: {dup['outcome']}")
    answers = by_reply.get(mid, [])
    if want_class != "topic":
        check(not answers, f"{fixture} ({cls}) was answered")
        check(first["id"] not in topic_by_inbox, f"{fixture} ({cls}) became a topic")
        continue
    n_topics += 1
    t = topic_by_inbox.get(first["id"])
    check(t is not None, f"{fixture}: no topic for inbox {first['id']}: {first['outcome']}")
    if t:
        check(t["meeting"] == meeting, f"{fixture}: topic on {t['meeting']}, expected {meeting}")
        check(t["member"] and t["title"] and t["source"] == "mail" and t["state"] == "active",
              f"{fixture}: topic fields {t}")
        # the title is the member's words, not a salutation or our subject
        check(not t["title"].startswith(("Hallo", "Guten Tag", "Sehr geehrte", "Liebe", "Themenanmeldung")),
              f"{fixture}: title {t['title']!r}")
        if fixture == "thunderbird-reply.eml" and reference != "-":
            check("Onlinezugangsgesetz 2.0" in t["title"], f"{fixture}: title {t['title']!r}")
        check(first["outcome"].startswith("topic %d for %s" % (t["id"], meeting)),
              f"{fixture}: outcome {first['outcome']}")
    check(len(answers) == 1, f"{fixture}: {len(answers)} confirmations, expected 1")
    for m in answers:
        refs = (m["References"] or "").split()
        check(refs and refs[-1] == "<%s>" % mid, f"{fixture}: References {refs}")
        # the member's mail named our call: the thread keeps it
        check(reference == "-" or refs[0] == "<%s>" % reference, f"{fixture}: References {refs}")
        check(m["To"].addresses[0].addr_spec.lower() == first["from"].lower(),
              f"{fixture}: confirmation to {m['To']}, not {first['from']}")
        check(m["Reply-To"] and m["Reply-To"].addresses[0].addr_spec == "themen@fitko.example",
              f"{fixture}: Reply-To {m['Reply-To']}")
        check(m["Auto-Submitted"] == "auto-generated", f"{fixture}: Auto-Submitted")
        check(m["X-Gremium-Occurrence"] == meeting,
              f"{fixture}: X-Gremium-Occurrence {m['X-Gremium-Occurrence']}")
        body = m.get_body(("plain",)).get_content()
        if override:
            check(m["Subject"].startswith("[Kommunalgremium] Ihr Thema: ") and
                  ", Frist " in body and "Uhr." in body, f"{fixture}: not the override: {body!r}")
            late = "()" not in body
        else:
            check("ist für die Sitzung" in body and "eingegangen" in body, f"{fixture}: body {body!r}")
            late = "war bereits abgelaufen" in body
        check(late == (cls == "late"), f"{fixture}: late={late} in {body!r}")

check(len(confirmations) == n_topics,
      f"{len(confirmations)} confirmations for {n_topics} topics")
for m in sent:
    to = m["To"].addresses[0].addr_spec.lower()
    check("software-anbieter" not in to and "mailer-daemon" not in to, f"mail sent to {to}")
mail_topics = [t for t in topics if t["source"] == "mail"]
check(len(mail_topics) == n_topics, f"{len(mail_topics)} topics from mail, expected {n_topics}")

for p in problems:
    print("check_topics: " + p, file=sys.stderr)
print(f"check_topics: {n_topics} topics, {len(confirmations)} confirmations, "
      f"{len(inbox)} inbox rows, {len(problems)} problems")
sys.exit(1 if problems else 0)
