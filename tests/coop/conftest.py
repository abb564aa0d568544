from tests.sharing.conftest import people  # noqa: F401
