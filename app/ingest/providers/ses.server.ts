import { pinSesTopicIfNone } from "../../data/shops.server";
import { sesTopicDecision } from "../../domain/ses-topics";
import { ApiError, invalid, unauthorized } from "../../http/errors";
import { log } from "../../logger.server";
import { parseSes, verifySnsMessage } from "../ses";
import { confirmSnsSubscription, fetchSnsCert } from "../sns-certs.server";
import { fieldOf, type IngestProvider } from "./provider";

export const ses: IngestProvider = {
  label: "Amazon SES",
  async receive({ req, raw, shop }) {
    // SNS signs every HTTP delivery: verify always (raw message delivery, which SNS cannot sign, is refused).
    const verified = await verifySnsMessage(raw, { fetchCert: fetchSnsCert });
    if (!verified.ok) {
      if (verified.reason === "malformed") {
        const p = parseSes(req);
        throw invalid(p.ok ? [{ path: "body", message: "not an SNS message" }] : p.errors.map(fieldOf));
      }
      throw unauthorized(`SNS message signature refused (${verified.reason}).`);
    }
    const p = parseSes(req);
    if (p.ok && (p.snsType === "SubscriptionConfirmation" || p.snsType === "Notification")) {
      // Only the shop's pinned topics (the first confirmed subscription, or first signed message, pins its
      // topic; the settings page changes them): a signed message of someone else's topic is refused and a
      // subscription to it is not confirmed.
      const decision = sesTopicDecision(shop.sesTopicArns, p.topicArn);
      if (
        decision === "refuse" ||
        (decision === "pin" && !(await pinSesTopicIfNone(shop.id, p.topicArn!)).includes(p.topicArn!))
      ) {
        throw new ApiError("unauthorized", "This SNS topic is not one this shop accepts.", [
          { path: "TopicArn", message: "is not a pinned topic (settings page, Event sources, Amazon SES)" },
        ]);
      }
    }
    if (p.ok && p.snsType === "SubscriptionConfirmation" && p.subscribeUrl) {
      await confirmSnsSubscription(p.subscribeUrl);
      log.info("SNS subscription confirmed", { shopId: shop.id, topicArn: p.topicArn });
      return { confirmed: true };
    }
    return { parsed: p };
  },
};
