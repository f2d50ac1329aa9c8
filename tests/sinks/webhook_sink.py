#!/usr/bin/python3
"""An SMS gateway stand-in for the webhook channel's tests, on loopback.

usage: webhook_sink.py PORTFILE OUTDIR FAIL_FIRST

Answers the first FAIL_FIRST POSTs with 503, a body whose "to" is
"+4700000000" with a permanent 400, and records every other request
(headers and body) in OUTDIR/<n>.json before answering 202.  Stops by
itself after 120 seconds.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

portfile, outdir, fail_first = sys.argv[1], sys.argv[2], int(sys.argv[3])
state = {"seen": 0, "saved": 0}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        state["seen"] += 1
        if state["seen"] <= fail_first:
            return self.answer(503)
        try:
            if json.loads(body).get("to") == "+4700000000":
                return self.answer(400)
        except ValueError:
            return self.answer(400)
        state["saved"] += 1
        path = os.path.join(outdir, "%d.json" % state["saved"])
        with open(path + ".tmp", "w") as f:
            json.dump({"path": self.path, "headers": dict(self.headers.items()),
                       "body": body.decode()}, f)
        os.rename(path + ".tmp", path)
        self.answer(202)

    def answer(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


srv = HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(portfile + ".tmp", portfile)
threading.Timer(120, srv.shutdown).start()
srv.serve_forever()
