// planc for VS Code: starts `planc lsp` for YAML files and adds nothing else.
//
// The language (yaml), its grammar and the schema features (completion of keys, hovers from
// the schema's descriptions) stay with the YAML extension (redhat.vscode-yaml), which reads the
// modeline at the top of every plan file. This extension only adds planc's own diagnostics,
// hovers, completion of ids, definitions, references, fixes and outline beside them.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const settings = vscode.workspace.getConfiguration("planc");
  const command = settings.get("path") || "planc";
  // TransportKind.stdio adds --stdio to the arguments: `planc lsp --stdio`.
  return { command, args: ["lsp"], transport: TransportKind.stdio };
}

function clientOptions() {
  const settings = vscode.workspace.getConfiguration("planc");
  return {
    documentSelector: [{ scheme: "file", language: "yaml" }],
    initializationOptions: { debounceMs: settings.get("debounceMs") },
    synchronize: {
      // files created, changed, deleted or renamed outside the editor: the quarter again
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{yaml,yml}"),
    },
  };
}

async function activate(context) {
  client = new LanguageClient("planc", "planc", serverOptions(), clientOptions());
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `planc lsp did not start (${error.message}). Install it with pip install 'planc[lsp]' ` +
        "or set planc.path to the planc command.",
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
