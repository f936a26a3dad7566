"""The spot node agent against a real HTTP server playing EC2's instance metadata service (IMDSv2)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sskai.serving.process import free_port
from sskai.spot.agent import INSTANCE_ACTION_PATH, TOKEN_PATH, InterruptionNotice, SpotNoticeAgent


class FakeMetadata:
    """What the metadata service says: no notice for the first ``quiet_polls`` asks, then a notice."""

    def __init__(self, quiet_polls: int, deadline: datetime) -> None:
        self.quiet_polls, self.deadline = quiet_polls, deadline
        self.polls, self.tokens_issued, self.expire_next = 0, 0, False
        self.valid: set[str] = set()


@pytest.fixture
def metadata() -> Iterator[tuple[str, FakeMetadata]]:
    state = FakeMetadata(quiet_polls=2, deadline=datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=2))

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: str = "") -> None:
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body.encode())

        def do_PUT(self) -> None:
            if self.path != TOKEN_PATH or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self._send(400)
            state.tokens_issued += 1
            token = f"token-{state.tokens_issued}"
            state.valid.add(token)
            return self._send(200, token)

        def do_GET(self) -> None:
            token = self.headers.get("X-aws-ec2-metadata-token")
            if token not in state.valid:
                return self._send(401)
            if state.expire_next:
                state.valid.discard(token)
                state.expire_next = False
                return self._send(401)
            if self.path != INSTANCE_ACTION_PATH:
                return self._send(404)
            state.polls += 1
            if state.polls <= state.quiet_polls:
                return self._send(404)
            when = state.deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
            return self._send(200, json.dumps({"action": "terminate", "time": when}))

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}", state
    server.shutdown()
    server.server_close()


def test_the_agent_drains_once_on_the_first_notice(metadata) -> None:
    url, state = metadata
    drained: list[InterruptionNotice] = []
    agent = SpotNoticeAgent(drained.append, metadata_url=url, poll_seconds=0.05)
    notice = agent.run(threading.Event())
    agent.close()
    assert drained == [notice] and notice.action == "terminate" and notice.deadline == state.deadline
    assert state.polls == 3 and state.tokens_issued == 1  # two quiet polls, then the notice, on one session token
    assert 100 < notice.seconds_left() <= 120


def test_an_expired_token_is_renewed_and_a_stop_ends_polling(metadata) -> None:
    url, state = metadata
    state.quiet_polls = 10**6
    agent = SpotNoticeAgent(lambda notice: None, metadata_url=url, poll_seconds=0.05)
    assert agent.check_once() is None
    state.expire_next = True
    assert agent.check_once() is None and state.tokens_issued == 2
    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    assert agent.run(stop) is None  # no notice: polling ends when asked
    agent.close()


def test_a_metadata_service_that_is_down_is_not_a_notice() -> None:
    agent = SpotNoticeAgent(lambda notice: None, metadata_url=f"http://127.0.0.1:{free_port()}", poll_seconds=0.01)
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    assert agent.run(stop) is None
    agent.close()
