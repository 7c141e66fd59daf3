#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Python baseline of bench/letter.sh: the same job as bench/letter_bench.c
(src/letter.c), written the way one would in Python with the standard
library: `mailbox.Maildir` to read new/, `email` (policy=default) to parse,
the text/plain body or the text/html one made plain with `html.parser`
(quotes and signatures skipped), quoted history and signature removed from
the text with the same rules, auto-replies and bounces detected from the
same headers and subjects, a title made.  Prints the same line as
letter_bench:
  mails N invalid I report R automatic A text T bytes B
(bytes counted in UTF-8; they differ a little between the two, the
counts must not).

  letter_baseline.py MAILDIR
"""
import email.policy
import mailbox
import re
import sys
from html.parser import HTMLParser

CALL = "[Kommunalgremium] Themenanmeldung: Sitzung des Kommunalgremiums am 14.01.2027"
BLOCKS = {"p", "div", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
          "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "section", "article", "header",
          "footer", "center", "body"}
SKIP_CLASSES = ("gmail_quote", "gmail_signature", "gmail_attr", "moz-cite-prefix",
                "moz-signature", "yahoo_quoted")
OOO = ("automatische antwort", "abwesenheitsnotiz", "abwesenheit", "abwesend",
       "urlaubsabwesenheit", "out of office", "out of office autoreply", "out-of-office",
       "out of the office", "autoreply", "auto-reply", "auto reply", "automatic reply",
       "automatic response", "auto response")
PREFIX = re.compile(r"^\s*(re|aw|wg|fwd|fw|antw)(\[\d*\]|\(\d*\))?\s*:", re.I)
ORIGINAL = re.compile(r"^-{2,}\s*(original message|ursprüngliche nachricht|originalnachricht)\s*-{2,}$", re.I)
FROM_LINE = re.compile(r"^\s*\*?(von|from):", re.I)
SENT_LINE = re.compile(r"^\s*\*?(gesendet|sent|datum|date):", re.I)
RULE = re.compile(r"^\s*[_-]{5,}\s*$")
GREETING = re.compile(r"^(sehr geehrte|hallo|guten tag|guten morgen|liebe|lieber|moin|servus|"
                      r"grüß gott|hi|hello|dear|good morning)", re.I)


class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip, self.stop, self.pre = [], [], False, False

    def brk(self):
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag, attrs):
        if self.stop:
            return
        a = dict(attrs)
        style = re.sub(r"\s", "", (a.get("style") or "").lower())
        if a.get("id") == "divRplyFwdMsg" or (tag == "div" and "border:none" in style
                                               and "border-top:solid" in style):
            self.stop = True
            return
        if self.skip or tag in ("head", "script", "style", "title", "template") or \
                (tag == "blockquote" and (a.get("type") or "").lower() == "cite") or \
                any(c in (a.get("class") or "") for c in SKIP_CLASSES):
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self.skip.append(tag)
            return
        if tag == "br":
            self.out.append("\n")
        elif tag in BLOCKS:
            self.brk()
        if tag == "li":
            self.out.append("- ")
        if tag == "pre":
            self.pre = True

    def handle_endtag(self, tag):
        if self.stop:
            return
        if self.skip:
            if self.skip[-1] == tag:
                self.skip.pop()
            return
        if tag == "pre":
            self.pre = False
        if tag in BLOCKS:
            self.brk()

    def handle_data(self, data):
        if self.stop or self.skip:
            return
        if self.pre:
            self.out.append(data)
            return
        data = re.sub(r"[\s\xa0]+", " ", data)
        if self.out and self.out[-1].endswith(("\n", " ")) or not self.out:
            data = data.lstrip()
        self.out.append(data)


def attribution(line, nxt):
    for text in (line, line + " " + nxt):
        t = text.strip()
        if t.endswith(":") and ((t.lower().startswith("am ") and " schrieb" in t.lower()) or
                                (t.lower().startswith("on ") and " wrote" in t.lower())):
            return True
    return False


def strip(text):
    lines = text.split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.rstrip("\r") in ("-- ", "--") or ORIGINAL.match(line.strip()) or \
                attribution(line, nxt):
            cut = i
            break
        if FROM_LINE.match(line) and any(SENT_LINE.match(l) for l in lines[i + 1:i + 5]):
            k = i
            while k > 0 and not lines[k - 1]:
                k -= 1
            cut = k - 1 if k > 0 and RULE.match(lines[k - 1]) else i
            break
    kept = [l.rstrip() for l in lines[:cut] if not l.startswith(">")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
    return out.strip("\n")


def unflow(text, delsp):
    out = []
    for line in text.split("\n"):
        if not line.startswith(">"):
            line = line[1:] if line.startswith(" ") else line
        soft = not line.startswith(">") and line.endswith(" ") and line != "-- "
        if soft and delsp:
            line = line[:-1]
        if out and out[-1][1]:
            out[-1] = (out[-1][0] + line, soft)
        else:
            out.append((line, soft))
    return "\n".join(l for l, _ in out)


def skip_prefixes(s):
    while True:
        m = PREFIX.match(s)
        if not m:
            return s.strip()
        s = s[m.end():]


def automatic(msg, is_report, subject):
    v = msg.get("Auto-Submitted")
    if is_report:
        return "multipart/report"
    if v is not None and not str(v).strip().lower().startswith("no"):
        return "Auto-Submitted"
    if str(msg.get("Return-Path", "")).replace(" ", "") == "<>":
        return "Return-Path: <>"
    if msg.get("X-Autoreply") is not None or msg.get("X-Autorespond") is not None:
        return "X-Autoreply"
    if str(msg.get("Precedence", "")).strip().lower() in ("auto_reply", "bulk", "junk", "list"):
        return "Precedence"
    s = skip_prefixes(subject).lower()
    for p in OOO:
        if s.startswith(p) and s[len(p):].lstrip(" ")[:1] in (":", ""):
            return "out-of-office subject"
    return None


def title(subject, text):
    s = skip_prefixes(subject)
    call = CALL
    rest = s
    if rest.lower().startswith(call.lower()):
        rest = rest[len(call):].lstrip(" \t-:|,;/–—")
    if rest.strip():
        return rest.strip()[:200]
    line = None
    for l in text.split("\n"):
        if l and not (len(l) <= 80 and l.endswith(",") and GREETING.match(l)):
            line = l
            if not l.endswith(":"):
                break
    if line:
        m = re.search(r"(?<=.)[.?!] ", line)
        return (line[:m.start() + 1] if m else line)[:200]
    return s[:200]


def letter_text(msg):
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError, AssertionError):
        content = body.get_payload(decode=True).decode("cp1252", "replace")
    if not isinstance(content, str):
        content = content.decode("utf-8", "replace")
    content = content[:1024 * 1024]
    if body.get_content_subtype() == "html":
        p = Text()
        p.feed(content)
        content = "".join(p.out)
    elif body.get_param("format", "").lower() == "flowed":
        content = unflow(content.replace("\r\n", "\n"),
                         body.get_param("delsp", "").lower() == "yes")
    content = "".join(c for c in content.replace("\r", "") if c in "\n\t" or c >= " ")
    return strip(content)[:64 * 1024]


def main():
    counts = dict(mails=0, invalid=0, report=0, automatic=0, text=0, bytes=0)
    box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
    for key in box.iterkeys():
        with box.get_file(key) as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        counts["mails"] += 1
        if not msg.keys():
            counts["invalid"] += 1
            continue
        is_report = msg.get_content_type() == "multipart/report"
        try:
            subject = str(msg.get("Subject", "") or "")
        except Exception:
            subject = ""
        text = letter_text(msg)
        counts["report"] += is_report
        counts["automatic"] += automatic(msg, is_report, subject) is not None
        counts["text"] += bool(text)
        counts["bytes"] += len(text.encode()) + len(title(subject, text).encode())
    print(" ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
