// The one argument parser: options read by the command's spec, durations and sizes in one grammar, and errors that name the argument.
import { describe, expect, it } from 'vitest';
import { type CommandSpec, CliUsageError, formatHelp, parseCommandArgs, parseDuration, parseSize } from './args';

const spec: CommandSpec = {
  name: 'demo',
  usage: 'FILE [options]',
  summary: 'a command for the test',
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    json: { kind: 'flag', help: 'as JSON' },
    outage: { kind: 'value', value: 'DURATION', help: 'how long' },
    fault: { kind: 'value', value: 'SPEC', multiple: true, help: 'a fault' },
  },
  exitCodes: '0 ok.',
};

function refusal(argv: string[]): CliUsageError {
  try {
    parseCommandArgs(spec, argv);
  } catch (e) {
    if (e instanceof CliUsageError) return e;
    throw e;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe('parseCommandArgs', () => {
  it('reads flags, values (inline or next), repeated options in order, and the file', () => {
    const a = parseCommandArgs(spec, ['f.json', '--outage=5min', '--outage', '10s', '--fault', 'a', '--json', '--fault=b']);
    expect(a.positionals).toEqual(['f.json']);
    expect(a.flags).toEqual(new Set(['json']));
    expect(a.values.get('outage')).toEqual(['10s']);
    expect(a.values.get('fault')).toEqual(['a', 'b']);
  });

  it.each([
    [['f.json', '--frobnicate'], '--frobnicate: unknown option; relaylab demo takes --json, --outage, --fault (relaylab demo --help)'],
    [['f.json', '--outage'], '--outage: needs a value (DURATION)'],
    [['f.json', '--outage', '--json'], '--outage: needs a value (DURATION)'],
    [['f.json', '--json=yes'], '--json: takes no value (got "yes")'],
    [[], 'FILE: give a topology file'],
    [['a.json', 'b.json'], 'FILE: give exactly one topology file (got a.json b.json)'],
  ])('%j is refused: %s', (argv, message) => {
    expect(refusal(argv).message).toBe(message);
  });

  it('--help needs no file', () => {
    expect(parseCommandArgs(spec, ['--help']).flags.has('help')).toBe(true);
    expect(parseCommandArgs(spec, ['-h']).flags.has('help')).toBe(true);
  });
});

describe('one grammar for durations and sizes', () => {
  it('durations: ms, s, min, h, a bare number in the unit the option states', () => {
    expect(['500ms', '10s', '1.5s', '5min', '2m', '2h', '90'].map((t) => parseDuration(t, '--x', { bareUnit: 's' }))).toEqual([500, 10_000, 1500, 300_000, 120_000, 7_200_000, 90_000]);
    expect(parseDuration('5', '--target-latency', { bareUnit: 'ms' })).toBe(5);
    expect(() => parseDuration('5 minutes', '--duration', { bareUnit: 's' })).toThrow('--duration: "5 minutes" is not a duration; use e.g. 300s or 5min (units: ms, s, min, h)');
    expect(() => parseDuration('-1s', '--duration', { bareUnit: 's' })).toThrow(CliUsageError);
  });

  it('sizes: bytes or binary units however spelled', () => {
    expect(['4096', '4k', '4KiB', '4kb', '1MiB', '1g', '512B'].map((t) => parseSize(t, '--x'))).toEqual([4096, 4096, 4096, 4096, 1024 ** 2, 1024 ** 3, 512]);
    expect(() => parseSize('4 kilobytes', 'block')).toThrow('block: "4 kilobytes" is not a size; use e.g. 4k, 64KiB, 1MiB');
    expect(() => parseSize('0', 'block')).toThrow(/positive/);
  });
});

describe('--help from the spec', () => {
  it('lists the usage, every option with its placeholder, the common options and the duration grammar', () => {
    const help = formatHelp(spec);
    expect(help.startsWith('relaylab demo FILE [options]\n')).toBe(true);
    for (const line of ['--json', '--outage DURATION', '--fault SPEC', '-h, --help', '--debug', 'DURATION  a number with a unit']) expect(help).toContain(line);
  });
});
