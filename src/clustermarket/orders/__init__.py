"""Pre-orders on top of the market; `hooks.connect()` plugs them into the market's questions."""
