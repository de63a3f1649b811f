/**
 * `validateOnQueue`: a validation (`validateModel`) run by an `embodied worker` as a job, its report
 * written here as `validateModel` writes it (report.json and report.html in `out`). What
 * `embodied validate --queue` runs.
 *
 * @module
 */
import { parseOptions, z } from '../../src/options.js';
import { writeValidationReport } from '../../src/validation/report-html.js';
import { signalOption } from '../schema.js';
import type { ValidateModelResult } from '../validate.js';
import { QueueOptionsSchema, queueSettings } from './collect.js';
import { jobIdFor, QueueError, runIdFor, ValidateSettingsFields } from './jobs.js';
import { runJobs } from './run-jobs.js';
import { sharedRelative, type ValidateJobResult } from './shared-folder.js';

/** Zod schema of {@link ValidateOnQueueOptions}. */
export const ValidateOnQueueOptionsSchema = ValidateSettingsFields.omit({ model: true, data: true })
  .extend(QueueOptionsSchema.shape)
  .extend({
    /** The bundle to validate, a folder inside the shared folder. Exactly one of `model` and `oracle`. */
    model: z.string().min(1).optional(),
    /** Dataset whose observation σ normalises errors, inside the shared folder. */
    data: z.string().min(1).optional(),
    /** Output directory for report.json and report.html (on this machine). */
    out: z.string().min(1),
    /** Stops waiting: no report is written (the job stays queued; the same call later picks up its result). */
    signal: signalOption(),
  })
  .strict()
  .refine((o) => o.oracle !== (o.model !== undefined), { message: 'give exactly one of `model` and `oracle: true`', path: ['model'] });

/** Options of {@link validateOnQueue}. */
export type ValidateOnQueueOptions = z.input<typeof ValidateOnQueueOptionsSchema>;

/** What {@link validateOnQueue} returns: `validateModel`'s result and the run id. */
export interface ValidateOnQueueResult extends ValidateModelResult {
  /** The run id (a hash of the settings: the same call returns the stored report). */
  readonly run: string;
}

/**
 * Validates on a worker and writes the report into `out`.
 * @throws `InvalidArgumentError` for bad options; {@link QueueError} when the job failed for good, Redis
 * stayed unreachable, or `signal` stopped the wait (no report is written then).
 */
export async function validateOnQueue(options: ValidateOnQueueOptions): Promise<ValidateOnQueueResult> {
  const o = parseOptions(ValidateOnQueueOptionsSchema, options, 'validateOnQueue options');
  const { queue, queueName, shared, attempts, redis, redisTimeoutMs, pollMs, out, signal, model, data, ...rest } = o;
  const settings = {
    ...rest,
    ...(model !== undefined && { model: sharedRelative(shared, model, '`model`') }),
    ...(data !== undefined && { data: sharedRelative(shared, data, '`data`') }),
  };
  const run = runIdFor('validate', settings);
  const id = jobIdFor(run, 'validate', 0);
  const gathered = await runJobs({
    ...queueSettings(o),
    run,
    jobs: [{ id, payload: { kind: 'validate', run, settings } }],
    ...(signal && { signal }),
  });
  const reason = gathered.failed.get(id);
  if (reason !== undefined) throw new QueueError(`validation job ${id} failed for good: ${reason}; no report was written`);
  const result = gathered.results.get(id) as ValidateJobResult | undefined;
  if (result === undefined) throw new QueueError(`stopped before the validation job ${id} finished; no report was written (the same call picks up its result later)`);
  const written = await writeValidationReport(result.report, out);
  return { report: result.report, written, run };
}
