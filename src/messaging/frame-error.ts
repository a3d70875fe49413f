/**
 * `FrameError`: why a frame was rejected, stated exactly. Both codecs (WASM and the
 * TypeScript reference) fail with the same status code (`src/shared/status.ts`, codec range
 * -30..-59), the same frame offset and the same explanatory number; this turns them into a
 * stable `reason` and a readable message. HTTP 400, code `invalid_frame`.
 */
import { AppError } from '../shared/errors.ts';
import { STATUS } from '../shared/status.ts';
import { MAX_BATCH_MESSAGES, MAX_FRAME_BYTES, MAX_PAYLOAD_DEPTH, MIN_FRAME_BYTES } from './codec-format.ts';

const hex = (n: number, width = 2) => `0x${(n >>> 0).toString(16).padStart(width, '0')}`;

/** Reason, and how to say it given the explanatory number, per status code. */
const REASONS = {
  [STATUS.ERR_FRAME_TRUNCATED]: ['truncated', (d: number) => `truncated: the bytes end here${d ? ` but the frame declares ${d} bytes` : ''}`],
  [STATUS.ERR_FRAME_OVERSIZED]: ['oversized', (d: number) => `oversized: the frame declares ${d} bytes, above the ${MAX_FRAME_BYTES}-byte limit`],
  [STATUS.ERR_FRAME_MAGIC]: ['bad_magic', () => 'not a HealthSync frame: it does not start with the magic "HS"'],
  [STATUS.ERR_FRAME_VERSION]: ['unsupported_version', (d: number) => `unsupported format version ${d} (this codec reads version 1)`],
  [STATUS.ERR_FRAME_KIND]: ['unknown_kind', (d: number) => `unknown frame kind ${d} (1 = message, 2 = batch)`],
  [STATUS.ERR_FRAME_KIND_MISMATCH]: ['kind_mismatch', (d: number) => d === 1 ? 'a single-message frame where a batch was expected' : 'a batch frame where a single message was expected'],
  [STATUS.ERR_FRAME_LENGTH]: ['bad_length', (d: number) => `the frame declares ${d} bytes, below the ${MIN_FRAME_BYTES}-byte minimum`],
  [STATUS.ERR_FRAME_TRAILING]: ['trailing_bytes', (d: number) => `${d} trailing byte${d === 1 ? '' : 's'} after the end of the frame`],
  [STATUS.ERR_FRAME_CHECKSUM]: ['checksum_mismatch', (d: number) => `checksum mismatch: the bytes give CRC-32C ${hex(d, 8)}, not the trailer's value`],
  [STATUS.ERR_FRAME_VARINT]: ['bad_varint', () => 'malformed varint (longer than 8 bytes, above 2^53 - 1, or not minimal)'],
  [STATUS.ERR_FRAME_BOUNDS]: ['out_of_bounds', (d: number) => `field length out of bounds: ${d ? `${d} ` : 'it '}runs past the end of its section`],
  [STATUS.ERR_FRAME_COUNT]: ['bad_count', (d: number) => `message count ${d} is not allowed (a message frame holds 1, a batch at most ${MAX_BATCH_MESSAGES})`],
  [STATUS.ERR_FRAME_STRING_REF]: ['bad_string_ref', (d: number) => `string index ${d} is not below the string count`],
  [STATUS.ERR_FRAME_SHAPE_REF]: ['bad_shape_ref', (d: number) => `object shape index ${d} is not below the shape count`],
  [STATUS.ERR_FRAME_UTF8]: ['invalid_utf8', () => 'the text is not valid UTF-8'],
  [STATUS.ERR_FRAME_TEXT_LENGTH]: ['bad_text_length', () => 'the string lengths do not match the text (or split a character)'],
  [STATUS.ERR_FRAME_FLAGS]: ['bad_flags', (d: number) => `record flags ${hex(d)} set reserved bits or contradict each other`],
  [STATUS.ERR_FRAME_PRIORITY]: ['priority_out_of_range', (d: number) => `priority ${d} out of range 0 (LOW) .. 3 (CRITICAL)`],
  [STATUS.ERR_FRAME_RANGE]: ['value_out_of_range', (d: number) => `value ${d} out of range for its field`],
  [STATUS.ERR_FRAME_TAG]: ['unknown_tag', (d: number) => `reserved payload tag ${hex(d)}`],
  [STATUS.ERR_FRAME_DEPTH]: ['too_deep', () => `payload nests arrays and objects deeper than ${MAX_PAYLOAD_DEPTH} levels`],
  [STATUS.ERR_FRAME_PAYLOAD_LENGTH]: ['payload_length_mismatch', () => 'the payload value does not end at its declared length'],
  [STATUS.ERR_FRAME_NOT_FINITE]: ['not_finite', (d: number) => `payload number ${d} is not finite (not JSON)`],
  [STATUS.ERR_FRAME_UNUSED]: ['unused_bytes', (d: number) => `${d} byte${d === 1 ? '' : 's'} after the last record belong to no section`],
} as const satisfies Record<number, readonly [string, (detail: number) => string]>;

type ReasonTable = typeof REASONS;
/** Stable machine-readable reasons, one per codec status code. */
export type FrameErrorReason = ReasonTable[keyof ReasonTable][0];

/** Every status code a decoder may fail with, for tests and documentation. */
export const FRAME_STATUS_CODES: readonly number[] = Object.keys(REASONS).map(Number);

/**
 * A frame was rejected. `reason` is stable (e.g. `checksum_mismatch`), `offset` is the byte
 * of the frame where the problem was found, `status` the shared WASM status code.
 *
 * @example
 * try { decodeBatch(bytes); } catch (err) {
 *   if (err instanceof FrameError) console.log(err.reason, err.offset); // 'truncated' 512
 * }
 */
export class FrameError extends AppError {
  readonly reason: FrameErrorReason;
  readonly offset: number;
  readonly statusCode: number;

  constructor(statusCode: number, offset: number, detail = 0) {
    const entry = (REASONS as Record<number, readonly [FrameErrorReason, (d: number) => string]>)[statusCode];
    if (!entry) throw new RangeError(`not a codec status code: ${statusCode}`);
    const [reason, say] = entry;
    super(400, 'invalid_frame', `invalid frame: ${say(detail)} (at byte ${offset})`, { details: { reason, offset } });
    this.reason = reason;
    this.offset = offset;
    this.statusCode = statusCode;
  }
}
