"""Pixel rewards against a reference image (image-to-SVG): MSE, PSNR, SSIM and RLRF's terms.

Both pictures are RGB in [0, 1]: the completion rendered over white at ``size``, the reference
composited over white and resized to the same size. SSIM, Canny edges and the Gaussian blur come
from scikit-image (the ``rewards`` extra): ``pip install 'svgkit[rewards]'``.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..analysis import Analysis, AnalysisRequest
from ._common import analyses_for, per_sample

__all__ = [
    "PIXEL_METRICS",
    "PIXEL_RANGES",
    "edge_map",
    "load_image",
    "mse",
    "pixel_request",
    "pixel_reward",
    "pixel_score",
    "psnr",
    "rlrf_edge_l2",
    "rlrf_l2",
    "ssim",
]

PixelMetric = Literal["mse", "psnr", "ssim", "l2", "l2_edge"]
FloatImage = npt.NDArray[np.float32]

#: Supported metrics.
PIXEL_METRICS: tuple[str, ...] = ("mse", "psnr", "ssim", "l2", "l2_edge")

#: PSNR (dB) at which the ``psnr`` reward reaches 1.
PSNR_MAX_DB = 50.0

#: Range of each metric's reward.
PIXEL_RANGES: dict[str, tuple[float, float]] = {
    "mse": (0.0, 1.0),
    "psnr": (0.0, 1.0),
    "ssim": (-1.0, 1.0),
    "l2": (-1.0, 1.0),
    "l2_edge": (-1.0, 1.0),
}

_EPS = 1e-6
_MIN_SIZE = 11  # SSIM's Gaussian window is 11 × 11


def _skimage() -> Any:
    try:
        import skimage.feature
        import skimage.filters
        import skimage.metrics
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "SSIM and edge rewards need scikit-image: pip install 'svgkit[rewards]'"
        ) from exc
    return skimage


def load_image(image: Any, size: tuple[int, int]) -> FloatImage:
    """A reference image as float32 RGB in [0, 1], composited over white, resized to ``size``.

    Parameters
    ----------
    image
        An array ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)`` (integers in [0, 255], or floats in
        [0, 1]; nested lists as a dataset column returns them are fine), a PIL image, or a path
        (``str`` / ``os.PathLike``) to an image file.
    size
        ``(width, height)`` of the result.

    Returns
    -------
    ndarray
        Shape ``(height, width, 3)``.

    Raises
    ------
    ValueError
        For an array of another shape or with values outside the expected range.

    Examples
    --------
    >>> import numpy as np
    >>> load_image(np.zeros((4, 4, 4), np.uint8), (2, 2))[0, 0].tolist()  # transparent → white
    [1.0, 1.0, 1.0]
    """
    from PIL import Image

    if isinstance(image, (str, os.PathLike)):
        with Image.open(image) as opened:
            opened.load()
            image = opened.convert("RGBA")
    if isinstance(image, Image.Image):
        pil = image.convert("RGBA")
    else:
        arr = np.asarray(image)
        if arr.ndim == 2:
            arr = arr[:, :, None].repeat(3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.shape[0] < 1 or arr.shape[1] < 1:
            raise ValueError(
                "Expected the reference image to be an (H, W), (H, W, 3) or (H, W, 4) array, "
                f"but got shape {arr.shape}"
            )
        if arr.dtype != np.uint8 and np.issubdtype(arr.dtype, np.integer):
            # a dataset column hands arrays back as nested lists of ints: 0-255 channels
            if arr.size and (arr.min() < 0 or arr.max() > 255):
                raise ValueError("Expected an integer reference image with values in [0, 255]")
            arr = arr.astype(np.uint8)
        if arr.dtype != np.uint8:
            f = arr.astype(np.float64)
            if not np.all(np.isfinite(f)) or f.min() < 0.0 or f.max() > 1.0:
                raise ValueError(
                    "Expected a float reference image with values in [0, 1] (or a uint8 array)"
                )
            arr = np.round(f * 255.0).astype(np.uint8)
        if arr.shape[2] == 3:
            arr = np.concatenate([arr, np.full((*arr.shape[:2], 1), 255, np.uint8)], axis=2)
        pil = Image.fromarray(np.ascontiguousarray(arr), "RGBA")
    white = Image.new("RGBA", pil.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, pil).convert("RGB")
    width, height = size
    if rgb.size != (width, height):
        rgb = rgb.resize((width, height), Image.Resampling.LANCZOS)
    out: FloatImage = np.asarray(rgb, dtype=np.float32) / np.float32(255.0)
    return out


def mse(a: FloatImage, b: FloatImage) -> float:
    """Mean squared error of two images in [0, 1] (0 = identical, 1 = black vs white).

    Examples
    --------
    >>> import numpy as np
    >>> mse(np.zeros((2, 2, 3)), np.full((2, 2, 3), 0.5))
    0.25
    """
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def psnr(a: FloatImage, b: FloatImage) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1]; ``inf`` when identical.

    Examples
    --------
    >>> import numpy as np
    >>> round(psnr(np.zeros((2, 2, 3)), np.full((2, 2, 3), 0.1)), 6)
    20.0
    """
    err = mse(a, b)
    return math.inf if err == 0.0 else 10.0 * math.log10(1.0 / err)


