// Makes cpython314-fib.prof: a profile written by CPython 3.14 (marshal version 5), with Pyodide.
// Usage, from tests/ref (where pyodide is installed): node ../profile/data/make_cpython314.mjs OUTDIR
import path from "node:path";
import { pathToFileURL } from "node:url";
const { loadPyodide } = await import(pathToFileURL(path.resolve("node_modules/pyodide/pyodide.mjs")).href);
const out = path.resolve(process.argv[2] || ".");
const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
py.FS.mkdirTree("/mnt/out");
py.FS.mount(py.FS.filesystems.NODEFS, { root: out }, "/mnt/out");
py.runPython(`
import cProfile
def fib(n): return n if n < 2 else fib(n-1) + fib(n-2)
p = cProfile.Profile(); p.enable(); fib(18); sorted([3,1,2]); p.disable()
p.dump_stats('/mnt/out/cpython314-fib.prof')
`);
