"""A seeded, realistic multi-service log for the benchmarks: mostly repeated INFO/DEBUG traffic,
a few warnings, and a dozen distinct errors and stack traces spread over the whole file (so a
head/tail cut cannot keep them all by luck).

`synth_log(size)` returns the text and, for each distinct error signature, a marker string that
appears in every occurrence of that error, so a benchmark can count which signatures survived.
"""

import random
from datetime import UTC, datetime, timedelta

SERVICES = ("api-gateway", "auth-service", "payments", "export-worker", "search", "notifier")

ERROR_LINES = (
    (
        "PaymentDeclinedError",
        "ERROR payments charge failed: PaymentDeclinedError card_declined for order ORD-{n} account acct_{a}",
    ),
    ("upstream timeout", "ERROR api-gateway upstream timeout after 30000ms route=/v1/exports/{n} request_id=req_{h}"),
    (
        "TokenSignatureInvalid",
        "ERROR auth-service TokenSignatureInvalid: JWT signature verification failed kid=k{a} user=u{n}",
    ),
    (
        "ConnectionPoolExhausted",
        "ERROR export-worker ConnectionPoolExhausted: no connection available in 5000ms pool=primary active=50",
    ),
    (
        "IndexShardFailed",
        "ERROR search IndexShardFailed shard={a} index=orders-2024.05 reason=circuit_breaking_exception",
    ),
    ("WebhookDeliveryFailed", "ERROR notifier WebhookDeliveryFailed endpoint_id=we_{h} status=502 attempt={a}"),
    ("RateLimitExceeded", "WARN api-gateway RateLimitExceeded tenant=acct_{a} limit=1000/min request_id=req_{h}"),
    ("DiskPressure", "WARN export-worker DiskPressure: /var/lib/exports at 93% used, {n} files pending"),
)

JAVA_TRACES = (
    (
        "DeadlockLoserDataAccessException",
        [
            "ERROR payments Transaction rolled back for order ORD-{n}",
            "org.springframework.dao.DeadlockLoserDataAccessException: PreparedStatementCallback; deadlock detected",
            "\tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:1541)",
            "\tat com.acme.payments.LedgerRepository.post(LedgerRepository.java:88)",
            "\tat com.acme.payments.ChargeService.settle(ChargeService.java:212)",
            "Caused by: org.postgresql.util.PSQLException: ERROR: deadlock detected",
            "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2675)",
            "\t... 42 more",
        ],
    ),
    (
        "SSLHandshakeException",
        [
            "ERROR notifier Delivery to partner endpoint failed",
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed",
            "\tat sun.security.ssl.Alert.createSSLException(Alert.java:131)",
            "\tat sun.security.ssl.TransportContext.fatal(TransportContext.java:371)",
            "\tat com.acme.notify.HttpSender.send(HttpSender.java:57)",
            "Caused by: sun.security.validator.ValidatorException: unable to find valid certification path",
            "\t... 17 more",
        ],
    ),
    (
        "NullPointerException",
        [
            "ERROR export-worker Export job {n} crashed",
            'java.lang.NullPointerException: Cannot invoke "Column.name()" because "col" is null',
            "\tat com.acme.export.CsvWriter.header(CsvWriter.java:44)",
            "\tat com.acme.export.ExportJob.run(ExportJob.java:130)",
            "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
        ],
    ),
)

PYTHON_TRACES = (
    (
        "KeyError: 'currency'",
        [
            "ERROR search reindex task failed",
            "Traceback (most recent call last):",
            '  File "/srv/search/tasks.py", line 211, in reindex',
            "    doc = build_document(order)",
            '  File "/srv/search/documents.py", line 58, in build_document',
            "    price = order['totals']['currency']",
            "KeyError: 'currency'",
        ],
    ),
)

INFO_TEMPLATES = (
    'INFO api-gateway {ip} "GET /v1/orders/{n} HTTP/1.1" 200 {b} {ms}ms request_id=req_{h}',
    'INFO api-gateway {ip} "POST /v1/exports HTTP/1.1" 202 {b} {ms}ms request_id=req_{h}',
    "INFO auth-service login ok user=u{n} method=sso tenant=acct_{a} request_id=req_{h}",
    "INFO payments charge authorized order=ORD-{n} amount={a}.{c} currency=USD",
    "INFO export-worker export {n} progress {c}% rows={b}",
    "INFO search query served index=orders took={ms}ms hits={c}",
    "INFO notifier email queued template=receipt to=customer{n}@example.com",
    "DEBUG auth-service cache hit key=session:{h} ttl={c}",
    "DEBUG payments ledger balance checked account=acct_{a} pending={c}",
    "DEBUG search shard {c} heartbeat ok",
)


def _fill(template: str, rnd: random.Random) -> str:
    return template.format(
        n=rnd.randint(10_000, 99_999),
        a=rnd.randint(100, 9_999),
        b=rnd.randint(200, 90_000),
        c=rnd.randint(0, 99),
        h=f"{rnd.getrandbits(48):012x}",
        ms=rnd.randint(2, 900),
        ip=f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}",
    )


def synth_log(size: int = 1_000_000, seed: int = 7) -> tuple[str, list[str]]:
    rnd = random.Random(seed)
    now = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    signatures = [marker for marker, _ in ERROR_LINES] + [m for m, _ in JAVA_TRACES] + [m for m, _ in PYTHON_TRACES]
    # Every signature gets a few occurrences at random points; the first ones land mid-file.
    incidents = [(marker, rnd.uniform(0.1, 0.95)) for marker in signatures for _ in range(rnd.randint(2, 6))]
    incidents.sort(key=lambda item: item[1])
    by_marker = {m: [t] for m, t in ERROR_LINES} | {m: lines for m, lines in (*JAVA_TRACES, *PYTHON_TRACES)}
    lines: list[str] = []
    written = 0
    next_incident = 0
    while written < size:
        now += timedelta(milliseconds=rnd.randint(1, 400))
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        while next_incident < len(incidents) and incidents[next_incident][1] * size <= written:
            marker = incidents[next_incident][0]
            block = [_fill(line, rnd) for line in by_marker[marker]]
            block[0] = f"{stamp} {block[0]}"
            lines.extend(block)
            written += sum(len(line) + 1 for line in block)
            next_incident += 1
        line = f"{stamp} {_fill(rnd.choice(INFO_TEMPLATES), rnd)}"
        lines.append(line)
        written += len(line) + 1
    return "\n".join(lines) + "\n", signatures
