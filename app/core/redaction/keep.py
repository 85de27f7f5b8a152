"""Look-alikes the brief needs: identifiers, timestamps, versions and codes that resemble PII.

An engineer cannot act on a brief whose request IDs, order numbers and timestamps were masked
(seed 002 line 12 asks for account IDs, timestamps and error messages). A PII hit that lies
wholly inside one of these shapes is dropped; secrets are never dropped this way.
"""

import ipaddress
import re
from functools import lru_cache

from app.core.redaction.detection import Detection
from app.core.redaction.lines import Lines

KEEP_PATTERNS: dict[str, re.Pattern[str]] = {
    "uuid": re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    # Commit SHAs, trace and span IDs, content hashes.
    "hex_id": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,64}\b"),
    # req_8f3a2b, ORD-2024-118833, INC-4471, acct_12345, cus_N1x2: letters, a joiner, digits.
    "identifier": re.compile(r"(?<![\w.@+-])(?=[A-Za-z][\w-]*\d)[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+(?![\w@-])"),
    "prefixed_number": re.compile(r"(?i)(?<![\w@.])(?:#|no\.\s?|order\s?#?|invoice\s?#?|ticket\s?#?)\s?\d[\d-]{3,}\b"),
    "iso_timestamp": re.compile(
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    ),
    "epoch": re.compile(
        r"(?i)\b(?:ts|time|timestamp|epoch|date|at|created|updated)[\"']?\s*[:=]\s*[\"']?1\d{9}(?:\d{3})?\b"
    ),
    "version": re.compile(
        r"(?i)(?<![A-Za-z])(?:v|ver|version|release|build|rev|firmware|fw|sdk)(?:\s+is\s+|[\s:=/\"']{0,4})v?\d+(?:\.\d+){1,4}"
        r"(?:[-+][\w.]+)?\b"
    ),
    # Chrome/124.0.6367.91, query=Chrome+2.0.181.1
    "product_version": re.compile(r"\b[A-Za-z][\w.-]*[/+]v?\d+(?:\.\d+){1,4}\b"),
    # 11.4.183.29-electron.0, 1.2.3.4-beta: four numbers with a pre-release tag are not an address.
    "prerelease_version": re.compile(r"\b\d+(?:\.\d+){2,3}-[A-Za-z][\w.]*"),
    # nvidia-cudnn-cu11==8.6.0.163
    "pinned_version": re.compile(r"(?:==|~=|>=|<=|!=)\s?\d+(?:\.\d+){1,4}\b"),
    # SNMP OIDs: five or more dotted numbers, or any dotted number after 'OID'/'SNMP'/'MIB'.
    # (Five two-digit groups after a 0, '07.02.67.22.14', are a French phone number's written form.)
    "oid": re.compile(
        r"\b(?!0[1-9](?:\.\d\d){4}\b)\d+(?:\.\d+){4,}\b"
        r"|(?i:\b(?:oid|snmp|mib|object identifier)\b)\W{0,4}\.?\d+(?:\.\d+)+"
    ),
    # The object an SNMP agent's log line says was asked for: 'snmpd[40467]: ... GET 2.5.4.3' (only
    # the group 'keep' is protected: the client address before it stays an address).
    "snmp_oid": re.compile(
        r"(?i:\bsnmp\w*\b[^\n]{0,120}?\b(?:get(?:next|bulk)?|set|walk|trap)[ \t]+)(?P<keep>\.?\d+(?:\.\d+)+)"
    ),
    # A dotted number under a name that says OID or signature algorithm: 'sigalg=1.3.101.112' (Ed25519),
    # 'cert_oid_policy: "2.5.29.17"' (subjectAltName); four parts look like an IPv4 address.
    "oid_field": re.compile(
        r"(?i)(?<![\w-])(?:[\w-]*[_-])?(?:oids?|sig_?alg|signature_?algorithm)(?:[_-][\w-]*)?[\"']?\s*[:=]\s*[\"']?"
        r"\d+(?:\.\d+){2,}\b"
    ),
    # A mail's own identifiers: 'Message-ID: <0c70ff69-...@mail.gmail.com>', In-Reply-To, References.
    "message_id": re.compile(
        r"(?im)^(?:message-id|in-reply-to|references|content-id)[ \t]*:[ \t]*(?:<[^<>\s]+>[ \t]*)+"
    ),
    "hex_code": re.compile(r"\b0x[0-9a-fA-F]{2,16}\b"),
    # abfs://bucket@account.dfs.core.windows.net: a URL's user@host, not a mailbox.
    "url_authority": re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/@:]+@[\w.\-]+"),
    # 'ssh -i k ops@bastion.example.com', 'scp f deploy@host:': a login on a host, not a mailbox.
    "ssh_target": re.compile(r"\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id)\s(?:[^\n@]*?\s)?[\w.\-]+@[\w.\-]+(?![\w.@-])"),
}
# Addresses that say nothing about a person, kept on purpose: this machine (loopback), no address,
# link-local, and the private ranges (RFC 1918 10/8, 172.16/12, 192.168/16; IPv6 unique-local
# fc00::/7). A private address names an internal host (a database, a broker, a pod) that engineering
# needs to act on the brief; it is not routable on the internet and does not identify a person.
# Public addresses (clients, visitors) stay masked, as does IPv6's documentation range.
_PRIVATE_NETS = tuple(
    ipaddress.ip_network(net)
    for net in (
        *("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/32"),
        *("::1/128", "::/128", "fc00::/7", "fe80::/10"),
    )
)


