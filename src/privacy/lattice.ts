/**
 * Optimal full-domain generalization: a search of the lattice of level vectors that returns the
 * transformation with the lowest score under the privacy models, exactly.
 *
 * Two facts make it exact and fast:
 * - every metric has a lower bound that needs no data pass (`Metric.lowerBound`) and is monotone
 *   in the levels; a node whose bound cannot beat the best score found so far is never checked;
 * - when the models are monotone (k-anonymity and distinct l-diversity always; every model when
 *   nothing may be suppressed), a check tags the node's whole down-set (not anonymous) or up-set
 *   (anonymous) in the Flash manner, so most nodes are decided without a data pass.
 * With monotone models the search first descends greedily from the top to find a good solution,
 * then visits the remaining candidates from the highest bound down, so each failed check removes
 * a large down-set. Otherwise it visits candidates in ascending bound order and stops at the first
 * bound that cannot win. Ties go to the lower level sum (as in ARX), then to the lexicographically
 * smaller level vector.
 */
import { LatticeTooLargeError, NoSolutionError } from './errors.ts';
import type { CheckResult, LatticeEngine } from './engine.ts';
import type { Metric } from './metrics.ts';

/** Largest lattice the optimal search accepts. */
export const MAX_LATTICE = 1 << 20;
/** Candidates checked over one roll-up, chosen among this many next ones. */
const ROLL_UP_BATCH = 8;
const ROLL_UP_WINDOW = 48;
/** Levels (summed over attributes) a roll-up's meet may lie below its anchor. */
const ROLL_UP_DISTANCE = 2;

export interface SearchOptions {
  k: number;
  maxSuppressed: number;
  /** Anonymity is monotone in generalization for these models and this suppression limit. */
  monotone: boolean;
  /** `cards[a][level]`: distinct labels per level; lets the search pick roll-ups that pay off. */
  cards?: ArrayLike<number>[];
}

export interface SearchResult {
  levels: number[];
  score: number;
  result: CheckResult;
  latticeSize: number;
  /** Transformations checked with a data pass. */
  checked: number;
}

const NOT_ANONYMOUS = -1;
const ANONYMOUS = 1;

/**
 * Finds the optimal transformation for `heights` (highest level per quasi-identifier).
 *
 * @example
 * const best = searchOptimal(engine, [1, 4, 1], metric, { k: 5, maxSuppressed: 0, monotone: true });
 * best.levels; // e.g. [0, 3, 1]
 */
