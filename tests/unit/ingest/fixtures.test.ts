import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

const DIR = PROVIDER_FIXTURES_DIR;

/**
 * Every file of the shared provider fixture folder, and the test file that parses / verifies it. A fixture added to
 * the folder without a test here fails this suite.
 */
const COVERED: Record<string, string> = {
  "README.md": "(documentation)",
  "mailgun-event-data-clicked.txt": "mailgun.test.ts (refused as published; parsed after test-only repair)",
  "mailgun-event-data-complained.txt": "mailgun.test.ts (refused as published; parsed after test-only repair)",
  "mailgun-event-data-delivered.json": "mailgun.test.ts",
  "mailgun-event-data-failed-permanent.json": "mailgun.test.ts",
  "mailgun-event-data-failed-temporary.json": "mailgun.test.ts",
  "mailgun-event-data-opened.txt": "mailgun.test.ts (refused as published; parsed after test-only repair)",
  "mailgun-event-data-unsubscribed.txt": "mailgun.test.ts (refused as published; parsed after test-only repair)",
  "mailgun-signature-vector.json": "mailgun.test.ts",
  "mailgun-webhook-envelope-opened.txt":
    "mailgun.test.ts (refused as published; repaired copy names the missing field)",
  "postmark-bounce-postmarkapp-email-webhooks-page.json": "postmark.test.ts",
  "postmark-bounce.json": "postmark.test.ts",
  "postmark-delivery-support-article-1067.json": "postmark.test.ts",
  "postmark-delivery.json": "postmark.test.ts",
  "postmark-open.json": "postmark.test.ts",
  "postmark-spamcomplaint.json": "postmark.test.ts",
  "postmark-subscriptionchange.json": "postmark.test.ts",
  "sendgrid-blocked.json": "sendgrid.test.ts",
  "sendgrid-bounce.json": "sendgrid.test.ts",
  "sendgrid-click-full.json": "sendgrid.test.ts",
  "sendgrid-click-unique-args.json": "sendgrid.test.ts",
  "sendgrid-click.json": "sendgrid.test.ts",
  "sendgrid-deferred.json": "sendgrid.test.ts",
  "sendgrid-delivered.json": "sendgrid.test.ts",
  "sendgrid-dropped.json": "sendgrid.test.ts",
  "sendgrid-group_resubscribe.json": "sendgrid.test.ts",
  "sendgrid-group_unsubscribe.json": "sendgrid.test.ts",
  "sendgrid-open-category-array.json": "sendgrid.test.ts",
  "sendgrid-open.json": "sendgrid.test.ts",
  "sendgrid-processed-ip-pool.json": "sendgrid.test.ts",
  "sendgrid-processed-marketing-campaign.json": "sendgrid.test.ts",
  "sendgrid-processed.json": "sendgrid.test.ts",
  "sendgrid-signature-vectors.json": "sendgrid.test.ts",
  "sendgrid-signed-dropped.json": "sendgrid.test.ts",
  "sendgrid-signed-processed-bounce.json": "sendgrid.test.ts",
  "sendgrid-spamreport.json": "sendgrid.test.ts",
  "sendgrid-unsubscribe.json": "sendgrid.test.ts",
  "ses-sns-bounce.json": "ses.test.ts",
  "ses-sns-complaint.json": "ses.test.ts",
  "ses-sns-delivery.json": "ses.test.ts",
  "ses-sns-envelope-signed-v1-subject.json": "ses.test.ts",
  "ses-sns-envelope-signed-v1.json": "ses.test.ts",
  "ses-sns-envelope-signed-v2-subject.json": "ses.test.ts",
  "ses-sns-envelope-signed-v2.json": "ses.test.ts",
  "ses-sns-open.json": "ses.test.ts",
  "ses-sns-send.json": "ses.test.ts",
  "ses-sns-signing-cert-aws-php-sns-message-validator.pem": "ses.test.ts",
  "shopify-hmac-vector-body.txt": "shopify.test.ts",
  "shopify-refund-rest-2025-07-shopify-app-js.json": "shopify.test.ts",
  "shopify-refunds-create-shopifydev-sample.json": "shopify.test.ts",
  "shopify-webhook-request-headers-example.txt": "shopify.test.ts",
  "sns-notification-http-request-example.txt": "ses.test.ts",
  "sns-subscriptionconfirmation-http-request-example.txt": "ses.test.ts",
  "twilio-signature-vector-form-body.txt": "twilio.test.ts",
  "twilio-signature-vector.json": "twilio.test.ts",
};

describe("provider fixtures", () => {
  it("every file in the shared fixture folder is covered by an ingest test", () => {
    const files = readdirSync(DIR).sort();
    expect(files.filter((f) => !(f in COVERED))).toEqual([]);
    expect(Object.keys(COVERED).filter((f) => !files.includes(f))).toEqual([]);
  });
});
