/**
 * A one-line progress bar on standard error when it is a terminal, redrawn at most five
 * times a second; silent otherwise (in CI, cron or a pipe), where only the summary prints.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly started = Date.now();
  private last = 0;

  constructor(private readonly label: string) {}

  /** `done` records so far; `fraction` of the input read, when known. */
  update(done: number, fraction?: number): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    let bar = '';
    if (fraction !== undefined) {
      const width = 24;
      const filled = Math.min(width, Math.round(fraction * width));
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  `;
    }
    process.stderr.write(`\r${bar}${done} ${this.label}  ${rate}/s  ${seconds.toFixed(0)} s\x1b[K`);
  }

  done(): void {
    if (this.tty && this.last) process.stderr.write('\r\x1b[K');
  }
}
