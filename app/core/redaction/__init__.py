"""Redaction: PII and secrets masked before anything leaves the process, with a receipt.

    redact(text, source, placeholders)  -> RedactionResult(text, items)
    redact_ticket(ticket)               -> (redacted ticket, items)
    scan_sensitive(text)                -> spans, for checking model output

Presidio (pattern recognizers, no NLP model) finds PII, detect-secrets' plugins find credentials,
`credentials.py` covers the formats both lack, and `keep.py` protects the identifiers,
timestamps and versions a brief needs from PII look-alike matches.
"""

from app.core.redaction.placeholders import PlaceholderMap
from app.core.redaction.redact import RedactionResult, redact, redact_ticket
from app.core.redaction.scan import scan_sensitive

__all__ = ["PlaceholderMap", "RedactionResult", "redact", "redact_ticket", "scan_sensitive"]
