from __future__ import annotations

import pytest

from ci.core import proc
from ci.core.config import Config, LintConfig
from ci.core.result import Status
from ci.gates import lint
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


# The T20 run is left out when `ruff check` already reports all it would (`t20_covered`). Each
# case runs the gate as it is and with the T20 run forced (as before): on real ruff, the same
# findings, and the T20 run left out only where the repository's config makes that sure.
PRINTS = {
    "bot/calc.py": CLEAN + '\n\nprint("debug")\n',
    "bot/allowed.py": CLEAN + '\n\nprint("kept")  # noqa: T201\n',
    "bot/blanket.py": CLEAN + '\n\nprint("kept")  # noqa\n',
    "scripts/tool.py": CLEAN + '\n\nprint("report")\n',
}
T20 = '[tool.ruff.lint]\nselect = ["E", "F", "RUF100", "T20"]\n'


@pytest.mark.parametrize(
    ("case", "pyproject", "extra", "left_out"),
    [
        ("selects T20", T20, {}, True),
        ("extend-select T", '[tool.ruff.lint]\nextend-select = ["T", "RUF100"]\n', {}, True),
        ("top-level select", '[tool.ruff]\nselect = ["E", "F", "T20"]\n', {}, True),
        (
            "per-file-ignores",
            T20 + '[tool.ruff.lint.per-file-ignores]\n"bot/calc.py" = ["T201"]\n',
            {},
            True,
        ),
        ("ignores T201", T20 + 'ignore = ["T201"]\n', {}, False),
        ("no T20, RUF100", '[tool.ruff.lint]\nselect = ["E", "F", "RUF100"]\n', {}, False),
        ("defaults", "[tool.ruff]\nline-length = 100\n", {}, False),
        ("no ruff table", "", {}, False),
        (
            "extends",
            '[tool.ruff]\nextend = "base.toml"\n',
            {"base.toml": T20.replace("tool.ruff.", "")},
            False,
        ),
        ("excludes bot", T20 + '[tool.ruff]\nextend-exclude = ["bot"]\n', {}, False),
        ("bot gitignored", T20, {".gitignore": "/bot/\n"}, False),
        ("nested config", T20, {"bot/pyproject.toml": '[tool.ruff.lint]\nselect = ["E"]\n'}, False),
        ("ruff.toml beside", T20, {"ruff.toml": '[lint]\nselect = ["E"]\n'}, False),
    ],
)
def test_the_t20_run_is_left_out_only_where_ruff_check_reports_the_same(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    pyproject: str,
    extra: dict[str, str],
    left_out: bool,
) -> None:
    for name, text in {**PRINTS, **extra}.items():
        repo.write(name, text)
    if pyproject:
        repo.write("pyproject.toml", pyproject)
    started: list[tuple[str, ...]] = []
    start = proc.start
    monkeypatch.setattr(proc, "start", lambda argv, **kw: started.append(argv) or start(argv, **kw))
    context = repo.context(Config(lint=LintConfig(print_free=["bot"])))
    now = LintGate().run(context)
    t20_runs = [argv for argv in started if "--select" in argv]
    monkeypatch.setattr(lint, "t20_covered", lambda *args, **kwargs: False)
    before = LintGate().run(context)
    assert (now.status, sorted(now.findings, key=repr)) == (
        before.status,
        sorted(before.findings, key=repr),
    ), case
    assert (t20_runs == []) is left_out, case
    found = {(f.file, f.rule) for f in now.findings}
    assert (("bot/calc.py", "T201") in found) is (case != "per-file-ignores"), case


def test_a_config_selecting_t20_everywhere_keeps_its_prints_everywhere(repo: Repo) -> None:
    for name, text in PRINTS.items():
        repo.write(name, text)
    repo.write("pyproject.toml", T20)
    result = LintGate().run(repo.context(Config(lint=LintConfig(print_free=["bot"]))))
    found = {(f.file, f.rule) for f in result.findings}
    assert ("scripts/tool.py", "T201") in found and ("bot/calc.py", "T201") in found
    assert not {f for f in found if f[0] in ("bot/allowed.py", "bot/blanket.py")}


def test_the_hook_s_files_need_only_their_folders_to_be_plain(repo: Repo) -> None:
    repo.write("pyproject.toml", T20)
    repo.write("bot/sub/x.py", "VALUE = 1\n")
    assert lint.t20_covered(repo.path, ["bot/sub/x.py"], ["bot/sub/x.py"], files=True)
    repo.write("bot/ruff.toml", '[lint]\nselect = ["E"]\n')
    assert not lint.t20_covered(repo.path, ["bot/sub/x.py"], ["bot/sub/x.py"], files=True)
