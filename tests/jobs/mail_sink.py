"""An aiosmtpd SMTP server on a fixed 127.0.0.1 port that can be down, hang, or be up."""

from __future__ import annotations

import email
import socket
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """Down (connection refused) until `up()`; `hang()` accepts connections and says nothing."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Message] = []
        self._controller: Controller | None = None
        self._hanging: socket.socket | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def hang(self) -> None:
        self._hanging = socket.socket()
        self._hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._hanging.bind(("127.0.0.1", self.port))
        self._hanging.listen(16)

    def up(self) -> None:
        self.stop()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._hanging:
            self._hanging.close()
            self._hanging = None
        if self._controller:
            self._controller.stop()
            self._controller = None

    def subjects(self) -> list[str]:
        return sorted(m["Subject"] for m in self.messages)
