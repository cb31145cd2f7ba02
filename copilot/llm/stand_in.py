"""An OpenAI-compatible chat server on loopback that answers from a script, for the endpoint
tests and the soak run (no real server, no network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Reply = Callable[[dict[str, Any]], Any]
"""The request body -> answer text, or ``{"tool": name, "arguments": {...}}`` for a tool call."""


def completion(reply: Any) -> dict[str, Any]:
    """A non-streamed chat completion carrying ``reply``."""
    if isinstance(reply, dict):
        call = {"name": reply["tool"], "arguments": json.dumps(reply["arguments"])}
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": call}],
        }
        finish = "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": reply}, "stop"
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "stand-in",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunks(text: str) -> Iterator[bytes]:
    """``text`` as server-sent events, a word per chunk."""
    for word in text.split(" "):
        chunk = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "stand-in",
            "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}],
        }
        yield f"data: {json.dumps(chunk)}\n\n".encode()
    yield b"data: [DONE]\n\n"


class StandInServer:
    """Serves ``reply`` at ``url`` from a daemon thread; while ``stalled`` is set it accepts
    requests and answers nothing for ``stall_seconds`` (a server that hangs)."""

    def __init__(self, reply: Reply, stall_seconds: float = 5.0) -> None:
        self.stalled = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if owner.stalled.is_set():
                    time.sleep(stall_seconds)
                    return
                answer = reply(body)
                self.send_response(200)
                if body.get("stream"):
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for piece in chunks(str(answer)):
                        self.wfile.write(piece)
                    return
                data = json.dumps(completion(answer)).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass  # the tests' output stays readable

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> StandInServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
