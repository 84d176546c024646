/**
 * Which parts of a JSON value a mapping read: the value is wrapped in proxies that record
 * every property read, so that afterwards the parts never read (fields the mapping knows
 * nothing of) can be reported rather than lost without a word.
 */
export class Reads {
  private readonly read = new Set<string>();

  /** The value, as a proxy that records what is read of it (and of what it holds). */
  wrap<T>(value: T, path = ''): T {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value, {
      get: (target, key, receiver) => {
        const found: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || typeof found === 'function') return found;
        if (Array.isArray(target) && key === 'length') return found;
        const at = `${path}/${key}`;
        this.read.add(at);
        return this.wrap(found, at);
      },
    });
  }

  /**
   * The outermost parts of `value` never read, with their JSON paths (empty values left
   * out, and the keys `ignore` says carry nothing of their own).
   */
  unread(
    value: unknown,
    ignore: (key: string) => boolean = () => false,
    path = '',
  ): { path: string; value: unknown }[] {
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
      const at = `${path}/${key}`;
      if (isEmpty(child) || ignore(key)) return [];
      if (!this.read.has(at)) return [{ path: at, value: child }];
      return this.unread(child, ignore, at);
    });
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every(isEmpty);
  if (typeof value === 'object') return Object.values(value).every(isEmpty);
  return false;
}
