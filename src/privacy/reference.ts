/**
 * Pure-TypeScript engines: the same algorithms as `assembly/privacy` (distinct tuples, class
 * counting per transformation, model checks, Loss penalty; Mondrian partitioning), written
 * plainly. They are the test oracle for the WASM engines and the benchmark baseline.
 */
import {
  MODEL_DISTINCT, MODEL_ENTROPY, MODEL_RECURSIVE, MODEL_T_EQUAL,
  type CheckResult, type EngineInput, type LatticeEngine, type MondrianEngine, type MondrianInput, type MondrianResult,
} from './engine.ts';
import { NoSolutionError } from './errors.ts';

/** Slack for comparing computed entropies and distances with their thresholds (as in WASM). */
export const MODEL_EPS = 1e-10;

interface Tuples {
  count: number;
  weight: Uint32Array;
  rowTuple: Uint32Array;
  /** Leaf of each tuple, per quasi-identifier. */
  leaf: Uint32Array[];
  /** Sensitive code of each tuple, per sensitive attribute. */
  sens: Uint32Array[];
}

/** Rows reduced to distinct (quasi-identifiers, sensitive values) tuples, numbered by first row. */
export function distinctTuples(input: EngineInput): Tuples {
  const n = input.rows;
  const index = new Map<string, number>();
  const rowTuple = new Uint32Array(n);
  const reps: number[] = [];
  const weights: number[] = [];
  const cols = [...input.quasi.map((q) => q.rowLeaf), ...input.sensitive.map((s) => s.codes)];
  for (let r = 0; r < n; r++) {
    let key = '';
    for (const col of cols) key += `${col[r]},`;
    let t = index.get(key);
    if (t === undefined) {
      t = reps.length;
      index.set(key, t);
      reps.push(r);
      weights.push(0);
    }
    rowTuple[r] = t;
    weights[t]++;
  }
  return {
    count: reps.length,
    weight: Uint32Array.from(weights),
    rowTuple,
    leaf: input.quasi.map((q) => Uint32Array.from(reps, (r) => q.rowLeaf[r])),
    sens: input.sensitive.map((s) => Uint32Array.from(reps, (r) => s.codes[r])),
  };
}

