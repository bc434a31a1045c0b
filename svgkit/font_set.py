"""Which fonts a render may use: the system's, given directories only, or the pinned set.

Text is laid out when a document is parsed, so the fonts a picture is drawn with are decided
by :func:`svgkit.parse` (and the :func:`svgkit.render` / :func:`svgkit.render_many` calls that
parse text). By default every font fontconfig knows is used, so a render depends on the fonts the
machine has. ``font_dirs=[...]`` adds directories (or single font files) and
``system_fonts=False`` leaves the machine's fonts out, so a render then depends only on the files
given: the same pixels on every machine.

The pinned set
--------------
:func:`pinned_font_files` is a small default set with wide coverage (Latin, Greek, Cyrillic,
box drawing, many symbols): the twelve DejaVu faces (Sans, Serif and Sans Mono, each regular,
bold, italic/oblique and bold italic/oblique; Bitstream Vera licence with DejaVu's changes in the
public domain, freely redistributable). They are not copied into svgkit: the optional extra
``svgkit[fonts]`` installs the matplotlib wheel, which ships them in ``mpl-data/fonts/ttf``, and
svgkit locates them there without importing matplotlib and checks each file against the SHA-256
recorded here, so a set that differs by a byte is refused rather than silently used.

Examples
--------
>>> opts = font_options(None, True)
>>> opts.font_dirs, opts.system_fonts, opts.is_system
((), True, True)
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ErrorCode, SVGKitError

__all__ = [
    "FONT_EXTENSIONS",
    "PINNED_FAMILIES",
    "PINNED_SHA256",
    "SYSTEM_FONTS",
    "FontOptions",
    "FontSetError",
    "active_fonts",
    "font_files",
    "font_options",
    "pinned_available",
    "pinned_font_files",
    "pinned_fonts",
    "using_fonts",
]

#: File name endings scanned in a ``font_dirs`` directory (fontconfig reads all of these).
FONT_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2", ".pfb", ".pfa")
#: A directory tree is scanned for at most this many font files and folders (``font_dirs=["/"]``
#: must not walk the whole disk).
MAX_FONT_FILES = 4096
MAX_FONT_FOLDERS = 4096

#: The pinned faces and their SHA-256, as shipped in matplotlib 3.11.2's ``mpl-data/fonts/ttf``
#: (DejaVu 2.37; the same bytes in every platform's wheel).
PINNED_SHA256: dict[str, str] = {
    "DejaVuSans.ttf": "3fdf69cabf06049ea70a00b5919340e2ce1e6d02b0cc3c4b44fb6801bd1e0d22",
    "DejaVuSans-Bold.ttf": "b184b89e3c1075f22f6b71575b6fc20d4972b3cfd3b23322ca6fd596dcaef167",
    "DejaVuSans-Oblique.ttf": "ccdf74b350f11fd3dd5774de50e5e6346a1a5da1f5b7d5fb83590665e97a5213",
    "DejaVuSans-BoldOblique.ttf": (
        "6edf0283160186af451cbee71e7b845f2e4cabf264bb992ce668c83c25465e6f"
    ),
    "DejaVuSerif.ttf": "107244956e9962b9e96faccdc551825e0ae0898ae13737133e1b921a2fd35ffa",
    "DejaVuSerif-Bold.ttf": "c3753f2ed6bc673f15846dc45addbeb3b9c872f32fb18fd53a21f1bef1ed7676",
    "DejaVuSerif-Italic.ttf": "3e7994fbc54fa10ce3352a42d548fadd7d9cadb69cb1109bc9d960f6dac57f04",
    "DejaVuSerif-BoldItalic.ttf": (
        "d93efec7a9d2e826768d1a2ee95b95870e15e29599a84f3484af1de1cec2e181"
    ),
    "DejaVuSansMono.ttf": "602ec86b8948cfcd956482fe64f94c36c867770149ef2f791d4613f443bcecb3",
    "DejaVuSansMono-Bold.ttf": "baada9a5172fe20886251aff0433fc38461912d5daf07287e7bee56620a8da96",
    "DejaVuSansMono-Oblique.ttf": (
        "28052813f7a709fc89f52d192dc995ef4f0fdc5c3d7b73a49d6849b1916d0cd0"
    ),
    "DejaVuSansMono-BoldOblique.ttf": (
        "a69081c15c76c827e0a27a5a7f5c74b6135c843499955495ffa8c20d3a98288b"
    ),
}
#: The generic families of the pinned set.
PINNED_FAMILIES: dict[str, str] = {
    "serif": "DejaVu Serif",
    "sans-serif": "DejaVu Sans",
    "monospace": "DejaVu Sans Mono",
    "cursive": "DejaVu Sans",
    "fantasy": "DejaVu Sans",
}
_PINNED_DIST = "matplotlib"
_PINNED_DIR = "matplotlib/mpl-data/fonts/ttf"
_INSTALL_HINT = "install the pinned set with `pip install 'svgkit[fonts]'`"


class FontSetError(SVGKitError):
    """A requested font set cannot be used: the pinned files are missing or differ from the
    pinned bytes, or ``font_dirs`` without system fonts hold no usable font.

    ``code`` is ``BAD_INPUT`` (the font arguments name fonts this machine cannot provide);
    ``details`` holds ``reason`` (``"missing"``, ``"mismatch"`` or ``"empty"``) and the affected
    ``files`` (for ``"empty"``, the ``font_dirs``).

    Examples
    --------
    >>> err = FontSetError("missing", ["DejaVuSans.ttf"])
    >>> err.code, err.details["reason"]
    ('BAD_INPUT', 'missing')
    """

    def __init__(self, reason: str, files: Sequence[str]) -> None:
        names = f"{', '.join(files[:3])}{', ...' if len(files) > 3 else ''}"
        if reason == "empty":
            message = f"font_dirs hold no usable font file ({names}) and system fonts are off"
        else:
            what = "is not installed" if reason == "missing" else "does not match its SHA-256"
            message = f"pinned font set {what} ({names}); {_INSTALL_HINT}"
        super().__init__(
            ErrorCode.BAD_INPUT, message, details={"reason": reason, "files": list(files)}
        )


@dataclass(frozen=True)
class FontOptions:
    """The fonts one parse may use (hashable: the font caches are keyed by it).

    Parameters
    ----------
    font_dirs
        Absolute paths of directories (scanned recursively) and single font files, in order.
    system_fonts
        Whether the fonts fontconfig finds on the machine are used too.
    """

    font_dirs: tuple[str, ...] = ()
    system_fonts: bool = True

    @property
    def is_system(self) -> bool:
        """Whether these are the plain system fonts (fontconfig's own configuration)."""
        return self.system_fonts and not self.font_dirs


#: The default: the machine's fonts through fontconfig's own configuration.
SYSTEM_FONTS = FontOptions()


def font_options(
    font_dirs: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None,
    system_fonts: bool,
) -> FontOptions:
    """Check and normalise the ``font_dirs`` / ``system_fonts`` arguments of the public API.

    Raises
    ------
    TypeError
        For a ``font_dirs`` that is not a sequence of paths or a ``system_fonts`` that is not bool.
    ValueError
        For ``system_fonts=False`` without any ``font_dirs`` (nothing could draw text).

    Examples
    --------
    >>> font_options(["/nonexistent/fonts"], False).font_dirs
    ('/nonexistent/fonts',)
    """
    if not isinstance(system_fonts, bool):
        raise TypeError(f"Expected `system_fonts` to be a bool, but got {system_fonts!r}")
    if font_dirs is None:
        dirs: tuple[str, ...] = ()
    else:
        if isinstance(font_dirs, (str, os.PathLike)):
            font_dirs = [font_dirs]
        try:
            items = list(font_dirs)
        except TypeError:
            raise TypeError(
                f"Expected `font_dirs` to be a list of paths, but got {type(font_dirs).__name__}"
            ) from None
        if not all(isinstance(d, (str, os.PathLike)) for d in items):
            raise TypeError(f"Expected `font_dirs` to be a list of paths, but got {items!r}")
        dirs = tuple(dict.fromkeys(os.path.abspath(os.fspath(d)) for d in items))
    if not system_fonts and not dirs:
        raise ValueError("`system_fonts=False` needs `font_dirs`: no font could draw text")
    if not dirs and system_fonts:
        return SYSTEM_FONTS
    return FontOptions(dirs, system_fonts)


def font_files(options: FontOptions) -> list[str]:
    """The font files ``options.font_dirs`` name, in a stable order (each directory sorted).

    Unreadable or missing entries are skipped: a render then falls back as for a missing family.
    """
    out: list[str] = []
    for entry in options.font_dirs:
        if os.path.isfile(entry):
            out.append(entry)
            continue
        found: list[str] = []
        for folders, (root, subdirs, files) in enumerate(os.walk(entry, followlinks=False)):
            subdirs.sort()
            found.extend(
                os.path.join(root, f) for f in sorted(files) if f.lower().endswith(FONT_EXTENSIONS)
            )
            if len(found) >= MAX_FONT_FILES or folders >= MAX_FONT_FOLDERS:
                break
        out.extend(found[:MAX_FONT_FILES])
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------
# the pinned set
# ---------------------------------------------------------------------------------------------


def _pinned_dir() -> Path | None:
    """Where the installed matplotlib keeps its fonts, found without importing it."""
    import importlib.metadata  # here: ``import svgkit`` stays cheap
    import importlib.util

    try:
        dist = importlib.metadata.distribution(_PINNED_DIST)
        where = Path(str(dist.locate_file(_PINNED_DIR)))
        if where.is_dir():
            return where
    except (importlib.metadata.PackageNotFoundError, OSError, ValueError):
        pass
    try:  # an unusual install without metadata: find_spec reads the path, imports nothing
        spec = importlib.util.find_spec(_PINNED_DIST)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        where = Path(loc) / "mpl-data" / "fonts" / "ttf"
        if where.is_dir():
            return where
    return None


_verified: dict[tuple[str, int, int], bool] = {}


def _sha_ok(path: Path, expected: str) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns)
    ok = _verified.get(key)
    if ok is None:
        try:
            ok = hashlib.sha256(path.read_bytes()).hexdigest() == expected
        except OSError:
            ok = False
        _verified[key] = ok
    return ok


