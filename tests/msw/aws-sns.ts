import { readFileSync } from "node:fs";
import path from "node:path";
import { http, HttpResponse } from "msw";

/**
 * Amazon SNS, as the app sees it: signing certificates and subscription confirmation. The certificate is a test
 * certificate whose key (tests/fixtures/sns-test/key.pem) the tests sign envelopes with.
 */
const dir = path.resolve(import.meta.dirname, "../fixtures/sns-test");
export const SNS_TEST_CERT = readFileSync(path.join(dir, "cert.pem"), "utf8");
export const SNS_TEST_KEY = readFileSync(path.join(dir, "key.pem"), "utf8");
export const SNS_TEST_CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";

const snsHost = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export const awsSnsHandlers = [
  http.get(snsHost, ({ request }) => {
    const url = new URL(request.url);
    if (url.pathname.endsWith(".pem")) {
      return new HttpResponse(SNS_TEST_CERT, { headers: { "Content-Type": "application/x-pem-file" } });
    }
    if (url.searchParams.get("Action") === "ConfirmSubscription") {
      return new HttpResponse(
        `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:123456789012:test:sub</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
        { headers: { "Content-Type": "text/xml" } },
      );
    }
    return new HttpResponse("not found", { status: 404 });
  }),
];