/** The reference lattice engine. */
export function createReferenceLatticeEngine(input: EngineInput): LatticeEngine {
  const tuples = distinctTuples(input);
  const n = input.rows;
  const d = tuples.count;
  const q = input.quasi.length;
  const models = input.models;
  const judge = createJudge(input, tuples);
  let tupleClass = new Uint32Array(d);
  let classOk = new Uint8Array(0);

  function check(levels: ArrayLike<number>, k: number, maxSuppressed: number, wantPenalty: boolean): CheckResult {
    // Class per tuple, numbered by first tuple.
    let bits = 0;
    for (let a = 0; a < q; a++) bits += Math.log2(input.quasi[a].hierarchy.card[levels[a]]);
    const numeric = bits < 52;
    const codes = input.quasi.map((qi, a) => {
      const { gen, leafCount } = qi.hierarchy;
      const base = levels[a] * leafCount;
      return Uint32Array.from(tuples.leaf[a], (leaf) => gen[base + leaf]);
    });
    const classes = new Map<number | string, number>();
    const count: number[] = [];
    const rep: number[] = [];
    tupleClass = new Uint32Array(d);
    for (let t = 0; t < d; t++) {
      let key: number | string;
      if (numeric) {
        let v = 0;
        let radix = 1;
        for (let a = 0; a < q; a++) {
          v += codes[a][t] * radix;
          radix *= input.quasi[a].hierarchy.card[levels[a]];
        }
        key = v;
      } else {
        key = codes.map((c) => c[t]).join(',');
      }
      let c = classes.get(key);
      if (c === undefined) {
        c = count.length;
        classes.set(key, c);
        count.push(0);
        rep.push(t);
      }
      tupleClass[t] = c;
      count[c] += tuples.weight[t];
    }
    const nc = count.length;
    // Tuples of each class, in tuple order.
    const members: number[][] = Array.from({ length: nc }, () => []);
    if (models.length > 0) for (let t = 0; t < d; t++) members[tupleClass[t]].push(t);

    const achieved = achievedStart(models);
    classOk = new Uint8Array(nc);
    let suppressed = 0;
    let okClasses = 0;
    let sumSq = 0;
    let sumSqOk = 0;
    let minOk = Infinity;
    for (let c = 0; c < nc; c++) {
      let ok = count[c] >= k;
      if (ok && models.length > 0) ok = judge(members[c], count[c], achieved);
      classOk[c] = ok ? 1 : 0;
      sumSq += count[c] * count[c];
      if (ok) {
        okClasses++;
        sumSqOk += count[c] * count[c];
        minOk = Math.min(minOk, count[c]);
      } else {
        suppressed += count[c];
      }
    }
    const anonymous = suppressed <= maxSuppressed;
    let penalty: Float64Array | null = null;
    if (wantPenalty && anonymous) {
      penalty = new Float64Array(q);
      if (suppressed > 0) {
        for (let a = 0; a < q; a++) {
          const { cover, leafCount } = input.quasi[a].hierarchy;
          const base = levels[a] * leafCount;
          let p = 0;
          for (let c = 0; c < nc; c++) if (!classOk[c]) p += count[c] * (leafCount - cover[base + tuples.leaf[a][rep[c]]]);
          penalty[a] = p;
        }
      }
    }
    return {
      anonymous, suppressed, classes: nc, okClasses, sumSq, sumSqOk,
      minOkSize: okClasses > 0 ? minOk : NaN,
      achieved: achieved.map((v) => (Number.isFinite(v) ? v : NaN)),
      penalty,
    };
  }

  return {
    name: 'reference',
    tuples: d,
    check,
    rowsKept() {
      return Uint8Array.from(tuples.rowTuple, (t) => classOk[tupleClass[t]]);
    },
    rowClasses() {
      return Uint32Array.from(tuples.rowTuple, (t) => tupleClass[t]);
    },
  };
}

/** Initial achieved values: +Infinity for "smallest" measures, -Infinity for "largest" ones. */
function achievedStart(models: EngineInput['models']): number[] {
  return models.map((m) => (m.type >= MODEL_T_EQUAL || m.type === MODEL_RECURSIVE ? -Infinity : Infinity));
}

/**
 * A judge of classes against the models: `judge(tuples, rows, achieved)` is true when the class
 * satisfies every model; with `achieved`, a kept class updates the achieved values.
 */
function createJudge(input: EngineInput, tuples: Tuples): (members: ArrayLike<number>, total: number, achieved: number[] | null) => boolean {
  const n = input.rows;
  const models = input.models;
  const global = input.sensitive.map((s) => {
    const g = new Float64Array(s.m);
    for (let r = 0; r < n; r++) g[s.codes[r]]++;
    for (let v = 0; v < s.m; v++) g[v] /= n;
    return g;
  });
  const hist = input.sensitive.map((s) => new Float64Array(s.m));
  return function judge(members: ArrayLike<number>, total: number, achieved: number[] | null): boolean {
    const touched: number[][] = input.sensitive.map(() => []);
    for (let s = 0; s < input.sensitive.length; s++) {
      for (let i = 0; i < members.length; i++) {
        const t = members[i];
        const v = tuples.sens[s][t];
        if (hist[s][v] === 0) touched[s].push(v);
        hist[s][v] += tuples.weight[t];
      }
    }
    const values: number[] = [];
    let ok = true;
    for (let j = 0; j < models.length && ok; j++) {
      const m = models[j];
      const h = hist[m.sensitive];
      const list = touched[m.sensitive];
      let value: number;
      if (m.type === MODEL_DISTINCT) {
        value = list.length;
        ok = value >= m.p1;
      } else if (m.type === MODEL_ENTROPY) {
        let e = 0;
        for (const v of list) {
          const p = h[v] / total;
          e -= p * Math.log(p);
        }
        ok = e >= Math.log(m.p1) - MODEL_EPS;
        value = Math.exp(e);
      } else if (m.type === MODEL_RECURSIVE) {
        value = recursiveRatio(list.map((v) => h[v]), m.p1);
        ok = value < m.p2;
      } else if (m.type === MODEL_T_EQUAL) {
        const g = global[m.sensitive];
        let diff = 0;
        let covered = 0;
        for (const v of list) {
          diff += Math.abs(h[v] / total - g[v]);
          covered += g[v];
        }
        const rest = 1 - covered;
        value = (diff + (rest > 0 ? rest : 0)) / 2;
        ok = value <= m.p1 + MODEL_EPS;
      } else {
        const g = global[m.sensitive];
        const size = input.sensitive[m.sensitive].m;
        let cum = 0;
        let sum = 0;
        for (let v = 0; v < size; v++) {
          cum += h[v] / total - g[v];
          sum += Math.abs(cum);
        }
        value = size < 2 ? 0 : sum / (size - 1);
        ok = value <= m.p1 + MODEL_EPS;
      }
      values.push(value);
    }
    for (let s = 0; s < input.sensitive.length; s++) for (const v of touched[s]) hist[s][v] = 0;
    if (!ok || achieved === null) return ok;
    models.forEach((m, j) => {
      const larger = m.type >= MODEL_T_EQUAL || m.type === MODEL_RECURSIVE;
      if (larger ? values[j] > achieved[j] : values[j] < achieved[j]) achieved[j] = values[j];
    });
    return true;
  };
}

