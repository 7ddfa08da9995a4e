import { describe, expect, it } from 'vitest';
import { IsapiError } from '@camflow/core';
import { OverlayDocument } from '@camflow/core/cameras/hikvision/overlay-doc';
import { applyOverlayUpdate } from '@camflow/core/cameras/hikvision/parse';
import { isapiErrorFrom } from '@camflow/core/cameras/hikvision/status';
import { childElements, childText, parseXml, serializeXml, type XmlElement } from '@camflow/core/cameras/hikvision/xml';

// A device document with what read-modify-write must keep: a prefixed namespace, fields we do not know
// (fontSize, a nested vendor block), an overlay without <enabled>, one without <displayText>, entities.
const LIST = `<?xml version="1.0" encoding="UTF-8"?>
<hik:TextOverlayList version="2.0" xmlns:hik="http://www.hikvision.com/ver20/XMLSchema" size="4">
<hik:TextOverlay><hik:id>1</hik:id><hik:enabled>true</hik:enabled><hik:fontSize>32</hik:fontSize><hik:positionX>16</hik:positionX><hik:displayText>A &amp; B</hik:displayText><hik:vendor a="1"><hik:x>y</hik:x></hik:vendor></hik:TextOverlay>
<hik:TextOverlay><hik:id>2</hik:id><hik:displayText></hik:displayText><hik:isPersistentText>true</hik:isPersistentText></hik:TextOverlay>
<hik:TextOverlay><hik:id>3</hik:id><hik:enabled>false</hik:enabled></hik:TextOverlay>
<hik:TextOverlay><hik:id>4</hik:id><hik:enabled>false</hik:enabled><hik:displayText>four</hik:displayText></hik:TextOverlay>
</hik:TextOverlayList>
`;

/** What a write sent before the slots: a copy of the tree, changed, serialised. */
function byCopy(root: XmlElement, updates: { id: number; text: string; enabled?: boolean }[]): string {
  const copy = structuredClone(root);
  for (const update of updates) {
    const item = childElements(copy, 'TextOverlay').find((e) => childText(e, 'id') === String(update.id));
    if (item !== undefined) applyOverlayUpdate(item, update);
  }
  return serializeXml(copy);
}

describe('OverlayDocument (read-modify-write bodies)', () => {
  it('writes exactly what a changed copy of the device document would be, and changes nothing until apply', () => {
    const cases = [
      [{ id: 1, text: 'Temp <21.5> & "dry"' }],
      [{ id: 2, text: 'two' }, { id: 4, text: 'x', enabled: true }],
      [{ id: 1, text: 'on', enabled: false }],
      [{ id: 3, text: 'three has no displayText yet' }],
      [{ id: 2, text: 'enabled is added', enabled: true }],
    ];
    for (const updates of cases) {
      const root = parseXml(LIST);
      const before = serializeXml(root);
      const doc = new OverlayDocument(root);
      expect(doc.body(updates)).toBe(byCopy(root, updates));
      expect(serializeXml(root)).toBe(before);
    }
  });

  it('keeps later bodies exact after applied writes, whether the tree gained elements or not', () => {
    const root = parseXml(LIST);
    const reference = parseXml(LIST);
    const doc = new OverlayDocument(root);
    const steps = [
      [{ id: 1, text: 'first' }],
      [{ id: 3, text: 'new element' }],
      [{ id: 4, text: 'on', enabled: true }],
      [{ id: 2, text: 'added enabled', enabled: false }],
      [{ id: 1, text: 'last' }, { id: 2, text: 'again' }],
    ];
    for (const updates of steps) {
      expect(doc.body(updates)).toBe(byCopy(reference, updates));
      doc.apply(updates);
      for (const update of updates) {
        const item = childElements(reference, 'TextOverlay').find((e) => childText(e, 'id') === String(update.id));
        if (item !== undefined) applyOverlayUpdate(item, update);
      }
      expect(serializeXml(root)).toBe(serializeXml(reference));
    }
    expect(doc.has(4)).toBe(true);
    expect(doc.has(9)).toBe(false);
  });

  it('treats a single TextOverlay document as the overlay it was read for', () => {
    const root = parseXml('<TextOverlay version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><id>2</id><enabled>true</enabled><displayText>old</displayText><directAngle></directAngle></TextOverlay>');
    const doc = new OverlayDocument(root, 2);
    expect(doc.body([{ id: 2, text: 'new' }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<TextOverlay version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><id>2</id><enabled>true</enabled><displayText>new</displayText><directAngle></directAngle></TextOverlay>\n',
    );
  });
});

describe('ResponseStatus answers', () => {
  const status = (code: string, extra = '') =>
    Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\n<requestURL>/x</requestURL>\n<statusCode>${code}</statusCode>\n<statusString>OK</statusString>\n<subStatusCode>ok</subStatusCode>\n${extra}</ResponseStatus>\n`,
    );

  it('takes the plain OK answer as success and still types every failure', () => {
    expect(isapiErrorFrom(200, status('1'), '/x')).toBeUndefined();
    expect(isapiErrorFrom(200, status('0'), '/x')).toBeUndefined();
    expect(isapiErrorFrom(200, status('4'), '/x')).toMatchObject({ statusCode: 4, httpStatus: 200 });
    expect(isapiErrorFrom(403, status('1'), '/x')).toBeInstanceOf(IsapiError);
    // statusCode 1 nested below the root is not the answer's status code: the full reading says so.
    const nested = Buffer.from('<ResponseStatus><detail><statusCode>1</statusCode></detail><statusCode>6</statusCode></ResponseStatus>');
    expect(isapiErrorFrom(200, nested, '/x')).toMatchObject({ statusCode: 6 });
    const prefixed = Buffer.from('<ResponseStatus><statusCode>1</statusCode><ns:statusCode>6</ns:statusCode></ResponseStatus>');
    expect(isapiErrorFrom(200, prefixed, '/x')).toBeUndefined();
    expect(isapiErrorFrom(200, status('1', '<errorCode>1</errorCode>\n<errorMsg>ok</errorMsg>\n'), '/x')).toBeUndefined();
  });
});
