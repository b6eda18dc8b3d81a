const WIDTH = 24;
const QUIET_MS = 5_000;

/**
 * A progress line for a long scan: redrawn in place on a terminal (`[#########.......] 38%
 * 3,800 / ~10,000 items`), one line every 5 seconds otherwise (CI logs). The total is DynamoDB's
 * approximate item count, so the bar stops at 100% even when the table grew.
 */
export function progressLine(write: (text: string) => void, tty: boolean, now: () => number = Date.now): { update(scanned: number, total?: number): void; done(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(scanned, total) {
      const known = total !== undefined && total > 0;
      const fraction = known ? Math.min(1, scanned / total) : 0;
      const text = known
        ? `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '.')}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${scanned.toLocaleString('en-US')} / ~${total.toLocaleString('en-US')} items`
        : `${scanned.toLocaleString('en-US')} items scanned`;
      if (tty) {
        write(`\r${text}`);
        drawn = true;
      } else if (now() - last >= QUIET_MS) {
        write(`${text}\n`);
        last = now();
      }
    },
    done() {
      if (drawn) write('\n');
      drawn = false;
    },
  };
}
