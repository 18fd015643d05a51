// CPython 3.14 reference trees via Pyodide (CPython 3.14.2 compiled to WebAssembly).
//
// Usage: node tests/ref/pyref.mjs FILE...
//   Prints, one line per FILE and in order, exactly what tests/tools/ast_to_json.py prints
//   under CPython 3.14: the JSON tree, or "ERROR <lineno>:<offset>: <msg>".
//   The dumper itself is not duplicated here: its directory is mounted into Pyodide with
//   NODEFS and the very same file is imported and run there.
// Needs `npm ci` in tests/ref once (tests/ref/regen.sh does it).
import { loadPyodide } from "pyodide";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, "..", "tools");
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node tests/ref/pyref.mjs FILE...\n");
  process.exit(2);
}
for (const f of files) {
  if (!fs.statSync(f, { throwIfNoEntry: false })?.isFile()) {
    process.stderr.write(`pyref: ${f}: not a file\n`);
    process.exit(2);
  }
}

const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
// Raw byte-exact stdout/stderr (the default handlers are line-batched through console.log).
py.setStdout({ write: (buf) => { fs.writeSync(1, buf); return buf.length; } });
py.setStderr({ write: (buf) => { fs.writeSync(2, buf); return buf.length; } });

// Mount every distinct directory we need (the dumper's and each input's) read-only-ish
// under /mnt/<n>, and translate the paths.
const mounts = new Map();
function mountDir(dir) {
  dir = path.resolve(dir);
  if (!mounts.has(dir)) {
    const point = `/mnt/${mounts.size}`;
    py.FS.mkdirTree(point);
    py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, point);
    mounts.set(dir, point);
  }
  return mounts.get(dir);
}
const toolsPoint = mountDir(toolsDir);
const inner = files.map((f) => `${mountDir(path.dirname(f))}/${path.basename(f)}`);

py.globals.set("_pyref_tools", toolsPoint);
py.globals.set("_pyref_files", py.toPy(inner));
py.runPython(`
import sys
sys.path.insert(0, _pyref_tools)
import ast_to_json
ast_to_json.main(list(_pyref_files))
sys.stdout.flush()
`);
