"""Redaction: PII and secrets masked before anything leaves the process, with a receipt.

    redact(text, source, placeholders)  -> RedactionResult(text, items)
    redact_ticket(ticket)               -> (redacted ticket, items)
    scan_sensitive(text)                -> spans, for checking model output

Detectors, one module each: vendor_rules (gitleaks' provider token rules), secrets (detect-secrets'
plugins), credentials (formats neither knows), assignments (credentials by their name, any
syntax), private_keys, encoded (base64 of secrets), wrapped (values split over lines); pii
(Presidio), personal (national phones, obfuscated e-mails, cards, IBANs, SSN, DOB, addresses),
national_ids, persons, tabular (PII by table column). keep.py protects the identifiers,
timestamps, versions and OIDs a brief needs; recording.py scrubs recorded model traffic.
"""

from app.core.redaction.placeholders import PlaceholderMap
from app.core.redaction.redact import RedactionResult, redact, redact_ticket
from app.core.redaction.scan import scan_sensitive

__all__ = ["PlaceholderMap", "RedactionResult", "redact", "redact_ticket", "scan_sensitive"]
