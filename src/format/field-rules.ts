/**
 * Integer field rules shared by the decoders ({@link ByteReader}) and the encoders
 * ({@link ByteWriter}), so that each bound is written once and both sides enforce the same one.
 */
import { MIN_PAGE_SIZE, SECTOR_SIZE, WIRE_MAX_BLOCK_SIZE, WIRE_MIN_BLOCK_SIZE } from './wire-constants.js';

/** Constraints on an integer field; every present constraint must hold. */
export interface IntRule {
  /** Smallest allowed value (inclusive). */
  readonly min?: number;
  /** Largest allowed value (inclusive). */
  readonly max?: number;
  /** The value must be a multiple of this. */
  readonly multipleOf?: number;
  /** The value must be one of these. */
  readonly oneOf?: readonly number[];
}

/**
 * Why `value` breaks `rule`, as a phrase ("must be between 1 and 4096"), or undefined when it
 * does not. Pure; never throws.
 */
export function ruleViolation(value: number, rule: IntRule): string | undefined {
  if (rule.oneOf !== undefined && !rule.oneOf.includes(value)) {
    return `must be one of ${rule.oneOf.join(', ')}`;
  }
  const tooSmall = rule.min !== undefined && value < rule.min;
  const tooLarge = rule.max !== undefined && value > rule.max;
  if (tooSmall || tooLarge) {
    if (rule.min !== undefined && rule.max !== undefined) {
      return `must be between ${rule.min} and ${rule.max}`;
    }
    return tooSmall ? `must be at least ${String(rule.min)}` : `must be at most ${String(rule.max)}`;
  }
  if (rule.multipleOf !== undefined && value % rule.multipleOf !== 0) {
    return `must be a multiple of ${rule.multipleOf}`;
  }
  return undefined;
}

/** A block size on the wire: 4 KiB..64 MiB, a multiple of 512. */
export const BLOCK_SIZE_RULE: IntRule = {
  min: WIRE_MIN_BLOCK_SIZE,
  max: WIRE_MAX_BLOCK_SIZE,
  multipleOf: SECTOR_SIZE,
};

/** A sub-block page size, at most `blockSize`. */
export function pageSizeRule(blockSize: number): IntRule {
  return { min: MIN_PAGE_SIZE, max: blockSize, multipleOf: SECTOR_SIZE };
}

/** A count of `1..max` items. */
export function countRule(max: number): IntRule {
  return { min: 1, max };
}
