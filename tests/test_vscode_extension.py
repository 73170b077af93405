"""The VS Code extension under ``editors/vscode/``, packaged as a .vsix by its own script.

``package.sh`` installs the pinned dependencies (``package-lock.json``, from the
npm registry) and packs the extension with ``@vscode/vsce``. The .vsix must hold
the extension, its language client and a manifest that starts ``planc lsp`` for
YAML files and leaves the language itself to the YAML extension. Without node
and npm the test skips locally; under CI (``.ci/run`` installs them) it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXTENSION = REPO / "editors" / "vscode"


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        reason = f"{tool} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"the VS Code extension must be packaged in CI, but {reason}")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need("node")
    _need("npm")
    out = tmp_path_factory.mktemp("vsix")
    result = subprocess.run(
        ["bash", str(EXTENSION / "package.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (package,) = out.glob("*.vsix")
    return package


def test_the_vsix_holds_the_extension_and_its_language_client(vsix: Path) -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert vsix.name == f"planc-{manifest['version']}.vsix"
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        packed = json.loads(archive.read("extension/package.json"))
        script = archive.read("extension/extension.js").decode("utf-8")
        client = json.loads(
            archive.read("extension/node_modules/vscode-languageclient/package.json")
        )
    assert "extension.vsixmanifest" in names
    assert "extension/node_modules/vscode-languageclient/node.js" in names
    assert client["version"] == manifest["dependencies"]["vscode-languageclient"]
    assert not [n for n in names if n.startswith("extension/node_modules/@vscode/vsce")]
    assert packed["main"] == "./extension.js"
    assert packed["activationEvents"] == ["onLanguage:yaml"]
    # only a client: no language, grammar or schema of its own (the YAML extension keeps those)
    assert set(packed["contributes"]) == {"configuration"}
    assert 'args: ["lsp"]' in script and "TransportKind.stdio" in script
    assert 'language: "yaml"' in script


def test_the_extension_script_parses(vsix: Path) -> None:
    result = subprocess.run(
        [_need("node"), "--check", str(EXTENSION / "extension.js")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_ci_installs_node_and_npm() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "nodejs" in ci and "npm" in ci


NODE_CLIENT = r"""
// The JSON-RPC library VS Code's language client is built on, talking to a real planc lsp.
const cp = require("child_process");
const fs = require("fs");
const url = require("url");
const rpc = require("vscode-jsonrpc/node");

const [python, file, needle, replacement] = process.argv.slice(2);
const uri = url.pathToFileURL(file).href;
const text = fs.readFileSync(file, "utf8").replace(needle, replacement);
const child = cp.spawn(python, ["-c", "from planc.cli import main; main()", "lsp", "--stdio"]);
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout),
  new rpc.StreamMessageWriter(child.stdin),
);
const timer = setTimeout(() => { console.error("no diagnostics in time"); process.exit(1); }, 120000);
connection.onNotification("textDocument/publishDiagnostics", async (params) => {
  if (params.uri !== uri) return;
  clearTimeout(timer);
  console.log(JSON.stringify(params.diagnostics));
  await connection.sendRequest("shutdown");
  connection.sendNotification("exit");
  child.on("exit", (code) => process.exit(code));
});
connection.listen();
(async () => {
  const result = await connection.sendRequest("initialize", {
    processId: process.pid, rootUri: null, capabilities: {},
  });
  if (!result.capabilities.hoverProvider) { console.error("no hover"); process.exit(1); }
  connection.sendNotification("initialized", {});
  connection.sendNotification("textDocument/didOpen", {
    textDocument: { uri, languageId: "yaml", version: 1, text },
  });
})();
"""


def test_vscodes_json_rpc_library_talks_to_planc_lsp(vsix: Path, tmp_path: Path) -> None:
    """The extension's own dependency (vscode-jsonrpc, under vscode-languageclient) as client."""
    pytest.importorskip("pygls", reason="planc lsp needs the lsp extra")
    import sys

    plan = tmp_path / "plans" / "2027-Q1"
    shutil.copytree(REPO / "plans" / "2027-Q1", plan)
    shutil.copytree(REPO / "schema", tmp_path / "schema")
    script = tmp_path / "client.js"
    script.write_text(NODE_CLIENT, encoding="utf-8")
    east = plan / "regions" / "east.yaml"
    result = subprocess.run(
        [
            _need("node"),
            str(script),
            sys.executable,
            str(east),
            "months: [960000, 630000, 1320000]",
            "months: [960000, 630000, 1330000]",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NODE_PATH": str(EXTENSION / "node_modules")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    diagnostics = json.loads(result.stdout.strip().splitlines()[-1])
    assert [d["code"] for d in diagnostics] == ["PLC303"]
