"""The gateway's page texts in Danish, Norwegian bokmål and English, and choosing among them."""

from __future__ import annotations

import math

from werkzeug.datastructures import LanguageAccept

DEFAULT_LANGUAGE = "da"
LANGUAGE_NAMES = {"da": "Dansk", "nb": "Norsk bokmål", "en": "English"}
# Browsers ask for Norwegian as "no", "nb" or "nn"; bokmål is the one we have.
_ASKED_TO_OFFERED = {"da": "da", "nb": "nb", "no": "nb", "nn": "nb", "en": "en"}

MESSAGES: dict[str, dict[str, str]] = {
    "da": {
        "tagline": "Sags- og dokumentarkiv",
        "sign_in": "Log ind",
        "organisation": "Organisation",
        "username": "Brugernavn",
        "password": "Adgangskode",
        "wrong_credentials": "Organisation, brugernavn eller adgangskode er forkert.",
        "locked_one": "For mange forsøg. Prøv igen om {n} minut.",
        "locked_other": "For mange forsøg. Prøv igen om {n} minutter.",
        "form_expired": "Formularen er udløbet. Prøv igen.",
        "fill_all": "Udfyld alle felter.",
        "unavailable": "Det er ikke muligt at logge ind lige nu. Prøv igen om lidt.",
        "signed_in_as": "Du er logget ind som {name}.",
        "roles": "Roller",
        "sign_out": "Log ud",
        "signed_out": "Du er logget ud.",
        "api_docs": "API-dokumentation",
        "language": "Sprog",
    },
    "nb": {
        "tagline": "Sak- og arkivsystem",
        "sign_in": "Logg inn",
        "organisation": "Organisasjon",
        "username": "Brukernavn",
        "password": "Passord",
        "wrong_credentials": "Organisasjon, brukernavn eller passord er feil.",
        "locked_one": "For mange forsøk. Prøv igjen om {n} minutt.",
        "locked_other": "For mange forsøk. Prøv igjen om {n} minutter.",
        "form_expired": "Skjemaet er utløpt. Prøv igjen.",
        "fill_all": "Fyll ut alle feltene.",
        "unavailable": "Det er ikke mulig å logge inn akkurat nå. Prøv igjen om litt.",
        "signed_in_as": "Du er logget inn som {name}.",
        "roles": "Roller",
        "sign_out": "Logg ut",
        "signed_out": "Du er logget ut.",
        "api_docs": "API-dokumentasjon",
        "language": "Språk",
    },
    "en": {
        "tagline": "Case and document archive",
        "sign_in": "Sign in",
        "organisation": "Organisation",
        "username": "User name",
        "password": "Password",
        "wrong_credentials": "The organisation, user name or password is wrong.",
        "locked_one": "Too many attempts. Try again in {n} minute.",
        "locked_other": "Too many attempts. Try again in {n} minutes.",
        "form_expired": "The form has expired. Please try again.",
        "fill_all": "Fill in every field.",
        "unavailable": "Signing in is not possible right now. Try again shortly.",
        "signed_in_as": "You are signed in as {name}.",
        "roles": "Roles",
        "sign_out": "Sign out",
        "signed_out": "You are signed out.",
        "api_docs": "API documentation",
        "language": "Language",
    },
}


def pick_language(override: str | None, accepted: LanguageAccept) -> str:
    """`?lang=` if we offer it, else the browser's best match, else Danish."""
    if override in MESSAGES:
        return override
    # By primary tag in the browser's order: werkzeug's best_match would prefer an exact "en"
    # at a low quality to "nb-NO" at the top.
    for value, quality in accepted:
        offered = _ASKED_TO_OFFERED.get(value.split("-")[0].lower())
        if offered and quality > 0:
            return offered
    return DEFAULT_LANGUAGE


def locked_message(language: str, retry_after_seconds: int) -> str:
    minutes = max(1, math.ceil(retry_after_seconds / 60))
    key = "locked_one" if minutes == 1 else "locked_other"
    return MESSAGES[language][key].format(n=minutes)
