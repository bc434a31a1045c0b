"""Repair of the XML mistakes language models make, as an explicit, recorded policy.

Measured on real model output, almost every SVG that is not well-formed XML fails in one of four
ways; :func:`repair_svg` fixes exactly those (plus unescaped ``&``, the same kind of slip):

=====================  ==================================================================
code                   repair
=====================  ==================================================================
REPAIRED_NAMESPACE     declare a prefix used without ``xmlns:prefix`` on the root
                       (``xlink`` gets its real namespace, other prefixes a placeholder)
REPAIRED_DUPLICATE     keep the first of a duplicated attribute, as HTML parsers do
REPAIRED_STRAY_LT      escape a stray ``<`` (in an attribute value or text) as ``&lt;``
REPAIRED_AMPERSAND     escape an ``&`` that starts no entity or character reference
TRUNCATED_REPAIRED     close the open elements of a cut-off document (done by extraction)
=====================  ==================================================================

The scanner is linear and changes nothing it does not have to: a well-formed document comes
back byte for byte, and repairing a repaired document changes nothing (both are tested
properties). Comments, CDATA sections and processing instructions are copied verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Diagnostic

__all__ = ["RepairResult", "repair_svg"]

XLINK_NS = "http://www.w3.org/1999/xlink"
KNOWN_PREFIXES = {
    "xlink": XLINK_NS,
    "xml": "",  # predeclared by XML itself
    "sodipodi": "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "inkscape": "http://www.inkscape.org/namespaces/inkscape",
    "svg": "http://www.w3.org/2000/svg",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "cc": "http://creativecommons.org/ns#",
}

_NAME = re.compile(r"[A-Za-z_:][-\w.:]*")
_NCNAME = re.compile(r"[A-Za-z_][-\w.]*")
_XMLNS_DECL = re.compile(r"xmlns:([A-Za-z_][-\w.]*)\s*=")
_SPACE = re.compile(r"\s*")
_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][-\w.]*);")
_SPECIAL = {"<!--": "-->", "<![CDATA[": "]]>", "<?": "?>", "<!": ">"}


@dataclass(frozen=True)
class RepairResult:
    """The repaired text and one :class:`svgkit.Diagnostic` per kind of repair made.

    ``changed`` is ``False`` when the text came back unchanged.
    """

    text: str
    repairs: tuple[Diagnostic, ...]

    @property
    def changed(self) -> bool:
        return bool(self.repairs)


def repair_svg(text: str) -> RepairResult:
    """Fix the common XML mistakes of model-written SVG; see the module docstring for the list.

    Examples
    --------
    >>> r = repair_svg('<svg><use xlink:href="#a" x="1" x="2"/></svg>')
    >>> r.text
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a" x="1"/></svg>'
    >>> sorted(d.code for d in r.repairs)
    ['REPAIRED_DUPLICATE', 'REPAIRED_NAMESPACE']
    >>> repair_svg(r.text).changed
    False
    """
    out: list[str] = []
    counts: dict[str, int] = {}
    prefixes_used: set[str] = set()
    declared: set[str] = set()
    root_tag_end = -1  # index in `out` of the root start tag's closing ">" piece
    pos = 0
    n = len(text)
    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            out.append(_escape_ampersands(text[pos:], counts))
            break
        if lt > pos:
            out.append(_escape_ampersands(text[pos:lt], counts))
        special = next((k for k in _SPECIAL if text.startswith(k, lt)), None)
        if special is not None:
            end = text.find(_SPECIAL[special], lt + len(special))
            end = n if end < 0 else end + len(_SPECIAL[special])
            out.append(text[lt:end])
            pos = end
            continue
        if text.startswith("</", lt):
            end = text.find(">", lt)
            end = n if end < 0 else end + 1
            name = _NAME.match(text, lt + 2)
            if name and ":" in name.group(0):
                prefixes_used.add(name.group(0).split(":", 1)[0])
            out.append(text[lt:end])
            pos = end
            continue
        name_match = _NAME.match(text, lt + 1)
        if name_match is None:
            # a "<" that starts no tag: in text content it is a stray character
            out.append("&lt;")
            counts["REPAIRED_STRAY_LT"] = counts.get("REPAIRED_STRAY_LT", 0) + 1
            pos = lt + 1
            continue
        tag_name = name_match.group(0)
        if ":" in tag_name:
            prefixes_used.add(tag_name.split(":", 1)[0])
        piece, pos, attr_names = _repair_start_tag(text, lt, name_match.end(), counts)
        for attr in attr_names:
            if attr.startswith("xmlns:"):
                declared.add(attr[6:])
            elif ":" in attr:
                prefixes_used.add(attr.split(":", 1)[0])
        out.append(piece)
        if root_tag_end < 0:
            root_tag_end = len(out) - 1
    missing = sorted(
        p for p in prefixes_used - declared if _NCNAME.fullmatch(p) and p not in ("xml", "xmlns")
    )
    # declarations go into a complete root start tag only: an unterminated one is left to extraction
    if missing and root_tag_end >= 0 and out[root_tag_end].endswith(">"):
        root = out[root_tag_end]
        close = len(root) - (2 if root.endswith("/>") else 1)
        decls = "".join(
            f' xmlns:{p}="{KNOWN_PREFIXES.get(p) or f"urn:svgkit:undeclared:{p}"}"' for p in missing
        )
        out[root_tag_end] = root[:close] + decls + root[close:]
        counts["REPAIRED_NAMESPACE"] = len(missing)
    if not counts:
        return RepairResult(text, ())
    return RepairResult(
        "".join(out), tuple(_diagnostic(code, k) for code, k in sorted(counts.items()))
    )


def _repair_start_tag(
    text: str, lt: int, pos: int, counts: dict[str, int]
) -> tuple[str, int, list[str]]:
    """Copy one start tag from ``lt``, fixing duplicates and stray ``<`` in values."""
    pieces = [text[lt:pos]]
    seen: list[str] = []
    n = len(text)
    while pos < n:
        ws = _SPACE.match(text, pos)
        assert ws is not None
        space = ws.group(0)
        pos = ws.end()
        if text.startswith("/>", pos) or text.startswith(">", pos):
            end = pos + (2 if text[pos] == "/" else 1)
            pieces.append(space + text[pos:end])
            return "".join(pieces), end, seen
        name = _NAME.match(text, pos)
        if name is None:
            # not an attribute: leave the rest of the tag to the XML parser to judge
            end = text.find(">", pos)
            end = n if end < 0 else end + 1
            pieces.append(space + text[pos:end])
            # declarations in the unparsed rest still count, or a second pass would add them again
            seen += [f"xmlns:{p}" for p in _XMLNS_DECL.findall(text, pos, end)]
            return "".join(pieces), end, seen
        attr = name.group(0)
        after = _SPACE.match(text, name.end())
        assert after is not None
        eq = after.end()
        if eq >= n or text[eq] != "=":
            pieces.append(space + text[pos:eq])
            pos = eq
            continue
        vstart = _SPACE.match(text, eq + 1)
        assert vstart is not None
        q = vstart.end()
        if q >= n or text[q] not in "\"'":
            pieces.append(space + text[pos:q])
            pos = q
            continue
        close = text.find(text[q], q + 1)
        if close < 0:
            pieces.append(space + text[pos:])
            return "".join(pieces), n, seen
        value = text[q + 1 : close]
        if "<" in value:
            counts["REPAIRED_STRAY_LT"] = counts.get("REPAIRED_STRAY_LT", 0) + value.count("<")
            value = value.replace("<", "&lt;")
        fixed_value = _escape_ampersands(value, counts)
        if attr in seen:
            counts["REPAIRED_DUPLICATE"] = counts.get("REPAIRED_DUPLICATE", 0) + 1
        else:
            seen.append(attr)
            pieces.append(space + text[pos : q + 1] + fixed_value + text[close])
        pos = close + 1
    return "".join(pieces), n, seen


def _escape_ampersands(chunk: str, counts: dict[str, int]) -> str:
    if "&" not in chunk:
        return chunk
    parts: list[str] = []
    pos = 0
    while True:
        amp = chunk.find("&", pos)
        if amp < 0:
            parts.append(chunk[pos:])
            break
        parts.append(chunk[pos:amp])
        ref = _REFERENCE.match(chunk, amp)
        if ref is not None:
            parts.append(ref.group(0))
            pos = ref.end()
        else:
            parts.append("&amp;")
            counts["REPAIRED_AMPERSAND"] = counts.get("REPAIRED_AMPERSAND", 0) + 1
            pos = amp + 1
    return "".join(parts)


_MESSAGES = {
    "REPAIRED_NAMESPACE": "declared {k} namespace prefix(es) used without a declaration",
    "REPAIRED_DUPLICATE": "dropped {k} duplicated attribute(s), keeping the first",
    "REPAIRED_STRAY_LT": "escaped {k} stray '<' character(s) as &lt;",
    "REPAIRED_AMPERSAND": "escaped {k} '&' character(s) that started no reference",
}


def _diagnostic(code: str, k: int) -> Diagnostic:
    return Diagnostic(code, _MESSAGES[code].format(k=k), "svg")
