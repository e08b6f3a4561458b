"""Election features that any source (the FOIA file, the warehouse) can compute the same way.

Everything here is point-in-time: a row only sees what was public on its petition's filing date.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# First match wins, so locals that name two bodies (e.g. "1199SEIU ... AFSCME") take the more specific one.
AFFILIATION_PATTERNS: list[tuple[str, str]] = [
    ("SEIU", r"\bSEIU\b|SERVICE EMPLOYEES|1199"),
    ("Teamsters", r"TEAMSTER|\bIBT\b|BROTHERHOOD OF TEAMSTERS"),
    ("UFCW", r"FOOD AND COMMERCIAL|FOOD & COMMERCIAL|\bUFCW\b"),
    ("UAW", r"\bUAW\b|AUTOMOBILE,? AEROSPACE"),
    ("IAM", r"MACHINISTS|\bIAM\b"),
    ("IBEW", r"ELECTRICAL WORKERS|\bIBEW\b"),
    ("IUOE", r"OPERATING ENGINEERS|\bIUOE\b"),
    ("CWA", r"COMMUNICATIONS WORKERS|\bCWA\b|NEWSPAPER GUILD|NEWSGUILD|\bIUE\b"),
    ("USW", r"STEELWORKERS|UNITED STEEL|\bUSW\b"),
    ("AFSCME", r"AFSCME|STATE,? COUNTY,? AND MUNICIPAL"),
    ("AFT", r"FEDERATION OF TEACHERS|\bAFT\b"),
    ("NNU", r"NURSES UNITED|CALIFORNIA NURSES|\bNNU\b|\bNNOC\b"),
    ("Nurses association", r"NURSES|NURSING"),
    ("NUHW", r"NATIONAL UNION OF HEALTHCARE WORKERS|\bNUHW\b"),
    ("SPFPA", r"SECURITY,? POLICE,? AND FIRE|\bSPFPA\b"),
    ("LEOSU", r"LAW ENFORCEMENT OFFICERS|\bLEOSU\b"),
    ("UNITE HERE", r"UNITE HERE|HOTEL EMPLOYEES"),
    ("Workers United", r"WORKERS UNITED|\bRWDSU\b|RETAIL,? WHOLESALE"),
    ("Carpenters", r"CARPENTERS"),
    ("Laborers", r"LABORERS|\bLIUNA\b"),
    ("UA plumbers", r"PLUMBERS|PIPEFITTERS|PIPE FITTERS|SPRINKLER|\bU\.A\.|\bUA\b"),
    ("Painters", r"PAINTERS|\bIUPAT\b"),
    ("SMART", r"SHEET METAL|\bSMART\b|TRANSPORTATION DIVISION"),
    ("Ironworkers", r"IRON ?WORKERS"),
    ("IATSE", r"THEATRICAL STAGE|\bIATSE\b|\bI\.A\.T\.S\.E\b"),
    ("ATU", r"AMALGAMATED TRANSIT|\bATU\b"),
    ("TWU", r"TRANSPORT WORKERS|\bTWU\b"),
    ("Musicians", r"MUSICIANS"),
    ("Boilermakers", r"BOILERMAKERS"),
    ("Bakery workers", r"BAKERY"),
    ("Guard union, other", r"GUARD|SECURITY OFFICERS|SECURITY PROFESSIONALS|PROTECTIVE"),
]
_COMPILED = [(name, re.compile(pattern)) for name, pattern in AFFILIATION_PATTERNS]

_LEGAL_SUFFIXES = re.compile(r"\b(INC|INCORPORATED|LLC|L L C|LLP|LP|CORP|CORPORATION|CO|COMPANY|LTD|PC|PLLC)\b")


def union_affiliation(name: object) -> str:
    """A petitioner's national affiliation from its free-text name ("SEIU Local 32BJ" -> "SEIU")."""
    if not isinstance(name, str) or not name.strip():
        return "none"
    upper = name.upper()
    for affiliation, pattern in _COMPILED:
        if pattern.search(upper):
            return affiliation
    return "independent/other"


