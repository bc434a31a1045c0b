"""Find the SVG document in raw language-model output.

A completion is prose with the SVG somewhere inside: in a markdown fence, in an ``<answer>`` block,
after a ``<think>`` section, or bare. :func:`extract_svg` returns the SVG text;
:func:`extract_svg_ex` also says which candidate was chosen and what had to be changed;
:func:`extract_svg_candidates` lists every candidate. The rules are in ``docs/extraction.md``.

Every function here runs in time linear in the length of the input: the scan is a sequence of
``str.find`` calls and anchored matches of small regexes without nested quantifiers, and every
position of the text is examined a bounded number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..errors import Diagnostic, ErrorCode, SVGKitError

__all__ = [
    "Extraction",
    "SVGCandidate",
    "extract_svg",
    "extract_svg_candidates",
    "extract_svg_ex",
]

Which = Literal["last", "first", "largest"]
Source = Literal["fence", "answer", "bare"]

_WHICH: tuple[str, ...] = ("last", "first", "largest")

# Everything the scanner reacts to that starts with "<", in one pattern so one search finds the
# next event. Alternatives are literal or bounded; "\s*" before ">" can only run over one
# whitespace run, which no other match attempt re-reads.
def _markup(root: str) -> re.Pattern[str]:
    return re.compile(
        r"<(?:"
        r"(?P<mark>/?(?:think|thinking|answer))>"
        rf"|(?P<open>{root})(?=[\s/>]|\Z)"
        rf"|(?P<close>/{root})\s*>"
        r"|(?P<skip>!--|!\[CDATA\[|\?)"
        r")"
    )


_MARKUP = _markup("svg")
# the root may carry a namespace prefix (<svg:svg xmlns:svg="…">; the parser checks that the
# prefix is bound to the SVG namespace); only text holding ":svg" pays for the prefix search
_MARKUP_PREFIXED = _markup(r"(?:[A-Za-z_][\w.-]*:)?svg")
# A run of three or more backticks or tildes; whether it starts a line is checked by hand.
_FENCE_RUN = re.compile(r"`{3,}|~{3,}")
_BACKTICKS = re.compile(r"`+")
_TILDES = re.compile(r"~+")
# Pieces of a start tag: text outside quotes, and the inside of a quoted value. XML forbids "<"
# inside attribute values, so a quote never swallows the next tag: every scan stops at "<".
_TAG_PLAIN = re.compile(r"[^\"'<>]*")
_DOUBLE_QUOTED = re.compile(r'[^"<]*')
_SINGLE_QUOTED = re.compile(r"[^'<]*")
_WHITESPACE = re.compile(r"\s*")
_NAME = r"[A-Za-z_:\u0080-\U0010ffff][^\s/<>]*"
# One token of the repair tokenizer. A start tag whose attributes hold no quote is matched whole
# (the common case); otherwise _scan_tag continues after the unquoted part. NAME and the
# attribute part overlap, but nothing after them can fail, so the regex never backtracks.
_TOKEN = re.compile(
    r"<(?:"
    rf"(?P<start>(?P<name>{_NAME})[^\"'<>]*(?P<gt>>)?)"
    rf"|(?P<end>/(?P<end_name>{_NAME})\s*>)"
    r"|(?P<skip>!--|!\[CDATA\[|\?)"
    r"|(?P<decl>!)"
    r")"
)
_PARTIAL_END_TAG = re.compile(rf"</?\Z|</{_NAME}\s*\Z")
_PARTIAL_REFERENCE = re.compile(r"&#?[\w.:-]*")
_DOCTYPE_SUBSET_END = re.compile(r"\]\s*>")
_ANY_CASE_SVG = re.compile(r"<\s*svg[\s/>]", re.IGNORECASE)

# Terminators of the constructs whose content is not markup (comments, CDATA, processing
# instructions), keyed by what follows "<".
_SKIP_END = {"!--": "-->", "![CDATA[": "]]>", "?": "?>"}

# Outcomes of scanning a start tag.
_COMPLETE = 0
_SELF_CLOSING = 1
_MALFORMED = 2  # a "<" came before the closing ">": not a tag; scanning resumes at that "<"
_PARTIAL = 3  # the text ended inside the tag


@dataclass(frozen=True, slots=True)
class SVGCandidate:
    """One ``<svg>`` element found in the text, complete or cut off.

    Parameters
    ----------
    start
        Offset in the (decoded) text where :attr:`text` begins: the ``<svg`` start tag, or the
        ``<!DOCTYPE`` / ``<?xml`` prolog attached directly before it.
    end
        Offset just past the matching ``</svg>``; for a truncated candidate, where it was cut
        off: the end of the text, a closing fence line, a ``<think>``/``<answer>`` marker, or an
        unterminated comment.
    text
        ``text[start:end]`` of the input, unmodified.
    complete
        Whether the outer ``<svg>`` is closed by its matching ``</svg>``.
    source
        What encloses it: ``"fence"`` (a markdown code fence), ``"answer"`` (an ``<answer>``
        block, not fenced), or ``"bare"``.
    in_think
        Whether it lies inside a ``<think>`` section.
    in_answer
        Whether it lies inside an ``<answer>`` block (fenced or not).

    Examples
    --------
    >>> from svgkit.ingest.extract import extract_svg_candidates
    >>> [c.source for c in extract_svg_candidates("```svg\\n<svg></svg>\\n```")]
    ['fence']
    """

    start: int
    end: int
    text: str
    complete: bool
    source: Source
    in_think: bool
    in_answer: bool


@dataclass(frozen=True, slots=True)
class Extraction:
    """The result of :func:`extract_svg_ex`.

    Parameters
    ----------
    svg
        The SVG text to parse. Equal to ``candidate.text`` unless the candidate was repaired.
    candidate
        The candidate that was chosen.
    repaired
        Whether ``svg`` was produced by closing the tags of a truncated candidate.
    warnings
        What the caller should know: ``TRUNCATED_REPAIRED``, ``SVG_IN_THINK``,
        ``TRUNCATED_SKIPPED``, ``INVALID_UTF8`` (see ``docs/extraction.md``).

    Examples
    --------
    >>> from svgkit.ingest.extract import extract_svg_ex
    >>> ex = extract_svg_ex('<svg><rect width="4"/>', repair=True)
    >>> ex.svg, ex.repaired, [w.code for w in ex.warnings]
    ('<svg><rect width="4"/></svg>', True, ['TRUNCATED_REPAIRED'])
    """

    svg: str
    candidate: SVGCandidate
    repaired: bool
    warnings: tuple[Diagnostic, ...]


@dataclass(slots=True)
class _Found:
    """A candidate while scanning: mutable because a stray ``</think>`` re-labels earlier ones."""

    start: int
    svg_start: int
    end: int
    complete: bool
    source: Source
    in_think: bool
    in_answer: bool

    def public(self, text: str) -> SVGCandidate:
        return SVGCandidate(
            self.start,
            self.end,
            text[self.start : self.end],
            self.complete,
            self.source,
            self.in_think,
            self.in_answer,
        )


def extract_svg(
    text: str | bytes | bytearray, *, which: Which = "last", repair: bool = False
) -> str:
    """Return the SVG document contained in language-model output.

    Parameters
    ----------
    text
        The raw completion. ``bytes`` are decoded as UTF-8; invalid sequences become U+FFFD.
    which
        Which candidate wins when there are several: ``"last"`` (default: models revise
        drafts), ``"first"``, or ``"largest"`` (most characters; ties go to the later one).
        Complete candidates always beat truncated ones.
    repair
        When the chosen SVG is truncated, close its open tags instead of raising ``TRUNCATED``.

    Returns
    -------
    str
        The text from the ``<svg`` start tag to its matching ``</svg>`` (preceded by a
        ``<!DOCTYPE`` prolog when one is attached, so that the parser can refuse it).

    Raises
    ------
    SVGKitError
        ``NO_SVG`` when there is no ``<svg>`` element, ``TRUNCATED`` when the only candidates are
        cut off (and ``repair`` is false), ``BAD_INPUT`` when ``text`` is not text.

    Examples
    --------
    >>> reply = "<think>a circle?</think>Here it is:\\n```svg\\n<svg><circle r='4'/></svg>\\n```"
    >>> extract_svg(reply)
    "<svg><circle r='4'/></svg>"
    >>> extract_svg("<svg><g><rect/>", repair=True)
    '<svg><g><rect/></g></svg>'
    """
    return extract_svg_ex(text, which=which, repair=repair).svg


def extract_svg_ex(
    text: str | bytes | bytearray, *, which: Which = "last", repair: bool = False
) -> Extraction:
    """Like :func:`extract_svg`, but also return the chosen candidate and warnings.

    Parameters
    ----------
    text, which, repair
        As for :func:`extract_svg`.

    Returns
    -------
    Extraction
        The SVG text, the :class:`SVGCandidate` it came from, whether it was repaired, and
        warnings as :class:`svgkit.Diagnostic` (codes ``TRUNCATED_REPAIRED``, ``SVG_IN_THINK``,
        ``TRUNCATED_SKIPPED``, ``INVALID_UTF8``).

    Raises
    ------
    SVGKitError
        As for :func:`extract_svg`.

    Examples
    --------
    >>> ex = extract_svg_ex("<answer><svg><rect/></svg></answer> draft: <svg></svg>")
    >>> ex.svg, ex.candidate.source, ex.repaired
    ('<svg><rect/></svg>', 'answer', False)
    """
    if which not in _WHICH:
        raise ValueError(f"Expected `which` to be one of {', '.join(_WHICH)}, but got {which!r}")
    if not isinstance(repair, bool):
        raise TypeError(f"Expected `repair` to be a bool, but got {repair!r}")
    warnings: list[Diagnostic] = []
    decoded = _as_text(text, warnings)
    found = _scan(decoded) if _may_hold_svg(decoded) else []

    pool = [f for f in found if not f.in_think]
    if not pool:
        pool = found
        if pool:
            warnings.append(
                Diagnostic("SVG_IN_THINK", "every <svg> is inside a <think> section", "svg")
            )
    if not pool:
        raise _no_svg_error(decoded)
    answered = [f for f in pool if f.in_answer]
    if answered:
        pool = answered

    complete = [f for f in pool if f.complete]
    truncated = [f for f in pool if not f.complete]
    if complete:
        chosen = _pick(complete, which)
        if truncated:
            warnings.append(
                Diagnostic(
                    "TRUNCATED_SKIPPED",
                    f"a truncated <svg> at offset {truncated[-1].svg_start} was skipped",
                    "svg",
                )
            )
        candidate = chosen.public(decoded)
        return Extraction(candidate.text, candidate, False, tuple(warnings))

    chosen = _pick(truncated, which)
    if not repair:
        raise SVGKitError(
            ErrorCode.TRUNCATED,
            f"the <svg> starting at offset {chosen.svg_start} has no closing </svg>",
            details={"start": chosen.svg_start},
        )
    prolog = decoded[chosen.start : chosen.svg_start]
    svg = prolog + _close_open_tags(decoded[chosen.svg_start : chosen.end])
    warnings.append(
        Diagnostic(
            "TRUNCATED_REPAIRED",
            "the <svg> was cut off; a partial trailing tag was dropped and open tags closed",
            "svg",
        )
    )
    return Extraction(svg, chosen.public(decoded), True, tuple(warnings))


def extract_svg_candidates(text: str | bytes | bytearray) -> list[SVGCandidate]:
    """Return every ``<svg>`` candidate in the text, in document order.

    Nested ``<svg>`` elements are part of their outer candidate, not candidates of their own.
    Truncated candidates are listed with ``complete=False`` and their text unrepaired. Start tags
    that are only mentioned in prose (``"the <svg> element"``) and empty ``<svg/>`` are not
    candidates.

    Parameters
    ----------
    text
        The raw completion (``str`` or UTF-8 ``bytes``).

    Returns
    -------
    list of SVGCandidate
        Possibly empty; this function raises only ``BAD_INPUT``.

    Examples
    --------
    >>> cands = extract_svg_candidates("Draft <svg id='a'></svg> final <svg id='b'><rect/>")
    >>> [(c.text, c.complete) for c in cands]
    [("<svg id='a'></svg>", True), ("<svg id='b'><rect/>", False)]
    """
    decoded = _as_text(text, [])
    if not _may_hold_svg(decoded):
        return []
    return [f.public(decoded) for f in _scan(decoded)]


def _may_hold_svg(text: str) -> bool:
    """Whether ``text`` can hold an ``<svg>`` start tag, prefixed (``<svg:svg``) or not."""
    return "<svg" in text or ":svg" in text


def _as_text(text: object, warnings: list[Diagnostic]) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append(
                Diagnostic("INVALID_UTF8", "the input is not valid UTF-8; bad bytes became U+FFFD")
            )
            return raw.decode("utf-8", errors="replace")
    raise SVGKitError(ErrorCode.BAD_INPUT, f"expected str or bytes, got {type(text).__name__}")


def _pick(candidates: list[_Found], which: str) -> _Found:
    if which == "first":
        return candidates[0]
    if which == "largest":
        # max() keeps the first of equals; scanning reversed makes ties go to the later one
        return max(reversed(candidates), key=lambda f: f.end - f.start)
    return candidates[-1]


def _no_svg_error(text: str) -> SVGKitError:
    hints: list[str] = []
    if "&lt;svg" in text or "&lt;SVG" in text:
        hints.append("the text holds HTML-escaped markup (&lt;svg); unescape it first")
    if "<svg" in text:
        hints.append("'<svg' appears only in prose, as an empty <svg/> or inside another name")
    elif _ANY_CASE_SVG.search(text) is not None:
        hints.append("found an <svg> tag in another letter case; SVG element names are lowercase")
    message = "no <svg> element found"
    if hints:
        message += " (" + "; ".join(hints) + ")"
    return SVGKitError(ErrorCode.NO_SVG, message, details={"hints": hints} if hints else None)


def _scan_tag(text: str, pos: int) -> tuple[int, int, int]:
    """Scan a start tag from just after its name.

    Returns ``(end, outcome, last_good)``: ``end`` is just past ``>`` for a complete tag, the
    offset of the offending ``<`` for a malformed one and ``len(text)`` for a partial one;
    ``last_good`` is the offset just after the last complete quoted attribute value (or ``pos``).
    """
    n = len(text)
    last_good = pos
    while True:
        match = _TAG_PLAIN.match(text, pos)
        pos = match.end() if match is not None else pos
        if pos >= n:
            return n, _PARTIAL, last_good
        char = text[pos]
        if char == ">":
            outcome = _SELF_CLOSING if text[pos - 1] == "/" else _COMPLETE
            return pos + 1, outcome, last_good
        if char == "<":
            return pos, _MALFORMED, last_good
        quoted = _DOUBLE_QUOTED if char == '"' else _SINGLE_QUOTED
        match = quoted.match(text, pos + 1)
        pos = match.end() if match is not None else pos + 1
        if pos >= n:
            return n, _PARTIAL, last_good
        if text[pos] == "<":
            return pos, _MALFORMED, last_good
        pos += 1
        last_good = pos


def _is_fence_line(text: str, line_start: int, run_start: int) -> bool:
    """Whether only spaces and tabs lie between ``line_start`` and ``run_start``."""
    return (
        text.count(" ", line_start, run_start) + text.count("\t", line_start, run_start)
        == run_start - line_start
    )


class _FenceFinder:
    """Finds fence-like lines left to right; remembers the next ``` and ~~~ so no text is re-read.

    ``str.find`` is several times faster than a regex search here, which matters because every
    completion in an RL batch goes through this scan.
    """

    __slots__ = ("_next", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._next = {"```": -2, "~~~": -2}  # -2: not searched yet; -1: none left

    def _find(self, marker: str, pos: int) -> int:
        at = self._next[marker]
        if at == -1 or at >= pos:
            return at
        at = self._text.find(marker, pos)
        self._next[marker] = at
        return at

    def next(self, pos: int) -> tuple[int, int, int] | None:
        """The next ``(line_start, run_start, run_end)`` at or after ``pos``, or ``None``."""
        text = self._text
        while True:
            backtick, tilde = self._find("```", pos), self._find("~~~", pos)
            if backtick < 0 and tilde < 0:
                return None
            if backtick < 0 or 0 <= tilde < backtick:
                run_start, run = tilde, _TILDES
            else:
                run_start, run = backtick, _BACKTICKS
            match = run.match(text, run_start)
            run_end = match.end() if match is not None else run_start + 3
            # walk back over the indentation only: each run has its own, so no text is re-read
            line_start = run_start
            while line_start > 0 and text[line_start - 1] in " \t":
                line_start -= 1
            if line_start == 0 or text[line_start - 1] == "\n":
                return line_start, run_start, run_end
            pos = run_end