def ssim(a: FloatImage, b: FloatImage) -> float:
    """Mean structural similarity as scikit-image computes it with a Gaussian window
    (σ = 1.5, 11 × 11), population covariance, data range 1, channels averaged; in [−1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((32, 32, 3))
    >>> ssim(x, x)
    1.0
    """
    sk = _skimage()
    value = sk.metrics.structural_similarity(
        np.asarray(a, np.float64),
        np.asarray(b, np.float64),
        channel_axis=2,
        data_range=1.0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    return float(np.clip(value, -1.0, 1.0))


def _standardise(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    flat = x.reshape(-1, x.shape[-1])
    out: npt.NDArray[np.float64] = (x - flat.mean(axis=0)) / (flat.std(axis=0) + _EPS)
    return out


def rlrf_l2(a: npt.NDArray[np.floating[Any]], b: npt.NDArray[np.floating[Any]]) -> float:
    """RLRF's image reward: ``clip(1 − mean((â − b̂)²), −1, 1)`` where ``x̂`` is ``x`` with
    each channel shifted to zero mean and scaled to unit variance.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((16, 16, 3))
    >>> rlrf_l2(x, x), rlrf_l2(x, 1 - x)
    (1.0, -1.0)
    """
    fa = np.asarray(a, np.float64)
    fb = np.asarray(b, np.float64)
    if fa.ndim == 2:
        fa, fb = fa[:, :, None], fb[:, :, None]
    d = float(np.mean((_standardise(fa) - _standardise(fb)) ** 2))
    return float(np.clip(1.0 - d, -1.0, 1.0))


def edge_map(image: FloatImage) -> npt.NDArray[np.float64]:
    """RLRF's edge picture: Canny edges of the grey image (σ = 1), dilated by a 3 × 3 square,
    then blurred with a Gaussian of a 13-pixel kernel (σ = 2.3, OpenCV's default for that size).

    Examples
    --------
    >>> import numpy as np
    >>> img = np.ones((32, 32, 3)); img[8:24, 8:24] = 0.0
    >>> e = edge_map(img)
    >>> e.shape, bool(e[8, 16] > e[16, 16])
    ((32, 32), True)
    """
    sk = _skimage()
    from scipy import ndimage

    grey = np.asarray(image, np.float64) @ np.array([0.2125, 0.7154, 0.0721])
    edges = sk.feature.canny(grey, sigma=1.0)
    edges = ndimage.binary_dilation(edges, structure=np.ones((3, 3), bool))
    blurred: npt.NDArray[np.float64] = sk.filters.gaussian(
        edges.astype(np.float64), sigma=2.3, truncate=6.0 / 2.3, preserve_range=True
    )
    return blurred


def rlrf_edge_l2(a: FloatImage, b: FloatImage) -> float:
    """:func:`rlrf_l2` on the two :func:`edge_map` pictures, in [−1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> img = np.ones((32, 32, 3)); img[8:24, 8:24] = 0.0
    >>> rlrf_edge_l2(img, img)
    1.0
    """
    return rlrf_l2(edge_map(a), edge_map(b))


def pixel_score(metric: PixelMetric, rendered: FloatImage, reference: FloatImage) -> float:
    """The reward of ``metric`` for two same-size RGB images in [0, 1].

    ``mse`` → ``1 − MSE``; ``psnr`` → ``min(PSNR, 50 dB) / 50``; ``ssim`` → SSIM;
    ``l2`` → :func:`rlrf_l2`; ``l2_edge`` → :func:`rlrf_edge_l2`. Ranges in
    :data:`PIXEL_RANGES`.

    Examples
    --------
    >>> import numpy as np
    >>> pixel_score("mse", np.zeros((2, 2, 3)), np.ones((2, 2, 3)))
    0.0
    """
    if metric == "mse":
        return 1.0 - mse(rendered, reference)
    if metric == "psnr":
        return min(psnr(rendered, reference), PSNR_MAX_DB) / PSNR_MAX_DB
    if metric == "ssim":
        return ssim(rendered, reference)
    if metric == "l2":
        return rlrf_l2(rendered, reference)
    if metric == "l2_edge":
        return rlrf_edge_l2(rendered, reference)
    raise ValueError(
        f"Expected `metric` to be one of {', '.join(PIXEL_METRICS)}, but got {metric!r}"
    )


def pixel_request(size: int | tuple[int, int] = 224) -> AnalysisRequest:
    """What a pixel reward needs from the analysis: one render over white at ``size``."""
    return AnalysisRequest(sizes=(_size(size),))


def _size(size: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(size, int) and not isinstance(size, bool) and size >= _MIN_SIZE:
        return (size, size)
    if (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= _MIN_SIZE for v in size)
    ):
        return (int(size[0]), int(size[1]))
    raise ValueError(
        f"Expected `size` to be an int >= {_MIN_SIZE} or a (width, height) pair of them, "
        f"but got {size!r}"
    )


def pixel_reward(
    completions: Sequence[Any],
    metric: PixelMetric = "ssim",
    *,
    image: Any = None,
    reference_image: Any = None,
    size: int | tuple[int, int] = 224,
    analyses: Sequence[Analysis] | None = None,
    **kwargs: Any,
) -> list[float | None]:
    """Compare each completion's rendering with a reference image.

    Parameters
    ----------
    completions
        Raw completions.
    metric
        ``"mse"``, ``"psnr"``, ``"ssim"``, ``"l2"`` or ``"l2_edge"`` (see :func:`pixel_score`).
    image, reference_image
        The reference (one for the batch, or a list with one per completion); ``image`` is the
        usual dataset column name, ``reference_image`` the :class:`~svgkit_rewards.Sample`
        field. Any form :func:`load_image` takes.
    size
        Comparison size: an int (square) or ``(width, height)``.
    analyses
        Precomputed analyses (the engine passes them).

    Returns
    -------
    list[float or None]
        A completion without a usable drawing (invalid, truncated, blank is fine: it is
        compared) scores the metric's minimum; ``None`` where there is no reference.

    Examples
    --------
    >>> import numpy as np
    >>> white = np.full((16, 16, 3), 255, np.uint8)
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"></svg>'
    >>> pixel_reward([svg, "no svg"], "mse", image=white, size=16)
    [1.0, 0.0]
    """
    if metric not in PIXEL_METRICS:
        raise ValueError(
            f"Expected `metric` to be one of {', '.join(PIXEL_METRICS)}, but got {metric!r}"
        )
    wh = _size(size)
    found = analyses_for(completions, analyses, pixel_request(wh))
    refs = per_sample(image if image is not None else reference_image, len(completions), "image")
    low = PIXEL_RANGES[metric][0]
    loaded: dict[int, FloatImage] = {}  # GRPO groups share a reference: load it once
    out: list[float | None] = []
    pending: list[tuple[int, npt.NDArray[np.uint8], FloatImage]] = []
    for i, (a, ref) in enumerate(zip(found, refs)):
        if ref is None:
            out.append(None)
            continue
        pixels = a.renders.get(wh)
        if a.failed or pixels is None:
            out.append(low)
            continue
        target = loaded.get(id(ref))
        if target is None:
            target = loaded[id(ref)] = load_image(ref, wh)
        out.append(low)
        pending.append((i, pixels, target))

    def score(job: tuple[int, npt.NDArray[np.uint8], FloatImage]) -> float:
        rendered = job[1].astype(np.float32) / np.float32(255.0)
        return pixel_score(metric, rendered, job[2])

    # scipy's filters release the GIL: SSIM and edge maps of a batch scale with threads
    values = _threads().map(score, pending) if len(pending) > 1 else map(score, pending)
    for (i, _, _), value in zip(pending, values):
        out[i] = value
    return out


_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(
                max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="svgkit-pixel"
            )
        return _EXECUTOR
