// A node:test reporter that writes only the run's totals (the root test's closing diagnostics:
// tests, pass, fail, …) as one JSON object, for scripts/run-tests.ts's closing line.
export default async function* summary(source) {
  const totals = {};
  for await (const event of source) {
    if (event.type !== 'test:diagnostic' || event.data.nesting !== 0) continue;
    const match = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(event.data.message);
    if (match) totals[match[1]] = Number(match[2]);
  }
  yield `${JSON.stringify(totals)}\n`;
}
