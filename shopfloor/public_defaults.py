"""Refuse the settings that are safe for generated data only.

The person-key salt's default is printed in the README: with it, anyone holding a published list or an analyst
extract can recompute whose key is whose from a member id. And Dagster's UI has no login: bound beyond loopback it
shows every run's logs and lets anyone launch runs. Both are fine for the demo's generated people and nowhere else.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from shopfloor.settings import Settings, default

PUBLIC_PERSON_KEY_SALT = default("SHOPFLOOR_PERSON_KEY_SALT")
MIN_SALT_LENGTH = 16
LOOPBACK_NAMES = {"localhost"}


class PublicDefaultError(RuntimeError):
    """A setting that would expose workers' data; the message says what to set."""


def holds_generated_sample(landing_dir: Path) -> bool:
    """True if the landing folder was written by `shopfloor sample` (its people are made up)."""
    return (landing_dir / "_truth" / "rules.json").is_file()


def refuse_public_salt(settings: Settings) -> None:
    """PublicDefaultError unless the salt is a secret of MIN_SALT_LENGTH or more characters, or the landing
    folder holds generated sample data (the demo)."""
    salt = settings.person_key_salt
    if holds_generated_sample(settings.landing_dir):
        return
    if salt == PUBLIC_PERSON_KEY_SALT:
        problem = "is unset or the public default from the README"
    elif len(salt) < MIN_SALT_LENGTH:
        problem = f"is shorter than {MIN_SALT_LENGTH} characters"
    else:
        return
    raise PublicDefaultError(
        f"SHOPFLOOR_PERSON_KEY_SALT {problem}, and the landing folder {settings.landing_dir} is not a generated "
        "sample: anyone could turn the pseudonymous person keys back into member ids. Set it to a secret kept "
        "with the union's other credentials, e.g. the output of `python -c \"import secrets; "
        "print(secrets.token_urlsafe(32))\"`, and keep it: a new salt gives every person a new key."
    )


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


def refuse_open_ui(host: str, settings: Settings) -> None:
    """PublicDefaultError if the UI would listen beyond loopback with no authenticating proxy configured."""
    if is_loopback(host) or settings.ui_auth_proxy:
        return
    raise PublicDefaultError(
        f"The Dagster UI has no login, so Shopfloor serves it on loopback only; --host {host} would let anyone "
        "who can reach this machine read run logs and launch runs. Put an authenticating reverse proxy in front of "
        "it (docs/operations.md, \"The UI behind a proxy\") and keep the UI on 127.0.0.1, or set "
        "SHOPFLOOR_UI_AUTH_PROXY to that proxy's URL if it runs on another machine."
    )
