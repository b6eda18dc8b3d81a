// One `cdk synth` of every environment with N generated App APIs, cdk-nag on, in a fresh process.
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironments } from '../lib/environments';
import { generatedApp } from '../test/support/generated-app';

const context = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context;
const app = new App({ context, outdir: mkdtempSync(join(tmpdir(), 'appapi-synth-')) });
buildEnvironments(app, { apps: [generatedApp(Number(process.argv[2]))] });
app.synth();
