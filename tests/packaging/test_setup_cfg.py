"""setup.cfg lists every package directory, so a non-editable install ships all code."""

import configparser
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAPPING = {"seqkeras": "seqkeras", "seqkeras_export": "export", "seqkeras_edge": "edge"}


def _declared_packages():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    return {p.strip() for p in cfg["options"]["packages"].split() if p.strip()}


def _package_dirs():
    found = set()
    for name, directory in MAPPING.items():
        base = ROOT / directory
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            found.add(".".join((name, *rel.parts)))
    return found


def test_every_package_directory_is_declared():
    missing = _package_dirs() - _declared_packages()
    assert not missing, f"add these to [options] packages in setup.cfg: {sorted(missing)}"


def test_every_declared_package_exists():
    stale = _declared_packages() - _package_dirs()
    assert not stale, f"setup.cfg declares packages with no __init__.py: {sorted(stale)}"


def test_package_dir_mapping():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = [ln.strip() for ln in cfg["options"]["package_dir"].splitlines() if ln.strip()]
    mapping = dict(tuple(part.strip() for part in ln.split("=")) for ln in lines)
    assert mapping == MAPPING
