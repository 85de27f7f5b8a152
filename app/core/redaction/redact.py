"""Mask PII and secrets with stable placeholders, keeping a receipt that never holds a raw value."""

from collections.abc import Collection
from dataclasses import dataclass, field

from app.core.redaction.placeholders import PlaceholderMap, digest, preview
from app.core.redaction.scan import detect
from schemas.draft import TicketInput
from schemas.redaction import RedactionItem


@dataclass(frozen=True)
class RedactionResult:
    text: str
    items: list[RedactionItem] = field(default_factory=list)


def redact(
    text: str,
    source: str = "ticket",
    placeholders: PlaceholderMap | None = None,
    *,
    mask_ips: bool = True,
    allow_list: Collection[str] = (),
) -> RedactionResult:
    """Replace every detected value with its placeholder; offsets in the items refer to `text`.

    `mask_ips` follows the redaction policy (some teams need client IPs in the brief);
    `allow_list` holds exact values never to mask, such as the support team's own address.
    """
    mapping = placeholders if placeholders is not None else PlaceholderMap()
    pieces: list[str] = []
    items: list[RedactionItem] = []
    cursor = 0
    for hit in detect(text, mask_ips=mask_ips, allow_list=allow_list):
        value = text[hit.start : hit.end]
        placeholder = mapping.placeholder(hit.kind, value)
        pieces.append(text[cursor : hit.start])
        pieces.append(placeholder)
        cursor = hit.end
        items.append(
            RedactionItem(
                kind=hit.kind,
                placeholder=placeholder,
                source=source,
                start=hit.start,
                end=hit.end,
                rule=hit.rule,
                category=hit.category.value,
                preview=preview(hit.kind, value),
                digest=digest(value),
            )
        )
    pieces.append(text[cursor:])
    return RedactionResult(text="".join(pieces), items=items)


def redact_ticket(
    ticket: TicketInput,
    placeholders: PlaceholderMap | None = None,
    *,
    mask_ips: bool = True,
    allow_list: Collection[str] = (),
) -> tuple[TicketInput, list[RedactionItem]]:
    """Redact the conversation and every attachment with one placeholder map."""
    mapping = placeholders if placeholders is not None else PlaceholderMap()
    conversation = redact(ticket.text, "ticket", mapping, mask_ips=mask_ips, allow_list=allow_list)
    items = list(conversation.items)
    attachments = []
    for attachment in ticket.attachments:
        result = redact(attachment.text, attachment.name, mapping, mask_ips=mask_ips, allow_list=allow_list)
        items.extend(result.items)
        attachments.append(attachment.model_copy(update={"text": result.text}))
    return ticket.model_copy(update={"text": conversation.text, "attachments": attachments}), items
