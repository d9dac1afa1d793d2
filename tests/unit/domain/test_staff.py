from __future__ import annotations

import pytest

from callcenter.domain.staff import (
    StaffError,
    StaffUser,
    check_password,
    check_role,
    check_username,
    landing,
    safe_next,
)
from callcenter.domain.tickets import Role


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example", "/\\evil", "javascript:alert(1)", "", None],
)
def test_sign_in_never_sends_the_browser_off_site(target: str | None) -> None:
    assert safe_next(target, "/supervisor") == "/supervisor"


def test_paths_of_this_site_are_kept() -> None:
    assert safe_next("/agents/1001/desk?x=1", "/") == "/agents/1001/desk?x=1"


def test_names_passwords_and_roles_are_checked_naming_the_culprit() -> None:
    assert check_username("olga.k") == "olga.k"
    with pytest.raises(StaffError, match="username 'Olga K'"):
        check_username("Olga K")
    with pytest.raises(StaffError, match="at least 10 characters"):
        check_password("short")
    with pytest.raises(StaffError, match="needs their extension"):
        check_role(Role.AGENT, "")
    with pytest.raises(StaffError, match="only agents"):
        check_role(Role.ADMIN, "1001")
    with pytest.raises(StaffError, match="staff are admin, supervisor, agent"):
        check_role(Role.INTEGRATION, "")


def test_each_role_lands_on_its_page() -> None:
    assert landing(StaffUser(1, "olga", Role.AGENT, "1002")) == "/agents/1002/desk"
    assert landing(StaffUser(2, "lena", Role.SUPERVISOR)) == "/supervisor"
