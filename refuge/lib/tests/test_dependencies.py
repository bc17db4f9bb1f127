"""Dependencies are declared, bounded, and locked to what CI tested."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = Version(version)
    return pins


def test_every_runtime_dependency_has_an_upper_bound():
    unbounded = [spec for spec in PROJECT["dependencies"]
                 if not any(s.operator in ("<", "<=", "==", "~=")
                            for s in Requirement(spec).specifier)]
    assert unbounded == []


def test_the_lock_file_pins_every_declared_dependency_within_its_bounds():
    pins = locked()
    for spec in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]:
        requirement = Requirement(spec)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock"
        assert pins[name] in requirement.specifier, f"{name} {pins[name]} outside {spec}"
