#!/usr/bin/python3
"""Ask every operation of static/openapi.json what the e2e suites do not.

usage: probe.py TIMEBOK_BIN RECORD_DIR

Starts timebok with --demo on a fresh database in a temporary folder (a
loopback port it picks), logs in as the demo admin and the clinician
lege1, and sends each operation of the document, as admin, as the
clinician and with no session: with a real id, a non-number, 0 and an
unknown id; GETs also with an unknown query parameter and bad values; bodies
also as bad JSON, an unknown field, an array, text/plain, over 64 KiB and
with a bad If-Match (admin, an unknown id: nothing is changed).  Each answer
goes to RECORD_DIR/probe.jsonl in tests/e2e.c's format, for validate.mjs.
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

binary, outdir = sys.argv[1:3]
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
tmp = tempfile.mkdtemp(prefix="timebok-probe-")
portfile = os.path.join(tmp, "port")
server = subprocess.Popen(
    [binary, "--db", os.path.join(tmp, "demo.db"), "--listen", "127.0.0.1:0", "--port-file",
     portfile, "--demo", "--static-dir", os.path.join(src, "static"), "--spool-dir",
     os.path.join(tmp, "spool")],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.monotonic() + 60
    while not (os.path.exists(portfile) and open(portfile).read().strip()):
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit("probe: timebok did not start")
        time.sleep(0.05)
    port = int(open(portfile).read())
    record = open(os.path.join(outdir, "probe.jsonl"), "w")

    def send(method, path, body=None, headers=None, who=None, keep=True):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        h = dict(headers or {})
        if who:
            h["Cookie"], h["X-CSRF-Token"] = who
        if body is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        line = {"method": method, "path": path, "status": r.status,
                "content_type": r.getheader("Content-Type")}
        if data:
            try:
                line["body"] = json.loads(data)
            except ValueError:
                line["body"] = data.decode("utf-8", "replace")
        if keep:
            record.write(json.dumps(line) + "\n")
        return r, line.get("body")

    def login(user):
        r, body = send("POST", "/api/v1/session",
                       json.dumps({"username": user, "password": "timebok-demo-2026"}), keep=False)
        if r.status != 200:
            sys.exit("probe: cannot log in as %s (%d)" % (user, r.status))
        return r.getheader("Set-Cookie").split(";")[0], body["csrf_token"]

    admin, clinician = login("admin"), login("lege1")
    doc = json.load(open(os.path.join(src, "static", "openapi.json")))
    for path, item in doc["paths"].items():
        for m in ("get", "post", "put", "patch", "delete"):
            if m not in item:
                continue
            method, with_body = m.upper(), m in ("post", "put", "patch")
            ids = ("1", "abc", "0", "99999999") if "{" in path else ("1",)
            for who in (admin, clinician, None):
                for v in ids:
                    p = re.sub(r"\{[a-z_]+\}", v, path)
                    if method == "GET":
                        send(method, p, who=who)
                        send(method, p + "?zzz=1", who=who)
                        send(method, p + "?limit=-1&offset=x&from=bad&date=2026-02-30", who=who)
                    elif who is not admin or v != "1":  # the admin changes nothing real
                        send(method, p, "{}" if with_body else None, who=who)
            if with_body:
                p = re.sub(r"\{[a-z_]+\}", "99999999", path)
                for body, h in (("{", None), ('{"zzz":1}', None), ("[]", None),
                                ("{}", {"Content-Type": "text/plain"}), ("x" * 70000, None),
                                ("{}", {"If-Match": '"abc"'})):
                    send(method, p, body, headers=h, who=admin)
    record.close()
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(tmp, ignore_errors=True)
