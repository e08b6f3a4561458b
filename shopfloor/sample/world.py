"""The hidden world behind the sample files: employers, workplaces, people and events, with the rules that tie them.

Everything is numpy arrays indexed by workplace, person, inspection or election. Features that drive an outcome are
computed point-in-time (only events dated before the outcome's own date count), and every parameter lands in
_truth/rules.json.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from shopfloor.sample import names, vocab

EPOCH = np.datetime64("2000-01-01", "D")
AS_OF = np.datetime64("2025-06-30", "D")
LAST_DAY = AS_OF.astype(object)  # the same day, as a datetime.date: what `shopfloor demo` and the tests run as of
HORIZON = int((AS_OF - EPOCH).astype(int))  # days of history
FOIA_CUTOFF = np.datetime64("2021-12-01", "D")  # elections tallied before this go to the FOIA xlsx


@dataclass(frozen=True)
class Scale:
    voters: int  # registrants before the organizing committees' workers (committee_sizes) join the voter files
    workplaces: int
    members: int
    elections: int
    inspections: int
    ulp_charges: int
    block: int  # people generated per block (bounded memory)
    osha_chunk: int


SCALES = {
    "small": Scale(5_000, 2_000, 1_500, 1_700, 3_000, 1_200, 50_000, 100_000),
    "medium": Scale(100_000, 20_000, 20_000, 15_000, 60_000, 12_000, 100_000, 200_000),
    "state": Scale(8_500_000, 500_000, 150_000, 60_000, 5_000_000, 60_000, 125_000, 500_000),
}

# Rule parameters. ELECTION_RULE: logit of an RC/RM win, features as of the petition date.
ELECTION_RULE = {
    "intercept": 2.6,
    "log_unit_size": -0.75,
    "log1p_serious_osha_violations_5y": 0.8,
    "log1p_ulp_charges_3y": 0.9,
    "worker_voter_participation_minus_0_4": 3.5,
    "union_density_city": 8.0,
    "employer_has_represented_site": 0.9,
    "industry_effect": {ind[0]: ind[4] for ind in vocab.INDUSTRIES},
    "noise_sd": 0.9,
}
LEADER_RULE = {
    "intercept": -5.0,
    "tenure_years": 0.08,
    "classification_effect": {c[0]: c[2] for c in vocab.MEMBER_CLASSES},
    "log1p_grievances_filed": 0.9,
    "voter_propensity_if_registered": 1.6,
    "age_band_effect": {"<25": -0.8, "25-34": 0.0, "35-54": 0.4, "55+": 0.2},
    "noise_sd": 0.4,
}
# Organizing committees before a petition: workers per worker of the first petitioned unit, and their cap per site.
COMMITTEE_SHARE = 0.1
COMMITTEE_CAP = 10
GRIEVANCE_RULE = {"grievances_per_member": 1.2, "hot_supervisor_share": 0.12, "hot_supervisor_rate_multiplier": 6.0}
RD_UNION_KEEPS_PROBABILITY = 0.4


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# Gauss-Hermite nodes for E[sigmoid(z + e)], e ~ N(0, sd^2): 40 nodes hold the error below 1e-9 for the rules' sds.
_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(40)


def expected_sigmoid(z: np.ndarray, sd: float) -> np.ndarray:
    """P(outcome | world) when the outcome is Bernoulli(sigmoid(z + e)) and e ~ N(0, sd^2) is drawn once per outcome
    and used nowhere else: the probability the world determines, which no data can sharpen."""
    weights = _HERMITE_WEIGHTS / _HERMITE_WEIGHTS.sum()
    return sigmoid(np.asarray(z, dtype=float)[:, None] + sd * _HERMITE_NODES[None, :]) @ weights


def zfill(values, width: int) -> np.ndarray:
    """np.char.zfill that also takes an empty array."""
    values = np.asarray(values).astype(str)
    return np.char.zfill(values, width) if values.size else values


def workplace_ids(index: np.ndarray) -> np.ndarray:
    return np.char.add("W", zfill(np.asarray(index).astype(str), 7))


def days(dates: np.ndarray) -> np.ndarray:
    """Day offsets -> datetime64[D]."""
    return EPOCH + dates.astype("timedelta64[D]")


@dataclass
class World:
    scale: Scale
    seed: int
    # employers
    emp_name: list[str]
    emp_suffix: list[str]
    emp_dba: list[str]
    emp_industry: np.ndarray
    # workplaces
    wp_employer: np.ndarray
    wp_city: np.ndarray
    wp_house: np.ndarray
    wp_street: np.ndarray
    wp_suffix: np.ndarray
    wp_zip: np.ndarray
    wp_size: np.ndarray
    wp_store: np.ndarray
    wp_civic: np.ndarray
    wp_hazard: np.ndarray
    wp_represented: np.ndarray
    wp_local: np.ndarray
    wp_density: np.ndarray
    wp_affiliated: np.ndarray
    wp_osha_names: list[list[str]]
    wp_nlrb_names: list[list[str]]
    wp_union_names: list[list[str]]
    wp_worksite_names: list[list[str]]
    # people with a workplace: members first, then coworkers; residents follow and live only in blocks
    n_members: int
    n_coworkers: int
    n_people: int
    person_wp: np.ndarray
    person_city: np.ndarray
    person_registered: np.ndarray
    person_propensity: np.ndarray
    # OSHA inspection skeleton
    insp_wp: np.ndarray
    insp_open: np.ndarray
    insp_issue: np.ndarray
    insp_type: np.ndarray
    insp_nviol: np.ndarray
    insp_nserious: np.ndarray
    # unfair-labour-practice charges (C cases)
    ulp_wp: np.ndarray
    ulp_day: np.ndarray
    ulp_against_union: np.ndarray
    ulp_case: np.ndarray
    # elections (one row per case unit)
    el_wp: np.ndarray
    el_case: np.ndarray
    el_unit: np.ndarray
    el_type: np.ndarray
    el_petition: np.ndarray
    el_tally: np.ndarray
    el_unit_size: np.ndarray
    el_union: np.ndarray
    el_true_prob: np.ndarray  # P(won | world): the noise term averaged out (expected_sigmoid)
    el_won: np.ndarray
    el_features: dict[str, np.ndarray]
    # members
    member_no: np.ndarray
    member_class: np.ndarray
    member_hire: np.ndarray
    member_join: np.ndarray
    member_status: np.ndarray
    member_dues: np.ndarray
    member_dnc: np.ndarray
    member_leader_true_prob: np.ndarray  # P(leader | world), as el_true_prob
    member_leader: np.ndarray
    member_steward: np.ndarray
    member_committee: np.ndarray
    # grievances
    sup_wp: np.ndarray
    sup_hot: np.ndarray
    sup_name: list[str]
    gr_member: np.ndarray
    gr_sup: np.ndarray
    gr_filed: np.ndarray
    gr_category: np.ndarray

    @property
    def n_workplaces(self) -> int:
        return len(self.wp_employer)


def _employers(rng: np.random.Generator, rnd: random.Random, n_workplaces: int):
    """Chains with many stores plus independents with one to a few sites; returns employer and site arrays."""
    n_chain_sites = int(0.2 * n_workplaces)
    chain_of_site = rng.integers(0, len(vocab.CHAINS), n_chain_sites)
    sites_left = n_workplaces - n_chain_sites
    per_employer = rng.geometric(0.65, sites_left)  # more than enough employers
    cum = np.cumsum(per_employer)
    n_indep = int(np.searchsorted(cum, sites_left) + 1)
    per_employer = per_employer[:n_indep]
    per_employer[-1] -= cum[n_indep - 1] - sites_left
    indep_of_site = np.repeat(np.arange(n_indep), per_employer)

    emp_name, emp_suffix, emp_dba, emp_industry = [], [], [], []
    industry_index = {ind[0]: i for i, ind in enumerate(vocab.INDUSTRIES)}
    for chain, industry, brand in vocab.CHAINS:
        emp_name.append(chain)
        emp_suffix.append(rnd.choice(("Inc.", "LLC", "Corp.")))
        emp_dba.append(brand)
        emp_industry.append(industry_index[industry])
    industries = rng.integers(0, len(vocab.INDUSTRIES), n_indep)
    pattern = rng.random(n_indep)
    seen: set[str] = set(emp_name)
    for i in range(n_indep):
        ind = vocab.INDUSTRIES[industries[i]]
        noun = rnd.choice(ind[5])
        if pattern[i] < 0.45:
            base = f"{rnd.choice(vocab.BRAND_WORDS)} {noun}"
        elif pattern[i] < 0.8:
            base = f"{rnd.choice(vocab.LAST_NAMES).title()} {noun}"
        else:
            base = f"{rnd.choice(vocab.LAST_NAMES).title()} & {rnd.choice(vocab.LAST_NAMES).title()} {noun}"
        while base in seen:
            base = f"{rnd.choice(vocab.BRAND_WORDS)} {rnd.choice(vocab.LAST_NAMES).title()} {noun}"
        seen.add(base)
        emp_name.append(base)
        emp_suffix.append(rnd.choice(vocab.LEGAL_SUFFIXES))
        emp_dba.append(f"{rnd.choice(vocab.BRAND_WORDS)} {noun}" if rnd.random() < 0.12 else "")
        emp_industry.append(int(industries[i]))
    site_employer = np.concatenate([chain_of_site, indep_of_site + len(vocab.CHAINS)])
    return emp_name, emp_suffix, emp_dba, np.array(emp_industry, dtype=np.int16), site_employer.astype(np.int32)


def _point_in_time_sum(event_wp, event_day, weight, query_wp, query_day, window):
    """For each query: sum of weight over events at the same workplace dated in [query_day - window, query_day)."""
    key = event_wp.astype(np.int64) * 100_000 + event_day
    order = np.argsort(key, kind="stable")
    key = key[order]
    cum = np.concatenate([[0], np.cumsum(weight[order], dtype=np.int64)])
    base = query_wp.astype(np.int64) * 100_000
    hi = np.searchsorted(key, base + query_day, side="left")
    lo = np.searchsorted(key, base + np.maximum(query_day - window, 0), side="left")
    return cum[hi] - cum[lo]


def committee_sizes(el_wp: np.ndarray, el_petition: np.ndarray, el_unit_size: np.ndarray,
                    n_workplaces: int) -> tuple[np.ndarray, np.ndarray]:
    """Per workplace, the organizing committee the union has before the site's first petition (COMMITTEE_SHARE of
    that unit, at least one worker, at most COMMITTEE_CAP; 0 where no election was held) and that petition's day."""
    by_site = np.lexsort((el_petition, el_wp))
    first_of_site = by_site[np.r_[True, np.diff(el_wp[by_site]) != 0]]
    size = np.zeros(n_workplaces, dtype=np.int64)
    size[el_wp[first_of_site]] = np.clip(np.ceil(el_unit_size[first_of_site] * COMMITTEE_SHARE), 1, COMMITTEE_CAP)
    petition = np.zeros(n_workplaces, dtype=np.int64)
    petition[el_wp[first_of_site]] = el_petition[first_of_site]
    return size, petition


