#!/usr/bin/python3
"""A real SMTP server for the e-mail channel's tests (aiosmtpd), on loopback.

usage: smtp_sink.py PORTFILE OUTDIR FAIL_FIRST USER PASSWORD

Listens on 127.0.0.1 on a port the kernel picks (written to PORTFILE),
requires AUTH (PLAIN or LOGIN; no TLS, loopback only), answers the first
FAIL_FIRST messages with a temporary 451, refuses recipients starting with
"reject" with a permanent 550, and writes each accepted message to
OUTDIR/<n>.eml.  Stops by itself after 120 seconds.
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

portfile, outdir, fail_first, user, password = sys.argv[1:6]
fail_first = int(fail_first)


class Handler:
    def __init__(self):
        self.seen = 0
        self.saved = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen <= fail_first:
            return "451 4.3.0 try again later"
        self.saved += 1
        path = os.path.join(outdir, "%d.eml" % self.saved)
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 OK queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and \
        auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok)


async def main():
    loop = asyncio.get_running_loop()
    handler = Handler()
    srv = await loop.create_server(
        lambda: SMTP(handler, authenticator=authenticator, auth_required=True,
                     auth_require_tls=False, hostname="sink.test"),
        "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    await asyncio.sleep(120)


asyncio.run(main())
