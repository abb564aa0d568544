"""What the audit sent, printed at the end of the run (tests/audit/conftest.py)."""

from collections import Counter

COUNTS: Counter[str] = Counter()

LABELS = {
    "cells": "routes × roles with an expected answer",
    "matrix": "route × role requests sent (unsafe ones only as roles that must be refused)",
    "idor": "IDOR requests (other school, missing, 0, -1, huge, not a number)",
    "cluster_ids": "requests with cluster B's ids, as cluster A's roles on A's host",
    "cluster_pages": "cluster A pages, files and feeds read for cluster B's names",
    "cluster_missing": "path ids of a kind cluster B has no row of (not sent)",
    "csrf": "CSRF probes",
    "headers": "responses checked for security headers",
    "uploads": "hostile files uploaded",
    "fuzz": "fuzzed form posts",
    "race": "concurrent stall taps",
    "webhook": "webhook deliveries",
}
