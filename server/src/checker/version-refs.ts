// `with churn@production` / `for churn@v3`: a predict or monitor that uses a version the run
// store's registry holds. The checker judges the word after `@` (a stage or vN) and asks the
// injected RegistrySource whether the store holds that version, or a version in that stage,
// so that `narml check` passing means the run finds the model. The answer can change without an
// edit (a promotion), so a declaration that asked is always checked again (check-reuse.ts).
import type { ModelVersionJson, StageName } from '../contracts/cli-json';
import type { VersionRef } from '../language/ast';
import type { CheckContext } from './check-context';
import type { ModelInfo } from './checked-model';

export const VERSION_STAGES: readonly StageName[] = ['production', 'staging', 'archived'];

/** What the checker, completion and hover need of a registry version. */
export type VersionFacts = Pick<ModelVersionJson, 'version' | 'stage' | 'created' | 'algorithm' | 'metrics' | 'status' | 'run' | 'input'>;

/** The registry of the run store beside a pipeline, as the checker reads it. */
export interface RegistrySource {
  /** The versions of `model` of pipeline `file`, v1 first; undefined when no run store exists. */
  versions(file: string, model: string): VersionFacts[] | undefined;
  /** The version `ref` (a stage or vN) names now, as the run will resolve it (`@archived`: the version archived last). */
  named(file: string, model: string, ref: string): VersionFacts | undefined;
}

/** What a checked reference names: its text, and the version the store holds for it now (when a registry was asked). */
export interface CheckedVersionRef {
  ref: string;
  facts?: VersionFacts;
}

/**
 * Checks a version reference of `model`; returns it when the run can use it. NML132: the
 * word is no stage and no vN. NML133: the store holds no such version, no version in that stage,
 * or there is no store yet.
 */
export function checkVersionRef(ref: VersionRef | undefined, model: ModelInfo | undefined, file: string, registry: RegistrySource | undefined, c: CheckContext): CheckedVersionRef | undefined {
  if (!ref) return undefined;
  c.storeAsked++;
  if (ref.text === '') return undefined;
  const isStage = (VERSION_STAGES as readonly string[]).includes(ref.text);
  if (!isStage && !/^v[1-9]\d*$/.test(ref.text)) {
    c.report('NML132', ref.range, `"@${ref.text}" is no stage and no version: write @production, @staging, @archived or a version such as @v3`);
    return undefined;
  }
  if (!model) return undefined;
  if (!registry) return { ref: ref.text };
  const versions = registry.versions(file, model.name);
  // Naming the model runs it although this reference is still an error (the run refuses only
  // errors in what it runs).
  const first = `train it first (narml run ${file} ${model.name}), then promote a version: narml promote ${model.name} v1 --stage production`;
  if (!versions) {
    c.report('NML133', ref.range, `no run store beside this pipeline yet, so ${model.name} has no ${isStage ? `version in ${ref.text}` : ref.text}; ${first}`);
    return undefined;
  }
  const facts = registry.named(file, model.name, ref.text);
  if (facts) return { ref: ref.text, facts };
  const listed = versions.map((v) => `${v.version}${v.stage ? ` (${v.stage})` : ''}`).join(', ');
  if (versions.length === 0) c.report('NML133', ref.range, `the run store holds no version of ${model.name}; ${first}`);
  else if (isStage) c.report('NML133', ref.range, `no version of ${model.name} is in ${ref.text}; promote one: narml promote ${model.name} ${versions.at(-1)!.version} --stage ${ref.text} (versions: ${listed})`);
  else c.report('NML133', ref.range, `${model.name} has no version ${ref.text} in the run store (versions: ${listed}); use one of them or a stage such as @production`);
  return undefined;
}
