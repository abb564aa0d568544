"""The summer rollover (filled in below)."""

from litestar import Controller


class RolloverController(Controller):
    path = "/classes/rollover"
