// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnvironment } from '../lib/environments';
import { openApiDocument } from '../lib/openapi';
import { redoclyFindings, spectralFindings, type LintFinding } from './support/openapi-lint';
import { apps as labApps } from './support/lab-app';

const describeFindings = (findings: readonly LintFinding[]) => findings.map((f) => `${f.severity} ${f.rule} at ${f.pointer}: ${f.message}`).join('\n');

describe('the published OpenAPI document passes Redocly and Spectral (recommended rulesets, documented exceptions in redocly.yaml and .spectral.yaml)', () => {
  // as a partner gets it: served by the gateway, or printed with --server
  const reference = openApiDocument(loadEnvironment('dev').manifest, 'https://api.example.org/dev');
  const lab = openApiDocument(loadEnvironment('dev', labApps).manifest, 'http://127.0.0.1:3000');

  it('Redocly: 0 errors, 0 warnings for the reference app and for every operation family (lab app)', async () => {
    for (const document of [reference, lab]) {
      const findings = await redoclyFindings(document);
      assert.equal(findings.length, 0, describeFindings(findings));
    }
  });

  it('Spectral: 0 errors, 0 warnings for the reference app and for every operation family (lab app)', async () => {
    for (const document of [reference, lab]) {
      const findings = await spectralFindings(document);
      assert.equal(findings.length, 0, describeFindings(findings));
    }
  });

  it('the linters do report what the document would lack without summaries, descriptions and 4xx answers', async () => {
    const broken = structuredClone(reference) as any;
    delete broken.paths['/customers'].post.summary;
    delete broken.paths['/customers'].post.description;
    for (const status of Object.keys(broken.paths['/health'].get.responses)) if (status.startsWith('4')) delete broken.paths['/health'].get.responses[status];
    const redocly = (await redoclyFindings(broken)).map((finding) => finding.rule);
    assert.ok(redocly.includes('operation-summary') && redocly.includes('operation-4xx-response'), redocly.join(', '));
    const spectral = (await spectralFindings(broken)).map((finding) => finding.rule);
    assert.ok(spectral.includes('operation-description'), spectral.join(', '));
  });
});
