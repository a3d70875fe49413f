/**
 * The per-study differential-privacy budget, kept in `OptimizedDatabase` (domain `privacy`).
 * A release is charged in one transaction that reads what the study has spent and either adds
 * the release's (epsilon, delta) and a ledger row or throws: a refused release spends nothing,
 * and because transactions never interleave, concurrent releases cannot overspend.
 */
import { ValidationError } from '../shared/errors.ts';
import type { Migration, OptimizedDatabase } from '../storage/index.ts';
import { BudgetExceededError } from './errors.ts';

export const PRIVACY_MIGRATIONS: Migration[] = [
  {
    domain: 'privacy',
    version: 1,
    up: `
      CREATE TABLE privacy_budget (
        study TEXT PRIMARY KEY,
        epsilon_total REAL NOT NULL,
        delta_total REAL NOT NULL,
        epsilon_spent REAL NOT NULL DEFAULT 0,
        delta_spent REAL NOT NULL DEFAULT 0,
        releases INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE privacy_release (
        id INTEGER PRIMARY KEY,
        study TEXT NOT NULL,
        query TEXT NOT NULL,
        mechanism TEXT NOT NULL,
        epsilon REAL NOT NULL,
        delta REAL NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX privacy_release_study ON privacy_release (study, id);
    `,
  },
];

/** Total (epsilon, delta) a study may spend. */
export interface BudgetLimit {
  epsilon: number;
  delta: number;
}

export interface BudgetStatus {
  study: string;
  epsilon: { total: number; spent: number; remaining: number };
  delta: { total: number; spent: number; remaining: number };
  releases: number;
}

/** The budget of a study that has none configured yet. */
export const DEFAULT_BUDGET: BudgetLimit = { epsilon: 1, delta: 1e-5 };
/** Rounding slack when comparing sums of floating-point epsilons. */
const SLACK = 1e-12;

interface BudgetRow {
  study: string;
  epsilon_total: number;
  delta_total: number;
  epsilon_spent: number;
  delta_spent: number;
  releases: number;
}

function checkStudy(study: unknown): string {
  if (typeof study !== 'string' || study.trim() === '' || study.length > 200) {
    throw new ValidationError('study must be a non-empty name of at most 200 characters', 'study');
  }
  return study;
}

function checkLimit(limit: BudgetLimit): void {
  if (typeof limit?.epsilon !== 'number' || !(limit.epsilon > 0) || !Number.isFinite(limit.epsilon)) {
    throw new ValidationError('budget epsilon must be a number > 0', 'epsilon');
  }
  if (typeof limit.delta !== 'number' || !(limit.delta >= 0 && limit.delta < 1)) {
    throw new ValidationError('budget delta must be a number in [0, 1)', 'delta');
  }
}

function toStatus(row: BudgetRow): BudgetStatus {
  return {
    study: row.study,
    epsilon: { total: row.epsilon_total, spent: row.epsilon_spent, remaining: Math.max(0, row.epsilon_total - row.epsilon_spent) },
    delta: { total: row.delta_total, spent: row.delta_spent, remaining: Math.max(0, row.delta_total - row.delta_spent) },
    releases: row.releases,
  };
}

const SELECT = 'SELECT study, epsilon_total, delta_total, epsilon_spent, delta_spent, releases FROM privacy_budget WHERE study = ?';

/** Per-study (epsilon, delta) accounting over the database's `privacy` tables. */
export interface PrivacyBudget {
  /** The study's budget (the default limit, nothing spent, when it has none yet). */
  status(study: string): BudgetStatus;
  /** Sets the study's total; refuses a total below what is already spent. */
  setLimit(study: string, limit: BudgetLimit): Promise<BudgetStatus>;
  /**
   * Spends `cost` for one release, or throws `BudgetExceededError` spending nothing.
   * Call before computing the release; a release that then fails has still spent its cost.
   */
  charge(study: string, cost: BudgetLimit, query: string, mechanism: string): Promise<BudgetStatus>;
}

/**
 * @example
 * const budget = createPrivacyBudget(db);
 * await budget.charge('study-42', { epsilon: 0.1, delta: 0 }, 'count', 'laplace');
 */
export function createPrivacyBudget(db: OptimizedDatabase, defaultLimit: BudgetLimit = DEFAULT_BUDGET): PrivacyBudget {
  checkLimit(defaultLimit);
  const fresh = (study: string): BudgetRow => ({
    study, epsilon_total: defaultLimit.epsilon, delta_total: defaultLimit.delta, epsilon_spent: 0, delta_spent: 0, releases: 0,
  });
  return {
    status(study) {
      checkStudy(study);
      const row = db.executeQuery<BudgetRow>(SELECT, [study]).rows[0];
      return toStatus(row ?? fresh(study));
    },
    async setLimit(study, limit) {
      checkStudy(study);
      checkLimit(limit);
      const now = new Date().toISOString();
      return db.transaction((tx) => {
        const row = tx.query<BudgetRow>(SELECT, [study])[0] ?? fresh(study);
        if (row.epsilon_spent > limit.epsilon + SLACK || row.delta_spent > limit.delta + SLACK) {
          throw new ValidationError(`study ${study} has already spent epsilon ${row.epsilon_spent}, delta ${row.delta_spent}`, 'epsilon');
        }
        tx.run(
          `INSERT INTO privacy_budget (study, epsilon_total, delta_total, epsilon_spent, delta_spent, releases, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (study) DO UPDATE SET epsilon_total = excluded.epsilon_total, delta_total = excluded.delta_total, updated_at = excluded.updated_at`,
          [study, limit.epsilon, limit.delta, row.epsilon_spent, row.delta_spent, row.releases, now],
        );
        return toStatus({ ...row, epsilon_total: limit.epsilon, delta_total: limit.delta });
      });
    },
    async charge(study, cost, query, mechanism) {
      checkStudy(study);
      if (!(cost.epsilon > 0) || !Number.isFinite(cost.epsilon)) throw new ValidationError('epsilon must be a number > 0', 'epsilon');
      if (!(cost.delta >= 0 && cost.delta < 1)) throw new ValidationError('delta must be a number in [0, 1)', 'delta');
      const now = new Date().toISOString();
      return db.transaction((tx) => {
        const row = tx.query<BudgetRow>(SELECT, [study])[0] ?? fresh(study);
        const epsilon = row.epsilon_spent + cost.epsilon;
        const delta = row.delta_spent + cost.delta;
        if (epsilon > row.epsilon_total + SLACK || delta > row.delta_total + SLACK) {
          const left = toStatus(row);
          throw new BudgetExceededError(
            study,
            `the release needs epsilon ${cost.epsilon}, delta ${cost.delta}; the budget has epsilon ${left.epsilon.remaining}, delta ${left.delta.remaining} left`,
          );
        }
        tx.run(
          `INSERT INTO privacy_budget (study, epsilon_total, delta_total, epsilon_spent, delta_spent, releases, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (study) DO UPDATE SET epsilon_spent = excluded.epsilon_spent, delta_spent = excluded.delta_spent,
             releases = excluded.releases, updated_at = excluded.updated_at`,
          [study, row.epsilon_total, row.delta_total, epsilon, delta, row.releases + 1, now],
        );
        tx.run('INSERT INTO privacy_release (study, query, mechanism, epsilon, delta, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
          study, query, mechanism, cost.epsilon, cost.delta, now,
        ]);
        return toStatus({ ...row, epsilon_spent: epsilon, delta_spent: delta, releases: row.releases + 1 });
      });
    },
  };
}
