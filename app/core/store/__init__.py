"""The durable store: drafts, their versions, reviews, exports and the audit hash chain.

SQLite by default, PostgreSQL by URL, the same code for both (SQLAlchemy 2 + Alembic).
"""

from app.core.store.audit import ChainReport, verify_chain
from app.core.store.engine import Store, safe_url
from app.core.store.records import DraftRecord, DraftSummary, ExportRecord, ReviewRecord, VersionRecord

__all__ = [
    "ChainReport",
    "DraftRecord",
    "DraftSummary",
    "ExportRecord",
    "ReviewRecord",
    "Store",
    "VersionRecord",
    "safe_url",
    "verify_chain",
]
