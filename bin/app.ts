#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildEnvironments } from '../lib/environments';

const app = new App();
buildEnvironments(app);
app.synth();
