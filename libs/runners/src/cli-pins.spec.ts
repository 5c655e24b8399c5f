import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_PACKAGES, packageVersionOfBin, pinMismatch, pinnedCliVersions, versionNumber } from './cli-pins';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('pinnedCliVersions', () => {
  it('reads each CLI’s exact version from package.json', () => {
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const pins = pinnedCliVersions(ROOT);
    expect(pins).toEqual({ claude: dependencies['@anthropic-ai/claude-code'], acpx: dependencies.acpx, claudeAcp: dependencies['@agentclientprotocol/claude-agent-acp'] });
    // A pin is one version, never a range: the tests passed with exactly that one.
    for (const version of Object.values(pins)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is empty without the project’s package.json', () => {
    expect(pinnedCliVersions(null)).toEqual({});
  });
});

describe('versionNumber', () => {
  it.each([
    ['2.1.331 (Claude Code)', '2.1.331'],
    ['0.19.1', '0.19.1'],
    ['acpx v1.0.0-beta.2', '1.0.0-beta.2'],
    ['no version here', null],
    [null, null],
  ])('%p → %p', (line, expected) => {
    expect(versionNumber(line)).toBe(expected);
  });
});

describe('packageVersionOfBin', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-pins-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('follows the bin’s symlink to the package.json of that package', () => {
    const pkg = path.join(dir, 'node_modules', '@agentclientprotocol', 'claude-agent-acp');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: CLI_PACKAGES.claudeAcp, version: '0.1.2' }));
    fs.writeFileSync(path.join(pkg, 'dist', 'index.js'), '');
    fs.mkdirSync(path.join(dir, 'node_modules', '.bin'));
    const bin = path.join(dir, 'node_modules', '.bin', 'claude-agent-acp');
    fs.symlinkSync(path.join(pkg, 'dist', 'index.js'), bin);
    expect(packageVersionOfBin(bin, CLI_PACKAGES.claudeAcp)).toBe('0.1.2');
    expect(packageVersionOfBin(bin, 'some-other-package')).toBeNull();
    expect(packageVersionOfBin(path.join(dir, 'missing'), CLI_PACKAGES.claudeAcp)).toBeNull();
  });

  it('finds the installed adapter at the pinned version', () => {
    const bin = path.join(ROOT, 'node_modules', '.bin', 'claude-agent-acp');
    expect(packageVersionOfBin(bin, CLI_PACKAGES.claudeAcp)).toBe(pinnedCliVersions(ROOT).claudeAcp);
  });
});

describe('pinMismatch', () => {
  it('says nothing when the versions agree or one is unknown', () => {
    expect(pinMismatch('claude', '2.1.331', '2.1.331')).toBeNull();
    expect(pinMismatch('claude', null, '2.1.331')).toBeNull();
    expect(pinMismatch('acpx', '0.20.0', undefined)).toBeNull();
  });

  it('names the package, both versions and the way back', () => {
    const said = pinMismatch('acpx', '0.20.0', '0.19.1');
    expect(said).toContain('acpx is 0.20.0, not the 0.19.1 package.json pins');
    expect(said).toContain('npm ci');
  });
});