def _coworker_habits(rng: np.random.Generator, coworker_wp: np.ndarray, wp_city: np.ndarray, wp_civic: np.ndarray,
                     city_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Home city, voting propensity and registration of coworkers drawn for committees, as the sample's others."""
    n = len(coworker_wp)
    lives_near = rng.random(n) < 0.85
    city = np.where(lives_near, wp_city[coworker_wp],
                    rng.choice(len(vocab.CITIES), n, p=city_weights / city_weights.sum())).astype(np.int16)
    propensity = np.clip(wp_civic[coworker_wp] + rng.normal(0, 0.15, n), 0.02, 0.98)
    registered = rng.random(n) < np.clip(wp_civic[coworker_wp] + 0.35, 0, 0.97)
    return city, propensity, registered


def build_world(scale_name: str, seed: int) -> World:
    scale = SCALES[scale_name]
    rng = np.random.default_rng([seed, 1])
    rnd = random.Random(seed)
    W = scale.workplaces

    emp_name, emp_suffix, emp_dba, emp_industry, wp_employer = _employers(rng, rnd, W)
    wp_industry = emp_industry[wp_employer]
    city_weights = np.array([c[4] for c in vocab.CITIES], dtype=float)
    wp_city = rng.choice(len(vocab.CITIES), W, p=city_weights / city_weights.sum()).astype(np.int16)
    wp_house = rng.integers(100, 9900, W)
    wp_street = rng.integers(0, len(vocab.STREET_NAMES), W).astype(np.int16)
    wp_suffix = rng.integers(0, len(vocab.STREET_SUFFIXES), W).astype(np.int16)
    wp_zip = rng.integers(0, 100, W).astype(np.int16)
    big = np.isin(wp_industry, [i for i, ind in enumerate(vocab.INDUSTRIES) if ind[0] in ("hospital", "university")])
    wp_size = np.clip(np.round(np.exp(rng.normal(np.log(60) + 1.2 * big, 0.9))), 5, 8000).astype(np.int32)
    is_chain = wp_employer < len(vocab.CHAINS)
    wp_store = np.where(is_chain, rng.integers(1000, 9999, W), 0).astype(np.int32)
    wp_civic = rng.beta(2.0, 3.0, W)
    industry_hazard = np.array([ind[3] for ind in vocab.INDUSTRIES])
    wp_hazard = industry_hazard[wp_industry] * rng.gamma(1.5, 1 / 1.5, W)

    # The sample union represents a set of workplaces; its members work there.
    n_rep = max(20, scale.members // 25)
    rep_weight = np.sqrt(wp_size.astype(float))
    rep_idx = np.sort(rng.choice(W, n_rep, replace=False, p=rep_weight / rep_weight.sum()))
    wp_represented = np.zeros(W, dtype=bool)
    wp_represented[rep_idx] = True
    wp_local = np.full(W, -1, dtype=np.int16)
    wp_local[rep_idx] = rng.integers(0, len(vocab.UNION_LOCALS), n_rep)
    members_per_rep = rng.multinomial(scale.members, wp_size[rep_idx] / wp_size[rep_idx].sum())
    wp_size[rep_idx] = np.maximum(wp_size[rep_idx], np.ceil(members_per_rep * 1.4)).astype(np.int32)
    member_wp = np.repeat(rep_idx, members_per_rep).astype(np.int32)

    # Density: share of workplaces in the city the union represents; affiliated: employer has a represented site.
    city_rep = np.bincount(wp_city, weights=wp_represented, minlength=len(vocab.CITIES))
    city_all = np.bincount(wp_city, minlength=len(vocab.CITIES))
    wp_density = (city_rep / np.maximum(city_all, 1))[wp_city]
    emp_rep = np.bincount(wp_employer, weights=wp_represented, minlength=len(emp_name)) > 0
    wp_affiliated = emp_rep[wp_employer] & ~wp_represented

    # Per-workplace spellings, drawn once and picked per record.
    wp_osha_names, wp_nlrb_names, wp_union_names, wp_worksite_names = [], [], [], []
    for w in range(W):
        e = wp_employer[w]
        base, suffix, dba = emp_name[e], emp_suffix[e], emp_dba[e]
        store = int(wp_store[w])
        wp_osha_names.append([names.osha_name(base, suffix, dba, store, rnd) for _ in range(3)])
        city = vocab.CITIES[wp_city[w]][0]
        wp_nlrb_names.append([names.nlrb_name(base, suffix, dba, city, rnd) for _ in range(2)])
        if wp_represented[w]:
            noun = vocab.INDUSTRIES[wp_industry[w]][5][0]
            wp_union_names.append([names.union_name(base, dba, rnd) for _ in range(3)])
            wp_worksite_names.append([names.worksite_name(city, vocab.STREET_NAMES[wp_street[w]], store, noun, rnd)
                                      for _ in range(2)])
        else:
            wp_union_names.append([])
            wp_worksite_names.append([])

    # Coworkers in the voter file: a sample of workers at workplaces, more at represented ones.
    n_coworkers_target = int(scale.voters * 0.3)
    cw_weight = np.sqrt(wp_size.astype(float)) * np.where(wp_represented, 3.0, 1.0)
    coworker_wp = np.sort(rng.choice(W, n_coworkers_target, p=cw_weight / cw_weight.sum())).astype(np.int32)
    person_wp = np.concatenate([member_wp, coworker_wp])
    n_members, n_coworkers = len(member_wp), len(coworker_wp)
    n_work = n_members + n_coworkers
    lives_near = rng.random(n_work) < 0.85
    person_city = np.where(lives_near, wp_city[person_wp],
                           rng.choice(len(vocab.CITIES), n_work, p=city_weights / city_weights.sum())).astype(np.int16)
    person_propensity = np.clip(wp_civic[person_wp] + rng.normal(0, 0.15, n_work), 0.02, 0.98)
    person_registered = np.concatenate([rng.random(n_members) < 0.75,
                                        rng.random(n_coworkers) < np.clip(wp_civic[coworker_wp] + 0.35, 0, 0.97)])
    # The scale's voter count before organizing committees join below: residents fill it up.
    n_residents = max(scale.voters - int(person_registered.sum()), 0)

    # OSHA inspections: more at hazardous, larger workplaces; violations per inspection follow the hazard.
    I = scale.inspections
    insp_weight = wp_hazard * np.sqrt(wp_size)
    insp_wp = rng.choice(W, I, p=insp_weight / insp_weight.sum()).astype(np.int32)
    insp_open = np.sort(rng.integers(0, HORIZON, I)).astype(np.int32)
    insp_type = rng.choice(np.array(list("ABCDFGHIJKLM")), I,
                           p=[0.08, 0.22, 0.12, 0.01, 0.05, 0.05, 0.3, 0.05, 0.04, 0.04, 0.02, 0.02])
    insp_issue = insp_open + rng.integers(20, 180, I).astype(np.int32)
    insp_nviol = rng.poisson(np.clip(0.75 * wp_hazard[insp_wp] + 0.75, 0, 8)).astype(np.int16)
    insp_nviol[insp_issue > HORIZON] = 0  # citations not issued by the as-of date are not in the data yet
    insp_nserious = rng.binomial(insp_nviol, np.clip(0.35 + 0.15 * wp_hazard[insp_wp], 0, 0.9)).astype(np.int16)

    # ULP charges against employers (some against the union at represented sites), before any election.
    U = scale.ulp_charges
    ulp_weight = np.sqrt(wp_size) * (0.3 + wp_civic) * (1 + wp_represented)
    ulp_wp = rng.choice(W, U, p=ulp_weight / ulp_weight.sum()).astype(np.int32)
    ulp_day = rng.integers(0, HORIZON, U).astype(np.int32)
    ulp_against_union = wp_represented[ulp_wp] & (rng.random(U) < 0.2)

    # Elections: petitions at many workplaces, one for most, more for a few; ~3% of cases hold a second unit.
    E = scale.elections
    el_weight = wp_size.astype(float) ** 0.3 * (0.5 + wp_civic)
    el_wp = rng.choice(W, E, p=el_weight / el_weight.sum()).astype(np.int32)
    el_petition = np.sort(rng.integers(200, HORIZON - 300, E)).astype(np.int32)  # every tally before as-of
    el_tally = el_petition + rng.integers(25, 110, E).astype(np.int32)
    el_type = np.where(wp_represented[el_wp], "RD", np.where(rng.random(E) < 0.07, "RM", "RC"))
    second_unit = rng.random(E) < 0.03
    second_unit[0] = False
    second_unit[1:] &= ~second_unit[:-1].copy()
    for arr in (el_wp, el_petition, el_tally, el_type):
        arr[1:][second_unit[1:]] = arr[:-1][second_unit[1:]]
    el_unit = np.where(second_unit, "B", "A")
    el_unit_size = np.maximum(2, np.round(wp_size[el_wp] * rng.uniform(0.2, 1.0, E))).astype(np.int32)

    serious_5y = _point_in_time_sum(insp_wp, insp_issue, insp_nserious, el_wp, el_petition, 5 * 365)
    employer_charges = ~ulp_against_union
    ulp_3y = _point_in_time_sum(ulp_wp[employer_charges], ulp_day[employer_charges],
                                np.ones(employer_charges.sum(), dtype=np.int64), el_wp, el_petition, 3 * 365)
    r = ELECTION_RULE
    industry_effect = np.array([ind[4] for ind in vocab.INDUSTRIES])[wp_industry[el_wp]]
    rule_z = (r["intercept"] + r["log_unit_size"] * np.log(el_unit_size)
              + r["log1p_serious_osha_violations_5y"] * np.log1p(serious_5y)
              + r["log1p_ulp_charges_3y"] * np.log1p(ulp_3y)
              + r["worker_voter_participation_minus_0_4"] * (wp_civic[el_wp] - 0.4)
              + r["union_density_city"] * wp_density[el_wp]
              + r["employer_has_represented_site"] * wp_affiliated[el_wp]
              + industry_effect)
    el_noise = rng.normal(0, r["noise_sd"], E)
    el_won = rng.random(E) < np.where(el_type == "RD", RD_UNION_KEEPS_PROBABILITY, sigmoid(rule_z + el_noise))
    el_true_prob = np.where(el_type == "RD", RD_UNION_KEEPS_PROBABILITY, expected_sigmoid(rule_z, r["noise_sd"]))
    el_union = np.where(wp_represented[el_wp] | (rng.random(E) < 0.35), -1,
                        rng.integers(0, len(vocab.OTHER_UNIONS), E)).astype(np.int16)
    el_features = {
        "log_unit_size": np.log(el_unit_size), "serious_osha_violations_5y": serious_5y, "ulp_charges_3y": ulp_3y,
        "worker_voter_participation": wp_civic[el_wp], "union_density_city": wp_density[el_wp],
        "employer_has_represented_site": wp_affiliated[el_wp],
        "industry": np.array([vocab.INDUSTRIES[i][0] for i in wp_industry[el_wp]]),
    }

    # Organizing committees: before its first petition the union knows some workers at every election site. Where
    # the voter-file sample holds fewer coworkers there than the committee needs, more are drawn, from their own
    # stream, so every draw above and below stays as it was.
    committee, _ = committee_sizes(el_wp, el_petition, el_unit_size, W)
    shortfall = np.maximum(committee - np.bincount(coworker_wp, minlength=W), 0)
    committee_rng = np.random.default_rng([seed, 1, 1])
    extra_wp = np.repeat(np.arange(W, dtype=np.int32), shortfall)
    extra_city, extra_propensity, extra_registered = _coworker_habits(committee_rng, extra_wp, wp_city, wp_civic,
                                                                      city_weights)
    person_wp = np.concatenate([person_wp, extra_wp])
    person_city = np.concatenate([person_city, extra_city])
    person_propensity = np.concatenate([person_propensity, extra_propensity])
    person_registered = np.concatenate([person_registered, extra_registered])
    n_coworkers += len(extra_wp)
    n_people = n_members + n_coworkers + n_residents

    # Case numbers (region-type-number) rise with the filing date across R and C cases alike.
    new_case = ~second_unit
    filed = np.concatenate([el_petition[new_case], ulp_day])
    rank = np.empty(len(filed), dtype=np.int64)
    rank[np.argsort(filed, kind="stable")] = np.arange(len(filed))
    step = max(300_000 // len(filed), 1)
    numbers = 20_000 + rank * step + rng.integers(0, step, len(filed))
    el_number = np.repeat(numbers[: new_case.sum()], np.diff(np.append(np.flatnonzero(new_case), E)))
    ulp_number = numbers[new_case.sum():]
    region_of = np.array([vocab.NLRB_REGIONS[c[1]][0] for c in vocab.CITIES])
    el_case = np.char.add(np.char.add(np.char.add(region_of[wp_city[el_wp]], "-"), el_type),
                          np.char.add("-", el_number.astype(str)))
    ulp_type = np.where(ulp_against_union, "CB", "CA")
    ulp_case = np.char.add(np.char.add(np.char.add(region_of[wp_city[ulp_wp]], "-"), ulp_type),
                           np.char.add("-", ulp_number.astype(str)))

    # Members: hire and join dates, classification, status.
    M = n_members
    perm = rng.permutation(900_000)[:M]
    member_no = (100_000 + perm).astype(np.int64)
    class_p = np.array([c[1] for c in vocab.MEMBER_CLASSES])
    member_class = rng.choice(len(vocab.MEMBER_CLASSES), M, p=class_p / class_p.sum()).astype(np.int16)
    member_hire = rng.integers(-15 * 365, HORIZON - 60, M).astype(np.int32)
    member_join = np.minimum(member_hire + rng.exponential(200, M).astype(np.int32), HORIZON - 1)
    status_p = np.array([s[1] for s in vocab.MEMBER_STATUS])
    member_status = rng.choice(len(vocab.MEMBER_STATUS), M, p=status_p).astype(np.int16)
    dues_p = np.array([d[1] for d in vocab.DUES_STATUS])
    member_dues = rng.choice(len(vocab.DUES_STATUS), M, p=dues_p).astype(np.int16)
    member_dnc = rng.random(M) < 0.03

    # Grievances: supervisors per represented site; hot supervisors draw many more.
    g = GRIEVANCE_RULE
    members_at = np.bincount(member_wp, minlength=W)
    n_sup = np.clip(2 + members_at[rep_idx] // 15, 2, 12)
    sup_wp = np.repeat(rep_idx, n_sup).astype(np.int32)
    sup_hot = rng.random(len(sup_wp)) < g["hot_supervisor_share"]
    sup_name = [f"{rnd.choice(vocab.FIRST_MALE + vocab.FIRST_FEMALE).title()} "
                f"{rnd.choice(vocab.LAST_NAMES).title()}" for _ in range(len(sup_wp))]
    hot_multiplier = np.where(sup_hot, g["hot_supervisor_rate_multiplier"], 1.0)
    sup_weight = members_at[sup_wp] / np.repeat(n_sup, n_sup) * hot_multiplier
    G = int(g["grievances_per_member"] * M)
    gr_sup = rng.choice(len(sup_wp), G, p=sup_weight / sup_weight.sum()).astype(np.int32)
    member_order = np.argsort(member_wp, kind="stable")
    first_member = np.searchsorted(member_wp[member_order], sup_wp[gr_sup], side="left")
    gr_member = member_order[first_member + (rng.random(G) * members_at[sup_wp[gr_sup]]).astype(np.int64)]
    start = np.clip(member_join[gr_member], 0, HORIZON - 2)
    gr_filed = (start + rng.random(G) * (HORIZON - start)).astype(np.int32)
    cat_p_hot = np.array([0.45, 0.15, 0.1, 0.1, 0.1, 0.1])
    cat_p = np.array([0.2, 0.2, 0.15, 0.15, 0.15, 0.15])
    hot = sup_hot[gr_sup]
    gr_category = np.where(hot, rng.choice(6, G, p=cat_p_hot), rng.choice(6, G, p=cat_p)).astype(np.int16)
    order = np.argsort(gr_filed, kind="stable")
    gr_sup, gr_member, gr_filed, gr_category = gr_sup[order], gr_member[order], gr_filed[order], gr_category[order]

    # Leaders: logistic of tenure, classification, grievances filed, voting propensity and age band.
    lr = LEADER_RULE
    griev_count = np.bincount(gr_member, minlength=M)
    birth_year = people_birth_years(seed, 0, M, scale.block)
    age = 2025 - birth_year
    band = np.select([age < 25, age < 35, age < 55], ["<25", "25-34", "35-54"], "55+")
    class_effect = np.array([c[2] for c in vocab.MEMBER_CLASSES])[member_class]
    tenure = (HORIZON - member_join) / 365.25
    leader_z = (lr["intercept"] + lr["tenure_years"] * tenure + class_effect
                + lr["log1p_grievances_filed"] * np.log1p(griev_count)
                + lr["voter_propensity_if_registered"] * person_propensity[:M] * person_registered[:M]
                + np.vectorize(lr["age_band_effect"].get)(band))
    leader_noise = rng.normal(0, lr["noise_sd"], M)
    member_leader = rng.random(M) < sigmoid(leader_z + leader_noise)
    member_leader_true_prob = expected_sigmoid(leader_z, lr["noise_sd"])
    steward_draw = rng.random(M)
    member_steward = member_leader & (steward_draw < 0.65)
    member_committee = member_leader & (steward_draw >= 0.45)

    return World(
        scale=scale, seed=seed, emp_name=emp_name, emp_suffix=emp_suffix, emp_dba=emp_dba,
        emp_industry=emp_industry, wp_employer=wp_employer, wp_city=wp_city, wp_house=wp_house,
        wp_street=wp_street, wp_suffix=wp_suffix, wp_zip=wp_zip, wp_size=wp_size, wp_store=wp_store,
        wp_civic=wp_civic, wp_hazard=wp_hazard, wp_represented=wp_represented, wp_local=wp_local,
        wp_density=wp_density, wp_affiliated=wp_affiliated, wp_osha_names=wp_osha_names,
        wp_nlrb_names=wp_nlrb_names, wp_union_names=wp_union_names, wp_worksite_names=wp_worksite_names,
        n_members=n_members, n_coworkers=n_coworkers, n_people=n_people, person_wp=person_wp,
        person_city=person_city, person_registered=person_registered, person_propensity=person_propensity,
        insp_wp=insp_wp, insp_open=insp_open, insp_issue=insp_issue, insp_type=insp_type, insp_nviol=insp_nviol,
        insp_nserious=insp_nserious, ulp_wp=ulp_wp, ulp_day=ulp_day,
        ulp_against_union=ulp_against_union, ulp_case=ulp_case,
        el_wp=el_wp, el_case=el_case, el_unit=el_unit, el_type=el_type, el_petition=el_petition, el_tally=el_tally,
        el_unit_size=el_unit_size, el_union=el_union, el_true_prob=el_true_prob, el_won=el_won, el_features=el_features,
        member_no=member_no, member_class=member_class, member_hire=member_hire, member_join=member_join,
        member_status=member_status, member_dues=member_dues, member_dnc=member_dnc,
        member_leader_true_prob=member_leader_true_prob, member_leader=member_leader, member_steward=member_steward,
        member_committee=member_committee, sup_wp=sup_wp, sup_hot=sup_hot, sup_name=sup_name, gr_member=gr_member,
        gr_sup=gr_sup, gr_filed=gr_filed, gr_category=gr_category,
    )


def people_birth_years(seed: int, lo: int, hi: int, block: int) -> np.ndarray:
    """Birth years of people lo..hi-1, identical to what their voter-file block draws."""
    from shopfloor.sample.people import person_block

    parts = []
    for b in range(lo // block, (hi - 1) // block + 1):
        start = b * block
        years = person_block(seed, b, block)["birth_day"]
        parts.append(days(years).astype("datetime64[Y]").astype(int)[max(lo - start, 0): hi - start] + 1970)
    return np.concatenate(parts)
