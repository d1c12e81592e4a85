"""ES/MES specs, contract ids, expiry, roll date and P&L (spec §1.1-§1.2)."""

from __future__ import annotations

from datetime import date

import pytest

from orderflow_lib.core.errors import DataError
from orderflow_lib.market.instruments import (
    ES,
    MES,
    ContractId,
    ContractIdError,
    get_instrument,
    last_trading_day,
    list_contracts,
    next_contract,
    parse_contract,
    pnl_usd,
    resolve_contract_alias,
    roll_date,
    third_friday,
)

PRICE_5000_00 = 20_000
PRICE_5003_25 = 20_013


def test_specs_when_read_then_match_the_cme_contract_pages() -> None:
    assert (ES.tick_size, ES.multiplier, ES.tick_value, ES.point_value) == (0.25, 50, 12.50, 50.0)
    assert (MES.tick_size, MES.multiplier, MES.tick_value, MES.point_value) == (0.25, 5, 1.25, 5.0)


def test_pnl_when_long_two_mes_up_13_ticks_then_32_50() -> None:
    assert pnl_usd(PRICE_5000_00, PRICE_5003_25, side=1, qty=2, instrument="MES") == 32.50


def test_pnl_when_long_one_es_up_13_ticks_then_162_50() -> None:
    assert pnl_usd(PRICE_5000_00, PRICE_5003_25, side=1, qty=1, instrument=ES) == 162.50


def test_pnl_when_short_one_mes_from_5003_25_to_5000_then_plus_16_25() -> None:
    assert pnl_usd(PRICE_5003_25, PRICE_5000_00, side=-1, qty=1, instrument="MES") == 16.25


def test_pnl_when_short_and_price_rises_then_loss() -> None:
    assert pnl_usd(PRICE_5000_00, PRICE_5003_25, side=-1, qty=1, instrument="ES") == -162.50


def test_pnl_when_ten_mes_then_equals_one_es() -> None:
    ten_mes = pnl_usd(PRICE_5000_00, PRICE_5003_25, side=1, qty=10, instrument="MES")
    one_es = pnl_usd(PRICE_5000_00, PRICE_5003_25, side=1, qty=1, instrument="ES")
    assert ten_mes == one_es


@pytest.mark.parametrize(
    ("side", "qty", "message"),
    [(0, 1, "side must be"), (2, 1, "side must be"), (1, -1, "qty must be >= 0")],
)
def test_pnl_when_side_or_qty_invalid_then_value_error_names_it(
    side: int, qty: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        pnl_usd(PRICE_5000_00, PRICE_5003_25, side=side, qty=qty, instrument="ES")


def test_pnl_when_price_is_a_float_not_ticks_then_type_error() -> None:
    with pytest.raises(TypeError):
        pnl_usd(5000.0, PRICE_5003_25, side=1, qty=1, instrument="ES")  # type: ignore[arg-type]


def test_get_instrument_when_unknown_root_then_contract_error_lists_roots() -> None:
    with pytest.raises(ContractIdError, match=r"\['ES', 'MES'\], was 'NQ'"):
        get_instrument("NQ")


@pytest.mark.parametrize(
    ("text", "root", "year", "month"),
    [("ESZ26", "ES", 2026, 12), ("MESM25", "MES", 2025, 6), ("ESH08", "ES", 2008, 3)],
)
def test_parse_contract_when_canonical_then_root_year_month(
    text: str, root: str, year: int, month: int
) -> None:
    contract = parse_contract(text)
    assert contract == ContractId(root, year, month)
    assert contract.code == text
    assert str(contract) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ESZ6", "resolve_contract_alias"),
        ("NQZ26", "root must be one of"),
        ("ESF26", "month code must be one of"),
        ("esz26", "root \\+ month code"),
        ("ESZ2026", "root \\+ month code"),
        ("", "root \\+ month code"),
    ],
)
def test_parse_contract_when_not_canonical_then_contract_error_says_why(
    text: str, message: str
) -> None:
    with pytest.raises(ContractIdError, match=message):
        parse_contract(text)


def test_contract_error_when_caught_as_value_error_or_data_error_then_both_work() -> None:
    with pytest.raises(ValueError):
        parse_contract("ESZ6")
    with pytest.raises(DataError):
        parse_contract("ESZ6")


@pytest.mark.parametrize(
    ("alias", "as_of", "expected"),
    [
        ("ESZ6", date(2025, 11, 25), "ESZ26"),
        ("ESZ5", date(2025, 11, 25), "ESZ25"),
        ("ESZ5", date(2025, 12, 20), "ESZ35"),
        ("ESH4", date(2023, 12, 25), "ESH24"),
        ("MESM5", date(2025, 6, 20), "MESM25"),
        ("ESH0", date(2029, 12, 20), "ESH30"),
        ("ESZ26", date(2025, 1, 1), "ESZ26"),
    ],
)
def test_resolve_contract_alias_when_one_digit_year_then_first_unexpired_contract(
    alias: str, as_of: date, expected: str
) -> None:
    assert resolve_contract_alias(alias, as_of).code == expected


