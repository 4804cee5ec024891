import { env } from "../../env.server";
import { unauthorized } from "../../http/errors";
import { parseMailgun, verifyMailgunRequest } from "../mailgun";
import { type Claim, claimOnce } from "../replay.server";
import type { IngestProvider } from "./provider";

export const mailgun: IngestProvider = {
  label: "Mailgun",
  async receive({ req, raw, secrets }) {
    let claim: Claim | null = null;
    if (secrets.mailgun) {
      const tolerance = env().MAILGUN_TIMESTAMP_TOLERANCE_SECONDS;
      const v = await verifyMailgunRequest(req, secrets.mailgun.signing_key, { toleranceSeconds: tolerance });
      if (!v.ok) throw unauthorized(`Mailgun signature refused (${v.reason}).`);
      // Replay: the signature's token is claimed before anything is stored (SET NX), kept past the tolerance on
      // both sides of the timestamp; Redis down -> 503 so that Mailgun retries.
      const token = mailgunTokenOf(raw);
      if (token) {
        const c = await claimOnce("mailgun-token", token, 2 * tolerance + 3600);
        if (c === "replay") throw unauthorized("Mailgun signature refused (replay).");
        claim = c;
      }
    }
    return { parsed: parseMailgun(req), claim };
  },
};

function mailgunTokenOf(raw: Buffer): string | null {
  try {
    const token = (JSON.parse(raw.toString("utf8")) as { signature?: { token?: unknown } }).signature?.token;
    return typeof token === "string" ? token : null;
  } catch {
    return null;
  }
}
