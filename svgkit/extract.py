"""Kept so that ``from svgkit.extract import ...`` goes on working; the code is in
:mod:`svgkit.ingest.extract`."""

from .ingest.extract import (
    Extraction,
    SVGCandidate,
    extract_svg,
    extract_svg_candidates,
    extract_svg_ex,
)

__all__ = ["Extraction", "SVGCandidate", "extract_svg", "extract_svg_candidates", "extract_svg_ex"]
