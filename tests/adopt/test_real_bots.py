"""Real public bots adopt the pipeline: `init`, the listed manual edits, green gates, a
complete checklist and a testnet deploy whose routes answer.

The end-to-end tests install each bot's own requirements into its own environment (as an
adopter does), so they need the package index: marked `network`. The `init` tests are offline.
"""

from __future__ import annotations

import json
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from ci.core import config
from ci.core.errors import ExitCode
from ci.core.runtime import free_port
from tests.adopt.realbot import (
    Edit,
    append,
    build_env,
    ci,
    replace,
    ruff_fix,
    stop_deployed,
    vendor,
)
from tests.helpers import PROJECT_ROOT, Repo

ADVISORIES = PROJECT_ROOT / "tests" / "fixtures" / "advisories"
CCXT_WEBHOOK = "ccxt-trading-webhook"
CCXT_LOCK = PROJECT_ROOT / "tests" / "fixtures" / "locks" / f"{CCXT_WEBHOOK}.txt"

ORDER_BODY = (
    '{ exchange = "bybit", apiKey = "x", secret = "y", symbol = "BTC/USDT", side = "buy", '
    "amount = 0.001, price = 1 }"
)
KILL_SWITCH = (
    '    if os.environ.get("TRADING_ENABLED", "0") != "1":\n'
    '        raise HTTPException(status_code=503, detail="trading is off")\n'
)
WEBHOOK = "async def webhook(request: Request, payload: WebhookPayload):\n"
TESTNET_HEALTH = '\n            "network": "testnet" if settings.TESTNET else "mainnet"}'
TESTS_ENV = (
    "import os\n\nfor name, value in {\n"
    '    "WEBHOOK_SECRET": "test-webhook-secret",\n'
    '    "DEFAULT_EXCHANGE": "bybit",\n'
    '    "DEFAULT_API_KEY": "test-key",\n'
    '    "DEFAULT_API_SECRET": "test-secret",\n'
    '    "TRADING_ENABLED": "1",\n'
    "}.items():\n    os.environ.setdefault(name, value)\n"
)


def _kill_switch(root: Path) -> None:
    replace("app/routes.py", "from fastapi import", "import os\n\nfrom fastapi import")(root)
    replace("app/routes.py", WEBHOOK, WEBHOOK + KILL_SWITCH)(root)


def _ccxt_testnet_mode(root: Path) -> None:
    ttl = "    SIGNATURE_CACHE_TTL: int = 300\n"
    replace("config/settings.py", ttl, ttl + "    TESTNET: bool = False\n")(root)
    sandbox = "        exchange.set_sandbox_mode(settings.TESTNET)\n"
    replace(
        "app/exchange_factory.py",
        "        return exchange\n",
        sandbox + "        return exchange\n",
    )(root)
    logger = "from app.utils import setup_logger\n"
    replace("main.py", logger, logger + "from config.settings import settings\n")(root)
    replace("main.py", '"Webhook server ready"}', '"Webhook server ready",' + TESTNET_HEALTH)(root)


def _settings(root: Path) -> None:
    testnet = '[tool.bottie.environments.testnet]\nnetwork = "testnet"\n'
    smoke = '[tool.bottie.smoke]\nenv = { DEFAULT_EXCHANGE = "bybit" }\n\n'
    replace("pyproject.toml", testnet, smoke + testnet)(root)
    testnet_vars = 'vars = { TRADING_ENABLED = "0", DEFAULT_EXCHANGE = "bybit", TESTNET = "true" }'
    replace("pyproject.toml", "vars = {}", testnet_vars)(root)  # the first: testnet's


def _lint(root: Path) -> None:
    append("pyproject.toml", '\n[tool.ruff.lint]\nselect = ["E4", "E7", "E9", "F"]\n')(root)
    ruff_fix(root)


