"""The workplace win model on the warehouse: P(union wins an organizing election at this site), trained on
marts.mart_election_training and scored on marts.mart_workplaces.

Label (docs/models.md): RC (union petition) and RM (employer petition) elections only; won = the union won the
unit's last decided tally, so a runoff or a rerun after objections counts by its final outcome, dated by that
tally (`outcome_known_on`). Elections still undecided (a runoff pending) are left out. RD (decertification)
elections ask whether a union keeps its majority, another question, and are left out.

Features are the workplace's as of the petition's filing date (the mart's point-in-time macro), plus static
facts of the site (its city; its industry once an OSHA inspection before the petition has recorded it).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from models.linear import Feature
from models.modelling import ModelSpec

ORGANIZING_CASE_TYPES = ("RC", "RM")

# NAICS 2-digit sectors (census.gov/naics), so an organizer reads "Health Care and Social Assistance", not "62".
NAICS_SECTORS = {
    "11": "agriculture", "21": "mining", "22": "utilities", "23": "construction", "31": "manufacturing",
    "32": "manufacturing", "33": "manufacturing", "42": "wholesale trade", "44": "retail", "45": "retail",
    "48": "transportation and warehousing", "49": "transportation and warehousing", "51": "information",
    "52": "finance and insurance", "53": "real estate", "54": "professional services", "55": "management",
    "56": "administrative and support services", "61": "education", "62": "health care and social assistance",
    "71": "arts and recreation", "72": "accommodation and food services", "81": "other services",
    "92": "public administration",
}

UNIT_SIZE = Feature(
    "unit_size", "count",
    "filing: the petitioned unit's size (its eligibility list, which rarely differs much); a site's size when scored",
    "a unit of {value:,} worker{s}", "unit size unknown", singular=True,
)
WIN_FEATURES: tuple[Feature, ...] = (
    UNIT_SIZE,
    Feature(
        "employer_petition", "flag", "filing: the employer filed the petition (RM) rather than the union (RC)",
        "an employer-filed (RM) petition", "petition type unknown", false_words="a union-filed (RC) petition",
    ),
    Feature(
        "osha_serious_willful_repeat_violations_5y", "count",
        "filing: serious, willful and repeat OSHA citation items issued in the 5 years before",
        "{value:,} serious, willful or repeat OSHA violation{s} in 5 years", "OSHA record unknown",
        zero_words="no serious OSHA violations in 5 years",
    ),
    Feature(
        "osha_inspections_5y", "count", "filing: OSHA inspections opened in the 5 years before",
        "{value:,} OSHA inspection{s} in 5 years", "OSHA record unknown", zero_words="no OSHA inspection in 5 years",
    ),
    Feature(
        "ulp_charges_at_workplace_3y", "count",
        "filing: unfair-labor-practice charges (CA) at the site filed in the 3 years before",
        "{value:,} unfair-labor-practice charge{s} at the site in 3 years", "ULP record unknown",
        zero_words="no unfair-labor-practice charges at the site in 3 years",
    ),
    Feature(
        "ulp_charges_against_employer_3y", "count",
        "filing: unfair-labor-practice charges (CA) against the employer at any site, filed in the 3 years before",
        "{value:,} unfair-labor-practice charge{s} against the employer in 3 years", "ULP record unknown",
        zero_words="no unfair-labor-practice charges against the employer in 3 years",
    ),
    Feature(
        "nlrb_petitions", "count", "filing: representation petitions at the site filed before",
        "{value:,} earlier petition{s} at the site", "petition history unknown",
        zero_words="no earlier petitions at the site",
    ),
    Feature(
        "nlrb_elections_won", "count", "filing: union wins at the site decided before",
        "{value:,} earlier union win{s} at the site", "election history unknown",
        zero_words="no earlier union wins at the site",
    ),
    Feature(
        "nlrb_elections_lost", "count", "filing: union losses at the site decided before",
        "{value:,} earlier election{s} lost at the site", "election history unknown",
        zero_words="no earlier elections lost at the site",
    ),
    Feature(
        "is_represented", "flag", "filing: a union win stood, or members had joined, at the site before",
        "a site already represented", "representation unknown", false_words="a site not yet represented",
    ),
    Feature(
        "contacts_known", "count", "filing: organizing contacts at the site first contacted before",
        "{value:,} organizing contact{s} known at the site", "contacts unknown",
        zero_words="no organizing contacts known at the site",
    ),
    Feature(
        "contact_registered_share", "number", "filing: share of those contacts registered to vote before",
        "{value:.0%} of known contacts registered to vote", "contacts' voter registration unknown",
    ),
    Feature(
        "contact_general_election_turnout", "number",
        "filing: those contacts' turnout in the general elections held before",
        "a {value:.0%} general-election turnout among known contacts", "contacts' turnout unknown",
    ),
    Feature("city", "category", "static: the site's city", "a site in {value}", "city unknown"),
    Feature(
        "industry", "category",
        "filing: the site's NAICS sector, once an OSHA inspection in the 5 years before recorded it ('unknown' before)",
        "the {value} industry", "industry unknown",
    ),
)
WIN_SPEC = ModelSpec(
    name="win_model",
    title="Workplace win model",
    key="election_unit_id",
    label="won",
    label_definition=(
        "RC and RM elections; 1 when the union won the unit's last decided tally (a runoff or rerun counts by "
        "its final outcome); undecided elections and RD (decertification) elections are left out"
    ),
    starts_on="petition_filed_on",
    known_on="outcome_known_on",
    split_definition=(
        "by time: the cutoff is the petition date leaving the latest quarter of petitions for the test; training "
        "rows were decided on or before the cutoff, test rows were filed after it"
    ),
    features=WIN_FEATURES,
    baseline=(UNIT_SIZE,),
    baseline_title="unit size only (logistic on log unit size)",
    identifiers=("workplace_id",),
)

# Columns read from the marts, by where they come from. Static site facts come from mart_workplaces.
_PETITION_FEATURES = [
    "osha_serious_willful_repeat_violations_5y", "osha_inspections_5y", "ulp_charges_at_workplace_3y",
    "ulp_charges_against_employer_3y", "nlrb_petitions", "nlrb_elections_won", "nlrb_elections_lost",
    "is_represented", "contacts_known", "contact_registered_share", "contact_general_election_turnout",
]


def _industry(naics_code: pd.Series, inspections_5y: pd.Series) -> pd.Series:
    """The site's NAICS sector in words, known only once an inspection in the 5 years before recorded it."""
    sector = naics_code.astype("string").str.slice(0, 2).map(NAICS_SECTORS)
    return sector.where(inspections_5y.fillna(0).to_numpy() > 0).astype("string")


