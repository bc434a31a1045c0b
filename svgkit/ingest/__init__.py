"""Text → safe XML: find the SVG in model output, repair what models get wrong, parse it hardened.

The first stage of the pipeline (``ingest`` → ``build`` → ``renderer`` / ``geometry``). Nothing here
knows about the Scene: :mod:`svgkit.ingest.extract` finds SVG documents in raw text,
:mod:`svgkit.ingest.repair` mends XML mistakes, :mod:`svgkit.ingest.safe_xml` parses with hard
limits and no entity expansion.
"""
