// Module shapes for imports that bundlers resolve (wrangler turns `.wasm` into a compiled module).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module 'sql.js/dist/sql-wasm-browser.js' {
  import initSqlJs from 'sql.js';
  export default initSqlJs;
}
