// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly name?: string;
  readonly with?: Record<string, string>;
}
interface Job {
  readonly needs?: string | string[];
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly container?: string;
  readonly steps: Step[];
}
interface Workflow {
  readonly on: { push?: { branches: string[] } };
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const path = join(__dirname, '..', '..', '.github', 'workflows', 'deploy.yml');
const text = readFileSync(path, 'utf8');
const workflow = parse(text) as Workflow;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const needsOf = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

describe('the deploy workflow (.github/workflows/deploy.yml)', () => {
  it('runs on pushes to main, with read-only repository access by default', () => {
    assert.deepEqual(workflow.on.push, { branches: ['main'] });
    assert.deepEqual(workflow.permissions, { contents: 'read' });
  });

  it('has a test job running the project\'s CI script (npm test), then one deploy job per environment', () => {
    assert.deepEqual(Object.keys(workflow.jobs).sort(), ['deploy-dev', 'deploy-prod', 'deploy-staging', 'test']);
    const test = workflow.jobs.test!;
    assert.ok(test.steps.some((step) => step.run?.trim() === '.ci/run'));
    assert.match(readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8'), /^npm test$/m, '.ci/run ends in npm test');
    assert.deepEqual(test.permissions, { contents: 'read' });
    assert.equal(test.environment, undefined, 'tests need no AWS access');
  });

  it('deploys in order: test → dev → staging → prod, each after the one before', () => {
    assert.deepEqual(needsOf(workflow.jobs['deploy-dev']!), ['test']);
    assert.deepEqual(needsOf(workflow.jobs['deploy-staging']!), ['deploy-dev']);
    assert.deepEqual(needsOf(workflow.jobs['deploy-prod']!), ['deploy-staging']);
    // whatever the order of needs, no deploy can start before test: walk the graph
    const ancestors = (name: string): string[] => needsOf(workflow.jobs[name]!).flatMap((parent) => [parent, ...ancestors(parent)]);
    assert.deepEqual(ancestors('deploy-prod'), ['deploy-staging', 'deploy-dev', 'test']);
  });

  for (const env of ENVIRONMENTS) {
    describe(`deploy-${env}`, () => {
      const job = workflow.jobs[`deploy-${env}`]!;
      it(`runs in the GitHub environment "${env}" (prod's required reviewers are the manual approval), one deploy at a time, never cancelled`, () => {
        assert.equal(job.environment, env);
        assert.deepEqual(job.concurrency, { group: `deploy-${env}`, 'cancel-in-progress': false });
      });

      it('may request an OIDC token and read the repository, nothing else', () => {
        assert.deepEqual(job.permissions, { contents: 'read', 'id-token': 'write' });
      });

      it('assumes the environment\'s role by OIDC before any AWS call, with no long-lived keys', () => {
        const credentials = job.steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        assert.ok(credentials >= 0);
        const settings = job.steps[credentials]!.with!;
        assert.equal(settings['role-to-assume'], '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'the role comes from the GitHub environment\'s variables');
        assert.equal(settings['aws-region'], '${{ vars.AWS_REGION }}');
        assert.equal(settings['aws-access-key-id'], undefined);
        assert.equal(settings['aws-secret-access-key'], undefined);
        const firstAws = job.steps.findIndex((step) => /cdk|appapi/.test(step.run ?? ''));
        assert.ok(credentials < firstAws, 'credentials come before cdk diff and deploy');
      });

      it('writes `cdk diff` of its stack into the job summary, then deploys with appapi deploy', () => {
        const runs = job.steps.map((step) => step.run ?? '');
        const diff = runs.findIndex((run) => run.includes(`npx cdk diff AppApi-${env}`));
        const deploy = runs.findIndex((run) => run.includes(`appapi -- deploy --env ${env} --require-approval never`));
        assert.ok(diff >= 0 && deploy > diff, 'diff, then deploy');
        assert.match(runs[diff]!, /\$GITHUB_STEP_SUMMARY/);
        assert.match(runs[diff]!, /set -o pipefail/, 'a failing diff fails the job, not only tee');
      });
    });
  }

  it('stores no AWS key anywhere in the workflow', () => {
    assert.doesNotMatch(text, /AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-secret-access-key|secrets\./);
  });
});
