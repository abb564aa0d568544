"""The app's request class: litestar-htmx's `HTMXRequest` without its reference cycle.

`HTMXRequest.__init__` stores `HTMXDetails(self)` on the request, and the details keep the
request: every request object is in a cycle, and through its scope so is everything the
request touched (the scope's state, the user, the form, each middleware's send wrapper).
Reference counting can free none of it; the cyclic garbage collector must, and a tap made
several such requests (the middleware's and the handler's), about 60 objects of cyclic
garbage per request. The collector's passes stop every request while they run, and they
ran often and long: on a worker taking 1,000 taps a second, a young pass of several
milliseconds every tenth of a second and a full one of 15–20 ms every second or two
(issue 17, target 4: the tap's p95).

Here `htmx` is made when asked for, from the request, and not kept: nothing refers back,
so a request's objects are freed the moment it ends. The details are the same class with
the same answers; each `request.htmx` is a new one (its properties cached for that one)."""

from __future__ import annotations

from litestar import Request
from litestar.connection.base import empty_receive, empty_send
from litestar.plugins.htmx import HTMXDetails, HTMXRequest
from litestar.types import Receive, Scope, Send


class AppRequest(HTMXRequest):
    __slots__ = ()

    def __init__(self, scope: Scope, receive: Receive = empty_receive, send: Send = empty_send):
        Request.__init__(self, scope=scope, receive=receive, send=send)  # no details kept

    @property  # type: ignore[override]
    def htmx(self) -> HTMXDetails:
        return HTMXDetails(self)
