"""logsafe.Redactor: known values in every encoding, token shapes, named fields, URLs."""

from __future__ import annotations

import base64
import json
from collections import namedtuple
from collections.abc import Callable
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logsafe import MASK, Redactor, encodings
from tests import secret_samples as samples

SECRET = "s3cr3t-V4lue/with+chars=="


def _password(seed: int = 7) -> str:
    return samples.binance_key(seed)[:14]


def test_extra_secret_names_are_configurable() -> None:
    redactor = Redactor.from_environ({"EXCHANGE_PIN": SECRET}, extra_names=["*_PIN"])
    assert redactor.redact(f"p {SECRET}") == f"p {MASK}"
    assert Redactor.from_environ({"EXCHANGE_PIN": SECRET}).redact(f"p {SECRET}") == f"p {SECRET}"


FORMS = {
    "raw": lambda s: s,
    "url-encoded": lambda s: quote(s, safe=""),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "urlsafe-base64": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "hex": lambda s: s.encode().hex(),
    "HEX": lambda s: s.encode().hex().upper(),
    "upper-case": str.upper,
    "lower-case": str.lower,
    "swapped case": str.swapcase,
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_env_secret_values_are_masked_in_every_form(form: str) -> None:
    redactor = Redactor.from_environ({"BINANCE_API_SECRET": SECRET, "LOG_LEVEL": "DEBUG"})
    encoded = FORMS[form](SECRET)
    assert redactor.redact(f"sent {encoded} to the exchange") == f"sent {MASK} to the exchange"


@pytest.mark.parametrize("form", ["raw", "base64", "hex", "upper-case"])
def test_encodings_lists_each_form_for_exact_checks(form: str) -> None:
    assert FORMS[form](SECRET) in encodings(SECRET)


def test_encodings_leave_out_forms_too_short_to_mask() -> None:
    assert encodings("abc") == {"616263"}  # only the hex form reaches six characters
    assert all(len(f) >= 6 for f in encodings("abcd"))


def test_non_secret_values_stay() -> None:
    redactor = Redactor.from_environ({"LOG_LEVEL": "DEBUG", "CORS_ORIGINS": "http://x.example"})
    text = "level DEBUG for http://x.example"
    assert redactor.redact(text) is text  # the same object: nothing was rebuilt


def test_a_redactor_whose_first_text_was_clean_still_masks_what_comes_next() -> None:
    # Text with none of the scan's anchors skips it until it is needed (a tool's `[]`).
    redactor = Redactor().with_secrets([SECRET])
    assert redactor.redact("[]") == "[]"
    assert redactor.redact(f"[{SECRET}]") == f"[{MASK}]"
    shapes = Redactor()
    assert shapes.redact("[]\n") == "[]\n"
    assert shapes.redact("password=hunter22") == f"password={MASK}"


def test_a_secret_split_by_a_line_break_is_masked_whole() -> None:
    redactor = Redactor().with_secrets([SECRET])
    text = f"key part {SECRET[:9]}\n{SECRET[9:]} end"
    assert redactor.redact(text) == f"key part {MASK} end"


def test_wrapped_base64_of_a_secret_is_masked() -> None:
    secret = samples.binance_key(11)
    wrapped = base64.encodebytes(secret.encode()).decode()  # lines of 76 characters
    assert "\n" in wrapped.strip()
    assert secret[:20] not in Redactor().with_secrets([secret]).redact(f"blob {wrapped}")
    cleaned = Redactor().with_secrets([secret]).redact(f"blob {wrapped}")
    assert cleaned.startswith(f"blob {MASK}")


def test_a_url_secret_masks_its_password_alone_too() -> None:
    password = _password()
    redactor = Redactor.from_environ({"DATABASE_URL": f"postgres://bot:{password}@db:5432/bot"})
    assert redactor.redact(f"auth failed for {password}") == f"auth failed for {MASK}"


@pytest.mark.parametrize(
    "text",
    [
        lambda: f"GET https://api.telegram.org/bot{samples.telegram_token()}/getMe",
        lambda: f"posting to {samples.discord_webhook()}",
        lambda: f"token={samples.github_token()}",
        lambda: f'binance_api_key: "{samples.binance_key()}"',
        lambda: f"Binance {samples.binance_key()}",
        lambda: f"api key {samples.binance_key()}",
        lambda: "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
        lambda: "AKIA" + samples.binance_key(4).upper()[:16],
        lambda: "xoxb" + "-" + samples.binance_key(5)[:24],
        lambda: "-----BEGIN RSA PRIVATE KEY-----\n" + samples.binance_key(6) + "\n-----END",
    ],
    ids=[
        "telegram-url",
        "discord-webhook",
        "github-token",
        "binance-key",
        "binance-prose",
        "api-key-prose",
        "jwt",
        "aws",
        "slack",
        "pem",
    ],
)
def test_token_shapes_are_masked_without_knowing_the_value(text: object) -> None:
    raw = text()  # type: ignore[operator]
    cleaned = Redactor().redact(raw)
    assert MASK in cleaned
    assert not any(len(w) >= 20 and w in cleaned for w in raw.replace("/", " ").split())


def test_signed_query_parameters_are_masked() -> None:
    url = "https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abc123def&apiKey=k3y"
    assert Redactor().redact(url) == (
        f"https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature={MASK}"
        f"&apiKey={MASK}"
    )


@pytest.mark.parametrize(
    "name",
    [
        "client_secret",
        "secretKey",
        "X-Amz-Signature",
        "access_key",
        "sig",
        "auth",
        "api%5Fkey",
        "client%5Fsecret",
        "access_token",
        "password",
    ],
)
def test_query_parameters_named_like_secrets_are_masked(name: str) -> None:
    value = _password()
    url = f"https://x.example/cb?state=ok&{name}={value}&next=%2Fhome"
    assert Redactor().redact(url) == f"https://x.example/cb?state=ok&{name}={MASK}&next=%2Fhome"


def test_a_key_parameter_is_masked_but_a_key_field_is_not() -> None:
    """`?key=` carries API keys (Google-style); `"key":` in JSON is mostly an identifier."""
    assert Redactor().redact("GET /maps?key=abc123&x=1") == f"GET /maps?key={MASK}&x=1"
    text = '{"Key": "jobs", "key": {"Local": 1}}'
    assert Redactor().redact(text) is text


def test_json_stays_json_where_a_secret_name_holds_no_secret() -> None:
    """Tools' JSON output goes through the redactor too (ci/proc.py): true, null and
    containers under secret names stay, so the JSON still parses."""
    text = '{"secret": true, "password": null, "token": [1], "auth": {"a": 1}, "api_key": "k"}'
    assert json.loads(Redactor().redact(text)) == {
        "secret": True,
        "password": None,
        "token": [1],
        "auth": {"a": 1},
        "api_key": MASK,
    }


@pytest.mark.parametrize("literal", ["true", "false", "null", "True", "False", "None"])
def test_a_literal_under_a_secret_name_stays_but_a_longer_word_does_not(literal: str) -> None:
    assert Redactor().redact(f"password={literal}") == f"password={literal}"
    assert Redactor().redact(f"password={literal}x") == f"password={MASK}"
    assert Redactor().redact(f"password=x{literal}") == f"password={MASK}"


def test_a_header_value_right_after_its_colon_is_masked_to_the_end_of_its_line() -> None:
    redactor = Redactor()
    assert redactor.redact("h x-mbx-apikey:abc def\nnext") == f"h x-mbx-apikey:{MASK}\nnext"
    assert redactor.redact("Authorization:Bearer abc123 x") == f"Authorization:{MASK}"


@pytest.mark.parametrize(
    "last", ['"token": "t0k3n-v4lue"', "token='t0k3n-v4lue'", 'token=\\"t0k3n\\"']
)
def test_a_quoted_value_does_not_end_the_scan(last: str) -> None:
    """The scan reads the line backwards: after a quoted (or escaped) value at the end, the
    fields before it are still read."""
    masked = Redactor().redact(f"password=hunter22 signature=ab12cd34 {last}")
    assert "hunter22" not in masked and "ab12cd34" not in masked and "t0k" not in masked


# Letters, digits (ASCII or not: é, ², ٣), a leading `b` (as of b"..."), and characters
# that end a value or are part of one.
VALUE_LETTERS = "ab9Zé²٣_-.%:&\"' =\\"


@given(value=st.text(alphabet=VALUE_LETTERS, min_size=1, max_size=20), extra=st.integers(0, 300))
def test_a_value_at_the_end_of_the_line_is_masked_as_one_followed_by_more(
    value: str, extra: int
) -> None:
    """A value that runs to the end of the line is read without a pattern: the same span as
    when something follows it, short or long, true/null included."""
    line = f"{'x' * extra} signature={value}"
    assert Redactor().spans(line) == Redactor().spans(f"{line}&symbol=BTCUSDT")


def test_a_value_after_a_secret_name_in_a_list_stays() -> None:
    """Only a (name, value) pair is a field: in a list the next item is not a value."""
    text = '["api_key", "symbol"] {"name": "BINANCE_API_KEY", "value": "set"}'
    assert Redactor().redact(text) is text


def test_a_number_under_a_secret_name_is_masked() -> None:
    """A numeric password is a secret too: masking it wins over keeping the JSON valid."""
    assert Redactor().redact('{"password": 123456}') == f'{{"password": {MASK}}}'


@pytest.mark.parametrize("name", ["symbol", "token_type", "signature_version", "public_key"])
def test_other_query_parameters_stay(name: str) -> None:
    url = f"https://x.example/cb?{name}=BTCUSDT&a=1"
    assert Redactor().redact(url) is url


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{{"api_secret": "{v}", "symbol": "BTC"}}',
            f'{{"api_secret": "{MASK}", "symbol": "BTC"}}',
        ),
        ('{{"password":"{v}"}}', f'{{"password":"{MASK}"}}'),
        ("{{'passphrase': '{v}'}}", f"{{'passphrase': '{MASK}'}}"),
        ('{{\\"token\\": \\"{v}\\"}}', f'{{\\"token\\": \\"{MASK}\\"}}'),  # JSON inside JSON
        ('{{"pin": 1, "apiKey" : "{v}"}}', f'{{"pin": 1, "apiKey" : "{MASK}"}}'),
        ("password={v} user=bot", f"password={MASK} user=bot"),
        ("api_secret := '{v}'", f"api_secret := '{MASK}'"),
        ("Client(api_key={v!r})", f"Client(api_key='{MASK}')"),
        ("headers [('x-mbx-apikey', '{v}')]", f"headers [('x-mbx-apikey', '{MASK}')]"),
        ("{{'token_type': 'bearer', 'expires': 60}}", "{'token_type': 'bearer', 'expires': 60}"),
        ('{{"password": ""}}', '{"password": ""}'),
    ],
)
def test_fields_named_like_secrets_are_masked(template: str, expected: str) -> None:
    assert Redactor().redact(template.format(v=_password())) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X-MBX-APIKEY: abcdef123456", f"X-MBX-APIKEY: {MASK}"),
        ("Authorization: Bearer abc.def", f"Authorization: {MASK}"),
        ("cookie: a=1; b=2\nnext line", f"cookie: {MASK}\nnext line"),
        (
            "{'x-mbx-apikey': 'abcdef123456', 'accept': 'json'}",
            f"{{'x-mbx-apikey': '{MASK}', 'accept': 'json'}}",
        ),
    ],
)
def test_credential_headers_are_masked(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize("scheme", ["postgres", "amqp", "redis", "https", "mongodb+srv"])
def test_url_passwords_are_masked_without_knowing_them(scheme: str) -> None:
    password = _password()
    text = f"connecting to {scheme}://bot:{password}@db.internal:5432/x now"
    assert Redactor().redact(text) == f"connecting to {scheme}://bot:{MASK}@db.internal:5432/x now"


def test_url_password_with_at_sign_and_empty_user() -> None:
    assert Redactor().redact("redis://:p@ss@cache:6379") == f"redis://:{MASK}@cache:6379"


def test_urls_without_a_password_stay() -> None:
    text = "see https://user@example.com/a and mailto:ops@example.com"
    assert Redactor().redact(text) is text


def test_basic_credentials_are_masked_without_a_header_name() -> None:
    credentials = base64.b64encode(f"bot:{_password()}".encode()).decode()
    text = f"retrying with Basic {credentials} after 401"
    assert Redactor().redact(text) == f"retrying with Basic {MASK} after 401"


@pytest.mark.parametrize(
    "credentials",
    [
        "dXNlcjpwYXNz",  # user:pass, padded or not, and no digit in it (unlike a Bearer token)
        "dXNlcjpwd2Q",  # user:pwd without its '=' padding
        "dXNlcjpwd2Q=",
        "Ym90OnM=",  # bot:s
    ],
)
def test_basic_credentials_in_any_padding_are_masked(credentials: str) -> None:
    assert Redactor().redact(f"sent Basic {credentials} again") == f"sent Basic {MASK} again"


@pytest.mark.parametrize(
    "value",
    [
        "dGVzdDEyMw",  # base64 of test123: no user:password pair, though it has digits
        "dXNl.cjpwYXNz",  # user:pass with a '.' in it: not base64, so not credentials
    ],
)
def test_a_basic_value_that_is_not_user_and_password_stays(value: str) -> None:
    text = f"a Basic {value} example"
    assert Redactor().redact(text) is text


@pytest.mark.parametrize(
    "text",
    ["a Basic strategy for beginners", "Bearer authentication is required", "basic auth off"],
)
def test_prose_about_schemes_stays(text: str) -> None:
    assert Redactor().redact(text) is text


def test_bearer_tokens_are_masked_without_a_header_name() -> None:
    assert Redactor().redact("sent Bearer abc123def456") == f"sent Bearer {MASK}"


def test_nested_structures_are_redacted() -> None:
    redactor = Redactor.from_environ({"FINNHUB_API_KEY": SECRET})
    value = {"request": {"params": [SECRET, 3], "ok": True}, SECRET: None}
    assert redactor.redact_value(value) == {
        "request": {"params": [MASK, 3], "ok": True},
        MASK: None,
    }


def test_values_under_secret_keys_are_masked_at_any_depth() -> None:
    value = {"exchange": {"api_secret": "not-in-env-1", "nonce": 5, "creds": [{"password": 7}]}}
    assert Redactor().redact_value(value) == {
        "exchange": {"api_secret": MASK, "nonce": 5, "creds": [{"password": MASK}]}
    }


def test_empty_and_boolean_values_under_secret_keys_stay() -> None:
    value = {"password": "", "token": None, "auth": True}
    assert Redactor().redact_value(value) == value


def test_redact_value_keeps_the_container_types() -> None:
    redactor = Redactor().with_secrets([SECRET])
    assert redactor.redact_value((SECRET, 1)) == (MASK, 1)
    assert redactor.redact_value({SECRET}) == {MASK}
    assert redactor.redact_value(SECRET.encode()) == MASK


@pytest.mark.parametrize("form", ["raw", "upper-case", "lower-case"])
def test_a_secret_whose_case_changes_its_length_is_masked_in_any_case(form: str) -> None:
    secret = "pässwörd-ßİ-ünïcode"  # ß upper-cases to SS, İ lower-cases to two characters
    encoded = FORMS[form](secret)
    assert Redactor().with_secrets([secret]).redact(f"x {encoded} y") == f"x {MASK} y"


def test_a_header_value_after_a_quote_is_masked_to_the_end_of_its_line() -> None:
    text = 'got "ok", X-Api-Key: s3cr3t v4lue\nnext line'
    assert Redactor().redact(text) == f'got "ok", X-Api-Key: {MASK}\nnext line'


def test_a_namedtuple_keeps_its_type_and_loses_its_secret() -> None:
    creds_type = namedtuple("creds_type", "user key")  # as user code may log it
    cleaned = Redactor().with_secrets([SECRET]).redact_value(creds_type("bob", SECRET))
    assert cleaned == creds_type("bob", MASK)
    assert type(cleaned) is creds_type


@pytest.mark.parametrize(
    "text",
    [
        '"Authorization": Bearer abc.def',  # YAML: a quoted key, an unquoted value
        "Authorization : Bearer abc.def",  # a space before the colon
        "Cookie : session=abc; theme=dark",
    ],
)
def test_a_header_value_is_masked_whole_however_its_name_is_written(text: str) -> None:
    name, _, _ = text.partition(":")
    assert Redactor().redact(f"{text}\nnext line") == f"{name}: {MASK}\nnext line"


def test_two_secrets_side_by_side_read_as_one_mask() -> None:
    first, second = _password(3), _password(5)  # e.g. a key and its secret logged with "%s%s"
    redactor = Redactor().with_secrets([first, second])
    assert redactor.redact(f"signing {first}{second} now") == f"signing {MASK} now"


def test_a_secret_split_by_a_carriage_return_is_masked_whole() -> None:
    """Progress output rewrites its line with a bare \\r."""
    redactor = Redactor().with_secrets([SECRET])
    assert redactor.redact(f"upload {SECRET[:9]}\r{SECRET[9:]} done") == f"upload {MASK} done"


@pytest.mark.parametrize("password", ["p^a]s[s\\w-o.r*d", "]]^^[[--", "$(a|b)+?{1}"])
def test_a_password_of_regex_characters_is_masked_in_any_case(password: str) -> None:
    """Generated passwords are full of symbols; the scan spells them out, it does not run them."""
    redactor = Redactor().with_secrets([password])
    for form in (password, password.upper(), password.swapcase()):
        assert redactor.redact(f"login {form} ok") == f"login {MASK} ok"


def test_a_secret_logged_three_times_in_a_line_is_masked_every_time() -> None:
    secret = _password()
    redactor = Redactor().with_secrets([secret])
    assert redactor.redact(f"a {secret} b {secret} c {secret} d") == f"a {MASK} b {MASK} c {MASK} d"


def test_a_secret_of_one_repeated_character_is_masked_to_its_last_one() -> None:
    """Its occurrences overlap: one starts at each character."""
    assert Redactor().with_secrets(["000000"]).redact("pin 0000000 ok") == f"pin {MASK} ok"


def test_token_shapes_are_masked_beside_known_secrets() -> None:
    """A bot's environment always holds secrets: shapes are looked for all the same."""
    token = samples.github_token()
    redactor = Redactor().with_secrets([SECRET])
    assert redactor.redact(f"push {token} with {SECRET}") == f"push {MASK} with {MASK}"


def _masked_characters(redactor: Redactor, text: str) -> set[int]:
    return {i for start, stop in redactor.spans(text) for i in range(start, stop)}


def _occurrences(forms: set[str], text: str) -> set[int]:
    """Every character of `text` inside a form, any case: a simple search, form by form."""
    lowered, covered = text.lower(), set()
    for form in forms:
        start = lowered.find(form.lower())
        while start >= 0:
            covered |= set(range(start, start + len(form)))
            start = lowered.find(form.lower(), start + 1)
    return covered


# Few letters, so that secrets share letters (and the letters the scan anchors them at) and
# their forms overlap in a line: one's end is another's start, or the same secret twice.
_OVERLAPPING = st.text(alphabet="qkab0", min_size=6, max_size=9)


@settings(max_examples=120, deadline=None)  # each example builds its scan: a tenth of a second
@given(
    secrets=st.lists(_OVERLAPPING, min_size=1, max_size=3),
    pieces=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 9)), min_size=1, max_size=5),
    joiner=st.sampled_from(["", " "]),
    case=st.sampled_from([str.lower, str.upper, str.swapcase]),
)
def test_every_known_form_in_a_line_is_masked_however_the_forms_overlap(
    secrets: list[str], pieces: list[tuple[int, int]], joiner: str, case: Callable[[str], str]
) -> None:
    """Known forms are masked wherever they are, overlapping or not: what a faster search
    for them (skipping the rest of a form once found, say) must not lose."""
    redactor = Redactor().with_secrets(secrets)
    # Each word: the end of one secret, then another whole (or the same again).
    words = [secrets[i % len(secrets)][cut:] + secrets[(i + 1) % len(secrets)] for i, cut in pieces]
    text = case(joiner.join(words))
    assert _occurrences(redactor.secrets, text) <= _masked_characters(redactor, text)


