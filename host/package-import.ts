/**
 * import() of an external package (one not bundled: the ACP SDK, web-push, koffi). The CLI bundle runs
 * through vm.Script with a code cache (code-cache.ts), and in Node 20 the functions V8 takes from a code
 * cache lose the script's dynamic-import callback (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): there, the
 * loader's own import() is used, set on a global before the bundle runs. Run from source or tests, a
 * plain import().
 */

/** Where code-cache.ts puts its import(). */
export const PACKAGE_IMPORT = Symbol.for('tether.importPackage');

/** Imports `specifier` as an ES module namespace. */
export function importPackage<T>(specifier: string): Promise<T> {
  const viaLoader = (globalThis as Record<symbol, unknown>)[PACKAGE_IMPORT] as ((s: string) => Promise<unknown>) | undefined;
  return (viaLoader ? viaLoader(specifier) : import(specifier)) as Promise<T>;
}
