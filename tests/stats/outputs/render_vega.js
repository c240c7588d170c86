// Render a Vega-Lite spec (argv[3], JSON) to SVG on stdout with the vendored Vega files
// (argv[2]) inside a VM context that forbids code generation from strings, as the pages'
// Content-Security-Policy does: Vega must evaluate expressions with vega-interpreter.
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const [vendor, specPath] = process.argv.slice(2);
const ctx = {
  console, setTimeout, clearTimeout, setInterval, clearInterval, Promise, structuredClone,
  TextEncoder, TextDecoder, URL, queueMicrotask, performance,
};
ctx.globalThis = ctx;
ctx.self = ctx;
vm.createContext(ctx, { codeGeneration: { strings: false, wasm: false } });
try {
  vm.runInContext('Function("return 1")()', ctx);
  console.error('code generation from strings is not blocked; the check would prove nothing');
  process.exit(3);
} catch (e) { /* blocked, as under the CSP */ }
for (const f of ['vega.min.js', 'vega-lite.min.js', 'vega-interpreter.js']) {
  vm.runInContext(fs.readFileSync(path.join(vendor, f), 'utf8'), ctx, { filename: f });
}
ctx.__spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const rendering = vm.runInContext(`
  (() => {
    const compiled = vegaLite.compile(__spec).spec;
    const runtime = vega.parse(compiled, null, { ast: true });
    return new vega.View(runtime, { renderer: 'none', expr: vega.expressionInterpreter }).toSVG();
  })()
`, ctx);
rendering.then(
  (svg) => { process.stdout.write(svg); },
  (error) => { console.error(String((error && error.stack) || error)); process.exit(1); },
);