def test_a_known_secret_as_a_urls_user_is_masked_when_it_is_also_elsewhere() -> None:
    """A known secret as a URL's user and again later in the line: each copy is masked, the
    one the scan reaches first and the one its search of the line finds."""
    token = _password()
    redactor = Redactor().with_secrets([token])
    text = f"clone https://{token}:x-oauth-basic@github.com/o/r with {token}"
    assert redactor.redact(text) == f"clone https://{MASK}:{MASK}@github.com/o/r with {MASK}"


def test_a_known_secret_in_a_case_its_letters_do_not_spell_is_masked_beside_it() -> None:
    """The Kelvin sign K is a k to str.lower(), not to the scan's letter classes: the whole
    line is searched, lower-cased, once a known form is found in it."""
    secret = "kqab12"  # the scan finds the plain copy; the line's search finds both
    redactor = Redactor().with_secrets([secret])
    text = f"{secret} and {secret.replace('k', chr(0x212A))}"
    assert redactor.redact(text) == f"{MASK} and {MASK}"


@pytest.mark.parametrize("known", [True, False], ids=["known secret", "token shape"])
def test_a_secret_as_a_urls_user_is_masked(known: bool) -> None:
    """`https://TOKEN:x-oauth-basic@github.com`: git remotes carry a token as the user. The
    scan's hit on the URL's password used to take the user with it, unread."""
    token = _password() if known else samples.github_token(51)
    redactor = Redactor().with_secrets([token] if known else [])
    text = f"git remote https://{token}:x-oauth-basic@github.com/o/r"
    assert redactor.redact(text) == f"git remote https://{MASK}:{MASK}@github.com/o/r"


