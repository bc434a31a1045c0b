"""The ``svgkit`` command line: JSON out, exit 0 valid / 1 invalid / 2 usage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from svgkit.cli import main

GOOD = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'


def test_validate_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.svg"
    f.write_text(GOOD)
    assert main(["validate", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["code"] == "OK" and out["primitives"] == 1
    assert out["element_counts"] == {"rect": 1, "svg": 1}


def test_validate_invalid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "b.svg"
    f.write_bytes(b"<svg><rect></svg>")
    assert main(["validate", str(f)]) == 1
    assert json.loads(capsys.readouterr().out)["code"] == "XML_SYNTAX"


def test_validate_missing_file_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/nonexistent/file.svg"]) == 2


def test_no_arguments_is_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_validate_stdin_in_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "svgkit", "validate", "-"],
        input=b"```svg\n" + GOOD.encode() + b"\n```",
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True
    proc = subprocess.run(
        [sys.executable, "-m", "svgkit", "validate", "-"], input=b"no svg", capture_output=True, timeout=60
    )
    assert proc.returncode == 1 and json.loads(proc.stdout)["code"] == "NO_SVG"


def test_info_prints_the_scene_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.svg"
    f.write_text(GOOD)
    assert main(["info", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["primitives"] == 1 and out["kinds"]["rect"] == 1 and out["canvas"]["width"] == 10
