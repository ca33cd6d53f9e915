/**
 * The named benchmark scenarios. Each prepares, in its own directory, a source and a recipe for a
 * fresh copy of the pristine target, and states how many bytes truly differ (`changedBytes`).
 *
 * Most scenarios derive from one base VM image (see writeVmImage) shared by the run; the sparse
 * ones and `worst-case` make their own images. Every mutation is seeded by
 * `${seed}/${scenario name}`. The scenarios of the search for moved data (`shift`, `worst-case`)
 * live in moved-scenarios.ts.
 */
import { join } from 'node:path';
import { changeBlocks, copyImage, scatterWrites, writeSparseImage } from './image-generator.js';
import { shift, worstCase } from './moved-scenarios.js';

/** What every scenario is given. */
export interface ScenarioContext {
  /** The scenario's own directory (created, empty). */
  dir: string;
  /** The base VM image of `size` bytes (only for scenarios with `usesBaseImage`). */
  baseImage: string;
  size: number;
  seed: string;
  /** Apparent size of sparse images (default 64 GiB). */
  sparseSize: number;
  /** Data held by sparse images (default 256 MiB). */
  sparseDataBytes: number;
  /** Block size of the changed-N% mutations (default 1 MiB: clustered changes). */
  changeBlockSize: number;
}

/** A prepared scenario. */
export interface PreparedScenario {
  source: string;
  /** Creates a fresh copy of the pristine target at `dest`; null when the scenario has no target. */
  makeTarget: ((dest: string) => Promise<void>) | null;
  /** Size of the pristine target, or null when there is none. */
  targetSize: number | null;
  /** Bytes of the result that differ from the old target, plus the size difference. */
  changedBytes: number;
  sparse: boolean;
  /**
   * True when data moved: the source holds the target's bytes at other offsets (bytes were inserted
   * or deleted). Tools that can find moved data are run in that mode (rsync without --inplace).
   */
  shifted: boolean;
  /**
   * True for the scenarios that test the search for moved data (`shift`, `worst-case`), shifted or
   * not: rdiff takes part only in these. Default false.
   */
  movedDataTest?: boolean;
}

/** A named scenario. */
export interface Scenario {
  name: string;
  /** One sentence: what real situation it models. */
  description: string;
  usesBaseImage: boolean;
  /**
   * Disk bytes the prepared files and one working target need at most (for the free-space check),
   * with the new copy that rsync writes beside the target where `shifted`, and rdiff where
   * `movedDataTest`.
   */
  diskBytes(ctx: Omit<ScenarioContext, 'dir' | 'baseImage'>): number;
  prepare(ctx: ScenarioContext): Promise<PreparedScenario>;
}

const copyOf = (pristine: string) => async (dest: string) => {
  await copyImage(pristine, dest);
};

function changed(percent: number, description: string): Scenario {
  const name = `changed-${percent}pct`;
  return {
    name,
    description,
    usesBaseImage: true,
    diskBytes: (c) => 2 * c.size,
    async prepare(ctx) {
      const pristine = join(ctx.dir, 'target.pristine');
      await copyImage(ctx.baseImage, pristine);
      const changedBytes = await changeBlocks(
        pristine,
        percent / 100,
        ctx.changeBlockSize,
        `${ctx.seed}/${name}`,
      );
      return {
        source: ctx.baseImage,
        makeTarget: copyOf(pristine),
        targetSize: ctx.size,
        changedBytes,
        sparse: false,
        shifted: false,
      };
    },
  };
}

const identical: Scenario = {
  name: 'identical',
  description: 'Nothing changed since the last sync: the whole cost is finding that out.',
  usesBaseImage: true,
  diskBytes: (c) => c.size,
  prepare: (ctx) =>
    Promise.resolve({
      source: ctx.baseImage,
      makeTarget: copyOf(ctx.baseImage),
      targetSize: ctx.size,
      changedBytes: 0,
      sparse: false,
      shifted: false,
    }),
};

const scattered: Scenario = {
  name: 'scattered-4k-1pct',
  description: 'A guest did random 4 KiB writes over 1% of its disk: changes finer than any sync block.',
  usesBaseImage: true,
  diskBytes: (c) => 2 * c.size,
  async prepare(ctx) {
    const pristine = join(ctx.dir, 'target.pristine');
    await copyImage(ctx.baseImage, pristine);
    const changedBytes = await scatterWrites(pristine, 0.01, 4096, `${ctx.seed}/scattered-4k-1pct`);
    return {
      source: ctx.baseImage,
      makeTarget: copyOf(pristine),
      targetSize: ctx.size,
      changedBytes,
      sparse: false,
      shifted: false,
    };
  },
};

