"""tests/http_lite.py against a scripted server on 127.0.0.1: the exact bytes of each answer,
written in pieces, dropped or held back on purpose."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests import http_lite
from tests.http_lite import ProtocolError, parse_response

DROP = object()  # a step of an answer: close the connection


@dataclass
class Received:
    connection: int  # which connection it came on, 1 for the first
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Server:
    """Answers each request with `script(request)`: bytes to write, a float (seconds to wait)
    or DROP, in order. Keeps every request it read."""

    def __init__(self, script: Callable[[Received], list]) -> None:
        self.script = script
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[Received] = []
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            self.sockets.append(sock)
            number = len(self.sockets)
            threading.Thread(target=self._serve, args=(sock, number), daemon=True).start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        reader = sock.makefile("rb")
        try:
            while request := self._read(reader, number):
                self.requests.append(request)
                for step in self.script(request):
                    if step is DROP:
                        return
                    if isinstance(step, float):
                        time.sleep(step)
                    else:
                        sock.sendall(step)
        except OSError:  # the client went away first
            pass
        finally:
            reader.close()
            sock.close()

    @staticmethod
    def _read(reader, number: int) -> Received | None:  # type: ignore[no-untyped-def]
        line = reader.readline()
        if not line:
            return None
        method, path, _ = line.decode("latin-1").split(" ")
        headers = {}
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name] = value.strip()
        body = reader.read(int(headers.get("Content-Length", "0")))
        return Received(number, method, path, headers, body)

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Received], list]], Server]]:
    servers: list[Server] = []

    def start(script: Callable[[Received], list]) -> Server:
        servers.append(Server(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def answer(status: int = 200, headers: tuple[str, ...] = (), body: bytes = b"") -> bytes:
    """An answer with Content-Length."""
    head = [f"HTTP/1.1 {status} Whatever", *headers, f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


def chunked(body: bytes, size: int) -> list[bytes]:
    """A chunked body, one chunk a piece (the first with an extension), and its end."""
    pieces = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
              for i in range(0, len(body), size)]  # fmt: skip
    pieces[0] = pieces[0].replace(b"\r\n", b";name=value\r\n", 1)
    return [*pieces, b"0\r\nX-Trailer: yes\r\n\r\n"]


@pytest.fixture
def connection() -> Iterator[Callable[[int], http_lite.Connection]]:
    opened: list[http_lite.Connection] = []

    def connect(port: int) -> http_lite.Connection:
        opened.append(http_lite.Connection("127.0.0.1", port))
        return opened[-1]

    yield connect
    for each in opened:
        each.close()


# --- the connection -----------------------------------------------------------------------------


def test_a_body_by_content_length_and_the_connection_kept(serve, connection):
    server = serve(lambda r: [answer(200, ("Set-Cookie: a=1", "Set-Cookie: b=2"), r.path.encode())])
    conn = connection(server.port)
    first = conn.request("GET", "/one", {"Accept-Language": "da"})
    second = conn.request("POST", "/two", {"Content-Type": "text/plain"}, b"hello")
    assert (first.status, first.body, first.will_close) == (200, b"/one", False)
    assert first.cookies == ["a=1", "b=2"] and "set-cookie" not in first.headers
    assert second.body == b"/two"
    assert [r.connection for r in server.requests] == [1, 1]  # one connection, kept
    get, post = server.requests
    assert get.headers == {"Host": f"127.0.0.1:{server.port}", "Accept-Language": "da"}
    assert post.headers["Content-Length"] == "5" and post.body == b"hello"


def test_a_chunked_body_written_in_pieces(serve, connection):
    body = bytes(range(256)) * 40
    pieces = chunked(body, 1000)
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVary: A\r\nVary: B\r\n\r\n"
    script = [head[:10], 0.02, head[10:], *[x for p in pieces for x in (p[:3], 0.005, p[3:])]]
    server = serve(lambda r: script)
    response = connection(server.port).request("GET", "/", {})
    assert response.body == body
    assert response.headers == {"transfer-encoding": "chunked", "vary": "A, B"}


def test_a_gzipped_chunked_body_comes_as_sent(serve, connection):
    """Decompressing is the browser's part (below): the connection gives the bytes."""
    packed = gzip.compress("æøå «tekst»".encode() * 100)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
    server = serve(lambda r: [head, *chunked(packed, 100)])
    response = connection(server.port).request("GET", "/", {})
    assert response.body == packed and response.headers["content-encoding"] == "gzip"


