from tests.sharing.conftest import people  # noqa: F401  (signed-in clients per user)
