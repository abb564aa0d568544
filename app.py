"""`litestar run` and uvicorn find `app` here."""

import gc
import sys

from clustermarket.settings import SettingsError, get_settings

try:
    settings = get_settings()
except SettingsError as error:  # one line naming the setting, not a traceback
    sys.exit(f"Setting error: {error}")

from clustermarket.db import database_problem  # noqa: E402

if problem := database_problem(settings):  # a wrong host or port: one line too
    sys.exit(f"Setting error: {problem}")

from clustermarket.server import create_app  # noqa: E402

app = create_app()

# What the imports and the app built live for the whole process: out of the garbage
# collector's sight, so that its full passes (which stop every request) stay short.
gc.collect()
gc.freeze()
