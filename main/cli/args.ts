// One argument parser for every relaylab command: option specs read by node's util.parseArgs, one grammar for durations and sizes, errors that name the argument, and --help written from the same specs.
import { parseArgs } from 'node:util';

/** A command line the command cannot use: which argument (`--duration`, `--fault at=1s,x=y`, `FILE`) and why. */
export class CliUsageError extends Error {
  constructor(
    readonly arg: string,
    readonly why: string,
  ) {
    super(`${arg}: ${why}`);
    this.name = 'CliUsageError';
  }
}

/** Where a command writes: stdout for its output, stderr for refusals. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Runs a command body: a CliUsageError becomes `relaylab NAME: ARG: why` and exit 2; anything else goes up to main(). */
export async function withUsageErrors(command: string, io: CliOutput, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    io.err(`relaylab ${command}: ${e.message}\n(relaylab ${command} --help lists the options)\n`);
    return 2;
  }
}

/** An option that is present or not (`--json`). */
export interface FlagSpec {
  kind: 'flag';
  help: string;
  short?: string;
}

/** An option with a value (`--duration 60s`); `multiple` keeps every occurrence in order, otherwise the last one counts. */
export interface ValueSpec {
  kind: 'value';
  /** The placeholder in the help: DURATION, SIZE, FILE, SPEC ... */
  value: string;
  help: string;
  multiple?: boolean;
}

export type OptionSpec = FlagSpec | ValueSpec;

/** A list printed under the options (the --fault kinds, the sweep parameters): one row per entry. */
export interface HelpSection {
  title: string;
  rows: readonly (readonly [string, string])[];
}

/** What a command takes: the one table its parser, its --help and the README's CLI reference are made from. */
export interface CommandSpec {
  name: string;
  /** After `relaylab NAME`: `FILE [options]`. */
  usage: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs under the usage line. */
  description?: string;
  /** How many positional arguments, and what they are called in errors. */
  positionals: { name: string; min: number; max: number };
  options: Readonly<Record<string, OptionSpec>>;
  sections?: readonly HelpSection[];
  exitCodes: string;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { kind: 'flag', short: 'h', help: 'print this help and exit' },
  debug: { kind: 'flag', help: 'on an internal error, print the stack trace too' },
};

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  /** Value options in argument order; a single-valued option's last occurrence is the last entry. */
  values: Map<string, string[]>;
}

/** Splits argv by the command's spec; throws CliUsageError naming the first argument it cannot use. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(options)) config[name] = o.kind === 'flag' ? { type: 'boolean', ...(o.short ? { short: o.short } : {}) } : { type: 'string', multiple: true };
  // Not strict: the tokens come back and the errors below say which argument and what would be right.
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map() };
  const known = Object.keys(spec.options).map((n) => `--${n}`);
  for (const token of tokens) {
    if (token.kind === 'positional') parsed.positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) throw new CliUsageError(token.rawName, `unknown option; relaylab ${spec.name} takes ${known.length ? known.join(', ') : 'no options'} (relaylab ${spec.name} --help)`);
    if (option.kind === 'flag') {
      if (token.value !== undefined) throw new CliUsageError(token.rawName, `takes no value (got "${token.value}")`);
      parsed.flags.add(token.name);
      continue;
    }
    // `--seed --json`: the next option is not a value (`--name=--x` still passes one that starts with dashes).
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) throw new CliUsageError(token.rawName, `needs a value (${option.value})`);
    const list = parsed.values.get(token.name) ?? [];
    if (option.multiple) list.push(token.value);
    else list.splice(0, list.length, token.value);
    parsed.values.set(token.name, list);
  }
  if (parsed.flags.has('help')) return parsed;
  const { name, min, max } = spec.positionals;
  const n = parsed.positionals.length;
  if (n < min) throw new CliUsageError(name, max === 1 ? 'give a topology file' : min === 1 ? 'give one or more topology files' : `give at least ${min} ${name}`);
  if (n > max) throw new CliUsageError(name, max === 0 ? `relaylab ${spec.name} takes no ${name} (got ${parsed.positionals.join(' ')})` : `give exactly ${max === 1 ? 'one topology file' : `${max} ${name}`} (got ${parsed.positionals.join(' ')})`);
  return parsed;
}

/** The last value of a single-valued option, or undefined. */
export function lastValue(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.at(-1);
}

// ---------------------------------------------------------------- durations

/** Duration units and their length in milliseconds. */
const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** The duration grammar as the help and the README state it. */
export const DURATION_GRAMMAR = 'a number with a unit: ms, s (sec), min (m), h; e.g. 500ms, 10s, 1.5s, 5min, 2h';

/**
 * A duration in milliseconds: `500ms`, `10s`, `5min`, `2h`, `1.5s`. A number without a unit is in `bareUnit` (each
 * option says which in its help). Negative, non-finite and (unless `allowZero`) zero durations are refused.
 */
