/**
 * A one-line progress bar on stderr; without a terminal (CI, a log file) one line per quarter, so
 * logs stay readable.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastQuarter = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number): void {
    const ratio = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const counter = `${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')}`;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      process.stderr.write(
        `\r  ${this.label.padEnd(24)} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${counter} ${seconds}s   `,
      );
      if (ratio >= 1) process.stderr.write('\n');
      return;
    }
    const quarter = Math.floor(ratio * 4);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      process.stderr.write(`  ${this.label}: ${(ratio * 100).toFixed(0)}% ${counter} ${seconds}s\n`);
    }
  }
}