def test_a_url_keeps_its_host_when_its_user_is_named_like_a_secret_field() -> None:
    """`x-access-token:PASSWORD@host`: the password alone is masked, not read again as the
    value of a field named `...token` that runs to the end of the URL."""
    token = samples.github_token(54)
    text = f"origin https://x-access-token:{token}@github.com/o/r.git"
    assert Redactor().redact(text) == f"origin https://x-access-token:{MASK}@github.com/o/r.git"


def test_the_scan_reads_a_urls_user_from_its_last_character() -> None:
    """After a URL's password the scan goes on at the user's last character, the one before
    the `:`: a user that ends in a field's separator is read as that field, whose value (the
    rest of the URL) is masked as any secret field's is."""
    text = "proxy https://token=:hunter2@example.com/p"
    assert Redactor().redact(text) == f"proxy https://token={MASK}"


def test_a_known_secret_in_a_fields_name_is_masked() -> None:
    """A field hit used to take its name with it, unread, as a URL's hit took its user."""
    token = _password(52)
    redactor = Redactor().with_secrets([token])
    assert redactor.redact(f"{token}_key=abc123def") == f"{MASK}_key={MASK}"
    assert token not in redactor.redact(f'{{"{token}": 1}}')
    # The whole name, anchored at its last letter (g, its rarest): the character the scan
    # reads first after the field's separator.
    name = Redactor().with_secrets(["our_sig"])
    assert name.redact("our_sig=abc123def") == f"{MASK}={MASK}"
    assert name.redact("our_sig='abc123def'") == f"{MASK}='{MASK}'"  # a quoted value


