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
  ERR_FRAME_TRUNCATED: -30,
  ERR_FRAME_OVERSIZED: -31,
  ERR_FRAME_MAGIC: -32,
  ERR_FRAME_VERSION: -33,
  ERR_FRAME_KIND: -34,
  ERR_FRAME_KIND_MISMATCH: -35,
  ERR_FRAME_LENGTH: -36,
  ERR_FRAME_TRAILING: -37,
  ERR_FRAME_CHECKSUM: -38,
  ERR_FRAME_VARINT: -39,
  ERR_FRAME_BOUNDS: -40,
  ERR_FRAME_COUNT: -41,
  ERR_FRAME_STRING_REF: -42,
  ERR_FRAME_SHAPE_REF: -43,
  ERR_FRAME_UTF8: -44,
  ERR_FRAME_TEXT_LENGTH: -45,
  ERR_FRAME_FLAGS: -46,
  ERR_FRAME_PRIORITY: -47,
  ERR_FRAME_RANGE: -48,
  ERR_FRAME_TAG: -49,
  ERR_FRAME_DEPTH: -50,
  ERR_FRAME_PAYLOAD_LENGTH: -51,
  ERR_FRAME_NOT_FINITE: -52,
  ERR_FRAME_UNUSED: -53,
  ERR_NO_SOLUTION: -60,
} as const;

export type StatusName = keyof typeof STATUS;

const NAMES = new Map<number, StatusName>(
  (Object.entries(STATUS) as [StatusName, number][]).map(([name, code]) => [code, name]),
);

/** The symbolic name of a status code, e.g. `statusName(-1) === 'ERR_OUT_OF_MEMORY'`. */
export function statusName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_STATUS(${code})`;
}
