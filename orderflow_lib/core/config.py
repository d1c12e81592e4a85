"""The one typed settings object: every default of the domain spec §10, plus runtime settings.

Settings load from defaults, then a TOML file, then `ORDERFLOW_*` environment variables
(`ORDERFLOW_PROFILE__VA_PCT=0.8` sets `profile.va_pct`; `ORDERFLOW_DATABASE_URL` sets
`database_url`). An invalid value stops start-up with a ConfigError naming the field and the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from orderflow_lib.core.errors import ConfigError
from orderflow_lib.core.timeconv import parse_hhmm


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _hhmm(value: str) -> str:
    parse_hhmm(value)
    return value


ES_TICK_SIZE: Final = 0.25
"""Tick size of ES and MES in index points: the default wherever a tick size is not passed."""


class InstrumentSettings(_Section):
    display: Literal["ES", "MES"] = "ES"
    execute: Literal["ES", "MES"] = "MES"
    tick_size: float = Field(ES_TICK_SIZE, gt=0)
    tick_value: dict[str, float] = Field(default_factory=lambda: {"ES": 12.50, "MES": 1.25})


class CalendarSettings(_Section):
    rth_calendar: str = "XNYS"
    globex_calendar: str = "CME Globex Equity"
    rth_start: str = "09:30"
    rth_end: Literal["16:00", "16:15"] = "16:00"
    overrides_file: str = "calendar_overrides.yaml"
    roll_rule: Literal["calendar", "volume"] = "calendar"
    roll_days_before_third_friday: int = Field(8, ge=0, le=20)

    _check_start = field_validator("rth_start")(_hhmm)


class ProfileSettings(_Section):
    row_ticks: int = Field(1, ge=1)
    tpo_minutes: int = Field(30, ge=1, le=390)
    va_pct: float = Field(0.70, gt=0, le=1)
    va_method: Literal["DUAL_ROW", "SINGLE_ROW"] = "DUAL_ROW"
    va_tie: Literal["BOTH", "UP", "DOWN"] = "BOTH"
    poc_tie: Literal["closest_to_center", "lower", "upper"] = "closest_to_center"
    poc_tie_final: Literal["lower", "higher"] = "lower"
    poc_mid_basis: Literal["rows", "trades"] = "rows"
    tpo_poc_tiebreak_volume: bool = False
    va_basis: Literal["VOLUME", "TPO"] = "VOLUME"
    min_single_run: int = Field(2, ge=1)
    min_tail_rows: int = Field(2, ge=1)


class ShapeSettings(_Section):
    min_rows: int = Field(8, ge=1)
    peak_min_frac: float = Field(0.2, ge=0, le=1)
    valley_frac: float = Field(0.5, ge=0, le=1)
    min_sep_rows: int = Field(3, ge=1)
    min_sep_frac: float = Field(0.2, ge=0, le=1)
    thin_va_ratio: float = Field(0.60, ge=0, le=1)
    thin_single_frac: float = Field(0.30, ge=0, le=1)
    p_poc_pos: float = Field(0.60, ge=0, le=1)
    b_poc_pos: float = Field(0.40, ge=0, le=1)
    d_poc_min: float = Field(0.35, ge=0, le=1)
    d_poc_max: float = Field(0.65, ge=0, le=1)
    third_major: float = Field(0.45, ge=0, le=1)
    third_minor: float = Field(0.20, ge=0, le=1)


class DayTypeSettings(_Section):
    r20_lookback: int = Field(20, ge=1)
    nontrend_range_frac: float = Field(0.5, ge=0)
    nontrend_ext_ticks: int = Field(2, ge=0)
    normal_ext_frac: float = Field(0.15, ge=0)
    trend_ext_frac: float = Field(1.0, ge=0)
    extreme_frac: float = Field(0.20, ge=0, le=1)


class CompositeSettings(_Section):
    cva_mode: Literal["rolling_n", "balance_merge"] = "rolling_n"
    cva_days: int = Field(5, ge=1, le=60)
    min_rth_minutes: int = Field(0, ge=0, le=405)
    cva_exclude_compared_day: bool = True
    merge_overlap: float = Field(0.5, ge=0, le=1)
    max_merge_days: int = Field(10, ge=1)
    merge_shapes: tuple[str, ...] = ("D", "P", "b", "UNDEFINED")
    composite_across_roll: Literal["current_lead_contract", "back_adjust", "same_contract_only"] = (
        "current_lead_contract"
    )
    roll_min_volume_share: float = Field(0.25, ge=0, le=1)
    dva_mode: Literal["volume_profile", "vwap_sigma"] = "volume_profile"
    dva_recompute: str = "bar_1m"


class MigrationSettings(_Section):
    edge_tol_ticks: int = Field(1, ge=0)
    character_k: int = Field(3, ge=1)
    min_shift_ticks: int = Field(4, ge=0)
    contract_frac: float = Field(0.25, ge=0, le=1)
    failed_bias: Literal["zero", "reverse"] = "zero"


class ArchiveSettings(_Section):
    archive_days: int = Field(30, ge=1)
    stack_tol_ticks: int = Field(2, ge=0)
    archive_source: Literal["rolling", "balance_areas"] = "rolling"
    strength_sessions: int = Field(10, ge=1)
    age_half_life_sessions: int = Field(10, ge=1)
    ref_offset_ticks: int = Field(2, ge=0)


class VefSettings(_Section):
    reference: Literal["cva", "prior_day"] = "cva"
    poc_hold_periods: int = Field(2, ge=1)
    poc_hold_ticks: int = Field(2, ge=0)
    build_periods: int = Field(2, ge=1)


class OpenSettings(_Section):
    reference: Literal["prior_day", "cva"] = "prior_day"
    edge_codes: bool = True
    edge_tol_ticks: int = Field(2, ge=0)
    or_minutes: int = Field(5, ge=1)
    a_minutes: int = Field(30, ge=1)
    provisional_min: int = Field(15, ge=1)
    od_adverse_ticks: int = Field(2, ge=0)
    min_drive_ticks: int = Field(8, ge=1)
    min_drive_frac: float = Field(0.30, ge=0)
    test_window_min: int = Field(15, ge=1)
    test_min_ticks: int = Field(3, ge=0)
    test_max_frac: float = Field(0.5, ge=0)
    otd_return_within_test_window: bool = True
    ref_tol_ticks: int = Field(2, ge=0)
    scale_lookback: int = Field(20, ge=1)
    scale_min_sessions: int = Field(5, ge=1)


class EightySettings(_Section):
    reference: Literal["prior_day", "cva"] = "prior_day"
    mode: Literal["TPO_PRINTS", "CLOSE_OPEN", "BOTH_CLOSE"] = "TPO_PRINTS"
    session: Literal["RTH", "ETH"] = "RTH"
    allow_reentry_after_excursion: bool = True
    min_outside_ticks: int = Field(1, ge=1)
    rearm_after_fail: bool = False
    variant: Literal["standard", "va_traverse_first_hour"] = "standard"
    min_va_width_ticks: int = Field(4, ge=1)


class InventorySettings(_Section):
    basis: Literal["volume", "time"] = "volume"
    neutral_band: float = Field(0.2, ge=0, le=1)
    completion_target: Literal["ref", "on_mid", "on_vwap"] = "ref"
    completion_window_min: int = Field(60, ge=1)
    on_range_lookback: int = Field(20, ge=1)


class RegimeSettings(_Section):
    min_days: int = Field(3, ge=1)
    balance_overlap: float = Field(0.70, ge=0, le=1)
    narrow_on_ratio: float = Field(0.5, ge=0)
    narrow_va_ratio: float = Field(0.5, ge=0)


class AcceptanceSettings(_Section):
    periods: int = Field(2, ge=1)
    tpo_tol_ticks: int = Field(1, ge=0)
    fast_minutes: int = Field(30, ge=1)
    accept_tol_ticks: int = Field(2, ge=0)
    reject_min_ticks: int = Field(1, ge=0)


class PlanSettings(_Section):
    cva: Literal["ex_prior", "incl_prior"] = "ex_prior"
    unknown_family: str = "NONE"
    family_bar_min: int = Field(5, ge=1)
    zone_ticks: int = Field(8, ge=1)
    decision_bar_min: int = Field(1, ge=1, le=60)


class TradeSettings(_Section):
    """Trade management (spec §5.6): structural stop, reward:risk, size, exits."""

    stop_buffer_ticks: int = Field(2, ge=0)
    min_stop_ticks: int = Field(6, ge=1)
    max_stop_scale: float = Field(1.0, gt=0, le=10)
    default_scale_ticks: int = Field(24, ge=1)
    min_reward_risk: float = Field(1.5, gt=0, le=20)
    max_contracts: int = Field(1, ge=1, le=50)
    max_risk_gbp: float = Field(40.0, gt=0, le=100_000)
    breakeven_after_t1: bool = True
    flat_before_close_min: int = Field(10, ge=0, le=120)
    no_entry_before_close_min: int = Field(30, ge=0, le=390)
    of_level_ticks: int = Field(4, ge=0)


class PaperSettings(_Section):
    """The paper broker (spec §5.6 paper fills)."""

    usd_gbp: float = Field(0.79, gt=0, le=10)
    slippage_ticks: int = Field(1, ge=0, le=20)


class ReviewSettings(_Section):
    """Review grading (spec §5.7)."""

    scratch_ticks: int = Field(2, ge=0)


class WeightSettings(_Section):
    static: float = Field(0.70, ge=0, le=1)
    dynamic: float = Field(0.20, ge=0, le=1)
    orderflow: float = Field(0.10, ge=0, le=1)
    entry_threshold: float = Field(0.90, ge=0, le=1)
    of_lookback_min: int = Field(5, ge=1)


class BarSettings(_Section):
    type: Literal["time", "volume", "tick"] = "volume"
    size: int = Field(3000, ge=1)


class OrderFlowSettings(_Section):
    aggressor: tuple[Literal["EXCHANGE", "QUOTE", "LR_MID", "TICK"], ...] = (
        "EXCHANGE",
        "QUOTE",
        "LR_MID",
        "TICK",
    )
    quote_lag_ms: int = Field(0, ge=0)
    unknown_share_warn: float = Field(0.01, ge=0, le=1)
    bar: BarSettings = BarSettings()
    imb_ratio: float = Field(3.0, gt=0)
    imb_min_vol: int = Field(10, ge=0)
    imb_mode: Literal["diagonal", "horizontal"] = "diagonal"
    stack_min: int = Field(3, ge=2)
    stack_break_ticks: int = Field(2, ge=0)
    abs_window_s: int = Field(60, ge=1)
    abs_median_bars: int = Field(30, ge=1)
    abs_min_vol: int = Field(300, ge=0)
    abs_k: float = Field(3.0, gt=0)
    abs_max_pen_ticks: int = Field(1, ge=0)
    exh_levels: int = Field(3, ge=1)
    exh_abs: int = Field(5, ge=0)
    exh_frac: float = Field(0.05, ge=0, le=1)
    lop_vol_frac: float = Field(0.5, ge=0, le=1)
    cd_anchor: Literal["globex_session", "rth_open"] = "globex_session"
    pivot_k: int = Field(2, ge=1)
    cd_window_min: int = Field(30, ge=1)
    cd_norm_lookback: int = Field(20, ge=1)
    cd_quiet: float = Field(0.25, ge=0)
    cd_absorb_r: float = Field(0.5, ge=0)
    cd_stopout_r: float = Field(2.0, ge=0)
    overstretch_pct: float = Field(0.90, ge=0, le=1)
    overstretch_fallback: int = Field(10000, ge=1)


class VwapSettings(_Section):
    anchor: Literal["rth_open", "globex_open"] = "rth_open"
    band_mults: tuple[float, ...] = (0.5, 1, 1.5, 2, 3)
    flat_slope_ticks_per_30m: float = Field(0.5, ge=0)
    balanced_min_crosses_per_hour: int = Field(2, ge=0)
    rhythm_lookback_min: int = Field(60, ge=1)

    @field_validator("band_mults")
    @classmethod
    def _positive(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(m <= 0 for m in value):
            raise ValueError(f"every band multiple must be > 0, was {list(value)}")
        return tuple(sorted(value))


class DomSettings(_Section):
    levels: int = Field(10, ge=1)
    imbalance_levels: int = Field(5, ge=1)
    sustain_s: int = Field(10, ge=0)
    sustain_abs: float = Field(0.3, ge=0, le=1)
    window_s: int = Field(5, ge=1)
    pull_min: int = Field(100, ge=0)
    pull_frac: float = Field(0.4, ge=0, le=1)
    near_ticks: int = Field(4, ge=0)


class TapeSettings(_Section):
    window_s: int = Field(30, ge=1)
    window_trades: int = Field(200, ge=1)
    pressure_thr: float = Field(0.30, ge=0, le=1)
    min_vol: int = Field(200, ge=0)
    large_lot: int = Field(25, ge=1)


class RiskSettings(_Section):
    """Safety limits for the account (GBP) and orders (MES by default).

    Every limit is finite and bounded, so no value can switch a safety rule off (a drawdown
    limit of -inf would never trip); the control API checks changes against these same rules.
    """

    model_config = ConfigDict(allow_inf_nan=False)

    max_drawdown_gbp: float = Field(-500.0, gt=-1_000_000, lt=0)
    reject_cooldown_min: int = Field(30, ge=1, le=24 * 60)
    allowed_instruments: tuple[Literal["ES", "MES"], ...] = Field(("MES",), min_length=1)
    max_position: int = Field(2, ge=0, le=1_000)
    max_order_size: int = Field(1, ge=1, le=1_000)
    trading_window: Literal["RTH", "GLOBEX"] = "RTH"
    price_sanity_ticks: int = Field(40, ge=1, le=100_000)
    max_orders_per_minute: int = Field(6, ge=1, le=600)
    reconciliation: bool = True
    max_decision_age_ms: int = Field(2_000, ge=1, le=600_000)


class IbSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(4002, ge=1, le=65535)
    client_id: int = Field(17, ge=0)
    account: str = ""
    connect_timeout_s: float = Field(10.0, gt=0)
    reconnect_max_backoff_s: float = Field(60.0, gt=0)


class NodeSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    snapshot_hz: float = Field(5.0, gt=0, le=50)
    dashboard_port: int = Field(8866, ge=1, le=65535)


class StoreSettings(_Section):
    """The node's deadline for every database call; a missed deadline fences the gate."""

    timeout_ms: int = Field(500, ge=10, le=60_000)


