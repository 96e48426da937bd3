"""What a bot's code says about itself, read from its syntax trees (nothing is imported).

The web app, FastAPI or Flask (a module-level `FastAPI()`/`Flask(...)` object, else a
function that builds one), its routes, the variables it reads (`ci.gates.env_reads`), the
exchange libraries it imports or the exchange hosts its URLs name, and from the variables'
names the likely credentials, kill switch and exchange URL.
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


# The web frameworks init can start, by the name of the call that makes the app.
FRAMEWORKS = {"FastAPI": "fastapi", "Flask": "flask"}


@dataclass(frozen=True)
class App:
    module: str
    attr: str
    factory: bool
    framework: str = "fastapi"


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
    literal_secrets: list[str] = field(default_factory=list)
    literal_hosts: list[str] = field(default_factory=list)

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
        found.literal_secrets += [f"{module}.{name}" for name in _literal_secrets(tree)]
        found.literal_hosts += [f"{module}: {h}" for h in _exchange_urls(tree)]
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
    return found | {exchange for exchange, _ in _exchange_hosts(tree)}


# A bot that signs its own requests names the exchange only in its base URL.
_HOST = re.compile(r"https?://([a-z0-9.-]+)", re.IGNORECASE)


def _exchange_hosts(tree: ast.AST) -> list[tuple[str, str]]:
    """(exchange, host) for each URL in a string literal on an exchange's domain
    (https://fapi.binance.com: binance)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for host in _HOST.findall(node.value):
                labels = host.lower().split(".")
                found += [(e, host) for e in EXCHANGES if len(labels) >= 2 and labels[-2] == e]
    return found


def _exchange_urls(tree: ast.AST) -> list[str]:
    """The exchange hosts a module names in literals, each once, in order."""
    return list(dict.fromkeys(host for _, host in _exchange_hosts(tree)))


def _framework(node: ast.AST | None) -> str | None:
    """The framework a call makes an app of (`FastAPI()`, `Flask(__name__)`), if any."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return FRAMEWORKS.get(name or "")


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
        framework = _framework(value)
        if isinstance(target, ast.Name) and framework:
            return App(module, target.id, factory=False, framework=framework)
    for statement in tree.body:
        if not isinstance(statement, ast.FunctionDef) or statement.args.args:
            continue
        framework = next(filter(None, map(_framework, ast.walk(statement))), None)
        if framework:
            return App(module, statement.name, factory=True, framework=framework)
    return None


def _literal_secrets(tree: ast.Module) -> list[str]:
    """Module-level secret-named constants set to a string (`API_SECRET = "..."`): the bot
    keeps its credentials in code rather than reading them from the environment."""
    names = []
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, value = statement.targets[0], statement.value
        if (
            isinstance(target, ast.Name)
            and (is_secret_name(target.id) or _PASSPHRASE.search(target.id))
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value
        ):
            names.append(target.id)
    return names


def _routes(tree: ast.AST) -> list[Route]:
    """`@x.get(path)`, `@x.post(path)` and Flask's `@x.route(path, methods=[...])`."""
    routes = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if not (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
            ):
                continue
            path, kind = decorator.args[0].value, decorator.func.attr
            if kind in ("get", "post"):
                routes.append(Route(kind.upper(), path))
            elif kind == "route":
                routes += [Route(m, path) for m in _methods(decorator) if m in ("GET", "POST")]
    return routes


def _methods(decorator: ast.Call) -> list[str]:
    """A Flask route's methods (GET when none are given)."""
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, ast.List | ast.Tuple):
            return [
                e.value.upper()
                for e in keyword.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return ["GET"]