export function searchOptimal(engine: LatticeEngine, heights: number[], metric: Metric, options: SearchOptions): SearchResult {
  const d = heights.length;
  const stride = new Array<number>(d);
  let size = 1;
  for (let a = d - 1; a >= 0; a--) {
    stride[a] = size;
    size *= heights[a] + 1;
    if (size > MAX_LATTICE) throw new LatticeTooLargeError(latticeSize(heights), MAX_LATTICE);
  }
  const top = size - 1;
  const levels = new Int32Array(d);
  const decode = (id: number): Int32Array => {
    let rest = id;
    for (let a = 0; a < d; a++) {
      levels[a] = Math.floor(rest / stride[a]);
      rest -= levels[a] * stride[a];
    }
    return levels;
  };
  const levelSum = new Uint16Array(size);
  const bound = new Float64Array(size);
  // Walk the ids in order with an odometer (the last attribute turns fastest).
  const odometer = new Int32Array(d);
  let sum = 0;
  for (let id = 0; id < size; id++) {
    levelSum[id] = sum;
    bound[id] = metric.lowerBound(odometer);
    for (let a = d - 1; a >= 0; a--) {
      if (odometer[a] < heights[a]) {
        odometer[a]++;
        sum++;
        break;
      }
      sum -= odometer[a];
      odometer[a] = 0;
    }
  }

  const tag = new Int8Array(size);
  const score = new Float64Array(size).fill(NaN);
  const { k, maxSuppressed, monotone } = options;
  const noSuppression = maxSuppressed === 0;
  let checked = 0;
  let best = -1;
  let bestScore = Infinity;

  /** Could a node with this bound still beat the incumbent (ties broken by level sum, then id)? */
  const canWin = (id: number): boolean => {
    if (best < 0 || bound[id] < bestScore) return true;
    if (bound[id] > bestScore) return false;
    return levelSum[id] < levelSum[best] || (levelSum[id] === levelSum[best] && id < best);
  };
  const offer = (id: number, s: number): void => {
    if (best < 0 || s < bestScore || (s === bestScore && (levelSum[id] < levelSum[best] || (levelSum[id] === levelSum[best] && id < best)))) {
      best = id;
      bestScore = s;
    }
  };
  const stack = new Int32Array(size);
  const spread = (id: number, value: number): void => {
    let sp = 0;
    stack[sp++] = id;
    tag[id] = value;
    while (sp > 0) {
      const x = stack[--sp];
      let rest = x;
      for (let a = 0; a < d; a++) {
        const l = Math.floor(rest / stride[a]);
        rest -= l * stride[a];
        const y = value === ANONYMOUS ? (l < heights[a] ? x + stride[a] : -1) : l > 0 ? x - stride[a] : -1;
        if (y >= 0 && tag[y] !== value) {
          tag[y] = value;
          stack[sp++] = y;
        }
      }
    }
  };
  /** Scores a node (checking it unless its tag already decides it); NaN when not anonymous. */
  const evaluate = (id: number): number => {
    if (!Number.isNaN(score[id]) || tag[id] === NOT_ANONYMOUS) return score[id];
    if (tag[id] === ANONYMOUS && noSuppression && metric.exactWithoutSuppression) {
      score[id] = bound[id];
    } else {
      checked++;
      const r = engine.check(decode(id), k, maxSuppressed, metric.needsPenalty);
      if (!r.anonymous) {
        if (monotone) spread(id, NOT_ANONYMOUS);
        else tag[id] = NOT_ANONYMOUS;
        return NaN;
      }
      if (monotone) spread(id, ANONYMOUS);
      else tag[id] = ANONYMOUS;
      score[id] = metric.score(levels, { suppressed: r.suppressed, okClasses: r.okClasses, sumSqOk: r.sumSqOk, penalty: r.penalty });
    }
    offer(id, score[id]);
    return score[id];
  };

  /** Rolls up to `levels` for checks up to `upTo`, unless the view would save too little. */
  let canRollUp = engine.rollUp !== undefined;
  const maxView = Math.floor(engine.tuples * 0.75);
  const rollUpTo = (levels: ArrayLike<number>, upTo: ArrayLike<number>): boolean => {
    if (!canRollUp) return false;
    const classes = (engine.rollUp as NonNullable<LatticeEngine['rollUp']>)(levels, upTo, maxView);
    if (classes < 0) canRollUp = false;
    return classes >= 0 && classes <= maxView;
  };

  /**
   * Greedy descent from `start`: move to the best-scoring anonymous child while it improves. The
   * children of a node are checked over the classes of their meet (one level below in each).
   */
  const meetOfChildren = new Int32Array(d);
  const current = new Int32Array(d);
  const descend = (start: number): void => {
    let cur = start;
    for (;;) {
      let next = -1;
      let open = 0;
      let rest = cur;
      for (let a = 0; a < d; a++) {
        const l = Math.floor(rest / stride[a]);
        rest -= l * stride[a];
        const child = cur - stride[a];
        const useful = l > 0 && tag[child] !== NOT_ANONYMOUS && Number.isNaN(score[child]) && canWin(child);
        if (useful) open++;
        meetOfChildren[a] = useful ? l - 1 : l;
        current[a] = l;
      }
      if (open >= 3) rollUpTo(meetOfChildren, current);
      rest = cur;
      for (let a = 0; a < d; a++) {
        const l = Math.floor(rest / stride[a]);
        rest -= l * stride[a];
        const child = cur - stride[a];
        if (l === 0 || tag[child] === NOT_ANONYMOUS || !canWin(child)) continue;
        const s = evaluate(child);
        if (s < score[cur] && (next < 0 || s < score[next])) next = child;
      }
      if (next < 0) return;
      cur = next;
    }
  };

  const order = Int32Array.from({ length: size }, (_, i) => i);
  if (monotone) {
    if (Number.isNaN(evaluate(top))) throw noSolution(options);
    // With suppression, scores are not monotone: find a good incumbent first so that bounds prune.
    if (!noSuppression) descend(top);
    // Highest bound times level sum first: a failed check there tags the largest down-set (on
    // Adult this checks 15-25% fewer nodes than bound order). The order only steers which nodes
    // get checked (bounds and tags decide correctness), so buckets suffice.
    const priority = new Float64Array(size);
    for (let id = 0; id < size; id++) priority[id] = bound[id] * (1 + levelSum[id]);
    bucketOrder(order, priority, true);
    const open = (id: number): boolean => tag[id] !== NOT_ANONYMOUS && Number.isNaN(score[id]) && canWin(id);
    // Roll-up: candidates close to an anchor in the lattice are checked over the classes of their
    // meet, which the engine groups once. From the next anchor, later candidates in a window join
    // while the meet stays within a few levels of the anchor; a meet with nearly as many classes
    // as tuples is dropped again.
    const meet = new Int32Array(d);
    const trial = new Int32Array(d);
    const anchor = new Int32Array(d);
    const batchTop = new Int32Array(d);
    const batch: number[] = [];
    const levelOf = (id: number, a: number): number => Math.floor(id / stride[a]) % (heights[a] + 1);
    for (let i = 0; i < size; i++) {
      const id = order[i];
      if (!open(id)) continue;
      if (canRollUp) {
        for (let a = 0; a < d; a++) anchor[a] = meet[a] = levelOf(id, a);
        batch.length = 0;
        batch.push(id);
        for (let j = i + 1, seen = 0; j < size && seen < ROLL_UP_WINDOW && batch.length < ROLL_UP_BATCH; j++) {
          const x = order[j];
          if (!open(x)) continue;
          seen++;
          let lowered = 0;
          for (let a = 0; a < d; a++) {
            trial[a] = Math.min(meet[a], levelOf(x, a));
            lowered += anchor[a] - trial[a];
          }
          if (lowered <= ROLL_UP_DISTANCE) {
            meet.set(trial);
            batch.push(x);
          }
        }
        if (batch.length >= 3) {
          batchTop.fill(0);
          for (const x of batch) for (let a = 0; a < d; a++) batchTop[a] = Math.max(batchTop[a], levelOf(x, a));
        }
        if (batch.length >= 3 && rollUpTo(meet, batchTop)) {
          for (const x of batch) if (open(x) && !Number.isNaN(evaluate(x)) && !noSuppression) descend(x);
          continue;
        }
      }
      // Anonymous with suppression: its children may score better still.
      if (!Number.isNaN(evaluate(id)) && !noSuppression) descend(id);
    }
  } else {
    bucketOrder(order, bound, false);
    for (let i = 0; i < size; i++) {
      const id = order[i];
      if (canWin(id)) evaluate(id);
    }
  }
  if (best < 0) throw noSolution(options);

  const chosen = Array.from(decode(best));
  engine.clearRollUp?.();
  const result = engine.check(chosen, k, maxSuppressed, true);
  checked++;
  return { levels: chosen, score: bestScore, result, latticeSize: size, checked };
}