const prefix: Scenario = {
  name: 'prefix-90pct',
  description: 'The target is the first 90% of the source (an interrupted copy, or a file that grew).',
  usesBaseImage: true,
  diskBytes: (c) => 2 * c.size,
  async prepare(ctx) {
    const pristine = join(ctx.dir, 'target.pristine');
    const length = Math.floor((ctx.size * 0.9) / 4096) * 4096;
    await copyImage(ctx.baseImage, pristine, { length });
    return {
      source: ctx.baseImage,
      makeTarget: copyOf(pristine),
      targetSize: length,
      changedBytes: ctx.size - length,
      sparse: false,
      shifted: false,
    };
  },
};

const sourceTruncated: Scenario = {
  name: 'source-truncated',
  description: 'The source shrank to its first 80%: the target must be cut, with nothing to rewrite.',
  usesBaseImage: true,
  diskBytes: (c) => 2 * c.size,
  async prepare(ctx) {
    const source = join(ctx.dir, 'source.img');
    const length = Math.floor((ctx.size * 0.8) / 4096) * 4096;
    await copyImage(ctx.baseImage, source, { length });
    return {
      source,
      makeTarget: copyOf(ctx.baseImage),
      targetSize: ctx.size,
      changedBytes: ctx.size - length,
      sparse: false,
      shifted: false,
    };
  },
};

const emptyTarget: Scenario = {
  name: 'empty-target',
  description: 'First sync: the target does not exist yet, so every byte is new.',
  usesBaseImage: true,
  diskBytes: (c) => c.size,
  prepare: (ctx) =>
    Promise.resolve({
      source: ctx.baseImage,
      makeTarget: null,
      targetSize: null,
      changedBytes: ctx.size,
      sparse: false,
      shifted: false,
    }),
};

function sparse(name: string, withTarget: boolean, description: string): Scenario {
  return {
    name,
    description,
    usesBaseImage: false,
    diskBytes: (c) => 4 * c.sparseDataBytes,
    async prepare(ctx) {
      const source = join(ctx.dir, 'source.img');
      const layout = await writeSparseImage(
        source,
        ctx.sparseSize,
        ctx.sparseDataBytes,
        `${ctx.seed}/sparse`,
      );
      if (!withTarget)
        return {
          source,
          makeTarget: null,
          targetSize: null,
          changedBytes: ctx.sparseSize,
          sparse: true,
          shifted: false,
        };
      const oldVersion = async (dest: string): Promise<number> => {
        await writeSparseImage(dest, ctx.sparseSize, ctx.sparseDataBytes, `${ctx.seed}/sparse`);
        return changeBlocks(dest, 0.01, 64 << 10, `${ctx.seed}/${name}`, { within: layout.extents });
      };
      // The old version is regenerated for each tool (cheap) instead of copied: copying would read every hole.
      const changedBytes = await oldVersion(join(ctx.dir, 'target.pristine'));
      const makeTarget = async (dest: string) => void (await oldVersion(dest));
      return { source, makeTarget, targetSize: ctx.sparseSize, changedBytes, sparse: true, shifted: false };
    },
  };
}

/** Every scenario, in the order the benchmark runs them. */
export const SCENARIOS: readonly Scenario[] = [
  identical,
  changed(1, '1% of the disk changed in 1 MiB clusters: the everyday nightly sync.'),
  changed(10, '10% changed in 1 MiB clusters: a busy day, or an OS update.'),
  changed(50, 'Half the disk rewritten in 1 MiB clusters.'),
  changed(100, 'Every block differs: the delta machinery is pure overhead; compare with cp.'),
  scattered,
  prefix,
  sourceTruncated,
  sparse('sparse', true, 'A mostly empty sparse disk (64 GiB holding 256 MiB) whose data changed by 1%.'),
  sparse('sparse-empty-target', false, 'First sync of that sparse disk: holes must stay holes.'),
  emptyTarget,
  shift,
  worstCase,
];

/** The scenario called `name`, or undefined. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
