"""Dynamic text on a page goes through `safe`: Streamlit renders Markdown in most elements, and a
brief, a finding or an error message must show as typed, never as a link, image or markup."""

from app.core.render import escape_markdown


def safe(text: object) -> str:
    # Escaping '/' as well defuses GFM's bare-URL autolinks ("http://...") that escaping alone misses.
    return escape_markdown(str(text)).replace("/", "\\/")
