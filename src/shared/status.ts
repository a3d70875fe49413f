/**
 * Status codes returned by the WASM modules, mirrored from `assembly/shared/status.ts`
 * (a test asserts the two tables are identical). Negative means an expected failure.
 */
export const STATUS = {
  STATUS_OK: 0,
  ERR_OUT_OF_MEMORY: -1,
  ERR_BAD_ARGUMENT: -2,
  ERR_BAD_HANDLE: -3,
  ERR_OUT_OF_RANGE: -4,
  ERR_HISTOGRAM_VALUE: -10,
  ERR_HISTOGRAM_MISMATCH: -11,
  ERR_HISTOGRAM_CORRUPT: -12,
  ERR_HISTOGRAM_OVERFLOW: -13,
} as const;

export type StatusName = keyof typeof STATUS;

const NAMES = new Map<number, StatusName>(
  (Object.entries(STATUS) as [StatusName, number][]).map(([name, code]) => [code, name]),
);

/** The symbolic name of a status code, e.g. `statusName(-1) === 'ERR_OUT_OF_MEMORY'`. */
export function statusName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_STATUS(${code})`;
}
