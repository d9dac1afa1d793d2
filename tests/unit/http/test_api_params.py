"""The API's parameters: a date-time is RFC 3339, as the OpenAPI document says."""

from __future__ import annotations

import pytest

from callcenter.http.api_errors import ApiError
from callcenter.http.api_params import timestamp


def test_a_date_time_is_what_the_document_says_rfc_3339() -> None:
    assert timestamp("2026-12-07T09:00:00+03:00", "at") is not None
    assert timestamp("2026-12-07T06:00:00.250Z", "at") is not None
    for loose in ("2026-12-07 09:00:00+03:00", "2026-12-07T09:00+03:00", "2026-12-07T09:00:00"):
        with pytest.raises(ApiError, match="at: "):
            timestamp(loose, "at")
