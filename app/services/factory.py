"""Wire settings into services once; every front end (CLI, web app, evals) builds through here."""

from app.core.extract import InstructorExtractor
from app.core.llm.client import BackendInfo, make_async_instructor, make_instructor, resolve_backend
from app.core.llm.settings import Settings, get_settings
from app.services.drafting import DraftingService


def build_extractor(
    settings: Settings | None = None, reasks: int | None = None, *, backend: BackendInfo | None = None
) -> InstructorExtractor:
    """`reasks` defaults to the setting; `backend` skips resolving one from settings (tests that
    replay traffic name theirs)."""
    settings = settings or get_settings()
    backend = backend or resolve_backend(settings)
    return InstructorExtractor(
        make_instructor(settings, backend=backend),
        backend.model,
        max_retries=settings.reasks if reasks is None else reasks,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        async_client=lambda: make_async_instructor(settings, backend=backend),
    )


def build_drafting_service(settings: Settings | None = None, prompt_ref: str = "brief@v2") -> DraftingService:
    settings = settings or get_settings()
    return DraftingService(build_extractor(settings), settings=settings, prompt_ref=prompt_ref)
