"""Dynamic text on a page goes through `safe`: Streamlit renders Markdown in most elements, and a
brief, a finding or an error message must show as typed, never as a link, image or markup."""

import re

from app.core.render import escape_markdown

# GFM turns bare "http://…", "www.…" and "name@host.tld" into links even when every Markdown
# character is escaped; escaping these (valid CommonMark escapes, shown as typed) stops that.
_AUTOLINK_PARTS = re.compile(r"([/@.:])")


def safe(text: object) -> str:
    return _AUTOLINK_PARTS.sub(r"\\\1", escape_markdown(str(text)))
