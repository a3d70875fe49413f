/**
 * An independent checker of anonymized output. It shares no code with the anonymizer: its own
 * reading of the tables and hierarchy specs, its own notion of what a generalized value covers,
 * its own class and model computations. It checks that
 * - no identifier column and no identifier value appears in the output;
 * - every kept equivalence class (rows equal on all quasi-identifiers) has at least k rows and
 *   satisfies every l-diversity / t-closeness model;
 * - suppressed rows (all quasi-identifiers `*` and not a valid class, or removed) are within the
 *   suppression limit;
 * - every output row traces to its own input row: its quasi-identifiers cover that row's values
 *   and every other column is equal (a perfect matching, found by max-flow over row groups).
 */
import type { AnonymizeConfig, Cell, DatasetInput, HierarchySpec, PrivacyModel, TreeSpec } from './types.ts';

export interface VerifyReport {
  ok: boolean;
  /** What is wrong (at most 50, most important first). */
  violations: string[];
  /** Smallest kept class (null when nothing is kept). */
  k: number | null;
  classes: number;
  suppressed: number;
  /** Per model: smallest l / largest c-ratio / largest distance over kept classes. */
  models: { type: string; attribute: string; achieved: number | null }[];
  /** Output rows matched to distinct input rows. */
  traced: number;
}

type Table = { columns: string[]; rows: string[][] };
type Covers = (label: string, value: string) => boolean;

const MAX_VIOLATIONS = 50;
const EPS = 1e-9;

function text(v: Cell): string {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
}

/** Own minimal CSV reader (quotes, CRLF, `,` `;` or tab detected from the header). */
function readCsv(src: string): string[][] {
  const body = src.replace(/^\uFEFF/, '');
  const header = body.slice(0, body.search(/\r?\n|$/));
  const counts = [',', ';', '\t'].map((d) => header.split(d).length);
  const delim = [',', ';', '\t'][counts.indexOf(Math.max(...counts))];
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delim) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      if (row.length > 1 || row[0] !== '') out.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    out.push(row);
  }
  return out;
}

function asTable(data: DatasetInput | Table, what: string): Table {
  if (Array.isArray(data)) {
    const columns = data.length > 0 ? Object.keys(data[0]) : [];
    return { columns, rows: data.map((record) => columns.map((c) => text(record[c]))) };
  }
  if (typeof data === 'string') {
    const all = readCsv(data);
    if (all.length === 0) throw new Error(`${what}: empty CSV`);
    return { columns: all[0].map((c) => c.trim()), rows: all.slice(1) };
  }
  if (!data || !Array.isArray(data.columns) || !Array.isArray(data.rows)) throw new Error(`${what}: not a table`);
  return { columns: data.columns.map(String), rows: data.rows.map((r) => (r as Cell[]).map(text)) };
}

function num(s: string): number {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s) ? Number(s) : NaN;
}

/** Numeric containment of a label: `x`, `lo-hi`, `[lo, hi)`, `N+`. */
function numericCovers(label: string, value: string): boolean {
  const topped = /^(\d+(?:\.\d+)?)\+$/.exec(value.trim());
  const x = topped ? Number(topped[1]) : num(value);
  if (Number.isNaN(x)) return false;
  let m: RegExpExecArray | null;
  if ((m = /^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$/.exec(label))) return !topped && x >= Number(m[1]) && x <= Number(m[2]);
  if ((m = /^\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)$/.exec(label))) return !topped && x >= Number(m[1]) && x < Number(m[2]);
  if ((m = /^(-?\d+(?:\.\d+)?)\+$/.exec(label))) return x >= Number(m[1]);
  return !topped && num(label) === x;
}

/** A set of values written `{a|b|c}` (Mondrian's categories as sets). */
function setCovers(label: string, value: string): boolean {
  return label.length > 2 && label[0] === '{' && label[label.length - 1] === '}' && label.slice(1, -1).split('|').includes(value);
}

