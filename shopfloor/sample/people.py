"""Generated people, one fixed-size block at a time so the state-scale voter file never sits whole in memory.

Block b holds people b*block .. (b+1)*block-1 and is drawn from its own seeded stream, so any block can be rebuilt
on its own (the member roll rebuilds the blocks holding members). Members come first, then coworkers, then residents.
"""

from __future__ import annotations

import numpy as np

from shopfloor.sample import vocab
from shopfloor.sample.world import EPOCH, HORIZON, World, zfill

_MALE = np.array(vocab.FIRST_MALE)
_FEMALE = np.array(vocab.FIRST_FEMALE)
_LAST = np.array(vocab.LAST_NAMES)
# Common given names (the ones with everyday nicknames) are drawn more often, as in real rolls.
_COMMON_MALE = np.array([n for n in vocab.NICKNAMES if n in vocab.FIRST_MALE])
_COMMON_FEMALE = np.array([n for n in vocab.NICKNAMES if n in vocab.FIRST_FEMALE])
_ACC_MALE = np.array(vocab.ACCENTED_FIRST_MALE)
_ACC_FEMALE = np.array(vocab.ACCENTED_FIRST_FEMALE)
_ACC_LAST = np.array(vocab.ACCENTED_LAST)
_CITY_WEIGHTS = np.array([c[4] for c in vocab.CITIES], dtype=float)
_CITY_WEIGHTS /= _CITY_WEIGHTS.sum()
REGISTRATION_DELAY_DAYS = 6 * 365


def _codes(rng: np.random.Generator, table, n: int) -> np.ndarray:
    values = np.array([code for code, _ in table])
    shares = np.array([share for _, share in table], dtype=float)
    return values[rng.choice(len(values), n, p=shares / shares.sum())]


