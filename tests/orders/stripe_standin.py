"""A small Stripe-compatible HTTP server for tests and the local demo (never production).

localstripe has no Checkout Sessions, so this answers the endpoints the app calls, in the
shapes Stripe documents: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id},
POST /v1/checkout/sessions/{id}/expire and POST /v1/refunds. It checks the secret key,
honours `Idempotency-Key` (the same key gets the same answer, nothing new is made) and keeps
every request for the tests to inspect. It only ever listens on 127.0.0.1.

For the demo it also serves a pretend payment page at the session's `url`: "Pay" marks the
session paid, delivers a signed `checkout.session.completed` event to the app's webhook and
sends the buyer on to the success page.

    .venv/bin/python -m tests.orders.stripe_standin --port 12111 \
        --webhook http://127.0.0.1:8000/stripe/webhook --secret whsec_demo
"""

from __future__ import annotations

import argparse
import html
import json
import re
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

HOST = "127.0.0.1"


def _nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`line_items[0][price_data][currency]=gbp`) as nested values."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class StripeStandIn:
    def __init__(
        self,
        api_key: str,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self._idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((HOST, port), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- running

    def start(self) -> StripeStandIn:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        # Fail at once (not hang) if nothing answers.
        deadline = time.monotonic() + 5
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=1).read()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"The Stripe stand-in did not start on {self.url}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -------------------------------------------------------------- what a buyer does on Stripe

    def pay(self, session_id: str) -> dict[str, Any]:
        """The buyer pays on the Checkout page: the session completes with a PaymentIntent."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session.update(status="complete", payment_status="paid", payment_intent=_id("pi"))
            return json.loads(json.dumps(session))

    def expire(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session["status"] = "expired"
            return json.loads(json.dumps(session))

    def event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """An event in Stripe's shape (a snapshot of the object)."""
        return {
            "id": _id("evt"),
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": obj},
        }

    @staticmethod
    def charge_refunded(payment_intent: str, amount: int, refund_id: str | None = None):
        return {
            "id": _id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": amount,
            "refunded": True,
            "payment_intent": payment_intent,
            "refunds": {
                "object": "list",
                "data": [
                    {
                        "id": refund_id or _id("re"),
                        "object": "refund",
                        "amount": amount,
                        "status": "succeeded",
                    }
                ],
            },
        }

    def sign(self, payload: str, secret: str | None = None, timestamp: int | None = None) -> str:
        """Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.payload" with the secret>."""
        return stripe.WebhookSignature.generate_signature_header(
            payload, secret or self.webhook_secret or "", timestamp=timestamp
        )

    def deliver(self, event: dict[str, Any]) -> int:
        """Send a signed event to the app's webhook over HTTP (the demo)."""
        payload = json.dumps(event)
        request = urllib.request.Request(
            self.webhook_url or "",
            data=payload.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": self.sign(payload)},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    # -------------------------------------------------------------- the API

    def _create_session(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        items = params.get("line_items") or []
        if params.get("mode") != "payment" or not items:
            return 400, _error("mode=payment and line_items are required", "line_items")
        for item in items:
            price = item.get("price_data") or {}
            if price.get("currency") != "gbp" or not str(price.get("unit_amount", "")).isdigit():
                return 400, _error("price_data needs currency and unit_amount", "line_items")
        session_id = _id("cs")
        total = sum(int(i["quantity"]) * int(i["price_data"]["unit_amount"]) for i in items)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "currency": "gbp",
            "amount_total": total,
            "amount_subtotal": total,
            "livemode": False,
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata") or {},
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "expires_at": int(params.get("expires_at") or time.time() + 86400),
            "created": int(time.time()),
            "payment_intent": None,
            "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return 200, session

    def _refund(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        pi = params.get("payment_intent")
        session = next((s for s in self.sessions.values() if s["payment_intent"] == pi), None)
        if session is None:
            return 400, _error(f"No such payment_intent: '{pi}'", "payment_intent")
        if any(r["payment_intent"] == pi for r in self.refunds):
            return 400, _error("Charge has already been refunded.", None, "charge_already_refunded")
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": session["amount_total"],
            "currency": "gbp",
            "payment_intent": pi,
            "status": "succeeded",
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        self.refunds.append(refund)
        return 200, refund

    def answer(self, method: str, path: str, headers: dict[str, str], body: str):
        """(status, json) for one API request."""
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {
                "error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}
            }
        params = _nested(parse_qsl(body, keep_blank_values=True))
        key = headers.get("idempotency-key")
        with self._lock:
            self.requests.append(
                {"method": method, "path": path, "params": params, "idempotency_key": key}
            )
            if method == "POST" and key and key in self._idempotent:
                return self._idempotent[key]
            result = self._route(method, path, params)
            if method == "POST" and key and result[0] == 200:
                self._idempotent[key] = result
            return result

    def _route(self, method: str, path: str, params: dict[str, Any]):
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(params)
        if method == "POST" and path == "/v1/refunds":
            return self._refund(params)
        match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)(/expire)?", path)
        if match and match.group(1) in self.sessions:
            session = self.sessions[match.group(1)]
            if match.group(2) and method == "POST":
                if session["status"] != "open":
                    return 400, _error(
                        f'Only Checkout Sessions with a status in ["open"] can be expired. '
                        f'This Checkout Session has a status of "{session["status"]}".',
                        None,
                    )
                session["status"] = "expired"
                return 200, session
            if method == "GET" and not match.group(2):
                return 200, session
        if match:
            return 404, _error(
                f"No such checkout.session: '{match.group(1)}'", "session", "resource_missing"
            )
        return 404, _error(f"Unrecognized request URL ({method}: {path}).", None)

    # -------------------------------------------------------------- HTTP

    def _pay_page(self, session_id: str) -> str:
        session = self.sessions[session_id]
        amount = session["amount_total"] / 100
        return (
            f"<!doctype html><title>Stand-in checkout</title><h1>Test payment</h1>"
            f"<p>Pay £{amount:.2f} (stand-in for Stripe Checkout; no money moves).</p>"
            f"<form method='post'><button>Pay</button></form>"
            f"<p><a href='{html.escape(session['cancel_url'] or '')}'>Back</a></p>"
        )

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(
                self,
                status: int,
                body: bytes,
                kind: str = "application/json",
                location: str | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Request-Id", _id("req"))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method: str) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if path == "/health":
                    return self._send(200, b"{}")
                page = re.fullmatch(r"/pay/(cs_test_\w+)", path)
                if page and page.group(1) in standin.sessions:
                    if method == "GET":
                        return self._send(
                            200,
                            standin._pay_page(page.group(1)).encode(),
                            "text/html; charset=utf-8",
                        )
                    session = standin.pay(page.group(1))
                    if standin.webhook_url:
                        standin.deliver(standin.event("checkout.session.completed", session))
                    target = (session["success_url"] or "/").replace(
                        "{CHECKOUT_SESSION_ID}", session["id"]
                    )
                    return self._send(303, b"", "text/plain", location=target)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = standin.answer(method, path, headers, body)
                self._send(status, json.dumps(answer).encode())

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        return Handler


def _error(message: str, param: str | None, code: str | None = None) -> dict[str, Any]:
    return {
        "error": {"type": "invalid_request_error", "message": message, "param": param, "code": code}
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--api-key", default="sk_test_demo")
    parser.add_argument("--webhook", default="http://127.0.0.1:8000/stripe/webhook")
    parser.add_argument("--secret", default="whsec_demo")
    args = parser.parse_args()
    standin = StripeStandIn(args.api_key, args.webhook, args.secret, args.port).start()
    print(f"Stripe stand-in on {standin.url} (key {args.api_key}); Ctrl-C stops it")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