/** r1 / (r_l + ... + r_m) of counts sorted in descending order; Infinity with fewer than l values. */
export function recursiveRatio(counts: number[], l: number): number {
  if (counts.length < l) return Infinity;
  const sorted = [...counts].sort((a, b) => b - a);
  let tail = 0;
  for (let i = l - 1; i < sorted.length; i++) tail += sorted[i];
  return sorted[0] / tail;
}

/** Most model checks per attempted Mondrian split (as in WASM). */
const MAX_MODEL_TRIES = 16;

/** The reference Mondrian engine (same splits, same tie-breaks as `assembly/privacy/mondrian.ts`). */
export function createReferenceMondrianEngine(input: MondrianInput): MondrianEngine {
  const tuples = distinctTuples(input);
  const d = tuples.count;
  const q = input.quasi.length;
  const judge = createJudge(input, tuples);
  const rankCol = input.rank.map((rank, a) => Uint32Array.from(tuples.leaf[a], (leaf) => rank[leaf]));
  const range = rankCol.map((col) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of col) {
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    return hi - lo;
  });
  const genOf = (a: number, level: number, t: number): number => {
    const h = input.quasi[a].hierarchy;
    return h.gen[level * h.leafCount + tuples.leaf[a][t]];
  };

  function partition(k: number, relaxed: boolean): MondrianResult {
    const rows = Array.from({ length: d }, (_, t) => t);
    const weightOf = (list: number[]): number => list.reduce((s, t) => s + tuples.weight[t], 0);
    if (weightOf(rows) < k || !judge(rows, weightOf(rows), null)) {
      throw new NoSolutionError(`the whole table does not satisfy k=${k} and the privacy models`);
    }
    const achieved = achievedStart(input.models);
    const final: number[][] = [];
    const stats: number[] = [];
    let smallest = Infinity;
    const stack: number[][] = [rows];
    while (stack.length > 0) {
      const part = stack.pop() as number[];
      const { width, lca, span } = measure(part);
      const tried = new Set<number>();
      let split: number[][] | null = null;
      while (split === null) {
        let pick = -1;
        let widest = 0;
        for (let a = 0; a < q; a++) {
          if (!tried.has(a) && width[a] > widest) {
            widest = width[a];
            pick = a;
          }
        }
        if (pick < 0) break;
        tried.add(pick);
        split = trySplit(pick, part, lca[pick], k, relaxed);
      }
      if (split) {
        stack.push(split[1], split[0]);
        continue;
      }
      const w = weightOf(part);
      if (input.models.length > 0) judge(part, w, achieved);
      smallest = Math.min(smallest, w);
      for (let a = 0; a < q; a++) {
        if (input.categorical[a]) stats.push(lca[a], tuples.leaf[a][part[0]]);
        else stats.push(span[a][0], span[a][1]);
      }
      final.push(part);
    }
    const tuplePartition = new Uint32Array(d);
    final.forEach((part, p) => part.forEach((t) => (tuplePartition[t] = p)));
    return {
      partitions: final.length,
      partitionOfRow: Uint32Array.from(tuples.rowTuple, (t) => tuplePartition[t]),
      achieved: achieved.map((v) => (Number.isFinite(v) ? v : NaN)),
      minSize: smallest,
      stats: Uint32Array.from(stats),
    };
  }

  function measure(part: number[]): { width: number[]; lca: number[]; span: [number, number][] } {
    const width: number[] = [];
    const lca: number[] = [];
    const span: [number, number][] = [];
    for (let a = 0; a < q; a++) {
      if (input.categorical[a]) {
        const h = input.quasi[a].hierarchy;
        let level = 0;
        for (; level + 1 < h.levels; level++) {
          const code = genOf(a, level, part[0]);
          if (part.every((t) => genOf(a, level, t) === code)) break;
        }
        lca.push(level);
        span.push([0, 0]);
        width.push(level > 0 ? 1 + h.cover[level * h.leafCount + tuples.leaf[a][part[0]]] / h.leafCount : 0);
      } else {
        let lo = Infinity;
        let hi = -Infinity;
        for (const t of part) {
          lo = Math.min(lo, rankCol[a][t]);
          hi = Math.max(hi, rankCol[a][t]);
        }
        lca.push(0);
        span.push([lo, hi]);
        width.push(range[a] > 0 ? (hi - lo) / range[a] : 0);
      }
    }
    return { width, lca, span };
  }

  /** Splits `part` on attribute `a` (sorting it in place); the two sides, or null. */
  function trySplit(a: number, part: number[], lca: number, k: number, relaxed: boolean): number[][] | null {
    const size = part.length;
    const prefix = new Float64Array(size + 1);
    let total = 0;
    for (const t of part) total += tuples.weight[t];
    if (size < 2 || total < 2 * k) return null;
    part.sort((x, y) => rankCol[a][x] - rankCol[a][y]);
    for (let i = 0; i < size; i++) prefix[i + 1] = prefix[i] + tuples.weight[part[i]];
    const half = total / 2;
    const categorical = input.categorical[a];
    const boundary = (i: number): boolean => {
      if (categorical) return genOf(a, lca - 1, part[i - 1]) !== genOf(a, lca - 1, part[i]);
      return rankCol[a][part[i - 1]] !== rankCol[a][part[i]];
    };
    const sideOk = (lo: number, hi: number): boolean => input.models.length === 0 || judge(part.slice(lo, hi), prefix[hi] - prefix[lo], null);
    const nearest = (loose: boolean): number => {
      const isBoundary = (i: number): boolean => (loose ? true : boundary(i));
      let mid = 1;
      while (mid < size - 1 && prefix[mid] < half) mid++;
      let left = mid;
      let right = mid + 1;
      let tries = 0;
      for (;;) {
        while (left > 0 && !isBoundary(left)) left--;
        while (right < size && !isBoundary(right)) right++;
        const leftOk = left > 0 && prefix[left] >= k;
        const rightOk = right < size && total - prefix[right] >= k;
        if (!leftOk && !rightOk) return -1;
        let p: number;
        if (leftOk && (!rightOk || Math.abs(prefix[left] - half) <= Math.abs(prefix[right] - half))) p = left--;
        else p = right++;
        if (prefix[p] < k || total - prefix[p] < k) continue;
        if (input.models.length === 0) return p;
        if (sideOk(0, p) && sideOk(p, size)) return p;
        if (++tries >= MAX_MODEL_TRIES) return -1;
      }
    };
    let p = nearest(false);
    if (p < 0 && relaxed && !categorical) p = nearest(true);
    return p < 0 ? null : [part.slice(0, p), part.slice(p)];
  }

  return { name: 'reference', partition };
}
