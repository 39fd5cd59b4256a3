"""The difference-in-differences Poisson model: a planted effect, the observed/expected identity, checks."""

from __future__ import annotations

import numpy as np
import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.evaluation.did import DiDPoisson


def _world(effect: float, seed: int = 0, dispersion: float = 0.0):
    rng = np.random.default_rng(seed)
    months = 14
    post = np.arange(months) >= 9
    level = rng.uniform(5, 60, 60)
    season = np.exp(0.25 * np.sin(np.arange(months) / 2))
    mu = level[:, None] * season[None, :]
    if dispersion:
        mu = mu * rng.gamma(1 / dispersion, dispersion, mu.shape)
    group = np.full(60, -1)
    group[:6] = 0
    mu[:6, post] *= 1 + effect
    return rng.poisson(mu), group, post


def test_a_planted_fall_is_found_and_observed_equals_fitted_after_the_start():
    y, group, post = _world(-0.4)
    model = DiDPoisson().fit(y, group, post)
    assert model.effect_[0] == pytest.approx(-0.4, abs=0.05)
    treated = np.ix_(group == 0, post)
    assert y[treated].sum() / model.expected_[treated].sum() - 1 == pytest.approx(model.effect_[0], rel=1e-9)
    assert model.fitted_[treated].sum() == pytest.approx(y[treated].sum(), rel=1e-9)


def test_no_effect_gives_about_none_and_a_dispersion_near_one():
    y, group, post = _world(0.0, seed=3)
    model = DiDPoisson().fit(y, group, post)
    assert abs(model.effect_[0]) < 0.06
    assert model.dispersion_ < 1.3
    assert DiDPoisson().fit(*_world(0.0, seed=3, dispersion=0.2)).dispersion_ > 2


def test_per_group_effects_and_a_unit_with_no_records():
    y, group, post = _world(-0.4)
    group[3:6] = 1
    y[10] = 0
    model = DiDPoisson().fit(y, group, post)
    assert len(model.effect_) == 2 and (model.effect_ < -0.25).all()
    assert np.isfinite(model.effect_).all()


def test_bad_input_is_refused():
    y, group, post = _world(0.0)
    with pytest.raises(ParameterError, match="some before the start and some after"):
        DiDPoisson().fit(y, group, np.ones_like(post))
    with pytest.raises(ParameterError, match="treated and one control"):
        DiDPoisson().fit(y, np.full(len(group), -1), post)
    with pytest.raises(ParameterError, match="non-negative"):
        DiDPoisson().fit(-y, group, post)
