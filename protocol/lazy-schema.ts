/**
 * A schema built on first use. zod 4 spends ~20 µs building each schema object (it gives every instance
 * its own methods), and the protocol defines well over a thousand at module load: ~50 ms of a phone's
 * startup before the page could connect, for schemas a page mostly never uses (the host's intents, the
 * other kind of session's documents). The stand-in behaves as the schema itself, with its exact type.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let schema: T | undefined;
  const real = (): T => (schema ??= build());
  return new Proxy(Object.create(null) as T, {
    get: (_target, key) => Reflect.get(real(), key),
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getPrototypeOf: () => Object.getPrototypeOf(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // The stand-in's own target has no such property: a proxy may only report it as configurable.
      if (descriptor) descriptor.configurable = true;
      return descriptor;
    },
  });
}
