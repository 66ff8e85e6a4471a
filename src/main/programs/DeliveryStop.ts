/** How a delivery run ends early (./SendEvents.ts), as the errors the CLI maps to exit codes. */
import { Data } from "effect"
import type { ConfiguredToken } from "../../adapters/Credentials.js"
import type { AnswerKind } from "../../domain/Answer.js"
import type { ApiError } from "../../domain/ApiError.js"
import { formatSpan } from "../../domain/Duration.js"

/** The service refused the token (401/403): stop at once, exit 3. */
export class TokenRefused extends Data.TaggedError("TokenRefused")<{ readonly message: string }> {}

/** 404/405 before any answer: no telemetry API at --base-url, a configuration error (exit 2, src/main/Failure.ts). */
export class WrongBaseUrl extends Data.TaggedError("WrongBaseUrl")<{ readonly message: string }> {}

/** Delivery gave up for this run (retry budget spent): exit 1; the next run resumes from the checkpoint. */
export class DeliveryFailed extends Data.TaggedError("DeliveryFailed")<{ readonly message: string }> {}

/** The error that ends the run after `e` (of `kind`); the checkpoint stays before the event. */
export const stopped = (
  kind: AnswerKind,
  e: ApiError,
  run: { readonly token: Pick<ConfiguredToken, "trimmed" | "source">; readonly answered: number; readonly usedMs: number }
): TokenRefused | DeliveryFailed | WrongBaseUrl => {
  if (kind === "token-refused") {
    const status = e._tag === "HttpStatusError" ? e.status : 0
    const spaces = run.token.trimmed
      ? "the configured value had leading/trailing whitespace (trimmed before sending; fix it there)"
      : "it has no leading or trailing whitespace"
    return new TokenRefused({
      message: `the service refused the token (HTTP ${status} from ${e._tag === "HttpStatusError" ? e.url : "the service"}): check the token in ${run.token.source}; ${spaces}`
    })
  }
  // 404/405 before any answer: the URL is wrong, a configuration error (exit 2, checkpoint kept); after
  // events were answered, the service is at fault: the run stops and the next one resumes.
  if (kind === "wrong-url") {
    return run.answered === 0
      ? new WrongBaseUrl({ message: `${e.message}: no telemetry API at that URL; check --base-url (the checkpoint is kept)` })
      : new DeliveryFailed({ message: `${e.message} after events were accepted; the next run resumes from the checkpoint` })
  }
  // The real time spent in trouble, not the budget: the wait that would overdraw it is not taken.
  return new DeliveryFailed({
    message: `delivery stopped after ${formatSpan(run.usedMs)} of retries: ${e.message}; the next run resumes from the checkpoint`
  })
}