def test_a_known_secret_anchored_where_an_exchange_key_is_found_is_masked() -> None:
    """The scan reports one hit a place: `s3cretkey` is anchored at its k, where the exchange
    key's word starts too, and only the exchange key was reported there."""
    secret = "s3cretkey"
    redactor = Redactor().with_secrets([secret])
    run = samples.binance_key()
    assert redactor.redact(f"using {secret} {run}") == f"using {MASK} {MASK}"


# What a secret may stand beside in a line: the places where the scan's shapes are found.
_AROUND = [
    "https://",
    "http://u:",
    ":",
    "@",
    "=",
    "_key=",
    "key ",
    " ",
    '"',
    "'",
    ",",
    "/",
    "?x=",
    "api_secret=",
    "Authorization: ",
    "Bearer ",
    "Basic ",
    "binance ",
    "ghp_",
    "eyJ",
    "AKIA",
    f" {samples.binance_key(53)}",  # an exchange key, if what precedes it ends in `key`
]


@settings(max_examples=200, deadline=None)  # each example builds its scan: a tenth of a second
@given(
    # Letters a shape starts at (k, B, @, :), and the exchange key's word.
    secret=st.lists(st.sampled_from(["k", "K", "B", "b", "@", ":", "a0", "key"]), max_size=6)
    .map("".join)
    .filter(lambda secret: len(secret) >= 6),
    before=st.lists(st.sampled_from(_AROUND), max_size=4),
    after=st.lists(st.sampled_from(_AROUND), max_size=4),
)
def test_a_known_secret_is_masked_whatever_shapes_surround_it(
    secret: str, before: list[str], after: list[str]
) -> None:
    """Wherever a shape is found around it, inside it or at its anchor, a known secret is
    masked: no hit of another shape may take its place or read past it unseen."""
    redactor = Redactor().with_secrets([secret])
    text = "".join(before) + secret + "".join(after)
    assert _occurrences(redactor.secrets, text) <= _masked_characters(redactor, text)


def test_a_known_secret_anchored_at_a_fields_separator_is_masked_whole() -> None:
    """A secret of punctuation and letters whose case changes their length (`ß`) is anchored
    at its `=`: there a field's hit is reported instead, and the secret's own `"=` would stay."""
    secret = '"=' + "ß" * 4
    redactor = Redactor().with_secrets([secret])
    assert redactor.redact(f"api_key{secret} next") == f"api_key{MASK} next"