function rowsOfTree(tree: TreeSpec): string[][] {
  const keys = Object.keys(tree);
  const root: TreeSpec = keys.length === 1 ? tree : { '*': tree };
  const paths: string[][] = [];
  const walk = (node: TreeSpec | string[], path: string[]): void => {
    if (Array.isArray(node)) for (const leaf of node) paths.push([...path, String(leaf)]);
    else if (Object.keys(node).length === 0) paths.push(path);
    else for (const [k, child] of Object.entries(node)) walk(child, [...path, k]);
  };
  walk(root, []);
  return paths.map((p) => [...p].reverse());
}

/** What a hierarchy spec lets a label cover (the checker's own reading of every spec kind). */
function coversFor(spec: HierarchySpec): Covers {
  if (typeof spec === 'string' || Array.isArray(spec) || (spec as { type: string }).type === 'table' || (spec as { type: string }).type === 'tree') {
    let rows: string[][];
    if (typeof spec === 'string') rows = readCsv(spec);
    else if (Array.isArray(spec)) rows = spec.map((r) => r.map(String));
    else if ((spec as { type: string }).type === 'table') rows = (spec as { rows: string[][] }).rows.map((r) => r.map(String));
    else rows = rowsOfTree((spec as { tree: TreeSpec }).tree);
    const byLeaf = new Map<string, Set<string>>();
    for (const r of rows) byLeaf.set(r[0], new Set(r));
    return (label, value) => byLeaf.get(value)?.has(label) === true || numericCovers(label, value) || setCovers(label, value);
  }
  switch (spec.type) {
    case 'interval':
    case 'age':
      return (label, value) => numericCovers(label, value);
    case 'date':
      return (label, value) => {
        if (label === value || (label.length < 10 && /^\d{4}(-\d{2})?$/.test(label) && value.startsWith(label))) return true;
        let m: RegExpExecArray | null;
        if ((m = /^(\d{4})-(\d{4})$/.exec(label))) return Number(value.slice(0, 4)) >= Number(m[1]) && Number(value.slice(0, 4)) <= Number(m[2]);
        if ((m = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(label))) return value >= m[1] && value <= m[2];
        return false;
      };
    case 'zip':
      return (label, value) => {
        if (label === value || setCovers(label, value)) return true;
        const head = value.slice(0, label.length);
        if (head.length !== label.length || /-/.test(head)) return false;
        for (let i = 0; i < label.length; i++) if (label[i] !== '*' && label[i] !== head[i]) return false;
        return true;
      };
    default:
      return (label, value) => label === value || setCovers(label, value);
  }
}

/** The checker's own ordering of sensitive values: numeric when all are numbers, else by code unit. */
function orderValues(values: string[]): string[] {
  const distinct = [...new Set(values)];
  return distinct.every((v) => !Number.isNaN(num(v))) ? distinct.sort((a, b) => num(a) - num(b)) : distinct.sort();
}

/** Max-flow (Dinic) over a bipartite graph of row groups; returns the flow value. */
function maxFlow(left: number[], right: number[], edges: [number, number][]): number {
  const n = left.length + right.length + 2;
  const s = n - 2;
  const t = n - 1;
  const head = new Int32Array(n).fill(-1);
  const to: number[] = [];
  const cap: number[] = [];
  const next: number[] = [];
  const add = (u: number, v: number, c: number): void => {
    to.push(v); cap.push(c); next.push(head[u]); head[u] = to.length - 1;
    to.push(u); cap.push(0); next.push(head[v]); head[v] = to.length - 1;
  };
  left.forEach((c, i) => add(s, i, c));
  right.forEach((c, j) => add(left.length + j, t, c));
  for (const [i, j] of edges) add(i, left.length + j, Infinity);
  const level = new Int32Array(n);
  const iter = new Int32Array(n);
  let flow = 0;
  for (;;) {
    level.fill(-1);
    level[s] = 0;
    const queue = [s];
    for (let qi = 0; qi < queue.length; qi++) {
      const u = queue[qi];
      for (let e = head[u]; e >= 0; e = next[e]) if (cap[e] > 0 && level[to[e]] < 0) {
        level[to[e]] = level[u] + 1;
        queue.push(to[e]);
      }
    }
    if (level[t] < 0) return flow;
    iter.set(head);
    // Iterative DFS for blocking flow.
    for (;;) {
      const path: number[] = [];
      let u = s;
      while (u !== t) {
        let e = iter[u];
        while (e >= 0 && !(cap[e] > 0 && level[to[e]] === level[u] + 1)) e = next[e];
        iter[u] = e;
        if (e < 0) {
          if (u === s) break;
          level[u] = -1;
          const back = path.pop() as number;
          u = to[back ^ 1];
          continue;
        }
        path.push(e);
        u = to[e];
      }
      if (u !== t) break;
      let push = Infinity;
      for (const e of path) push = Math.min(push, cap[e]);
      for (const e of path) {
        cap[e] -= push;
        cap[e ^ 1] += push;
      }
      flow += push;
    }
  }
}