def test_connection_close_and_a_body_up_to_the_end(serve, connection):
    server = serve(lambda r: [b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end", DROP])
    response = connection(server.port).request("GET", "/", {})
    assert (response.body, response.will_close) == (b"to the end", True)
    server = serve(lambda r: [answer(200, ("Connection: close",), b"x")])
    assert connection(server.port).request("GET", "/", {}).will_close


def test_a_server_that_drops_the_connection(serve, connection):
    server = serve(lambda r: [DROP])
    with pytest.raises(ProtocolError, match="closed before the answer"):
        connection(server.port).request("GET", "/", {})
    server = serve(lambda r: [answer(200, (), b"0123456789")[:-4], DROP])
    with pytest.raises(ProtocolError, match="closed mid-answer"):
        connection(server.port).request("GET", "/", {})
    assert issubclass(ProtocolError, OSError)  # what the load client retries


def test_no_answer_within_the_timeout(serve, connection):
    server = serve(lambda r: [1.0, answer()])
    with pytest.raises(TimeoutError):
        connection(server.port).request("GET", "/", {}, timeout=0.2)


def test_a_refused_connection_is_an_os_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: nothing answers there
        conn = None
        with pytest.raises(ConnectionRefusedError):
            conn = http_lite.Connection("127.0.0.1", port)  # refused at once, or when it answers
            conn.request("GET", "/", {})
        if conn is not None:
            conn.close()


def test_nothing_unsafe_goes_into_the_request(serve, connection):
    conn = connection(serve(lambda r: [answer()]).port)
    with pytest.raises(ValueError, match="target"):
        conn.start("GET", "/a b", {})
    with pytest.raises(ValueError, match="X-Name"):
        conn.start("GET", "/", {"X-Name": "a\r\nInjected: 1"})


# --- the parser, byte by byte -------------------------------------------------------------------


def test_every_prefix_of_an_answer_is_not_yet_an_answer():
    body = b"hello, world"
    whole = (b"HTTP/1.1 100 Continue\r\n\r\n"
             b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             + b"".join(chunked(body, 5)) + b"HTTP/1.1 204 No Content\r\n\r\n")  # fmt: skip
    end = whole.index(b"HTTP/1.1 204")
    for cut in range(end):
        assert parse_response(whole[:cut]) is None, cut
        with pytest.raises(ProtocolError):
            parse_response(whole[:cut], eof=True)
    response, used = parse_response(whole)
    assert (response.status, response.body, used) == (200, body, end)  # the next answer stays
    assert parse_response(whole[used:])[0].status == 204


def test_what_an_answer_says_about_its_length_and_its_connection():
    response, _ = parse_response(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert response.will_close  # HTTP/1.0 closes unless it says keep-alive
    ten = b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok"
    assert not parse_response(ten)[0].will_close
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    assert parse_response(head, method="HEAD")[0].body == b""
    assert parse_response(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n")[0].body == b""
    assert parse_response(b"HTTP/1.1 200 OK\r\n\r\nuntil", eof=False) is None
    assert parse_response(b"HTTP/1.1 200 OK\r\n\r\nuntil", eof=True)[0].body == b"until"


@pytest.mark.parametrize(
    "data",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 20 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n",
        b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000,
    ],
)
def test_what_is_not_an_answer(data):
    with pytest.raises(ProtocolError):
        parse_response(data)
