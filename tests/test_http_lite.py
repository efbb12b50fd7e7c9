"""tests/http_lite.py, and the load client's Browser over it, against a scripted server on
127.0.0.1: the exact bytes of each answer, written in pieces, dropped or held back on purpose."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from tests import http_lite, load_client
from tests.http_lite import ProtocolError, parse_response
from tests.load_client import Browser, FlowError, Loop, Recorder, Request

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


# --- the load client's browser ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    """A browser that waits for an answer that will not come fails the test in seconds."""
    monkeypatch.setattr(load_client, "TIMEOUT", 5.0)


def attempts(recorder: Recorder) -> list[tuple[int, bool]]:
    return [(a.status, a.retry) for a in recorder.attempts]


def test_the_browser_keeps_its_cookies_sends_what_a_browser_sends_and_unzips(serve):
    page = "<p>Ærlig talt: «svar» & æøå</p>".encode()

    def script(request: Received) -> list:
        if request.path == "/login":
            return [answer(302, ("Set-Cookie: session=abc; Path=/; HttpOnly",
                                 "Set-Cookie: lang=da; SameSite=Lax",
                                 "Location: http://127.0.0.1/next/1?x=y"))]  # fmt: skip
        packed = gzip.compress(page)
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        return [head, *chunked(packed, 16)]

    server = serve(script)
    recorder = Recorder()
    browser = Browser(server.port, "http://127.0.0.1:8000", recorder)
    try:
        moved = browser.send(Request("login", "GET", "/login"))
        form = {"csrf_token": "t/k+n", "q_a": ["x y", "æ"], "note_a": "«ref» & <b>"}
        shown = browser.send(Request("page", "POST", "/page", form))
    finally:
        browser.close()
    assert (moved.status, moved.location, moved.body) == (302, "/next/1", "")
    assert (shown.status, shown.body) == (200, page.decode())
    login, post = server.requests
    assert login.headers == {"Host": f"127.0.0.1:{server.port}", "Accept-Encoding": "gzip",
                             "Accept-Language": "da"}  # fmt: skip
    assert post.headers == {
        "Host": f"127.0.0.1:{server.port}",
        "Content-Length": str(len(post.body)),
        "Accept-Encoding": "gzip",
        "Accept-Language": "da",
        "Cookie": "session=abc; lang=da",
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": "http://127.0.0.1:8000",
    }
    assert post.body == urlencode(form, doseq=True).encode()
    assert [r.connection for r in server.requests] == [1, 1]
    assert attempts(recorder) == [(302, False), (200, False)]


def test_the_browser_opens_a_new_connection_after_connection_close(serve):
    server = serve(lambda r: [answer(200, ("Connection: close",), b"x"), DROP])
    recorder = Recorder()
    browser = Browser(server.port, "http://o", recorder)
    try:
        for _ in range(2):
            assert browser.send(Request("k", "GET", "/")).status == 200
    finally:
        browser.close()
    assert [r.connection for r in server.requests] == [1, 2]
    assert attempts(recorder) == [(200, False), (200, False)]  # nothing cut off


def test_a_dropped_connection_and_a_503_are_retried_and_every_attempt_recorded(serve):
    def script(request: Received) -> list:
        calls = len(server.requests)
        return [[DROP], [answer(503)], [answer(200, (), b"ok")]][min(calls, 3) - 1]

    server = serve(script)
    recorder = Recorder()
    browser = Browser(server.port, "http://o", recorder)
    try:
        assert browser.send(Request("k", "GET", "/")).body == "ok"
    finally:
        browser.close()
    assert attempts(recorder) == [(0, False), (503, True), (200, True)]
    assert [r.connection for r in server.requests] == [1, 2, 2]


def test_a_connection_closed_while_idle_costs_an_attempt_as_on_http_client(serve):
    """The server closes a kept connection between requests: the next request is cut off and
    sent again, an attempt recorded, as http.client's browsers had it."""
    server = serve(lambda r: [answer(200, (), b"ok"), DROP])
    recorder = Recorder()
    browser = Browser(server.port, "http://o", recorder)
    try:
        browser.send(Request("k", "GET", "/"))
        time.sleep(0.1)
        browser.send(Request("k", "GET", "/"))
    finally:
        browser.close()
    assert attempts(recorder) == [(200, False), (0, False), (200, True)]


def test_a_silent_server_times_out_and_the_retry_gets_through(serve, monkeypatch):
    monkeypatch.setattr(load_client, "TIMEOUT", 0.2)
    server = serve(lambda r: [2.0] if len(server.requests) == 1 else [answer(200, (), b"ok")])
    recorder = Recorder()
    browser = Browser(server.port, "http://o", recorder)
    try:
        assert browser.send(Request("k", "GET", "/")).body == "ok"
    finally:
        browser.close()
    assert attempts(recorder) == [(0, False), (200, True)]
    assert recorder.attempts[0].seconds < 1.6  # given up after the timeout (checked each second)


def test_a_browser_gives_up_after_its_attempts(serve):
    server = serve(lambda r: [answer(502)])
    recorder = Recorder()
    browser = Browser(server.port, "http://o", recorder)
    try:
        with pytest.raises(FlowError, match="k GET failed 6 times"):
            browser.send(Request("k", "GET", "/"))
    finally:
        browser.close()
    assert attempts(recorder) == [(502, False)] + [(502, True)] * 5


def test_a_request_that_cannot_be_sent_is_the_flows_error(serve):
    server = serve(lambda r: [answer()])
    browser = Browser(server.port, "http://o", Recorder())
    try:
        with pytest.raises(ValueError, match="unsafe request target"):
            browser.send(Request("k", "GET", "/a link"))
    finally:
        browser.close()
    assert server.requests == []


def test_one_loop_drives_many_browsers_at_once(serve):
    server = serve(lambda r: [0.3, answer(200, (), r.path.encode())])
    recorder = Recorder()
    loop = Loop()
    browsers = [Browser(server.port, "http://o", recorder) for _ in range(10)]
    answers: list = []
    started = time.monotonic()
    for number, browser in enumerate(browsers):
        browser.begin(loop, Request("k", "GET", f"/{number}"), started, answers.append)
    loop.run()
    took = time.monotonic() - started
    for browser in browsers:
        browser.close()
    loop.close()
    assert sorted(a.body for a in answers) == sorted(f"/{n}" for n in range(10))
    assert took < 1.5  # together, not one after the other (3 s)
    assert all(a.seconds >= 0.3 for a in recorder.attempts)  # counted from the due moment
