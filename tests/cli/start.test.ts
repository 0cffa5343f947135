import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, ROOT } from '../audit/cli-support';
import { describeExit, runCli } from '../support/cli-process';

/**
 * What a newcomer meets on `npm start`: a start that does not recompile what did not change, and a
 * port in use reported in one clean line.
 */

beforeAll(() => ensureBuilt(), 600_000);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

describe('npm start builds only what changed', () => {
  /** A project of one source file with this repository's build script and settings. */
  function project(): { root: string; build(): string } {
    const root = tempDir('factlog-start-');
    mkdirSync(path.join(root, 'scripts'));
    mkdirSync(path.join(root, 'src'));
    copyFileSync(path.join(ROOT, 'scripts', 'build-if-changed.js'), path.join(root, 'scripts', 'build-if-changed.js'));
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'])
      copyFileSync(path.join(ROOT, file), path.join(root, file));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'src', 'hello.ts'), 'export const hello: string = "world";\n');
    return {
      root,
      build: () => execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-changed.js')], { cwd: root, encoding: 'utf8' }),
    };
  }

  it('compiles on the first start, skips the compiler when nothing changed, and compiles again after an edit', () => {
    const { root, build } = project();
    expect(build()).not.toContain('nothing to build');
    const built = path.join(root, 'dist', 'hello.js');
    expect(statSync(built).isFile()).toBe(true);

    expect(build()).toContain('nothing to build');

    const source = path.join(root, 'src', 'hello.ts');
    writeFileSync(source, 'export const hello: string = "again";\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);
    expect(build()).not.toContain('nothing to build');
    expect(execFileSync(process.execPath, ['-p', `require(${JSON.stringify(built)}).hello`], { encoding: 'utf8' }).trim()).toBe('again');
  }, 300_000);
});

it('reports a port in use in one clean line, without a stack trace', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const exit = await runCli(['serve', '--port', String(port), '--host', '127.0.0.1'], { FACTLOG_DATA_DIR: tempDir('factlog-port-') });
    const said = `${exit.stdout}\n${exit.stderr}`;
    const why = describeExit(exit);
    expect({ code: exit.code, why }).toEqual({ code: 1, why });
    expect(exit.stderr).toContain(`factlog: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    expect(said).not.toMatch(/Internal error emitted on the WebSocket server/);
    expect(said).not.toMatch(/^\s+at /m);
  } finally {
    holder.close();
  }
}, 120_000);
