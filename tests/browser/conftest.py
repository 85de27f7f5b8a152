"""Shared settings of the real-browser tests."""

import pytest

playwright = pytest.importorskip("playwright.sync_api")

# Streamlit reruns the whole script on each interaction; on a loaded 2-core machine one rerun can
# take several seconds, so Playwright's 5 s default wait reads as a failure that is only slowness.
playwright.expect.set_options(timeout=20_000)
