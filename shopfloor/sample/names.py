"""How each source spells an employer: the same establishment, typed differently by OSHA, the NLRB and the union."""

from __future__ import annotations

import random

from shopfloor.sample import vocab


def typo(text: str, rnd: random.Random) -> str:
    """One keyboard slip: two letters swapped or one dropped."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = rnd.choice(letters[1:-1])
    if rnd.random() < 0.5 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i + 1:]


# Width of OSHA's estab_name ("Alphanumeric, Length:50" in the DOL data dictionary): longer names are cut.
OSHA_NAME_WIDTH = 50


def _real_name_rnd(name: str) -> random.Random:
    """Draws for the spellings learned from real records (extra words, a/k/a) come from their own stream, seeded by
    the name: the sample's other draws stay as they were."""
    return random.Random(f"real-name spellings|{name}")


def _abbreviate(base: str) -> str:
    for word, short in vocab.ABBREVIATIONS.items():
        base = base.replace(word, short)
    return base


def osha_name(base: str, suffix: str, dba: str, store_no: int, rnd: random.Random) -> str:
    """OSHA estab_name: upper case, suffix without punctuation, store numbers and D/B/A as inspectors type them."""
    name = base.upper().replace(",", "")
    if rnd.random() < 0.25:
        name = name.replace("-", " " if rnd.random() < 0.5 else "")
    legal = rnd.choice(vocab.SUFFIX_VARIANTS[suffix]).upper().strip(", ")
    if legal:
        name = f"{name} {legal}"
    if dba and rnd.random() < 0.35:
        name = f"{name} D/B/A {dba.upper()}" if rnd.random() < 0.5 else f"{dba.upper()} {name}"
    if store_no:
        name = f"{name} {rnd.choice(('#', 'STORE ', 'NO. ', ''))}{store_no}"
    if rnd.random() < 0.06:
        name = typo(name, rnd)
    return name[:OSHA_NAME_WIDTH].rstrip()


def nlrb_name(base: str, suffix: str, dba: str, city: str, rnd: random.Random) -> str:
    """NLRB case name: mixed case legal name, often with a d/b/a; as in the real case names, now and then an a/k/a
    or words added after the name (et al., a place, a case status)."""
    legal = rnd.choice(vocab.SUFFIX_VARIANTS[suffix]) if rnd.random() < 0.4 else suffix
    sep = "" if not legal or legal.startswith(",") else ", " if rnd.random() < 0.6 else " "
    name = f"{base}{sep}{legal}"
    if dba and rnd.random() < 0.4:
        name = f"{name} d/b/a {dba}"
    real = _real_name_rnd(f"{name}|{city}")
    roll = real.random()
    if dba and roll < 0.03:
        name = f"{name} a/k/a {dba}"
    elif roll < 0.07:
        name += real.choice((", et al.", " (BLOCKING)", f" - {city.title()}", f" ({city.title()})"))
    if rnd.random() < 0.15:
        name = name.upper()
    if rnd.random() < 0.03:
        name = typo(name, rnd)
    return name


def union_name(base: str, dba: str, rnd: random.Random) -> str:
    """The union's own spelling of the employer: short, abbreviated, sometimes the store brand, sometimes a typo."""
    name = dba if dba and rnd.random() < 0.4 else base
    roll = rnd.random()
    if roll < 0.3:
        name = _abbreviate(name)
    elif roll < 0.45:
        name = name.upper()
    elif roll < 0.55:
        name = name.replace("-", "").replace(" ", "", 1)
    if rnd.random() < 0.08:
        name = typo(name, rnd)
    return name


def worksite_name(city: str, street: str, store_no: int, noun: str, rnd: random.Random) -> str:
    """How stewards name a worksite: store number, town plant, or street."""
    town = city.title()
    if store_no:
        return rnd.choice((f"Store {store_no}", f"#{store_no}", f"{town} {store_no}", f"{town} store"))
    return rnd.choice((f"{town} plant", f"{town}", f"{street.title()} location", f"{town} {noun}"))
