"""What the lint gate reads of the repository's ruff config: sure only when ruff would agree."""

from __future__ import annotations

import tomllib

import pytest

from ci.core import ruff_config


@pytest.mark.parametrize(
    ("toml", "covered"),
    [
        ('[tool.ruff.lint]\nselect = ["T20"]', True),
        ('[tool.ruff.lint]\nselect = ["ALL"]\nignore = ["D"]', True),
        ('[tool.ruff.lint]\nextend-select = ["T2"]', True),
        ('[tool.ruff]\nselect = ["T"]', True),  # the deprecated top-level option
        ('[tool.ruff]\nselect = ["T"]\n[tool.ruff.lint]\nselect = ["E"]', False),  # lint's wins
        ('[tool.ruff]\nextend-select = ["T20"]\n[tool.ruff.lint]\nextend-select = ["E"]', False),
        ('[tool.ruff.lint]\nselect = ["T201", "T203"]', False),  # codes, not the whole group
        ('[tool.ruff.lint]\nselect = ["T20"]\nignore = ["T201"]', False),
        ('[tool.ruff.lint]\nselect = ["T20"]\nextend-ignore = ["T"]', False),
        ('[tool.ruff]\nignore = ["T001"]\n[tool.ruff.lint]\nselect = ["T20"]', False),
        ('[tool.ruff.lint]\nselect = ["ALL"]\nignore = ["ALL"]', False),
        ("[tool.ruff.lint]\nselect = []", False),
        ('[tool.ruff.lint]\nselect = "T20"', False),  # not a list: ruff refuses it
        ('[tool.ruff]\nextend = "other.toml"\n[tool.ruff.lint]\nselect = ["T20"]', False),
        ("[tool.ruff]\nline-length = 100", False),  # the defaults have no T20
        ('[tool.other]\nselect = ["T20"]', False),  # no [tool.ruff]: ruff looks elsewhere
    ],
)
def test_t20_is_covered_only_when_every_selection_in_force_says_so(
    toml: str, covered: bool
) -> None:
    assert ruff_config.facts(tomllib.loads(toml))["t20"] is covered


def test_exclude_patterns_are_collected_from_every_option() -> None:
    toml = (
        '[tool.ruff]\nexclude = ["a"]\nextend-exclude = ["b"]\n'
        '[tool.ruff.lint]\nselect = ["T20"]\nexclude = ["c"]'
    )
    assert ruff_config.facts(tomllib.loads(toml)) == {"t20": True, "exclude": ["a", "b", "c"]}
    assert ruff_config.facts(None) == ruff_config.NOT_COVERED
