import { isAbsolute, join, sep } from 'node:path';

/**
 * A gateway started from the declarations cache has loaded nothing of a build: its first reload
 * after an edit would pay for aws-cdk-lib all at once (about 1.5 s of CPU on top of the build).
 * This loads the packages' files the last build loaded (`modules`, from the project's folder, in
 * the order the build loaded them, so they load as they did), one file per event-loop turn: what
 * else the process does meanwhile (waiting for DynamoDB Local, answering requests) waits
 * milliseconds, not a second. The project's own modules are not loaded: a reload loads them afresh
 * anyway. Stops when `stopped()` says so; it never keeps the process alive. Resolves when done.
 */
export function warmUpBuildModules(projectRoot: string, modules: readonly string[], stopped: () => boolean): Promise<void> {
  const remaining = modules.filter((file) => !isAbsolute(file) && file.startsWith(`node_modules${sep}`)).map((file) => join(projectRoot, file));
  let done: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const turn = () => {
    const file = stopped() ? undefined : remaining.shift();
    if (file === undefined) return done();
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
  return finished;
}
