"""A minimal Language Server Protocol client for the tests: JSON-RPC 2.0 over a subprocess's
stdin/stdout with `Content-Length` framing, as an editor speaks it. Every wait has a
timeout, so a server that hangs fails the test instead of blocking the run."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time


class LspError(AssertionError):
    pass


class LspClient:
    def __init__(self, command: list[str], cwd: str | None = None, env: dict | None = None) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env
        )
        self._messages: queue.Queue = queue.Queue()
        self._held: list[dict] = []  # notifications received while waiting for something else
        self._next_id = 0
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # - wire -

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self._messages.put(None)  # the server closed its output
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self._messages.put(json.loads(body.decode("utf-8")))

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read(4096), b""):
            self.stderr += chunk

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _next(self, deadline: float) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LspError(f"timed out waiting for the server; stderr:\n{self.stderr.decode(errors='replace')}")
        try:
            message = self._messages.get(timeout=remaining)
        except queue.Empty:
            raise LspError(f"timed out waiting for the server; stderr:\n{self.stderr.decode(errors='replace')}") from None
        if message is None:
            self._messages.put(None)
            raise LspError(f"the server closed the connection; stderr:\n{self.stderr.decode(errors='replace')}")
        if "method" in message and "id" in message:  # a request from the server: answer it
            self.send({"id": message["id"], "result": None})
        return message

    # - protocol -

    def request(self, method: str, params, timeout: float = 15.0):
        self._next_id += 1
        request_id = self._next_id
        self.send({"id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise LspError(f"{method} failed: {message['error']}")
                return message.get("result")
            self._held.append(message)

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, method: str, predicate=lambda params: True, timeout: float = 15.0) -> dict:
        """The params of the first notification or request from the server `method` (held or
        new) that `predicate` accepts (requests are answered as they arrive)."""
        for index, message in enumerate(self._held):
            if message.get("method") == method and predicate(message.get("params")):
                del self._held[index]
                return message.get("params")
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("method") == method and predicate(message.get("params")):
                return message.get("params")
            self._held.append(message)

    def held(self, method: str) -> list[dict]:
        return [m["params"] for m in self._held if m.get("method") == method]

    def close(self, timeout: float = 10.0) -> int:
        """shutdown, exit, and the server's exit status."""
        try:
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit", None)
            self.process.stdin.close()
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def apply_text_edits(text: str, edits: list[dict], encoding: str = "utf-16") -> str:
    """Apply LSP TextEdits to `text`, their characters counted in `encoding` (UTF-16 code
    units, the protocol's default, or UTF-8 bytes), independently of asynclint's own position
    code."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def width(ch: str) -> int:
        if encoding == "utf-8":
            return len(ch.encode("utf-8"))
        return 2 if ord(ch) > 0xFFFF else 1

    def offset(position: dict) -> int:
        line = position["line"]
        if line >= len(lines):
            return len(text)
        content = lines[line].rstrip("\r\n")
        units = 0
        for index, ch in enumerate(content):
            if units >= position["character"]:
                return starts[line] + index
            units += width(ch)
        return starts[line] + len(content)

    located = sorted(
        ((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits), reverse=True
    )
    for start, end, new_text in located:
        text = text[:start] + new_text + text[end:]
    return text


def workspace_edit_text(edit: dict, uri: str, text: str, encoding: str = "utf-16") -> str:
    """Apply a WorkspaceEdit's edits for `uri` (either `changes` or `documentChanges`)."""
    edits = list(edit.get("changes", {}).get(uri, []))
    for change in edit.get("documentChanges") or []:
        if change["textDocument"]["uri"] == uri:
            edits.extend(change["edits"])
    return apply_text_edits(text, edits, encoding)
