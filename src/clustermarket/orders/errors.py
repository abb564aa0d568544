"""The orders' errors: a message for the user, and nothing changed."""


class OrderError(Exception):
    """A request that cannot be done; the message is for the user and nothing changed."""

    status_code = 400


class OutOfStock(OrderError):
    status_code = 409
