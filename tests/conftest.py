"""Shared pytest configuration: hypothesis profiles.

Profiles
--------
``ci``
    Deterministic: ``derandomize=True`` (examples derived from each test's source, no example
    database), 100 examples, no deadline, failing examples printed as reproduction blobs. The
    ``too_slow`` health check is off because it depends on machine load.
``dev``
    Random exploration with the local example database, 50 examples, no deadline.

The profile is ``$HYPOTHESIS_PROFILE`` when set, else ``ci`` when ``$CI`` is set (and not
``0``/``false``), else ``dev``. ``make test`` and ``.ci/run`` use ``ci``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None, print_blob=True)
# a search for inputs the fixed profiles miss: random, ten times the examples, run before a release
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _profile_name() -> str:
    explicit = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if explicit:
        return explicit
    ci = os.environ.get("CI", "").strip().lower()
    return "ci" if ci not in ("", "0", "false", "no") else "dev"


HYPOTHESIS_PROFILE = _profile_name()
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header(config: pytest.Config) -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE}"


_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    # In CI every extra is installed: a test skipped because an import failed hides a broken
    # install, so it counts as a failure there.
    outcome = yield
    report = outcome.get_result()
    if _CI and report.skipped and "could not import" in str(report.longrepr):
        report.outcome = "failed"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    # the same for a whole module skipped by a module-level importorskip
    outcome = yield
    report = outcome.get_result()
    if _CI and report.skipped and "could not import" in str(report.longrepr):
        report.outcome = "failed"
