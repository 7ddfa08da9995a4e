#!/usr/bin/env node
// The `camflow-sim` command. A plain file kept in the repository (not in dist/), so that npm links it
// when it installs the workspace, before anything is built, and so that its run bit survives a clean
// build. It checks the Node.js version before loading code that needs a newer one.
const NEED = [22, 13];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < NEED[0] || (major === NEED[0] && minor < NEED[1])) {
  process.stderr.write(`camflow-sim needs Node.js ${NEED.join('.')} or newer; this is Node.js ${process.versions.node} (${process.execPath}).\n`);
  process.exit(1);
}
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('camflow-sim is not built yet: run `npm run build` in the camflow folder first.\n');
    process.exit(1);
  }
  throw error;
}
