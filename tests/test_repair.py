"""The repair policy: the four common model mistakes (and bare '&'), recorded and idempotent."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import GeneratedSVG, arbitrary_text, svg_documents

import svgkit
from svgkit import repair_svg

NS = 'xmlns="http://www.w3.org/2000/svg"'

REALISTIC = f"""<svg {NS} viewBox="0 0 200 200" width="200" height="200">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#87ceeb"/><stop offset="1" stop-color="#fff"/>
    </linearGradient>
    <circle id="leaf" r="12" fill="forestgreen"/>
  </defs>
  <rect width="200" height="200" fill="url(#sky)"/>
  <g id="tree-1" class="obj tree">
    <rect x="90" y="120" width="20" height="60" fill="saddlebrown"/>
    <use xlink:href="#leaf" x="100" y="110"/>
    <use xlink:href="#leaf" x="88" y="118"/>
  </g>
  <text x="100" y="195" text-anchor="middle" font-size="12">Tree</text>
</svg>"""


def _parses(text: str) -> bool:
    try:
        ET.fromstring(text)
    except ET.ParseError:
        return False
    return True


class TestEachRepair:
    @pytest.mark.parametrize(
        "doc",
        [f'<svg {NS}><use xlink:href="#a"/><rect id="a" width="1" height="1"/></svg>', REALISTIC],
    )
    def test_undeclared_xlink_prefix(self, doc: str) -> None:
        assert svgkit.validate(doc).code == "XML_SYNTAX"
        result = repair_svg(doc)
        assert [d.code for d in result.repairs] == ["REPAIRED_NAMESPACE"]
        assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in result.text and _parses(result.text)
        scene = svgkit.parse(doc, repair=True)
        assert "REPAIRED_NAMESPACE" in {w.code for w in scene.warnings}
        assert scene.use_expansions == (1 if doc is not REALISTIC else 2)

    @pytest.mark.parametrize(
        "doc",
        [
            f'<svg {NS}><rect width="1" height="1" fill="red" fill="blue"/></svg>',
            REALISTIC.replace('fill="saddlebrown"', 'fill="saddlebrown" fill="black"').replace(
                "xlink:", ""
            ),
        ],
    )
    def test_duplicated_attribute_keeps_the_first(self, doc: str) -> None:
        assert svgkit.validate(doc).code == "XML_SYNTAX"
        result = repair_svg(doc)
        assert [d.code for d in result.repairs] == ["REPAIRED_DUPLICATE"]
        scene = svgkit.parse(doc, repair=True)
        first_fill = "red" if "red" in doc else "saddlebrown"
        expected = {"red": [1.0, 0.0, 0.0], "saddlebrown": [139 / 255, 69 / 255, 19 / 255]}[
            first_fill
        ]
        index = 0 if first_fill == "red" else scene.tags.index("rect", 1)
        assert scene.fill_rgba[index, :3].tolist() == pytest.approx(expected, abs=1e-6)

    @pytest.mark.parametrize(
        "doc",
        [
            f'<svg {NS}><text x="1" y="9" aria-label="a<b">x</text></svg>',
            REALISTIC.replace('class="obj tree"', 'class="obj tree" data-note="height<3m"').replace(
                "xlink:", ""
            ),
        ],
    )
    def test_stray_lt_in_attribute_value(self, doc: str) -> None:
        assert svgkit.validate(doc).code == "XML_SYNTAX"
        result = repair_svg(doc)
        assert [d.code for d in result.repairs] == ["REPAIRED_STRAY_LT"]
        assert "&lt;" in result.text and _parses(result.text)
        assert svgkit.validate(doc, repair=True).ok

    @pytest.mark.parametrize(
        "doc", [f'<svg {NS}><rect width="5" height="5"/><g><circle r="2"', REALISTIC[:-40]]
    )
    def test_truncated_document_is_closed(self, doc: str) -> None:
        assert svgkit.validate(doc).code == "TRUNCATED"
        report = svgkit.validate(doc.replace("xlink:", ""), repair=True)
        assert report.ok and "TRUNCATED_REPAIRED" in {w.code for w in report.warnings}

    def test_bare_ampersand_in_text(self) -> None:
        doc = f'<svg {NS}><text x="1" y="9">Salt & Pepper &amp; co &#169;</text></svg>'
        result = repair_svg(doc)
        assert [d.code for d in result.repairs] == ["REPAIRED_AMPERSAND"]
        assert "Salt &amp; Pepper &amp; co &#169;" in result.text
        scene = svgkit.parse(doc, repair=True)
        assert scene.texts[0].text == "Salt & Pepper & co ©"

    def test_all_four_at_once(self) -> None:
        doc = (
            f'<svg {NS} width="10" height="10"><use xlink:href="#r"/>'
            '<defs><rect id="r" width="5" height="5" fill="red" fill="blue" data-x="1<2"/></defs><g>'
        )
        report = svgkit.validate(doc, repair=True)
        assert report.ok
        assert {w.code for w in report.warnings} >= {
            "TRUNCATED_REPAIRED",
            "REPAIRED_NAMESPACE",
            "REPAIRED_DUPLICATE",
            "REPAIRED_STRAY_LT",
        }

    def test_strict_is_the_default(self) -> None:
        assert svgkit.validate(f'<svg {NS}><use xlink:href="#a"/></svg>').code == "XML_SYNTAX"

    def test_comments_and_cdata_are_copied_verbatim(self) -> None:
        doc = f"<svg {NS}><!-- a < b & c --><style><![CDATA[ .a > .b {{ fill: red }} ]]></style></svg>"
        assert not repair_svg(doc).changed


@given(svg_documents())
def test_well_formed_documents_are_never_changed(doc: GeneratedSVG) -> None:
    result = repair_svg(doc.text)
    assert not result.changed
    assert result.text is doc.text


@given(svg_documents())
def test_repair_never_changes_what_a_valid_document_parses_to(doc: GeneratedSVG) -> None:
    strict = svgkit.parse(doc.text)
    repaired = svgkit.parse(doc.text, repair=True)
    assert strict.tags == repaired.tags and (strict.cmd_points == repaired.cmd_points).all()


@given(arbitrary_text().filter(lambda t: isinstance(t, str)))
def test_repair_is_idempotent_on_any_text(text: str) -> None:
    once = repair_svg(text)
    twice = repair_svg(once.text)
    assert twice.text == once.text and not twice.changed


@given(st.text(alphabet='<>&"= abcxlink:/', max_size=60))
def test_repair_never_raises_on_tag_soup(soup: str) -> None:
    doc = f'<svg {NS}><g a="1">{soup}</g></svg>'
    result = repair_svg(doc)
    assert repair_svg(result.text).text == result.text
    assert svgkit.validate(doc, repair=True).code in {
        "OK",
        "EMPTY",
        "XML_SYNTAX",
        "TRUNCATED",
        "NO_SVG",
    }


def test_the_repair_switch_reaches_render_render_many_and_the_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from svgkit.cli import main

    doc = f'<svg {NS} width="10" height="10"><use xlink:href="#r"/><defs><rect id="r" width="10" height="10" fill="red"/></defs></svg>'
    with pytest.raises(svgkit.SVGKitError):
        svgkit.render(doc, 10, 10)
    assert svgkit.render(doc, 10, 10, repair=True)[5, 5].tolist() == [255, 0, 0, 255]
    strict, repaired = svgkit.render_many([doc, doc], 10, 10, workers=1), svgkit.render_many([doc], 10, 10, workers=1, repair=True)
    assert isinstance(strict[0], svgkit.SVGKitError) and strict[0].code == "XML_SYNTAX"
    assert repaired[0][5, 5].tolist() == [255, 0, 0, 255]  # type: ignore[index]
    src = tmp_path / "a.svg"
    src.write_text(doc)
    assert main(["render", str(src), "-o", str(tmp_path / "a.png"), "--size", "10"]) == 1
    assert main(["render", str(src), "-o", str(tmp_path / "a.png"), "--size", "10", "--repair"]) == 0
