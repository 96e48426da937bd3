"""Mutation testing of the code that guards money and secrets (mutmut 3, offline).

Run: `./dev python scripts/mutation.py [MODULE ...] [--max-children N]` (default: every
module below). Each module is mutated in its own copy of the work tree and only its own
test files run against its mutants, so a run stays within minutes per module. It prints,
per module, the mutants killed out of those that count: a survivor listed in EQUIVALENT
(a change no user can observe) is reported as such and not counted; any other survivor
is listed by name (`mutmut show NAME` in that module's copy shows the diff). Exit 1 when
a module is below GOAL.

Not covered yet: the `_rollback_target` logic of ci/deploy/deployer.py (the deployer is
being rewritten; its tag choice lives in ci/deploy/tags.py, which is covered).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.90


@dataclass(frozen=True)
class Module:
    sources: tuple[str, ...]
    tests: tuple[str, ...]


MODULES: dict[str, Module] = {
    "checklist": Module(
        ("ci/checklist/verify.py", "ci/checklist/model.py"),
        (
            "tests/checklist/test_verify.py",
            "tests/checklist/test_model.py",
            "tests/checklist/test_tamper_property.py",
        ),
    ),
    "approvals": Module(("ci/github/approvals.py",), ("tests/github/test_approvals_api.py",)),
    "lock": Module(("ci/deploy/lock.py",), ("tests/deploy/test_lock.py",)),
    "tags": Module(("ci/deploy/tags.py",), ("tests/deploy/test_tags.py",)),
    "smoke": Module(("ci/gates/smoke_probe.py",), ("tests/gates/test_smoke.py",)),
    "gitleaks": Module(
        ("ci/scanning/gitleaks.py",),
        ("tests/scanning/test_gitleaks_redact.py", "tests/gates/test_secrets.py"),
    ),
    "logsafe": Module(
        ("logsafe/patterns.py", "logsafe/redactor.py"),
        (
            "tests/logsafe/test_redactor.py",
            "tests/logsafe/test_shapes.py",
            "tests/logsafe/test_redactor_api.py",
            "tests/logsafe/test_property.py",
        ),
    ),
    "env": Module(
        ("ci/gates/env.py", "ci/gates/env_reads.py"),
        (
            "tests/gates/test_env.py",
            "tests/gates/test_env_reads.py",
            "tests/gates/test_env_findings.py",
        ),
    ),
}

# Survivors no test can kill, by mutmut's name, each with why it changes nothing a user
# can observe. A name stays valid while its function's mutants keep their numbering.
_LOCALE = "encoding=None reads with the locale's encoding, UTF-8 wherever this runs"
_STAR_ENV = "the pathspec *.env matches .env as well: dropping or changing .env changes nothing"
_SAME_CODEC = '"UTF-8" and "utf-8" name the same codec'
_ROOT_LOC = (
    "pydantic names a field for every error of a JSON object (the only input that reaches "
    "it): the 'document' fallback is never shown"
)
_ASCII_JSON = "holder.json is json.dumps output, ASCII only: any text encoding reads it the same"
EQUIVALENT: dict[str, str] = {
    "ci.deploy.lock.x__acquire__mutmut_18": _ASCII_JSON,
    "ci.deploy.lock.x__acquire__mutmut_20": _ASCII_JSON,
    "ci.deploy.lock.x__acquire__mutmut_24": _ASCII_JSON,
    "ci.deploy.lock.x_read__mutmut_5": _ASCII_JSON,
    "ci.deploy.lock.x_read__mutmut_8": _ASCII_JSON,
    "ci.deploy.lock.x__acquire__mutmut_2": (
        "a third attempt against a lock that keeps coming back ends the same: LockHeld"
    ),
    "ci.deploy.lock.x__recover__mutmut_5": (
        "ignore_errors only matters when removing the uniquely renamed stale folder fails"
    ),
    "ci.deploy.lock.x__recover__mutmut_7": "as x__recover__mutmut_5",
    "ci.deploy.lock.x__recover__mutmut_8": "as x__recover__mutmut_5",
    "ci.deploy.lock.x_read__mutmut_2": (
        "waits one more 50 ms round for a holder that never writes: timing only"
    ),
    "ci.deploy.lock.x_read__mutmut_13": "sleeps 1.05 s instead of 0.05 s per round: timing only",
    "ci.checklist.model.x_canonical_json__mutmut_18": _SAME_CODEC,
    "ci.checklist.model.x_canonical_json__mutmut_7": "ensure_ascii=None is as false as False",
    "ci.checklist.model.x_hmac_key_from__mutmut_11": _SAME_CODEC,
    "ci.checklist.model.x_hmac_key_from__mutmut_3": (
        "an unset key read as None or as '': both falsy, both mean no key"
    ),
    "ci.checklist.model.x_hmac_key_from__mutmut_5": "as x_hmac_key_from__mutmut_3",
    "ci.checklist.model.x_sign__mutmut_12": _SAME_CODEC,
    "ci.checklist.verify.x__same__mutmut_7": _SAME_CODEC,
    "ci.checklist.verify.x__same__mutmut_10": _SAME_CODEC,
    "ci.checklist.verify.x_load__mutmut_4": _SAME_CODEC,
    "ci.checklist.verify.x_load__mutmut_2": _LOCALE,
    "ci.checklist.verify.x__where__mutmut_5": _ROOT_LOC,
    "ci.checklist.verify.x__where__mutmut_6": _ROOT_LOC,
    "ci.checklist.verify.x_refusals__mutmut_12": (
        "the signature check is reached only with no reason found yet: = and += are the same"
    ),
    **{
        f"logsafe.patterns.x__shape__mutmut_{n}": (
            "_shape runs at import, before mutmut switches a mutant on: the shapes it builds are "
            "tested in tests/logsafe/test_shapes.py"
        )
        for n in range(1, 13)
    },
    "logsafe.redactor.xǁRedactorǁredact_value__mutmut_14": _SAME_CODEC,
    "logsafe.redactor.x__mask_group__mutmut_3": (
        "every pattern has exactly one group and it always takes part: lastindex is never None"
    ),
    "logsafe.redactor.x__mask_group__mutmut_13": (
        "in every pattern the group ends where the match ends: both slices are empty"
    ),
    "logsafe.redactor.x_current__mutmut_6": (
        "> or >= at exactly one second: 'at most once a second' either way"
    ),
    "logsafe.redactor.x_encodings__mutmut_7": (
        "quote never encodes 'X' (unreserved): safe='XXXX' encodes the same as safe=''"
    ),
    "logsafe.redactor.x_encodings__mutmut_15": (
        "the base64 character before '=' padding is never 'X' (its low bits must be zero)"
    ),
    "logsafe.redactor.xǁRedactorǁredact__mutmut_2": (
        "running the known-values pattern on text that holds none of them changes nothing"
    ),
    "ci.gates.env.x__documented__mutmut_11": _LOCALE,
    "ci.gates.env.x__documented__mutmut_13": _SAME_CODEC,
    "ci.gates.env_reads.x_reads_in_tree__mutmut_16": _LOCALE,
    "ci.gates.env_reads.x_reads_in_tree__mutmut_18": _SAME_CODEC,
    "ci.gates.env.x__dotenv_kept_out__mutmut_12": (
        "git ls-files reads the patterns as pathspecs with or without '--'"
    ),
    "ci.gates.env.x__dotenv_kept_out__mutmut_20": (
        "'XX--XX' is one more pathspec that matches nothing"
    ),
    "ci.gates.env.x__dotenv_kept_out__mutmut_13": _STAR_ENV,
    "ci.gates.env.x__dotenv_kept_out__mutmut_21": _STAR_ENV,
    "ci.gates.env.x__dotenv_kept_out__mutmut_22": _STAR_ENV,
    "ci.gates.env.x__example_has_no_values__mutmut_8": (
        "a name without '=' has no value: 'XXXX' is a placeholder (x{3,}) and no secret shape, "
        "like ''"
    ),
    "ci.gates.env_reads.x__env_prefix__mutmut_14": (
        "settings.get('XXXX') is None like settings.get(''): no settings class has either name"
    ),
    "ci.gates.env_reads.x__settings_classes__mutmut_6": "grew = None is as false as False",
    "ci.gates.env_reads.x_reads_in_tree__mutmut_15": (
        "the file name only shows in a SyntaxError, which is swallowed (the lint gate reports it)"
    ),
    "ci.gates.env_reads.x_reads_in_tree__mutmut_19": "as x_reads_in_tree__mutmut_15",
    "ci.github.approvals.xǁApiǁfrom_environ__mutmut_9": (
        'the default "XXXX" holds no "/" either: the same "no repository" error'
    ),
    "ci.github.approvals.xǁApiǁget__mutmut_4": (
        "rstrip('XX/XX') strips the same '/' (an API URL never ends in X)"
    ),
    "ci.github.approvals.xǁApiǁget__mutmut_22": (
        "the 20 s timeout (here none) only shows against a server that hangs for 20 s; "
        "a test would wait that long"
    ),
    "ci.github.approvals.xǁApiǁget__mutmut_26": "as get__mutmut_22 (httpx's default 5 s)",
    "ci.github.approvals.xǁApiǁget__mutmut_27": "as get__mutmut_22 (21 s)",
}

# What each module's copy needs besides its sources: everything the tests import or run.
COPIED = ("ci", "logsafe", "bot", "tests", "pyproject.toml", ".gitleaks.toml", "requirements")


def prepare(name: str, module: Module, parent: Path) -> Path:
    work = parent / name
    work.mkdir()
    for entry in COPIED:
        source = ROOT / entry
        if source.is_dir():
            shutil.copytree(source, work / entry, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, work / entry)
    pyproject = work / "pyproject.toml"
    table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["mutmut"]
    settings = {
        **table,
        "only_mutate": list(module.sources),
        "pytest_add_cli_args_test_selection": list(module.tests),
    }
    pyproject.write_text(
        _without_mutmut_table(pyproject.read_text(encoding="utf-8")) + _toml_table(settings),
        encoding="utf-8",
    )
    return work


def _without_mutmut_table(text: str) -> str:
    return re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)


def _toml_table(settings: dict[str, object]) -> str:
    lines = ["\n[tool.mutmut]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Outcome:
    killed: int
    survivors: tuple[str, ...]  # not killed, not listed as equivalent
    equivalent: tuple[str, ...]

    @property
    def counted(self) -> int:
        return self.killed + len(self.survivors)

    @property
    def share(self) -> float:
        return self.killed / self.counted if self.counted else 1.0


def run(work: Path, max_children: int) -> Outcome:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    subprocess.run(
        [mutmut, "run", "--max-children", str(max_children)],
        cwd=work,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    listed = subprocess.run(
        [mutmut, "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses = dict(
        (name.strip(), status.strip())
        for name, _, status in (line.rpartition(":") for line in listed.splitlines())
        if name.strip()
    )
    killed = sum(status in ("killed", "timeout") for status in statuses.values())
    alive = sorted(name for name, status in statuses.items() if status not in ("killed", "timeout"))
    return Outcome(
        killed,
        tuple(f"{name} ({statuses[name]})" for name in alive if name not in EQUIVALENT),
        tuple(name for name in alive if name in EQUIVALENT),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], default=[])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep each module's copy")
    args = parser.parse_args()
    chosen = args.modules or list(MODULES)
    parent = Path(tempfile.mkdtemp(prefix="bottie-mutation-"))
    below = []
    for name in chosen:
        work = prepare(name, MODULES[name], parent)
        outcome = run(work, args.max_children)
        print(
            f"{name:10} {outcome.killed:4}/{outcome.counted:<4} killed "
            f"{outcome.share:6.1%}  ({len(outcome.equivalent)} equivalent, not counted)"
        )
        for survivor in outcome.survivors:
            print(f"    survived: {survivor}")
        for equivalent in outcome.equivalent:
            print(f"    equivalent: {equivalent}: {EQUIVALENT[equivalent]}")
        if outcome.share < GOAL:
            below.append(name)
    print(f"copies in {parent}" if args.keep else "")
    if not args.keep:
        shutil.rmtree(parent, ignore_errors=True)
    if below:
        print(f"below {GOAL:.0%}: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
