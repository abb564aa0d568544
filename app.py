"""`litestar run` and uvicorn find `app` here."""

import sys

from clustermarket.settings import SettingsError, get_settings

try:
    get_settings()
except SettingsError as error:  # one line naming the setting, not a traceback
    sys.exit(f"Setting error: {error}")

from clustermarket.server import create_app  # noqa: E402

app = create_app()
