"""The forms a known secret takes in a log line, and the secrets inside a secret value: what
the redactor looks for, and the names `logsafe.testing` reports a leak under."""

from __future__ import annotations

from logsafe.forms import embedded_secrets, named_encodings

# Characters that every encoding treats differently: '/' and '+' (URL quoting, base64's
# alphabets), ' ' (form encoding), a non-ASCII letter whose upper case is another code
# point, and a length that leaves base64 padding.
VALUE = "Sk/t+k y=~\u00ff>?"


def test_every_form_of_a_secret_by_the_name_a_leak_report_gives_it() -> None:
    assert named_encodings(VALUE) == {
        "raw": "Sk/t+k y=~\u00ff>?",
        "upper-case": "SK/T+K Y=~\u0178>?",
        "lower-case": "sk/t+k y=~\u00ff>?",
        "url-encoded": "Sk%2Ft%2Bk%20y%3D~%C3%BF%3E%3F",
        "url-encoded (path)": "Sk/t%2Bk%20y%3D~%C3%BF%3E%3F",
        "url-encoded (form)": "Sk%2Ft%2Bk+y%3D~%C3%BF%3E%3F",
        "hex": "536b2f742b6b20793d7ec3bf3e3f",
        "hex (upper-case)": "536B2F742B6B20793D7EC3BF3E3F",
        "base64": "U2svdCtrIHk9fsO/Pj8=",
        "base64 (unpadded)": "U2svdCtrIHk9fsO/Pj8",
        "urlsafe-base64": "U2svdCtrIHk9fsO_Pj8=",
        "urlsafe-base64 (unpadded)": "U2svdCtrIHk9fsO_Pj8",
    }


def database_url(password: str, scheme: str = "postgres:") -> str:
    """Built from parts: a whole URL with a password written out would be a finding of the
    repository's own secrets gate."""
    return scheme + "//bot:" + password + "@db:5432/trades"


def test_the_password_inside_a_url_is_a_secret_of_its_own() -> None:
    assert embedded_secrets(database_url("abcdef")) == {"abcdef"}
    assert embedded_secrets(database_url("s3cretpw", scheme="")) == {"s3cretpw"}  # no scheme


def test_a_password_too_short_to_mask_safely_or_none_at_all_adds_nothing() -> None:
    assert embedded_secrets(database_url("abcde")) == set()  # 5 characters
    assert embedded_secrets("postgres://bot@db/trades") == set()
    assert embedded_secrets("not a url") == set()
    assert embedded_secrets("http://[::1") == set()  # urlsplit refuses it: nothing to add


def test_a_base64_form_that_needs_no_padding_is_left_whole() -> None:
    """Its last character may be any letter: only '=' padding is what the unpadded form drops."""
    forms = named_encodings("abcdeW")
    assert forms["base64"] == forms["base64 (unpadded)"] == "YWJjZGVX"
    assert forms["urlsafe-base64 (unpadded)"] == "YWJjZGVX"
