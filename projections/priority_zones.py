"""Zones of priority attention: rates per 1,000 women, exact intervals, trend, and a ranking
that a small zone cannot top on one case. Pure: counts in, figures out, no storage.

Method (the text of ``METHOD`` is what staff and the public read):

* **Rate.** Cases attended in the 12 months ending at the period's last month, per 1,000
  women of the zone. The denominator is the zone's women aged 18–60 where the institute loaded
  it; otherwise INEGI 2020 women of all ages × 0.57, the share of women aged 18–59 in
  Guanajuato (stated per zone in ``population_source``). Zones without a denominator get no
  rate and are listed last.
* **Interval.** The 95 % exact (Garwood) Poisson interval of the count, divided by the
  denominator: ``chi2(0.025, 2k)/2`` to ``chi2(0.975, 2k+2)/2``. It is conservative: it covers
  the true rate at least 95 % of the time whatever the count.
* **Trend.** The 12 months against the 12 before, same denominator, so under "no change" the
  recent count given the total of both is Binomial(n, ½); the exact two-sided binomial test
  says whether the change exceeds noise (p < 0.05).
* **Ranking — empirical Bayes shrinkage (Poisson–Gamma, Marshall 1991 moment estimator).**
  Each zone's rate is pulled towards the municipal rate by as much as its own count is
  uncertain: ``(k + a) / (E + b)`` with the Gamma prior fitted to all zones. A zone of 20
  women with one case (raw rate 50 ‰) stays near the municipal rate, while a zone of 5,000
  women with 100 cases keeps its 20 ‰. We chose shrinkage over ranking by the interval's lower
  bound because the lower bound ranks by a mix of rate and size (every zone with 0 cases ties
  at 0, and a large zone with a modest rate beats a mid-size zone with a high one), and it
  answers "how sure are we the rate is above 0", not "where is it highest"; the shrunk rate
  is the best estimate of each zone's rate given all zones (it minimises the expected squared
  error of the ranking quantity), and it degrades gracefully: with no detectable difference
  between zones, every zone gets the municipal rate and no zone is singled out.
* **Bands.** From the posterior of the same model: *alta prioridad* when the probability that
  the zone's rate exceeds the municipal rate is at least 0.8, *baja prioridad* when it is at
  most 0.2, *media* otherwise (the 0.8 / 0.2 rule of Richardson et al. 2004 for Bayesian disease
  maps, which keeps false "alta" zones rare when counts are small).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt


def _stats() -> Any:
    """scipy.stats, imported on first use: it takes most of the terminal app's cold start
    (seconds on a busy machine), and only the priority-zone ranking needs it."""
    from scipy import stats

    return stats


STATE_ADULT_SHARE = 0.57  # women 18–59 of all women, Guanajuato (INEGI 2020)
CONFIDENCE = 0.95
TREND_ALPHA = 0.05
HIGH_PROBABILITY = 0.8
LOW_PROBABILITY = 0.2
PER = 1000.0

METHOD = (
    "Tasa: expedientes atendidos en los 12 meses del periodo por cada 1,000 mujeres de la zona. "
    "Denominador: mujeres de 18 a 60 años de la zona cuando el instituto lo cargó; si no, "
    "mujeres del Censo INEGI 2020 × 0.57 (proporción de mujeres de 18 a 59 años en Guanajuato). "
    "Intervalo: 95 % exacto de Poisson (Garwood). Tendencia: 12 meses contra los 12 anteriores, "
    "prueba binomial exacta (significativa si p < 0.05). Orden: tasa suavizada por Bayes empírico "
    "(Poisson-Gamma, estimador de momentos de Marshall), que acerca a la tasa municipal las zonas "
    "con pocos casos. Bandas: alta si la probabilidad de superar la tasa municipal es ≥ 0.8, "
    "baja si es ≤ 0.2, media en otro caso. Un expediente se cuenta una vez, en su zona."
)


class Band(Enum):
    HIGH = "alta"
    MEDIUM = "media"
    LOW = "baja"

    @property
    def label(self) -> str:
        return f"{self.value.capitalize()} prioridad"


class PopulationSource(Enum):
    LOADED = "mujeres_18_60"
    CENSUS_SHARE = "inegi_2020_x_0.57"
    NONE = "sin_denominador"


@dataclass(frozen=True)
class ZoneCounts:
    code: str
    name: str
    cases_by_month: Mapping[str, int]  # "AAAA-MM" -> cases
    women_attended: int = 0  # distinct women with a case in the 12 months
    women_18_60: int | None = None
    women_all: int | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Trend:
    previous: int
    current: int
    p_value: float
    significant: bool

    @property
    def direction(self) -> str:
        if not self.significant:
            return "estable"
        return "sube" if self.current > self.previous else "baja"


@dataclass(frozen=True)
class ZonePriority:
    code: str
    name: str
    latitude: float | None
    longitude: float | None
    cases: int
    women_attended: int
    population: float | None
    population_source: PopulationSource
    rate: float | None  # per 1,000 women
    rate_low: float | None
    rate_high: float | None
    smoothed_rate: float | None
    probability_above_municipal: float | None
    trend: Trend
    band: Band | None
    rank: int | None  # 1 = highest priority; None without a denominator


@dataclass(frozen=True)
class Ranking:
    first_month: str
    last_month: str
    municipal_rate: float | None
    zones: tuple[ZonePriority, ...]
    method: str = METHOD


def poisson_intervals(
    counts: npt.NDArray[np.int64], confidence: float = CONFIDENCE
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Exact (Garwood) intervals for the means of Poisson counts, all at once."""
    if (counts < 0).any():
        raise ValueError("count")
    alpha = 1 - confidence
    low = np.where(counts == 0, 0.0, _stats().chi2.ppf(alpha / 2, np.maximum(2 * counts, 1)) / 2)
    high = _stats().chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    return low, high