def load_election_frame(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, dict]:
    """One row per decided RC/RM election with its point-in-time features; and counts of the rows left out."""
    petition_columns = ", ".join(f"elections.{column}" for column in _PETITION_FEATURES)
    elections = con.execute(
        f"""
        select
            elections.election_unit_id, elections.workplace_id, elections.case_type_code,
            elections.petition_filed_on, elections.last_tally_on as outcome_known_on,
            elections.union_won, elections.eligible_voters as unit_size, {petition_columns},
            workplaces.city, workplaces.naics_code
        from marts.mart_election_training as elections
        left join marts.mart_workplaces as workplaces using (workplace_id)
        order by elections.election_unit_id
        """
    ).df()
    organizing = elections["case_type_code"].isin(ORGANIZING_CASE_TYPES)
    decided = elections["union_won"].notna()
    counts = {
        "elections_in_mart": len(elections),
        "left_out_decertification": int((~organizing).sum()),
        "left_out_undecided": int((organizing & ~decided).sum()),
    }
    frame = elections[organizing & decided].copy()
    frame["won"] = frame["union_won"].astype(bool).astype(int)
    frame["employer_petition"] = frame["case_type_code"].eq("RM").astype(int)
    frame["industry"] = _industry(frame["naics_code"], frame["osha_inspections_5y"])
    for column in ("petition_filed_on", "outcome_known_on"):
        frame[column] = pd.to_datetime(frame[column])
    columns = sorted(WIN_SPEC.allowed_columns)
    return frame[columns].reset_index(drop=True), counts


def load_workplace_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The workplaces to score (not represented), features as of the mart's as-of date, as a union petition."""
    columns = ", ".join(_PETITION_FEATURES)
    workplaces = con.execute(
        f"""
        select workplace_id, as_of_date, workplace_size as unit_size, {columns}, city, naics_code
        from marts.mart_workplaces
        where not is_represented
        order by workplace_id
        """
    ).df()
    workplaces["employer_petition"] = 0
    workplaces["industry"] = _industry(workplaces["naics_code"], workplaces["osha_inspections_5y"])
    return workplaces.drop(columns=["naics_code"])
