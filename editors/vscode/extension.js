// The VS Code client of `rulebook lsp`: starts the server over stdio for .sla files.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace
    .getConfiguration("rulebook")
    .get("server.command", ["rulebook", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "rulebook",
    "rulebook language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "sla" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