def _is_mention(text: str, tag_end: int) -> bool:
    """Whether the start tag ending at ``tag_end`` is a tag named in prose, not a document.

    An SVG document has no character data of its own directly after its start tag (whitespace
    at most before the first child or reference); prose such as ``"the <svg> element"`` has
    words there. The end of the text and a fence line right after the tag count as a cut-off
    document.
    """
    ws = _WHITESPACE.match(text, tag_end)
    pos = ws.end() if ws is not None else tag_end
    if pos >= len(text) or text[pos] in "<&":
        # "&" starts an entity reference: markup, and the parser must see it (it may be an
        # entity declared by a DTD, which is refused)
        return False
    if text[pos] in "`~":
        line_start = text.rfind("\n", tag_end, pos) + 1
        return not (
            line_start > 0
            and _is_fence_line(text, line_start, pos)
            and _FENCE_RUN.match(text, pos) is not None
        )
    return True


def _scan(text: str) -> list[_Found]:
    """Find every top-level ``<svg>`` candidate in one left-to-right pass."""
    n = len(text)
    found: list[_Found] = []
    in_think = False
    saw_think_open = False
    in_answer = False
    fence: tuple[str, int] | None = None  # (fence character, run length) while inside a fence
    depth = 0  # <svg> nesting depth of the current candidate; 0 when outside any
    root = 0
    root_source: Source = "bare"
    root_think = root_answer = False
    unterminated: set[str] = set()  # skip constructs known to have no terminator after here

    def emit(end: int, complete: bool) -> None:
        lo = found[-1].end if found else 0
        start = _prolog_start(text, root, lo)
        found.append(_Found(start, root, end, complete, root_source, root_think, root_answer))

    pos = 0
    pattern = _MARKUP_PREFIXED if ":svg" in text else _MARKUP
    markup = pattern.search(text, 0)
    fences = _FenceFinder(text)
    fence_line = fences.next(0)
    while True:
        if markup is not None and markup.start() < pos:
            markup = pattern.search(text, pos)
        if fence_line is not None and fence_line[1] < pos:
            fence_line = fences.next(pos)
        if markup is None and fence_line is None:
            break

        if markup is None or (fence_line is not None and fence_line[1] < markup.start()):
            assert fence_line is not None
            line_start, run_start, run_end = fence_line
            info_end = text.find("\n", run_end)
            info = text[run_end : n if info_end < 0 else info_end]
            char, length = text[run_start], run_end - run_start
            closes = (
                fence is not None and char == fence[0] and length >= fence[1] and not info.strip()
            )
            if depth > 0:
                # inside an <svg>, only the fence it started in can cut it off; other fence-like
                # lines are content, which keeps a candidate's extent independent of context
                if closes:
                    emit(line_start, False)
                    depth = 0
                    fence = None
            elif fence is None:
                if not (char == "`" and "`" in info):
                    fence = (char, length)
            elif closes:
                fence = None
            # resume after the run, not the line: an info string may hold "<svg"
            pos = run_end
            continue

        start = markup.start()
        kind = markup.lastgroup
        if kind == "open":
            end, outcome, _ = _scan_tag(text, markup.end())
            if outcome == _PARTIAL:
                if depth == 0:
                    root, root_think, root_answer = start, in_think, in_answer
                    root_source = _source(fence, in_answer)
                emit(n, False)
                depth = 0
                break
            if outcome == _COMPLETE:
                if depth == 0:
                    if _is_mention(text, end):
                        pos = end
                        continue
                    root, root_think, root_answer = start, in_think, in_answer
                    root_source = _source(fence, in_answer)
                depth += 1
            # a self-closing <svg/> draws nothing and changes no depth; a malformed one is text
            pos = end
        elif kind == "close":
            if depth > 0:
                depth -= 1
                if depth == 0:
                    emit(markup.end(), True)
            pos = markup.end()
        elif kind == "skip":
            pos = markup.end()
            opener = markup.group("skip")
            if depth > 0:
                terminator = _SKIP_END[opener]
                close_at = -1 if opener in unterminated else text.find(terminator, pos)
                if close_at >= 0:
                    pos = close_at + len(terminator)
                else:
                    # the rest of the text is inside this comment (or CDATA, or PI): the <svg>
                    # is cut off here. Later openers of this kind need no search.
                    unterminated.add(opener)
                    emit(start, False)
                    depth = 0
        else:  # think / answer marker
            if depth > 0:
                emit(start, False)
                depth = 0
            fence = None
            name = markup.group("mark")
            if name in ("think", "thinking"):
                if not in_think:
                    in_think = saw_think_open = True
            elif name in ("/think", "/thinking"):
                in_answer = False  # an <answer> opened while thinking does not outlive it
                if in_think:
                    in_think = False
                elif not saw_think_open:
                    # chat templates put the opening <think> in the prompt: everything before a
                    # stray first </think> is thinking
                    for item in found:
                        item.in_think = True
                    saw_think_open = True
            elif name == "answer":
                in_answer = True
            else:
                in_answer = False
            pos = markup.end()
    if depth > 0:
        emit(n, False)
    return found


