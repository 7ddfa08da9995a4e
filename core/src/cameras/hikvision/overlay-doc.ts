/**
 * A device's own overlay document (a `TextOverlayList`, or one `TextOverlay`), kept for
 * read-modify-write: a PUT sends it back with only the texts changed, so the namespace, font size,
 * position and every field we do not know stay as the device had them.
 *
 * Overlay sync writes every camera every second, so building the body must be cheap: the document is
 * serialised once with a slot for each overlay's `displayText` and `enabled`, and a body is those
 * fixed parts with the new texts escaped into their slots. No copy of the tree is made; the tree is
 * changed only once the device has accepted a write (`apply`).
 */
import { applyOverlayUpdate } from './parse.js';
import type { TextOverlayUpdate } from './types.js';
import { childElements, childText, escapeXml, findChild, serializeWithSlots, serializeXml, type XmlElement } from './xml.js';

type Field = 'displayText' | 'enabled';

interface Compiled {
  parts: string[];
  /** Current serialised content per slot, in document order. */
  inner: string[];
  /** Slot index by `${id}/${field}`. */
  slotOf: Map<string, number>;
  slots: XmlElement[];
}

const slotKey = (id: number, field: Field): string => `${id}/${field}`;

export class OverlayDocument {
  readonly root: XmlElement;
  /** TextOverlay elements by id; the first wins when a device repeats an id. */
  readonly #items = new Map<number, XmlElement>();
  readonly #singleId: number | undefined;
  #compiled: Compiled | undefined;

  /** `singleId`: the document is one `TextOverlay` (the per-overlay resource) standing for that id. */
  constructor(root: XmlElement, singleId?: number) {
    this.root = root;
    this.#singleId = singleId;
    if (singleId !== undefined) {
      this.#items.set(singleId, root);
      return;
    }
    for (const item of childElements(root, 'TextOverlay')) {
      const id = Number(childText(item, 'id'));
      if (Number.isInteger(id) && !this.#items.has(id)) this.#items.set(id, item);
    }
  }

  has(id: number): boolean {
    return this.#items.has(id);
  }

  /** The PUT body with `updates` applied (every id must exist: see has); the document stays unchanged. */
  body(updates: readonly TextOverlayUpdate[]): string {
    const compiled = this.#compile();
    const inner = compiled.inner.slice();
    for (const update of updates) {
      const text = compiled.slotOf.get(slotKey(update.id, 'displayText'));
      const enabled = update.enabled === undefined ? -1 : compiled.slotOf.get(slotKey(update.id, 'enabled'));
      // A field the device left out is added by applyOverlayUpdate: rare, so take the slow road then.
      if (text === undefined || enabled === undefined) return this.#bodyByCopy(updates);
      inner[text] = escapeXml(update.text);
      if (enabled >= 0) inner[enabled] = String(update.enabled);
    }
    let out = compiled.parts[0] ?? '';
    for (let i = 0; i < inner.length; i++) out += (inner[i] ?? '') + (compiled.parts[i + 1] ?? '');
    return out;
  }

  /** Records what the device accepted. Ids the document does not hold are ignored. */
  apply(updates: readonly TextOverlayUpdate[]): void {
    for (const update of updates) {
      const item = this.#items.get(update.id);
      if (item === undefined) continue;
      const compiled = this.#compiled;
      const text = compiled?.slotOf.get(slotKey(update.id, 'displayText'));
      const enabled = update.enabled === undefined ? -1 : compiled?.slotOf.get(slotKey(update.id, 'enabled'));
      if (compiled === undefined || text === undefined || enabled === undefined) {
        applyOverlayUpdate(item, update);
        this.#compiled = undefined; // the tree may have gained an element: cut it open again next time
        continue;
      }
      // The slots are the very elements applyOverlayUpdate would change: set them directly.
      this.#setSlot(compiled, text, update.text);
      if (enabled >= 0) this.#setSlot(compiled, enabled, String(update.enabled));
    }
  }

  #setSlot(compiled: Compiled, index: number, value: string): void {
    const element = compiled.slots[index];
    if (element === undefined) return;
    element.children = [value];
    compiled.inner[index] = escapeXml(value);
  }

  #compile(): Compiled {
    if (this.#compiled !== undefined) return this.#compiled;
    const owners = new Map<XmlElement, string>();
    for (const [id, item] of this.#items) {
      for (const field of ['displayText', 'enabled'] as const) {
        const element = findChild(item, field);
        if (element !== undefined) owners.set(element, slotKey(id, field));
      }
    }
    const { parts, slots, inner } = serializeWithSlots(this.root, new Set(owners.keys()));
    const slotOf = new Map<string, number>();
    slots.forEach((element, index) => slotOf.set(owners.get(element) ?? '', index));
    this.#compiled = { parts, inner, slotOf, slots };
    return this.#compiled;
  }

  #bodyByCopy(updates: readonly TextOverlayUpdate[]): string {
    const copy = new OverlayDocument(structuredClone(this.root), this.#singleId);
    for (const update of updates) {
      const item = copy.#items.get(update.id);
      if (item !== undefined) applyOverlayUpdate(item, update);
    }
    return serializeXml(copy.root);
  }
}
