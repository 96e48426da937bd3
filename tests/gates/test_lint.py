from __future__ import annotations

from ci.core.config import Config, LintConfig
from ci.core.result import Status
from ci.gates.lint import LintGate
from tests.helpers import Repo

CLEAN = (
    "from __future__ import annotations\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n"
)


def test_clean_code_passes(repo: Repo) -> None:
    repo.write("bot/calc.py", CLEAN)
    result = LintGate().run(repo.context())
    assert result.status is Status.PASSED, result.output


def test_unused_import_fails_with_file_and_line(repo: Repo) -> None:
    repo.write("bot/calc.py", "import os\n" + CLEAN)
    result = LintGate().run(repo.context())
    assert result.status is Status.FAILED
    assert any(
        f.rule == "F401" and f.file == "bot/calc.py" and f.line == 1 for f in result.findings
    )


def test_stray_print_in_bot_code_fails(repo: Repo) -> None:
    repo.write("bot/calc.py", CLEAN + '\n\nprint("debug")\n')
    result = LintGate().run(repo.context(Config(lint=LintConfig(print_free=["bot"]))))
    assert result.status is Status.FAILED
    assert [f.rule for f in result.findings] == ["T201"]


def test_print_outside_print_free_paths_is_allowed(repo: Repo) -> None:
    repo.write("scripts/tool.py", CLEAN + '\n\nprint("report")\n')
    config = Config(lint=LintConfig(print_free=["bot"]))
    repo.write("bot/__init__.py", "")
    assert LintGate().run(repo.context(config)).status is Status.PASSED


def test_unformatted_file_fails(repo: Repo) -> None:
    repo.write("bot/calc.py", "def add(a,b):\n    return a+b\n")
    result = LintGate().run(repo.context())
    assert result.status is Status.FAILED
    assert any(f.rule == "unformatted" and f.file == "bot/calc.py" for f in result.findings)
