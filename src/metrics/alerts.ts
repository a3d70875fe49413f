/**
 * Alert rules over the monitor's signals. A rule `{name, metric, threshold, duration, action}`
 * fires once when `metric > threshold` (or `<`, with `comparison: 'below'`) has held at every
 * evaluation for `duration` seconds, and resolves once when it stops holding. Callbacks (and
 * webhooks, see `webhook.ts`) hear both; a throwing callback is counted and never stops the
 * others. History is bounded.
 *
 * The seed's three rules ship as defaults:
 *   high_response_time: response_time > 2000 ms for 300 s  -> scale_up
 *   high_error_rate:    error_rate > 5 % for 60 s           -> investigate
 *   high_memory:        memory_usage > 85 % for 180 s       -> restart_agents
 */
import { ValidationError } from '../shared/errors.ts';

export interface AlertRule {
  name: string;
  /** A signal name (see `PerformanceMonitor.signal`), e.g. 'response_time' or 'db_query:p99'. */
  metric: string;
  threshold: number;
  /** Seconds the condition must hold before the alert fires (0: at the first evaluation). */
  duration: number;
  /** What should be done, passed to callbacks (e.g. 'scale_up'). */
  action: string;
  /** 'above' (default): fires while value > threshold; 'below': while value < threshold. */
  comparison?: 'above' | 'below';
}

/** What an alert says about its rule, in events and in the list of active alerts. */
interface AlertState {
  rule: string;
  metric: string;
  action: string;
  threshold: number;
  value: number | null;
  /** When the condition started holding (ms since the epoch). */
  since: number;
}

export interface AlertEvent extends AlertState {
  type: 'fired' | 'resolved';
  at: number;
}

export interface ActiveAlert extends AlertState {
  firedAt: number;
}

export type AlertCallback = (event: AlertEvent) => void | Promise<void>;

export const DEFAULT_ALERT_RULES: readonly AlertRule[] = Object.freeze([
  { name: 'high_response_time', metric: 'response_time', threshold: 2000, duration: 300, action: 'scale_up' },
  { name: 'high_error_rate', metric: 'error_rate', threshold: 5, duration: 60, action: 'investigate' },
  { name: 'high_memory', metric: 'memory_usage', threshold: 85, duration: 180, action: 'restart_agents' },
]);

const MAX_HISTORY = 200;
const MAX_RULES = 100;
const MAX_CALLBACKS = 20;

interface RuleState {
  rule: AlertRule;
  pendingSince: number | undefined;
  active: ActiveAlert | undefined;
}

export function checkRule(input: unknown): AlertRule {
  const r = input as Partial<AlertRule> | null;
  if (typeof r !== 'object' || r === null) throw new ValidationError('an alert rule must be an object', 'rule');
  if (typeof r.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/.test(r.name)) throw new ValidationError('rule name must be a short identifier', 'name');
  if (typeof r.metric !== 'string' || r.metric.length === 0 || r.metric.length > 120) throw new ValidationError('rule metric must be a signal name', 'metric');
  if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold)) throw new ValidationError('threshold must be a finite number', 'threshold');
  if (typeof r.duration !== 'number' || !(r.duration >= 0 && r.duration <= 86_400)) throw new ValidationError('duration must be seconds in [0, 86400]', 'duration');
  if (typeof r.action !== 'string' || r.action.length === 0 || r.action.length > 100) throw new ValidationError('action must be a non-empty string', 'action');
  if (r.comparison !== undefined && r.comparison !== 'above' && r.comparison !== 'below') throw new ValidationError("comparison must be 'above' or 'below'", 'comparison');
  return Object.freeze({ name: r.name, metric: r.metric, threshold: r.threshold, duration: r.duration, action: r.action, comparison: r.comparison ?? 'above' });
}

/** Rules, their state, callbacks and history. Evaluation is driven by the monitor. */
export class AlertManager {
  #rules = new Map<string, RuleState>();
  #callbacks: AlertCallback[] = [];
  #history: AlertEvent[] = [];
  /** Callbacks that threw or rejected. */
  callbackErrors = 0;

  constructor(rules: readonly AlertRule[] = DEFAULT_ALERT_RULES) {
    for (const rule of rules) this.addRule(rule);
  }

  /** Adds or replaces the rule with this name. */
  addRule(rule: AlertRule): AlertRule {
    const checked = checkRule(rule);
    if (!this.#rules.has(checked.name) && this.#rules.size >= MAX_RULES) throw new ValidationError(`at most ${MAX_RULES} alert rules`, 'name');
    this.#rules.set(checked.name, { rule: checked, pendingSince: undefined, active: undefined });
    return checked;
  }

  removeRule(name: string): boolean {
    return this.#rules.delete(name);
  }

  rules(): AlertRule[] {
    return [...this.#rules.values()].map((s) => s.rule);
  }

  addCallback(fn: AlertCallback): () => void {
    if (typeof fn !== 'function') throw new ValidationError('an alert callback must be a function', 'callback');
    if (this.#callbacks.length >= MAX_CALLBACKS) throw new ValidationError(`at most ${MAX_CALLBACKS} alert callbacks`, 'callback');
    this.#callbacks.push(fn);
    return () => {
      this.#callbacks = this.#callbacks.filter((f) => f !== fn);
    };
  }

  /** Evaluates every rule against `read(metric)` at time `now` (ms); returns the events raised. */
  evaluate(read: (metric: string) => number | undefined, now: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const state of this.#rules.values()) {
      const { rule } = state;
      const value = read(rule.metric);
      const holds = value !== undefined && (rule.comparison === 'below' ? value < rule.threshold : value > rule.threshold);
      if (holds) {
        state.pendingSince ??= now;
        if (state.active) state.active.value = value;
        else if (now - state.pendingSince >= rule.duration * 1000) {
          state.active = { rule: rule.name, metric: rule.metric, action: rule.action, threshold: rule.threshold, value, since: state.pendingSince, firedAt: now };
          events.push(this.#event('fired', state, value, now));
        }
      } else {
        if (state.active) events.push(this.#event('resolved', state, value ?? null, now));
        state.pendingSince = undefined;
        state.active = undefined;
      }
    }
    for (const event of events) this.#notify(event);
    return events;
  }

  active(): ActiveAlert[] {
    return [...this.#rules.values()].flatMap((s) => (s.active ? [{ ...s.active }] : []));
  }

  /** Fired and resolved events, oldest first (the last 200). */
  history(): AlertEvent[] {
    return this.#history.slice();
  }

  #event(type: AlertEvent['type'], state: RuleState, value: number | null, now: number): AlertEvent {
    const { rule } = state;
    const event: AlertEvent = { type, rule: rule.name, metric: rule.metric, action: rule.action, threshold: rule.threshold, value, since: state.pendingSince ?? now, at: now };
    this.#history.push(event);
    if (this.#history.length > MAX_HISTORY) this.#history.shift();
    return event;
  }

  #notify(event: AlertEvent): void {
    for (const fn of this.#callbacks) {
      try {
        const out = fn(event);
        if (out && typeof (out as Promise<void>).then === 'function') {
          (out as Promise<void>).then(undefined, () => {
            this.callbackErrors++;
          });
        }
      } catch {
        this.callbackErrors++;
      }
    }
  }
}
