// What `npx convex codegen` generates for an app without a schema: references resolved by name at run time.
import { anyApi } from "convex/server";

export const api = anyApi;
export const internal = anyApi;
