/**
 * A bounded queue between the fetching workers and the import: workers wait while it is
 * full, so memory stays bounded when the database is slower than the feed.
 */
export class Channel<T> {
  closed = false;
  private ended = false;
  private readonly items: T[] = [];
  private consumer?: () => void;
  private producers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed)
      await new Promise<void>((resolve) => this.producers.push(resolve));
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  /** No more items will come. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The reader has stopped: drop what is queued and release the writers. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.producers.splice(0).forEach((resolve) => resolve());
  }

  /** Up to `max` items, waiting for one; undefined once the queue has ended and is empty. */
  async take(max: number): Promise<T[] | undefined> {
    while (!this.items.length) {
      if (this.ended || this.closed) return undefined;
      await new Promise<void>((resolve) => (this.consumer = resolve));
    }
    const taken = this.items.splice(0, max);
    this.producers.splice(0).forEach((resolve) => resolve());
    return taken;
  }

  private wake(): void {
    const consumer = this.consumer;
    this.consumer = undefined;
    consumer?.();
  }
}