# The edits a person makes after `bottie-ci init` on ccxt-trading-webhook, in order.
CCXT_WEBHOOK_EDITS = [
    Edit(
        "a kill switch: /webhook refuses orders unless TRADING_ENABLED=1 (it had none)",
        _kill_switch,
    ),
    Edit(
        "testnet mode: TESTNET puts ccxt in sandbox mode; / reports the network", _ccxt_testnet_mode
    ),
    Edit(
        ".env.example: the two new variables",
        replace(".env.example", "TTL=300\n", "TTL=300\nTESTNET=false\nTRADING_ENABLED=0\n"),
    ),
    Edit(
        "tests/conftest.py: the settings the bot's tests need at import",
        append("tests/conftest.py", TESTS_ENV),
    ),
    Edit(
        "requirements.txt locked with hashes (uv pip compile --generate-hashes), with pytest-cov, "
        "which the tests gate runs: a deploy builds the release's environment from it",
        lambda root: _lock_ccxt(root),
    ),
    Edit(
        "decisions made: exchange bybit, kill switch, order body, no state files",
        lambda root: _decide(
            root,
            {
                'exchange = ""': 'exchange = "bybit"',
                "[tool.bottie.profile]\n": "[tool.bottie.profile]\n"
                'kill_switch = { name = "TRADING_ENABLED", off = "0" }\n',
                "order_body = {}": f"order_body = {ORDER_BODY}",
            },
        ),
    ),
    Edit("settings the bot needs to start: DEFAULT_EXCHANGE (smoke, testnet), TESTNET", _settings),
    Edit("lint: ruff's classic rules, then `ruff check --fix` and `ruff format`", _lint),
    Edit(
        "checklist: the audit gate left out until the requirements are hash-locked",
        replace("pyproject.toml", ', "lint", "audit"]', ', "lint"]'),
    ),
]


