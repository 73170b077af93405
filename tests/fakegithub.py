"""A small stand-in for GitHub's REST API: pull requests, their files and comments.

The same state answers in process (:class:`FakeClient`, for ``planc.change.comment``)
and over HTTP on 127.0.0.1 (:func:`serve`, for the real ``planc comment`` and its
urllib client), with pagination through ``Link`` headers as GitHub does it.
Like a real write token, it lets the caller edit anyone's comment: that is what
planc must not do.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT = {"login": "github-actions[bot]", "type": "Bot"}
REPOSITORY = "acme/sales"


def sha(seed: str) -> str:
    return (seed * 40)[:40]


@dataclass
class FakeGitHub:
    repository: str = REPOSITORY
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    files: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int = 100
    read_only: bool = False
    next_link_host: str | None = None  # a Link to another host, to test that it is refused
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    _next_id: int = 1000

    def add_pull(
        self,
        number: int,
        head: str,
        *,
        head_repo: str = REPOSITORY,
        branch: str = "move-ann",
        state: str = "open",
        files: tuple[str, ...] = ("plans/2027-Q1/regions/north.yaml",),
    ) -> None:
        self.pulls[number] = {
            "number": number,
            "state": state,
            "head": {"sha": head, "ref": branch, "repo": {"full_name": head_repo}},
            "changed_files": len(files),
        }
        self.files[number] = [{"filename": f} for f in files]
        self.comments.setdefault(number, [])

    def add_comment(self, number: int, body: str, user: Mapping[str, str] = BOT) -> int:
        self._next_id += 1
        self.comments.setdefault(number, []).append(
            {"id": self._next_id, "user": dict(user), "body": body}
        )
        return self._next_id

    def bodies(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments.get(number, [])]

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _ in self.requests if m in ("POST", "PATCH")]

    # -- the API ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: Mapping[str, str], payload: Any, headers: Any = None
    ) -> tuple[int, Any, bool]:
        """(status, JSON answer, whether another page follows)."""
        self.requests.append((method, path, dict(headers or {})))
        prefix = f"/repos/{self.repository}"
        if not path.startswith(prefix + "/"):
            return 404, {"message": "Not Found"}, False
        rest = path[len(prefix) :]
        page = int(query.get("page", "1"))
        if method == "GET" and (m := re.fullmatch(r"/pulls/(\d+)", rest)):
            pull = self.pulls.get(int(m.group(1)))
            return (200, pull, False) if pull else (404, {"message": "Not Found"}, False)
        if method == "GET" and rest == "/pulls":
            owner, _, branch = query.get("head", ":").partition(":")
            found = [
                p
                for p in self.pulls.values()
                if p["state"] == query.get("state", "open")
                and p["head"]["ref"] == branch
                and p["head"]["repo"]["full_name"].split("/")[0] == owner
            ]
            return self._page(found, page)
        if method == "GET" and (m := re.fullmatch(r"/pulls/(\d+)/files", rest)):
            return self._page(self.files.get(int(m.group(1)), []), page)
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            number = int(m.group(1))
            if method == "GET":
                return self._page(self.comments.get(number, []), page)
            if self.read_only:
                return 403, {"message": "Resource not accessible by integration"}, False
            self._next_id += 1
            created = {"id": self._next_id, "user": dict(BOT), "body": payload["body"]}
            self.comments.setdefault(number, []).append(created)
            return 201, created, False
        if method == "PATCH" and (m := re.fullmatch(r"/issues/comments/(\d+)", rest)):
            if self.read_only:
                return 403, {"message": "Resource not accessible by integration"}, False
            for thread in self.comments.values():
                for item in thread:
                    if item["id"] == int(m.group(1)):
                        item["body"] = payload["body"]
                        return 200, item, False
            return 404, {"message": "Not Found"}, False
        return 404, {"message": "Not Found"}, False

    def _page(self, items: list[Any], page: int) -> tuple[int, Any, bool]:
        start = (page - 1) * self.page_size
        return 200, items[start : start + self.page_size], start + self.page_size < len(items)


class FakeClient:
    """``planc.change.comment.GitHub`` over the fake, in process."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake

    def _answer(self, method: str, path: str, query: Mapping[str, str], payload: Any) -> Any:
        from planc.change.comment import GitHubError

        status, answer, _ = self.fake.handle(method, path, query, payload)
        if status >= 400:
            raise GitHubError(f"GitHub answered {status} to {method} {path}", status)
        return answer

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        return self._answer("GET", path, query or {}, None)

    def get_all(self, path: str, query: Mapping[str, str] | None = None) -> list[Any]:
        items: list[Any] = []
        page = 1
        while True:
            status, answer, more = self.fake.handle(
                "GET", path, {**(query or {}), "page": str(page)}, None
            )
            assert status == 200, (path, status)
            items += answer
            if not more:
                return items
            page += 1

    def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._answer("POST", path, {}, payload)

    def patch(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._answer("PATCH", path, {}, payload)


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[str]:
    """The fake over HTTP on 127.0.0.1; yields the API's base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else None
            status, answer, more = fake.handle(method, url.path, query, payload, dict(self.headers))
            data = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if more:
                host = fake.next_link_host or f"http://127.0.0.1:{self.server.server_address[1]}"
                following = urllib.parse.urlencode(
                    {**query, "page": int(query.get("page", "1")) + 1}
                )
                self.send_header("Link", f'<{host}{url.path}?{following}>; rel="next"')
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._reply("GET")

        def do_POST(self) -> None:
            self._reply("POST")

        def do_PATCH(self) -> None:
            self._reply("PATCH")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def workflow_run_event(
    head: str,
    *,
    listed: tuple[int, ...] = (),
    head_repo: str = REPOSITORY,
    branch: str = "move-ann",
    run_id: int = 4242,
) -> dict[str, Any]:
    """A ``workflow_run`` event as GitHub writes it (only the fields planc reads, and a few)."""
    return {
        "action": "completed",
        "workflow_run": {
            "id": run_id,
            "event": "pull_request",
            "conclusion": "success",
            "head_sha": head,
            "head_branch": branch,
            "head_repository": {
                "full_name": head_repo,
                "owner": {"login": head_repo.split("/", maxsplit=1)[0]},
            },
            "pull_requests": [
                {"number": n, "head": {"sha": head, "ref": branch}, "base": {"ref": "main"}}
                for n in listed
            ],
        },
    }


def pull_request_event(number: int, head: str, head_repo: str = REPOSITORY) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "head": {"sha": head, "ref": "move-ann", "repo": {"full_name": head_repo}},
        },
    }
