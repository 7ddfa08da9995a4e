/**
 * The part of Node-RED's node API these nodes use, typed here so the package needs no @types/node-red
 * (the runtime hands every node this object; we never import Node-RED ourselves).
 */

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export type NodeSend = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]) => void;
export type NodeDone = (err?: Error) => void;

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** Properties every node's config (flow JSON) carries. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  /** Config schema version of this node (see shared/version.ts). */
  version?: number;
}

export interface Node<TCredentials extends object = object> {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials: Partial<TCredentials>;
  on(event: 'input', listener: (msg: NodeMessage, send: NodeSend, done: NodeDone) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]): void;
  status(status: NodeStatus): void;
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown, msg?: NodeMessage): void;
  debug(message: unknown): void;
  trace(message: unknown): void;
}

export interface CredentialField {
  type: 'text' | 'password';
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    getNode(id: string): object | null;
    registerType(
      type: string,
      // `this: never`: each node's constructor narrows `this` to its own node type.
      constructor: (this: never, def: never) => void,
      options?: { credentials?: Record<string, CredentialField> },
    ): void;
  };
  /** Message catalog lookup, pre-scoped to this node set's namespace. */
  _(key: string, substitutions?: Record<string, string | number>): string;
  /** Node-RED's settings (settings.js): its user directory, and a `camflow` section of ours. */
  settings?: { userDir?: string; camflow?: { pipeline?: { workers?: boolean }; detect?: unknown } };
  log?: { warn?(message: string): void };
}
