"""The feature list: what the daemon is made of. Adding a feature is writing its module
(with its ``FEATURE`` declaration) and one line here; the order below is the order of
delivery of the AMI events and of the hooks wherever the declarations leave a choice
(bans first: after a restart of Asterisk, bans before anything else). (Composition
root.)"""

from __future__ import annotations

from callcenter.app import (
    admission,
    agents,
    answers,
    articles,
    bans,
    callbacks,
    calls,
    cluster,
    flow_editor,
    handoffs,
    live_transcripts,
    lost_calls,
    observability,
    presence,
    quality,
    recordings,
    reports,
    search,
    surveys,
    topics,
    transcripts,
    trunks,
    voicemails,
    webhooks,
    widgets,
)
from callcenter.app.feature import Feature
from callcenter.http import api_customers, api_directory, api_tickets
from callcenter.http.api_routes import Route
from callcenter.http.directory_pages import STAFF_PAGE
from callcenter.http.page import Page
from callcenter.http.provisioning import PROVISIONING
from callcenter.http.staff_auth import SIGNIN
from callcenter.http.tickets_page import TICKETS

FEATURES: tuple[Feature, ...] = (
    bans.FEATURE,
    trunks.FEATURE,
    admission.FEATURE,
    agents.FEATURE,
    reports.FEATURE,
    cluster.MEMBERSHIP,
    presence.FEATURE,
    webhooks.FEATURE,
    widgets.DIAL_GUARD,
    callbacks.FLOWS,
    flow_editor.FEATURE,
    callbacks.FEATURE,
    handoffs.FEATURE,
    widgets.FEATURE,
    voicemails.FEATURE,
    calls.FEATURE,
    lost_calls.FEATURE,
    cluster.FEATURE,
    recordings.FEATURE,
    transcripts.FEATURE,
    search.FEATURE,
    answers.FEATURE,
    articles.FEATURE,
    topics.FEATURE,
    surveys.FEATURE,
    quality.FEATURE,
    live_transcripts.FEATURE,
    observability.FEATURE,
)

# What the daemon's core serves itself: customers and tickets, staff sign-in, softphones.
CORE_ROUTES: tuple[Route, ...] = (
    *api_customers.ROUTES,
    *api_tickets.ROUTES,
    *api_directory.STAFF_ROUTES,
)
CORE_PAGES: tuple[Page, ...] = (SIGNIN, PROVISIONING, TICKETS, STAFF_PAGE)


def api_routes(features: tuple[Feature, ...] = FEATURES) -> list[Route]:
    """Every API route of the core and of ``features`` (the OpenAPI document's)."""
    return [*CORE_ROUTES, *(r for f in features for r in f.routes)]


def pages(features: tuple[Feature, ...] = FEATURES) -> list[Page]:
    return [*CORE_PAGES, *(p for f in features for p in f.pages)]
