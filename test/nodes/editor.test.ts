/**
 * The editor in headless Chromium (Debian's chromium driven by playwright-core) against a real
 * `node-red` with the packed package installed: the palette, the icons, and every edit dialog.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { installPackedNodes, startNodeRed, type PackedInstall, type RunningNodeRed } from '../helpers/nodered-e2e.js';

const FLOW_TYPES = ['camflow-overlay', 'camflow-snapshot', 'camflow-events', 'camflow-record', 'camflow-download', 'camflow-connect', 'camflow-detect', 'camflow-job', 'camflow-faces'];
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

let install: PackedInstall;
let nodeRed: RunningNodeRed;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  install = await installPackedNodes();
  nodeRed = await startNodeRed(install.userDir);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(nodeRed.url);
  await page.waitForSelector('.red-ui-palette-node[data-palette-type="camflow-overlay"]', { timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await nodeRed?.stop();
  await install?.cleanup();
});

describe('the Node-RED editor with camflow installed', () => {
  it('shows the camflow nodes in their own palette category, each with its icon', async () => {
    const category = page.locator('#red-ui-palette-container-camflow');
    await expect(category.count()).resolves.toBe(1);
    for (const type of FLOW_TYPES) {
      const icon = page.locator(`#red-ui-palette-container-camflow .red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-icon`);
      const style = await icon.getAttribute('style');
      expect(style, type).toContain(`icons/node-red-contrib-camflow/${type}.svg`);
      const response = await page.request.get(`${nodeRed.url}/icons/node-red-contrib-camflow/${type}.svg`);
      expect(response.status(), type).toBe(200);
      expect(await response.text(), type).toContain('<svg');
    }
  });

  it.each(FLOW_TYPES)('opens the %s edit dialog with no console errors', async (type) => {
    consoleErrors.length = 0;
    await page.evaluate((nodeType) => {
      const red = (globalThis as any).RED;
      // A node as the palette would drop it: every default from the node's own definition.
      const defaults = red.nodes.getType(nodeType).defaults as Record<string, { value: unknown }>;
      const node: Record<string, unknown> = { id: red.nodes.id(), type: nodeType, x: 300, y: 120, wires: [[]] };
      for (const [key, spec] of Object.entries(defaults)) node[key] = JSON.parse(JSON.stringify(spec.value));
      red.view.importNodes([node], { generateIds: false });
      for (const note of (globalThis as any).document.querySelectorAll('.red-ui-notification')) note.remove();
      red.editor.edit(red.nodes.node(node['id']));
    }, type);
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-input-camera').waitFor({ state: 'visible' });
    // The tray slides in with a jQuery animation: wait for it to end rather than for a fixed time.
    await page.waitForFunction(() => !(globalThis as any).$('.red-ui-tray').is(':animated'));
    const help = await page.evaluate((nodeType) => (globalThis as any).RED.nodes.getNodeHelp(nodeType) as string, type);
    expect(help).toContain('<h3>');
    if (type === 'camflow-overlay') {
      await expect(tray.locator('#node-input-overlay').inputValue()).resolves.toBe('1');
      await mkdir(path.join(repoRoot, 'test-artifacts'), { recursive: true });
      // The dialog itself, not the whole window: there the sidebar hides most of it.
      await tray.screenshot({ path: path.join(repoRoot, 'test-artifacts', 'node-red-overlay-dialog.png') });
    }
    await page.locator('#node-dialog-cancel').click();
    await tray.waitFor({ state: 'detached' });
    expect(consoleErrors).toEqual([]);
  });

  it.each([...FLOW_TYPES, 'camflow-camera'])('shows the %s help in the sidebar with nothing cut off at its edge', async (type) => {
    await page.evaluate((nodeType) => (globalThis as any).RED.sidebar.help.show(nodeType), type);
    const help = page.locator('.red-ui-help').last();
    await help.locator('h3').first().waitFor({ state: 'visible' });
    // Node-RED keeps message property names on one line: a long one runs past the sidebar's edge.
    const clipped = await help.evaluate((root: any) => {
      const limit = root.getBoundingClientRect().right + 1;
      return [...root.querySelectorAll('dt, code, pre, p, li, dd')].filter((el: any) => el.getBoundingClientRect().right > limit || el.scrollWidth > el.clientWidth + 1).map((el: any) => el.textContent.trim().slice(0, 60));
    });
    expect(clipped).toEqual([]);
  });

  it('opens the camera config dialog with the credential fields and no console errors', async () => {
    consoleErrors.length = 0;
    await page.evaluate(() => {
      const red = (globalThis as any).RED;
      red.editor.editConfig('', 'camflow-camera', '_ADD_');
    });
    await page.locator('#node-config-input-host').waitFor({ state: 'visible' });
    // The dialog is titled with the node's label, not its type name.
    const title = await page.locator('.red-ui-tray').last().locator('.red-ui-tray-titlebar').textContent();
    expect(title).toContain('camflow camera');
    expect(title).not.toContain('camflow-camera');
    await page.waitForFunction(() => !(globalThis as any).$('.red-ui-tray').is(':animated'));
    await page.locator('.red-ui-tray').last().screenshot({ path: path.join(repoRoot, 'test-artifacts', 'node-red-camera-dialog.png') });
    await expect(page.locator('#node-config-input-password').getAttribute('type')).resolves.toBe('password');
    await expect(page.locator('#node-config-input-username').count()).resolves.toBe(1);
    await page.selectOption('#node-config-input-kind', 'p2p');
    await page.locator('#node-config-input-did').waitFor({ state: 'visible' });
    // RTSP: the stream URL and its login; Ring: the device, and no login (that is `camflow ring login`).
    await page.selectOption('#node-config-input-kind', 'rtsp');
    await page.locator('#node-config-input-url').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-host').waitFor({ state: 'hidden' });
    await page.selectOption('#node-config-input-kind', 'ring');
    await page.locator('#node-config-input-device').waitFor({ state: 'visible' });
    await page.locator('#node-config-input-password').waitFor({ state: 'hidden' });
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-input-host').waitFor({ state: 'detached' });
    expect(consoleErrors).toEqual([]);
  });
});
