"""Model backends: settings, the embedded llama.cpp server, and the openai/instructor client factory.

    settings     Settings / get_settings(): ESCALATE_* variables and .env, read once
    model_files  the embedded model's GGUF: assembled from PyPI parts, size + sha256 checked
    embedded     ensure_server() / stop_server(): llama.cpp's HTTP server inside this process
    client       resolve_backend(), make_openai_client(), make_instructor(), map_openai_error()

Import `app.core.llm.client` explicitly: it pulls in openai and instructor (about a second), which
code that only needs settings should not pay for.
"""

from app.core.llm.settings import EMBEDDED_MODEL_ALIAS, Settings, get_settings, load_settings

__all__ = ["EMBEDDED_MODEL_ALIAS", "Settings", "get_settings", "load_settings"]