def test_contract_id_when_month_not_quarterly_then_contract_error() -> None:
    with pytest.raises(ContractIdError, match="month must be one of"):
        ContractId("ES", 2025, 5)


def test_next_and_previous_contract_when_year_end_then_wrap() -> None:
    assert next_contract("ESZ25") == "ESH26"
    assert parse_contract("MESH26").previous().code == "MESZ25"
    assert next_contract("ESM24") == "ESU24"


# Spec §1.2 contract table: (contract, third Friday, last trading day, roll date).
CONTRACT_TABLE = [
    ("ESH08", date(2008, 3, 21), date(2008, 3, 20), date(2008, 3, 13)),
    ("ESM12", date(2012, 6, 15), date(2012, 6, 15), date(2012, 6, 7)),
    ("ESU23", date(2023, 9, 15), date(2023, 9, 15), date(2023, 9, 7)),
    ("ESH24", date(2024, 3, 15), date(2024, 3, 15), date(2024, 3, 7)),
    ("ESM25", date(2025, 6, 20), date(2025, 6, 20), date(2025, 6, 12)),
    ("ESZ25", date(2025, 12, 19), date(2025, 12, 19), date(2025, 12, 11)),
    ("ESM26", date(2026, 6, 19), date(2026, 6, 18), date(2026, 6, 11)),
    ("ESM27", date(2027, 6, 18), date(2027, 6, 17), date(2027, 6, 10)),
]
# NYSE full holidays on those third Fridays (Good Friday 2008, Juneteenth 2026, 2027 observed).
THIRD_FRIDAY_HOLIDAYS = {date(2008, 3, 21), date(2026, 6, 19), date(2027, 6, 18)}


def _nyse_open(day: date) -> bool:
    return day.weekday() < 5 and day not in THIRD_FRIDAY_HOLIDAYS


@pytest.mark.parametrize(("contract", "friday", "ltd", "roll"), CONTRACT_TABLE)
def test_contract_table_when_computed_then_matches_spec(
    contract: str, friday: date, ltd: date, roll: date
) -> None:
    assert third_friday(parse_contract(contract).year, parse_contract(contract).month) == friday
    assert parse_contract(contract).third_friday == friday
    assert last_trading_day(contract, _nyse_open) == ltd
    assert roll_date(contract) == roll
    assert last_trading_day("M" + contract, _nyse_open) == ltd
    assert roll_date("M" + contract) == roll


def test_roll_date_when_holiday_moves_expiry_then_roll_date_stays_third_friday_minus_8() -> None:
    expiry = last_trading_day("ESM26", _nyse_open)
    assert roll_date("ESM26") == date(2026, 6, 11)
    assert expiry.toordinal() - roll_date("ESM26").toordinal() == 7


def test_roll_date_when_month_starts_on_friday_then_first_thursday() -> None:
    assert date(2012, 6, 1).weekday() == 4
    assert roll_date("ESM12") == date(2012, 6, 7)
    assert roll_date("ESM12").weekday() == 3


@pytest.mark.parametrize(("days", "expected"), [(0, date(2024, 3, 15)), (5, date(2024, 3, 10))])
def test_roll_date_when_days_before_third_friday_set_then_used(days: int, expected: date) -> None:
    assert roll_date("ESH24", days) == expected


@pytest.mark.parametrize("days", [-1, 21])
def test_roll_date_when_days_out_of_range_then_contract_error(days: int) -> None:
    with pytest.raises(ContractIdError, match=f"0..20, was {days}"):
        roll_date("ESH24", days)


def test_last_trading_day_when_predicate_never_open_then_contract_error() -> None:
    with pytest.raises(ContractIdError, match="no NYSE business day"):
        last_trading_day("ESH24", lambda _day: False)


def test_list_contracts_when_a_year_then_four_quarterlies_in_order() -> None:
    assert list_contracts(date(2024, 1, 1), date(2024, 12, 31)) == [
        "ESH24",
        "ESM24",
        "ESU24",
        "ESZ24",
    ]


def test_list_contracts_when_bounds_are_third_fridays_then_inclusive() -> None:
    assert list_contracts(date(2025, 6, 20), date(2025, 12, 19), root="MES") == [
        "MESM25",
        "MESU25",
        "MESZ25",
    ]
    assert list_contracts(date(2025, 6, 21), date(2025, 12, 18)) == ["ESU25"]


def test_list_contracts_when_end_before_start_then_contract_error() -> None:
    with pytest.raises(ContractIdError, match="end must be on or after start"):
        list_contracts(date(2025, 1, 2), date(2025, 1, 1))
