"""A client for the clawdforge gateway, on the Python standard library alone (3.8+).

    from clawdforge import Clawdforge, ClawdforgeError

    cf = Clawdforge("http://192.168.0.5:8800", token)
    print(cf.run("Reply with JSON: {\\"hello\\": \\"world\\"}")["result"])
    for event in cf.run_stream("Write a haiku about rice."):
        if event.name == "delta":
            print(event.data["text"], end="")
    with cf.session(agent="claude") as session:
        print(session.turn("Help me draft a SQL migration.").text())

Every failure is a ClawdforgeError with the server's status, code and message. The token is never
shown by repr() or in an error. Runs, new sessions and turns carry an Idempotency-Key (a fresh UUID,
or the idempotency_key given), the same on every retry: the server runs them once.
"""

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import http.client
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple, TypedDict, Union, cast

__all__ = ["Clawdforge", "ClawdforgeError", "Event", "RunResult", "Session", "SessionState", "StoredFile", "Turn", "UploadedFile"]

JSON = Dict[str, Any]

# The server's shape of an Idempotency-Key: 1 to 255 printable ASCII characters, no space at either end.
_KEY_SHAPE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?")


# The answers' fields, as GET /docs-json names them (the test suite holds them equal).


class RunResult(TypedDict):
    ok: bool
    result: Any  # the model's answer, JSON-parsed when it parses, else the string
    duration_ms: int
    stop_reason: Optional[str]
    queue_ms: int
    model: Optional[str]
    usage: Dict[str, Optional[int]]
    cost_usd: Optional[float]
    session_id: Optional[str]
    tools_refused: int


class StoredFile(TypedDict):
    file_token: str
    name: str
    size: int
    sha256: str
    media_type: str
    created_at: str
    expires_at: str


class UploadedFile(StoredFile):
    ok: bool
    ttl_secs: int


class SessionState(TypedDict, total=False):
    ok: bool
    session_id: str
    agent: str
    model: str
    status: str  # "open" or "closed"
    busy: bool
    created_at: str
    last_activity_at: str
    closed_at: Optional[str]
    turn_count: int
    late_events: List[JSON]


class ClawdforgeError(Exception):
    """An answer other than success, a broken stream, or no answer at all (status 0, code network_error)."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None, request_id: Optional[str] = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.request_id = request_id


class Event(NamedTuple):
    """One Server-Sent Event: its name (delta, tool_use, acp, result, error) and its JSON data."""

    name: str
    data: Any


class Turn(Dict[str, Any]):
    """A turn's answer (session_id, turn_index, events, stop_reason, tools_refused, …), plus text()."""

    def text(self) -> str:
        """The agent's message chunks of this turn, joined."""
        parts: List[str] = []
        for message in self.get("events", []):
            update = (message.get("params") or {}).get("update") or {}
            content = update.get("content") or {}
            if update.get("sessionUpdate") == "agent_message_chunk" and content.get("type") == "text":
                parts.append(content.get("text", ""))
        return "".join(parts)


