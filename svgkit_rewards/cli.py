"""``svgkit-rewards``: the reward server's command line.

``svgkit-rewards serve --config recipe.toml`` serves a reward over HTTP (see
:mod:`svgkit_rewards.server`). SIGTERM or SIGINT shut it down gracefully: it stops accepting
connections, finishes the requests in flight (up to ``--graceful-timeout``), stops its workers,
and then ends by that signal (uvicorn re-raises it, so supervisors see why it stopped). Exit
status 2 for a bad command line, config or token file, 3 when the server extra is not installed.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

#: ``[server]`` table keys of a config file (the command line's flags win).
SERVER_KEYS = (
    "host", "port", "workers", "token_file", "max_batch_size", "max_wait_ms", "max_queue",
    "max_request_samples", "max_body_mb", "max_image_pixels", "request_timeout",
    "sample_timeout", "graceful_timeout", "log_level",
)
_DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1", "port": 8000, "workers": None, "token_file": None,
    "max_batch_size": 64, "max_wait_ms": 5.0, "max_queue": 4096, "max_request_samples": 1024,
    "max_body_mb": 32.0, "max_image_pixels": 4096 * 4096, "request_timeout": 300.0,
    "sample_timeout": None, "graceful_timeout": 30.0, "log_level": "info",
}


#: Seconds an idle keep-alive connection is held open.
KEEP_ALIVE_S = 30


class UsageError(Exception):
    """A bad command line, config or token file (exit status 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svgkit-rewards",
        description="Serve svgkit rewards over HTTP (OpenRLHF's remote-reward protocol and a "
                    "JSON API).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve a reward recipe over HTTP",
        description="Serve a reward over HTTP. Every flag may also be set in the config file's "
                    "[server] table (flags win).",
    )
    add = serve.add_argument
    add("--config", required=True,
        help="recipe name (sgp, rlrf, svgkit) or a TOML / YAML / JSON reward config")
    add("--host", help="address to listen on (default 127.0.0.1: loopback only)")
    add("--port", type=int, help="port (default 8000; 0 picks a free one)")
    add("--workers", type=int,
        help="analysis worker processes that parse and render (default min(4, CPUs)); the "
             "HTTP side is one process that holds the models once")
    add("--token-file", help="file holding the bearer token the scoring endpoints require")
    add("--max-batch-size", type=int, help="most samples per engine call (default 64)")
    add("--max-wait-ms", type=float,
        help="how long an idle server waits for requests to join a batch (default 5)")
    add("--max-queue", type=int,
        help="samples allowed to wait before requests get 503 + Retry-After (default 4096)")
    add("--max-request-samples", type=int, help="most samples in one request (default 1024)")
    add("--max-body-mb", type=float, help="largest request body in MiB (default 32)")
    add("--max-image-pixels", type=int, help="largest reference image (default 4096²)")
    add("--request-timeout", type=float,
        help="seconds before a request is answered 504 (default 300)")
    add("--sample-timeout", type=float,
        help="seconds one completion's analysis may take (the engine's timeout_s)")
    add("--graceful-timeout", type=float,
        help="seconds a shutdown waits for in-flight requests (default 30)")
    add("--log-level", choices=["critical", "error", "warning", "info", "debug"],
        help="log level (default info)")
    return parser


def _server_table(config: str) -> tuple[Any, dict[str, Any]]:
    """The reward config (a recipe name or a dict without its ``[server]`` table) and the
    table."""
    from .recipes import RECIPES, _read_file

    if config in RECIPES:
        return config, {}
    path = Path(config)
    try:
        raw = _read_file(path)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    table = raw.pop("server", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path.name}: [server] must be a table")
    unknown = sorted(set(table) - set(SERVER_KEYS))
    if unknown:
        raise UsageError(f"{path.name}: unknown [server] keys {unknown}; expected some of "
                         f"{list(SERVER_KEYS)}")
    if isinstance(table.get("token_file"), str):  # relative to the config file
        table["token_file"] = str((path.parent / table["token_file"]).resolve())
    return raw, table


def _read_token(path: str) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the token file {path!r}: {exc}") from None
    if not token or any(c.isspace() for c in token):
        raise UsageError(f"the token file {path!r} must hold one token without spaces")
    return token


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .server import ServerSettings, create_app
    except ImportError as exc:
        print(f"svgkit-rewards: the server needs its extra ({exc.name} is missing): "
              "pip install 'svgkit[server]'", file=sys.stderr)
        return 3
    from .engine import RewardEngine

    reward_config, table = _server_table(args.config)
    opts = {**_DEFAULTS, **table}
    for key in SERVER_KEYS:
        value = getattr(args, key)
        if value is not None:
            opts[key] = value
    token = _read_token(opts["token_file"]) if opts["token_file"] else None
    overrides: dict[str, Any] = {}
    if opts["workers"] is not None:
        overrides["workers"] = opts["workers"]
    if opts["sample_timeout"] is not None:
        overrides["timeout_s"] = opts["sample_timeout"]
    try:
        settings = ServerSettings(
            max_batch_size=opts["max_batch_size"],
            max_wait_ms=float(opts["max_wait_ms"]),
            max_queue_samples=opts["max_queue"],
            max_samples_per_request=min(opts["max_request_samples"], opts["max_queue"]),
            max_body_bytes=int(float(opts["max_body_mb"]) * 1024 * 1024),
            max_image_pixels=opts["max_image_pixels"],
            request_timeout_s=float(opts["request_timeout"]),
            token=token,
        )
        engine = RewardEngine.from_config(reward_config, **overrides)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    host, port = str(opts["host"]), int(opts["port"])
    if token is None and not _is_loopback(host):
        print(f"svgkit-rewards: warning: listening on {host} without --token-file: anyone who "
              "can reach this port can use the server", file=sys.stderr)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only for such
    # sockets, and without it every small reply waits ~40 ms for the peer's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    bound = sock.getsockname()[1]
    level = str(opts["log_level"])
    logging.basicConfig(level=level.upper(), format="%(levelname)s: %(message)s")
    app = create_app(engine, settings)
    config = uvicorn.Config(
        app,
        log_level=level,
        access_log=level == "debug",
        timeout_graceful_shutdown=int(max(1, float(opts["graceful_timeout"]))),
        # longer than clients' idle-connection expiry (httpx: 5 s), so that a client never
        # reuses a connection the server is closing at that moment
        timeout_keep_alive=KEEP_ALIVE_S,
        lifespan="on",
    )
    where = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"svgkit-rewards: serving {list(engine.names)} on http://{where}:{bound} "
          f"(POST /v1/score, POST /get_reward; GET /ready, /metrics)", file=sys.stderr,
          flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``svgkit-rewards``."""
    args = _parser().parse_args(argv)
    try:
        return _serve(args)
    except UsageError as exc:
        print(f"svgkit-rewards: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
