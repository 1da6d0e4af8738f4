import pytest
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from akta_gateway.i18n import MESSAGES, locked_message, pick_language


def test_every_language_has_every_text():
    keys = set(MESSAGES["en"])
    assert all(set(texts) == keys for texts in MESSAGES.values())


@pytest.mark.parametrize(
    ("override", "header", "language"),
    [
        (None, "", "da"),
        (None, "de-DE,fr;q=0.5", "da"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "nb-NO,en;q=0.5", "nb"),
        (None, "no", "nb"),
        (None, "nn-NO,da;q=0.5", "nb"),
        (None, "sv-SE,da;q=0.8,en;q=0.5", "da"),
        (None, "en;q=0,da;q=0.1", "da"),
        ("en", "da", "en"),
        ("xx", "nb", "nb"),
    ],
)
def test_the_language_comes_from_the_override_then_the_browser_then_danish(override, header, language):
    assert pick_language(override, parse_accept_header(header, LanguageAccept)) == language


def test_a_lock_is_told_in_whole_minutes_rounded_up():
    assert locked_message("en", 1) == "Too many attempts. Try again in 1 minute."
    assert locked_message("en", 61) == "Too many attempts. Try again in 2 minutes."
    assert locked_message("da", 900) == "For mange forsøg. Prøv igen om 15 minutter."
    assert locked_message("nb", 60) == "For mange forsøk. Prøv igjen om 1 minutt."
