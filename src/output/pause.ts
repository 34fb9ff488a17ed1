/**
 * The wait between two refreshes of a live view (`vn top`, `--watch`) that `wake()` ends at once: a
 * Ctrl-C or a key is answered now, not at the end of the interval. A wake with no wait under way
 * does nothing (the loop reads its own stop flag before it waits again).
 */
export class Pause {
  private wakeUp: (() => void) | undefined;

  /** Waits `ms` milliseconds, or until wake(). */
  async for(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  wake(): void {
    this.wakeUp?.();
  }
}
