"""Recovery (backup) codes: the list a service prints once for signing in without the second factor.

GitHub's are 'xxxxx-xxxxx' (ten lowercase letters and digits), Google's '1234 5678', others eight to
twelve letters and digits, numbered or not. Each alone looks like any ID; they are secrets when they
stand one (or a few) to a line under a heading or file name that says 'recovery codes' / 'backup
codes'. The block ends at the first line that is not a code.
"""

import re
from collections.abc import Iterator

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

_HEADING = re.compile(
    r"(?i)(?:recovery|backup|scratch|emergency|2fa|mfa|two[- ]factor|one[- ]time|single[- ]use|"
    r"wiederherstellungs|sicherungs|backup-?|r[ée]cup[ée]ration|secours|respaldo|recupera[çc][ãa]o|recupero)"
    r"[\s_-]*(?:codes?|kodes?|c[óo]digos?|codici)\b"
)
_HEADING_WORDS = ("code", "kode", "códig", "codig", "codici")
_CODE = r"(?:[A-Za-z0-9]{4,6}(?:-[A-Za-z0-9]{4,6}){1,3}|\d{4}[ -]\d{4}|(?=[A-Za-z]*\d)[A-Za-z0-9]{8,12})"
_CODE_LINE = re.compile(r"^[ \t]*(?:(?:\d{1,2}[.)]|[-*•])[ \t]+)?(" + _CODE + r")(?:[ \t]{2,}(" + _CODE + r"))*[ \t]*$")
_ONE_CODE = re.compile(_CODE)
# Codes on the heading's own line: 'Recovery code used: afwyv-cfeei', 'backup codes: 1234 5678, 8765 4321'.
_INLINE = re.compile(
    r"[^\n:.]{0,24}?(?::|\b(?:is|was|are|were)\b)[ \t]*(?P<codes>" + _CODE + r"(?:[ \t]*[,;][ \t]*" + _CODE + r")*)"
    r"[ \t]*[.;]?[ \t]*$"
)
# Lines after the heading that may hold instructions before the codes start.
_PROSE_BEFORE_CODES = 3


def find_recovery_codes(text: str, lines: Lines) -> Iterator[Detection]:
    # The heading regex runs only on lines holding its last word (one pass of str.find each).
    headings = {n for n in lines.containing(_HEADING_WORDS) if _HEADING.search(lines.line(n)[1])}
    count = len(lines.starts)
    for heading in sorted(headings):
        offset, row = lines.line(heading)
        for title in _HEADING.finditer(row):
            inline = _INLINE.match(row, title.end())
            if inline:
                for match in _ONE_CODE.finditer(row, inline.start("codes"), inline.end("codes")):
                    start, end = offset + match.start(), offset + match.end()
                    yield Detection("RECOVERY_CODE", start, end, "recovery_codes", Category.secret)
        index, blanks, found = heading + 1, 0, 0
        while index < count:
            offset, row = lines.line(index)
            if not row.strip():
                if found or blanks:
                    break
                blanks += 1
                index += 1
                continue
            line_match = _CODE_LINE.match(row)
            if not line_match:
                # Before the first code, a line or two of instructions ('Keep these somewhere safe.').
                if not found and index - heading <= _PROSE_BEFORE_CODES:
                    index += 1
                    continue
                break
            for match in _ONE_CODE.finditer(row, line_match.start(1)):
                start = offset + match.start()
                yield Detection("RECOVERY_CODE", start, start + len(match.group(0)), "recovery_codes", Category.secret)
                found += 1
            index += 1