def _source(fence: tuple[str, int] | None, in_answer: bool) -> Source:
    if fence is not None:
        return "fence"
    return "answer" if in_answer else "bare"


def _prolog_start(text: str, svg_start: int, lo: int) -> int:
    """Where the returned text starts: ``svg_start``, or an attached DOCTYPE prolog.

    Walks back from the ``<svg`` over whitespace, comments and processing instructions. If a
    ``<!DOCTYPE`` is reached that way, the text starts there (or at an ``<?xml`` declaration
    attached before it), so the parser sees the DTD and refuses it. Otherwise comments and the
    XML declaration are left out. Only ``text[lo:svg_start]`` is read.
    """
    pos = svg_start
    start = svg_start
    saw_doctype = False
    while True:
        end = pos
        while end > lo and text[end - 1] in " \t\r\n":
            end -= 1
        if end <= lo or text[end - 1] != ">":
            return start
        if text.endswith("-->", lo, end):
            opened = text.rfind("<!--", lo, end - 3)
            if opened < 0 or text.find("-->", opened + 4) != end - 3:
                return start
            pos = opened
        elif text.endswith("?>", lo, end):
            opened = text.rfind("<?", lo, end - 2)
            if opened < 0 or text.find("?>", opened + 2) != end - 2:
                return start
            if text.startswith("<?xml", opened) and text[opened + 5 : opened + 6] in (" ", "?"):
                return opened if saw_doctype else start
            pos = opened
        elif not saw_doctype:
            opened = max(text.rfind("<!DOCTYPE", lo, end), text.rfind("<!doctype", lo, end))
            if opened < 0 or _doctype_end(text, opened, end) != end:
                return start
            saw_doctype = True
            start = pos = opened
        else:
            return start