def _decide(root: Path, replacements: dict[str, str]) -> None:
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("decisions = [")
    text = text[:start] + text[text.index("]\n", start) + 2 :]
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def profile_of(repo: Repo) -> dict[str, object]:
    table = tomllib.loads((repo.path / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(table["tool"]["bottie"]["profile"])


class TestInitOnCcxtWebhook:
    def test_init_describes_what_the_code_says_and_leaves_the_rest_open(self, repo: Repo) -> None:
        vendor(CCXT_WEBHOOK, repo)
        done = ci(repo, "init")
        assert done.code == ExitCode.OK, done.stderr
        profile = profile_of(repo)
        assert profile["credentials"] == ["DEFAULT_API_KEY", "DEFAULT_API_SECRET"]
        assert profile["secrets"] == ["WEBHOOK_SECRET"]
        assert [d.split(":")[0] for d in profile["decisions"]] == [  # type: ignore[attr-defined]
            "exchange",
            "kill_switch",
            "probes.order_body",
            "state_files",
        ]
        cfg = config.load(repo.path)
        assert cfg.app.command[3] == "main:app"
        assert cfg.profile.probes.order == "/webhook" and cfg.profile.probes.health == "/"
        assert "open decisions (4)" in done.stdout

    def test_the_checklist_stays_incomplete_while_decisions_are_open(self, repo: Repo) -> None:
        vendor(CCXT_WEBHOOK, repo)
        ci(repo, "init")
        repo.commit("adopt")
        ci(repo, "checklist", "build", "--env", "testnet")
        checklist = json.loads((repo.path / "checklist.json").read_text(encoding="utf-8"))
        (item,) = [i for i in checklist["items"] if i["id"] == "decisions"]
        assert item["status"] == "failed"
        assert item["evidence"].startswith("4 open decision(s)")


@pytest.mark.network
def test_ccxt_webhook_adopts_and_deploys_to_testnet(repo: Repo, tmp_path: Path) -> None:
    started = time.monotonic()
    port = adopted(repo, CCXT_WEBHOOK, CCXT_WEBHOOK_EDITS)
    build_env(repo.path, "requirements.txt")
    repo.commit("adopt the pipeline")
    gates = ci(repo, "run", "env", "lint", "tests", "smoke", "secrets", "-v")
    assert gates.code == ExitCode.OK, gates.stdout + gates.stderr
    assert "(the pipeline's ruff)" in gates.stdout  # the bot pins no ruff of its own
    secrets = {
        "DEFAULT_API_KEY": "tk-test",
        "DEFAULT_API_SECRET": "ts-test",
        "WEBHOOK_SECRET": "wh-test",
    }
    deploys_and_serves_testnet(repo, tmp_path, port, secrets)
    minutes = (time.monotonic() - started) / 60
    print(f"{CCXT_WEBHOOK}: {len(CCXT_WEBHOOK_EDITS)} manual edits, {minutes:.1f} min")


# -- 51bitquant/binance-tradingview-webhook-bot: Flask, keys as literals, no tests, no pins.
BINANCE_WEBHOOK = "binance-tradingview-webhook-bot"
BINANCE_LOCK = PROJECT_ROOT / "tests" / "fixtures" / "locks" / f"{BINANCE_WEBHOOK}.txt"

LITERALS = {
    "WEBHOOK_PASSPHRASE = \"setting your tradingview passphrase, it's not your tradingview "
    'password."': 'WEBHOOK_PASSPHRASE = os.environ.get("WEBHOOK_PASSPHRASE", "")',
    "API_KEY = 'binance exchange api key, remember to edit restriction for future/spot "
    "trading'": 'API_KEY = os.environ.get("BINANCE_API_KEY", "")',
    "API_SECRET = 'api secret'": 'API_SECRET = os.environ.get("BINANCE_API_SECRET", "")\n'
    'FUTURES_URL = os.environ.get("BINANCE_FUTURES_URL", "https://fapi.binance.com")\n'
    'TRADING_ENABLED = os.environ.get("TRADING_ENABLED", "0") == "1"',
}
MAIN = "if __name__ == '__main__':\n"
RUN = "    app.run(host='127.0.0.1', port=8888, debug=False)\n"
HEALTH = (
    '    return "Hello Flask, This is for testing. If you receive this message, it means your '
    'configuration is correct."\n'
)
NETWORK = '    return {"network": "testnet" if "testnet" in config.FUTURES_URL else "mainnet"}\n'
REFUSE = '    if not config.TRADING_ENABLED:\n        return {"error": "trading is off"}, 503\n'
FUTURES_CLIENT = "BinanceFutureHttpClient(api_key=config.API_KEY, secret=config.API_SECRET)"
BINANCE_ORDER = (
    '{ passphrase = "x", exchange = "binance_future", strategy_name = "BTCUSDT_1h", '
    'symbol = "BTCUSDT", action = "long", price = "1" }'
)
BINANCE_URL = (
    '[tool.bottie.profile.exchange_url]\nname = "BINANCE_FUTURES_URL"\n'
    'testnet_hosts = ["testnet.binancefuture.com"]\nmainnet_hosts = ["fapi.binance.com"]\n\n'
)


def _secrets_from_env(root: Path) -> None:
    path = root / "config.py"
    text = "import os\n\n" + path.read_text(encoding="utf-8")
    for old, new in LITERALS.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def _serve_on_import(root: Path) -> None:
    """`flask run` imports main: the clients and the event engine start there, not only
    under `__main__` (which only runs the development server)."""
    path = root / "main.py"
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition(MAIN)
    assert body.endswith(RUN), "main.py: the upstream code changed; update the edit"
    started = "".join(line.removeprefix("    ") for line in body[: -len(RUN)].splitlines(True))
    path.write_text(head + started.rstrip() + "\n\n\n" + MAIN + RUN, encoding="utf-8")


def _binance_testnet_mode(root: Path) -> None:
    replace(
        "api/binance_future.py",
        "secret=None, timeout=5):",
        "secret=None, timeout=5, host=None):",
    )(root)
    replace(
        "api/binance_future.py",
        'self.host = "https://fapi.binance.com"',
        'self.host = host or "https://fapi.binance.com"',
    )(root)
    replace("main.py", FUTURES_CLIENT, FUTURES_CLIENT[:-1] + ", host=config.FUTURES_URL)")(root)
    replace("main.py", HEALTH, NETWORK)(root)


def _lock_ccxt(root: Path) -> None:
    upstream = (root / "requirements.txt").read_text(encoding="utf-8")
    (root / "requirements.in").write_text(upstream + "pytest-cov\n", encoding="utf-8")
    (root / "requirements.txt").write_text(CCXT_LOCK.read_text(encoding="utf-8"), "utf-8")


def _lock(root: Path) -> None:
    (root / "requirements.in").write_text("flask\nrequests\n", encoding="utf-8")
    (root / "requirements.txt").write_text(BINANCE_LOCK.read_text(encoding="utf-8"), "utf-8")


def _binance_profile(root: Path) -> None:
    required = 'required = ["BINANCE_API_KEY", "BINANCE_API_SECRET", "WEBHOOK_PASSPHRASE"]'
    _decide(
        root,
        {
            "credentials = []": 'credentials = ["BINANCE_API_KEY", "BINANCE_API_SECRET"]',
            "secrets = []": 'secrets = ["WEBHOOK_PASSPHRASE"]',
            "[tool.bottie.profile]\n": "[tool.bottie.profile]\n"
            'kill_switch = { name = "TRADING_ENABLED", off = "0" }\n',
            "order_body = {}": f"order_body = {BINANCE_ORDER}",
            "[tool.bottie.profile.probes]\n": BINANCE_URL + "[tool.bottie.profile.probes]\n",
            "required = []\nvars = {}": f'{required}\nvars = {{ TRADING_ENABLED = "0", '
            'BINANCE_FUTURES_URL = "https://testnet.binancefuture.com" }',
        },
    )
    replace(  # the second: mainnet's
        "pyproject.toml",
        "required = []\nvars = {}",
        f'{required}\nvars = {{ TRADING_ENABLED = "0", '
        'BINANCE_FUTURES_URL = "https://fapi.binance.com" }',
    )(root)


def _binance_lint(root: Path) -> None:
    append(
        "pyproject.toml",
        '\n[tool.ruff.lint]\nselect = ["E4", "E7", "E9", "F"]\nignore = ["E402"]\n'
        '\n[tool.ruff.lint.per-file-ignores]\n"__init__.py" = ["F401"]\n',
    )(root)
    ruff_fix(root)


# The edits a person makes after `bottie-ci init` on binance-tradingview-webhook-bot, in order.
BINANCE_WEBHOOK_EDITS = [
    Edit(
        "config.py: the key, secret and passphrase from the environment, not literals",
        _secrets_from_env,
    ),
    Edit(
        "main.py: clients and event engine started on import, so `flask run` serves the bot",
        _serve_on_import,
    ),
    Edit(
        "a kill switch: /webhook refuses (503) unless TRADING_ENABLED=1 (it had none)",
        replace("main.py", "def webhook():\n", "def webhook():\n" + REFUSE),
    ),
    Edit(
        "testnet mode: BINANCE_FUTURES_URL sets the host; / reports the network",
        _binance_testnet_mode,
    ),
    Edit(
        ".env.example: the variables those edits read",
        append(
            ".env.example",
            "BINANCE_API_KEY=\nBINANCE_API_SECRET=\nBINANCE_FUTURES_URL=\nTRADING_ENABLED=0\n"
            "WEBHOOK_PASSPHRASE=\n",
        ),
    ),
    Edit("requirements: requirements.in, locked with `uv pip compile --generate-hashes`", _lock),
    Edit(
        "decisions made: credentials, passphrase, kill switch, order body, exchange URL, "
        "environments; no state files",
        _binance_profile,
    ),
    Edit(
        "lint: ruff's classic rules less E402 (config.py imports mid-file) and F401 in "
        "`__init__.py` (re-exports), then `ruff check --fix` and `ruff format`",
        _binance_lint,
    ),
]


class TestInitOnBinanceWebhook:
    def test_init_finds_the_flask_app_and_the_exchange_from_its_host(self, repo: Repo) -> None:
        vendor(BINANCE_WEBHOOK, repo)
        done = ci(repo, "init")
        assert done.code == ExitCode.OK, done.stderr
        cfg = config.load(repo.path)
        assert cfg.app.command[:6] == ["{python}", "-m", "flask", "--app", "main:app", "run"]
        assert cfg.profile.exchange == "binance"  # from https://fapi.binance.com
        assert cfg.profile.probes.order == "/webhook" and cfg.profile.probes.health == "/"
        decisions = profile_of(repo)["decisions"]
        assert [d.split(":")[0] for d in decisions] == [  # type: ignore[attr-defined]
            "secrets in code",
            "credentials",
            "kill_switch",
            "probes.order_body",
            "state_files",
            "exchange_url",
        ]
        assert "api.binance_future: fapi.binance.com" in decisions[5]  # type: ignore[index]
        assert "config.API_SECRET" in decisions[0]  # type: ignore[index]
        assert "api secret" not in done.stdout  # names the constant, never its value
        assert "requirements.txt is not hash-locked: move it to requirements.in" in done.stdout
        assert "build the bot's environment from that lock: bottie-ci bot-env" in done.stdout


@pytest.mark.network
def test_binance_webhook_adopts_and_deploys_to_testnet(repo: Repo, tmp_path: Path) -> None:
    started = time.monotonic()
    port = adopted(repo, BINANCE_WEBHOOK, BINANCE_WEBHOOK_EDITS)
    repo.commit("adopt the pipeline")
    built_env = ci(repo, "bot-env")  # its own venv, from its hash-locked lock (as gate.yml does)
    assert built_env.code == ExitCode.OK, built_env.stdout + built_env.stderr
    assert repo.git("status", "--porcelain") == ""  # .venv/ is ignored: the tree stays clean
    offline = {"BOTTIE_OSV_DB": str(ADVISORIES)}  # OSV records served on loopback
    gates = ci(repo, "run", "env", "lint", "smoke", "secrets", "audit", "-v", env=offline)
    assert gates.code == ExitCode.OK, gates.stdout + gates.stderr
    secrets = {
        "BINANCE_API_KEY": "bk-test",
        "BINANCE_API_SECRET": "bs-test",
        "WEBHOOK_PASSPHRASE": "wp-test",
    }
    deploys_and_serves_testnet(repo, tmp_path, port, secrets)
    minutes = (time.monotonic() - started) / 60
    print(f"{BINANCE_WEBHOOK}: {len(BINANCE_WEBHOOK_EDITS)} manual edits, {minutes:.1f} min")


def deploys_and_serves_testnet(
    repo: Repo, tmp_path: Path, port: int, secrets: dict[str, str]
) -> None:
    """What an adopter does next: a strict testnet checklist, a local deploy, and the bot
    answering on its port that it is on testnet (stopped afterwards)."""
    env = {**secrets, "BOTTIE_DEPLOY_ROOT": str(tmp_path / "target")}
    attest = "api-keys,cors,dashboard-poll,state-files,rollback-target,toggle-card"
    built = ci(
        repo,
        "checklist",
        "build",
        "--env",
        "testnet",
        "--attest",
        attest,
        "--actor",
        "alice",
        "--strict",
        env=env,
    )
    assert built.code == ExitCode.OK, built.stdout + built.stderr
    try:
        deployed = ci(repo, "deploy", "testnet", "--checklist", "checklist.json", env=env)
        assert deployed.code == ExitCode.OK, deployed.stdout + deployed.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            assert json.loads(answer.read())["network"] == "testnet"
    finally:
        stop_deployed(tmp_path / "target" / "testnet")


def adopted(repo: Repo, bot: str, edits: list[Edit]) -> int:
    """The bot vendored into `repo`, `init` run, the manual edits made, and a free port for
    its testnet deploy: the port, for the test to reach the bot."""
    vendor(bot, repo)
    assert ci(repo, "init").code == ExitCode.OK
    for edit in edits:
        edit.apply(repo.path)
    port = free_port()
    repo.write(
        "pyproject.toml",
        (repo.path / "pyproject.toml").read_text(encoding="utf-8")
        + f"\n[tool.bottie.deploy]\nports = {{ testnet = {port}, mainnet = {port + 1} }}\n",
    )
    return port
