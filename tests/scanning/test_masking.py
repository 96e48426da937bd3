"""Masking by shape, as the incident snapshot uses it: what is found is masked in place,
the rest of the file is kept."""

from __future__ import annotations

from pathlib import Path

from ci.scanning import masking
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT


def test_spans_and_phrases_are_masked_and_the_rest_kept(tmp_path: Path) -> None:
    token = samples.telegram_token(60)
    words = samples.seed_phrase(12, 61).split()
    log = tmp_path / "logs" / "bot.log"
    log.parent.mkdir()
    log.write_text(
        f"first {token} line\nsecond line\n  then {token} again\nwords:\n"
        + "".join(f"{w}\n" for w in words)
        + "done\n"
    )
    count = masking.mask_found(tmp_path, root=tmp_path, config=PROJECT_ROOT / ".gitleaks.toml")
    text = log.read_text()
    assert count == 3
    assert token not in text
    assert not set(words) & set(text.split())
    lines = text.splitlines()
    assert lines[:4] == ["first *** line", "second line", "  then *** again", "words:"]
    assert lines[-1] == "done"
