import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildEnvironments } from '../lib/environments';
import { newApp, validationFindings } from './support/cdk';
import { generatedApp } from './support/generated-app';

const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000;
/** The claim: 300 App APIs synthesize in under 60 s (about 6 s measured here, see the README). */
const MAX_SYNTH_SECONDS = 60;

/**
 * 300 App APIs in one environment must give templates CloudFormation accepts, and synthesize
 * within the claimed time; `npm run bench` measures that time properly.
 */
describe('scale: 300 App APIs in one environment', () => {
  for (const singleRoot of [false, true]) {
    it(`every template stays within CloudFormation's limits${singleRoot ? ' when all routes share one top-level path' : ''}`, () => {
      const started = process.hrtime.bigint();
      const app = newApp({ 'appapi:environments': ['dev'] });
      const [stack] = buildEnvironments(app, { apps: [generatedApp(300, { singleRoot })] });
      const assembly = app.synth();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      assert.equal(stack!.manifest.routes.length, 300);
      const artifact = assembly.getStackByName('AppApi-dev');
      // every template of the environment: the parent and each nested stack (routes, handler roles)
      const templates = [artifact.templateFile, ...readdirSync(assembly.directory).filter((file) => file.endsWith('.nested.template.json'))];
      let largest = { resources: 0, bytes: 0 };
      for (const file of templates) {
        const path = join(assembly.directory, file);
        const template = JSON.parse(readFileSync(path, 'utf8'));
        const resources = Object.keys(template.Resources ?? {}).length;
        const bytes = statSync(path).size;
        assert.ok(resources <= MAX_RESOURCES, `${file} has ${resources} resources (limit ${MAX_RESOURCES})`);
        assert.ok(bytes <= MAX_TEMPLATE_BYTES, `${file} is ${bytes} bytes (limit ${MAX_TEMPLATE_BYTES})`);
        assert.ok(Object.keys(template.Parameters ?? {}).length <= 200, `${file} has too many parameters`);
        assert.ok(Object.keys(template.Outputs ?? {}).length <= 200, `${file} has too many outputs`);
        largest = { resources: Math.max(largest.resources, resources), bytes: Math.max(largest.bytes, bytes) };
      }
      const methods = stack!.routeStacks.reduce((sum, routeStack) => sum + routeStack.methods.size, 0);
      assert.equal(methods, 300);
      // IAM allows 1,000 roles per account: handlers of the same data access share one. Each of the
      // 30 families has 6 model-specific accesses; its 4 journey routes share roles with the other
      // families' (at most 40 handlers per role), and the authorizer, fallback and signing key have one each.
      const roles = templates.reduce((sum, file) => sum + Object.values(JSON.parse(readFileSync(join(assembly.directory, file), 'utf8')).Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::IAM::Role').length, 0);
      assert.ok(roles <= 30 * 6 + 4 * 3 + 5, `${roles} IAM roles for 300 App APIs`);
      assert.deepEqual(validationFindings(assembly.directory).violations, []);
      console.log(
        `300 App APIs${singleRoot ? ' under one path' : ''}: ${templates.length} templates, largest ${largest.resources} resources / ${largest.bytes} bytes, ${roles} IAM roles, synth with cdk-nag ${seconds.toFixed(1)} s`,
      );
      assert.ok(seconds < MAX_SYNTH_SECONDS, `synth with cdk-nag took ${seconds.toFixed(1)} s, the claim is under ${MAX_SYNTH_SECONDS} s`);
    });
  }
});
