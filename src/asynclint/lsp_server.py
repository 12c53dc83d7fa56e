"""`asynclint server`: a language server over standard input/output, a thin pygls adapter over
the run pipeline (`pipeline.lint_project`), with no logic of its own about rules.

- An open document is linted as a file of its project: its unsaved text stands for it, and the
  other files discovered under its config's root count as saved, read through the project's
  index (asynclint.lsp_workspace: built in the background on start-up, kept current by
  content), so project-wide findings (ASY109, through helpers elsewhere) show. A save, or a
  watched file's change (the server registers the watchers), re-lints every open document.
- Diagnostics are pushed (`textDocument/publishDiagnostics`: on open and save at once, on
  change after a pause, debounced per URI), or pulled by clients that declare
  `textDocument/diagnostic`; those are asked to pull again (`workspace/diagnostic/refresh`)
  when other files change. Positions in the encoding the client negotiated (UTF-8 when it
  offers it, else UTF-16), converted by `asynclint.output.lsp`.
- Notebooks (LSP notebook document sync): the cells go through the pipeline together, as the
  `.ipynb` file would, and each code cell gets the findings in it, counted from its own first
  line; a quick fix edits the cells it falls in (`lsp_workspace.cell_edits`). No fix-all.
- Hover on a finding, or on a code in a `# noqa:` comment: the rule's page, as
  `asynclint rule CODE` prints it.
- Code actions: each applicable fix as a `quickfix` titled with the fix's own sentence
  ("(unsafe)" added when it needs review), "Add `# noqa: CODE`", and
  `source.fixAll.asynclint`, which applies every safe fix the way `asynclint check --fix`
  does (`fixer.fix_text`).
- Tracing (`trace` at initialize, or `$/setTrace`): each lint is logged with `$/logTrace`,
  saying whether the project phase ran or its result was re-used (the index keeps the last
  few, by the summaries they read: a keystroke that changes none re-uses one).
- Configuration: the `[tool.asynclint]` table of the nearest pyproject.toml above the
  document, re-read when that file changes; excluded files get no diagnostics, as with
  `asynclint check --force-exclude`.

pygls and lsprotocol are the optional extra `asynclint[lsp]`, imported only here, and only
when the server starts.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from asynclint import __version__, exitcodes
from asynclint.diagnostic import Applicability, Diagnostic, Edit
from asynclint.lsp_workspace import (
    Document,
    Workspace,
    cell_edits,
    excluded,
    minimal_edit,
    noqa_code_at,
    rule_page,
)
from asynclint.pipeline import PipelineStats
from asynclint.positions import split_lines

DEBOUNCE_SECONDS = 0.3
FIX_ALL_KIND = "source.fixAll.asynclint"
_MISSING_EXTRA = (
    "asynclint: error: `asynclint server` needs the optional language-server dependencies"
    " (the `lsp` extra); install them with: pip install 'pygls>=2' lsprotocol"
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


# --- the pygls adapter -------------------------------------------------------------------------


def build_server():
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
    from pygls.uris import to_fs_path

    from asynclint.config import ConfigError
    from asynclint.output.lsp import lsp_diagnostic, path_uri, text_edit
    from asynclint.registry import RULES
    from asynclint.tables import TableError

    converter = default_converter()
    # Load libcst before two threads (linting, indexing) can touch it first at once: a module
    # behind importlib's LazyLoader is not safe to load from two threads (CPython gh-114763).
    from asynclint._lazy import libcst

    libcst.Module  # noqa: B018 - the attribute access is what loads it

    class _LintedNotebook:
        """A notebook's cells as last linted: each code cell's LSP diagnostics, and what its
        quick fixes need (the findings, the joined source they count in, the cells' URIs)."""

        def __init__(self, server, version: int, notebook, documents: list, code: list[bool], found: list) -> None:
            self.version = version
            self.masked = notebook.masked_source  # what the checks read: add_noqa_text parses it
            self._server = server
            self._lines = split_lines(notebook.source)
            self._notebook = notebook
            self._cells = {number: document for number, document in enumerate(documents, 1)}
            self.by_cell: dict[str, list] = {d.uri: [] for d, is_code in zip(documents, code) if is_code}
            self.findings: list[tuple[Diagnostic, str, object]] = []
            for diagnostic in found:
                position = diagnostic.cell_position()
                # A finding placed in no cell (the notebook could not be read) goes to the first.
                cell = documents[position.cell - 1].uri if position is not None else next(iter(self.by_cell))
                data = lsp_diagnostic(diagnostic, lambda _: self._lines, server.encoding, path_uri)
                lsp = converter.structure(data, types.Diagnostic)
                self.by_cell[cell].append(lsp)
                self.findings.append((diagnostic, cell, lsp))

        def workspace_edit(self, edits: list[Edit]):
            """Edits of the joined source as a WorkspaceEdit of the cells they fall in; None
            where `cell_edits` refuses them."""
            by_number = cell_edits(self._notebook, edits, self._server.encoding)
            if by_number is None:
                return None
            documents = {number: self._cells[number] for number in by_number}
            return self._server.workspace_edit(
                {documents[n].uri: (documents[n].version, found) for n, found in by_number.items()}
            )

    class Protocol(LanguageServerProtocol):
        @lsp_method(types.INITIALIZE)
        def lsp_initialize(self, params: types.InitializeParams):
            # UTF-8 positions whenever the client offers them, whatever its order of preference
            # (as ruff's server does); pygls would take the client's first choice.
            general = params.capabilities.general
            offered = general.position_encodings if general is not None else None
            if offered and types.PositionEncodingKind.Utf8 in offered:
                general.position_encodings = [types.PositionEncodingKind.Utf8]
            if params.trace is not None:  # pygls only follows $/setTrace
                self.trace = params.trace
            return (yield from super().lsp_initialize(params))

    class AsynclintServer(LanguageServer):
        def __init__(self) -> None:
            super().__init__(
                "asynclint",
                __version__,
                protocol_cls=Protocol,
                text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                notebook_document_sync=types.NotebookDocumentSyncOptions(
                    notebook_selector=[
                        types.NotebookDocumentFilterWithCells(
                            cells=[types.NotebookCellLanguage(language="python")], notebook="*"
                        )
                    ],
                    save=True,
                ),
            )
            self.projects = Workspace()
            self.documents: dict[str, Document] = {}
            self.notebooks: dict[str, _LintedNotebook] = {}  # notebook URI -> its last lint
            self.notebook_cells: dict[str, list[str]] = {}  # notebook URI -> the cell URIs published
            self.pending: dict[str, asyncio.Task] = {}
            self.pausing: set[str] = set()  # URIs whose pending lint waits out its debounce pause
            self.published: dict[str, list] = {}  # URI -> the diagnostics last sent for it
            self.reported_errors: set[str] = set()
            # Linters keep per-file state: every lint of a document runs on this one thread, off
            # the loop, and the projects (self.projects) are used there only.
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint-lint")
            # Projects' indexes are built on other threads (`build_index`; each build with a
            # Linter of its own), so documents are linted meanwhile.
            self.index_lock = threading.Lock()
            self.event_loop: asyncio.AbstractEventLoop | None = None

        @property
        def encoding(self) -> str:
            encoding = self.workspace.position_encoding
            return str(getattr(encoding, "value", encoding) or "utf-16")

        @property
        def pulls_diagnostics(self) -> bool:
            """The client asks for diagnostics (`textDocument/diagnostic`) instead of being sent them."""
            text_document = self.client_capabilities.text_document
            return text_document is not None and text_document.diagnostic is not None

        def path_of(self, uri: str) -> str:
            if uri.startswith("file:"):
                return to_fs_path(uri) or uri
            # An unsaved buffer: lint it as a file of the workspace (its config applies).
            root = self.workspace.root_path or os.getcwd()
            return os.path.join(root, "untitled.ipynb" if self.is_notebook(uri) else "untitled.py")

        def is_notebook(self, uri: str) -> bool:
            return uri in self.workspace.notebook_documents

        def cell_of_notebook(self, uri: str) -> str | None:
            """The URI of the notebook whose cell `uri` is, or None for a document of its own."""
            notebook = self.workspace.get_notebook_document(cell_uri=uri)
            return None if notebook is None else notebook.uri

        # - linting (on the lint thread) -

        def lint(self, path: str, text: str) -> list[Diagnostic] | str:
            """The diagnostics for `text` as the file `path`, or what is wrong with the
            configuration."""
            try:
                linter = self.projects.linter_for(path)
                project = self.projects.project_for(path)
            except (ConfigError, TableError) as exc:
                return str(exc)
            if excluded(linter, path):
                return []
            if not project.ready:
                self.event_loop.call_soon_threadsafe(self.build_index, project)
            stats = PipelineStats()
            found = project.lint(path, text, stats)
            if self.protocol.trace != types.TraceValue.Off:
                self.event_loop.call_soon_threadsafe(self.trace_lint, path, project.ready, stats)
            return found

        def trace_lint(self, path: str, with_project: bool, stats: PipelineStats) -> None:
            """What a lint did, for a client that traces the server (`$/logTrace`, shown in
            its log): whether the project phase ran or its result was re-used."""
            phase = "re-used" if stats.project_cached else f"run ({stats.project_seconds * 1000:.1f} ms)"
            scope = "with its project" if with_project else "alone (the workspace index is being built)"
            details = (
                f"{stats.linted} files linted, {stats.cached} from the index, in"
                f" {stats.per_file_seconds * 1000:.1f} ms"
            )
            verbose = details if self.protocol.trace == types.TraceValue.Verbose else None
            self.log_trace(types.LogTraceParams(message=f"asynclint: linted {path} {scope}; project phase {phase}", verbose=verbose))

        def index_workspace(self) -> None:
            """On start-up: the project of each workspace folder starts building its index."""
            folders = [to_fs_path(uri) for uri in self.workspace.folders] or [self.workspace.root_path]
            for folder in filter(None, folders):
                try:
                    project = self.projects.project_of_directory(folder)
                except (ConfigError, TableError) as exc:
                    self.event_loop.call_soon_threadsafe(self.config_error, str(exc))
                    continue
                self.event_loop.call_soon_threadsafe(self.build_index, project)

        def build_index(self, project) -> None:
            """Build the project's index in the background, then lint the open documents again
            with it (on the loop)."""
            if project.ready or project.building:
                return
            project.building = True  # and stays so if the build fails: documents are linted alone
            loop = asyncio.get_running_loop()

            def build() -> None:
                try:
                    with self.index_lock:  # one build at a time
                        project.build()
                except Exception as exc:  # noqa: BLE001 - reported; the documents are linted alone
                    loop.call_soon_threadsafe(self.index_failed, exc)
                else:
                    project.building = False
                    loop.call_soon_threadsafe(self.refresh_open_documents, True)

            # A daemon thread, not an executor's: the server must exit when the editor says so,
            # not once a build of a large workspace is over.
            threading.Thread(target=build, name="asynclint-index", daemon=True).start()

        def index_failed(self, exc: Exception) -> None:
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Error, message=f"asynclint: the workspace index was not built: {exc!r}"
                )
            )

        def files_changed(self, paths: list[str], created_or_deleted: bool) -> None:
            """Files were saved, or changed on disk: the next lint reads them again. Projects
            discover their files again when one was created or deleted, or is new to them (a
            file saved for the first time)."""
            self.projects.changed(paths)
            if created_or_deleted or not all(self.projects.knows(path) for path in paths):
                self.projects.forget_files()

        def fix_all(self, document: Document) -> str:
            from asynclint.fixer import fix_text

            if document.fix_all is None:
                try:
                    linter = self.projects.linter_for(document.path)
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
            self.event_loop = asyncio.get_running_loop()  # for the lint thread to call back on
            return await self.event_loop.run_in_executor(self.executor, function, *args)

        # - documents -

        async def current(self, uri: str) -> Document | None:
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
            document = self.documents[uri] = Document(version, text, path, diagnostics)
            return document

        def refresh_open_documents(self, only_changes: bool = False) -> None:
            """A saved or changed file may hold a helper another document's findings go through.
            `only_changes`: publish only diagnostics that differ from those published."""
            self.documents.clear()
            self.notebooks.clear()
            if self.pulls_diagnostics:
                workspace = self.client_capabilities.workspace
                if workspace is not None and workspace.diagnostics is not None and workspace.diagnostics.refresh_support:
                    self.workspace_diagnostic_refresh(None)
                return
            # A cell is no file of its own: its notebook is linted instead.
            documents = [uri for uri in self.workspace.text_documents if self.cell_of_notebook(uri) is None]
            for uri in documents + list(self.workspace.notebook_documents):
                if uri not in self.pausing:  # its lint is still to come, and sees the change
                    self.schedule(uri, 0, only_changes)

        def push_soon(self, uri: str, delay: float) -> None:
            """Publish a document's or notebook's diagnostics after `delay`, to a client that
            does not pull them (one that pulls asks when it wants them)."""
            if not self.pulls_diagnostics:
                self.schedule(uri, delay)

        def schedule(self, uri: str, delay: float, only_changes: bool = False) -> None:
            """Publish the diagnostics of a document or notebook after `delay`, unless it
            changes before then (debounced per URI)."""
            previous = self.pending.pop(uri, None)
            if previous is not None:
                previous.cancel()
            (self.pausing.add if delay else self.pausing.discard)(uri)
            publish = self.publish_notebook_later if self.is_notebook(uri) else self.publish_later
            self.pending[uri] = asyncio.ensure_future(publish(uri, delay, only_changes))

        async def pause(self, uri: str, delay: float) -> None:
            """The debounce: wait `delay` (a newer schedule of `uri` cancels this one)."""
            if delay:
                await asyncio.sleep(delay)
                self.pausing.discard(uri)

        async def publish_later(self, uri: str, delay: float, only_changes: bool) -> None:
            try:
                await self.pause(uri, delay)
                document = await self.current(uri)
            except asyncio.CancelledError:
                return
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
            text_document = self.workspace.text_documents.get(uri)
            if text_document is None or (document is not None and document.version != text_document.version):
                return  # closed, or changed while linting: the newer lint publishes
            diagnostics = [] if document is None else self.lsp_diagnostics(document)
            self.publish(uri, diagnostics, None if document is None else document.version, only_changes)

        def publish(self, uri: str, diagnostics: list, version=None, only_changes: bool = False) -> None:
            if only_changes and self.published.get(uri) == diagnostics:
                return
            self.published[uri] = diagnostics
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
            )

        def lines_of(self, document: Document):
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

        def to_lsp(self, document: Document, diagnostic: Diagnostic):
            data = lsp_diagnostic(diagnostic, self.lines_of(document), self.encoding, path_uri)
            return converter.structure(data, types.Diagnostic)

        def lsp_diagnostics(self, document: Document) -> list:
            return [self.to_lsp(document, d) for d in document.diagnostics]

        async def diagnostics_of(self, uri: str) -> list:
            """The LSP diagnostics of a document or notebook cell, as they are now."""
            notebook = self.cell_of_notebook(uri)
            if notebook is not None:
                linted = await self.lint_notebook(notebook)
                return [] if linted is None else linted.by_cell.get(uri, [])
            try:
                document = await self.current(uri)
            except (OSError, UnicodeDecodeError):
                return []  # neither open nor readable (pygls reads a closed document from disk)
            return [] if document is None else self.lsp_diagnostics(document)

        # - notebooks -

        async def lint_notebook(self, uri: str) -> _LintedNotebook | None:
            """The notebook's current cells, linted together as the `.ipynb` file would be;
            None once it is closed."""
            from asynclint.notebook import cells_as_json, parse_notebook

            notebook = self.workspace.get_notebook_document(notebook_uri=uri)
            if notebook is None:
                return None
            cached = self.notebooks.get(uri)
            if cached is not None and cached.version == notebook.version:
                return cached
            version, cells = notebook.version, list(notebook.cells)
            documents = [self.workspace.get_text_document(cell.document) for cell in cells]
            code = [cell.kind == types.NotebookCellKind.Code for cell in cells]
            text = cells_as_json([d.source if is_code else None for d, is_code in zip(documents, code)])
            found = await self.run_on_executor(self.lint, self.path_of(uri), text)
            if isinstance(found, str):
                self.config_error(found)
                found = []
            linted = _LintedNotebook(self, version, parse_notebook(text), documents, code, found)
            current = self.workspace.get_notebook_document(notebook_uri=uri)
            if current is not None and current.version == version:
                self.notebooks[uri] = linted
            return linted

        async def publish_notebook_later(self, uri: str, delay: float, only_changes: bool) -> None:
            try:
                await self.pause(uri, delay)
                version = getattr(self.workspace.get_notebook_document(notebook_uri=uri), "version", None)
                linted = await self.lint_notebook(uri)
            except asyncio.CancelledError:
                return
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
            current = self.workspace.get_notebook_document(notebook_uri=uri)
            if linted is None or current is None or current.version != version:
                return  # closed, or changed while linting: the newer lint publishes
            by_cell = dict(linted.by_cell)
            for document in self.notebook_cells.get(uri, []):
                by_cell.setdefault(document, [])  # a cell deleted since: clear what it showed
            for document, found in by_cell.items():
                self.publish(document, found, None, only_changes)
            self.notebook_cells[uri] = list(by_cell)

        def close(self, uri: str) -> None:
            """A document or notebook was closed: nothing of it is shown any more."""
            pending = self.pending.pop(uri, None)
            if pending is not None:
                pending.cancel()
            self.pausing.discard(uri)
            self.documents.pop(uri, None)
            self.notebooks.pop(uri, None)
            shown = self.notebook_cells.pop(uri, [uri])  # a notebook's cells, or the document
            if not self.pulls_diagnostics:
                for document in shown:
                    self.publish(document, [])

        # - hover -

        async def hover(self, params):
            """The documentation of the rule whose finding, or whose code in a `# noqa`
            comment, is under the cursor."""
            uri, position = params.text_document.uri, params.position
            try:
                lines = split_lines(self.workspace.get_text_document(uri).source)
            except (OSError, UnicodeDecodeError):
                return None
            found = [d for d in await self.diagnostics_of(uri) if _contains(d.range, position)]
            codes = list(dict.fromkeys(str(d.code) for d in found))
            where = found[0].range if found else None
            noqa = noqa_code_at(lines, position.line, position.character, self.encoding)
            if noqa is not None and noqa[0] in RULES:
                code, start, end = noqa
                codes = [code]
                where = types.Range(types.Position(position.line, start), types.Position(position.line, end))
            if not codes:
                return None
            pages = [rule_page(code) for code in codes if code in RULES]
            value = "\n\n---\n\n".join(pages)
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value), range=where)

        # - code actions -

        def workspace_edit(self, edits: dict[str, tuple[int | None, list[dict]]]):
            """A WorkspaceEdit of LSP TextEdits (as data) by document URI, each document with
            the version they were computed for."""
            capabilities = self.client_capabilities.workspace
            by_uri = {uri: [converter.structure(e, types.TextEdit) for e in found] for uri, (_, found) in edits.items()}
            if capabilities and capabilities.workspace_edit and capabilities.workspace_edit.document_changes:
                return types.WorkspaceEdit(
                    document_changes=[
                        types.TextDocumentEdit(
                            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=edits[uri][0]),
                            edits=found,
                        )
                        for uri, found in by_uri.items()
                    ]
                )
            return types.WorkspaceEdit(changes=by_uri)

        async def code_actions(self, params) -> list:
            uri = params.text_document.uri
            only = params.context.only

            def wanted(kind: str) -> bool:
                return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

            notebook = self.cell_of_notebook(uri)
            if notebook is not None:
                linted = await self.lint_notebook(notebook)
                if linted is None or not wanted(types.CodeActionKind.QuickFix):
                    return []
                return [
                    action
                    for diagnostic, cell, lsp in linted.findings
                    if cell == uri and _overlaps(lsp.range, params.range)
                    for action in self.quick_fixes(diagnostic, lsp, linted.masked, linted.workspace_edit)
                ]
            try:
                document = await self.current(uri)
            except (OSError, UnicodeDecodeError):
                # Neither open nor readable on disk (pygls reads a closed document from its
                # file, as UTF-8): there is nothing to act on, which is no error.
                return []
            if document is None:
                return []

            def edit(edits: list[Edit]):
                found = [text_edit(e, document.lines, self.encoding) for e in edits]
                return self.workspace_edit({uri: (document.version, found)})

            actions = []
            if wanted(types.CodeActionKind.QuickFix):
                for diagnostic in document.diagnostics:
                    lsp = self.to_lsp(document, diagnostic)
                    if _overlaps(lsp.range, params.range):
                        actions.extend(self.quick_fixes(diagnostic, lsp, document.text, edit))
            if wanted(FIX_ALL_KIND) and any(
                d.fix is not None and d.fix.edits and d.fix.applicability is Applicability.SAFE
                for d in document.diagnostics
            ):
                fixed = await self.run_on_executor(self.fix_all, document)
                if fixed != document.text:
                    actions.append(
                        types.CodeAction(
                            title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, edit=edit([minimal_edit(document.text, fixed)])
                        )
                    )
            return actions

        def quick_fixes(self, diagnostic: Diagnostic, lsp, text: str, edit) -> list:
            """The finding's fix and its noqa comment as quick fixes. `text`: the source the
            finding's positions count in; `edit`: internal edits -> a WorkspaceEdit, or None
            where they cannot be made."""
            from asynclint.fixer import add_noqa_text
            from asynclint.registry import UNCHECKABLE_CODE

            actions = []
            fix = diagnostic.fix
            if fix is not None and fix.edits and fix.applicability is not Applicability.DISPLAY_ONLY:
                change = edit(list(fix.edits))
                if change is not None:
                    actions.append(
                        types.CodeAction(
                            title=fix_title(fix),
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp],
                            is_preferred=fix.applicability is Applicability.SAFE,
                            edit=change,
                        )
                    )
            if diagnostic.code != UNCHECKABLE_CODE:  # ASY001 cannot be silenced
                suppressed, changed = add_noqa_text(text, [diagnostic])
                change = edit([minimal_edit(text, suppressed)]) if changed else None
                if change is not None:
                    actions.append(
                        types.CodeAction(
                            title=f"Add `# noqa: {diagnostic.code}`",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp],
                            edit=change,
                        )
                    )
            return actions

    server = AsynclintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AsynclintServer, params: types.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:
            # Without it, editors do not tell the server about files changed outside them; with
            # it, the index reads again only the files they report.
            ls.projects.told_of_changes = True
            watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_FILES]
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="asynclint-watched-files",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                        )
                    ]
                )
            )
        await ls.run_on_executor(ls.index_workspace)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: AsynclintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.push_soon(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: AsynclintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.push_soon(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: AsynclintServer, params: types.DidSaveTextDocumentParams) -> None:
        await ls.run_on_executor(ls.files_changed, [os.path.abspath(ls.path_of(params.text_document.uri))], False)
        ls.refresh_open_documents()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: AsynclintServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [os.path.abspath(ls.path_of(change.uri)) for change in params.changes]
        created_or_deleted = any(change.type != types.FileChangeType.Changed for change in params.changes)
        await ls.run_on_executor(ls.files_changed, paths, created_or_deleted)
        ls.refresh_open_documents()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: AsynclintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    async def notebook_did_open(ls: AsynclintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.push_soon(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    async def notebook_did_change(ls: AsynclintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.push_soon(params.notebook_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    async def notebook_did_save(ls: AsynclintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.push_soon(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    async def notebook_did_close(ls: AsynclintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.close(params.notebook_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="asynclint", inter_file_dependencies=True, workspace_diagnostics=False),
    )
    async def diagnostic(ls: AsynclintServer, params: types.DocumentDiagnosticParams):
        items = await ls.diagnostics_of(params.text_document.uri)
        # The same diagnostics, the same id: the client keeps what it shows.
        data = json.dumps(converter.unstructure(items), sort_keys=True)
        result_id = hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: AsynclintServer, params: types.HoverParams):
        return await ls.hover(params)

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


FIX_ALL_TITLE = "Apply all safe asynclint fixes"
# What the server asks an editor to watch: sources, notebooks, and the configuration.
WATCHED_FILES = ("**/*.py", "**/*.pyi", "**/*.ipynb", "**/pyproject.toml")


def fix_title(fix) -> str:
    """A quick fix's title: the fix's own sentence, marked when the change needs review."""
    return fix.title if fix.applicability is Applicability.SAFE else f"{fix.title} (unsafe)"


def _key(position) -> tuple[int, int]:
    return (position.line, position.character)


def _overlaps(a, b) -> bool:
    """Whether two LSP ranges touch (a cursor at either end of a diagnostic counts)."""
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _contains(range_, position) -> bool:
    return _key(range_.start) <= _key(position) <= _key(range_.end)
