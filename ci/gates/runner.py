"""Run gates in parallel (or one by one), save each result, report progress."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from ci.core.errors import CiError, UsageError
from ci.core.result import GateResult, Status
from ci.gates import GATES, Gate, GateContext

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from ci.report.interface import Reporter

_NOT_RUN = "not run: an earlier gate failed (--fail-fast)"
_CANCELLED = "cancelled: another gate failed (--fail-fast)"
_CRASH_LOG = "{gate}-crash.log"


def select(names: Sequence[str]) -> list[Gate]:
    """The gates named, in registry order; all of them when none is named."""
    unknown = [n for n in names if n not in GATES]
    if unknown:
        raise UsageError(f"unknown gate {unknown[0]!r}; valid gates: {', '.join(GATES)}")
    wanted = set(names) or set(GATES)
    return [GATES[name] for name in GATES if name in wanted]  # imports only these gates


def run_gates(
    gates: Sequence[Gate],
    ctx: GateContext,
    reporters: Iterable[Reporter] = (),
    *,
    parallel: bool = True,
    fail_fast: bool = False,
) -> list[GateResult]:
    reporters = list(reporters)
    _writable(ctx.results_dir)
    for reporter in reporters:
        reporter.start([g.name for g in gates])
    results: dict[str, GateResult] = {}
    # One thread per gate (all at once, or one thread running them in turn); each finished
    # gate is handed to this thread, which saves and reports it. Plain threads, not
    # concurrent.futures: its import (with logging) costs a lint run more than its own gate.
    finished: list[tuple[Gate, GateResult | None, BaseException | None]] = []
    handed = threading.Condition()

    def work(batch: Sequence[Gate]) -> None:
        for gate in batch:
            try:
                outcome: tuple[Gate, GateResult | None, BaseException | None]
                outcome = (gate, _run_one(gate, ctx, reporters), None)
            except BaseException as exc:  # raised again in the caller's thread, as a future would
                outcome = (gate, None, exc)
            with handed:
                finished.append(outcome)
                handed.notify()

    batches = [[gate] for gate in gates] if parallel else [list(gates)]
    threads = [
        threading.Thread(target=work, args=(b,), name=f"gate-{i}") for i, b in enumerate(batches)
    ]
    try:
        for thread in threads:
            thread.start()
        for _ in gates:
            with handed:
                while not finished:
                    handed.wait()
                gate, result, raised = finished.pop(0)
            if raised is not None:
                raise raised
            assert result is not None
            results[gate.name] = result
            save(result, ctx.results_dir)
            for reporter in reporters:
                reporter.gate_finished(result)
            if fail_fast and not result.status.ok:
                ctx.cancel.set()
    except BaseException:  # Ctrl-C or a broken results dir: stop the other gates' tools
        ctx.cancel.set()
        raise
    finally:  # the summary prints (and a live display stops) whatever happened
        for thread in threads:
            if thread.is_alive():
                thread.join()
        ordered = [results[g.name] for g in gates if g.name in results]
        for reporter in reporters:
            reporter.finish(ordered)
    return ordered


def _writable(results_dir: Path) -> None:
    try:
        results_dir.mkdir(parents=True, exist_ok=True)
        probe = results_dir / ".writable"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise CiError(
            f"results directory {results_dir}: cannot write there: {exc.strerror or exc}"
        ) from None


def _run_one(gate: Gate, ctx: GateContext, reporters: list[Reporter]) -> GateResult:
    if ctx.cancel.is_set():
        return GateResult(gate.name, Status.SKIPPED, _NOT_RUN)
    for reporter in reporters:
        reporter.gate_started(gate.name)
    start = time.monotonic()
    result = _isolated(gate, ctx)
    duration = time.monotonic() - start
    if ctx.cancel.is_set():  # interrupted by --fail-fast: its verdict cannot be trusted
        result = GateResult(gate.name, Status.SKIPPED, _CANCELLED)
    return result.replace(duration=duration, sha=ctx.sha)


def _isolated(gate: Gate, ctx: GateContext) -> GateResult:
    """The gate's result; whatever it raises becomes its own ERROR result, so the other
    gates finish and the summary prints (a bug's redacted traceback goes to a log file)."""
    try:
        return gate.run(ctx)
    except CiError as exc:
        summary = str(exc) + (f" (tip: {exc.tip})" if exc.tip else "")
        return GateResult(gate.name, Status.ERROR, summary)
    except Exception as exc:
        import traceback  # only for a crash, as logsafe

        from logsafe import Redactor  # only for a crash: a gate's own output is redacted by proc

        text = Redactor.from_environ().redact(traceback.format_exc())
        log = ctx.results_dir / _CRASH_LOG.format(gate=gate.name)
        try:
            log.write_text(text, encoding="utf-8")
            where = f"the traceback is in {log}"
        except OSError:
            where = "the traceback could not be saved"
        summary = f"the gate crashed: {type(exc).__name__}; {where}; please report it"
        return GateResult(gate.name, Status.ERROR, Redactor.from_environ().redact(summary))


def save(result: GateResult, results_dir: Path) -> Path:
    path = results_dir / f"{result.gate}.json"
    try:
        path.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CiError(f"{path}: cannot save the result: {exc.strerror or exc}") from None
    return path


def load_results(results_dir: Path) -> dict[str, GateResult]:
    """Every gate result saved under `results_dir`, by gate name."""
    results: dict[str, GateResult] = {}
    for path in sorted(results_dir.glob("*.json")):
        try:
            result = GateResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise CiError(f"{path}: cannot read it: {exc.strerror or exc}") from None
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise CiError(f"{path}: not a gate result: {exc}") from None
        results[result.gate] = result
    return results