def pinned_font_files() -> tuple[str, ...]:
    """The twelve pinned DejaVu files, each checked against its recorded SHA-256.

    Pass them as ``font_dirs`` with ``system_fonts=False`` (or use :func:`pinned_fonts`).

    Raises
    ------
    FontSetError
        When the ``fonts`` extra is not installed, or a file differs from the pinned bytes.

    Examples
    --------
    >>> files = pinned_font_files() if pinned_available() else tuple(PINNED_SHA256)
    >>> len(files)
    12
    """
    where = _pinned_dir()
    if where is None:
        raise FontSetError("missing", sorted(PINNED_SHA256))
    missing = [n for n in PINNED_SHA256 if not (where / n).is_file()]
    if missing:
        raise FontSetError("missing", missing)
    bad = [n for n, sha in PINNED_SHA256.items() if not _sha_ok(where / n, sha)]
    if bad:
        raise FontSetError("mismatch", bad)
    return tuple(str(where / n) for n in PINNED_SHA256)


def pinned_available() -> bool:
    """Whether :func:`pinned_font_files` succeeds on this machine."""
    try:
        pinned_font_files()
    except FontSetError:
        return False
    return True


def pinned_fonts() -> FontOptions:
    """The pinned set alone (``system_fonts=False``): the reward engine's default fonts.

    Raises
    ------
    FontSetError
        As :func:`pinned_font_files`.
    """
    return FontOptions(pinned_font_files(), False)


# ---------------------------------------------------------------------------------------------
# the fonts of the parse in progress
# ---------------------------------------------------------------------------------------------

# a context variable, not a global: parses in threads (the reward engine's executors) may each
# use other fonts, and the layout code deep below parse() needs no extra argument
_ACTIVE: contextvars.ContextVar[FontOptions] = contextvars.ContextVar(
    "svgkit_fonts", default=SYSTEM_FONTS
)


def active_fonts() -> FontOptions:
    """The font options of the parse running in this context (:data:`SYSTEM_FONTS` outside)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using_fonts(options: FontOptions) -> Iterator[None]:
    """Make ``options`` the fonts that text is matched with inside the ``with`` block."""
    token = _ACTIVE.set(options)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
