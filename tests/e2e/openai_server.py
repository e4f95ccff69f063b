"""A small OpenAI-compatible server on loopback: the only fake of the end-to-end tier.

It speaks the Responses API as Home Assistant 2025.4's `openai_conversation` calls it
(`client.responses.create(..., stream=True)`): a turn without a tool result is answered with
a call of HomeIQ's draft tool on the user's words, a turn with one with a short final text.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from tests.engine.process import free_port

MODEL = "gpt-4o-mini"
DRAFT_TOOL = "HomeIQDraftAutomation"


class OpenAIServer:
    """The server in a thread; `requests` holds every Responses API body it was sent."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep the test output quiet."""

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    model = {"id": MODEL, "object": "model", "created": 0, "owned_by": "e2e"}
                    self._json({"object": "list", "data": [model]})
                else:
                    self._json({"error": {"message": "not found"}}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/responses":
                    self._json({"error": {"message": "not found"}}, 404)
                    return
                server.requests.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for event in _events(body["input"], len(server.requests)):
                    data = json.dumps(event)
                    self.wfile.write(f"event: {event['type']}\ndata: {data}\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

            def _json(self, answer: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _response(number: int, output: list[dict[str, Any]]) -> dict[str, Any]:
    """A Response object of the Responses API."""
    return {
        "id": f"resp_{number}",
        "object": "response",
        "created_at": 0,
        "model": MODEL,
        "status": "completed",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 10,
            "output_tokens": 5,
            "total_tokens": 15,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def _events(items: list[dict[str, Any]], number: int) -> Iterator[dict[str, Any]]:
    """The stream of one answer: a draft tool call, or after its result a final text."""
    results = [item for item in items if item.get("type") == "function_call_output"]
    yield {"type": "response.created", "response": {**_response(number, []), "usage": None}}
    if not results:
        said = next(i["content"] for i in reversed(items) if i.get("role") == "user")
        arguments = json.dumps({"request": said})
        call = {
            "type": "function_call",
            "id": f"fc_{number}",
            "call_id": f"call_{number}",
            "name": DRAFT_TOOL,
            "arguments": "",
            "status": "in_progress",
        }
        yield {"type": "response.output_item.added", "output_index": 0, "item": call}
        where = {"item_id": call["id"], "output_index": 0}
        yield {"type": "response.function_call_arguments.delta", **where, "delta": arguments}
        yield {"type": "response.function_call_arguments.done", **where, "arguments": arguments}
        done = {**call, "arguments": arguments, "status": "completed"}
        yield {"type": "response.output_item.done", "output_index": 0, "item": done}
        yield {"type": "response.completed", "response": _response(number, [done])}
        return
    drafted = json.loads(results[-1]["output"])
    text = f"HomeIQ drafted '{drafted.get('title')}'. Approve it in HomeIQ to switch it on."
    message = {
        "type": "message",
        "id": f"msg_{number}",
        "role": "assistant",
        "status": "in_progress",
        "content": [],
    }
    yield {"type": "response.output_item.added", "output_index": 0, "item": message}
    where = {"item_id": message["id"], "output_index": 0, "content_index": 0}
    yield {"type": "response.output_text.delta", **where, "delta": text}
    yield {"type": "response.output_text.done", **where, "text": text}
    yield {"type": "response.completed", "response": _response(number, [])}