export function parseDuration(text: string, arg: string, opts: { bareUnit: 's' | 'ms'; allowZero?: boolean; example?: string }): number {
  const m = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const factor = m ? DURATION_UNITS_MS[(m[2] || opts.bareUnit).toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new CliUsageError(arg, `"${text}" is not a duration; use e.g. ${opts.example ?? '300s or 5min'} (units: ms, s, min, h)`);
  const ms = Number(m[1]) * factor;
  if (!Number.isFinite(ms)) throw new CliUsageError(arg, `"${text}" is too long`);
  if (ms === 0 && !opts.allowZero) throw new CliUsageError(arg, `"${text}" must be longer than zero`);
  return ms;
}

// ---------------------------------------------------------------- sizes

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** The size grammar as the help and the README state it. */
export const SIZE_GRAMMAR = 'bytes, or a whole number with a binary unit: k/KiB, m/MiB, g/GiB, t/TiB (4k = 4KiB = 4096)';

/** A size in bytes: `4096`, `4k`, `64KiB`, `1MiB`, `1GiB`; units are binary whatever their spelling. */
export function parseSize(text: string, arg: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const mult = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new CliUsageError(arg, `"${text}" is not a size; use e.g. 4k, 64KiB, 1MiB`);
  const bytes = Number(m[1]) * mult;
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw new CliUsageError(arg, `"${text}" must be a positive size`);
  return bytes;
}

// ---------------------------------------------------------------- numbers

/** A number of at least `min` (a factor, a ratio). */
export function parseNumberAtLeast(text: string, arg: string, min: number): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < min) throw new CliUsageError(arg, `"${text}" is not a number of at least ${min}`);
  return n;
}

/** A whole number >= 0 (a seed). */
export function parseWholeNumber(text: string, arg: string): number {
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) throw new CliUsageError(arg, `"${text}" is not a whole number >= 0`);
  return Number(text);
}

// ---------------------------------------------------------------- help

const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
};

const optionLabel = (name: string, o: OptionSpec): string => `${o.kind === 'flag' && o.short ? `-${o.short}, ` : ''}--${name}${o.kind === 'value' ? ` ${o.value}` : ''}`;

/** Two columns: the left padded, the right wrapped to the terminal-friendly width. */
function columns(rows: readonly (readonly [string, string])[], indent = 2): string {
  const left = Math.min(26, Math.max(...rows.map(([l]) => l.length)) + 2);
  let out = '';
  for (const [l, r] of rows) {
    const text = wrap(r, 110 - indent - left);
    if (l.length + 2 > left) out += `${' '.repeat(indent)}${l}\n` + text.map((t) => `${' '.repeat(indent + left)}${t}\n`).join('');
    else out += text.map((t, i) => `${' '.repeat(indent)}${(i === 0 ? l : '').padEnd(left)}${t}\n`).join('') || `${' '.repeat(indent)}${l}\n`;
  }
  return out;
}

/** `relaylab NAME --help`, from the spec. */
export function formatHelp(spec: CommandSpec): string {
  let out = `relaylab ${spec.name} ${spec.usage}\n\n`;
  if (spec.description) out += spec.description.split('\n\n').map((p) => wrap(p, 110).join('\n') + '\n').join('\n') + '\n';
  const options = { ...spec.options, ...COMMON_OPTIONS };
  out += 'Options:\n' + columns(Object.entries(options).map(([name, o]) => [optionLabel(name, o), o.help + (o.kind === 'value' && o.multiple ? ' (repeatable)' : '')]));
  // The value grammars an option's placeholder or help refers to are spelled out once, under the options.
  const mentions = (word: string) => Object.values(spec.options).some((o) => o.kind === 'value' && `${o.value} ${o.help}`.includes(word));
  const usesDuration = mentions('DURATION');
  const usesSize = mentions('SIZE');
  const grammar: [string, string][] = [];
  if (usesDuration) grammar.push(['DURATION', DURATION_GRAMMAR]);
  if (usesSize) grammar.push(['SIZE', SIZE_GRAMMAR]);
  if (grammar.length) out += '\nValues:\n' + columns(grammar);
  for (const s of spec.sections ?? []) out += `\n${s.title}:\n` + columns(s.rows);
  out += `\nExit codes: ${spec.exitCodes}\n`;
  return out;
}

/** The CLI reference for the README: every command, its options, and its lists (e.g. the --fault kinds), in Markdown. */
export function formatMarkdownReference(specs: readonly CommandSpec[]): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  let out = '';
  for (const spec of specs) {
    out += `#### \`relaylab ${spec.name} ${spec.usage}\`\n\n${spec.summary}\n\n`;
    const entries = Object.entries(spec.options);
    if (entries.length) {
      out += '| option | meaning |\n|---|---|\n';
      for (const [name, o] of entries) out += `| \`${optionLabel(name, o)}\` | ${cell(o.help + (o.kind === 'value' && o.multiple ? ' (repeatable)' : ''))} |\n`;
      out += '\n';
    }
    for (const s of spec.sections ?? []) {
      out += `${s.title}:\n\n| | |\n|---|---|\n`;
      for (const [l, r] of s.rows) out += `| \`${cell(l)}\` | ${cell(r)} |\n`;
      out += '\n';
    }
    out += `Exit codes: ${spec.exitCodes}\n\n`;
  }
  out +=
    `Every command also takes \`--help\` (\`-h\`) and \`--debug\` (print the stack trace of an internal error).\n` +
    `DURATION is ${DURATION_GRAMMAR}; a bare number is in the unit the option states. SIZE is ${SIZE_GRAMMAR}.\n`;
  return out;
}
