/**
 * node-red-node-test-helper with the real Node-RED runtime (the root devDependency), typed for the
 * parts our tests use. Import the nodes by name, i.e. the built package (`npm test` builds first).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { NodeAPI } from 'node-red-contrib-camflow/dist/red.js';

const require = createRequire(import.meta.url);

export interface TestNode {
  id: string;
  type: string;
  credentials: Record<string, unknown>;
  receive(msg: Record<string, unknown>): void;
  on(event: 'input', listener: (msg: Record<string, any>) => void): void;
  on(event: `call:${'status' | 'error' | 'warn' | 'log' | 'send'}`, listener: (call: { args: any[] }) => void): void;
  removeAllListeners(event?: string): void;
  [key: string]: any;
}

export interface FlowNode {
  id: string;
  type: string;
  wires?: string[][];
  [key: string]: unknown;
}

interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(
    nodes: ((red: NodeAPI) => void) | ((red: NodeAPI) => void)[],
    flow: FlowNode[],
    credentials?: Record<string, Record<string, string>>,
  ): Promise<void>;
  unload(): Promise<void>;
  /** A deploy into the loaded runtime, the way the editor's Deploy button sends it. */
  setFlows(flow: FlowNode[], type?: 'full' | 'flows' | 'nodes'): Promise<void>;
  getNode(id: string): TestNode;
  /** The runtime's credential store (@node-red/runtime/lib/nodes/credentials). */
  credentials: { get(id: string): Record<string, string> | undefined; export(): Promise<unknown> };
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  _redNodes: { getFlows(): { flows: FlowNode[]; credentials?: unknown } };
}

export const helper = require('node-red-node-test-helper') as TestHelper;
/** The Node-RED user directory of the test runtime: the camflow job pipeline keeps its files there. */
export const nodeRedUserDir = mkdtempSync(path.join(tmpdir(), 'camflow-nodered-user-'));
helper.init(require.resolve('node-red'), { userDir: nodeRedUserDir });

/** Resolves with the next message a node receives (a `helper` node wired after the node under test). */
export function nextMessage(node: TestNode): Promise<Record<string, any>> {
  return new Promise((resolve) => node.on('input', resolve));
}

/** Resolves with `count` messages received by the node, in order. */
export function messages(node: TestNode, count: number): Promise<Record<string, any>[]> {
  const got: Record<string, any>[] = [];
  return new Promise((resolve) => {
    node.on('input', (msg) => {
      got.push(msg);
      if (got.length === count) resolve(got);
    });
  });
}

/** Resolves with the first status a node sets that matches `predicate`. */
export function statusMatching(node: TestNode, predicate: (status: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return new Promise((resolve) => {
    node.on('call:status', (call) => {
      const status = call.args[0] as Record<string, any>;
      if (predicate(status)) resolve(status);
    });
  });
}

/**
 * Puts a flow on a tab the way the editor saves it: flow nodes carry `z`, `x` and `y` (Node-RED treats a
 * node without a position as a config node). Nodes listed in `configIds` stay config nodes.
 */
export function onTab(flow: FlowNode[], configIds: readonly string[] = []): FlowNode[] {
  return [
    { id: 'tab1', type: 'tab', label: 'test' },
    ...flow.map((node, index) =>
      configIds.includes(node.id) || 'x' in node ? node : { z: 'tab1', x: 100, y: 40 * (index + 1), wires: [], ...node },
    ),
  ];
}

/** Adds a Catch node for the whole tab, wired to a helper node `caught`. */
export function withCatch(flow: FlowNode[]): FlowNode[] {
  return [
    ...flow,
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

/**
 * Waits for something no event announces (a server noticing a closed socket), checking every 10 ms.
 * Fails loudly, naming what it waited for, when `probe` is still false after `timeoutMs`.
 */
export async function eventually(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every status the node set since the flow was loaded, in order (the helper spies on Node.status). */
export function statusHistory(id: string): Record<string, any>[] {
  type StatusSpy = { getCalls(): { thisValue: { id: string }; args: [Record<string, any> | undefined] }[] };
  const spy = (helper as unknown as { _NodePrototype: { status: StatusSpy } })._NodePrototype.status;
  return spy
    .getCalls()
    .filter((call) => call.thisValue.id === id)
    .map((call) => call.args[0] ?? {});
}

/**
 * Resolves with the node's latest status once it matches `predicate` (already set, or set later). Rejects
 * after `timeoutMs` naming `what` and the statuses seen, so a status that never comes fails loudly.
 */
export function statusReached(
  id: string,
  what: string,
  predicate: (status: Record<string, any>) => boolean,
  timeoutMs = 5000,
): Promise<Record<string, any>> {
  const latest = statusHistory(id).at(-1);
  if (latest !== undefined && predicate(latest)) return Promise.resolve(latest);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const seen = statusHistory(id).map((status) => String(status['text']));
      reject(new Error(`timed out after ${timeoutMs} ms waiting for node ${id}'s status: ${what} (statuses so far: ${JSON.stringify(seen)})`));
    }, timeoutMs);
    helper.getNode(id).on('call:status', (call) => {
      const status = (call.args[0] ?? {}) as Record<string, any>;
      if (predicate(status)) {
        clearTimeout(timer);
        resolve(status);
      }
    });
  });
}

/**
 * The built package's English message catalogs (every node's, merged), rendered the way Node-RED's
 * i18n does (`__name__` substitutions). The test helper's RED._ returns the bare key; this renders it.
 */
export function catalogText(key: string, substitutions: Record<string, string | number> = {}): string {
  catalog ??= loadCatalog();
  let entry: unknown = catalog;
  for (const part of key.split('.')) entry = (entry as Record<string, unknown> | undefined)?.[part];
  if (typeof entry !== 'string') throw new Error(`no message '${key}' in the camflow catalogs`);
  return entry.replace(/__(\w+)__/g, (whole, name: string) => (name in substitutions ? String(substitutions[name]) : whole));
}

let catalog: Record<string, unknown> | undefined;

function loadCatalog(): Record<string, unknown> {
  const dist = path.dirname(require.resolve('node-red-contrib-camflow/package.json'));
  const merged: Record<string, unknown> = {};
  for (const node of readdirSync(path.join(dist, 'dist'), { withFileTypes: true })) {
    const file = path.join(dist, 'dist', node.name, 'locales', 'en-US', `${node.name}.json`);
    if (node.isDirectory() && existsSync(file)) Object.assign(merged, JSON.parse(readFileSync(file, 'utf8')) as object);
  }
  return merged;
}

/**
 * Node initialisers with RED._ rendering from the real catalogs, so a test sees the status text a user
 * sees (`3/12 files, 45%`) instead of the bare message key.
 */
export function withCatalogText(nodes: ((red: NodeAPI) => void)[]): ((red: NodeAPI) => void)[] {
  return nodes.map((init) => (red: NodeAPI) => {
    red._ = catalogText;
    init(red);
  });
}