def name_key(name: object) -> str:
    """An employer's or a local's name folded for matching across cases: upper case, no punctuation or suffixes."""
    if not isinstance(name, str):
        return ""
    folded = re.sub(r"[^A-Z0-9 ]+", " ", name.upper())
    folded = _LEGAL_SUFFIXES.sub(" ", folded)
    return " ".join(folded.split())


def _earlier_counts(keys: pd.Series, past_dates: pd.Series, weights: pd.Series, as_of: pd.Series) -> np.ndarray:
    """Per row: sum of `weights` over rows with the same key whose `past_dates` are strictly before its `as_of`."""
    key_codes = pd.factorize(keys)[0].astype(np.int64)
    # One sorted axis of (key, day): a row's earlier same-key events lie between its key's block
    # start and its own query point.
    stride = np.int64(10**7)
    past = key_codes * stride + past_dates.to_numpy("datetime64[D]").astype(np.int64)
    query = key_codes * stride + as_of.to_numpy("datetime64[D]").astype(np.int64)
    order = np.argsort(past, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(weights.to_numpy(dtype=float)[order])])
    sorted_past = past[order]
    block_start = np.searchsorted(sorted_past, key_codes * stride - stride // 2, side="left")
    seen_end = np.searchsorted(sorted_past, query, side="left")
    return cumulative[seen_end] - cumulative[block_start]


def add_history_features(
    elections: pd.DataFrame,
    *,
    filed_date: str = "filed_date",
    event_date: str = "event_date",
    label: str = "won",
    prior_strength: float = 10.0,
) -> pd.DataFrame:
    """Point-in-time history of the employer and the union, as of each petition's filing date.

    - employer_prior_petitions: petitions against the same employer filed strictly earlier.
    - employer_prior_wins: union wins at that employer tallied strictly before this filing.
    - union_prior_elections / union_prior_win_rate: the affiliation's elections tallied strictly before
      this filing, and its win rate shrunk toward the all-union rate of those same earlier tallies
      (`prior_strength` pseudo-elections), so a union with two past elections is not scored 0% or 100%.
    - local_prior_elections / local_prior_win_rate: the same for the petitioning local (`union_key`),
      shrunk toward its affiliation's rate.
    Outcomes enter only once tallied before the filing date, as an organizer would have read them then.
    """
    keys = elections[["employer_key", "union_key", "union_affiliation"]]
    if keys.isna().any().any() or keys.eq("").any().any():
        raise ValueError("employer_key, union_key and union_affiliation must be filled before history features")
    frame = elections.copy()
    ones = pd.Series(1.0, index=frame.index)
    wins = frame[label].astype(float)
    everyone = pd.Series("all", index=frame.index)
    filed, tallied = frame[filed_date], frame[event_date]
    frame["employer_prior_petitions"] = _earlier_counts(frame["employer_key"], filed, ones, filed)
    frame["employer_prior_wins"] = _earlier_counts(frame["employer_key"], tallied, wins, filed)
    all_count = _earlier_counts(everyone, tallied, ones, filed)
    all_wins = _earlier_counts(everyone, tallied, wins, filed)
    # Before any tally is known there is no rate to shrink toward; 0.5 is the uninformed prior.
    all_rate = np.where(all_count > 0, all_wins / np.maximum(all_count, 1), 0.5)
    union_count = _earlier_counts(frame["union_affiliation"], tallied, ones, filed)
    union_wins = _earlier_counts(frame["union_affiliation"], tallied, wins, filed)
    frame["union_prior_elections"] = union_count
    frame["union_prior_win_rate"] = (union_wins + prior_strength * all_rate) / (union_count + prior_strength)
    local_count = _earlier_counts(frame["union_key"], tallied, ones, filed)
    local_wins = _earlier_counts(frame["union_key"], tallied, wins, filed)
    frame["local_prior_elections"] = local_count
    local_prior = prior_strength * frame["union_prior_win_rate"]
    frame["local_prior_win_rate"] = (local_wins + local_prior) / (local_count + prior_strength)
    return frame
