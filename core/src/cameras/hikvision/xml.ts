/**
 * A small, lenient XML reader/writer for ISAPI documents. Lenient where devices are sloppy (a raw `&`
 * in event XML is taken as text), faithful where we write back: a document read and re-serialised
 * keeps its namespace, attributes and the elements we do not know, so read-modify-write is safe.
 * Elements are matched by local name, ignoring namespaces (they vary by model and firmware).
 */
import { ProtocolError } from '../../errors.js';

export interface XmlElement {
  /** Qualified name as written (`TextOverlay`, `ns:TextOverlay`). */
  name: string;
  attrs: [string, string][];
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? '';
  });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// Control characters other than tab, line feed and carriage return cannot appear in XML 1.0 at all,
// not even as character references: they are dropped, so what we write is always well-formed.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// eslint-disable-next-line no-control-regex
const TO_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

export function escapeXml(text: string): string {
  // Most texts have nothing to escape: skip the replace (and its allocations) then.
  return NEEDS_ESCAPE.test(text) ? text.replace(TO_ESCAPE, (c) => ESCAPES[c] ?? '') : text;
}

/** Deeper than any ISAPI document (they nest 4-6 levels): a guard for the recursive writer. */
const MAX_DEPTH = 64;

const TAG = /<\/?([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTR = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses a document. Throws ProtocolError when it is not XML we can read (cut short, no root). */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt === -1 ? undefined : lt);
    const top = stack.at(-1);
    if (top !== undefined && chunk !== '') top.children.push(decodeEntities(chunk));
    if (lt === -1) break;
    if (text.startsWith('<?', lt) || text.startsWith('<!--', lt) || text.startsWith('<!', lt)) {
      const end = text.indexOf(text.startsWith('<!--', lt) ? '-->' : '>', lt);
      if (end === -1) break;
      pos = end + 1;
      continue;
    }
    TAG.lastIndex = lt;
    const m = TAG.exec(text);
    if (m === null) throw new ProtocolError(`malformed XML near offset ${lt}`);
    pos = TAG.lastIndex;
    const name = m[1] ?? '';
    if (m[0].startsWith('</')) {
      const open = stack.pop();
      if (open?.name !== name) throw new ProtocolError(`malformed XML: </${name}> does not match <${open?.name ?? ''}>`);
      continue;
    }
    const element: XmlElement = { name, attrs: [...(m[2] ?? '').matchAll(ATTR)].map((a) => [a[1] ?? '', decodeEntities(a[2] ?? a[3] ?? '')]), children: [] };
    if (top !== undefined) top.children.push(element);
    else if (root === undefined) root = element;
    else throw new ProtocolError('malformed XML: more than one root element');
    if (m[3] !== '/') {
      if (stack.length >= MAX_DEPTH) throw new ProtocolError(`malformed XML: nested deeper than ${MAX_DEPTH} elements`);
      stack.push(element);
    }
  }
  if (root === undefined || stack.length > 0) throw new ProtocolError('malformed XML: document is incomplete');
  return root;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function serializeXml(root: XmlElement): string {
  return `${DECLARATION}${serializeElement(root)}\n`;
}

function serializeElement(element: XmlElement): string {
  return `${openTag(element)}${serializeChildren(element)}</${element.name}>`;
}

function openTag(element: XmlElement): string {
  let attrs = '';
  for (const [k, v] of element.attrs) attrs += ` ${k}="${escapeXml(v)}"`;
  return `<${element.name}${attrs}>`;
}

/** The serialised content of an element (its children), as serializeXml writes it. */
export function serializeChildren(element: XmlElement): string {
  let inner = '';
  for (const child of element.children) inner += typeof child === 'string' ? escapeXml(child) : serializeElement(child);
  return inner;
}

/**
 * serializeXml cut open at the given elements: the document is `parts[0] + inner[0] + parts[1] + ...`,
 * where `inner[i]` is the content of `slots[i]` (document order). Changing a slot's content then costs
 * a string join instead of a new walk of the tree.
 */
export function serializeWithSlots(root: XmlElement, slotElements: ReadonlySet<XmlElement>): { parts: string[]; slots: XmlElement[]; inner: string[] } {
  const parts: string[] = [];
  const slots: XmlElement[] = [];
  const inner: string[] = [];
  let current = DECLARATION;
  const walk = (element: XmlElement): void => {
    current += openTag(element);
    if (slotElements.has(element)) {
      parts.push(current);
      slots.push(element);
      inner.push(serializeChildren(element));
      current = '';
    } else {
      for (const child of element.children) {
        if (typeof child === 'string') current += escapeXml(child);
        else walk(child);
      }
    }
    current += `</${element.name}>`;
  };
  walk(root);
  parts.push(`${current}\n`);
  return { parts, slots, inner };
}

export function localName(element: XmlElement): string {
  const colon = element.name.indexOf(':');
  return colon === -1 ? element.name : element.name.slice(colon + 1);
}

/** `localName(element) === name`, without cutting the prefix off (this runs for every lookup). */
function hasLocalName(element: XmlElement, name: string): boolean {
  const qualified = element.name;
  if (qualified === name) return true;
  const colon = qualified.length - name.length - 1;
  return colon > 0 && qualified.charCodeAt(colon) === 58 /* : */ && qualified.endsWith(name) && qualified.indexOf(':') === colon;
}

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || hasLocalName(c, name)));
}

export function findChild(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) if (typeof child !== 'string' && hasLocalName(child, name)) return child;
  return undefined;
}

/** Text content of an element, trimmed. */
export function textContent(element: XmlElement): string {
  const only = element.children.length === 1 ? element.children[0] : undefined;
  if (typeof only === 'string') return only.trim();
  return element.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('').trim();
}

export function childText(element: XmlElement, name: string): string | undefined {
  const found = findChild(element, name);
  return found === undefined ? undefined : textContent(found);
}

/** Sets the text of a child, creating it (unprefixed, at the end) when missing. */
export function setChildText(element: XmlElement, name: string, text: string): void {
  const found = findChild(element, name);
  if (found !== undefined) {
    found.children = [text];
    return;
  }
  const prefix = element.name.includes(':') ? `${element.name.split(':')[0] ?? ''}:` : '';
  element.children.push({ name: `${prefix}${name}`, attrs: [], children: [text] });
}

export function getAttr(element: XmlElement, name: string): string | undefined {
  return element.attrs.find(([k]) => k === name)?.[1];
}
