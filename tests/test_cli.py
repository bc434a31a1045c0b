"""The ``svgkit`` command line: JSON out, exit 0 valid / 1 invalid / 2 usage."""

from __future__ import annotations

import json
import os
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


# ---------------------------------------------------------------------------------------------
# paths the command cannot use: one line naming the path, exit status 2, never a traceback
# ---------------------------------------------------------------------------------------------


def _one_line_error(capsys: pytest.CaptureFixture[str], path: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and path in err and "Traceback" not in err
    return err


@pytest.mark.parametrize("command", ["validate", "info", "render"])
def test_a_directory_is_refused_with_one_line(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["-o", str(tmp_path / "out.png")] if command == "render" else []
    assert main([command, str(tmp_path), *extra]) == 2
    assert "is a directory" in _one_line_error(capsys, str(tmp_path))


def test_a_fifo_is_refused_before_anything_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would block forever without a writer
    assert main(["validate", str(fifo)]) == 2
    assert "not a regular file" in _one_line_error(capsys, str(fifo))


def test_an_endless_device_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "/dev/zero"]) == 2
    assert "not a regular file" in _one_line_error(capsys, "/dev/zero")


def test_a_missing_file_names_its_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "/nonexistent/file.svg"]) == 2
    assert "No such file" in _one_line_error(capsys, "/nonexistent/file.svg")


def test_an_output_in_a_missing_directory_names_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "a.svg"
    src.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>')
    out = tmp_path / "missing" / "a.png"
    assert main(["render", str(src), "-o", str(out), "--size", "16"]) == 2
    assert "cannot write" in _one_line_error(capsys, str(out))


def test_standard_input_is_read_with_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # an endless stream on stdin is cut one byte past the input limit and refused as LIMIT
    class Endless:
        def read(self, n: int = -1) -> bytes:
            assert n > 0, "read without a bound"
            return b"<" * n

    monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": Endless()})())
    assert main(["validate", "-"]) == 1
