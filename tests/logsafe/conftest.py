"""Each logsafe test starts from a cold redactor: what one test made the redactor learn
(the kind of each field name it met) does not decide what the next one sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logsafe import redactor


@pytest.fixture(autouse=True)
def _cold_field_kinds() -> Iterator[None]:
    redactor._FIELD_KINDS.clear()
    yield
    redactor._FIELD_KINDS.clear()
