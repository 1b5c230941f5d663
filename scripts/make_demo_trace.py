#!/usr/bin/env python3
"""Writes public/samples/checkout.json: the built-in demo trace (OTLP JSON).

The classic slow checkout: order-service `checkout` (~4 s) calls inventory `reserve` (50 ms),
payment `charge` (3.5 s) and notification `send` (100 ms); payment calls fraud-detection `check`
(3.2 s, the bottleneck), whose slow SQL query is the answer the user should find.
Deterministic: re-running produces the same file.
"""
import json
import pathlib

T0 = 1_795_140_847_000_000_000  # 2026-11-20 02:14:07 UTC, in nanoseconds
MS = 1_000_000
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def attr(key, value):
    if isinstance(value, bool):
        v = {"boolValue": value}
    elif isinstance(value, int):
        v = {"intValue": str(value)}
    elif isinstance(value, float):
        v = {"doubleValue": value}
    else:
        v = {"stringValue": value}
    return {"key": key, "value": v}


SERVICES = {
    "order-service": {"service.version": "2.14.0", "deployment.environment": "production", "host.name": "order-7c9d4-x2kq", "telemetry.sdk.language": "java"},
    "inventory": {"service.version": "1.8.3", "deployment.environment": "production", "host.name": "inventory-5f6b8-pl2m", "telemetry.sdk.language": "go"},
    "payment": {"service.version": "3.2.1", "deployment.environment": "production", "host.name": "payment-64d7f-qq9r", "telemetry.sdk.language": "python"},
    "fraud-detection": {"service.version": "0.9.12", "deployment.environment": "production", "host.name": "fraud-8b5c2-zt7w", "telemetry.sdk.language": "python"},
    "notification": {"service.version": "1.3.0", "deployment.environment": "production", "host.name": "notify-59f4c-m3vd", "telemetry.sdk.language": "nodejs"},
}

spans = {name: [] for name in SERVICES}
counter = [0]


def span(service, name, parent, start_ms, dur_ms, kind, attrs=(), status=None, events=()):
    counter[0] += 1
    span_id = f"{0x00f067aa0ba90000 + counter[0] * 0x1111:016x}"
    s = {
        "traceId": TRACE_ID,
        "spanId": span_id,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": str(T0 + int(start_ms * MS)),
        "endTimeUnixNano": str(T0 + int((start_ms + dur_ms) * MS)),
        "attributes": [attr(k, v) for k, v in attrs],
        "status": status or {},
    }
    if parent:
        s["parentSpanId"] = parent
    if events:
        s["events"] = list(events)
    spans[service].append(s)
    return span_id


SERVER, CLIENT, PRODUCER, INTERNAL = 2, 3, 4, 1

