"""What the audit sent, printed at the end of the run (tests/audit/conftest.py)."""

from collections import Counter

COUNTS: Counter[str] = Counter()

LABELS = {
    "matrix": "route × role requests",
    "idor": "IDOR requests (other school, missing, 0, -1, huge, not a number)",
    "csrf": "CSRF probes",
    "headers": "responses checked for security headers",
    "uploads": "hostile files uploaded",
    "fuzz": "fuzzed form posts",
    "race": "concurrent stall taps",
    "webhook": "webhook deliveries",
}
