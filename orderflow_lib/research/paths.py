"""Where research finds the project: its root folder, data paths and the store.

Notebooks run with their own folder as the working directory (JupyterLab) or wherever papermill
puts them, so relative paths in their parameters are read against the project root, the folder
that holds `pyproject.toml` and `notebooks/`, exactly as the `orderflow` command reads them there.
"""

from __future__ import annotations

import os
from pathlib import Path

from orderflow_lib.core.config import Settings, load_settings
from orderflow_lib.store import Store, open_store
from orderflow_lib.store.urls import parse_url, sqlite_file

ROOT_MARKERS = ("pyproject.toml", "notebooks")


def project_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) holding
    pyproject.toml and notebooks/, else the project this package was installed from (an
    editable install), else the working directory."""
    here = (Path.cwd() if start is None else Path(start)).resolve()
    package = Path(__file__).resolve().parents[2]
    for folder in (here, *here.parents, package):
        if all((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return here


def resolve_path(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Path:
    """`path` itself when absolute, else read against the project root."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    return project_root(root) / candidate


def resolve_store_url(url: str | None = None, root: str | os.PathLike[str] | None = None) -> str:
    """The database URL with a relative SQLite file made absolute against the project root.

    `url` None takes settings.database_url (ORDERFLOW_DATABASE_URL, else data/orderflow.sqlite).
    """
    text = load_settings().database_url if url is None else url
    path = sqlite_file(parse_url(text))
    if path is None or path.is_absolute():
        return text
    _, question, query = text.partition("?")
    return f"sqlite:///{resolve_path(path, root)}{question}{query}"


def open_research_store(
    url: str | None = None, root: str | os.PathLike[str] | None = None
) -> Store:
    """Open the store at `url` (see `resolve_store_url`), migrated to the newest schema."""
    return open_store(resolve_store_url(url, root))


def research_settings(settings: Settings | None = None) -> Settings:
    """`settings` or the ones loaded from the TOML file and ORDERFLOW_* variables."""
    return load_settings() if settings is None else settings
