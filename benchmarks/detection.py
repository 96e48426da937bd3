"""Benchmark: recall and precision of secret detection on a corpus of crypto-bot secrets.

Run: `./dev python benchmarks/detection.py`. The corpus (tests/secret_samples.py) is built
at run time from parts, so no real-looking secret is committed: planted secrets (Telegram
tokens with no keyword, key pairs, wallet keys, URL passwords, notebook outputs, Dockerfile
ENV, Kubernetes Secrets, short .env names, seed phrases) and look-alikes that must pass
(lock-file hashes, action pins, UUIDs, git SHAs, placeholders, failed checksums). Prints,
for gitleaks' defaults and for this repository's detection (.gitleaks.toml and the BIP39
detector), what each caught; asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ci.scanning import gitleaks, seeds
from tests import secret_samples

ROOT = Path(__file__).resolve().parent.parent


def flagged(root: Path, files: list[tuple[str, Path]], *, ours: bool) -> set[str]:
    """The sample folders in which something was found."""
    config = ROOT / ".gitleaks.toml" if ours else None
    found = gitleaks.scan(["dir", "."], root=root, config=config, cwd=root)
    if ours:
        found += seeds.scan_files(root, files)
    return {(f.file or "").split("/")[0] for f in found.findings}


def main() -> None:
    corpus = secret_samples.corpus()
    with tempfile.TemporaryDirectory(prefix="bottie-corpus-") as tmp:
        root = Path(tmp)
        files = []
        for i, sample in enumerate(corpus):
            path = root / str(i) / sample.file
            path.parent.mkdir(parents=True)
            path.write_text(sample.content, encoding="utf-8")
            files.append((f"{i}/{sample.file}", path))
        results = {name: flagged(root, files, ours=name == "ours") for name in ("defaults", "ours")}
    planted = [i for i, s in enumerate(corpus) if s.rule]
    alikes = [i for i, s in enumerate(corpus) if not s.rule]
    print(f"{'sample':36} {'defaults':>9} {'ours':>5}")
    for i, sample in enumerate(corpus):
        marks = ["yes" if str(i) in results[n] else "-" for n in ("defaults", "ours")]
        kind = "secret" if sample.rule else "look-alike"
        print(f"{sample.name + ' (' + kind + ')':36} {marks[0]:>9} {marks[1]:>5}")
    for name, hits in results.items():
        caught = sum(str(i) in hits for i in planted)
        false = sum(str(i) in hits for i in alikes)
        precision = caught / (caught + false) if caught + false else 1.0
        print(
            f"{name}: recall {caught}/{len(planted)} ({caught / len(planted):.0%}), "
            f"look-alikes flagged {false}/{len(alikes)}, precision {precision:.0%}"
        )


if __name__ == "__main__":
    main()
