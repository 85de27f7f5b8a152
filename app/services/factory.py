"""Wire settings into services once; every front end (CLI, web app, evals) builds through here."""

import httpx2

from app.core.extract import InstructorExtractor
from app.core.llm.client import (
    BackendInfo,
    make_async_instructor,
    make_instructor,
    make_openai_client,
    resolve_backend,
)
from app.core.llm.settings import Settings, get_settings
from app.services.drafting import DraftingService


def build_extractor(
    settings: Settings | None = None,
    reasks: int | None = None,
    *,
    backend: BackendInfo | None = None,
    transport: httpx2.BaseTransport | None = None,
    async_transport: httpx2.AsyncBaseTransport | None = None,
) -> InstructorExtractor:
    """`reasks` defaults to the setting; `backend` skips resolving one from settings (tests that
    replay traffic name theirs); `transport`/`async_transport` replace the network under the
    openai clients (tests serve the endpoint from a function), everything above them runs."""
    settings = settings or get_settings()
    backend = backend or resolve_backend(settings)
    client = make_openai_client(settings, backend=backend, transport=transport)
    return InstructorExtractor(
        make_instructor(settings, backend=backend, client=client),
        backend.model,
        max_retries=settings.reasks if reasks is None else reasks,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        async_client=lambda: make_async_instructor(settings, backend=backend, transport=async_transport),
    )


def build_drafting_service(
    settings: Settings | None = None,
    prompt_ref: str = "brief@v2",
    *,
    backend: BackendInfo | None = None,
    transport: httpx2.BaseTransport | None = None,
    async_transport: httpx2.AsyncBaseTransport | None = None,
) -> DraftingService:
    settings = settings or get_settings()
    extractor = build_extractor(settings, backend=backend, transport=transport, async_transport=async_transport)
    return DraftingService(
        extractor, settings=settings, prompt_ref=prompt_ref, backend_name=backend.name if backend else None
    )
