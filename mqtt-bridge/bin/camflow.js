#!/usr/bin/env node
// The `camflow` command. A plain file kept in the repository (not in dist/), so that npm links it
// when it installs the workspace, before anything is built, and so that its run bit survives a clean
// build. It checks the Node.js version before loading code that needs a newer one.
const NEED = [22, 13];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < NEED[0] || (major === NEED[0] && minor < NEED[1])) {
  process.stderr.write(`camflow needs Node.js ${NEED.join('.')} or newer; this is Node.js ${process.versions.node} (${process.execPath}).\n`);
  process.exit(1);
}
// node:sqlite (the job pipeline's embedded engine) is still "experimental" on Node 22 and says so on
// every start; for a command-line tool that line is noise, so it alone is left out.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.startsWith('SQLite is an experimental feature')) return;
  return emitWarning.call(process, warning, ...rest);
};
try {
  await import('../dist/cli/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('camflow is not built yet: run `npm run build` in the camflow folder first.\n');
    process.exit(1);
  }
  throw error;
}
