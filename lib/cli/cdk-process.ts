import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs the AWS CDK CLI with these arguments; resolves to its exit code. */
export type CdkRunner = (args: readonly string[]) => Promise<number>;

/** Runs the AWS CDK CLI, showing and keeping what it prints (for `cdk diff`). */
export type CdkCapture = (args: readonly string[]) => Promise<{ readonly code: number; readonly output: string }>;

export interface CdkProcessOptions {
  /** @default 'npx' (the project's own aws-cdk) */
  readonly command?: string;
  /** Arguments before the CDK's own. @default ['cdk'] */
  readonly commandArgs?: readonly string[];
  /** @default - the project folder, where cdk.json is */
  readonly cwd?: string;
}

const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * The real CDK CLI as a child process sharing this terminal (so approval prompts and progress
 * reach the user). A signal ending it, or a failure to start it, counts as a failed run.
 */
export function cdkProcess(options: CdkProcessOptions = {}): CdkRunner {
  const command = options.command ?? 'npx';
  const prefix = options.commandArgs ?? ['cdk'];
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...prefix, ...args], { cwd: options.cwd ?? PROJECT_ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
      child.once('error', (error) => reject(new Error(`Could not start ${command} ${prefix.join(' ')}: ${error.message}. Run npm install in the project first.`)));
      child.once('exit', (code) => resolve(code ?? 1));
    });
}

/** Like {@link cdkProcess}, but what cdk prints is also kept, for the caller to read (stdin stays the terminal's). */
export function cdkCaptureProcess(options: CdkProcessOptions = {}): CdkCapture {
  const command = options.command ?? 'npx';
  const prefix = options.commandArgs ?? ['cdk'];
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...prefix, ...args], { cwd: options.cwd ?? PROJECT_ROOT, stdio: ['inherit', 'pipe', 'pipe'], shell: process.platform === 'win32' });
      const chunks: Buffer[] = [];
      child.stdout!.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        process.stdout.write(chunk);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        process.stderr.write(chunk);
      });
      child.once('error', (error) => reject(new Error(`Could not start ${command} ${prefix.join(' ')}: ${error.message}. Run npm install in the project first.`)));
      child.once('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
    });
}
