"""Each rule of .gitleaks.toml and the BIP39 detector against the real gitleaks 8.30 binary:
every sample of the corpus is caught by its rule, never shown, and every look-alike passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci.core.result import Finding
from ci.scanning import gitleaks, seeds
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT

CORPUS = {sample.name: sample for sample in samples.corpus()}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """One gitleaks run over the whole corpus, one folder per sample; findings by sample."""
    root = tmp_path_factory.mktemp("corpus")
    files = []
    for i, sample in enumerate(CORPUS.values()):
        path = root / str(i) / sample.file
        path.parent.mkdir(parents=True)
        path.write_text(sample.content, encoding="utf-8")
        files.append((f"{i}/{sample.file}", path))
    result = gitleaks.scan(
        ["dir", "."], root=root, config=PROJECT_ROOT / ".gitleaks.toml", cwd=root
    ) + seeds.scan_files(root, files)
    names = list(CORPUS)
    by_sample: dict[str, list[Finding]] = {name: [] for name in names}
    for finding in result.findings:
        assert finding.file is not None
        by_sample[names[int(finding.file.split("/")[0])]].append(finding)
    return by_sample


@pytest.mark.parametrize("name", [n for n, s in CORPUS.items() if s.rule])
def test_secret_is_caught_by_its_rule_and_never_shown(
    found: dict[str, list[Finding]], name: str
) -> None:
    sample = CORPUS[name]
    rules = {f.rule for f in found[name]}
    assert sample.rule in rules, rules
    assert all(sample.secret not in f.render() for f in found[name])
    line = next(f.line for f in found[name] if f.rule == sample.rule)
    assert line is not None
    assert line >= 1


@pytest.mark.parametrize("name", [n for n, s in CORPUS.items() if not s.rule])
def test_look_alike_passes(found: dict[str, list[Finding]], name: str) -> None:
    assert found[name] == []


def test_parts_of_composite_rules_are_never_reported_alone(
    found: dict[str, list[Finding]],
) -> None:
    rules = {f.rule for findings in found.values() for f in findings}
    assert not rules & {"exchange-key-field", "kubernetes-secret-kind", "aws-access-key-id"}


def test_aws_secret_without_a_key_id_nearby_is_not_paired(tmp_path: Path) -> None:
    far = "\n" * 10
    (tmp_path / "a.py").write_text(
        f'ID = "{samples.aws_key_id(40)}"{far}S = "{samples.aws_secret(41)}"\n', encoding="utf-8"
    )
    result = gitleaks.scan(
        ["dir", "."], root=tmp_path, config=PROJECT_ROOT / ".gitleaks.toml", cwd=tmp_path
    )
    assert "aws-secret-access-key-paired" not in {f.rule for f in result.findings}
