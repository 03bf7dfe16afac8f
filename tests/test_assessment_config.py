"""Assessment configuration: defaults, hashing, overrides and strict validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from unionflow.assessment import ConfigError, config_hash, load_config, with_overrides


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assessment.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_holds_the_spec_defaults() -> None:
    cfg = load_config()
    assert cfg.version == 1
    assert dict(cfg.indicator.weights) == {
        "training": 0.15,
        "upgrades": 0.15,
        "competition": 0.10,
        "studios": 0.10,
        "innovation": 0.10,
        "innovation_value": 0.15,
        "adoption": 0.10,
        "proposals": 0.05,
        "service": 0.10,
    }
    assert dict(cfg.peer.weights) == {
        "guidance": 0.15,
        "skills": 0.25,
        "innovation": 0.25,
        "institution": 0.15,
        "service": 0.20,
    }
    assert (cfg.peer.method, cfg.peer.min_reviews, cfg.peer.trim_min_reviews) == ("trimmed_mean", 3, 5)
    assert cfg.peer.calibration_shrinkage == 3.0
    assert (cfg.total.indicator_weight, cfg.total.peer_weight, cfg.total.cap) == (0.4, 0.6, 100.0)
    assert (cfg.bonus.per_honor, cfg.bonus.cap) == (1.0, 5.0)
    g = cfg.grades
    assert (g.excellent_min, g.excellent_top_share, g.good_min, g.pass_min) == (85, 0.2, 75, 60)
    rf = cfg.review_flags
    assert (rf.mutual_inflation_margin, rf.flat_min_reviews, rf.contrarian_min_reviews) == (10.0, 4, 4)
    assert rf.contrarian_max_correlation == 0.0
    a = cfg.allocation
    assert (a.method, a.budget, a.floor, a.cap, a.step) == ("proportional", 1_000_000, 5000, 20000, 100)
    assert (a.eligible_grades, a.weight, a.pass_mark) == (("excellent", "good"), "excess", 60.0)


def test_config_hash_is_stable_for_the_same_config() -> None:
    first, second = config_hash(load_config()), config_hash(load_config())
    assert first == second
    assert len(first) == 64 and int(first, 16) >= 0


def test_config_hash_changes_with_any_value() -> None:
    cfg = load_config()
    assert config_hash(with_overrides(cfg, budget=900_000)) != config_hash(cfg)
    assert config_hash(with_overrides(cfg, peer_method="median")) != config_hash(cfg)


def test_config_hash_ignores_int_versus_float_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, "version = 1\n[bonus]\ncap = 5\n")
    assert config_hash(load_config(path)) == config_hash(load_config())


def test_a_config_file_is_merged_over_the_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "version = 1\n[allocation]\nbudget = 500000\n"))
    assert cfg.allocation.budget == 500_000
    assert cfg.allocation.floor == 5000
    assert cfg.peer.method == "trimmed_mean"


def test_overrides_replace_allocation_values_and_the_peer_method() -> None:
    cfg = with_overrides(load_config(), budget=2000, floor=1000, cap=1000, step=500, peer_method="calibrated")
    a = cfg.allocation
    assert (a.budget, a.floor, a.cap, a.step) == (2000, 1000, 1000, 500)
    assert cfg.peer.method == "calibrated"


def test_config_error_is_a_value_error_naming_the_key() -> None:
    with pytest.raises(ValueError, match=r"^allocation\.floor: 30000 is above allocation\.cap 20000$"):
        with_overrides(load_config(), floor=30000)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"floor": 30000}, "allocation.floor"),
        ({"step": 0}, "allocation.step"),
        ({"step": 300}, "allocation.budget"),  # 1,000,000 is not a multiple of 300
        ({"budget": 1_000_050}, "allocation.budget"),
        ({"floor": 5050, "cap": 20000}, "allocation.floor"),
        ({"cap": 20050}, "allocation.cap"),
        ({"budget": -100}, "allocation.budget"),
        ({"peer_method": "mean"}, "peer.method"),
    ],
)
def test_invalid_overrides_raise_config_error(overrides: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        with_overrides(load_config(), **overrides)  # type: ignore[arg-type]
    assert info.value.key == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[indicator.weights]\ntraining = 0.2\n", "indicator.weights"),
        ("[indicator.weights]\ntrainng = 0.15\n", "indicator.weights.trainng"),
        ("[indicator.weights]\ntraining = -0.15\n", "indicator.weights.training"),
        ("[peer.weights]\nskills = 0.3\n", "peer.weights"),
        ('[peer]\nmethod = "mean"\n', "peer.method"),
        ("[peer]\nmin_reviews = 0\n", "peer.min_reviews"),
        ("[peer]\ntrim_min_reviews = 2\n", "peer.trim_min_reviews"),
        ("[peer]\ncalibration_shrinkage = -1\n", "peer.calibration_shrinkage"),
        ("[total]\npeer_weight = 0.5\n", "total"),
        ("[bonus]\ncap = -1\n", "bonus.cap"),
        ("[grades]\ngood_min = 90\n", "grades.excellent_min"),
        ("[grades]\nexcellent_top_share = 0\n", "grades.excellent_top_share"),
        ("[review_flags]\ncontrarian_max_correlation = 2\n", "review_flags.contrarian_max_correlation"),
        ("[allocation]\nbugdet = 5\n", "allocation.bugdet"),
        ("[scoring]\nx = 1\n", "scoring"),
        ('[allocation]\nmethod = "equal"\n', "allocation.method"),
        ('[allocation]\nweight = "share"\n', "allocation.weight"),
        ("[allocation]\nfloor = 30000\n", "allocation.floor"),
        ("[allocation]\nbudget = 1000050\n", "allocation.budget"),
        ("[allocation]\nstep = 0\n", "allocation.step"),
        ("[allocation]\nfloor = -100\n", "allocation.floor"),
        ('[allocation]\nbudget = "lots"\n', "allocation.budget"),
        ("[allocation]\nbudget = 1000000.0\n", "allocation.budget"),
        ("[allocation]\nbudget = true\n", "allocation.budget"),
        ('[allocation]\neligible_grades = ["great"]\n', "allocation.eligible_grades[0]"),
        ("[allocation]\neligible_grades = []\n", "allocation.eligible_grades"),
        ("[allocation]\npass_mark = 120\n", "allocation.pass_mark"),
        (
            '[allocation]\nmethod = "tiered"\n[allocation.tiered]\nexcellent = 30000\n',
            "allocation.tiered.excellent",
        ),
        ("[allocation.tiered]\nbronze = 1000\n", "allocation.tiered.bronze"),
    ],
)
def test_invalid_config_files_raise_config_error_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "version = 1\n" + text))
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: ")


def test_a_config_file_must_declare_its_version(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "[allocation]\nbudget = 500000\n"))
    assert info.value.key == "version"


def test_an_unknown_version_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "version = 2\n"))
    assert info.value.key == "version"


def test_a_file_that_is_not_toml_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "version = = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(path)
    assert info.value.key == str(path)


def test_a_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")
