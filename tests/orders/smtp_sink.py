"""A tiny SMTP server on 127.0.0.1 that keeps what it receives (tests only)."""

from __future__ import annotations

import email
import socketserver
import threading
from email.message import Message


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def _say(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self._say("220 sink ready")
                while line := self.rfile.readline().decode(errors="replace"):
                    verb = line.strip().split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self._say("250 sink")
                    elif verb == "DATA":
                        self._say("354 end with .")
                        data = []
                        while (part := self.rfile.readline().decode()) not in (".\r\n", ""):
                            data.append(part[1:] if part.startswith("..") else part)
                        sink.messages.append(email.message_from_string("".join(data)))
                        self._say("250 kept")
                    elif verb == "QUIT":
                        self._say("221 bye")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self._say("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
