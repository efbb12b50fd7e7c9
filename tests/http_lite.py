"""A minimal HTTP/1.1 client for tests/load_client.py: one keep-alive connection, one write a
request, the answer parsed by hand.

The load client shares the servers' two cores, so its CPU is taken from what it measures.
http.client parsed each answer's headers with the email package (about 0.15 ms for the site's
17 headers), wrote a request in two pieces and, with a timeout set, polled the socket before
every read. This parses what the load client needs and nothing else: bodies by Content-Length,
chunked (nginx sends its gzipped answers so) or up to the end of the connection,
`Connection: close`, interim 1xx answers skipped. Lines end in CRLF, as every server sends them.
It does not decompress: the caller does, as a browser would.

The connection does not block: a selector says when it can go on (`wants`, `progress`), so that
one thread can drive many (tests/load_client.py's Loop). `request` is the blocking way.

Every failure is an OSError: the socket's own, or ProtocolError when the connection ends before
the answer does or what comes back is not HTTP.
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import socket
from dataclasses import dataclass

MAX_HEAD = 65536
MAX_HEADERS = 100
BUFFER = 65536
# What http.client refuses in a request target and in a header value: no request smuggling.
UNSAFE_PATH = re.compile(r"[\x00-\x20\x7f]")
UNSAFE_VALUE = re.compile(r"[\r\n]")


class ProtocolError(ConnectionError):
    """The connection ended mid-answer, or what came back is not an HTTP/1.x answer."""


@dataclass(slots=True)
class Response:
    status: int
    # Lower-case names; a repeated header's values joined with ", ", as http.client's getheader.
    headers: dict[str, str]
    cookies: list[str]  # each Set-Cookie header's value, in order
    body: bytes
    will_close: bool  # the server closes the connection after this answer


class Connection:
    """One keep-alive connection to host:port; after an error, or an answer that closes it, the
    caller makes a new one. One exchange at a time: `start` it, then call `progress` with the
    selector's events for `wants` until it returns the answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host = f"{host}:{port}"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        error = self.sock.connect_ex((host, port))
        if error not in (0, errno.EINPROGRESS):
            self.sock.close()
            raise OSError(error, os.strerror(error))
        self.connecting = error != 0
        self.outgoing = b""  # the request, or what of it the socket has not taken yet
        self.incoming = b""  # the answer so far
        self.method = ""
        self.eof = False

    def start(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> None:
        """Begin an exchange: the request, in one write as soon as the connection takes it."""
        if UNSAFE_PATH.search(path):
            raise ValueError(f"unsafe request target {path!r}")
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
        for name, value in headers.items():
            if UNSAFE_VALUE.search(value):
                raise ValueError(f"unsafe value for {name}: {value!r}")
            lines.append(f"{name}: {value}")
        lines.append("\r\n")
        self.method = method
        self.outgoing = "\r\n".join(lines).encode("latin-1") + (body or b"")
        if not self.connecting:
            self._send()

    def wants(self) -> int:
        """The selector events the exchange waits for."""
        return selectors.EVENT_WRITE if self.connecting or self.outgoing else selectors.EVENT_READ

    def progress(self, events: int) -> Response | None:
        """Go on as far as the socket allows (`events`: what the selector found); the answer
        once it is whole, else None."""
        if self.connecting:
            if not events & selectors.EVENT_WRITE:
                return None
            error = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                raise OSError(error, os.strerror(error))
            self.connecting = False
        if self.outgoing:
            self._send()
        if not events & selectors.EVENT_READ:
            return None
        try:
            data = self.sock.recv(BUFFER)
        except BlockingIOError:
            return None
        if data:
            self.incoming += data
        else:
            self.eof = True
        parsed = parse_response(self.incoming, self.method, self.eof)
        if parsed is None:
            return None
        response, used = parsed
        self.incoming = self.incoming[used:]
        return response

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None = None,
        timeout: float = 30.0,
    ) -> Response:
        """The whole exchange, blocking: at most `timeout` seconds without progress."""
        self.start(method, path, headers, body)
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, self.wants())
            while True:
                ready = selector.select(timeout)
                if not ready:
                    raise TimeoutError(f"nothing from {self.host} for {timeout} s")
                response = self.progress(ready[0][1])
                if response is not None:
                    return response
                selector.modify(self.sock, self.wants())

    def close(self) -> None:
        self.sock.close()

    def _send(self) -> None:
        try:
            sent = self.sock.send(self.outgoing)
        except BlockingIOError:
            return
        self.outgoing = self.outgoing[sent:]


def parse_response(
    data: bytes, method: str = "GET", eof: bool = False
) -> tuple[Response, int] | None:
    """The answer at the start of `data` and how many bytes it took, or None while it is not
    whole; `eof`: nothing more will come."""
    start = 0
    while True:
        end = data.find(b"\r\n\r\n", start)
        if end < 0:
            if len(data) - start > MAX_HEAD:
                raise ProtocolError("the head of the answer is too long")
            return _incomplete(eof, data)
        status_line, *lines = data[start:end].decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not (version.startswith("HTTP/1.") and code.isdigit() and rest[3:4] in ("", " ")):
            raise ProtocolError(f"not an HTTP answer: {status_line[:100]!r}")
        status = int(code)
        headers, cookies = _headers(lines)
        start = end + 4
        if not 100 <= status < 200:  # a 100 Continue and its kind come before the real answer
            break
    connection = headers.get("connection", "").lower()
    will_close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
    if method == "HEAD" or status in (204, 304):
        return Response(status, headers, cookies, b"", will_close), start
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunked = _chunked(data, start)
        if chunked is None:
            return _incomplete(eof, data)
        body, used = chunked
        return Response(status, headers, cookies, body, will_close), used
    if "content-length" in headers:
        value = headers["content-length"]
        if not (value.isascii() and value.isdigit()):
            raise ProtocolError(f"bad Content-Length {value!r}")
        end = start + int(value)
        if len(data) < end:
            return _incomplete(eof, data)
        return Response(status, headers, cookies, data[start:end], will_close), end
    if not eof:  # no length: the body ends with the connection
        return None
    return Response(status, headers, cookies, data[start:], True), len(data)


def _incomplete(eof: bool, data: bytes) -> None:
    if eof:
        raise ProtocolError("closed mid-answer" if data else "closed before the answer")


def _headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if len(lines) > MAX_HEADERS:
        raise ProtocolError(f"more than {MAX_HEADERS} headers")
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ProtocolError(f"not a header: {line[:100]!r}")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookies.append(value)
        elif name in headers:
            headers[name] += ", " + value
        else:
            headers[name] = value
    return headers, cookies


def _chunked(data: bytes, at: int) -> tuple[bytes, int] | None:
    """A chunked body from `at`, and where it ends; None while it is not whole."""
    parts = []
    while True:
        end = data.find(b"\r\n", at)
        if end < 0:
            if len(data) - at > MAX_HEAD:
                raise ProtocolError("a chunk size line too long")
            return None
        try:
            size = int(data[at:end].split(b";", 1)[0], 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size {data[at:end][:100]!r}") from None
        at = end + 2
        if size == 0:
            break
        if len(data) < at + size + 2:
            return None
        if data[at + size : at + size + 2] != b"\r\n":
            raise ProtocolError("a chunk longer than its size")
        parts.append(data[at : at + size])
        at += size + 2
    while True:  # trailers, if any, up to the blank line
        end = data.find(b"\r\n", at)
        if end < 0:
            return None
        if end == at:
            return b"".join(parts), at + 2
        at = end + 2
