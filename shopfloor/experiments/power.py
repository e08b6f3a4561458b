"""Power for a binary outcome, arms of equal size, each treatment arm compared with control.

Normal approximation for two proportions (Fleiss, Levin & Paik 2003, eq. 4.14 without continuity correction):

    n per arm = (z_{1-a/2} + z_{1-b})^2 * (p0 (1 - p0) + p1 (1 - p1)) / (p1 - p0)^2

with p0 the control (base) rate and p1 = p0 + effect. With Bonferroni, a is divided by the number of
treatment arms. The minimum detectable effect (MDE) solves the same equation for p1 > p0.
"""

from __future__ import annotations

import argparse
import math
import sys

from scipy.optimize import brentq
from scipy.stats import norm


def _z_sum(arms: int, alpha: float, power: float, bonferroni: bool) -> float:
    if arms < 2:
        raise ValueError("an experiment needs at least two arms (one of them control)")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be between 0 and 1")
    comparisons = arms - 1 if bonferroni else 1
    return norm.ppf(1 - alpha / (2 * comparisons)) + norm.ppf(power)


def _exact_n_per_arm(effect: float, base_rate: float, z_sum: float) -> float:
    treated_rate = base_rate + effect
    variance = base_rate * (1 - base_rate) + treated_rate * (1 - treated_rate)
    return z_sum**2 * variance / effect**2


def sample_size_per_arm(
    effect: float, base_rate: float, arms: int = 2, alpha: float = 0.05, power: float = 0.8, bonferroni: bool = False
) -> int:
    """Units needed in each arm (control included) to detect `effect` (absolute, in proportion points)."""
    if not 0 < base_rate < 1 or not 0 < base_rate + effect < 1 or effect == 0:
        raise ValueError("base rate and base rate + effect must be strictly between 0 and 1, and effect non-zero")
    return math.ceil(_exact_n_per_arm(effect, base_rate, _z_sum(arms, alpha, power, bonferroni)))


def minimum_detectable_effect(
    n_total: int, arms: int, base_rate: float, alpha: float = 0.05, power: float = 0.8, bonferroni: bool = False
) -> float:
    """Smallest increase over `base_rate` detected with the given power when `n_total` units split evenly over arms.

    Returns NaN when even an effect up to a rate of 1 cannot be detected with so few units.
    """
    if not 0 < base_rate < 1:
        raise ValueError("base rate must be strictly between 0 and 1")
    z_sum = _z_sum(arms, alpha, power, bonferroni)
    n_per_arm = n_total / arms
    largest = 1 - base_rate - 1e-12
    if _exact_n_per_arm(largest, base_rate, z_sum) > n_per_arm:
        return math.nan
    # Required n falls as the effect grows on (0, 1 - base_rate] for detectable effects: one root.
    return brentq(lambda d: _exact_n_per_arm(d, base_rate, z_sum) - n_per_arm, 1e-9, largest, xtol=1e-10)


def build_parser(prog: str = "power") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Power for a binary outcome (normal approximation, equal arms, each treatment arm vs control). "
        "Give --n for the minimum detectable effect, or --effect for the units needed.",
    )
    wanted = parser.add_mutually_exclusive_group(required=True)
    wanted.add_argument("--n", type=int, help="total units across all arms: print the minimum detectable effect")
    wanted.add_argument("--effect", type=float, help="absolute effect, e.g. 0.05: print the units needed")
    parser.add_argument("--base-rate", type=float, required=True, help="outcome rate in control, e.g. 0.3")
    parser.add_argument("--arms", type=int, default=2, help="number of arms, control included (default: 2)")
    parser.add_argument("--alpha", type=float, default=0.05, help="two-sided significance level (default: 0.05)")
    parser.add_argument("--power", type=float, default=0.8, help="power (default: 0.8)")
    parser.add_argument(
        "--bonferroni", action="store_true", help="divide alpha by the number of treatment arms compared with control"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = dict(alpha=args.alpha, power=args.power, bonferroni=args.bonferroni)
    correction = ", Bonferroni" if args.bonferroni else ""
    setting = f"base rate {args.base_rate}, {args.arms} arms, alpha {args.alpha}{correction}, power {args.power}"
    try:
        if args.n is not None:
            mde = minimum_detectable_effect(args.n, args.arms, args.base_rate, **options)
            if math.isnan(mde):
                print(f"{args.n} units cannot reach power {args.power} at any effect ({setting})")
                return 1
            print(f"minimum detectable effect: {mde:.4f} ({args.base_rate} -> {args.base_rate + mde:.4f}); "
                  f"{args.n} units, {args.n // args.arms} per arm; {setting}")
        else:
            per_arm = sample_size_per_arm(args.effect, args.base_rate, args.arms, **options)
            print(f"units needed: {per_arm * args.arms} ({per_arm} per arm) to detect {args.effect} "
                  f"({args.base_rate} -> {args.base_rate + args.effect:.4f}); {setting}")
    except ValueError as error:
        print(f"power: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
