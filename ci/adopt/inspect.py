"""What a bot's code says about itself, read from its syntax trees (nothing is imported).

The FastAPI app (a module-level `FastAPI()` object, else a function that builds one), its
routes, the variables it reads (`ci.gates.env_reads`), the exchange libraries it imports,
and from the variables' names the likely credentials, kill switch and exchange URL.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from ci.gates import env_reads
from logsafe import is_secret_name

# Folders that are never the bot's own code.
_SKIP = {"tests", "test", "docs", "node_modules", "venv", "env", "build", "dist", "site-packages"}

# Exchange libraries by top-level import; ccxt names its exchange by attribute (ccxt.bybit).
_LIBRARIES = {"binance": "binance", "pybit": "bybit", "okx": "okx", "bybit": "bybit"}
EXCHANGES = ("binance", "bybit", "okx", "kraken", "kucoin", "bitget", "gate", "mexc", "coinbase")

# Variables that let a bot trade, and the value that stops it; the inverted ones (a dry run
# or paper mode stops trading when on) are off at "1".
_SWITCH_ON = re.compile(r"^(?:.*_)?(TRADE|TRADING|LIVE_TRADING|EXECUTION)_?ENABLED$|^LIVE_TRADING$")
_SWITCH_INVERTED = re.compile(r"^(?:.*_)?(DRY_RUN|PAPER_TRADING|PAPER|SIMULATION|TEST_MODE)$")
_URL = re.compile(r"(BASE_URL|API_URL|REST_URL|ENDPOINT|_HOST|_URL)$")
_PASSPHRASE = re.compile(r"PASSPHRASE|PASSWORD")


@dataclass(frozen=True)
class App:
    module: str
    attr: str
    factory: bool


@dataclass(frozen=True)
class Route:
    method: str
    path: str


@dataclass
class Findings:
    sources: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    app: App | None = None
    routes: list[Route] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)
    has_tests: bool = False
    requirements: list[str] = field(default_factory=list)

    @property
    def exchange(self) -> str | None:
        return self.exchanges[0] if len(self.exchanges) == 1 else None

    def credentials(self) -> list[str]:
        """Key, secret (, passphrase): secret-looking names that mention the exchange or an
        API, ordered by what they are."""
        hint = (self.exchange or "").upper()
        named = [
            n
            for n in self.variables
            if is_secret_name(n) or _PASSPHRASE.search(n)
            if (hint and hint in n) or "API" in n or any(e.upper() in n for e in EXCHANGES)
        ]
        key = [n for n in named if re.search(r"KEY$|KEY_ID$|APIKEY", n) and "SECRET" not in n]
        secret = [n for n in named if "SECRET" in n]
        passphrase = [n for n in named if _PASSPHRASE.search(n)]
        if len(key) != 1 or len(secret) != 1 or len(passphrase) > 1:
            return []
        return [key[0], secret[0], *passphrase]

    def other_secrets(self) -> list[str]:
        taken = set(self.credentials())
        return [n for n in self.variables if is_secret_name(n) and n not in taken]

    def kill_switch(self) -> tuple[str, str] | None:
        """(name, value that stops trading) when exactly one candidate is read."""
        found = [(n, "0") for n in self.variables if _SWITCH_ON.search(n)]
        found += [(n, "1") for n in self.variables if _SWITCH_INVERTED.search(n)]
        return found[0] if len(found) == 1 else None

    def exchange_url(self) -> str | None:
        found = [n for n in self.variables if _URL.search(n) and not is_secret_name(n)]
        hint = (self.exchange or "").upper()
        preferred = [n for n in found if hint and hint in n] or found
        return preferred[0] if len(preferred) == 1 else None


def inspect(root: Path) -> Findings:
    sources = _sources(root)
    reads = env_reads.reads_in_tree(root, sources)
    found = Findings(
        sources=sources,
        variables=sorted({r.name for r in reads}),
        has_tests=any(p.is_file() for d in ("tests", "test") for p in (root / d).rglob("test*.py")),
        requirements=[f for f in ("requirements.txt", "requirements.in") if (root / f).is_file()],
    )
    exchanges: set[str] = set()
    for path in _python_files(root, sources):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        exchanges |= _exchanges(tree)
        found.routes += _routes(tree)
        app = _app(tree, module)
        if app is not None and (found.app is None or (found.app.factory and not app.factory)):
            found.app = app
    found.exchanges = sorted(exchanges)
    return found


def _sources(root: Path) -> list[str]:
    """Top-level Python files and packages that are the bot's code (not tests, not a venv)."""
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIP:
            continue
        is_module = entry.is_file() and entry.suffix == ".py" and not entry.name.startswith("test")
        is_package = (
            entry.is_dir() and not (entry / "pyvenv.cfg").exists() and any(entry.rglob("*.py"))
        )
        if is_module or is_package:
            found.append(entry.name)
    return found


def _python_files(root: Path, sources: list[str]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        base = root / source
        files += [base] if base.is_file() else sorted(base.rglob("*.py"))
    return files


def _exchanges(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            for name in names:
                top = name.split(".")[0]
                if top in _LIBRARIES:
                    found.add(_LIBRARIES[top])
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ccxt"
            and node.attr in EXCHANGES
        ):
            found.add(node.attr)
    return found


def _is_fastapi_call(node: ast.AST | None) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "FastAPI"


def _app(tree: ast.Module, module: str) -> App | None:
    for statement in tree.body:
        target = (
            statement.targets[0]
            if isinstance(statement, ast.Assign)
            else statement.target
            if isinstance(statement, ast.AnnAssign)
            else None
        )
        value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
        if isinstance(target, ast.Name) and _is_fastapi_call(value):
            return App(module, target.id, factory=False)
    for statement in tree.body:
        if (
            isinstance(statement, ast.FunctionDef)
            and not statement.args.args
            and any(_is_fastapi_call(n) for n in ast.walk(statement))
        ):
            return App(module, statement.name, factory=True)
    return None


def _routes(tree: ast.AST) -> list[Route]:
    routes = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in ("get", "post")
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
            ):
                routes.append(Route(decorator.func.attr.upper(), decorator.args[0].value))
    return routes
