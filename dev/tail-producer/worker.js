// An example producer for the Tail Worker: the demo's "email worker". It carries no debug-logs code; its
// wrangler.jsonc lists debug-logs in tail_consumers, and its console calls, uncaught exceptions and outcomes
// reach debug-logs through that Worker's tail() handler. Send a `traceparent` (the browser client's
// propagateTo does) and they join that trace.

export default {
  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/send") {
      return new Response("POST /send {to, subject}; ?fail=1 throws, as a failing email provider would\n", {
        status: 404,
      });
    }
    /** @type {{ to?: string, subject?: string }} */
    const email = (await request.json().catch(() => null)) ?? {};
    console.log("email: sending", { to: email.to ?? "(none)", subject: email.subject ?? "" });
    if (url.searchParams.get("fail")) {
      console.warn("email: provider answered 421, giving up after 3 tries");
      throw new Error("SMTP relay refused the message: 421 try again later");
    }
    console.info("email: queued with the provider");
    return Response.json({ queued: true });
  },
};