def poisson_interval(count: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    low, high = poisson_intervals(np.array([count]), confidence)
    return float(low[0]), float(high[0])


def trend_p_values(
    previous: npt.NDArray[np.int64], current: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Exact two-sided binomial test of ``current`` out of ``previous + current`` at ½.

    Binomial(n, ½) is symmetric, so the "as likely or less likely" outcomes are the two equal
    tails beyond the observed split: p = min(1, 2·P(X ≤ min(k, n−k)))."""
    total = previous + current
    tail = _stats().binom.cdf(np.minimum(current, total - current), total, 0.5)
    return np.where(total == 0, 1.0, np.minimum(1.0, 2 * tail))


def trend(previous: int, current: int) -> Trend:
    p_value = float(trend_p_values(np.array([previous]), np.array([current]))[0])
    return Trend(previous, current, p_value, p_value < TREND_ALPHA)


def denominator(zone: ZoneCounts) -> tuple[float | None, PopulationSource]:
    if zone.women_18_60:
        return float(zone.women_18_60), PopulationSource.LOADED
    if zone.women_all:
        return zone.women_all * STATE_ADULT_SHARE, PopulationSource.CENSUS_SHARE
    return None, PopulationSource.NONE


def months_back(last: str, count: int) -> list[str]:
    """The ``count`` months ending at ``last`` ("AAAA-MM"), oldest first."""
    year, month = int(last[:4]), int(last[5:7])
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


@dataclass(frozen=True)
class GammaPrior:
    shape: float
    rate: float

    @property
    def degenerate(self) -> bool:
        return math.isinf(self.shape)


def fit_prior(counts: Sequence[int], exposures: Sequence[float]) -> GammaPrior | None:
    """Marshall's (1991) moment estimator of the Gamma prior of the zones' rates.

    Exposures are in thousands of women-years, so rates are per 1,000. Returns a degenerate
    prior (infinite shape) when the rates vary no more than Poisson noise explains."""
    total_exposure = sum(exposures)
    if not counts or total_exposure <= 0:
        return None
    mean = sum(counts) / total_exposure
    if mean == 0:
        return GammaPrior(math.inf, math.inf)
    variance = (
        sum(e * (k / e - mean) ** 2 for k, e in zip(counts, exposures, strict=True))
        / total_exposure
    )
    between = variance - mean / (total_exposure / len(counts))
    if between <= 0:
        return GammaPrior(math.inf, math.inf)
    return GammaPrior(mean**2 / between, mean / between)


def rank_zones(zones: Sequence[ZoneCounts], last_month: str) -> Ranking:
    current_months = months_back(last_month, 12)
    previous_months = months_back(current_months[0], 13)[:12]
    rows: list[tuple[ZoneCounts, int, int, float | None, PopulationSource]] = []
    for zone in zones:
        current = sum(zone.cases_by_month.get(m, 0) for m in current_months)
        previous = sum(zone.cases_by_month.get(m, 0) for m in previous_months)
        population, source = denominator(zone)
        rows.append((zone, current, previous, population, source))

    rated = [(row[1], row[3] / PER) for row in rows if row[3]]
    prior = fit_prior([k for k, _ in rated], [e for _, e in rated])
    total_exposure = sum(e for _, e in rated)
    municipal = sum(k for k, _ in rated) / total_exposure if total_exposure else None

    currents = np.array([row[1] for row in rows], dtype=np.int64)
    previouses = np.array([row[2] for row in rows], dtype=np.int64)
    lows, highs = poisson_intervals(currents)
    p_values = trend_p_values(previouses, currents)
    exposures = np.array([(row[3] or 0.0) / PER for row in rows])
    if prior is not None and municipal is not None and not prior.degenerate:
        shapes, inverse_scales = currents + prior.shape, exposures + prior.rate
        smoothed_rates = shapes / inverse_scales
        probabilities = _stats().gamma.sf(municipal, shapes, scale=1 / inverse_scales)

    results: list[ZonePriority] = []
    for index, (zone, current, previous, population, source) in enumerate(rows):
        rate = low = high = smoothed = probability = None
        band: Band | None = None
        if population and prior is not None and municipal is not None:
            exposure = population / PER
            rate = current / exposure
            low, high = float(lows[index]) / exposure, float(highs[index]) / exposure
            if prior.degenerate:
                smoothed, probability = municipal, 0.5
            else:
                smoothed = float(smoothed_rates[index])
                probability = float(probabilities[index])
            band = (
                Band.HIGH
                if probability >= HIGH_PROBABILITY
                else Band.LOW
                if probability <= LOW_PROBABILITY
                else Band.MEDIUM
            )
        p_value = float(p_values[index])
        results.append(
            ZonePriority(
                code=zone.code,
                name=zone.name,
                latitude=zone.latitude,
                longitude=zone.longitude,
                cases=current,
                women_attended=zone.women_attended,
                population=population,
                population_source=source,
                rate=rate,
                rate_low=low,
                rate_high=high,
                smoothed_rate=smoothed,
                probability_above_municipal=probability,
                trend=Trend(previous, current, p_value, p_value < TREND_ALPHA),
                band=band,
                rank=None,
            )
        )
    ordered = sorted(
        results,
        key=lambda z: (
            z.smoothed_rate is None,
            -(z.smoothed_rate or 0.0),
            -(z.probability_above_municipal or 0.0),
            -z.cases,
            z.code,
        ),
    )
    ranked = tuple(
        replace(z, rank=index + 1 if z.smoothed_rate is not None else None)
        for index, z in enumerate(ordered)
    )
    return Ranking(current_months[0], current_months[-1], municipal, ranked)
