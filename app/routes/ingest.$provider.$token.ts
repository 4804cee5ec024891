import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, toErrorResponse } from "../http/api.server";
import { ApiError } from "../http/errors";
import { receiveProviderWebhook } from "../ingest/providers.server";

/** POST /ingest/<provider>/<ingest token>: SendGrid, Mailgun, Postmark, Amazon SES (SNS) or Twilio event webhooks. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  try {
    const rawPath = typeof context.rawUrl === "string" ? context.rawUrl : undefined;
    const { status, body } = await receiveProviderWebhook(request, params.provider ?? "", params.token ?? "", rawPath);
    return json(body, status);
  } catch (error) {
    return toErrorResponse(error);
  }
}

export async function loader(_args: LoaderFunctionArgs) {
  return toErrorResponse(new ApiError("method_not_allowed", "Provider webhooks are POSTed.", [], { Allow: "POST" }));
}
