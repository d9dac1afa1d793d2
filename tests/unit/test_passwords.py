from __future__ import annotations

from callcenter.passwords import hash_password, verify_password


def test_only_the_right_password_verifies_and_the_hash_hides_it() -> None:
    stored = hash_password("correct horse battery")
    assert "correct horse" not in stored
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery!")
    assert not verify_password(None, "anything")  # no such user: False, same cost
    assert not verify_password("not a hash", "anything")
