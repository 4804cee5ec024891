import { apiRoute } from "../http/api.server";
import { notFound } from "../http/errors";

/** Any other /api/v1 path: authenticated like every route (401 without a key), then 404 in the error body. */
const missing = async () => {
  throw notFound("This API endpoint");
};
export const { loader, action } = apiRoute({ GET: missing, POST: missing, PUT: missing, DELETE: missing });
