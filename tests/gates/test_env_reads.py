"""Which environment variables the env gate sees being read: every form the module
documents, and code that looks close but reads nothing."""

from __future__ import annotations

from pathlib import Path

from ci.gates.env_reads import EnvRead, reads_in_tree

SOURCE = '''\
import os
from os import environ, getenv
from typing import ClassVar, Generic, TypeVar

import pydantic_settings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "X_"
T = TypeVar("T")
key = "DYNAMIC"
data = {"NOT_A_READ": 1}


def reads(config, fetch):
    a = os.environ["OS_ENVIRON"]
    b = os.environ.get("OS_ENVIRON_GET")
    c = os.getenv("OS_GETENV")
    d = environ["ENVIRON"]
    e = environ.get("ENVIRON_GET")
    f = getenv("GETENV")
    g = data["NOT_A_READ"], config.get("NOT_ENV_GET"), fetch("NOT_GETENV"), os.environ[key]
    h = os.getenv(PREFIX + "X"), os.getenv(42), os.environ.get(key)
    return a, b, c, d, e, f, g, h


class Plain(pydantic_settings.BaseSettings):
    """No prefix: fields are read by their own names."""

    _private: int = 0
    model_config = SettingsConfigDict()
    first: str = ""
    second: str = Field("", validation_alias="SECOND_ALIAS")
    third: str = Field("", alias="THIRD_ALIAS")


class Prefixed(BaseSettings):
    """The prefix applies to fields above it too."""

    label: str = "x"
    model_config = SettingsConfigDict(env_prefix="PRE_")


class Child(Prefixed):
    child_field: int = 0


class Dynamic(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX)
    dyn: str = ""


class Annotated(BaseSettings):
    model_config: ClassVar[SettingsConfigDict] = SettingsConfigDict(env_prefix="ANN_")
    ann_field: str = ""


class Typed(Generic[T], BaseSettings):
    typed_field: str = ""


class Looped(BaseSettings, Loop):
    loop_field: str = ""


class Loop(Looped):
    pass
'''

EXPECTED = [
    ("OS_ENVIRON", 'os.environ["OS_ENVIRON"]'),
    ("OS_ENVIRON_GET", '"OS_ENVIRON_GET"'),
    ("OS_GETENV", '"OS_GETENV"'),
    ("ENVIRON", 'environ["ENVIRON"]'),
    ("ENVIRON_GET", '"ENVIRON_GET"'),
    ("GETENV", 'getenv("GETENV")'),
    ("FIRST", "first: str"),
    ("SECOND_ALIAS", "second: str"),
    ("THIRD_ALIAS", "third: str"),
    ("PRE_LABEL", "label: str"),
    ("PRE_CHILD_FIELD", "child_field: int"),
    ("DYN", "dyn: str"),  # a prefix that is not a literal: none is assumed
    ("ANN_ANN_FIELD", "ann_field: str"),
    ("TYPED_FIELD", "typed_field: str"),
    ("LOOP_FIELD", "loop_field: str"),  # a loop of bases (never runs) does not hang the gate
]


def line_of(marker: str) -> int:
    return next(n for n, text in enumerate(SOURCE.splitlines(), 1) if marker in text)


def test_every_documented_form_is_a_read_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "settings.py").write_text(SOURCE, encoding="utf-8")
    found = reads_in_tree(tmp_path, ["bot"])
    assert sorted(found, key=lambda r: r.line) == [
        EnvRead(name, "bot/settings.py", line_of(marker)) for name, marker in EXPECTED
    ]


def test_a_source_may_be_one_file(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('import os\nos.getenv("ONE")\n', encoding="utf-8")
    (tmp_path / "other.py").write_text('import os\nos.getenv("OTHER")\n', encoding="utf-8")
    assert reads_in_tree(tmp_path, ["app.py"]) == [EnvRead("ONE", "app.py", 2)]


def test_a_file_that_does_not_parse_is_left_to_the_lint_gate(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "a_broken.py").write_text("def (:\n", encoding="utf-8")
    (tmp_path / "bot" / "b_latin1.py").write_bytes(b'# \xe9\nimport os\nos.getenv("L")\n')
    (tmp_path / "bot" / "c_fine.py").write_text('import os\nos.getenv("FINE")\n')
    assert reads_in_tree(tmp_path, ["bot"]) == [EnvRead("FINE", "bot/c_fine.py", 2)]
