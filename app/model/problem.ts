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

export function formatProblem(p: Problem): string {
  return `${p.severity === 'error' ? 'error' : 'warning'} ${formatPath(p.path)}${p.elementId ? ` (${p.elementId})` : ''}: ${p.message} [${p.code}]`;
}
