"""Every error skywarden defines sits under SkywardenError and keeps its built-in base."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import skywarden
from skywarden import cli
from skywarden.errors import SkywardenError

# Modules that need an optional extra or start a browser are read as source instead.
_OPTIONAL = ("skywarden.ingest.fuzz",)


def _error_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(skywarden.__path__, "skywarden."):
        if info.name.startswith(_OPTIONAL) or "migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, Exception)
                and not issubclass(obj, Warning)
                and obj.__module__ == info.name
            ):
                found.append(obj)
    return found


def test_every_skywarden_exception_is_a_skywarden_error() -> None:
    classes = _error_classes()
    assert len(classes) >= 30  # the issue counts about 30
    outside = [
        f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, SkywardenError)
    ]
    assert outside == []


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("skywarden.model.InvalidRecord", ValueError),
        ("skywarden.refdata.UnknownAirport", KeyError),
        ("skywarden.store.snapshots.SnapshotError", RuntimeError),
        ("skywarden.ingest.asterix_worker.DecoderMissing", ImportError),
        ("skywarden.airspace.errors.PolicyError", ValueError),
    ],
)
def test_the_older_builtin_base_is_kept(name: str, builtin: type[BaseException]) -> None:
    module, _, cls = name.rpartition(".")
    err = getattr(importlib.import_module(module), cls)
    assert issubclass(err, builtin) and issubclass(err, SkywardenError)


def test_the_cli_prints_a_refusal_as_its_own_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skywarden.refdata import UnknownAirport

    def refuse(args: list[str] | None = None) -> None:
        raise UnknownAirport("KXYZ: not an airport in the reference data")

    monkeypatch.setattr(cli, "app", refuse)
    with pytest.raises(SystemExit) as e:
        cli.main(["analyze"])
    assert e.value.code == 2
    assert capsys.readouterr().err.strip() == "error: KXYZ: not an airport in the reference data"
