import { isAbsolute, join, sep } from 'node:path';

/**
 * A gateway started from the declarations cache has loaded nothing of a build: its first reload
 * after an edit would pay for aws-cdk-lib all at once (about 1.5 s of CPU on top of the build).
 * This loads the packages' files the last build loaded (`modules`, from the project's folder, in
 * the order the build loaded them, so they load as they did), one file per event-loop turn: what
 * else the process does meanwhile (waiting for DynamoDB Local, answering requests) waits
 * milliseconds, not a second. The project's own modules are not loaded: a reload loads them afresh
 * anyway. Stops when `stopped()` says so; it never keeps the process alive.
 */
export function warmUpBuildModules(projectRoot: string, modules: readonly string[], stopped: () => boolean): void {
  const remaining = modules.filter((file) => !isAbsolute(file) && file.startsWith(`node_modules${sep}`)).map((file) => join(projectRoot, file));
  const turn = () => {
    if (stopped()) return;
    const file = remaining.shift();
    if (file === undefined) return;
    if (!require.cache[file]) {
      try {
        require(file);
      } catch {
        // a file that no longer loads (packages reinstalled): the next build loads what it needs
      }
    }
    setImmediate(turn).unref();
  };
  setImmediate(turn).unref();
}