class Clawdforge:
    """The clawdforge API over HTTP. `token` is an app token (cf_…), or the admin token for admin_*.

    `retries` (0 by default) is how many times a call is sent again after a 429 (waiting as
    Retry-After says, at most `max_retry_wait` seconds), and a run, new session or turn after no
    answer (a refused or dropped connection, a timeout): it carries the same Idempotency-Key, so the
    server answers it with the first one's answer rather than running it again. With
    `idempotency_keys=False` only the keys given as `idempotency_key` are sent; a call without one
    then stops its work on the server when its connection closes, and is not retried after no answer.
    """

    def __init__(self, base_url: str, token: str, timeout: float = 600.0, retries: int = 0, max_retry_wait: float = 30.0, idempotency_keys: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.__token = token
        self.timeout = timeout
        self.retries = retries
        self.max_retry_wait = max_retry_wait
        self.idempotency_keys = idempotency_keys

    def __repr__(self) -> str:
        return f"Clawdforge({self.base_url!r})"

    # -- runs -------------------------------------------------------------------------------------

    def run(
        self,
        prompt: str,
        model: Optional[str] = None,
        system: Optional[str] = None,
        files: Optional[List[str]] = None,
        timeout_secs: Optional[int] = None,
        json_schema: Optional[JSON] = None,
        idempotency_key: Optional[str] = None,
    ) -> RunResult:
        """POST /run: one prompt through claude -p. `files` are file tokens from upload().
        `idempotency_key`: the same key with the same request within a day is answered the first
        answer again, run and billed once (a fresh UUID when not given)."""
        body = _present(prompt=prompt, model=model, system=system, files=files, timeout_secs=timeout_secs, json_schema=json_schema)
        return cast(RunResult, self._json("POST", "/run", body, key=self._key(idempotency_key)))

    def run_stream(
        self,
        prompt: str,
        model: Optional[str] = None,
        system: Optional[str] = None,
        files: Optional[List[str]] = None,
        timeout_secs: Optional[int] = None,
        json_schema: Optional[JSON] = None,
        idempotency_key: Optional[str] = None,
    ) -> Iterator[Event]:
        """POST /run as Server-Sent Events: delta {text} and tool_use {id, name} as the model writes, then
        result (the RunResult). An error event is raised as ClawdforgeError."""
        body = _present(prompt=prompt, model=model, system=system, files=files, timeout_secs=timeout_secs, json_schema=json_schema)
        return self._events("POST", "/run", body, self._key(idempotency_key))

    # -- files ------------------------------------------------------------------------------------

    def upload(self, content: Union[bytes, str, "os.PathLike[str]"], filename: Optional[str] = None, ttl_secs: Optional[int] = None) -> UploadedFile:
        """POST /files: bytes, or the path of a file to read. Answers the file_token to pass in run(files=[…])."""
        if isinstance(content, bytes):
            data, name = content, filename or "file"
        else:
            with open(content, "rb") as handle:
                data = handle.read()
            name = filename or os.path.basename(os.fspath(content))
        fields = {} if ttl_secs is None else {"ttl_secs": str(ttl_secs)}
        body, content_type = _multipart(fields, "file", name, data)
        return cast(UploadedFile, self._json("POST", "/files", body=body, content_type=content_type))

    def list_files(self, limit: Optional[int] = None, cursor: Optional[str] = None) -> JSON:
        return self._json("GET", "/files", query={"limit": limit, "cursor": cursor})

    def delete_file(self, file_token: str) -> JSON:
        return self._json("DELETE", f"/files/{urllib.parse.quote(file_token, safe='')}")

    # -- sessions ---------------------------------------------------------------------------------

    def session(self, agent: Optional[str] = None, model: Optional[str] = None, system: Optional[str] = None, idempotency_key: Optional[str] = None) -> "Session":
        """POST /sessions: opens a session. Use it in a `with` block to close it at the end."""
        state = self._json("POST", "/sessions", _present(agent=agent, model=model, system=system), key=self._key(idempotency_key))
        return Session(self, state["session_id"])

    def list_sessions(self, limit: Optional[int] = None, cursor: Optional[str] = None) -> JSON:
        return self._json("GET", "/sessions", query={"limit": limit, "cursor": cursor})

    # -- usage, health, admin ---------------------------------------------------------------------

    def usage(self) -> JSON:
        """GET /usage: this token's spend today and this month, its limits and the budget left."""
        return self._json("GET", "/usage")

    def health(self) -> JSON:
        return self._json("GET", "/healthz")

    def admin_create_token(self, name: str, **fields: Any) -> JSON:
        """POST /admin/tokens (admin token). Fields: ip_cidrs, models, max_concurrent_runs, runs_per_minute, budget_usd_day, budget_usd_month."""
        return self._json("POST", "/admin/tokens", {"name": name, **fields})

    def admin_audit(self, **filters: Any) -> JSON:
        """GET /admin/audit (admin token). Filters: token, route, since, limit, cursor."""
        return self._json("GET", "/admin/audit", query=filters)

    # -- the wire ---------------------------------------------------------------------------------

    def _key(self, given: Optional[str]) -> Optional[str]:
        """The Idempotency-Key of a run, new session or turn: the one given, else a fresh UUID (unless turned off)."""
        if given is None:
            return str(uuid.uuid4()) if self.idempotency_keys else None
        if not isinstance(given, str) or not _KEY_SHAPE.fullmatch(given):
            raise ClawdforgeError(0, "invalid_request", "idempotency_key must be 1 to 255 printable ASCII characters, without a space at either end", "idempotency_key")
        return given

    def _request(self, method: str, path: str, payload: Optional[JSON], query: Optional[Dict[str, Any]], body: Optional[bytes], content_type: Optional[str], accept: str, key: Optional[str] = None) -> http.client.HTTPResponse:
        url = self.base_url + path
        params = {name: value for name, value in (query or {}).items() if value is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Authorization": f"Bearer {self.__token}", "Accept": accept}
        if payload is not None:
            body, content_type = json.dumps(payload).encode("utf-8"), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if key is not None:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        attempt = 0
        while True:
            try:
                response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=self.timeout)
                return response
            except urllib.error.HTTPError as error:
                if error.code == 429 and attempt < self.retries:
                    wait = _retry_wait(error.headers.get("Retry-After"), attempt, self.max_retry_wait)
                    error.close()
                else:
                    raise _error_from(error.code, error.read(), error.headers.get("X-Request-Id")) from None
            except (urllib.error.URLError, OSError) as error:
                # Only a call with a key is sent again: the server answers its retry with the first one's answer.
                if key is not None and attempt < self.retries:
                    wait = _retry_wait(None, attempt, self.max_retry_wait)
                else:
                    reason = getattr(error, "reason", error)
                    raise ClawdforgeError(0, "network_error", f"{method} {path}: {reason}") from None
            time.sleep(wait)
            attempt += 1

    def _json(self, method: str, path: str, payload: Optional[JSON] = None, query: Optional[Dict[str, Any]] = None, body: Optional[bytes] = None, content_type: Optional[str] = None, key: Optional[str] = None) -> JSON:
        with self._request(method, path, payload, query, body, content_type, "application/json", key) as response:
            return json.loads(response.read())

    def _events(self, method: str, path: str, payload: JSON, key: Optional[str] = None) -> Iterator[Event]:
        response = self._request(method, path, payload, None, None, None, "text/event-stream", key)
        request_id = response.headers.get("X-Request-Id")
        with response:
            name: str = "message"
            data: List[str] = []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        event = Event(name, json.loads("\n".join(data)))
                        if event.name == "error":
                            raise _error_from(200, json.dumps(event.data).encode(), request_id, default_code="stream_error")
                        yield event
                    name, data = "message", []
                elif line.startswith(":"):
                    continue  # a heartbeat
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))