def harmless_ip(value: str) -> bool:
    try:
        address = ipaddress.ip_interface(value.strip("[]")).ip
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # An IPv4 address ending in '.0.0' names a network (a /16 or wider), not a host, and four-part
    # versions are written that way ('status page shows 12.0.0.0 rolled out'): no one's address.
    if isinstance(address, ipaddress.IPv4Address) and address.packed[2:] == b"\x00\x00":
        return True
    return any(address in net for net in _PRIVATE_NETS if net.version == address.version)


# Four-part versions look like IPv4 addresses. They are versions after a dotted package name
# (Newtonsoft.Json 13.0.0.0), a product name written in mixed case (OpenCV, cuDNN, macOS) or
# a word for a versioned thing (driver, firmware, kernel); 'IPv4 10.1.2.3' stays an address.
# SNMP OIDs: five or more dotted numbers, or any dotted number after 'OID'/'SNMP'/'MIB'.
_FOUR_PART = re.compile(r"(?<![\d.])\d+\.\d+\.\d+\.\d+(?:\.\d+)*(?![\d.]*\d)")
_VERSION_CONTEXT = re.compile(
    r"(?:\b[A-Za-z]\w*(?:\.[A-Za-z]\w*)+|\b(?!IPv[46]\b)[A-Za-z]*[a-z][A-Z][A-Za-z]*|\b[A-Z]{2,}[a-z]+|"
    r"(?i:\b(?:driver|firmware|bios|kernel|runtime|sdk|agent|plugin|package|assembly|library|lib|module|update|"
    r"patch|hotfix|kb|engine|toolkit|cuda|opencv|cudnn|nvidia|chrome|edge|office|windows|os|app|oid|snmp|mib|"
    r"object identifier)))[ \t:=/v@-]{1,3}$"
)


_FR_PHONE = re.compile(r"0[1-9](?:\.\d\d){4}$")
# The value of a version attribute: newVersion="5.2.0.0", oldVersion="0.0.0.0-5.0.0.0" (.NET
# binding redirects), version: '1.2.3.4'.
_VERSION_ATTRIBUTE = re.compile(r"(?i)version[\"']?\s*[:=]\s*[\"'][\d.\- ]*$")


@lru_cache(maxsize=4096)
def protected_spans(text: str) -> list[tuple[int, int]]:
    spans = [
        m.span("keep") if "keep" in pattern.groupindex else m.span()
        for pattern in KEEP_PATTERNS.values()
        for m in pattern.finditer(text)
    ]
    for match in _FOUR_PART.finditer(text):
        parts = match.group(0).count(".") + 1
        before = text[max(0, match.start() - 60) : match.start()]
        if (
            (parts >= 5 and not _FR_PHONE.match(match.group(0)))
            or _VERSION_CONTEXT.search(before)
            or _VERSION_ATTRIBUTE.search(before)
        ):
            spans.append(match.span())
    spans.sort()
    return spans


def _covered(hit: Detection, spans: list[tuple[int, int]], offset: int) -> bool:
    return any(start + offset <= hit.start and hit.end <= end + offset for start, end in spans)


def drop_look_alikes(hits: list[Detection], lines: Lines) -> list[Detection]:
    """Drop PII hits lying inside a protected span of their line (only lines with hits are read)."""
    by_line: dict[int, list[Detection]] = {}
    for hit in hits:
        if hit.kind == "IP_ADDRESS" and harmless_ip(lines.text[hit.start : hit.end]):
            continue
        by_line.setdefault(lines.index_of(hit.start), []).append(hit)
    kept: list[Detection] = []
    for number, line_hits in by_line.items():
        offset, line = lines.line(number)
        spans = protected_spans(line)
        kept.extend(hit for hit in line_hits if hit.anchored or not _covered(hit, spans, offset))
    return kept
