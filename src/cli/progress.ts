// Progress on long work: a redrawn bar on a terminal, plain throttled lines otherwise.

export interface Progress {
  /** Reports `done` of `total` with a short status text. */
  update(done: number, total: number, status: string): void;
  /** Ends the bar (a newline on a terminal). */
  done(): void;
}

/** A progress reporter writing to `stream` (stderr by default, so stdout stays parseable). */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY) && process.env.CI === undefined;
  let lastLine = -1;
  let drawn = false;
  return {
    update(done, total, status) {
      if (tty) {
        const width = 24;
        const filled = total > 0 ? Math.round((done / total) * width) : 0;
        const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
        stream.write(`\r${label} [${bar}] ${done}/${total} ${status}\x1b[K`);
        drawn = true;
        return;
      }
      // plain output: about 10 lines over the run, plus the last one
      const every = Math.max(1, Math.ceil(total / 10));
      if (done === total || Math.floor(done / every) !== lastLine) {
        lastLine = Math.floor(done / every);
        stream.write(`${label} ${done}/${total} ${status}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
