#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Drive a real Thunderbird over Marionette for tests/e2e_thunderbird.sh.

Run by /usr/bin/python3, standard library only.  Thunderbird is started by
the shell script (under Xvfb, with `--marionette --remote-allow-system-access`
and a profile written by `profile`); every other subcommand connects to its
Marionette port (TCP, messages "LENGTH:JSON"), runs chrome-context JavaScript
that uses Thunderbird's own calendar and iTIP modules, and prints what
Thunderbird saw as one JSON document on stdout.

  profile DIR --marionette-port P --smtp-port S --feed-url URL --email E --name N
      a fresh profile: one mail account whose identity is E, its outgoing
      server 127.0.0.1:S (no TLS, no AUTH), a local calendar "Home" that
      takes invitations for that identity, and the feed URL as a read-only
      network calendar of type ics with its cache on (calendar-data/cache.sqlite)
  ready P         wait until both calendars are registered and the feed loaded
  imip P FILE     one received mail, handled as the invitation bar does when
                  the member clicks its main button (Accept / Accept all,
                  else Update or Delete): the event box shown in place of
                  the mail (its rows' text), what the bar offered, the items as
                  Thunderbird parsed them (DESCRIPTION, COMMENT, LOCATION,
                  SEQUENCE, overrides) and the result
  answer P EMAIL UID RID PARTSTAT [DELEGATE]
                  the member changes his answer to the series (RID "") or to
                  one occurrence (RID: UTC YYYYMMDDTHHMMSSZ) in his calendar;
                  Thunderbird sends the organizer its REPLY
  occurrences P EMAIL FROM TO
                  every occurrence in the Home calendar between FROM and TO
                  (UTC, YYYYMMDDTHHMMSSZ) with EMAIL's PARTSTAT
  refresh P FROM TO
                  reload the feed calendar, wait until its cache is synced,
                  and list its occurrences (read back from the cache)
  quit P          close Thunderbird
"""
import argparse
import json
import socket
import sys
import time

TIMEOUT = 60  # seconds for one Marionette command (and its script)


class Marionette:
    """A minimal Marionette client: one connection, one session."""

    def __init__(self, port, timeout=TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.msgid = 0
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise RuntimeError("unexpected Marionette greeting %r" % hello)
        self.command("WebDriver:NewSession", {"capabilities": {}})
        self.command("WebDriver:SetTimeouts", {"script": timeout * 1000})
        self.command("Marionette:SetContext", {"value": "chrome"})

    def _recv(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("Marionette closed the connection")
        self.buf += chunk

    def _read(self):
        while b":" not in self.buf:
            self._recv()
        length, rest = self.buf.split(b":", 1)
        self.buf = rest
        length = int(length)
        while len(self.buf) < length:
            self._recv()
        msg, self.buf = self.buf[:length], self.buf[length:]
        return json.loads(msg)

    def command(self, name, params=None):
        self.msgid += 1
        data = json.dumps([0, self.msgid, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            msg = self._read()
            if msg[0] == 1 and msg[1] == self.msgid:
                if msg[2]:
                    err = msg[2]
                    raise RuntimeError("%s: %s\n%s" % (err.get("error"), err.get("message"),
                                                       err.get("stacktrace", "")))
                return msg[3]

    def run(self, op, *args):
        """Run one operation of JS below; returns its result."""
        script = JS + "\nrun(arguments[0], Array.from(arguments).slice(1, -1), arguments[arguments.length - 1]);"
        res = self.command("WebDriver:ExecuteAsyncScript",
                           {"script": script, "args": [op] + list(args)})
        if res.get("value") is None:
            raise RuntimeError("Thunderbird: no result for %s: %r" % (op, res))
        value = json.loads(res.get("value"))
        if isinstance(value, dict) and "error" in value:
            raise RuntimeError("Thunderbird: %s" % value["error"])
        return value


# Chrome-context JavaScript: Thunderbird's own modules do the work.  Every
# operation resolves with a JSON-able value, or with {error: text}.
JS = r"""
const { cal } = ChromeUtils.importESModule("resource:///modules/calendar/calUtils.sys.mjs");
const { MimeParser } = ChromeUtils.importESModule("resource:///modules/mimeParser.sys.mjs");
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");

const sleep = ms => new Promise(r => setTimeout(r, ms));

function calendars() {
  const all = cal.manager.getCalendars();
  return {
    home: all.find(c => c.type == "storage"),
    feed: all.find(c => c.type == "ics"),
  };
}

// A calendar item as plain data, with its overrides (RECURRENCE-ID).
function describe(item) {
  const p = name => item.getProperty(name);
  const d = {
    uid: item.id,
    rid: item.recurrenceId ? item.recurrenceId.icalString : null,
    start: item.startDate ? item.startDate.icalString : null,
    start_utc: item.startDate ? item.startDate.getInTimezone(cal.dtz.UTC).icalString : null,
    end_utc: item.endDate ? item.endDate.getInTimezone(cal.dtz.UTC).icalString : null,
    tzid: item.startDate && item.startDate.timezone ? item.startDate.timezone.tzid : null,
    sequence: p("SEQUENCE"),
    summary: p("SUMMARY"),
    location: p("LOCATION"),
    description: p("DESCRIPTION"),
    comment: p("COMMENT"),
    status: p("STATUS"),
    last_modified: item.lastModifiedTime ? item.lastModifiedTime.icalString : null,
    attendees: item.getAttendees().map(a => ({ id: a.id, partstat: a.participationStatus })),
    overrides: [],
  };
  if (item.recurrenceInfo && !item.recurrenceId) {
    for (const rid of item.recurrenceInfo.getExceptionIds()) {
      d.overrides.push(describe(item.recurrenceInfo.getExceptionFor(rid)));
    }
  }
  return d;
}

async function readMail(path) {
  const bytes = await IOUtils.read(path);
  let raw = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    raw += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  const parts = {};
  MimeParser.parseSync(raw, {
    startPart(num, headers) { parts[num] = { headers, body: "" }; },
    deliverPartData(num, data) { parts[num].body += data; },
  }, { bodyformat: "decode", strformat: "unicode" });
  return parts;
}

// What Thunderbird's message header view knows of the mail (nsIMsgDBHdr).
function addressList(headers, name) {
  return (headers.get(name) || []).map(a => (a.name ? `"${a.name}" <${a.email}>` : a.email)).join(", ");
}

// The event box Thunderbird shows in place of the mail (CalMimeConverter):
// the first event, or for a mail with overrides only (a "faked master") the
// override; each shown row's text.
function view(ics, itipItem) {
  const parser = Cc["@mozilla.org/calendar/ics-parser;1"].createInstance(Ci.calIIcsParser);
  parser.parseString(ics);
  let event = parser.getItems().find(item => item.isEvent());
  if (event && event.hasProperty("X-MOZ-FAKED-MASTER")) {
    event = event.recurrenceInfo.getExceptionFor(event.startDate) || event;
  }
  if (!event) {
    return null;
  }
  const doc = cal.invitation.createInvitationOverlay(event, itipItem);
  const rows = { header: doc.getElementById("imipHtml-header").textContent };
  for (const row of doc.querySelectorAll("tr[id$='-row']")) {
    if (!row.hidden) {
      const name = row.id.replace(/^imipHtml-/, "").replace(/-row$/, "");
      rows[name] = row.querySelector("td").textContent;
    }
  }
  return rows;
}

// The member changes his answer in his calendar, as the event dialog does:
// the series (rid "") or one occurrence (rid: its RECURRENCE-ID as UTC
// YYYYMMDDTHHMMSSZ) gets PARTSTAT partstat (DELEGATED with DELEGATED-TO
// delegate), and Thunderbird sends the organizer its REPLY
// (cal.itip.checkAndSend, as CalTransaction does after modifyItem).
async function answer(email, uid, rid, partstat, delegate) {
  const { home } = calendars();
  const parent = await home.getItem(uid);
  if (!parent) {
    return { error: `no item ${uid} in Home` };
  }
  let oldItem = parent;
  let newItem = parent.clone();
  if (rid) {
    oldItem = parent.recurrenceInfo.getOccurrenceFor(cal.createDateTime(rid));
    if (!oldItem) {
      return { error: `${uid} has no occurrence ${rid}` };
    }
    newItem = oldItem.clone();
  }
  const att = newItem.getAttendeeById("mailto:" + email);
  if (!att) {
    return { error: `${email} is no attendee of ${uid}` };
  }
  const changed = att.clone();
  changed.participationStatus = partstat;
  if (delegate) {
    changed.setProperty("DELEGATED-TO", "mailto:" + delegate);
  }
  newItem.removeAttendee(att);
  newItem.addAttendee(changed);
  let stored;
  if (rid) {
    const newParent = parent.clone();
    newParent.recurrenceInfo.modifyException(newItem, true);
    await home.modifyItem(newParent, parent);
    stored = (await home.getItem(uid)).recurrenceInfo.getOccurrenceFor(cal.createDateTime(rid));
  } else {
    stored = await home.modifyItem(newItem, parent);
  }
  cal.itip.checkAndSend(Ci.calIOperationListener.MODIFY, stored, oldItem,
                        { responseMode: Ci.calIItipItem.AUTO });
  return { uid, rid: rid || null, partstat, stored: !!stored };
}

async function imip(path) {
  const parts = await readMail(path);
  const top = parts[""].headers;
  // The text/calendar alternative is what Thunderbird shows and hands to
  // the invitation bar (CalMimeConverter), with the method of its Content-Type.
  const calPart = Object.values(parts).find(
    p => p.headers.contentType && p.headers.contentType.mediatype == "text" &&
         p.headers.contentType.subtype == "calendar");
  if (!calPart) {
    return { error: `${path}: no text/calendar part` };
  }
  const method = calPart.headers.contentType.get("method") || "";
  const account = MailServices.accounts.defaultAccount;
  const hdr = {
    author: addressList(top, "From"),
    recipients: addressList(top, "To"),
    ccList: addressList(top, "Cc"),
    accountKey: account.key,
  };
  const itipItem = Cc["@mozilla.org/calendar/itip-item;1"].createInstance(Ci.calIItipItem);
  itipItem.init(calPart.body);                       // CalMimeConverter.convertToHTML
  itipItem.sender = hdr.author;
  cal.itip.initItemFromMsgData(itipItem, method, hdr);  // calImipBar.showImipBar
  const out = {
    file: path,
    method,
    subject: top.get("Subject"),
    items: itipItem.getItemList().map(describe),
    view: view(calPart.body, itipItem),
  };
  const [rc, actionFunc, foundItems] = await new Promise(resolve =>
    cal.itip.processItipItem(itipItem, (it, rc, af, fi) => resolve([rc, af, fi])));
  const options = cal.itip.getOptionsText(itipItem, rc, actionFunc, foundItems);
  out.bar = options.label;
  out.action = actionFunc ? actionFunc.method : null;
  out.buttons = options.showItems.filter(b => /Button$/.test(b));
  // The bar's main button, as its oncommand calls calImipBar.executeAction().
  const main = ["imipAcceptRecurrencesButton", "imipAcceptButton", "imipUpdateButton",
                "imipDeleteButton", "imipAddButton"].find(b => out.buttons.includes(b));
  out.clicked = main || null;
  if (main) {
    const accept = /Accept/.test(main);
    out.result = await new Promise(resolve => {
      const done = cal.itip.executeAction(
        window, accept ? "ACCEPTED" : undefined, accept ? "AUTO" : undefined,
        actionFunc, itipItem, foundItems,
        ({ label }) => { if (label !== undefined) resolve(label); });
      if (!done) {
        resolve("not executed");
      }
    });
  }
  cal.itip.cleanupItipItem(itipItem);
  return out;
}

function range(from, to) {
  return [cal.createDateTime(from), cal.createDateTime(to)];
}

async function occurrences(calendar, email, from, to) {
  const [start, end] = range(from, to);
  const filter = Ci.calICalendar.ITEM_FILTER_TYPE_EVENT | Ci.calICalendar.ITEM_FILTER_CLASS_OCCURRENCES;
  const items = await calendar.getItemsAsArray(filter, 0, start, end);
  return items.map(item => {
    const d = describe(item);
    d.partstat = null;
    if (email) {
      const att = item.getAttendeeById("mailto:" + email);
      d.partstat = att ? att.participationStatus : null;
    }
    return d;
  }).sort((a, b) => (a.start_utc < b.start_utc ? -1 : a.start_utc > b.start_utc ? 1 : 0));
}

async function ready() {
  for (let i = 0; i < 300; i++) {
    const { home, feed } = calendars();
    if (home && feed) {
      return { home: home.id, feed: feed.id, scheduling: !!cal.itip.isSchedulingCalendar(home),
               feedScheduling: !!cal.itip.isSchedulingCalendar(feed),
               identity: MailServices.accounts.defaultAccount.defaultIdentity.email };
    }
    await sleep(100);
  }
  return { error: "the calendars never appeared" };
}

// Reload the feed; the cached calendar fires onLoad once the cache is synced.
async function refresh(from, to) {
  const { feed } = calendars();
  let errors = [];
  await new Promise(resolve => {
    const observer = {
      QueryInterface: ChromeUtils.generateQI(["calIObserver"]),
      onStartBatch() {}, onEndBatch() {}, onAddItem() {}, onModifyItem() {},
      onDeleteItem() {}, onPropertyChanged() {}, onPropertyDeleting() {},
      onError(c, code, msg) { errors.push(`${code}: ${msg}`); },
      onLoad() { feed.removeObserver(observer); resolve(); },
    };
    feed.addObserver(observer);
    feed.refresh();
  });
  return { errors, disabled: !!feed.getProperty("disabled"),
           occurrences: await occurrences(feed, null, from, to) };
}

async function run(op, args, done) {
  const resolve = value => done(JSON.stringify(value));
  try {
    if (op == "ready") resolve(await ready());
    else if (op == "imip") resolve(await imip(args[0]));
    else if (op == "answer") resolve(await answer(...args));
    else if (op == "occurrences") resolve(await occurrences(calendars().home, args[0], args[1], args[2]));
    else if (op == "refresh") resolve(await refresh(args[0], args[1]));
    else if (op == "quit") {
      resolve(true);
      setTimeout(() => Services.startup.quit(Ci.nsIAppStartup.eForceQuit), 100);
    } else resolve({ error: "unknown operation " + op });
  } catch (e) {
    resolve({ error: `${e}\n${e.stack || ""}` });
  }
}
"""


def prefs(a):
    """user.js of a fresh profile: no wizards, no network but 127.0.0.1."""
    p = {
        "marionette.port": a.marionette_port,
        # no first-run wizards, start pages, rights notice or default-client question
        "mail.provider.suppress_dialog_on_startup": True,
        "mail.shell.checkDefaultClient": False,
        "mailnews.start_page.enabled": False,
        "mail.rights.version": 1,
        "mail.spotlight.firstRunDone": True,
        "mail.winsearch.firstRunDone": True,
        "mail.inappnotifications.enabled": False,
        "mail.startup.enabledMailCheckOnce": True,
        # no updates, telemetry or network beyond the test's servers
        "app.update.disabledForTesting": True,
        "app.update.auto": False,
        "extensions.update.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "datareporting.healthreport.uploadEnabled": False,
        "toolkit.telemetry.enabled": False,
        "network.manage-offline-status": False,
        "offline.autoDetect": False,
        "network.proxy.type": 0,
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "mailnews.auto_config.fetchFromISP.enabled": False,
        "mailnews.auto_config.guess.enabled": False,
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        # one account: the member's identity, its outgoing server on 127.0.0.1
        "mail.accountmanager.accounts": "account1,account2",
        "mail.accountmanager.defaultaccount": "account1",
        "mail.accountmanager.localfoldersserver": "server2",
        "mail.account.account1.server": "server1",
        "mail.account.account1.identities": "id1",
        "mail.account.account2.server": "server2",
        "mail.server.server1.type": "pop3",
        "mail.server.server1.hostname": "127.0.0.1",
        "mail.server.server1.port": 9,
        "mail.server.server1.userName": "member",
        "mail.server.server1.name": a.email,
        "mail.server.server1.login_at_startup": False,
        "mail.server.server1.check_new_mail": False,
        "mail.server.server1.download_on_biff": False,
        "mail.server.server2.type": "none",
        "mail.server.server2.hostname": "Local Folders",
        "mail.server.server2.userName": "nobody",
        "mail.server.server2.name": "Local Folders",
        "mail.identity.id1.useremail": a.email,
        "mail.identity.id1.fullName": a.name,
        "mail.identity.id1.smtpServer": "smtp1",
        "mail.identity.id1.valid": True,
        "mail.identity.id1.fcc": False,
        "mail.smtpservers": "smtp1",
        "mail.smtp.defaultserver": "smtp1",
        "mail.smtpserver.smtp1.type": "smtp",
        "mail.smtpserver.smtp1.hostname": "127.0.0.1",
        "mail.smtpserver.smtp1.port": a.smtp_port,
        "mail.smtpserver.smtp1.authMethod": 1,
        "mail.smtpserver.smtp1.try_ssl": 0,
        "mail.smtpserver.smtp1.description": "test",
        # calendars: Home takes invitations for id1; the feed is subscribed
        "calendar.timezone.local": "Europe/Berlin",
        "calendar.timezone.useSystemTimezone": False,
        "calendar.itip.newInvitationDisplay": False,
        "calendar.list.sortOrder": "home feed",
        "calendar.registry.home.type": "storage",
        "calendar.registry.home.uri": "moz-storage-calendar://",
        "calendar.registry.home.name": "Home",
        "calendar.registry.home.imip.identity.key": "id1",
        "calendar.registry.home.calendar-main-default": True,
        "calendar.registry.feed.type": "ics",
        "calendar.registry.feed.uri": a.feed_url,
        "calendar.registry.feed.name": "Feed",
        "calendar.registry.feed.cache.enabled": True,
        "calendar.registry.feed.readOnly": True,
        "calendar.registry.feed.refreshInterval": "30",
    }
    lines = ["user_pref(%s, %s);" % (json.dumps(k), json.dumps(v)) for k, v in p.items()]
    with open(a.dir + "/user.js", "w") as f:
        f.write("\n".join(lines) + "\n")


def connect(port):
    """Connect once Marionette listens (bounded: 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return Marionette(port)
        except (ConnectionRefusedError, EOFError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("profile")
    p.add_argument("dir")
    p.add_argument("--marionette-port", type=int, required=True)
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--feed-url", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    for name in ("ready", "quit"):
        sub.add_parser(name).add_argument("port", type=int)
    p = sub.add_parser("imip")
    p.add_argument("port", type=int)
    p.add_argument("file")
    p = sub.add_parser("answer")
    p.add_argument("port", type=int)
    for name in ("email", "uid", "rid", "partstat"):
        p.add_argument(name)
    p.add_argument("delegate", nargs="?", default="")
    p = sub.add_parser("occurrences")
    p.add_argument("port", type=int)
    p.add_argument("email")
    p.add_argument("start")
    p.add_argument("end")
    p = sub.add_parser("refresh")
    p.add_argument("port", type=int)
    p.add_argument("start")
    p.add_argument("end")
    a = ap.parse_args()

    if a.cmd == "profile":
        prefs(a)
        return
    m = connect(a.port)
    if a.cmd == "ready":
        res = m.run("ready")
    elif a.cmd == "imip":
        res = m.run("imip", a.file)
    elif a.cmd == "answer":
        res = m.run("answer", a.email, a.uid, a.rid, a.partstat, a.delegate)
    elif a.cmd == "occurrences":
        res = m.run("occurrences", a.email, a.start, a.end)
    elif a.cmd == "refresh":
        res = m.run("refresh", a.start, a.end)
    else:
        res = m.run("quit")
    json.dump(res, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
