#!/usr/bin/python3
"""Check timebok's e-mails and calendar files with outside parsers.

usage: standards_check.py MAILDIR ICSDIR FROM_NAME SUBJECT...

Every MAILDIR/*.eml (as tests/sinks/smtp_sink.py saved it) must parse with
Python's email package (policy.strict: any defect fails), every header line
is at most 78 characters and every line at most 998 (RFC 5322 2.1.1), every
RFC 2047 encoded-word at most 75 characters and whole UTF-8 characters on
its own; the From display name decodes back to FROM_NAME and the Subject to
one of the SUBJECTs; the MIME structure is multipart/mixed with text/plain
and text/calendar, whose method= agrees with the file's METHOD.  Every
calendar object (the mails' attachments and ICSDIR/*.ics) has CRLF lines of
at most 75 octets, folded never inside a UTF-8 character (RFC 5545 3.1),
parses with python3-icalendar, and with METHOD:REQUEST names an ORGANIZER
and the recipient as ATTENDEE (RFC 5546 3.2.2); a PUBLISH names an
ORGANIZER (3.2.1).  The link in a mail's .ics is the one in its text.
Prints each problem; exits 1 if any.
"""
import email
import email.header
import email.policy
import glob
import os
import re
import sys

import icalendar

maildir, icsdir, from_name = sys.argv[1:4]
subjects = set(sys.argv[4:])
problems = []
WORD = re.compile(rb"=\?([^?]+)\?([bBqQ])\?([^?]*)\?=")


def problem(where, what):
    problems.append("%s: %s" % (where, what))


def check_ics(where, data, method_param=None, recipient=None):
    if not data.endswith(b"\r\n"):
        problem(where, "does not end in CRLF")
    lines = data[:-2].split(b"\r\n")
    for i, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            problem(where, "line %d: a bare CR or LF" % i)
        if len(line) > 75:
            problem(where, "line %d: %d octets (at most 75)" % (i, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problem(where, "line %d: folded inside a UTF-8 character" % i)
    try:
        cal = icalendar.Calendar.from_ical(data.decode("utf-8"))
    except Exception as e:  # the parser's own words
        problem(where, "python3-icalendar cannot parse it: %s" % e)
        return None
    method = str(cal.get("METHOD", "")) or None
    if method_param is not None and (method or "").upper() != method_param.upper():
        problem(where, "Content-Type says method=%s, the file METHOD:%s" % (method_param, method))
    for ev in cal.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART"):
            if prop not in ev:
                problem(where, "a VEVENT without %s" % prop)
        if method in ("REQUEST", "PUBLISH", "CANCEL") and "ORGANIZER" not in ev:
            problem(where, "METHOD:%s without ORGANIZER" % method)
        if method in ("REQUEST", "CANCEL"):
            attendees = ev.get("ATTENDEE", [])
            attendees = [str(a).lower() for a in (attendees if isinstance(attendees, list) else [attendees])]
            if not attendees or (recipient and "mailto:" + recipient.lower() not in attendees):
                problem(where, "METHOD:%s without the recipient as ATTENDEE" % method)
    return cal


def check_mail(path):
    raw = open(path, "rb").read()
    where = os.path.basename(path)
    head = raw.split(b"\r\n\r\n", 1)[0]
    for i, line in enumerate(raw.split(b"\r\n"), 1):
        if len(line) > 998:
            problem(where, "line %d: %d characters (at most 998)" % (i, len(line)))
    for i, line in enumerate(head.split(b"\r\n")[1:], 2):  # the sink's X-Envelope-To first
        if len(line) > 78:
            problem(where, "header line %d: %d characters (at most 78): %r" % (i, len(line), line[:90]))
    for m in WORD.finditer(raw):
        if len(m.group(0)) > 75:
            problem(where, "an encoded-word of %d characters (at most 75)" % len(m.group(0)))
        try:
            text = email.header.decode_header(m.group(0).decode("ascii"))[0][0]
            text.decode(m.group(1).decode())
        except (UnicodeDecodeError, LookupError, ValueError) as e:
            problem(where, "an encoded-word that is not whole characters: %s" % e)
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.strict)
    except Exception as e:
        problem(where, "the email package refuses it: %s" % e)
        return
    for part in msg.walk():
        for d in part.defects:
            problem(where, "MIME defect: %r" % d)
    # the display name by RFC 2047's own decoder: Python's address parser
    # (3.11) keeps the space between two encoded-words of a phrase, which
    # 6.2 says to drop (Thunderbird, Gmail and the compat32 decoder do)
    raw_from = email.message_from_bytes(raw, policy=email.policy.compat32)["From"]
    name = str(email.header.make_header(email.header.decode_header(raw_from)))
    name = name.rsplit(" <", 1)[0]
    if name != from_name:
        problem(where, "From name decodes to %r, not %r" % (name, from_name))
    if str(msg["Subject"]) not in subjects:
        problem(where, "Subject decodes to %r, not one of the messages' subjects" % str(msg["Subject"]))
    recipient = msg["To"].addresses[0].addr_spec
    if msg.get_content_type() != "multipart/mixed":
        problem(where, "not multipart/mixed: %s" % msg.get_content_type())
        return
    kinds = [p.get_content_type() for p in msg.iter_parts()]
    if kinds != ["text/plain", "text/calendar"]:
        problem(where, "parts %s, not text/plain and text/calendar" % kinds)
        return
    text, cal = list(msg.iter_parts())
    body = text.get_content()
    ics = cal.get_payload(decode=True)
    parsed = check_ics(where + " (attachment)", ics, cal.get_param("method"), recipient)
    links = re.findall(r"https?://\S+/i/[A-Za-z0-9_-]{43}", body)
    if parsed is not None and links:
        for ev in parsed.walk("VEVENT"):
            if str(ev.get("URL", "")) != links[0] or links[0] not in str(ev.get("DESCRIPTION", "")):
                problem(where, "the .ics does not carry the text's link whole")


mails = sorted(glob.glob(os.path.join(maildir, "*.eml")))
files = sorted(glob.glob(os.path.join(icsdir, "*.ics")))
for path in mails:
    check_mail(path)
for path in files:
    ctype = open(path[:-4] + ".type").read().strip() if os.path.exists(path[:-4] + ".type") else ""
    m = re.search(r";\s*method=([A-Za-z-]+)", ctype)
    check_ics(os.path.basename(path), open(path, "rb").read(), m.group(1) if m else "")
for p in problems:
    print(p)
print("standards_check: %d e-mails, %d calendar files, %d problems" % (len(mails), len(files), len(problems)))
sys.exit(1 if problems or not mails or not files else 0)
