"""JSON-lines protocol on stdin/stdout: one JSON object per line, `type` names the message.

Commands in: start {config}, pause, resume, cancel.
Events out: ready, started, progress, paused, resumed, checkpoint, exported, error, finished.
Only protocol lines go to stdout; everything else (logs, library warnings, C-level prints) goes to stderr.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading


class ProtocolChannel:
    """Owns the real stdout; after construction fd 1 points at stderr so nothing else can corrupt the stream."""

    def __init__(self):
        sys.stdout.flush()
        self._out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._lock = threading.Lock()

    def emit(self, event_type: str, **fields: object) -> None:
        message = {"type": event_type, **{key: _finite(value) for key, value in fields.items()}}
        line = json.dumps(message, allow_nan=False)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def error(self, code: str, message: str, fatal: bool = True) -> None:
        self.emit("error", code=code, message=message, fatal=fatal)


def _finite(value):
    # JSON has no NaN/Infinity: a non-finite number becomes null rather than breaking the line.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def log(message: str) -> None:
    print(f"[trainer] {message}", file=sys.stderr, flush=True)


def parse_command(line: str) -> tuple[str, dict]:
    """Returns (type, payload dict) or raises ValueError with a message for the `error` event."""
    try:
        message = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"command is not JSON: {error.msg} at column {error.colno}") from error
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ValueError("command must be a JSON object with a string 'type'")
    return message["type"], message
