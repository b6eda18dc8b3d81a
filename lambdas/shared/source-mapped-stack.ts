import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

const maps = new Map<string, SourceMap | undefined>();
// "at f (/var/task/handler.js:1:2345)" and "at /var/task/handler.js:1:2345"
const FRAME = /(\(|at )(\/[^():\s]+\.js):(\d+):(\d+)/g;

/**
 * A stack trace with each frame in a bundle that ships a source map (`<bundle>.js.map`) rewritten
 * to the TypeScript file and line it came from. Node's --enable-source-maps does this for every
 * error, but parses the handler's map at every cold start (about 15 ms); here the map is read only
 * when an error is logged, once per instance. https://nodejs.org/api/module.html#class-modulesourcemap
 */
export function sourceMappedStack(stack: string): string {
  if (process.sourceMapsEnabled) return stack;
  return stack.replace(FRAME, (frame, prefix: string, file: string, line: string, column: string) => {
    const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (entry?.originalSource === undefined) return frame;
    return `${prefix}${entry.originalSource}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
  });
}

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // an unreadable map leaves the frames as they are
    }
    maps.set(file, map);
  }
  return maps.get(file);
}
