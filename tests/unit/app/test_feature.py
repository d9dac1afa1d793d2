from __future__ import annotations

from typing import Any

import pytest

from callcenter.app import slots
from callcenter.app.feature import (
    Contributions,
    Feature,
    FeatureError,
    Parts,
    Plug,
    Slot,
    assemble,
    order,
)
from callcenter.app.features import FEATURES
from callcenter.asterisk.ami_router import AmiRouter

A: Slot[str] = Slot("a")
B: Slot[str] = Slot("b")
CORE: Slot[str] = Slot("core")


def _provider(name: str, needs: tuple[Slot[Any], ...], provides: tuple[Slot[str], ...]) -> Feature:
    def build(parts: Parts, _plug: Plug) -> None:
        for slot in provides:
            parts.provide(slot, f"{name}:{[parts[n] for n in needs]}")

    return Feature(name, needs, provides, build)


def test_features_come_after_what_they_need_and_keep_the_lists_order_otherwise() -> None:
    uses_b = _provider("uses_b", (B,), ())
    makes_b = _provider("makes_b", (A,), (B,))
    makes_a = _provider("makes_a", (CORE,), (A,))
    alone = _provider("alone", (), ())
    got = order([uses_b, alone, makes_b, makes_a], [CORE])
    assert [f.name for f in got] == ["alone", "makes_a", "makes_b", "uses_b"]


def test_a_missing_piece_is_named_with_the_feature_that_needs_it() -> None:
    with pytest.raises(FeatureError, match="feature 'voicemails' needs 'b', which no feature"):
        order([_provider("voicemails", (B,), ())], [CORE])


def test_a_piece_provided_twice_names_both_providers() -> None:
    with pytest.raises(FeatureError, match="'a' is provided by both 'one' and 'two'"):
        order([_provider("one", (), (A,)), _provider("two", (), (A,))], [])


def test_features_waiting_on_each_other_are_named() -> None:
    with pytest.raises(FeatureError, match=r"features wait on each other: x .*y "):
        order([_provider("x", (B,), (A,)), _provider("y", (A,), (B,))], [])


def test_a_feature_that_does_not_provide_what_it_declared_stops_the_assembly() -> None:
    liar = Feature("liar", (), (A,), lambda _parts, _plug: None)
    with pytest.raises(FeatureError, match="feature 'liar' did not provide 'a'"):
        assemble([liar], Parts(), Contributions(AmiRouter()))


def test_assembly_builds_in_order_and_collects_what_each_adds() -> None:
    parts = Parts()
    parts.provide(CORE, "core")
    plugged = Contributions(AmiRouter())

    def build_user(parts: Parts, plug: Plug) -> None:
        async def hook() -> None:
            return None

        plug.after_ami_login(hook)
        plug.run(list)
        assert parts[B] == "makes_b:[\"makes_a:['core']\"]"

    features = [
        Feature("user", (B,), (), build_user),
        _provider("makes_b", (A,), (B,)),
        _provider("makes_a", (CORE,), (A,)),
    ]
    built = assemble(features, parts, plugged)
    assert [f.name for f in built] == ["makes_a", "makes_b", "user"]
    assert [name for name, _ in plugged.ami_login] == ["user"]
    assert [name for name, _ in plugged.tasks] == ["user"]


def test_an_http_key_served_twice_is_refused() -> None:
    from aiohttp import web

    key: web.AppKey[int] = web.AppKey("thing")
    plugged = Contributions(AmiRouter())
    Plug("one", plugged).serve(key, 1)
    with pytest.raises(FeatureError, match=r"feature 'two': HTTP key .*thing.* served twice"):
        Plug("two", plugged).serve(key, 2)


def test_the_daemons_feature_list_has_a_provider_for_every_need() -> None:
    ordered = order(FEATURES, slots.CORE)
    names = [f.name for f in ordered]
    assert names[0] == "bans"  # bans first after a restart of Asterisk
    assert names.index("calls") < names.index("lost_calls")  # reconcile, then settle
    assert names.index("agents") < names.index("presence")
    assert len(set(names)) == len(names)
