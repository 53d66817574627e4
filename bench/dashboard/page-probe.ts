/**
 * What the dashboard bench measures inside the page, installed before the app's own scripts
 * (page.addInitScript). Times are wall-clock milliseconds (performance.timeOrigin + now()), the
 * clock the bench process stamps its sends with:
 *   arrived   each `stock` message's arrival at the page's WebSocket, by its onHand (the bench
 *             gives every message an onHand of its own)
 *   shown     when a row showing that onHand was painted: a MutationObserver sees the cell change,
 *             then requestAnimationFrame, then a task after that frame (so after its paint: at
 *             most one frame late, never early)
 *   frames    requestAnimationFrame timestamps while `framing` is on
 *   firstRow  ms from navigation start to the first level row in the page
 */

/** The page's record, read back with page.evaluate. */
export interface PageProbe {
  recording: boolean;
  framing: boolean;
  arrived: Record<number, number>;
  shown: Record<number, number>;
  frames: number[];
  firstRowMs: number | null;
}

/** Runs in the page (serialised by playwright): no closures over this module. */
export function installPageProbe(): void {
  // The page's globals, typed here only as far as this function uses them.
  type El = {
    parentElement: El | null;
    closest(selector: string): El | null;
    querySelectorAll(selector: string): ArrayLike<El>;
    textContent: string | null;
  };
  const g = globalThis as unknown as {
    __probe: PageProbe;
    WebSocket: new (
      ...args: unknown[]
    ) => { addEventListener(type: string, f: (e: { data: unknown }) => void): void };
    requestAnimationFrame(f: (t: number) => void): number;
    MutationObserver: new (
      f: (records: { type: string; target: El }[]) => void,
    ) => { observe(target: unknown, options: Record<string, boolean>): void };
    document: { documentElement: unknown; querySelector(selector: string): El | null };
    addEventListener(type: string, f: () => void): void;
  };
  const clock = () => performance.timeOrigin + performance.now();
  const probe: PageProbe = {
    recording: false,
    framing: false,
    arrived: {},
    shown: {},
    frames: [],
    firstRowMs: null,
  };
  g.__probe = probe;

  const Original = g.WebSocket;
  g.WebSocket = class extends Original {
    constructor(...args: unknown[]) {
      super(...args);
      // Registered before the app's own listener, so it sees each message first.
      this.addEventListener('message', (e) => {
        if (!probe.recording || typeof e.data !== 'string') return;
        const at = clock();
        const m = JSON.parse(e.data) as { type?: string; onHand?: number };
        if (m.type === 'stock' && typeof m.onHand === 'number') probe.arrived[m.onHand] ??= at;
      });
    }
  } as typeof g.WebSocket;

  const observer = new g.MutationObserver((records) => {
    if (probe.firstRowMs === null && g.document.querySelector('[role=row][data-sku]'))
      probe.firstRowMs = performance.now();
    if (!probe.recording) return;
    const rows = new Set<El>();
    for (const r of records) {
      const el = r.type === 'characterData' ? r.target.parentElement : r.target;
      const row = el?.closest?.('[role=row][data-sku]');
      if (row) rows.add(row);
    }
    if (rows.size === 0) return;
    const values = [...rows].map((row) => Number(row.querySelectorAll('[role=cell]')[1]?.textContent));
    g.requestAnimationFrame(() =>
      setTimeout(() => {
        const at = clock();
        for (const v of values) probe.shown[v] ??= at;
      }, 0),
    );
  });
  const observe = () =>
    observer.observe(g.document.documentElement, { subtree: true, childList: true, characterData: true });
  if (g.document.documentElement) observe();
  else g.addEventListener('DOMContentLoaded', observe);

  const tick = (t: number) => {
    if (probe.framing) probe.frames.push(performance.timeOrigin + t);
    g.requestAnimationFrame(tick);
  };
  g.requestAnimationFrame(tick);
}
