import { unauthorized } from "../../http/errors";
import { parseSendgrid, verifySendgridRequest } from "../sendgrid";
import type { IngestProvider } from "./provider";

export const sendgrid: IngestProvider = {
  label: "SendGrid",
  async receive({ req, secrets }) {
    if (secrets.sendgrid && !verifySendgridRequest(req, secrets.sendgrid.public_key)) {
      throw unauthorized("Invalid or missing SendGrid Event Webhook signature.");
    }
    return { parsed: parseSendgrid(req) };
  },
};