def person_block(seed: int, b: int, block: int) -> dict[str, np.ndarray]:
    """Every attribute of the people in block b, as canonical (voter-file) values."""
    rng = np.random.default_rng([seed, 2, b])
    n = block
    gender = np.where(rng.random(n) < 0.49, "M", "F")
    gender = np.where(rng.random(n) < 0.02, "U", gender)
    male = gender == "M"
    ethnic = _codes(rng, vocab.ETHNIC_CODES, n)
    hispanic = ethnic == "HL"
    first = np.where(male, _MALE[rng.integers(0, len(_MALE), n)], _FEMALE[rng.integers(0, len(_FEMALE), n)])
    common = np.where(male, _COMMON_MALE[rng.integers(0, len(_COMMON_MALE), n)],
                      _COMMON_FEMALE[rng.integers(0, len(_COMMON_FEMALE), n)])
    first = np.where(rng.random(n) < 0.3, common, first)
    acc_first = hispanic & (rng.random(n) < 0.5)
    first = np.where(acc_first, np.where(male, _ACC_MALE[rng.integers(0, len(_ACC_MALE), n)],
                                         _ACC_FEMALE[rng.integers(0, len(_ACC_FEMALE), n)]), first)
    middle = np.where(male, _MALE[rng.integers(0, len(_MALE), n)], _FEMALE[rng.integers(0, len(_FEMALE), n)])
    middle = np.where(rng.random(n) < 0.15, "", middle)
    last = np.where(hispanic & (rng.random(n) < 0.6), _ACC_LAST[rng.integers(0, len(_ACC_LAST), n)],
                    _LAST[rng.integers(0, len(_LAST), n)])
    hyphen = rng.random(n) < 0.04
    last = np.where(hyphen, np.char.add(np.char.add(last, "-"), _LAST[rng.integers(0, len(_LAST), n)]), last)
    suffix = np.where(male & (rng.random(n) < 0.05), np.array(vocab.SUFFIXES)[rng.integers(0, 5, n)], "")
    birth_day = rng.integers(-65 * 365, 6 * 365 + 180, n).astype(np.int32)  # born 1935 .. mid 2006
    adult_day = birth_day + 18 * 366
    # Most people register within a few years of turning 18 (the file keeps dates from 1975 on, and a move to another
    # county re-registers): the delay is exponential with mean REGISTRATION_DELAY_DAYS, truncated at the as-of date.
    eligible_from = np.maximum(adult_day, -25 * 365)
    span = np.maximum(HORIZON - eligible_from, 1)
    truncation = 1 - np.exp(-span / REGISTRATION_DELAY_DAYS)
    reg_day = (eligible_from - REGISTRATION_DELAY_DAYS * np.log1p(-rng.random(n) * truncation)).astype(np.int32)
    city = rng.choice(len(vocab.CITIES), n, p=_CITY_WEIGHTS).astype(np.int16)
    return {
        "gender": gender, "ethnic": ethnic, "race": _codes(rng, vocab.RACE_CODES, n),
        "party": _codes(rng, vocab.PARTY_CODES, n), "first": first, "middle": middle, "last": last,
        "hyphenated": hyphen, "suffix": suffix, "birth_day": birth_day, "reg_day": reg_day,
        "city": city, "house": rng.integers(1, 9999, n), "street": rng.integers(0, len(vocab.STREET_NAMES), n),
        "street_suffix": rng.integers(0, len(vocab.STREET_SUFFIXES), n), "zip": rng.integers(0, 100, n),
        "precinct": rng.integers(1, 60, n),
        "status": _codes(rng, [(k, v[1]) for k, v in vocab.VOTER_STATUS.items()], n),
        "reason_pick": rng.integers(0, 4, n), "confidential": rng.random(n) < 0.005,
        "phone": rng.integers(2_000_000, 9_999_999, n), "has_phone": rng.random(n) < 0.55,
        "area_pick": rng.integers(0, 6, n), "has_mail": rng.random(n) < 0.6, "drivers_lic": rng.random(n) < 0.9,
        "birth_state": np.array(vocab.BIRTH_STATES)[rng.integers(0, len(vocab.BIRTH_STATES), n)],
        "propensity": rng.beta(2.0, 2.5, n), "moved": rng.random(n) < 0.15,
        "new_house": rng.integers(1, 9999, n), "new_street": rng.integers(0, len(vocab.STREET_NAMES), n),
        "vote_draw": rng.random((n, len(vocab.ELECTIONS))), "method_pick": rng.random((n, len(vocab.ELECTIONS))),
        "email_pick": rng.integers(0, 4, n),
    }


def people_block(world: World, b: int) -> dict[str, np.ndarray]:
    """Block b with the world's facts about people who work somewhere (home city, registration, propensity)."""
    block = world.scale.block
    lo, hi = b * block, min((b + 1) * block, world.n_people)
    people = {k: v[: hi - lo] for k, v in person_block(world.seed, b, block).items()}
    n_work = world.n_members + world.n_coworkers
    people["person_id"] = np.arange(lo, hi, dtype=np.int64)
    registered = np.ones(hi - lo, dtype=bool)
    work = people["person_id"] < n_work
    if work.any():
        idx = people["person_id"][work]
        people["city"][work] = world.person_city[idx]
        people["propensity"][work] = world.person_propensity[idx]
        registered[work] = world.person_registered[idx]
    people["registered"] = registered
    people["state"] = np.array([c[1] for c in vocab.CITIES])[people["city"]]
    return people


def n_blocks(world: World) -> int:
    return -(-world.n_people // world.scale.block)


def ncid(person_id: np.ndarray) -> np.ndarray:
    """Two letters and six digits, scattered by an affine permutation so they do not follow person order."""
    scrambled = (person_id * 7_919_113 + 1_234_567) % (26 * 26 * 1_000_000)
    letters = np.array([a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])
    return np.char.add(letters[scrambled // 1_000_000], zfill((scrambled % 1_000_000).astype(str), 6))


def sos_voterid(person_id: np.ndarray) -> np.ndarray:
    scrambled = (person_id * 48_271 + 99_991) % 10_000_000_000
    return np.char.add("OH", zfill(scrambled.astype(str), 10))


def as_dates(day: np.ndarray) -> np.ndarray:
    return EPOCH + day.astype("timedelta64[D]")
