"""The phones of bench/stall_sales.py as wrk connections (`LOAD=wrk`, the default where wrk
is installed): the same taps, the same signed-in phones, 20 kept-alive connections each
tapping without pause, from a program written in C.

Why: on this 2-core machine the load's own CPU is taken from the server and PostgreSQL. The
asyncio phones, lean as they are (raw HTTP/1.1 on sockets), cost about 0.25 ms of CPU a tap,
a quarter of the web process's, so at 20 phones their share of the two cores showed up in
the server's p95. wrk costs a small fraction of that (printed as "clients"), as the phones
on a market stall cost the server nothing. The bare route is loaded the same way in the
same run, so the floor under the tap is measured with the same tool.

wrk runs for a time, not a count: the taps are as many as the phones make in `TAP_SECONDS`
(3); each POST gets a fresh uuid-shaped sale or ticket id (run, thread and count in it), the
phones' cookies and CSRF tokens taken in turn. The percentiles are wrk's own (its histogram
of every answer's latency, to the microsecond). When the time is up wrk closes its
connections with up to one tap each still in flight, which the server may still record:
every answered tap must be recorded, and at most one more per phone (the check in
stall_sales.py says which)."""

from __future__ import annotations

import json
import subprocess
import tempfile
import uuid
from pathlib import Path

# Set before it: PATH, BODY (one %s: the id), RUN, OUT, KIND_HEADER, KIND_VALUE, PHONES.
SCRIPT = r"""
local next_tid = 0
local threads = {}
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

local n = 0
local heads = {}
bad = 0
function init(args)
  for i, phone in ipairs(PHONES) do
    heads[i] = {
      ["Cookie"] = phone.cookie, ["x-csrftoken"] = phone.token, [KIND_HEADER] = KIND_VALUE,
      ["Accept-Encoding"] = "gzip, deflate",
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }
  end
end

function request()
  if #heads == 0 then return wrk.format("GET", PATH) end  -- the bare route
  n = n + 1
  local id = string.format("%s-%04x-4%03x-8%03x-%012x", RUN, tid, 0, 0, n)
  return wrk.format("POST", PATH, heads[(n % #heads) + 1], string.format(BODY, id))
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("bad") end
  local e = summary.errors
  local out = io.open(OUT, "w")
  out:write(string.format(
    '{"answered": %d, "failed": %d, "p50": %d, "p95": %d, "p99": %d, "seconds": %f}',
    summary.requests, failed + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.duration / 1e6))
  out:close()
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a Lua string literal for these characters


def tap_with_wrk(
    port: int, path: str, phones: list[dict[str, str]], body: str, seconds: float
) -> dict[str, float]:
    """What `len(phones)` connections tapping `path` for `seconds` got: taps answered,
    answers other than 200 (and socket errors), the seconds it took, and p50 / p95 / p99 in
    seconds (wrk's histogram). `body` holds one `%s`, the tap's id. The bare route (phones
    without cookies): a plain GET."""
    scratch = Path(tempfile.mkdtemp(prefix="clustermarket-wrk-"))
    out = scratch / "answers.json"
    kind = ("Accept", "application/json") if path.endswith("/tickets") else ("HX-Request", "true")
    signed_in = [phone for phone in phones if phone]
    settings = {
        "PATH": _lua(path),
        "BODY": _lua(body),
        "RUN": _lua(uuid.uuid4().hex[:8]),
        "OUT": _lua(str(out)),
        "KIND_HEADER": _lua(kind[0]),
        "KIND_VALUE": _lua(kind[1]),
        "PHONES": "{"
        + ", ".join(
            f"{{cookie = {_lua('; '.join(f'{k}={v}' for k, v in phone.items()))},"
            f" token = {_lua(phone['csrftoken'])}}}"
            for phone in signed_in
        )
        + "}",
    }
    lua = "".join(f"{name} = {value}\n" for name, value in settings.items()) + SCRIPT
    (scratch / "taps.lua").write_text(lua)
    subprocess.run(
        ["wrk", f"-t{min(2, len(phones))}", f"-c{len(phones)}", f"-d{max(1, round(seconds))}s"]
        + ["--timeout", "10s", "-s", str(scratch / "taps.lua"), f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    answers = json.loads(out.read_text())
    for p in ("p50", "p95", "p99"):
        answers[p] /= 1e6
    return answers
