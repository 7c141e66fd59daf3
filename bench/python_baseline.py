#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Python baseline of bench/throughput.sh: the same job as gremiumd's
run-once in the benchmark, written the way one would in Python.

For each of N members: an iTIP REQUEST of a monthly series rendered with
icalendar, wrapped in an email.message MIME multipart/alternative (text and
text/calendar; method=REQUEST, RFC 6047), and a call for topics as
text/plain; all sent over SMTP with smtplib by W worker threads, each with
one connection it reuses for every message (the threads overlap their
network waits; rendering is bound by the GIL).  Prints "N_MAILS SECONDS".

  python_baseline.py HOST PORT MEMBERS [WORKERS]
"""
import datetime
import queue
import smtplib
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import icalendar

DOMAIN = "fitko.example"
ORGANIZER = ("FITKO (Vorsitz)", "kommunalgremium@fitko.example")
START = datetime.datetime(2026, 1, 14, 10, 0)
TZID = "Europe/Berlin"


def invitation(name, addr, now):
    cal = icalendar.Calendar()
    cal.add("prodid", "-//python baseline//gremiumd bench//DE")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    ev = icalendar.Event()
    ev.add("uid", "online@" + DOMAIN)
    ev.add("sequence", 0)
    ev.add("dtstamp", now)
    ev.add("dtstart", START, parameters={"TZID": TZID})
    ev.add("dtend", START + datetime.timedelta(minutes=120), parameters={"TZID": TZID})
    ev.add("rrule", {"FREQ": "MONTHLY", "BYDAY": "2WE"})
    ev.add("summary", "Kommunalgremium – Online-Sitzung")
    ev.add("location", "Videokonferenz")
    ev.add("description", "Monatliche Sitzung des Kommunalgremiums.")
    org = icalendar.vCalAddress("mailto:" + ORGANIZER[1])
    org.params["CN"] = icalendar.vText(ORGANIZER[0])
    ev.add("organizer", org)
    att = icalendar.vCalAddress("mailto:" + addr)
    att.params.update({"CN": icalendar.vText(name), "ROLE": "REQ-PARTICIPANT",
                       "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
    ev.add("attendee", att)
    cal.add_component(ev)
    ics = cal.to_ical().decode()

    m = EmailMessage()
    headers(m, name, addr, "Einladung: Kommunalgremium – Online-Sitzung", "invitation", now)
    m.set_content("Guten Tag %s,\n\nSie sind zur monatlichen Sitzung eingeladen.\n" % name)
    m.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"})
    return m


def topic_call(name, addr, now):
    m = EmailMessage()
    headers(m, name, addr, "Themen für die Sitzung am 13. Januar 2027", "topic-call", now)
    m["Reply-To"] = "themen@" + DOMAIN
    m.set_content("Guten Tag %s,\n\nbitte melden Sie Ihre Themen bis zum 6. Januar 2027.\n" % name)
    return m


def headers(m, name, addr, subject, kind, now):
    m["From"] = formataddr(ORGANIZER)
    m["To"] = formataddr((name, addr))
    m["Subject"] = subject
    m["Date"] = format_datetime(now)
    m["Message-ID"] = "<%s@%s>" % (uuid.uuid4(), DOMAIN)
    m["Auto-Submitted"] = "auto-generated"
    m["X-Gremium-Kind"] = kind


def worker(host, port, jobs, now, counts, i):
    with smtplib.SMTP(host, port) as smtp:
        while True:
            job = jobs.get()
            if job is None:
                return
            name, addr = job
            for m in (invitation(name, addr, now), topic_call(name, addr, now)):
                smtp.send_message(m, from_addr=ORGANIZER[1], to_addrs=[addr])
                counts[i] += 1


def main():
    host, port, members = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    now = datetime.datetime.now(datetime.timezone.utc)
    jobs = queue.Queue()
    for i in range(members):
        jobs.put(("Mitglied %d Müller" % i, "member%05d@list.example" % i))
    for _ in range(workers):
        jobs.put(None)
    counts = [0] * workers
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(host, port, jobs, now, counts, i))
               for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sum(counts), "%.3f" % (time.monotonic() - t0))


if __name__ == "__main__":
    main()
