"""`asynclint server`: a language server over standard input/output, a thin pygls adapter over
the run pipeline (`pipeline.lint_project`), with no logic of its own about rules.

- An open document is linted as a file of its project: its unsaved text stands for it, and the
  other files discovered under its config's root count as saved (summaries kept in memory,
  keyed by content), so project-wide findings (ASY109, through helpers elsewhere) show. A save,
  or a watched file's change, re-lints every open document.

- Diagnostics on open and save at once, on change after a pause (debounced per document URI),
  converted by `asynclint.output.lsp` in the position encoding the client negotiated.
- Code actions: each applicable fix as a `quickfix` (the title says whether it is safe or
  unsafe), "Suppress with `# noqa: CODE`", and `source.fixAll.asynclint`, which applies every
  safe fix the way `asynclint check --fix` does (`fixer.fix_text`).
- Configuration: the `[tool.asynclint]` table of the nearest pyproject.toml above the
  document, re-read when that file changes; excluded files get no diagnostics, as with
  `asynclint check --force-exclude`.

pygls and lsprotocol are the optional extra `asynclint[lsp]`, imported only here, and only
when the server starts.
"""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from asynclint import __version__, exitcodes
from asynclint.diagnostic import Applicability, Diagnostic, Edit, Span
from asynclint.positions import offset_position, split_lines

DEBOUNCE_SECONDS = 0.3
FIX_ALL_KIND = "source.fixAll.asynclint"
_MISSING_EXTRA = (
    "asynclint: error: `asynclint server` needs the optional language-server dependencies"
    " (pygls>=2, lsprotocol); install them with: pip install 'asynclint[lsp]'"
)


def serve() -> int:
    try:
        import lsprotocol.types  # noqa: F401
        from pygls.lsp.server import LanguageServer  # noqa: F401  (pygls 2 layout)
    except ImportError:
        print(_MISSING_EXTRA, file=sys.stderr)
        return exitcodes.ERROR
    build_server().start_io()
    return exitcodes.CLEAN


# --- engine side: no pygls below this line until build_server --------------------------------


class _Linters:
    """One Linter per configuration file, rebuilt when the file changes, with the project's
    files and an in-memory cache of their results and summaries."""

    def __init__(self) -> None:
        self._linters: dict[tuple, object] = {}
        self._projects: dict[int, tuple[list[str] | None, object]] = {}  # id(linter) -> (files, cache)

    def forget_files(self) -> None:
        """Files were created or deleted: discover each project's files again."""
        self._projects = {key: (None, cache) for key, (_, cache) in self._projects.items()}

    def knows(self, path: str) -> bool:
        """Whether `path` is among the files some project discovered (a new file is not)."""
        return any(files is not None and path in files for files, _ in self._projects.values())

    def project_of(self, linter) -> tuple[list[str], object]:
        """The files discovered under the linter's config root, and its results cache."""
        from asynclint.cache import ResultCache
        from asynclint.discovery import discover

        files, cache = self._projects.get(id(linter), (None, None))
        if cache is None:
            cache = ResultCache(None, linter.config.fingerprint())
        if files is None:
            files = discover([str(linter.config.root)], linter.config).files
        self._projects[id(linter)] = (files, cache)
        return files, cache

    def for_path(self, path: str):
        from asynclint.config import find_config_file, load_config
        from asynclint.engine import Linter

        directory = Path(path).parent
        config_file = find_config_file(directory) if directory.is_dir() else None
        try:
            stat = config_file.stat() if config_file is not None else None
        except OSError:
            stat = None
        key = (str(config_file), stat.st_mtime_ns if stat else None, stat.st_size if stat else None)
        linter = self._linters.get(key)
        if linter is None:
            config = load_config(config_file, directory)  # raises ConfigError
            config.enabled  # validate selectors and tables now, not in the middle of a lint
            config.tables
            linter = self._linters[key] = Linter(config)
        return linter


def _excluded(linter, path: str) -> bool:
    if not os.path.isfile(path):
        return False
    from asynclint.discovery import discover

    return not discover([path], linter.config, force_exclude=True).files


