import { unauthorized } from "../../http/errors";
import { parsePostmark, verifyPostmarkRequest } from "../postmark";
import type { IngestProvider } from "./provider";

export const postmark: IngestProvider = {
  label: "Postmark",
  async receive({ req, secrets }) {
    if (secrets.postmark && !verifyPostmarkRequest(req.headers, secrets.postmark)) {
      throw unauthorized("Invalid or missing basic auth for Postmark.");
    }
    return { parsed: parsePostmark(req) };
  },
};
