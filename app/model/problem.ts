// A located finding about a topology document: what is wrong, where (JSON path, element id) and how bad.
export type Severity = 'error' | 'warning';
export type JsonPath = readonly (string | number)[];

export interface Problem {
  severity: Severity;
  /** Stable machine-readable rule name, e.g. 'dangling-reference'. */
  code: string;
  message: string;
  path: JsonPath;
  /** The element the problem belongs to, when there is one (for "select and pan to"). */
  elementId?: string;
}

/** Formats a path as `$.volumes[3].ranges[0].lengthBytes`. */
export function formatPath(path: JsonPath): string {
  let out = '$';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  return out;
}

/**
 * A message that names its element, for a toast or a status line: `V2l: no such volume` rather than `no such volume`.
 * A message that already names the element is left as it is.
 */
export function namingElement(message: string, elementId: string | undefined): string {
  if (!elementId) return message;
  const named = new RegExp(`(^|[^\\w.-])${elementId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w.-])`).test(message);
  return named ? message : `${elementId}: ${message}`;
}

/** One line per problem: names and keys quoted from a file may hold line breaks, which are escaped here. */
export function formatProblem(p: Problem): string {
  const line = `${p.severity === 'error' ? 'error' : 'warning'} ${formatPath(p.path)}${p.elementId ? ` (${p.elementId})` : ''}: ${p.message} [${p.code}]`;
  return line.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * How schema issues are worded wherever they reach a person (file problems, IPC refusals, inspector edits): a field
 * that is not there reads "missing" instead of zod's "expected number, received undefined". Pass it to safeParse.
 */
export const ISSUE_WORDING = {
  error: (issue: { code?: string; input?: unknown }): string | undefined =>
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') ? 'missing' : undefined,
};
/** Why a topology with errors is not run: the same words from `relaylab simulate` and from the app's Play. */
export function refusalToRun(subject: string): string {
  return `${subject} has errors; fix them first`;
}