class DataSettings(_Section):
    """Bounds every imported or replayed trade must respect; a file that breaks one is refused."""

    max_trade_size: int = Field(10_000, ge=1)
    earliest_ts: pydantic.AwareDatetime = datetime(2000, 1, 1, tzinfo=UTC)
    latest_ts: pydantic.AwareDatetime = datetime(2100, 1, 1, tzinfo=UTC)

    @pydantic.model_validator(mode="after")
    def _ordered(self) -> DataSettings:
        """The time window must not be empty."""
        if self.latest_ts <= self.earliest_ts:
            raise ValueError(
                f"latest_ts must be after earliest_ts, was {self.latest_ts} <= {self.earliest_ts}"
            )
        return self


PLACES: Final = {"data_dir", "database_url"}
"""Settings that say where files live, not how the market is read or traded."""


class Settings(BaseModel):
    """Every setting of the workbench; sections follow spec §10."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    database_url: str = "sqlite:///data/orderflow.sqlite"
    data_dir: str = "data"
    instrument: InstrumentSettings = InstrumentSettings()
    calendar: CalendarSettings = CalendarSettings()
    profile: ProfileSettings = ProfileSettings()
    shape: ShapeSettings = ShapeSettings()
    daytype: DayTypeSettings = DayTypeSettings()
    composite: CompositeSettings = CompositeSettings()
    migration: MigrationSettings = MigrationSettings()
    archive: ArchiveSettings = ArchiveSettings()
    vef: VefSettings = VefSettings()
    open: OpenSettings = OpenSettings()
    eighty: EightySettings = EightySettings()
    inventory: InventorySettings = InventorySettings()
    regime: RegimeSettings = RegimeSettings()
    acceptance: AcceptanceSettings = AcceptanceSettings()
    plan: PlanSettings = PlanSettings()
    weights: WeightSettings = WeightSettings()
    trade: TradeSettings = TradeSettings()
    paper: PaperSettings = PaperSettings()
    review: ReviewSettings = ReviewSettings()
    orderflow: OrderFlowSettings = OrderFlowSettings()
    vwap: VwapSettings = VwapSettings()
    dom: DomSettings = DomSettings()
    tape: TapeSettings = TapeSettings()
    risk: RiskSettings = RiskSettings()
    ib: IbSettings = IbSettings()
    node: NodeSettings = NodeSettings()
    store: StoreSettings = StoreSettings()
    data: DataSettings = DataSettings()

    @pydantic.model_validator(mode="before")
    @classmethod
    def _store_in_data_dir(cls, data: Any) -> Any:
        """Without a database URL of its own, the SQLite store sits in the data folder, wherever
        that is (not in ./data of whatever folder the program was started from)."""
        if isinstance(data, dict) and "database_url" not in data and "data_dir" in data:
            store = Path(str(data["data_dir"])) / "orderflow.sqlite"
            return {**data, "database_url": f"sqlite:///{store}"}
        return data

    def config_hash(self) -> str:
        """Short stable hash of every setting but where files live (the data folder and the
        database), carried on outputs so runs can be compared: a backtest with a live run, or two
        demos, each in a folder of its own."""
        text = json.dumps(self.model_dump(mode="json", exclude=PLACES), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


ENV_PREFIX = "ORDERFLOW_"
_ENV_NOT_SETTINGS = {"CONFIG", "TEST_DATABASE_URL"}


def _env_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    sections = {
        name for name, field in Settings.model_fields.items() if _is_section(field.annotation)
    }
    result: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        if name in _ENV_NOT_SETTINGS:
            continue
        parts = name.lower().split("__")
        if parts[0] in sections and len(parts) >= 2:
            target = result.setdefault(parts[0], {})
            for part in parts[1:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = _env_value(raw)
        elif parts[0] in sections:
            raise ConfigError(
                f"environment variable {key} names a section, not a setting: use {key}__<name>"
            )
        elif parts[0] in Settings.model_fields and len(parts) == 1:
            result[parts[0]] = raw
    return result


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, _Section)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: pydantic.ValidationError) -> str:
    lines = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"])
        given = item.get("input")
        lines.append(f"setting '{field}' is invalid: {item['msg']} (was {given!r})")
    return "; ".join(lines)


def load_settings(
    toml_path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from defaults, the TOML file (or $ORDERFLOW_CONFIG) and ORDERFLOW_* variables."""
    environ = os.environ if environ is None else environ
    path = toml_path or environ.get(ENV_PREFIX + "CONFIG")
    data: dict[str, Any] = {}
    if path:
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigError(f"settings file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from exc
    data = _merge(data, _from_environ(environ))
    try:
        return Settings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