root = span("order-service", "checkout", None, 0, 4020, SERVER, [
    ("http.request.method", "POST"), ("http.route", "/api/checkout"), ("url.path", "/api/checkout"),
    ("http.response.status_code", 200), ("order.id", "ord-7f3a91"), ("user.id", "u-1842"),
    ("client.address", "203.0.113.24"), ("order.items", 3), ("order.total", 149.97),
])
span("order-service", "GET cart", root, 4, 2, CLIENT, [
    ("db.system", "redis"), ("db.operation.name", "GET"), ("db.statement", "GET cart:u-1842"),
    ("server.address", "cache-1.internal"), ("cache.hit", True),
])
inv_client = span("order-service", "POST /reserve", root, 9, 53, CLIENT, [
    ("http.request.method", "POST"), ("url.full", "http://inventory:8080/reserve"), ("http.response.status_code", 200),
])
reserve = span("inventory", "reserve", inv_client, 10, 50, SERVER, [
    ("http.request.method", "POST"), ("http.route", "/reserve"), ("http.response.status_code", 200),
    ("order.id", "ord-7f3a91"), ("inventory.skus", 3),
])
span("inventory", "UPDATE stock", reserve, 14, 31, CLIENT, [
    ("db.system", "postgresql"), ("db.name", "inventory"), ("db.operation.name", "UPDATE"),
    ("db.statement", "UPDATE stock SET reserved = reserved + $1 WHERE sku = ANY($2) AND available >= $1"),
    ("server.address", "pg-inventory.internal"), ("db.rows_affected", 3),
])
pay_client = span("order-service", "POST /charge", root, 66, 3508, CLIENT, [
    ("http.request.method", "POST"), ("url.full", "http://payment:8080/charge"), ("http.response.status_code", 200),
])
charge = span("payment", "charge", pay_client, 68, 3500, SERVER, [
    ("http.request.method", "POST"), ("http.route", "/charge"), ("http.response.status_code", 200),
    ("order.id", "ord-7f3a91"), ("payment.amount", 149.97), ("payment.currency", "EUR"), ("payment.method", "card"),
], events=[{
    "timeUnixNano": str(T0 + 3560 * MS), "name": "payment.authorized",
    "attributes": [attr("payment.provider", "stripe"), attr("authorization.code", "A-55812")],
}])
fraud_client = span("payment", "POST /check", charge, 72, 3212, CLIENT, [
    ("http.request.method", "POST"), ("url.full", "http://fraud-detection:8080/check"), ("http.response.status_code", 200),
])
check = span("fraud-detection", "check", fraud_client, 76, 3200, SERVER, [
    ("http.request.method", "POST"), ("http.route", "/check"), ("http.response.status_code", 200),
    ("fraud.score", 0.07), ("fraud.decision", "allow"), ("fraud.rules_evaluated", 42),
])
span("fraud-detection", "GET score-cache", check, 79, 1, CLIENT, [
    ("db.system", "redis"), ("db.operation.name", "GET"), ("db.statement", "GET fraud:score:card_9f2c"), ("cache.hit", False),
])
span("fraud-detection", "SELECT transactions", check, 82, 2965, CLIENT, [
    ("db.system", "postgresql"), ("db.name", "payments"), ("db.operation.name", "SELECT"),
    ("db.statement", "SELECT amount, merchant_id, created_at FROM transactions WHERE card_fingerprint = $1 AND created_at > now() - interval '365 days' ORDER BY created_at DESC"),
    ("server.address", "pg-payments-replica.internal"), ("db.rows_returned", 18211),
])
span("fraud-detection", "score", check, 3050, 215, INTERNAL, [("fraud.model", "gbdt-v7"), ("fraud.features", 118)])
span("payment", "POST api.stripe.example/v1/charges", charge, 3290, 262, CLIENT, [
    ("http.request.method", "POST"), ("url.full", "https://api.stripe.example/v1/charges"),
    ("http.response.status_code", 200), ("peer.service", "stripe"),
])
notif_client = span("order-service", "POST /send", root, 3580, 104, CLIENT, [
    ("http.request.method", "POST"), ("url.full", "http://notification:8080/send"), ("http.response.status_code", 202),
])
send = span("notification", "send", notif_client, 3582, 100, SERVER, [
    ("http.request.method", "POST"), ("http.route", "/send"), ("http.response.status_code", 202),
    ("notification.channel", "email"), ("order.id", "ord-7f3a91"),
])
span("notification", "smtp send", send, 3590, 80, CLIENT, [
    ("server.address", "smtp.mail.example"), ("server.port", 587), ("messaging.system", "smtp"),
], status={"code": 2, "message": "421 4.7.0 Try again later, closing connection"}, events=[{
    "timeUnixNano": str(T0 + 3669 * MS), "name": "exception",
    "attributes": [
        attr("exception.type", "SMTPTemporaryError"),
        attr("exception.message", "421 4.7.0 Try again later, closing connection"),
        attr("exception.escaped", False),
    ],
}])
span("notification", "enqueue retry", send, 3672, 6, PRODUCER, [
    ("messaging.system", "kafka"), ("messaging.destination.name", "email-retry"), ("messaging.operation.type", "publish"),
])
span("order-service", "INSERT orders", root, 3700, 38, CLIENT, [
    ("db.system", "postgresql"), ("db.name", "orders"), ("db.operation.name", "INSERT"),
    ("db.statement", "INSERT INTO orders (id, user_id, total, currency, status) VALUES ($1, $2, $3, $4, 'placed')"),
    ("server.address", "pg-orders.internal"), ("db.rows_affected", 1),
])
span("order-service", "publish OrderPlaced", root, 3760, 14, PRODUCER, [
    ("messaging.system", "kafka"), ("messaging.destination.name", "orders.placed"), ("messaging.operation.type", "publish"),
])

doc = {"resourceSpans": [
    {
        "resource": {"attributes": [attr("service.name", svc)] + [attr(k, v) for k, v in extra.items()]},
        "scopeSpans": [{"scope": {"name": "io.opentelemetry.auto", "version": "2.10.0"}, "spans": spans[svc]}],
    }
    for svc, extra in SERVICES.items()
]}
out = pathlib.Path(__file__).resolve().parent.parent / "public" / "samples" / "checkout.json"
out.write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {out} ({sum(len(v) for v in spans.values())} spans)")