/**
 * Checks `output` (from `anonymize(input, config)`) against `input` and `config`.
 *
 * @example
 * const result = anonymize(input, config);
 * const report = verify(input, result, config);
 * report.ok; // true
 */
export function verify(input: DatasetInput, output: Table | DatasetInput, config: AnonymizeConfig): VerifyReport {
  const violations: string[] = [];
  const flag = (m: string): void => {
    if (violations.length < MAX_VIOLATIONS) violations.push(m);
  };
  const inT = asTable(input, 'input');
  const outT = asTable(output, 'output');
  const n = inT.rows.length;
  const k = config.k ?? 1;
  const qiNames = Object.keys(config.quasiIdentifiers ?? {});
  const identifiers = config.identifiers ?? [];

  for (const id of identifiers) if (outT.columns.includes(id)) flag(`identifier column ${id} is in the output`);
  const expected = inT.columns.filter((c) => !identifiers.includes(c));
  for (const c of expected) if (!outT.columns.includes(c)) flag(`column ${c} is missing from the output`);
  for (const c of outT.columns) if (!inT.columns.includes(c)) flag(`output column ${c} is not an input column`);
  if (outT.rows.length > n) flag(`the output has ${outT.rows.length} rows, the input ${n}`);
  const width = outT.columns.length;
  outT.rows.forEach((r, i) => {
    if (r.length !== width) flag(`output row ${i + 1} has ${r.length} values, expected ${width}`);
  });

  // Identifier values anywhere in the output, as whole cells or as words.
  const idValues = new Set<string>();
  for (const id of identifiers) {
    const i = inT.columns.indexOf(id);
    if (i >= 0) for (const r of inT.rows) if (r[i].trim() !== '') idValues.add(r[i].trim());
  }
  if (idValues.size > 0) {
    let leaks = 0;
    for (const r of outT.rows) for (const cell of r) {
      const c = cell.trim();
      if (c === '') continue;
      if (idValues.has(c) || c.split(/[\s,;|/]+/).some((w) => w.length >= 3 && idValues.has(w))) leaks++;
    }
    if (leaks > 0) flag(`${leaks} output cells hold an identifier value`);
  }
  if (violations.length > 0) return { ok: false, violations, k: null, classes: 0, suppressed: 0, models: [], traced: 0 };

  const inCol = (c: string) => inT.columns.indexOf(c);
  const outCol = (c: string) => outT.columns.indexOf(c);
  const qiIn = qiNames.map(inCol);
  const qiOut = qiNames.map(outCol);
  const covers = qiNames.map((q) => coversFor(config.quasiIdentifiers[q]));
  const others = expected.filter((c) => !qiNames.includes(c));

  // Classes of output rows by quasi-identifier labels.
  const classes = new Map<string, number[]>();
  outT.rows.forEach((r, i) => {
    const key = qiOut.map((j) => r[j]).join('\u0000');
    const list = classes.get(key);
    if (list) list.push(i);
    else classes.set(key, [i]);
  });
  const starKey = qiOut.map(() => '*').join('\u0000');

  // Models per class, with the distribution over all input rows as t-closeness reference.
  const models = config.models ?? [];
  const modelInfo = models.map((m: PrivacyModel) => {
    const ci = inCol(m.attribute);
    const oi = outCol(m.attribute);
    const order = orderValues(inT.rows.map((r) => r[ci]));
    const rank = new Map(order.map((v, i) => [v, i]));
    const global = new Float64Array(order.length);
    for (const r of inT.rows) global[rank.get(r[ci]) as number] += 1 / n;
    return { m, oi, rank, global, worst: NaN };
  });
  const judge = (rows: number[], record: boolean): boolean => {
    let ok = rows.length >= k;
    for (const info of modelInfo) {
      const counts = new Map<string, number>();
      for (const i of rows) counts.set(outT.rows[i][info.oi], (counts.get(outT.rows[i][info.oi]) ?? 0) + 1);
      const total = rows.length;
      const m = info.m;
      let value: number;
      let pass: boolean;
      if (m.type === 'l-diversity' && m.variant === 'distinct') {
        value = counts.size;
        pass = value >= m.l;
      } else if (m.type === 'l-diversity' && m.variant === 'entropy') {
        let h = 0;
        for (const c of counts.values()) h -= (c / total) * Math.log(c / total);
        value = Math.exp(h);
        pass = h >= Math.log(m.l) - EPS;
      } else if (m.type === 'l-diversity') {
        const sorted = [...counts.values()].sort((a, b) => b - a);
        const tail = sorted.slice(m.l - 1).reduce((s, c) => s + c, 0);
        value = sorted.length < m.l || tail === 0 ? Infinity : sorted[0] / tail;
        pass = value < (m as { c: number }).c;
      } else {
        const p = new Float64Array(info.global.length);
        for (const [v, c] of counts) {
          const r = info.rank.get(v);
          if (r === undefined) return false;
          p[r] = c / total;
        }
        if (m.distance === 'equal') {
          value = 0;
          for (let i = 0; i < p.length; i++) value += Math.abs(p[i] - info.global[i]) / 2;
        } else {
          let cum = 0;
          value = 0;
          for (let i = 0; i < p.length; i++) {
            cum += p[i] - info.global[i];
            value += Math.abs(cum);
          }
          value = p.length > 1 ? value / (p.length - 1) : 0;
        }
        pass = value <= m.t + EPS;
      }
      if (!pass) ok = false;
      else if (record) {
        const larger = m.type === 't-closeness' || m.variant === 'recursive';
        if (Number.isNaN(info.worst) || (larger ? value > info.worst : value < info.worst)) info.worst = value;
      }
    }
    return ok;
  };

  // All-`*` rows are suppressed rows (unless they are the whole output: the top generalization).
  // They must form a valid class, or be within the suppression limit.
  let suppressed = n - outT.rows.length;
  let kept = 0;
  let smallest = Infinity;
  const limit = Math.floor((config.suppressionLimit ?? 0) * n);
  for (const [key, rows] of classes) {
    const star = key === starKey;
    if (star && rows.length < outT.rows.length) suppressed += rows.length;
    if (judge(rows, false)) {
      if (star && rows.length < outT.rows.length) continue;
      judge(rows, true);
      kept++;
      smallest = Math.min(smallest, rows.length);
    } else if (star) {
      if (n - outT.rows.length + rows.length > limit) flag(`${n - outT.rows.length + rows.length} rows are suppressed; the limit allows ${limit}`);
    } else {
      flag(`class of ${rows.length} rows (${key.split('\u0000').join(', ')}) violates k=${k} or a model`);
    }
  }
  if (!classes.has(starKey) && suppressed > limit) flag(`${suppressed} rows are removed; the limit allows ${limit}`);

  // Tracing: group input rows and output rows, connect covering pairs, find a perfect matching.
  const othersIn = others.map(inCol);
  const othersOut = others.map(outCol);
  const inGroups = new Map<string, { count: number; row: number }>();
  inT.rows.forEach((r, i) => {
    const key = [...qiIn.map((j) => r[j]), ...othersIn.map((j) => r[j])].join('\u0000');
    const g = inGroups.get(key);
    if (g) g.count++;
    else inGroups.set(key, { count: 1, row: i });
  });
  // Output groups per bucket of equal non-quasi-identifier values, indexed per attribute by label.
  const outGroups = new Map<string, { count: number; row: number; id: number }>();
  type Bucket = { byLabel: Map<string, number[]>[]; memo: Map<string, string[]>[] };
  const buckets = new Map<string, Bucket>();
  const groupLabels: string[][] = [];
  outT.rows.forEach((r, i) => {
    const labels = qiOut.map((j) => r[j]);
    const rest = othersOut.map((j) => r[j]).join('\u0000');
    const key = `${labels.join('\u0000')}\u0001${rest}`;
    const g = outGroups.get(key);
    if (g) {
      g.count++;
      return;
    }
    const id = outGroups.size;
    outGroups.set(key, { count: 1, row: i, id });
    groupLabels.push(labels);
    let bucket = buckets.get(rest);
    if (!bucket) {
      bucket = { byLabel: qiNames.map(() => new Map()), memo: qiNames.map(() => new Map()) };
      buckets.set(rest, bucket);
    }
    labels.forEach((l, a) => {
      const list = bucket.byLabel[a].get(l);
      if (list) list.push(id);
      else bucket.byLabel[a].set(l, [id]);
    });
  });
  const coverMemo = qiNames.map(() => new Map<string, boolean>());
  const cover = (a: number, label: string, value: string): boolean => {
    if (label === '*' || label === value) return true;
    const key = `${label}\u0000${value}`;
    let v = coverMemo[a].get(key);
    if (v === undefined) {
      v = covers[a](label, value);
      coverMemo[a].set(key, v);
    }
    return v;
  };
  const leftCaps: number[] = [];
  const edges: [number, number][] = [];
  for (const g of inGroups.values()) {
    const left = leftCaps.length;
    leftCaps.push(g.count);
    const src = inT.rows[g.row];
    const bucket = buckets.get(othersIn.map((j) => src[j]).join('\u0000'));
    if (!bucket) continue;
    // Candidates from the attribute whose covering labels hold the fewest groups, then filtered.
    let bestA = 0;
    let bestLabels: string[] = [];
    let bestSize = Infinity;
    for (let a = 0; a < qiNames.length; a++) {
      const value = src[qiIn[a]];
      let labels = bucket.memo[a].get(value);
      if (!labels) {
        labels = [...bucket.byLabel[a].keys()].filter((l) => cover(a, l, value));
        bucket.memo[a].set(value, labels);
      }
      let size = 0;
      for (const l of labels) size += (bucket.byLabel[a].get(l) as number[]).length;
      if (size < bestSize) {
        bestSize = size;
        bestA = a;
        bestLabels = labels;
      }
      if (size === 0) break;
    }
    for (const l of bestLabels) {
      for (const id of bucket.byLabel[bestA].get(l) as number[]) {
        const labels = groupLabels[id];
        let ok = true;
        for (let a = 0; a < qiNames.length && ok; a++) if (a !== bestA) ok = cover(a, labels[a], src[qiIn[a]]);
        if (ok) edges.push([left, id]);
      }
    }
  }
  const rightCaps = new Array<number>(outGroups.size);
  for (const g of outGroups.values()) rightCaps[g.id] = g.count;
  const traced = maxFlow(leftCaps, rightCaps, edges);
  if (traced < outT.rows.length) flag(`${outT.rows.length - traced} output rows do not trace to their own input row`);

  return {
    ok: violations.length === 0,
    violations,
    k: kept > 0 ? smallest : null,
    classes: kept,
    suppressed,
    models: modelInfo.map((i) => ({ type: i.m.type, attribute: i.m.attribute, achieved: Number.isNaN(i.worst) ? null : i.worst })),
    traced,
  };
}
