/**
 * node-red-node-test-helper with the real Node-RED runtime (the root devDependency), typed for the
 * parts our tests use. Import the nodes by name, i.e. the built package (`npm test` builds first).
 */
import { createRequire } from 'node:module';
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
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  _redNodes: { getFlows(): { flows: FlowNode[]; credentials?: unknown } };
}

export const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));

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