class Session:
    """A multi-turn agent session. close() is idempotent, and a `with` block calls it at the end."""

    def __init__(self, client: Clawdforge, session_id: str) -> None:
        self._client = client
        self.id = session_id
        self.closed = False

    def __repr__(self) -> str:
        return f"Session({self.id!r})"

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def turn(self, prompt: str, timeout_secs: Optional[int] = None, idempotency_key: Optional[str] = None) -> Turn:
        """POST /sessions/:id/turn: answers when the agent has finished the turn."""
        self._assert_open()
        key = self._client._key(idempotency_key)
        return Turn(self._client._json("POST", self._path("/turn"), _present(prompt=prompt, timeout_secs=timeout_secs), key=key))

    def turn_stream(self, prompt: str, timeout_secs: Optional[int] = None, idempotency_key: Optional[str] = None) -> Iterator[Event]:
        """The turn as Server-Sent Events: one acp event per agent message, then result (its data a Turn)."""
        self._assert_open()
        key = self._client._key(idempotency_key)
        for event in self._client._events("POST", self._path("/turn"), _present(prompt=prompt, timeout_secs=timeout_secs), key):
            yield Event(event.name, Turn(event.data)) if event.name == "result" else event

    def state(self) -> SessionState:
        return cast(SessionState, self._client._json("GET", self._path("")))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._client._json("DELETE", self._path(""))

    def _assert_open(self) -> None:
        if self.closed:
            raise ClawdforgeError(0, "session_closed", f"session {self.id} was closed by this client")

    def _path(self, suffix: str) -> str:
        return f"/sessions/{urllib.parse.quote(self.id, safe='')}{suffix}"


def _present(**fields: Any) -> JSON:
    return {key: value for key, value in fields.items() if value is not None}


def _retry_wait(header: Optional[str], attempt: int, cap: float) -> float:
    """Retry-After seconds when given, else backoff from half a second, doubling; at most `cap`."""
    try:
        seconds = float(header) if header is not None else -1.0
    except ValueError:
        seconds = -1.0
    return min(seconds if seconds >= 0 else 0.5 * 2**attempt, cap)


def _error_from(status: int, body: bytes, request_id: Optional[str], default_code: str = "http_error") -> ClawdforgeError:
    try:
        error = json.loads(body).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict) or not error.get("code"):
        return ClawdforgeError(status, default_code, f"HTTP {status}", request_id=request_id)
    return ClawdforgeError(status, error["code"], error.get("message", error["code"]), error.get("field"), request_id)


def _multipart(fields: Dict[str, str], file_field: str, filename: str, content: bytes) -> Tuple[bytes, str]:
    boundary = "clawdforge-" + uuid.uuid4().hex
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    parts: List[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode("utf-8"))
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{quoted}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode("utf-8"))
    parts.append(content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode("utf-8"))
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
