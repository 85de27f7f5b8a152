"""The follow-through services (escalations, outbox, handoff), built once per process on the same
store as the rest of the app (`app.ui.wiring.services`)."""

import hashlib
from dataclasses import dataclass

import streamlit as st

from app.core.policy import cached_policy
from app.core.store import Store
from app.core.store.delivery_settings import DeliverySettings, load_delivery_settings
from app.services.factory import build_extractor
from app.services.followup import FollowService, ModelUpdateWriter
from app.services.handoff import HandoffService
from app.services.outbox import OutboxService
from app.ui.wiring import services


@dataclass(frozen=True)
class FollowServices:
    follow: FollowService
    outbox: OutboxService
    handoff: HandoffService


@st.cache_resource(show_spinner=False)
def _build(_store: Store, _delivery: DeliverySettings, policy_file: str | None, key: str) -> FollowServices:
    policy = cached_policy(policy_file)
    outbox = OutboxService(_store, _delivery)
    return FollowServices(
        follow=FollowService(_store, policy, outbox),
        outbox=outbox,
        handoff=HandoffService(_store, policy, outbox),
    )


def follow_services() -> FollowServices:
    app = services()
    delivery = load_delivery_settings()
    policy_file = str(app.settings.policy_file) if app.settings.policy_file else None
    # The URLs are secrets (masked in model_dump); their digest tells settings apart without them.
    secrets = "|".join(str(delivery.url(c)) for c in ("webhook", "pager", "pager_slack"))
    digest = hashlib.sha256(
        (secrets + str(delivery.pager_routing_key and delivery.pager_routing_key.get_secret_value())).encode()
    ).hexdigest()
    key = f"{id(app.store)}:{delivery.model_dump_json()}:{digest}:{policy_file}"
    return _build(app.store, delivery, policy_file, key)


@st.cache_resource(show_spinner="Starting the model…")
def model_writer() -> ModelUpdateWriter:
    """The configured model as a customer-update writer, built on first use (the embedded backend
    starts the local model server)."""
    return ModelUpdateWriter(build_extractor())
