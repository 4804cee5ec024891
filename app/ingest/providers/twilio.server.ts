import { unauthorized } from "../../http/errors";
import { parseTwilio, verifyTwilioRequest } from "../twilio";
import type { IngestProvider } from "./provider";

export const twilio: IngestProvider = {
  label: "Twilio",
  async receive({ req, secrets }) {
    if (secrets.twilio && !verifyTwilioRequest(req, secrets.twilio.auth_token)) {
      throw unauthorized("Invalid or missing X-Twilio-Signature.");
    }
    return { parsed: parseTwilio(req) };
  },
};
