"""The project root, relative data paths and store URLs read against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow_lib.research.paths import project_root, resolve_path, resolve_store_url

REPO = Path(__file__).resolve().parents[3]


def test_project_root_when_inside_notebooks_then_the_repository() -> None:
    assert project_root(REPO / "notebooks") == REPO


def test_project_root_when_outside_the_project_then_the_installed_project(tmp_path: Path) -> None:
    assert project_root(tmp_path) == REPO


def test_resolve_path_when_relative_then_under_the_root_and_absolute_kept(tmp_path: Path) -> None:
    assert resolve_path("data/x.dbn") == REPO / "data" / "x.dbn"
    assert resolve_path(tmp_path / "y") == tmp_path / "y"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:////abs/orderflow.sqlite",
        "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
    ],
)
def test_resolve_store_url_when_not_a_relative_file_then_unchanged(url: str) -> None:
    assert resolve_store_url(url) == url


def test_resolve_store_url_when_relative_sqlite_file_then_absolute_under_root() -> None:
    assert resolve_store_url("sqlite:///data/orderflow.sqlite") == (
        f"sqlite:///{REPO / 'data' / 'orderflow.sqlite'}"
    )
