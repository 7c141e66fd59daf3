#!/usr/bin/python3
"""Write a gremiumd config with every string at the longest length `check`
accepts (issue 13.3: whatever check accepts, the renderer renders).

usage: limits_config.py OUT.conf STAGE
STAGE 1: two members, two series; 2: the online series' location changed
(updates); 3: the second member removed (cancellations to them)."""
import sys

out, stage = sys.argv[1], int(sys.argv[2])
VALUE_MAX = 4096                      # config-internal.h VALUE_MAX_LEN
ID = "i" * 63                          # ids: at most 64 bytes
DOMAIN = ".".join(["d" * 63] * 3 + ["d" * 61])   # 253 bytes (RFC 1035)
assert len(DOMAIN) == 253


def address(local):
    """local@... of exactly 254 bytes (RFC 5321), local part <= 64."""
    local = (local * 64)[:64]
    host = DOMAIN[len(DOMAIN) - (254 - 65):]
    return local + "@" + host


def text(seed, n=VALUE_MAX, umlauts=True):
    """n bytes of words (with umlauts: 2 bytes each) and no quote or caret."""
    word = (seed + " Müller-Lüdenscheidt ") if umlauts else (seed + " word ")
    s = (word * (n // len(word.encode()) + 1)).encode()[:n]
    return s.decode("utf-8", "ignore")


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def one_word(n):
    """one unbreakable word of n bytes (no space for GMime to fold at)"""
    return "X" * n


location = text("Ort B" if stage >= 2 else "Ort A")
members = [
    '{ name = %s; email = %s; group = %s; organisation = %s; }' % (
        q(text("Mitglied Eins")), q(address("a")), q(ID + "a"), q(text("Landkreis"))),
    '{ name = %s; email = %s; group = %s; organisation = %s; }' % (
        q(one_word(VALUE_MAX)), q(address("b")), q(ID + "b"), q(one_word(VALUE_MAX))),
]
if stage >= 3:
    members.pop()
description = "\\n".join([text("Zeile", 1000)] * 4)[:VALUE_MAX - 50]
conf = f"""
committee = {{
  name = {q(text("Gremium"))};
  short_name = {q(text("Kurz", umlauts=True))};
  domain = {q(DOMAIN)};
  timezone = "Europe/Berlin";
  language = "de";
  organizer = {{ name = {q(text("Vorsitz"))}; email = {q(address("o"))}; }};
  topics_address = {q(address("t"))};
}};
groups = (
  {{ id = {q(ID + "a")}; name = {q(text("Gruppe A"))}; }},
  {{ id = {q(ID + "b")}; name = {q(one_word(VALUE_MAX))}; }}
);
members = ( {", ".join(members)} );
series = (
  {{ id = {q(ID + "o")}; summary = {q(text("Sitzung"))}; description = "{description}";
    rrule = "FREQ=MONTHLY;BYDAY=2WE"; start = "2027-01-13T10:00"; duration = 10080;
    location = {q(location)}; url = {q("https://video.example/" + one_word(VALUE_MAX - 22))}; }},
  {{ id = {q(ID + "p")}; summary = {q(one_word(VALUE_MAX))}; dates = [ "2027-03-17T10:00" ];
    duration = 360; location = {q(one_word(VALUE_MAX))}; }}
);
exceptions = (
  {{ series = {q(ID + "o")}; date = "2027-02-10"; move_to = "2027-02-17T14:00"; note = {q(text("Verlegt"))}; }}
);
notifications = {{
  send_time = "09:00";
  topic_call = {{ days_before = 21; deadline_days_before = 7; }};
  reminders_days_before = [ 1 ];
}};
delivery = {{ transport = "maildir"; maildir = "var/outbox"; }};
feed = {{ listen = ""; file = "var/feed.ics"; }};
state = "var/state.db";
"""
with open(out, "w", encoding="utf-8") as f:
    f.write(conf)
