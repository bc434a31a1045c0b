"""``<image>`` with a ``data:`` URI: decode (size-limited) and place it.

Only ``data:`` URIs ever reach the renderer (the builder refuses every other reference). The
payload's format is sniffed from its first bytes, not trusted from the media type: PNG is decoded
by cairo itself, JPEG, GIF and WebP by Pillow when it is installed. The pixel count is read from
the header *before* decoding and refused above :attr:`svgkit.Limits.max_image_pixels`. Any
failure skips the image and records a warning; it never fails the render.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import struct
import urllib.parse
from typing import Any

import cairo
import numpy as np

from ..affine import is_invertible, multiply, viewbox_transform
from ..scene import Image

__all__ = ["ImageDecodeError", "decode_data_uri", "draw_image", "image_placement"]


class ImageDecodeError(ValueError):
    """A ``data:`` image could not be decoded (bad URI, unknown format, too large)."""


def _payload(href: str) -> bytes:
    if not href.startswith("data:"):
        raise ImageDecodeError("not a data: URI")
    head, sep, data = href[5:].partition(",")
    if not sep:
        raise ImageDecodeError("data: URI without a comma")
    if head.strip().lower().endswith(";base64"):
        cleaned = "".join(data.split())
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            return base64.b64decode(cleaned, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise ImageDecodeError(f"invalid base64: {exc}") from None
    return urllib.parse.unquote_to_bytes(data)


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageDecodeError("PNG without an IHDR header")
    w, h = struct.unpack(">II", data[16:24])
    return int(w), int(h)


def _check_size(w: int, h: int, max_pixels: int) -> None:
    if w <= 0 or h <= 0:
        raise ImageDecodeError(f"image has an empty size {w}×{h}")
    if w * h > max_pixels:
        raise ImageDecodeError(f"image of {w}×{h} px exceeds max_image_pixels={max_pixels}")
    if w > 32767 or h > 32767:
        raise ImageDecodeError(f"image of {w}×{h} px exceeds cairo's 32767 px side")


def _decode_with_pillow(data: bytes, max_pixels: int) -> Any:
    try:
        from PIL import Image as PILImage
    except ImportError:
        raise ImageDecodeError(
            "decoding this format needs Pillow, which is not installed"
        ) from None
    try:
        with PILImage.open(io.BytesIO(data)) as im:
            _check_size(im.size[0], im.size[1], max_pixels)
            rgba = np.asarray(im.convert("RGBA"), dtype=np.uint8)
    except ImageDecodeError:
        raise
    except Exception as exc:  # Pillow raises many types for corrupt data
        raise ImageDecodeError(f"cannot decode image: {type(exc).__name__}: {exc}") from None
    h, w = rgba.shape[:2]
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
    stride = surface.get_stride()
    buf = np.ndarray((h, stride // 4, 4), dtype=np.uint8, buffer=surface.get_data())[:, :w]
    alpha = rgba[..., 3:4].astype(np.uint16)
    premul = ((rgba[..., :3].astype(np.uint16) * alpha + 127) // 255).astype(np.uint8)
    buf[..., 0] = premul[..., 2]
    buf[..., 1] = premul[..., 1]
    buf[..., 2] = premul[..., 0]
    buf[..., 3] = rgba[..., 3]
    surface.mark_dirty()
    return surface


def decode_data_uri(href: str, max_pixels: int) -> Any:
    """Decode a ``data:`` URI image into a cairo ``ImageSurface`` (ARGB32).

    Raises
    ------
    ImageDecodeError
        On a malformed URI, an unknown or corrupt format, or more than ``max_pixels`` pixels.
    """
    data = _payload(href)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        w, h = _png_size(data)
        _check_size(w, h, max_pixels)
        try:
            return cairo.ImageSurface.create_from_png(io.BytesIO(data))
        except (cairo.Error, MemoryError, OSError):
            return _decode_with_pillow(data, max_pixels)  # e.g. a PNG variant cairo refuses
    if (
        data[:3] == b"\xff\xd8\xff"
        or data[:6] in (b"GIF87a", b"GIF89a")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return _decode_with_pillow(data, max_pixels)
    if data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>") or b"<svg" in data[:512]:
        raise ImageDecodeError("SVG images inside <image> are not rendered")
    raise ImageDecodeError("unknown image format (PNG, JPEG, GIF and WebP are decoded)")


def image_placement(
    img: Image, iw: int, ih: int
) -> tuple[float, float, float, float, float, float, bool]:
    """``(sx, sy, tx, ty, w, h, clip)``: the image pixel grid → user space, and the viewport.

    Auto sizes (nan) take the intrinsic size, or keep the aspect ratio when only one is given.
    The image is then fitted into ``(x, y, w, h)`` by its ``preserveAspectRatio``; ``clip`` says
    the result overflows the viewport (``slice``) and must be clipped to it.
    """
    w, h = img.width, img.height
    if not math.isfinite(w) and not math.isfinite(h):
        w, h = float(iw), float(ih)
    elif not math.isfinite(w):
        w = h * iw / ih
    elif not math.isfinite(h):
        h = w * ih / iw
    par = img.preserve_aspect_ratio or "xMidYMid meet"
    sx, _b, _c, sy, tx, ty = viewbox_transform((0.0, 0.0, iw, ih), par, img.x, img.y, w, h)
    return (sx, sy, tx, ty, w, h, par.partition(" ")[2] == "slice" and not par.startswith("none"))


def draw_image(
    st: Any, img: Image, matrix: tuple[float, ...], alpha: float, element_id: str
) -> None:
    """Paint ``img`` under ``matrix`` (user → output pixels) with opacity ``alpha``."""
    try:
        surface = decode_data_uri(img.href, st.max_image_pixels)
    except ImageDecodeError as exc:
        st.warn("IMAGE_NOT_DRAWN", f"<image> not drawn: {exc}", "image")
        return
    iw, ih = surface.get_width(), surface.get_height()
    sx, sy, tx, ty, w, h, clip = image_placement(img, iw, ih)
    if not (w > 0 and h > 0 and all(math.isfinite(v) for v in (sx, sy, tx, ty))):
        return
    m = (matrix[0], matrix[1], matrix[2], matrix[3], matrix[4], matrix[5])
    if not is_invertible(multiply(m, (sx, 0.0, 0.0, sy, tx, ty))):
        return  # a degenerate placement (1e-200 px wide) paints nothing, as for any shape
    ctx = st.ctx
    ctx.save()
    ctx.set_matrix(cairo.Matrix(*matrix))
    if clip:
        ctx.rectangle(img.x, img.y, w, h)
        ctx.clip()
    ctx.translate(tx, ty)
    ctx.scale(sx, sy)
    ctx.rectangle(0, 0, iw, ih)
    ctx.clip()
    pattern = cairo.SurfacePattern(surface)
    pattern.set_extend(cairo.EXTEND_PAD)  # crisp edges: the clip above bounds the image
    pattern.set_filter(cairo.FILTER_GOOD)
    ctx.set_source(pattern)
    if alpha < 1.0:
        ctx.paint_with_alpha(alpha)
    else:
        ctx.paint()
    ctx.restore()