def _minimal_edit(old: str, new: str) -> Edit:
    """One edit (internal positions) that turns `old` into `new`: the changed middle only, so
    the editor keeps the cursor and folds outside it."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
        start -= 1  # never split a \r\n line break
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    if 0 < end_old < len(old) and old[end_old - 1] == "\r" and old[end_old] == "\n":
        end_old += 1
        end_new += 1
    line, column = offset_position(old, start)
    end_line, end_column = offset_position(old, end_old)
    return Edit(Span(line, column, end_line, end_column), new[start:end_new])


class _Document:
    """What the server last computed for one open document version."""

    def __init__(self, version, text: str, path: str, diagnostics: list[Diagnostic]) -> None:
        self.version = version
        self.text = text
        self.path = path
        self.lines = split_lines(text)
        self.diagnostics = diagnostics
        self.fix_all: str | None = None  # the text after every safe fix, once computed


# --- the pygls adapter -------------------------------------------------------------------------


def build_server():
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import default_converter
    from pygls.uris import to_fs_path

    from asynclint.config import ConfigError
    from asynclint.output.lsp import lsp_diagnostic, path_uri, text_edit
    from asynclint.pipeline import lint_project
    from asynclint.tables import TableError

    converter = default_converter()

    class AsynclintServer(LanguageServer):
        def __init__(self) -> None:
            super().__init__("asynclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
            self.linters = _Linters()
            self.documents: dict[str, _Document] = {}
            self.pending: dict[str, asyncio.Task] = {}
            self.reported_errors: set[str] = set()
            # Linters keep per-file state: every lint runs on this one thread, off the loop.
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint-lint")

        @property
        def encoding(self) -> str:
            encoding = self.workspace.position_encoding
            return str(getattr(encoding, "value", encoding) or "utf-16")

        def path_of(self, uri: str) -> str:
            if uri.startswith("file:"):
                return to_fs_path(uri) or uri
            # An unsaved buffer: lint it as a file of the workspace (its config applies).
            root = self.workspace.root_path or os.getcwd()
            return os.path.join(root, "untitled.py")

        # - linting (on the executor thread) -

        def lint(self, path: str, text: str) -> list[Diagnostic] | str:
            """The diagnostics for `text`, or what is wrong with the configuration."""
            try:
                linter = self.linters.for_path(path)
            except (ConfigError, TableError) as exc:
                return str(exc)
            if _excluded(linter, path):
                return []
            files, cache = self.linters.project_of(linter)
            found = lint_project(files, linter.config, overlay={path: text}, jobs=1, cache=cache)
            return [d for d in found if d.path == path]

        def fix_all(self, document: _Document) -> str:
            from asynclint.fixer import fix_text

            if document.fix_all is None:
                try:
                    linter = self.linters.for_path(document.path)
                except (ConfigError, TableError):
                    return document.text  # the next lint reports it
                try:
                    document.fix_all = fix_text(linter, document.text, document.path, unsafe=False).fixed
                except Exception:  # noqa: BLE001 - a crashing rule offers no fix-all, not an error
                    document.fix_all = document.text
            return document.fix_all

        def config_error(self, message: str) -> None:
            """Shown once per distinct problem, not on every keystroke."""
            if message not in self.reported_errors:
                self.reported_errors.add(message)
                self.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Error, message=f"asynclint: {message}")
                )

        async def run_on_executor(self, function, *args):
            return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

        # - documents -

        async def current(self, uri: str) -> _Document | None:
            """The results for the document's current text, linting now if they are stale."""
            text_document = self.workspace.get_text_document(uri)
            cached = self.documents.get(uri)
            if cached is not None and cached.version == text_document.version and cached.text == text_document.source:
                return cached
            text, version, path = text_document.source, text_document.version, self.path_of(uri)
            diagnostics = await self.run_on_executor(self.lint, path, text)
            if isinstance(diagnostics, str):
                self.config_error(diagnostics)
                return None
            document = self.documents[uri] = _Document(version, text, path, diagnostics)
            return document

        def relint_open_documents(self) -> None:
            """A saved or changed file may hold a helper another document's findings go through."""
            self.documents.clear()
            for uri in list(self.workspace.text_documents):
                self.schedule(uri, 0)

        def schedule(self, uri: str, delay: float) -> None:
            previous = self.pending.pop(uri, None)
            if previous is not None:
                previous.cancel()
            self.pending[uri] = asyncio.ensure_future(self.publish_later(uri, delay))

        async def publish_later(self, uri: str, delay: float) -> None:
            try:
                if delay:
                    await asyncio.sleep(delay)
                document = await self.current(uri)
            except asyncio.CancelledError:
                return
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
            text_document = self.workspace.text_documents.get(uri)
            if text_document is None or (document is not None and document.version != text_document.version):
                return  # closed, or changed while linting: the newer lint publishes
            self.publish(uri, document)

        def publish(self, uri: str, document: _Document | None) -> None:
            diagnostics = [] if document is None else [self.to_lsp(document, d) for d in document.diagnostics]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=diagnostics, version=None if document is None else document.version
                )
            )

        def lines_of(self, document: _Document):
            def lines(path: str) -> list[str]:
                if path == document.path:
                    return document.lines
                for other in self.documents.values():
                    if other.path == path:
                        return other.lines
                from asynclint.sourcefile import UncheckableSource, decode

                try:
                    return split_lines(decode(Path(path).read_bytes()).text)
                except (OSError, UncheckableSource):
                    return []

            return lines

        def to_lsp(self, document: _Document, diagnostic: Diagnostic):
            data = lsp_diagnostic(diagnostic, self.lines_of(document), self.encoding, path_uri)
            return converter.structure(data, types.Diagnostic)

        # - code actions -

        def workspace_edit(self, uri: str, document: _Document, edits: list[Edit]):
            text_edits = [converter.structure(text_edit(e, document.lines, self.encoding), types.TextEdit) for e in edits]
            capabilities = self.client_capabilities.workspace
            if capabilities and capabilities.workspace_edit and capabilities.workspace_edit.document_changes:
                identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=document.version)
                return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=text_edits)])
            return types.WorkspaceEdit(changes={uri: text_edits})

        async def code_actions(self, params) -> list:
            uri = params.text_document.uri
            try:
                document = await self.current(uri)
            except (OSError, UnicodeDecodeError):
                # Neither open nor readable on disk (pygls reads a closed document from its
                # file, as UTF-8): there is nothing to act on, which is no error.
                return []
            if document is None:
                return []
            only = params.context.only

            def wanted(kind: str) -> bool:
                return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

            actions = []
            if wanted(types.CodeActionKind.QuickFix):
                for diagnostic in document.diagnostics:
                    lsp = self.to_lsp(document, diagnostic)
                    if not _overlaps(lsp.range, params.range):
                        continue
                    actions.extend(self.quick_fixes(uri, document, diagnostic, lsp))
            if wanted(FIX_ALL_KIND) and any(
                d.fix is not None and d.fix.edits and d.fix.applicability is Applicability.SAFE
                for d in document.diagnostics
            ):
                fixed = await self.run_on_executor(self.fix_all, document)
                if fixed != document.text:
                    actions.append(
                        types.CodeAction(
                            title="asynclint: apply all safe fixes",
                            kind=FIX_ALL_KIND,
                            edit=self.workspace_edit(uri, document, [_minimal_edit(document.text, fixed)]),
                        )
                    )
            return actions

        def quick_fixes(self, uri: str, document: _Document, diagnostic: Diagnostic, lsp) -> list:
            from asynclint.fixer import add_noqa_text
            from asynclint.registry import UNCHECKABLE_CODE

            actions = []
            fix = diagnostic.fix
            if fix is not None and fix.edits and fix.applicability is not Applicability.DISPLAY_ONLY:
                safe = fix.applicability is Applicability.SAFE
                actions.append(
                    types.CodeAction(
                        title=f"{fix.title} ({diagnostic.code}, {'safe' if safe else 'unsafe: review the change'} fix)",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[lsp],
                        is_preferred=safe,
                        edit=self.workspace_edit(uri, document, list(fix.edits)),
                    )
                )
            if diagnostic.code != UNCHECKABLE_CODE:  # ASY001 cannot be silenced
                suppressed, changed = add_noqa_text(document.text, [diagnostic])
                if changed:
                    actions.append(
                        types.CodeAction(
                            title=f"Suppress {diagnostic.code} with `# noqa: {diagnostic.code}`",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp],
                            edit=self.workspace_edit(uri, document, [_minimal_edit(document.text, suppressed)]),
                        )
                    )
            return actions

    server = AsynclintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: AsynclintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: AsynclintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: AsynclintServer, params: types.DidSaveTextDocumentParams) -> None:
        if not ls.linters.knows(os.path.abspath(ls.path_of(params.text_document.uri))):
            ls.linters.forget_files()  # a file saved for the first time joins its project
        ls.relint_open_documents()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: AsynclintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.linters.forget_files()
        ls.relint_open_documents()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: AsynclintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.documents.pop(uri, None)
        ls.publish(uri, None)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(ls: AsynclintServer, params: types.CodeActionParams):
        return await ls.code_actions(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AsynclintServer, params) -> None:
        for task in ls.pending.values():
            task.cancel()
        ls.executor.shutdown(wait=False, cancel_futures=True)

    return server


def _overlaps(a, b) -> bool:
    """Whether two LSP ranges touch (a cursor at either end of a diagnostic counts)."""
    def key(position):
        return (position.line, position.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)
