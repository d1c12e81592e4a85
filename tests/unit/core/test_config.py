"""Settings: spec §10 defaults, TOML file, ORDERFLOW_* variables, and clear refusals."""

import pytest

from orderflow_lib.core import ConfigError, Settings, load_settings


def test_defaults_match_spec_section_10():
    s = load_settings(environ={})
    assert s.profile.va_pct == 0.70
    assert s.profile.va_method == "DUAL_ROW"
    assert s.composite.cva_days == 5
    assert s.calendar.roll_days_before_third_friday == 8
    assert s.orderflow.imb_ratio == 3.0
    assert s.orderflow.imb_min_vol == 10
    assert s.orderflow.stack_min == 3
    assert s.vwap.band_mults == (0.5, 1, 1.5, 2, 3)
    assert s.instrument.tick_value == {"ES": 12.50, "MES": 1.25}
    assert s.risk.max_drawdown_gbp == -500.0
    assert s.ib.port == 4002


def test_toml_file_overrides_defaults(tmp_path):
    path = tmp_path / "orderflow.toml"
    path.write_text('[profile]\nva_pct = 0.68\nva_method = "SINGLE_ROW"\n')
    s = load_settings(path, environ={})
    assert s.profile.va_pct == 0.68
    assert s.profile.va_method == "SINGLE_ROW"


def test_environment_overrides_file(tmp_path):
    path = tmp_path / "orderflow.toml"
    path.write_text("[composite]\ncva_days = 7\n")
    s = load_settings(path, environ={"ORDERFLOW_COMPOSITE__CVA_DAYS": "3"})
    assert s.composite.cva_days == 3


def test_environment_sets_database_url():
    s = load_settings(environ={"ORDERFLOW_DATABASE_URL": "postgresql://x@h/db"})
    assert s.database_url == "postgresql://x@h/db"


def test_config_file_from_environment(tmp_path):
    path = tmp_path / "o.toml"
    path.write_text("[ib]\nport = 7497\n")
    assert load_settings(environ={"ORDERFLOW_CONFIG": str(path)}).ib.port == 7497


@pytest.mark.parametrize(
    ("environ", "field"),
    [
        ({"ORDERFLOW_PROFILE__VA_PCT": "1.5"}, "profile.va_pct"),
        ({"ORDERFLOW_PROFILE__VA_PCT": "0"}, "profile.va_pct"),
        ({"ORDERFLOW_PROFILE__VA_METHOD": "TRIPLE"}, "profile.va_method"),
        ({"ORDERFLOW_RISK__MAX_DRAWDOWN_GBP": "100"}, "risk.max_drawdown_gbp"),
        ({"ORDERFLOW_IB__PORT": "70000"}, "ib.port"),
        ({"ORDERFLOW_PROFILE__NO_SUCH_KEY": "1"}, "profile.no_such_key"),
        ({"ORDERFLOW_VWAP__BAND_MULTS": "[1, -2]"}, "vwap.band_mults"),
        ({"ORDERFLOW_CALENDAR__RTH_START": "9.30"}, "calendar.rth_start"),
    ],
)
def test_invalid_setting_is_refused_with_field_name(environ, field):
    with pytest.raises(ConfigError, match=f"'{field}'"):
        load_settings(environ=environ)


def test_bad_toml_is_refused_with_path(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[profile\nva_pct = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, environ={})


def test_missing_file_is_refused_with_path(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "none.toml", environ={})


def test_section_without_key_in_environment_is_refused():
    with pytest.raises(ConfigError, match="names a section"):
        load_settings(environ={"ORDERFLOW_PROFILE": "1"})


def test_unrelated_orderflow_variables_are_ignored():
    s = load_settings(environ={"ORDERFLOW_TEST_DATABASE_URL": "x", "ORDERFLOW_SOMETHING": "y"})
    assert s == Settings()


def test_config_hash_changes_with_a_setting():
    base = load_settings(environ={})
    other = load_settings(environ={"ORDERFLOW_PROFILE__VA_PCT": "0.68"})
    assert base.config_hash() == Settings().config_hash()
    assert base.config_hash() != other.config_hash()


def test_data_dir_when_moved_without_database_url_then_store_moves_with_it(tmp_path):
    moved = load_settings(environ={"ORDERFLOW_DATA_DIR": str(tmp_path)})

    assert moved.database_url == f"sqlite:///{tmp_path / 'orderflow.sqlite'}"
    assert Settings().database_url == "sqlite:///data/orderflow.sqlite"


def test_data_dir_when_database_url_given_then_url_kept(tmp_path):
    given = load_settings(
        environ={
            "ORDERFLOW_DATA_DIR": str(tmp_path),
            "ORDERFLOW_DATABASE_URL": "postgresql+psycopg2://u@h:5432/db",
        }
    )

    assert given.database_url == "postgresql+psycopg2://u@h:5432/db"


def test_config_hash_when_only_the_data_folder_or_database_differ_then_same(tmp_path):
    here = Settings()
    there = load_settings(
        environ={"ORDERFLOW_DATA_DIR": str(tmp_path), "ORDERFLOW_DATABASE_URL": "sqlite://"}
    )

    assert there.config_hash() == here.config_hash()