def _doctype_end(text: str, opened: int, limit: int) -> int:
    """Offset just past the DOCTYPE starting at ``opened`` (searching before ``limit``)."""
    close = text.find(">", opened, limit)
    bracket = text.find("[", opened, limit)
    if bracket < 0 or (0 <= close < bracket):
        return close + 1 if close >= 0 else -1
    subset_end = _DOCTYPE_SUBSET_END.search(text, bracket, limit)
    return subset_end.end() if subset_end is not None else -1


def _close_open_tags(fragment: str) -> str:
    """Repair a truncated SVG fragment that starts with ``<svg``.

    A linear tag tokenizer walks the fragment keeping a stack of open elements. A trailing
    partial construct (tag, comment, CDATA section, processing instruction, entity reference) is
    dropped, then the open elements are closed innermost first. ``</svg>`` pops up to the nearest
    open ``svg`` and any other end tag pops only a matching top, which is exactly how the
    candidate scanner counts ``<svg>`` depth, so the result is a complete candidate.
    """
    n = len(fragment)
    stack: list[str] = []
    open_svgs = 0
    pos = 0
    while True:
        token = _TOKEN.search(fragment, pos)
        if token is None:
            break
        kind = token.lastgroup
        if kind == "start":
            name = token.group("name")
            end = token.end()
            if token.group("gt") is not None:
                outcome = _SELF_CLOSING if fragment[end - 2] == "/" else _COMPLETE
            else:
                end, outcome, _ = _scan_tag(fragment, end)
                if outcome == _PARTIAL:
                    if token.start() == 0:
                        # the root start tag itself was cut: keep its complete attributes
                        _, _, last_good = _scan_tag(fragment, token.end("name"))
                        return fragment[:last_good] + f"></{name}>"
                    return _closed(fragment[: token.start()], stack)
            if outcome == _COMPLETE:
                stack.append(name)
                open_svgs += _is_svg_name(name)
            pos = end
        elif kind == "end":
            name = token.group("end_name")
            if _is_svg_name(name):
                if open_svgs:
                    while not _is_svg_name(stack.pop()):
                        pass
                    open_svgs -= 1
            elif stack and stack[-1] == name:
                stack.pop()
            pos = token.end()
        elif kind == "skip":
            opener = token.group("skip")
            close_at = fragment.find(_SKIP_END[opener], token.end())
            if close_at < 0:
                return _closed(fragment[: token.start()], stack)
            pos = close_at + len(_SKIP_END[opener])
        else:  # "<!" declaration
            end, outcome, _ = _scan_tag(fragment, token.end())
            if outcome == _PARTIAL:
                return _closed(fragment[: token.start()], stack)
            pos = end
    # what follows the last token has no tag in it, but may end in "<", "</name" or "&amp"
    cut = n
    last_lt = fragment.rfind("<", pos)
    if last_lt >= 0 and _PARTIAL_END_TAG.match(fragment, last_lt) is not None:
        cut = last_lt
    else:
        reference = fragment.rfind("&", pos)
        if reference >= 0:
            match = _PARTIAL_REFERENCE.match(fragment, reference)
            if match is not None and match.end() == n:
                cut = reference
    return _closed(fragment[:cut], stack)


def _is_svg_name(name: str) -> bool:
    """Whether a tag name is ``svg``, with or without a namespace prefix."""
    return name == "svg" or name.endswith(":svg")


def _closed(kept: str, stack: list[str]) -> str:
    return kept + "".join(f"</{tag}>" for tag in reversed(stack))
