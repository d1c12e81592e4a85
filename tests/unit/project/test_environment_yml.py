"""environment.yml lists the same dependencies and ranges as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
CONDA_NAMES = {"psycopg2": "psycopg2-binary"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    assert match, requirement
    name = match.group(1).lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), match.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return dict(_split(r) for r in requirements)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found: dict[str, str] = {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            for requirement in item["pip"]:
                if not requirement.startswith("-e"):
                    name, spec = _split(requirement)
                    found[name] = spec
        elif not item.startswith(("python", "pip")):
            name, spec = _split(item)
            found[name] = spec
    return found


def test_environment_yml_has_same_dependencies_and_ranges_as_pyproject():
    assert _environment() == _pyproject()


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in env["dependencies"]
