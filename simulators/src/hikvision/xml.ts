/**
 * The simulated camera's own strict XML reader: well-formedness is checked the way a device's parser
 * would (one root, matching tags, only the five predefined entities or character references, no raw
 * `&` or `<` in text). Deliberately separate from core's lenient parser so a client bug cannot hide.
 */

export interface SimElement {
  /** Local name (namespace prefix dropped). */
  name: string;
  attrs: Record<string, string>;
  children: SimElement[];
  /** Concatenated text content directly inside this element. */
  text: string;
}

export class XmlSyntaxError extends Error {}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new XmlSyntaxError(`raw '<' in text near ${at}`);
  return raw.replace(/&([^;&]*);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlSyntaxError(`unescaped '&' near ${at}`);
    if (entity in ENTITIES) return ENTITIES[entity] ?? '';
    const hex = /^#x([0-9a-fA-F]+)$/.exec(entity);
    const dec = /^#([0-9]+)$/.exec(entity);
    if (hex?.[1] !== undefined) return String.fromCodePoint(parseInt(hex[1], 16));
    if (dec?.[1] !== undefined) return String.fromCodePoint(parseInt(dec[1], 10));
    throw new XmlSyntaxError(`unknown entity &${entity}; near ${at}`);
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;

/** Parses a whole document; throws XmlSyntaxError when it is not well-formed. */
export function parseXmlStrict(text: string): SimElement {
  let pos = 0;
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(text.slice(pos))?.[0].length ?? 0;
      pos += ws;
      if (text.startsWith('<?', pos) || text.startsWith('<!--', pos)) {
        const end = text.indexOf(text.startsWith('<?', pos) ? '?>' : '-->', pos);
        if (end === -1) throw new XmlSyntaxError('unterminated declaration or comment');
        pos = end + (text.startsWith('<?', pos) ? 2 : 3);
      } else return;
    }
  };
  const parseElement = (): SimElement => {
    if (text[pos] !== '<') throw new XmlSyntaxError(`expected '<' at ${pos}`);
    pos++;
    const qname = NAME.exec(text.slice(pos))?.[0];
    if (qname === undefined) throw new XmlSyntaxError(`bad tag name at ${pos}`);
    pos += qname.length;
    const element: SimElement = { name: localName(qname), attrs: {}, children: [], text: '' };
    for (;;) {
      const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(pos));
      if (attr === null) break;
      element.attrs[attr[1] ?? ''] = decode(attr[3] ?? attr[4] ?? '', pos);
      pos += attr[0].length;
    }
    pos += /^\s*/.exec(text.slice(pos))?.[0].length ?? 0;
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return element;
    }
    if (text[pos] !== '>') throw new XmlSyntaxError(`malformed start tag <${qname}> at ${pos}`);
    pos++;
    for (;;) {
      const lt = text.indexOf('<', pos);
      if (lt === -1) throw new XmlSyntaxError(`<${qname}> is never closed`);
      element.text += decode(text.slice(pos, lt), pos);
      pos = lt;
      if (text.startsWith('</', pos)) {
        const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(text.slice(pos));
        if (close?.[1] !== qname) throw new XmlSyntaxError(`</${close?.[1] ?? '?'}> does not close <${qname}> at ${pos}`);
        pos += close[0].length;
        element.text = element.text.trim();
        return element;
      }
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end === -1) throw new XmlSyntaxError('unterminated comment');
        pos = end + 3;
        continue;
      }
      element.children.push(parseElement());
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (pos !== text.length) throw new XmlSyntaxError(`content after the root element at ${pos}`);
  return root;
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
}

export function child(element: SimElement, name: string): SimElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childText(element: SimElement, name: string): string | undefined {
  return child(element, name)?.text;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}