/**
 * Orders node ids by bound (ascending or descending) through buckets of equal width (up to
 * 65,536, four per node): a counting sort, so ties and near-ties keep id order.
 */
function bucketOrder(ids: Int32Array, bound: Float64Array, descending: boolean): void {
  const BUCKETS = Math.min(1 << 16, Math.max(16, bound.length * 4));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < bound.length; i++) {
    if (bound[i] < lo) lo = bound[i];
    if (bound[i] > hi) hi = bound[i];
  }
  const scale = hi > lo && Number.isFinite(hi - lo) ? (BUCKETS - 1) / (hi - lo) : 0;
  const key = new Int32Array(bound.length);
  const counts = new Int32Array(BUCKETS + 1);
  for (let i = 0; i < bound.length; i++) {
    const k = Math.floor((bound[i] - lo) * scale);
    key[i] = descending ? BUCKETS - 1 - k : k;
    counts[key[i] + 1]++;
  }
  for (let b = 0; b < BUCKETS; b++) counts[b + 1] += counts[b];
  for (let i = 0; i < bound.length; i++) ids[counts[key[i]]++] = i;
}

function latticeSize(heights: number[]): number {
  return heights.reduce((p, h) => p * (h + 1), 1);
}

function noSolution(options: SearchOptions): NoSolutionError {
  return new NoSolutionError(
    `no generalization satisfies k=${options.k} and the privacy models with at most ${options.maxSuppressed} suppressed rows`,
  );
}
