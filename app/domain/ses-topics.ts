/**
 * The SNS topics a shop's SES ingest URL accepts (docs/security.md, "Amazon SES"). Pure: validation of the list a
 * merchant or an API client sets, and the decision for one signed SNS message.
 */
import { z } from "zod";

export const MAX_SES_TOPIC_ARNS = 10;

/** `arn:aws:sns:<region>:<account id>:<topic name>` (also the aws-cn and aws-us-gov partitions; FIFO topics). */
export const SNS_TOPIC_ARN_RE = /^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]{4,30}:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

export const sesTopicArnsSchema = z
  .array(
    z
      .string({ error: "must be a string" })
      .trim()
      .regex(SNS_TOPIC_ARN_RE, "must be an SNS topic ARN, e.g. arn:aws:sns:us-east-1:123456789012:ses-events"),
    { error: "must be a list of SNS topic ARNs" },
  )
  .max(MAX_SES_TOPIC_ARNS, `at most ${MAX_SES_TOPIC_ARNS} topics`)
  .transform((list) => [...new Set(list)]);

/** PUT /api/v1/settings `providers.ses`: `{"topic_arns": [...]}` (an empty list: the next confirmed topic pins again). */
export const sesProviderPatchSchema = z.strictObject({
  configured: z.boolean().optional(),
  topic_arns: sesTopicArnsSchema,
});

export type SesTopicDecision = "accept" | "pin" | "refuse";

/**
 * A signed SNS message (notification or subscription confirmation) of `topicArn`: accepted when its topic is pinned;
 * pinned (trust on first use) when the shop pins none yet; refused otherwise.
 */
export function sesTopicDecision(pinned: readonly string[], topicArn: string | null): SesTopicDecision {
  if (!topicArn) return "refuse";
  if (pinned.includes(topicArn)) return "accept";
  return pinned.length === 0 ? "pin" : "refuse";
}
