"""The feature list: what the daemon is made of. Adding a feature is writing its module
(with its ``FEATURE`` declaration) and one line here; the order below is the order of
delivery of the AMI events and of the hooks wherever the declarations leave a choice
(bans first: after a restart of Asterisk, bans before anything else). (Composition
root.)"""

from __future__ import annotations

from callcenter.app import (
    agents,
    bans,
    callbacks,
    calls,
    cluster,
    handoffs,
    live_transcripts,
    lost_calls,
    observability,
    presence,
    recordings,
    search,
    transcripts,
    voicemails,
    webhooks,
    widgets,
)
from callcenter.app.feature import Feature

FEATURES: tuple[Feature, ...] = (
    bans.FEATURE,
    agents.FEATURE,
    cluster.MEMBERSHIP,
    presence.FEATURE,
    webhooks.FEATURE,
    widgets.DIAL_GUARD,
    callbacks.FLOWS,
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
    live_transcripts.FEATURE,
    observability.FEATURE,
)
