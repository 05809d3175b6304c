// Progress on long work, on stderr so stdout stays parseable: on a terminal a bar redrawn in
// place with elapsed time and an estimate of the time left; piped or under CI plain lines now and
// then; with --quiet nothing. Every long command reports through this one module.

/** Where progress goes: stderr in the CLI, a fake in tests. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type ProgressMode = 'tty' | 'plain' | 'off';

export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Nothing at all (the --quiet flag). */
  quiet?: boolean;
  /**
   * The command prints JSON for a script (--json): the bar still shows on a terminal, but no
   * plain lines are written when stderr is piped.
   */
  json?: boolean;
  /** Overrides the choice made from the stream and the environment. */
  mode?: ProgressMode;
  /** Clock in ms (tests); default performance.now. */
  now?: () => number;
}

export interface Progress {
  /** `done` of `total` units of work are finished; `status` says what is being done. */
  update(done: number, total: number, status?: string): void;
  /** A message line (kept in the scrollback above the bar on a terminal). */
  log(line: string): void;
  /** Takes the bar off the screen before something else writes to the terminal; the next update redraws it. */
  clear(): void;
  /** Ends the work: the bar gives way to one summary line (`train: done in 3.2s, ...`). */
  done(summary?: string): void;
  readonly mode: ProgressMode;
}

/**
 * The mode for a stream: a bar on a terminal, plain lines when piped or when the environment
 * variable CI is set (CI logs keep carriage returns as garbage) or TERM is dumb, off with
 * --quiet, and off when piped with --json (a script is reading).
 */
export function progressMode(
  stream: ProgressStream,
  flags: { quiet?: boolean; json?: boolean } = {},
  env: Record<string, string | undefined> = process.env,
): ProgressMode {
  if (flags.quiet) return 'off';
  if (stream.isTTY && (env.CI === undefined || env.CI === '' || env.CI === 'false') && env.TERM !== 'dumb') return 'tty';
  return flags.json ? 'off' : 'plain';
}

/** A duration for people: `850ms`, `4.2s`, `37s`, `2m10s`, `1h05m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return `${m}m${String(sec).padStart(2, '0')}s`;
}

/** `2m10s elapsed, ~1m30s left` (no estimate before any work or time has passed, none at the end). */
export function timing(elapsedMs: number, fraction: number): string {
  const el = `${formatDuration(elapsedMs)} elapsed`;
  if (!(fraction > 0) || fraction >= 1 || !(elapsedMs > 0)) return el;
  return `${el}, ~${formatDuration((elapsedMs * (1 - fraction)) / fraction)} left`;
}

const BAR_WIDTH = 20;
/** The terminal is redrawn at most this often (the last update always is). */
const REDRAW_MS = 80;
/** Piped: a line at every tenth of the work, and at least this often. */
const PLAIN_EVERY_MS = 30_000;

/**
 * A progress reporter labelled `label` (the command or experiment: `train`, `E6`).
 *
 * @example
 * ```ts
 * const bar = progress('train', { quiet });
 * for (let e = 1; e <= 60; e++) { trainOneEpoch(); bar.update(e, 60, `epoch ${e}/60`); }
 * bar.done('60 epochs');
 * ```
 */
export function progress(label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? progressMode(stream, options);
  const now = options.now ?? (() => performance.now());
  const started = now();
  let shown = false; // a bar is on the screen (tty)
  let lastDraw = -Infinity;
  let lastLine = -Infinity; // time of the last plain line
  let lastTenth = -1;
  let last = { done: 0, total: 0, status: '' };

  const fractionOf = (done: number, total: number): number => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 0);
  const pct = (f: number): string => `${Math.floor(100 * f)}%`.padStart(4);
  const fit = (s: string): string => {
    const cols = stream.columns ?? 0;
    return cols > 10 && s.length > cols - 1 ? `${s.slice(0, cols - 2)}…` : s;
  };
  const draw = (t: number): void => {
    const f = fractionOf(last.done, last.total);
    const filled = Math.round(f * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const status = last.status ? ` ${last.status},` : '';
    stream.write(`\r\x1b[2K${fit(`${label} ${bar} ${pct(f)}${status} ${timing(t - started, f)}`)}`);
    shown = true;
    lastDraw = t;
  };
  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };

  return {
    mode,
    update(done, total, status = '') {
      if (mode === 'off') return;
      last = { done, total, status };
      const t = now();
      const f = fractionOf(done, total);
      if (mode === 'tty') {
        if (f >= 1 || t - lastDraw >= REDRAW_MS) draw(t);
        return;
      }
      const tenth = Math.floor(f * 10);
      if (tenth !== lastTenth || t - lastLine >= PLAIN_EVERY_MS) {
        lastTenth = tenth;
        lastLine = t;
        stream.write(`${label} ${pct(f).trim()}${status ? ` ${status},` : ''} ${timing(t - started, f)}\n`);
      }
    },
    log(line) {
      if (mode === 'off') return;
      if (mode === 'tty') {
        const again = shown;
        clear();
        stream.write(`${line}\n`);
        if (again) draw(now());
        return;
      }
      stream.write(`${line}\n`);
    },
    clear() {
      if (mode === 'tty') clear();
    },
    done(summary) {
      if (mode === 'off') return;
      clear();
      stream.write(`${label}: done in ${formatDuration(now() - started)}${summary ? `, ${summary}` : ''}\n`);
    },
  };
}
