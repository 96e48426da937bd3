"""The env gate's findings as a user reads them: what, which file, which line, which rule."""

from __future__ import annotations

from ci.core.result import Finding, GateResult, Status
from ci.gates.env import EnvGate
from tests.helpers import Repo

CODE = 'import os\n\nTOKEN = os.environ["FEED_TOKEN"]\nAGAIN = os.getenv("FEED_TOKEN")\n'


def check(repo: Repo) -> GateResult:
    return EnvGate().run(repo.context())


def summary(result: GateResult) -> list[tuple[str, str | None, int | None, str | None]]:
    return [(f.message, f.file, f.line, f.rule) for f in result.findings]


def test_every_tracked_env_file_and_a_missing_ignore_are_named(repo: Repo) -> None:
    repo.write("bot/app.py", CODE)
    repo.write(".env.example", "FEED_TOKEN=\n")
    for name in (".env", ".env.local", "deploy/prod.env", ".env.example"):
        repo.write(name, "FEED_TOKEN=\n")
    repo.git("add", "-A")
    result = check(repo)
    assert result.status is Status.FAILED
    fix = "is tracked by git: remove it (git rm --cached) and rotate its keys"
    assert summary(result) == [
        (f".env {fix}", ".env", None, "tracked"),
        (f".env.local {fix}", ".env.local", None, "tracked"),
        (f"deploy/prod.env {fix}", "deploy/prod.env", None, "tracked"),
        (".env is not ignored: add it to .gitignore", ".gitignore", None, "not-ignored"),
    ]
    assert result.summary == "4 problem(s)"
    assert result.output == "\n".join(f.render() for f in result.findings)
    assert result.gate == "env"


def test_undocumented_once_stale_and_valued_with_their_lines(repo: Repo) -> None:
    repo.write(".gitignore", ".env\n")
    repo.write("bot/app.py", CODE)
    repo.write(
        ".env.example", "# settings\nexport OLD_SETTING=1\nlower_name=\nAPI_SECRET=hunter22\n"
    )
    repo.write("bot/more.py", 'import os\nos.getenv("lower_name")\nos.getenv("API_SECRET")\n')
    result = check(repo)
    assert summary(result) == [
        ("FEED_TOKEN is read here but missing from .env.example", "bot/app.py", 3, "undocumented"),
        ("OLD_SETTING is documented but no code reads it (stale)", ".env.example", 2, "stale"),
        (
            "API_SECRET holds a value: leave secrets empty in .env.example",
            ".env.example",
            4,
            "value",
        ),
    ]


def test_a_missing_example_names_the_file(repo: Repo) -> None:
    repo.write(".gitignore", ".env\n")
    result = check(repo)
    assert result.findings == (Finding(".env.example is missing", file=".env.example"),)


def test_a_pass_says_what_was_checked(repo: Repo) -> None:
    repo.write(".gitignore", ".env\n")
    repo.write("bot/app.py", CODE)
    repo.write(".env.example", "FEED_TOKEN=\n")
    result = check(repo)
    assert (result.gate, result.status, result.summary) == (
        "env",
        Status.PASSED,
        ".env kept out of git; .env.example is current",
    )
